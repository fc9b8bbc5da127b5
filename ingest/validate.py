"""Check that a media file decodes and is within the archive's limits, before anything is stored."""
from __future__ import annotations

import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from archive.processes import child_of_this_process
from archive.reasons import Reason, Refused

from .identify import Identity
from .techmd import TechMetadataError, av_metadata, image_metadata


class Rejected(Refused):
    """The file decodes badly or is over a limit."""


@dataclass(frozen=True)
class Limits:
    max_image_pixels: int
    max_pixels_per_byte: int
    max_file_bytes: int
    max_duration_seconds: int

    @classmethod
    def from_settings(cls, settings) -> "Limits":
        return cls(settings.max_image_pixels, settings.max_pixels_per_byte, settings.max_file_bytes,
                   settings.max_duration_seconds)


def _check_image(path: Path, size: int, limits: Limits) -> dict:
    # Pillow's own bomb guard stays on as a backstop for every later decode; the header read below is checked by
    # the archive's rules instead, which give the clearer reason.
    Image.MAX_IMAGE_PIXELS = limits.max_image_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            Image.MAX_IMAGE_PIXELS = None
            im = Image.open(path)
            Image.MAX_IMAGE_PIXELS = limits.max_image_pixels
        with im:
            width, height = im.size
            pixels = width * height
            if pixels > size * limits.max_pixels_per_byte:
                raise Rejected(Reason("bomb", width=width, height=height, size=size))
            if pixels > limits.max_image_pixels:
                raise Rejected(Reason("too_many_pixels", width=width, height=height, pixels=pixels,
                                      limit=limits.max_image_pixels))
            im.verify()
    except (OSError, SyntaxError, ValueError) as exc:  # Pillow's ways of saying "not a valid image"
        raise Rejected(Reason("image_undecodable", detail=str(exc))) from exc
    finally:
        Image.MAX_IMAGE_PIXELS = limits.max_image_pixels
    try:
        return image_metadata(path)
    except TechMetadataError as exc:
        raise Rejected(Reason("metadata_unreadable", detail=exc.reason)) from exc


def _strict_decode(path: Path, stream: str) -> None:
    """Decode every frame; ffmpeg's error output (e.g. a truncated file) makes the file fail."""
    proc = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-xerror", "-i", str(path), "-map", f"0:{stream}:0", "-f", "null", "-"],
        capture_output=True, text=True, errors="replace", preexec_fn=child_of_this_process())
    errors = [line for line in proc.stderr.splitlines() if line.strip()]
    if proc.returncode != 0 or errors:
        raise Rejected(Reason("not_clean", detail="; ".join(errors[-3:]) or f"ffmpeg exit {proc.returncode}"))


def _check_av(path: Path, kind: str, limits: Limits) -> dict:
    try:
        techmd = av_metadata(path)
    except TechMetadataError as exc:
        raise Rejected(Reason("metadata_unreadable", detail=exc.reason)) from exc
    codec_type = "audio" if kind == "audio" else "video"
    if not any(s.get("codec_type") == codec_type for s in techmd.get("streams", [])):
        raise Rejected(Reason(f"no_{codec_type}_stream"))
    duration = techmd.get("duration") or 0
    if duration <= 0:
        raise Rejected(Reason("no_duration"))
    if duration > limits.max_duration_seconds:
        raise Rejected(Reason("too_long", duration=round(duration), limit=limits.max_duration_seconds))
    _strict_decode(path, "a" if kind == "audio" else "v")
    return techmd


def _check_caption(path: Path) -> dict:
    try:
        text = path.read_text("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Rejected(Reason("vtt_not_utf8", detail=str(exc))) from exc
    cues = text.count("-->")
    if cues == 0:
        raise Rejected(Reason("vtt_no_cues"))
    return {"format": "WebVTT", "cues": cues}


def check(path: Path, identity: Identity, limits: Limits) -> dict:
    """Validate ``path``; returns its technical metadata or raises Rejected."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise Rejected(Reason("too_large", size=size, limit=limits.max_file_bytes))
    if identity.kind == "image":
        return _check_image(path, size, limits)
    if identity.kind in ("audio", "video"):
        return _check_av(path, identity.kind, limits)
    return _check_caption(path)
