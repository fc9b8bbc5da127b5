"""Slow pan-and-zoom videos over a rendered illustration, encoded by ffmpeg from frames piped in by Pillow."""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from PIL import Image

from samplelib import SampleError
from sound import write_wav

# Keeps ffmpeg from writing its version into the file, so re-running gives the same bytes.
BITEXACT = ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1"]


def _ease(t: float) -> float:
    return t * t * (3 - 2 * t)


def pan_video(source: Image.Image, out: Path, *, size: tuple[int, int], seconds: float, fps: int,
              start: tuple[float, float, float, float], end: tuple[float, float, float, float],
              narration, codec: list[str]) -> None:
    """Move a crop box from ``start`` to ``end`` (fractions of the source: x0, y0, x1, y1) over ``seconds``.

    ``narration`` is the audio track (16-bit mono samples); ``codec`` the ffmpeg output options.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    frames = int(seconds * fps)
    with tempfile.TemporaryDirectory() as tmp:
        audio = Path(tmp) / "narration.wav"
        write_wav(audio, narration)
        cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
               "-s", f"{size[0]}x{size[1]}", "-r", str(fps), "-i", "-", "-i", str(audio),
               "-map", "0:v", "-map", "1:a", "-t", f"{seconds}", *codec, *BITEXACT, str(out)]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            for i in range(frames):
                t = _ease(i / max(frames - 1, 1))
                frac = [a + (b - a) * t for a, b in zip(start, end)]
                crop = (frac[0] * source.width, frac[1] * source.height, frac[2] * source.width,
                        frac[3] * source.height)
                proc.stdin.write(source.resize(size, Image.BICUBIC, box=crop).tobytes())
            proc.stdin.close()
        except BrokenPipeError:
            pass  # ffmpeg stopped early; its error message is reported below
        err = proc.stderr.read().decode("utf-8", "replace")
        if proc.wait() != 0:
            raise SampleError(f"ffmpeg failed writing {out}: {err.strip()}")
