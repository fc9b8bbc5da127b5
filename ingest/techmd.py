"""Technical metadata of media files: Pillow for images (with the EXIF that matters), ffprobe for audio/video."""
from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import ffmpeg
from PIL import ExifTags, Image

from .derivatives import ffprobe

_EXIF_DATE = "%Y:%m:%d %H:%M:%S"


class TechMetadataError(Exception):
    def __init__(self, path: Path | str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason


def image_metadata(path: Path) -> dict:
    """Format, stored pixel size and mode, and from EXIF: orientation, date taken, camera and its serial numbers, GPS
    position (the last two are for staff only: archive.access.visible_techmd).

    ``width``/``height`` are as stored; an ``orientation`` of 5–8 means the image displays rotated a quarter turn.
    EXIF values that are absent or unusable (a camera's "0000:00:00" clock, an empty GPS block) are left out.
    """
    try:
        with Image.open(path) as im:
            meta = {"format": im.format, "width": im.width, "height": im.height, "mode": im.mode}
            return meta | _exif(im.getexif())
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise TechMetadataError(path, f"cannot read image metadata: {exc}") from exc


def _exif(exif: Image.Exif) -> dict:
    details = exif.get_ifd(ExifTags.IFD.Exif)
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    orientation = exif.get(ExifTags.Base.Orientation)
    found = {
        "orientation": orientation if orientation in range(1, 9) else None,
        "date_taken": _exif_date(details.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime),
                                 details.get(ExifTags.Base.OffsetTimeOriginal)),
        "camera_make": _text(exif.get(ExifTags.Base.Make)),
        "camera_model": _text(exif.get(ExifTags.Base.Model)),
        "gps_latitude": _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), "S"),
        "gps_longitude": _degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), "W"),
        "camera_serial": _text(details.get(ExifTags.Base.BodySerialNumber)),
        "lens_serial": _text(details.get(ExifTags.Base.LensSerialNumber)),
    }
    return {k: v for k, v in found.items() if v is not None}


def _text(value) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    return value.strip("\x00 ") or None


def _exif_date(value, offset) -> str | None:
    """EXIF "YYYY:MM:DD HH:MM:SS" (+ its UTC offset, when recorded) as ISO 8601."""
    try:
        taken = datetime.strptime(_text(value) or "", _EXIF_DATE)
    except ValueError:
        return None
    offset = _text(offset)
    return taken.isoformat() + (offset if offset and len(offset) == 6 and offset[0] in "+-" else "")


def _degrees(dms, ref, negative: str) -> float | None:
    """Degrees, minutes, seconds (EXIF rationals) as signed decimal degrees."""
    try:
        degrees, minutes, seconds = (float(v) for v in dms)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    if not math.isfinite(value):
        return None
    return round(-value if _text(ref) == negative else value, 7)


def av_metadata(path: Path) -> dict:
    """Container format, duration (s) and bit rate, and each stream's codec and picture or sound parameters."""
    try:
        info = ffprobe(path)
    except ffmpeg.Error as exc:
        lines = [line for line in (exc.stderr or b"").decode(errors="replace").splitlines() if line.strip()]
        raise TechMetadataError(path, "ffprobe cannot read it: " + ("; ".join(lines[-3:]) or "no reason given")) from exc
    fmt = info.get("format", {})
    streams = [_stream(s) for s in info.get("streams", [])]
    duration = _number(fmt.get("duration"), float) or max((s.get("duration", 0) for s in streams), default=0)
    meta = {"format": fmt.get("format_name"), "format_long_name": fmt.get("format_long_name"),
            "duration": round(duration, 3), "bit_rate": _number(fmt.get("bit_rate"), int),
            "creation_time": fmt.get("tags", {}).get("creation_time"), "streams": streams}
    return {k: v for k, v in meta.items() if v is not None}


def _stream(s: dict) -> dict:
    out = {"index": s.get("index"), "codec_type": s.get("codec_type"), "codec": s.get("codec_name"),
           "profile": s.get("profile"), "duration": _number(s.get("duration"), float),
           "bit_rate": _number(s.get("bit_rate"), int)}
    if s.get("codec_type") == "video":
        out |= {"width": s.get("width"), "height": s.get("height"), "pix_fmt": s.get("pix_fmt"),
                "frame_rate": _rate(s.get("avg_frame_rate")) or _rate(s.get("r_frame_rate")),
                "cover_art": bool(s.get("disposition", {}).get("attached_pic")) or None}
    elif s.get("codec_type") == "audio":
        out |= {"sample_rate": _number(s.get("sample_rate"), int), "channels": s.get("channels"),
                "channel_layout": s.get("channel_layout")}
    return {k: v for k, v in out.items() if v is not None}


def _number(value, kind):
    try:
        return kind(value)
    except (TypeError, ValueError):
        return None


def _rate(value) -> float | None:
    """ffprobe's "30000/1001" as 29.97; "0/0" (unknown) as None."""
    num, _, den = (value or "").partition("/")
    try:
        return round(int(num) / int(den), 3) if int(num) else None
    except (ValueError, ZeroDivisionError):
        return None
