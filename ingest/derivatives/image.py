"""Deep-zoom tile pyramid and thumbnails of an image, with Pillow.

The original is decoded once. Level 1 is the oriented full-resolution image; each further level halves the one
before (``Image.reduce(2)``, so level k is ceil(W/2^(k-1)) wide), down to the first level that fits one tile.
Thumbnails are resized from the smallest level at least as wide as they are. Tiles and thumbnails are cut and
JPEG-encoded on a thread pool (Pillow releases the GIL while encoding) while the next level is being reduced.
"""
from __future__ import annotations

import io
import math
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PIL import Image, ImageCms, ImageOps

from . import DerivativeError, write_summary

_SIXTEEN_BIT = ("I", "I;16", "I;16L", "I;16B", "I;16N")


def build(src: Path, out_dir: Path, *, tile_size: int = 512, thumb_widths=(200, 400, 800, 1600), quality: int = 85,
          max_pixels: int, threads: int | None = None) -> dict:
    full, icc = _decode(src, max_pixels)
    width, height = full.size
    options = {"quality": quality, **({"icc_profile": icc} if icc else {})}
    pending_thumbs = sorted((w for w in set(thumb_widths) if w < width), reverse=True)
    levels, thumbs, jobs = [], [], []
    with ThreadPoolExecutor(threads or len(os.sched_getaffinity(0))) as pool:
        level, scale = full, 1
        del full
        while True:
            w, h = level.size
            columns, rows = math.ceil(w / tile_size), math.ceil(h / tile_size)
            levels.append({"scale": scale, "width": w, "height": h, "columns": columns, "rows": rows})
            jobs += _submit_tiles(pool, level, out_dir / "tiles" / str(scale), tile_size, columns, rows, options)
            last = columns == 1 and rows == 1
            next_width = 0 if last else math.ceil(w / 2)
            while pending_thumbs and pending_thumbs[0] > next_width:
                thumb = _thumb_size(pending_thumbs.pop(0), width, height)
                thumbs.append({"width": thumb[0], "height": thumb[1], "path": f"thumbs/{thumb[0]}.jpg"})
                jobs.append(pool.submit(_save_thumb, level, thumb, out_dir / thumbs[-1]["path"], options))
            if last:
                break
            level, scale = level.reduce(2), scale * 2
        for job in jobs:
            job.result()
    return write_summary(out_dir, "image", {
        "width": width, "height": height, "tile_size": tile_size, "format": "jpg", "levels": levels,
        "thumbnails": sorted(thumbs, key=lambda t: t["width"])})


def _decode(src: Path, max_pixels: int) -> tuple[Image.Image, bytes | None]:
    """The oriented, JPEG-encodable (RGB or L) full-resolution image and the ICC profile that applies to it.

    The pixel count is checked from the header, before anything is decoded.
    """
    try:
        with Image.open(src) as im:
            pixels = im.width * im.height
            if pixels > max_pixels:
                raise DerivativeError(src, f"image is {im.width}×{im.height} = {pixels:,} pixels, over the limit "
                                           f"of {max_pixels:,}")
            im.load()
            ImageOps.exif_transpose(im, in_place=True)
            return _jpeg_ready(im)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, ImageCms.PyCMSError) as exc:
        raise DerivativeError(src, f"image does not decode: {exc}") from exc


def _jpeg_ready(im: Image.Image) -> tuple[Image.Image, bytes | None]:
    icc = im.info.get("icc_profile") or None
    if im.mode in ("RGB", "L"):
        return im, icc
    if im.mode == "CMYK":  # the embedded profile is a CMYK one: convert through it to sRGB, or naively
        if icc:
            srgb = ImageCms.createProfile("sRGB")
            return ImageCms.profileToProfile(im, io.BytesIO(icc), srgb, outputMode="RGB"), None
        return im.convert("RGB"), None
    if im.mode in _SIXTEEN_BIT:  # Pillow's own conversion to L clips at 255 instead of scaling
        return im.convert("I").point(lambda v: v / 256).convert("L"), icc
    if im.mode == "1":
        return im.convert("L"), icc
    if im.has_transparency_data:  # flatten onto white, as a page would show it
        rgba = im.convert("RGBA")
        flat = Image.new("RGB", im.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat, icc
    return im.convert("RGB"), icc


def _submit_tiles(pool: ThreadPoolExecutor, level: Image.Image, folder: Path, size: int, columns: int, rows: int,
                  options: dict) -> list[Future]:
    folder.mkdir(parents=True)
    w, h = level.size
    return [pool.submit(_save_tile, level, (x, y, min(x + size, w), min(y + size, h)), folder / f"{c}_{r}.jpg",
                        options)
            for r, y in enumerate(range(0, h, size)) for c, x in enumerate(range(0, w, size))]


def _save_tile(level: Image.Image, box: tuple[int, int, int, int], path: Path, options: dict) -> None:
    level.crop(box).save(path, "JPEG", **options)


def _thumb_size(width: int, full_width: int, full_height: int) -> tuple[int, int]:
    return width, max(1, round(full_height * width / full_width))


def _save_thumb(level: Image.Image, size: tuple[int, int], path: Path, options: dict) -> None:
    path.parent.mkdir(exist_ok=True)
    level.resize(size, Image.Resampling.LANCZOS).save(path, "JPEG", **options)
