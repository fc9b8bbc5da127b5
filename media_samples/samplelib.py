"""Shared helpers for the sample-media generators: fonts, place coordinates, EXIF, drawing primitives.

Everything here is deterministic: no clocks, no unseeded randomness, so the generators rebuild byte-identical files
with the same Pillow/ffmpeg/espeak-ng versions.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont
from PIL.ExifTags import GPS, IFD, Base

HERE = Path(__file__).resolve().parent
PLACES_JSON = HERE.parent / "archive" / "vocabularies" / "places.json"
SOFTWARE = "heritage sample generator"

_NOTO = Path("/usr/share/fonts/truetype/noto")
_CJK = Path("/usr/share/fonts/opentype/noto")
FONTS = {
    "sans": (_NOTO / "NotoSans-Regular.ttf", 0),
    "sans-bold": (_NOTO / "NotoSans-Bold.ttf", 0),
    "serif-bold": (_NOTO / "NotoSerif-Bold.ttf", 0),
    "khmer": (_NOTO / "NotoSansKhmer-Regular.ttf", 0),
    "khmer-serif": (_NOTO / "NotoSerifKhmer-Bold.ttf", 0),
    "khmer-muol": (Path("/usr/share/fonts/truetype/khmeros/KhmerOSmuollight.ttf"), 0),
    "cham": (_NOTO / "NotoSansCham-Regular.ttf", 0),
    "cham-bold": (_NOTO / "NotoSansCham-Bold.ttf", 0),
    "cjk-serif": (_CJK / "NotoSerifCJK-Bold.ttc", 3),  # index 3 = Traditional Chinese (TC)
    "cjk-sans": (_CJK / "NotoSansCJK-Regular.ttc", 3),
}

class SampleError(RuntimeError):
    """A generator step failed; the message names the file or tool and the reason."""


def check_raqm() -> None:
    from PIL import features

    if not features.check("raqm"):
        raise SampleError("Pillow has no raqm layout engine: Khmer and Cham text would not shape correctly "
                          "(install the Debian package libraqm0)")


@lru_cache(maxsize=None)
def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    path, index = FONTS[name]
    if not path.is_file():
        raise SampleError(f"font {name!r} not found at {path} (install fonts-noto-core, fonts-noto-cjk, fonts-khmeros)")
    return ImageFont.truetype(str(path), size, index=index, layout_engine=ImageFont.Layout.RAQM)


@lru_cache(maxsize=1)
def _places_vocabulary() -> dict:
    terms = json.loads(PLACES_JSON.read_text("utf-8"))["terms"]
    return {t["id"]: (t["coordinates"]["lat"], t["coordinates"]["lon"]) for t in terms if t.get("coordinates")}


def coordinates(place: str) -> tuple[float, float]:
    """(lat, lon) of a place term, from the archive's place vocabulary."""
    try:
        return _places_vocabulary()[place]
    except KeyError:
        raise SampleError(f"{PLACES_JSON}: no coordinates for place {place!r}") from None


def dms(value: float) -> tuple[int, int, float]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 2)
    return degrees, minutes, seconds


def dms_label(lat: float, lon: float) -> str:
    (a, b, c), (d, e, f) = dms(lat), dms(lon)
    return f"{a}°{b:02d}′{c:04.1f}″{'N' if lat >= 0 else 'S'}  {d}°{e:02d}′{f:04.1f}″{'E' if lon >= 0 else 'W'}"


def make_exif(description: str, taken: str, *, place: str | None = None, orientation: int | None = None) -> Image.Exif:
    """EXIF for a generated illustration. ``taken`` is 'YYYY:MM:DD HH:MM:SS'; ``place`` adds the place's GPS."""
    if not description.isascii():
        raise SampleError(f"EXIF ImageDescription must be ASCII: {description!r}")
    exif = Image.Exif()
    exif[Base.ImageDescription] = description
    exif[Base.Software] = SOFTWARE
    exif[Base.Artist] = "Heritage Archive Project (Du an Luu tru Di san)"
    exif[Base.Copyright] = "CC BY 4.0, Heritage Archive Project"
    exif[Base.DateTime] = taken
    if orientation is not None:
        exif[Base.Orientation] = orientation
    exif.get_ifd(IFD.Exif)[Base.DateTimeOriginal] = taken
    if place is not None:
        lat, lon = coordinates(place)
        gps = exif.get_ifd(IFD.GPSInfo)
        gps[GPS.GPSVersionID] = b"\x02\x03\x00\x00"
        gps[GPS.GPSLatitudeRef] = "N" if lat >= 0 else "S"
        gps[GPS.GPSLatitude] = tuple(float(v) for v in dms(lat))
        gps[GPS.GPSLongitudeRef] = "E" if lon >= 0 else "W"
        gps[GPS.GPSLongitude] = tuple(float(v) for v in dms(lon))
        gps[GPS.GPSMapDatum] = "WGS-84"
    return exif


