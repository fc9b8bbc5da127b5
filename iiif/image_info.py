"""The stored tile pyramid of an image (contracts.md, "Stored files") and the info.json that describes it."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from .image_request import Limits

IMAGE_CONTEXT = "http://iiif.io/api/image/3/context.json"
PROFILE = "level2"
PROFILE_URI = "http://iiif.io/api/image/3/level2.json"
# Output limits: one request holds at most the output plus the pyramid-level pixels behind it (< 4× the output).
LIMITS = Limits(max_width=8192, max_height=8192, max_area=8_388_608)
EXTRA_QUALITIES = ["color", "gray", "bitonal"]
EXTRA_FORMATS = ["png", "webp", "gif", "tif"]
EXTRA_FEATURES = ["canonicalLinkHeader", "mirroring", "profileLinkHeader", "rotationArbitrary", "sizeUpscaling"]


@dataclass(frozen=True)
class Level:
    scale: int
    width: int
    height: int
    columns: int
    rows: int


@dataclass(frozen=True)
class Pyramid:
    """One image's derivative directory and its summary (image.json, also kept in MediaFile.derivatives)."""

    directory: Path
    width: int
    height: int
    tile_size: int
    levels: tuple[Level, ...]
    thumbnails: tuple[tuple[int, int, str], ...]  # (width, height, relative path)

    @classmethod
    def from_summary(cls, directory: Path, summary: dict) -> "Pyramid":
        return cls(directory, summary["width"], summary["height"], summary["tile_size"],
                   tuple(Level(**{k: lv[k] for k in ("scale", "width", "height", "columns", "rows")})
                         for lv in summary["levels"]),
                   tuple((t["width"], t["height"], t["path"]) for t in summary.get("thumbnails", [])))

    def tile_path(self, scale: int, column: int, row: int) -> Path:
        return self.directory / "tiles" / str(scale) / f"{column}_{row}.jpg"

    def tile_box(self, level: Level, column: int, row: int) -> tuple[int, int, int, int]:
        """The full-resolution region (x, y, w, h) that a stored tile covers."""
        span = self.tile_size * level.scale
        x, y = column * span, row * span
        return x, y, min(span, self.width - x), min(span, self.height - y)

    def tile_pixels(self, level: Level, column: int, row: int) -> tuple[int, int]:
        _, _, w, h = self.tile_box(level, column, row)
        return math.ceil(w / level.scale), math.ceil(h / level.scale)

    def sizes(self, limits: Limits) -> list[dict]:
        """Whole-image sizes that are cheap to serve: the thumbnails and the pyramid levels, within the limits."""
        found = {(t[0], t[1]) for t in self.thumbnails} | {(lv.width, lv.height) for lv in self.levels}
        fits = [(w, h) for w, h in found
                if w <= limits.max_width and h <= limits.max_height and w * h <= limits.max_area]
        return [{"width": w, "height": h} for w, h in sorted(fits)]


def whole_sizes(summary: dict) -> list[tuple[int, int]]:
    """The sizes at which an image's derivatives show it whole: its thumbnails and its smallest pyramid level."""
    smallest = summary["levels"][-1]
    return [(t["width"], t["height"]) for t in summary["thumbnails"]] + [(smallest["width"], smallest["height"])]


def limits_for(summary: dict, allows_download: bool) -> Limits:
    """The server's limits; for an image whose licence keeps its original from download, no larger than the largest
    of its derivatives that show it whole (what the site itself shows), so /full/max/ cannot rebuild the original."""
    if allows_download:
        return LIMITS
    width, height = max(whole_sizes(summary), key=lambda size: size[0] * size[1])
    return Limits(min(width, LIMITS.max_width), min(height, LIMITS.max_height), min(width * height, LIMITS.max_area))


def info_json(service_id: str, pyramid: Pyramid, limits: Limits = LIMITS) -> dict:
    return {
        "@context": IMAGE_CONTEXT,
        "id": service_id,
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": PROFILE,
        "width": pyramid.width,
        "height": pyramid.height,
        "maxWidth": limits.max_width,
        "maxHeight": limits.max_height,
        "maxArea": limits.max_area,
        "sizes": pyramid.sizes(limits),
        "tiles": [{"width": pyramid.tile_size, "scaleFactors": [lv.scale for lv in pyramid.levels]}],
        "extraQualities": EXTRA_QUALITIES,
        "extraFormats": EXTRA_FORMATS,
        "extraFeatures": EXTRA_FEATURES,
    }
