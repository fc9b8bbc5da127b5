"""Narration tracks from espeak-ng, with WebVTT captions timed to where the speech really is."""
from __future__ import annotations

import math
import subprocess
import tempfile
import unicodedata
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path

from samplelib import SampleError

RATE = 22050  # espeak-ng's native rate


@dataclass(frozen=True)
class Segment:
    voice: str            # espeak-ng voice: vi, en-gb, yue…
    speech: str           # what the synthesiser reads
    captions: dict        # language tag → caption text shown while it is spoken


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    captions: dict


def speak(voice: str, text: str, speed: int = 150) -> array:
    """16-bit mono samples of espeak-ng reading ``text``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "speech.wav"
        proc = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(out), text],
                              capture_output=True, text=True)
        if proc.returncode != 0 or not out.is_file():
            raise SampleError(f"espeak-ng -v {voice} failed on {text!r}: {proc.stderr.strip()}")
        with wave.open(str(out)) as wav:
            if wav.getframerate() != RATE or wav.getnchannels() != 1 or wav.getsampwidth() != 2:
                raise SampleError(f"espeak-ng -v {voice} produced an unexpected WAV format")
            return array("h", wav.readframes(wav.getnframes()))


def _trim(samples: array, threshold: int = 200) -> array:
    """Drop the silence espeak-ng leaves before and after the speech."""
    loud = [i for i, v in enumerate(samples) if abs(v) > threshold]
    return samples[loud[0]:loud[-1] + 1] if loud else array("h")


def narration(segments: list[Segment], *, lead: float = 0.6, gap: float = 0.7, total: float | None = None,
              speed: int = 150) -> tuple[array, list[Cue]]:
    """Concatenate the spoken segments with pauses; returns the samples and one cue per segment.

    ``total`` pads the track with silence to that length (it must be long enough).
    """
    track = array("h", bytes(2 * int(lead * RATE)))
    cues = []
    for seg in segments:
        speech = _trim(speak(seg.voice, seg.speech, speed))
        start = len(track) / RATE
        track.extend(speech)
        cues.append(Cue(start, len(track) / RATE, seg.captions))
        track.extend(bytes(2 * int(gap * RATE)))
    if total is not None:
        if len(track) > total * RATE:
            raise SampleError(f"narration lasts {len(track) / RATE:.1f} s, longer than the {total} s wanted")
        track.extend(bytes(2 * (int(total * RATE) - len(track))))
    return track, cues


def mix_drum(track: array, bpm: float = 132, level: float = 0.18) -> array:
    """Mix a soft synthesised drum beat (decaying low sine) under the narration, as for a rowing rhythm."""
    out = array("h", track)
    period = int(RATE * 60 / bpm)
    hit = [level * 32767 * math.exp(-i / (RATE * 0.06)) * math.sin(2 * math.pi * 70 * i / RATE)
           for i in range(int(RATE * 0.25))]
    for start in range(0, len(out), period):
        for i, v in enumerate(hit[: len(out) - start]):
            out[start + i] = max(-32768, min(32767, int(out[start + i] + v)))
    return out


def write_wav(path: Path, samples: array) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(samples.tobytes())


def _stamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def write_vtt(path: Path, cues: list[Cue], lang: str, note: str) -> None:
    """A WebVTT caption file in ``lang``; cues without text in that language are skipped."""
    merged: list[list] = []  # [start, end, text]; one cue when consecutive segments share a caption
    for cue in cues:
        text = unicodedata.normalize("NFC", cue.captions.get(lang, ""))
        if merged and merged[-1][2] == text:
            merged[-1][1] = cue.end
        elif text:
            merged.append([cue.start, cue.end, text])
    if not merged:
        raise SampleError(f"{path}: no caption text in {lang!r}")
    lines = ["WEBVTT", "", f"NOTE {note}", ""]
    for number, (start, end, text) in enumerate(merged, start=1):
        lines += [str(number), f"{_stamp(start)} --> {_stamp(end)}", text, ""]
    path.write_text("\n".join(lines), encoding="utf-8")