# --- drawing --------------------------------------------------------------------------------------------------

def vertical_gradient(size: tuple[int, int], top: tuple, bottom: tuple, steps: int | None = None) -> Image.Image:
    """A top→bottom colour gradient; ``steps`` quantises it into flat bands (for small PNGs)."""
    w, h = size
    ramp = Image.linear_gradient("L").resize((1, h))
    if steps:
        ramp = ramp.point(lambda v: int(v * steps / 256) * 255 // max(steps - 1, 1))
    mask = ramp.resize((w, h))
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def glow(base: Image.Image, shapes, radius: float) -> Image.Image:
    """Add a blurred light layer: ``shapes(draw, scale)`` paints light on black; the blur is screened onto ``base``."""
    small = 4  # blur a quarter-size layer: same look, 16× less work
    layer = Image.new("RGB", (base.width // small, base.height // small), "black")
    shapes(ImageDraw.Draw(layer), 1 / small)
    layer = layer.filter(ImageFilter.GaussianBlur(radius / small)).resize(base.size, Image.BILINEAR)
    return ImageChops.screen(base, layer)


def quad_curve(p0, p1, p2, n: int = 40) -> list[tuple[float, float]]:
    """Points on a quadratic Bézier curve from p0 to p2 pulled towards p1."""
    pts = []
    for i in range(n + 1):
        t = i / n
        x = (1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * p1[0] + t ** 2 * p2[0]
        y = (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * p1[1] + t ** 2 * p2[1]
        pts.append((x, y))
    return pts


def star(cx: float, cy: float, r_out: float, r_in: float, points: int = 5, rotation: float = -90) -> list:
    pts = []
    for i in range(points * 2):
        r = r_out if i % 2 == 0 else r_in
        a = math.radians(rotation + i * 180 / points)
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return pts


def text_center(draw: ImageDraw.ImageDraw, xy, text: str, fnt, fill, **kwargs) -> None:
    draw.text(xy, text, font=fnt, fill=fill, anchor="mm", **kwargs)


def text_runs(draw: ImageDraw.ImageDraw, xy, runs: list[tuple[str, ImageFont.FreeTypeFont]], fill) -> None:
    """Centre a line mixing scripts, each run in its own font, on a shared baseline at y."""
    widths = [fnt.getlength(text) for text, fnt in runs]
    x = xy[0] - sum(widths) / 2
    for (text, fnt), width in zip(runs, widths):
        draw.text((x, xy[1]), text, font=fnt, fill=fill, anchor="ls")
        x += width


def cjk_runs(text: str, size: int) -> list[tuple[str, ImageFont.FreeTypeFont]]:
    """Split a line into runs: Chinese characters in Noto Sans CJK TC, everything else in Noto Sans."""
    runs: list[tuple[str, ImageFont.FreeTypeFont]] = []
    for ch in text:
        name = "cjk-sans" if ord(ch) >= 0x2E80 else "sans"
        if runs and runs[-1][1] is font(name, size):
            runs[-1] = (runs[-1][0] + ch, runs[-1][1])
        else:
            runs.append((ch, font(name, size)))
    return runs


def supersampled(size: tuple[int, int], paint, factor: int = 2) -> tuple[Image.Image, Image.Image]:
    """Paint at ``factor``× the size and return (full-size render, smooth downscaled image)."""
    big = paint(size[0] * factor, size[1] * factor)
    return big, big.resize(size, Image.LANCZOS)


def save_jpeg(image: Image.Image, path: Path, exif: Image.Exif | None = None, quality: int = 84) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    kwargs = {"exif": exif} if exif is not None else {}
    image.convert("RGB").save(path, "JPEG", quality=quality, optimize=True, **kwargs)


def save_png(image: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "PNG", optimize=True)
