"""Benchmark of the IIIF Image API against references measured in the same run.

    python -m tests.bench.bench_iiif [--seconds 5] [--connections 8] [--regions 40]

Generates a 24-megapixel JPEG (6000×4000, noisy test pattern) and ingests it (tile pyramid and thumbnails), then:
(a) tile requests per second through the app alone (``heritage serve``: gunicorn, a process per core) and through
    the production stack (tests/production_stack.py: nginx with the site of ``heritage nginx-config`` in front of
    ``heritage serve``, a process per core; every tile asked of the app once, then answered from nginx's cache of public
    tiles), against nginx serving the same tile files as static files, all loaded by ``wrk`` cycling through every
    tile of every level with several concurrent connections; printed as the ratios to nginx;
(b) the median time of random region requests scaled to 1000 pixels wide (regions 1000 to 4000 pixels wide, 3:2,
    anywhere in the image; ``x,y,w,h/1000,/0/default.jpg``) through the app over HTTP, against pyvips in this
    process doing the same crop and resize from the original JPEG (sequential decode, which is vips' fastest);
    printed as the ratio app / pyvips (target ≤ 1.0).
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import os
import random
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import pyvips
import requests

from archive.context import Archive
from archive.settings import load_settings
from ingest.pipeline import Ingest
from tests.bench.nginx import start_nginx
from tests.bench.wrk import wrk
from tests.live_server import live_subprocess
from tests.production_stack import production_stack

WIDTH, HEIGHT = 6000, 4000
def make_image(path: Path) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=size={WIDTH}x{HEIGHT}:rate=1,noise=alls=25:allf=t", "-frames:v", "1", "-q:v", "3",
                    str(path)], check=True)


def ingest(root: Path) -> tuple[Path, str, dict, Path]:
    media = root / "media"
    media.mkdir()
    image = media / "panel.jpg"
    make_image(image)
    with open(media / "metadata.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "type", "title_vi", "title_en", "community", "rights", "access"])
        writer.writerow([image.name, "image", "Bảng đèn", "Lantern panel", "hoa",
                         "http://creativecommons.org/licenses/by/4.0/", "public"])
    data_dir = root / "var"
    archive = Archive(load_settings(environ={}, data_dir=str(data_dir)))
    start = time.perf_counter()
    summary = Ingest(archive, progress=False).run([media], media / "metadata.csv")
    if summary.rejected:
        raise SystemExit(f"ingest failed: {summary.lines()}")
    print(f"ingested {WIDTH}×{HEIGHT} JPEG (pyramid + thumbnails) in {time.perf_counter() - start:.1f} s")
    sha = hashlib.sha256(image.read_bytes()).hexdigest()
    derivatives = archive.store.derivative_dir(sha)
    archive.catalog.dispose()
    return data_dir, sha, json.loads((derivatives / "image.json").read_text()), image


def tile_paths(sha: str, pyramid: dict) -> tuple[list[str], list[str]]:
    """The same tiles as IIIF requests (as OpenSeadragon makes them) and as static file paths."""
    iiif, static = [], []
    for level in pyramid["levels"]:
        s, span = level["scale"], 512 * level["scale"]
        for row in range(level["rows"]):
            for column in range(level["columns"]):
                x, y = column * span, row * span
                w, h = min(span, pyramid["width"] - x), min(span, pyramid["height"] - y)
                iiif.append(f"/iiif/3/image/{sha}/{x},{y},{w},{h}/{math.ceil(w / s)},{math.ceil(h / s)}/0/default.jpg")
                static.append(f"/tiles/{s}/{column}_{row}.jpg")
    return iiif, static


def rate(url: str, paths: list[str], root: Path, name: str, seconds: int, connections: int) -> float:
    run = wrk(url, paths, root, name, seconds, connections)
    if run.errors:
        raise SystemExit(f"{name}: {run.errors} requests failed")
    return run.rate


def random_regions(count: int, seed: int = 1) -> list[tuple[int, int, int, int]]:
    rnd = random.Random(seed)
    regions = []
    for _ in range(count):
        w = rnd.randint(1000, 4000)
        h = w * 2 // 3
        regions.append((rnd.randint(0, WIDTH - w), rnd.randint(0, HEIGHT - h), w, h))
    return regions


def vips_region(original: Path, x: int, y: int, w: int, h: int, width: int) -> bytes:
    image = pyvips.Image.new_from_file(str(original), access="sequential")
    return image.crop(x, y, w, h).resize(width / w).jpegsave_buffer(Q=85)


def region_times(app_url: str, sha: str, original: Path, regions, width: int = 1000) -> tuple[list, list]:
    ours, theirs = [], []
    with requests.Session() as session:
        for i, (x, y, w, h) in enumerate(regions):
            start = time.perf_counter()
            response = session.get(f"{app_url}/iiif/3/image/{sha}/{x},{y},{w},{h}/{width},/0/default.jpg")
            elapsed = time.perf_counter() - start
            if response.status_code != 200:
                raise SystemExit(f"region {x},{y},{w},{h}: {response.status_code} {response.text}")
            start_vips = time.perf_counter()
            vips_region(original, x, y, w, h, width)
            elapsed_vips = time.perf_counter() - start_vips
            if i >= 3:  # the first requests warm caches on both sides
                ours.append(elapsed)
                theirs.append(elapsed_vips)
    return ours, theirs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="duration of each wrk run")
    parser.add_argument("--connections", type=int, default=8, help="concurrent wrk connections")
    parser.add_argument("--regions", type=int, default=40, help="random region requests")
    args = parser.parse_args()
    pyvips.cache_set_max(0)
    with tempfile.TemporaryDirectory(prefix="bench-iiif-") as tmp:
        root = Path(tmp)
        data_dir, sha, pyramid, original = ingest(root)
        iiif, static = tile_paths(sha, pyramid)
        derivatives = data_dir.resolve() / "store" / "derivatives" / sha
        nginx, nginx_url = start_nginx(root, derivatives, types="image/jpeg jpg;",
                                       headers="add_header Access-Control-Allow-Origin *;")
        try:
            with live_subprocess(data_dir, threads=8) as app:
                same = requests.get(app.url + iiif[0]).content == requests.get(nginx_url + static[0]).content
                if not same:
                    raise SystemExit("the app and nginx do not serve the same tile bytes")
                app_rps = rate(app.url, iiif, root, "app", args.seconds, args.connections)
                nginx_rps = rate(nginx_url, static, root, "nginx", args.seconds, args.connections)
                ours, theirs = region_times(app.url, sha, original, random_regions(args.regions + 3))
            with production_stack(data_dir, root / "production", processes=os.cpu_count() or 1) as stack:
                for path in iiif:  # each tile through the access decision once; nginx keeps the public ones
                    if requests.get(stack.url + path, timeout=30).content != requests.get(
                            nginx_url + static[iiif.index(path)], timeout=30).content:
                        raise SystemExit(f"the production stack and nginx differ on {path}")
                stack_rps = rate(stack.url, iiif, root, "stack", args.seconds, args.connections)
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)
    print(f"(a) tiles ({len(iiif)} tiles, wrk -t2 -c{args.connections} -d{args.seconds}s): nginx static "
          f"{nginx_rps:,.0f} req/s; app alone {app_rps:,.0f} req/s, ratio {app_rps / nginx_rps:.3f}; production stack "
          f"{stack_rps:,.0f} req/s, ratio {stack_rps / nginx_rps:.3f} (target ≥ 0.5)")
    ours_ms, theirs_ms = statistics.median(ours) * 1000, statistics.median(theirs) * 1000
    print(f"(b) random regions → 1000 px ({len(ours)} requests): app median {ours_ms:.1f} ms over HTTP, "
          f"pyvips median {theirs_ms:.1f} ms in-process, ratio app/pyvips = {ours_ms / theirs_ms:.3f} (target ≤ 1.0)")


if __name__ == "__main__":
    main()
