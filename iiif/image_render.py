"""Answer an Image API request from the stored pyramid, never from the original.

A request that matches a stored tile or thumbnail is that file. Any other request is rendered from the smallest
pyramid level that still has at least the pixels the output needs (so the level's scale is at most the needed
downscale), decoding only the tiles that cover the region. Renders run a few at a time, so the memory they hold
is bounded: each holds its output (at most maxArea pixels) and the level pixels behind it (less than 4× that).
"""
from __future__ import annotations

import io
import math
import os
import threading
from pathlib import Path

from PIL import Image, ImageOps

from archive.filestore import safe_join

from .image_info import Level, Pyramid
from .image_request import ImageRequest, Resolved

_RENDER_SLOTS = threading.BoundedSemaphore(len(os.sched_getaffinity(0)))
_TRANSPOSE = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}
_ALPHA_FORMATS = ("png", "webp", "gif", "tif")


def stored_file(pyramid: Pyramid, req: ImageRequest, r: Resolved) -> Path | None:
    """The stored tile or thumbnail that is exactly the requested image, if there is one."""
    if not req.plain:
        return None
    if (r.x, r.y, r.w, r.h) == (0, 0, pyramid.width, pyramid.height):
        for width, height, path in pyramid.thumbnails:
            if (width, height) == (r.width, r.height):
                return safe_join(pyramid.directory, path)
    for level in pyramid.levels:
        span = pyramid.tile_size * level.scale
        if r.x % span or r.y % span:
            continue
        column, row = r.x // span, r.y // span
        if (column < level.columns and row < level.rows
                and pyramid.tile_box(level, column, row) == (r.x, r.y, r.w, r.h)
                and pyramid.tile_pixels(level, column, row) == (r.width, r.height)):
            return pyramid.tile_path(level.scale, column, row)
    return None


def render(pyramid: Pyramid, req: ImageRequest, r: Resolved) -> bytes:
    with _RENDER_SLOTS:
        im = _scaled_region(pyramid, r)
        if req.mirror:
            im = ImageOps.mirror(im)
        im = _rotate(im, req)
        im = _apply_quality(im, req)
        return _encode(im, req.format)


def _level_extent(pyramid: Pyramid, level: Level, r: Resolved) -> tuple[float, float, float, float]:
    """The region in the level's pixel coordinates; the image's right and bottom edges are the level's edges."""
    s = level.scale
    x1 = level.width if r.x + r.w == pyramid.width else (r.x + r.w) / s
    y1 = level.height if r.y + r.h == pyramid.height else (r.y + r.h) / s
    return r.x / s, r.y / s, x1, y1


def _choose_level(pyramid: Pyramid, r: Resolved) -> Level:
    chosen = pyramid.levels[0]
    for level in pyramid.levels[1:]:
        x0, y0, x1, y1 = _level_extent(pyramid, level, r)
        if x1 - x0 < r.width - 1e-9 or y1 - y0 < r.height - 1e-9:
            break
        chosen = level
    return chosen


def _scaled_region(pyramid: Pyramid, r: Resolved) -> Image.Image:
    level = _choose_level(pyramid, r)
    fx0, fy0, fx1, fy1 = _level_extent(pyramid, level, r)
    x0, y0 = math.floor(fx0), math.floor(fy0)
    x1, y1 = min(level.width, math.ceil(fx1)), min(level.height, math.ceil(fy1))
    canvas = _stitch(pyramid, level, x0, y0, x1, y1)
    box = (fx0 - x0, fy0 - y0, fx1 - x0, fy1 - y0)
    if box == (0, 0, canvas.width, canvas.height) and canvas.size == (r.width, r.height):
        return canvas
    return canvas.resize((r.width, r.height), Image.Resampling.LANCZOS, box=box)


def _stitch(pyramid: Pyramid, level: Level, x0: int, y0: int, x1: int, y1: int) -> Image.Image:
    """Level pixels [x0, x1) × [y0, y1), pasted together from the tiles that cover them."""
    size = pyramid.tile_size
    canvas = None
    for row in range(y0 // size, (y1 - 1) // size + 1):
        for column in range(x0 // size, (x1 - 1) // size + 1):
            with Image.open(pyramid.tile_path(level.scale, column, row)) as tile:
                tile.load()
                if canvas is None:
                    canvas = Image.new(tile.mode, (x1 - x0, y1 - y0))
                canvas.paste(tile, (column * size - x0, row * size - y0))
    return canvas


def _rotate(im: Image.Image, req: ImageRequest) -> Image.Image:
    if req.rotation == 0:
        return im
    if req.rotation in _TRANSPOSE:
        return im.transpose(_TRANSPOSE[req.rotation])
    if req.format in _ALPHA_FORMATS and req.quality in ("default", "color"):
        return im.convert("RGBA").rotate(-req.rotation, Image.Resampling.BICUBIC, expand=True, fillcolor=(0, 0, 0, 0))
    return im.rotate(-req.rotation, Image.Resampling.BICUBIC, expand=True, fillcolor="white")


def _apply_quality(im: Image.Image, req: ImageRequest) -> Image.Image:
    if req.quality == "gray":
        return im.convert("LA" if im.mode == "RGBA" else "L")
    if req.quality == "bitonal":
        black_white = im.convert("L").point(lambda v: 255 if v >= 128 else 0)
        return black_white if req.format == "jpg" else black_white.convert("1")
    return im


def _encode(im: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "jpg":
        im.save(out, "JPEG", quality=85)
    elif fmt == "png":
        im.save(out, "PNG", compress_level=3)
    elif fmt == "webp":
        im.save(out, "WEBP", quality=80)
    elif fmt == "gif":
        im.save(out, "GIF")
    else:
        im.save(out, "TIFF", compression="tiff_deflate")
    return out.getvalue()
