"""IIIF Image API 3.0 request parameters: parsing, and resolution against an image's size and the server's limits.

Pure functions, no I/O: a bad request is refused here, before any file is opened. Every refusal is an
``ImageRequestError`` naming the parameter at fault (as zimeon/iiif's IIIFError does).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from archive.errors import BadParameter
from archive.params import decimal, whole_number

FORMATS = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif", "tif": "image/tiff"}
QUALITIES = ("default", "color", "gray", "bitonal")

_INT = r"([0-9]+)"  # ASCII digits only; the values are read by archive.params (bounded)
_NUM = r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
MAX_PIXELS = 10**9  # larger than any side or offset of an image this server holds
MAX_PERCENT = 10**6
_PIXELS = re.compile(rf"^{_INT},{_INT},{_INT},{_INT}$")
_PERCENT = re.compile(rf"^pct:{_NUM},{_NUM},{_NUM},{_NUM}$")
_SIZE_WH = re.compile(rf"^(!)?{_INT}?,{_INT}?$")
_SIZE_PCT = re.compile(rf"^pct:{_NUM}$")
_ROTATION = re.compile(rf"^(!)?{_NUM}$")


class ImageRequestError(BadParameter):
    """A request the Image API refuses: ``parameter`` is the one at fault, ``status`` the HTTP status to answer."""

    def __init__(self, parameter: str, text: str, status: int = 400):
        super().__init__(parameter, text)
        self.text = text
        self.status = status


@dataclass(frozen=True)
class Limits:
    """The largest output the server makes (advertised in info.json as maxWidth, maxHeight, maxArea)."""

    max_width: int
    max_height: int
    max_area: int


@dataclass(frozen=True)
class ImageRequest:
    region: tuple            # ("full",) | ("square",) | ("pixels", x, y, w, h) | ("percent", x, y, w, h)
    size: tuple              # ("max",) | ("w", w) | ("h", h) | ("wh", w, h) | ("confined", w, h) | ("pct", n)
    upscale: bool            # the size had the ^ prefix
    rotation: float          # clockwise degrees, 0 <= rotation < 360
    mirror: bool
    quality: str
    format: str

    @property
    def mime(self) -> str:
        return FORMATS[self.format]

    @property
    def plain(self) -> bool:
        """No rotation, mirroring or quality change, as JPEG: what the stored tiles and thumbnails are."""
        return self.rotation == 0 and not self.mirror and self.quality == "default" and self.format == "jpg"


@dataclass(frozen=True)
class Resolved:
    """A request against one image: the region in full-resolution pixels and the output size (before rotation)."""

    x: int
    y: int
    w: int
    h: int
    width: int
    height: int


def parse(region: str, size: str, rotation: str, quality_format: str) -> ImageRequest:
    quality, dot, fmt = quality_format.rpartition(".")
    if not dot:
        raise ImageRequestError("format", f"{_shown(quality_format)} has no format extension (e.g. default.jpg)")
    if quality not in QUALITIES:
        raise ImageRequestError("quality", f"{_shown(quality)} is not one of {', '.join(QUALITIES)}")
    if fmt not in FORMATS:
        raise ImageRequestError("format", f"{_shown(fmt)} is not one of {', '.join(FORMATS)}")
    upscale = size.startswith("^")
    degrees, mirror = _parse_rotation(rotation)
    return ImageRequest(_parse_region(region), _parse_size(size[1:] if upscale else size), upscale, degrees, mirror,
                        quality, fmt)


def _parse_region(region: str) -> tuple:
    if region in ("full", "square"):
        return (region,)
    if m := _PIXELS.match(region):
        x, y, w, h = (whole_number("region", g, maximum=MAX_PIXELS) for g in m.groups())
        kind = "pixels"
    elif m := _PERCENT.match(region):
        x, y, w, h = (decimal("region", g, maximum=MAX_PERCENT) for g in m.groups())
        kind = "percent"
        if x > 100 or y > 100:
            raise ImageRequestError("region", f"{_shown(region)} starts beyond 100%")
    else:
        raise ImageRequestError("region", f"{_shown(region)} is not full, square, x,y,w,h or pct:x,y,w,h")
    if w <= 0 or h <= 0:
        raise ImageRequestError("region", f"{_shown(region)} has a zero width or height")
    return (kind, x, y, w, h)


def _parse_size(size: str) -> tuple:
    if size == "max":
        return ("max",)
    if m := _SIZE_PCT.match(size):
        n = decimal("size", m.group(1), maximum=MAX_PERCENT)
        if n <= 0:
            raise ImageRequestError("size", f"{_shown(size)} is not a positive percentage")
        return ("pct", n)
    if m := _SIZE_WH.match(size):
        confined = m.group(1)
        w, h = (None if g is None else whole_number("size", g, maximum=MAX_PIXELS) for g in m.group(2, 3))
        if w is None and h is None or confined and (w is None or h is None):
            raise ImageRequestError("size", f"{_shown(size)} needs a width, a height or both")
        if w == 0 or h == 0:
            raise ImageRequestError("size", f"{_shown(size)} asks for a zero width or height")
        if confined:
            return ("confined", w, h)
        if w is None:
            return ("h", h)
        return ("w", w) if h is None else ("wh", w, h)
    raise ImageRequestError("size", f"{_shown(size)} is not max, w,, ,h, w,h, !w,h or pct:n (with an optional ^)")


def _parse_rotation(rotation: str) -> tuple[float, bool]:
    m = _ROTATION.match(rotation)
    if not m:
        raise ImageRequestError("rotation", f"{_shown(rotation)} is not a number of degrees from 0 to 360 (optionally !)")
    degrees = decimal("rotation", m.group(2), maximum=10**6)
    if degrees > 360:
        raise ImageRequestError("rotation", f"{_shown(rotation)} is more than 360 degrees")
    return degrees % 360, bool(m.group(1))


def resolve(req: ImageRequest, width: int, height: int, limits: Limits) -> Resolved:
    """The region in pixels and the output size for an image of ``width``×``height``, or ImageRequestError."""
    x, y, w, h = _region_box(req.region, width, height)
    out_w, out_h = _output_size(req, w, h, limits)
    if out_w > limits.max_width or out_h > limits.max_height or out_w * out_h > limits.max_area:
        raise ImageRequestError("size", f"{out_w}×{out_h} is larger than this server makes (maxWidth "
                                        f"{limits.max_width}, maxHeight {limits.max_height}, maxArea {limits.max_area})")
    return Resolved(x, y, w, h, out_w, out_h)


def _region_box(region: tuple, width: int, height: int) -> tuple[int, int, int, int]:
    kind = region[0]
    if kind == "full":
        return 0, 0, width, height
    if kind == "square":
        side = min(width, height)
        return (width - side) // 2, (height - side) // 2, side, side
    _, x, y, w, h = region
    if kind == "percent":
        x0, y0 = round(x * width / 100), round(y * height / 100)
        x1, y1 = round(min(x + w, 100) * width / 100), round(min(y + h, 100) * height / 100)
    else:
        x0, y0, x1, y1 = x, y, min(x + w, width), min(y + h, height)
    if x0 >= width or y0 >= height or x1 <= x0 or y1 <= y0:
        raise ImageRequestError("region", f"{_region_text(region)} lies outside the {width}×{height} image")
    return x0, y0, x1 - x0, y1 - y0


def _region_text(region: tuple) -> str:
    kind, *values = region
    numbers = ",".join(f"{v:g}" for v in values)
    return f"pct:{numbers}" if kind == "percent" else numbers


def max_size(w: int, h: int, limits: Limits, upscale: bool = False) -> tuple[int, int]:
    """The largest output for a w×h region within the limits (never larger than the region unless ``upscale``)."""
    scale = min(limits.max_width / w, limits.max_height / h, math.sqrt(limits.max_area / (w * h)))
    if not upscale:
        scale = min(scale, 1.0)
    if scale == 1.0:
        return w, h
    out_w, out_h = max(1, math.floor(w * scale)), max(1, math.floor(h * scale))
    return out_w, out_h


def _output_size(req: ImageRequest, w: int, h: int, limits: Limits) -> tuple[int, int]:
    kind, *values = req.size
    if kind == "max":
        return max_size(w, h, limits, req.upscale)
    if kind == "pct":
        out = (max(1, round(w * values[0] / 100)), max(1, round(h * values[0] / 100)))
    elif kind == "w":
        out = (values[0], max(1, round(h * values[0] / w)))
    elif kind == "h":
        out = (max(1, round(w * values[0] / h)), values[0])
    elif kind == "wh":
        out = (values[0], values[1])
    else:  # confined: as large as fits in the box, keeping the aspect ratio
        scale = min(values[0] / w, values[1] / h)
        out = (max(1, min(values[0], round(w * scale))), max(1, min(values[1], round(h * scale))))
    if not req.upscale and (out[0] > w or out[1] > h):
        raise ImageRequestError("size", f"{out[0]}×{out[1]} is larger than the {w}×{h} region; prefix the size "
                                        f"with ^ to upscale")
    return out


def canonical(req: ImageRequest, r: Resolved, width: int, height: int, limits: Limits) -> str:
    """The canonical region/size/rotation/quality.format of a resolved request (Image API 3.0 §4.7)."""
    region = "full" if (r.x, r.y, r.w, r.h) == (0, 0, width, height) else f"{r.x},{r.y},{r.w},{r.h}"
    size = "max" if (r.width, r.height) == max_size(r.w, r.h, limits) else f"{r.width},{r.height}"
    if r.width > r.w or r.height > r.h:
        size = "^" + size
    rotation = ("!" if req.mirror else "") + f"{req.rotation:g}"
    return f"{region}/{size}/{rotation}/{req.quality}.{req.format}"


def _shown(text: str) -> str:
    """A path segment as an error message quotes it: short."""
    return repr(text if len(text) <= 60 else text[:60] + "…")
