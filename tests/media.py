"""Real media files made on the fly for tests: Pillow images, ffmpeg audio and video."""
from __future__ import annotations

import random
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw


def make_jpeg(path: Path, size=(640, 480), seed: int = 0, **save) -> Path:
    rnd = random.Random(seed)
    im = Image.new("RGB", size, tuple(rnd.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(im)
    for _ in range(30):
        x, y = rnd.randrange(size[0]), rnd.randrange(size[1])
        draw.ellipse((x, y, x + rnd.randrange(10, 200), y + rnd.randrange(10, 200)),
                     fill=tuple(rnd.randrange(256) for _ in range(3)))
    path.parent.mkdir(parents=True, exist_ok=True)
    im.save(path, "JPEG", quality=85, **save)
    return path


def make_png(path: Path, size=(320, 240), seed: int = 0) -> Path:
    make_jpeg(path.with_suffix(".tmp.jpg"), size, seed)
    with Image.open(path.with_suffix(".tmp.jpg")) as im:
        im.save(path, "PNG")
    path.with_suffix(".tmp.jpg").unlink()
    return path


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def make_wav(path: Path, seconds: float = 2.0, freq: int = 440) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    _ffmpeg("-f", "lavfi", "-i", f"sine=frequency={freq}:duration={seconds}", "-ar", "22050", str(path))
    return path


def make_mp4(path: Path, seconds: float = 2.0, size: str = "320x240", seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    _ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency={300 + seed * 50}:duration={seconds}",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path))
    return path


def truncate(src: Path, dest: Path, keep: float = 0.5) -> Path:
    data = src.read_bytes()
    dest.write_bytes(data[: int(len(data) * keep)])
    return dest


def corrupt(src: Path, dest: Path, offset: int = 0, length: int = 64) -> Path:
    """Overwrite ``length`` bytes at ``offset`` (the header, by default) with garbage."""
    data = bytearray(src.read_bytes())
    data[offset:offset + length] = bytes((i * 37 + 11) % 256 for i in range(length))
    dest.write_bytes(bytes(data))
    return dest
