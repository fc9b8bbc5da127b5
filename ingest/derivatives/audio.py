"""MP3 for the web player and waveform peaks (BBC audiowaveform JSON v2), from one ffmpeg run, and a waveform picture
drawn from the peaks (the recording's thumbnail in IIIF viewers and on cards).

ffmpeg decodes the source once and writes two outputs: the MP3 file, and low-rate mono unsigned 8-bit PCM on its
standard output, which is reduced to min/max pairs while it streams in (memory stays small for long recordings).
8-bit PCM is what the 8-bit peaks need (ffmpeg keeps each 16-bit sample's high byte, offset by 128), and bytes are
the fastest thing for Python to take the min and max of.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import IO

import ffmpeg
from PIL import Image, ImageDraw

from . import DerivativeError, run_ffmpeg, write_summary

PEAKS_SAMPLE_RATE = 8000   # Hz of the PCM the peaks are computed from
PIXELS_PER_SECOND = 100    # finest resolution of the peaks...
MAX_POINTS = 2000          # ...coarsened (by whole multiples) so that long recordings stay under this many pairs
MP3_OPTIONS = {"acodec": "libmp3lame", "q:a": 4, "ar": 44100}  # VBR around 165 kb/s
WAVEFORM_SIZE = (800, 200)
WAVEFORM_COLOURS = ("#f4f1ea", "#2c5d63")  # background, wave: the site's paper and teal


def build(src: Path, out_dir: Path) -> dict:
    audio = ffmpeg.input(str(src.resolve()))["a:0"]
    mp3 = audio.output(str(out_dir / "audio.mp3"), **MP3_OPTIONS)
    # flush_packets=0: write the pipe in 32 KiB blocks, not one small write (and reader wake-up) per packet
    pcm = audio.output("pipe:", f="u8", acodec="pcm_u8", ac=1, ar=PEAKS_SAMPLE_RATE, flush_packets=0)
    peaks = run_ffmpeg(src, ffmpeg.merge_outputs(mp3, pcm), _read_peaks)
    if peaks.samples == 0:
        raise DerivativeError(src, "no audio could be decoded")
    waveform = peaks.waveform()
    (out_dir / "peaks.json").write_text(json.dumps(waveform, separators=(",", ":")), encoding="utf-8")
    _draw(waveform["data"], out_dir / "waveform.png")
    return write_summary(out_dir, "audio", {
        "duration": round(peaks.samples / PEAKS_SAMPLE_RATE, 3), "format": "audio/mpeg", "path": "audio.mp3",
        "peaks": "peaks.json", "waveform": "waveform.png", "waveform_width": WAVEFORM_SIZE[0],
        "waveform_height": WAVEFORM_SIZE[1]})


def _draw(data: list[int], path: Path) -> None:
    """The min/max pairs as a picture: one vertical line per column, from the lowest to the highest sample."""
    width, height = WAVEFORM_SIZE
    image = Image.new("RGB", WAVEFORM_SIZE, WAVEFORM_COLOURS[0])
    draw = ImageDraw.Draw(image)
    pairs = len(data) // 2
    middle, scale = height / 2, (height / 2 - 4) / 128
    for x in range(width):
        first, last = x * pairs // width, max(x * pairs // width + 1, (x + 1) * pairs // width)
        low = min(data[2 * i] for i in range(first, min(last, pairs))) if first < pairs else 0
        high = max(data[2 * i + 1] for i in range(first, min(last, pairs))) if first < pairs else 0
        draw.line([(x, middle - high * scale), (x, middle - low * scale)], fill=WAVEFORM_COLOURS[1])
    image.save(path, optimize=True)


class _Peaks:
    """Min/max of each run of ``samples_per_pixel`` samples, as the PCM streams in."""

    def __init__(self, samples_per_pixel: int):
        self.samples_per_pixel = samples_per_pixel
        self.mins: list[int] = []
        self.maxs: list[int] = []
        self.samples = 0

    def feed(self, pcm: bytes) -> None:
        """Take unsigned 8-bit samples, a whole number of pixels' worth unless it is the last of the stream."""
        step = self.samples_per_pixel
        self.mins += [min(pcm[i:i + step]) - 128 for i in range(0, len(pcm), step)]
        self.maxs += [max(pcm[i:i + step]) - 128 for i in range(0, len(pcm), step)]
        self.samples += len(pcm)

    def waveform(self) -> dict:
        factor = max(1, math.ceil(len(self.mins) / MAX_POINTS))
        data = []
        for i in range(0, len(self.mins), factor):
            data += (min(self.mins[i:i + factor]), max(self.maxs[i:i + factor]))
        return {"version": 2, "channels": 1, "sample_rate": PEAKS_SAMPLE_RATE,
                "samples_per_pixel": self.samples_per_pixel * factor, "bits": 8, "length": len(data) // 2,
                "data": data}


def _read_peaks(stdout: IO[bytes]) -> _Peaks:
    peaks = _Peaks(PEAKS_SAMPLE_RATE // PIXELS_PER_SECOND)
    chunk = peaks.samples_per_pixel * PIXELS_PER_SECOND  # a second per read (a buffered read fills it unless at EOF)
    while data := stdout.read(chunk):
        peaks.feed(data)
    return peaks
