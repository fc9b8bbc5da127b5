"""Transcripts: the cues of a stored WebVTT caption file, as plain text with their times; and the check of a WebVTT
file before it is stored."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import webvtt
from webvtt.errors import MalformedFileError

from .reasons import Reason


class TranscriptError(ValueError):
    """A stored caption file cannot be read as WebVTT; the message names the file."""


@dataclass(frozen=True)
class Cue:
    start: float  # seconds
    end: float
    text: str
    voice: str | None = None


def read_cues(path: Path) -> list[Cue]:
    """The cues of a WebVTT file, tags removed and entities decoded (stored originals never change, so cached)."""
    return list(_read(str(path)))


@lru_cache(maxsize=512)
def _read(path: str) -> tuple[Cue, ...]:
    try:
        captions = webvtt.read(path).captions
    except (MalformedFileError, UnicodeDecodeError) as exc:
        raise TranscriptError(f"{path}: not readable as WebVTT ({exc})") from exc
    return tuple(Cue(c.start_time.in_milliseconds() / 1000, c.end_time.in_milliseconds() / 1000,
                     " ".join(html.unescape(c.text).split()), c.voice) for c in captions)


# WebVTT timestamps: (hh:)mm:ss.ttt, minutes and seconds below 60.
_TIMESTAMP = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING = re.compile(rf"^{_TIMESTAMP}[ \t]+-->[ \t]+{_TIMESTAMP}(?:[ \t]+.*)?$")
_STARTS_WITH_TIME = re.compile(rf"^\s*{_TIMESTAMP}")
_HEADER = re.compile(r"^\ufeff?WEBVTT(?:[ \t].*)?$")
_NOT_CUES = ("NOTE", "STYLE", "REGION")


def _seconds(hours: str | None, minutes: str, seconds: str, millis: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _clock(value: float) -> str:
    whole = int(value)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}.{round((value - whole) * 1000):03d}"


def _blocks(lines: list[str]) -> Iterator[tuple[int, list[str]]]:
    """(number of its first line, its lines) of each block of non-blank lines."""
    block: list[str] = []
    for number, line in enumerate(lines, 1):
        if line.strip():
            block.append(line)
            continue
        if block:
            yield number - len(block), block
        block = []
    if block:
        yield len(lines) + 1 - len(block), block


def check_webvtt(data: bytes) -> list[Reason]:
    """Everything that keeps ``data`` from being a WebVTT file of cues, each naming its line (webvtt-py, which reads
    the stored files, skips a malformed cue without a word, so the file is checked here line by line first)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [Reason("vtt_line_not_utf8", line=data[:exc.start].count(b"\n") + 1)]
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not _HEADER.match(lines[0]):
        return [Reason("vtt_no_header")]
    problems: list[Reason] = []
    blocks = _blocks(lines)
    next(blocks, None)  # the header block
    cues, previous_start = 0, 0.0
    for first, block in blocks:
        if block[0].split(maxsplit=1)[0] in _NOT_CUES and "-->" not in block[0]:
            continue
        timing_at = 0 if "-->" in block[0] or _STARTS_WITH_TIME.match(block[0]) else 1
        if timing_at >= len(block) or "-->" not in block[timing_at]:
            problems.append(Reason("vtt_no_timing", line=first + min(timing_at, len(block) - 1)))
            continue
        line = first + timing_at
        timing = _TIMING.match(block[timing_at].strip())
        if not timing:
            problems.append(Reason("vtt_bad_timing", line=line))
            continue
        start, end = _seconds(*timing.groups()[:4]), _seconds(*timing.groups()[4:])
        if end <= start:
            problems.append(Reason("vtt_ends_before_start", line=line, start=_clock(start), end=_clock(end)))
        if start < previous_start:
            problems.append(Reason("vtt_out_of_order", line=line, start=_clock(start),
                                   previous=_clock(previous_start)))
        previous_start = max(previous_start, start)
        if len(block) == timing_at + 1:
            problems.append(Reason("vtt_cue_no_text", line=line))
        problems += [Reason("vtt_arrow_in_text", line=line + offset)
                     for offset, text_line in enumerate(block[timing_at + 1:], 1) if "-->" in text_line]
        cues += 1
    if not cues and not problems:
        problems.append(Reason("vtt_no_cues"))
    return problems
