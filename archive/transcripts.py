"""Transcripts: the cues of a stored WebVTT caption file, as plain text with their times."""
from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import webvtt
from webvtt.errors import MalformedFileError


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
