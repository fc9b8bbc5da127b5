"""Benchmark of the public site's pages under load, on the embedded default and on the production stack, against
nginx serving the same pages' bytes as static files, all in one run.

    python -m tests.bench.bench_site [--duration 10] [--connections 20] [--data-dir DIR] [--stacks embedded production]

Ingests the sample media (``heritage demo``, into a temporary data dir unless ``--data-dir`` names one that already
holds them), then loads three kinds of page with ``wrk`` (20 concurrent connections by default), each cycling through
many URLs so that no one cached page answers the run:

- home: the home page in both languages;
- item: every public item's page in both languages;
- search: at least 50 different searches (words of the items' titles and common terms, each alone and with a
  community, type, place, festival or decade facet chosen, in both languages).

Stacks: ``embedded`` is `heritage serve` as the README's first command runs it (gunicorn, one process per core,
SQLite, Whoosh); ``production`` is tests/production_stack.py (nginx with the site of `heritage nginx-config` in front
of `heritage serve`, a process per core) on a PostgreSQL catalog copied by `heritage migrate-catalog` and a Redis queue,
both servers started here. ``search, uncached`` repeats the search run on the production stack with the page cache
off (HERITAGE_PAGE_CACHE_ENTRIES=0): what each search costs when nothing is kept. The static reference is nginx serving
every page's bytes as a file, cycled the same way. Prints p50/p95/p99 latency, requests per second and errors, the
ratio to the static reference, and requests per second against the figures of issue 12 (before this work).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlencode

import requests

from tests.bench.nginx import start_nginx
from tests.bench.wrk import Run, wrk
from tests.catalogs import command_env
from tests.live_server import HOST, free_port, wait_for_port
from tests.production_stack import production_stack

REPO = Path(__file__).resolve().parents[2]
# Issue 12, measured on this machine with the waitress server before this work (20 clients): req/s and p99 (ms).
BEFORE = {"home": (81, 384), "search": (36, 890), "item": (107, 314)}
SEARCH_WORDS = ("lễ hội", "chùa", "Katê", "Khmer", "Chăm", "pagoda", "festival", "mosque", "đình", "múa", "le hoi",
                "nhạc", "chữ", "lantern", "boat")


def demo_data(data_dir: Path | None, root: Path) -> Path:
    if data_dir is not None and (data_dir / "catalog.sqlite").exists():
        return data_dir
    data_dir = data_dir or root / "var"
    samples = root / "media_samples"
    shutil.copytree(REPO / "media_samples", samples)
    print(f"ingesting the samples into {data_dir} (heritage demo)…", flush=True)
    subprocess.run([sys.executable, "-m", "archive.cli", "--data-dir", str(data_dir), "demo", "--samples",
                    str(samples)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=command_env())
    return data_dir


def page_sets(url: str) -> dict[str, list[str]]:
    """The URLs of each kind of page, each answering 200."""
    items, offset = [], 0
    while True:
        found = requests.get(f"{url}/api/search", params={"per_page": 100, "page": offset // 100 + 1},
                             timeout=30).json()
        items += [hit["id"] for hit in found["hits"]]
        offset += 100
        if offset >= found["total"]:
            break
    facets = requests.get(f"{url}/api/search", timeout=30).json()["facets"]
    choices = [{}] + [{"f": f"{facet}:{value['value']}"} for facet in ("community", "type", "place", "festival",
                                                                       "decade")
                      for value in facets.get(facet, [])[:3]]
    searches = []
    for number, word in enumerate(SEARCH_WORDS):
        for choice in choices[number % 4::4]:  # each word with a few different facets
            for lang in ("vi", "en"):
                searches.append(f"/{lang}/search?" + urlencode({"q": word, **choice}))
    sets = {"home": ["/vi/", "/en/"], "item": [f"/{lang}/items/{i}" for i in items for lang in ("vi", "en")],
            "search": searches}
    for name, paths in sets.items():
        for path in paths:
            answer = requests.get(url + path, timeout=60)
            if answer.status_code != 200:
                raise SystemExit(f"{name}: {path} answered {answer.status_code}")
    return sets


def warm(url: str, paths: list[str], rounds: int = 6) -> None:
    """Each URL asked for several times, each on a new connection (a kept-alive one stays with one web process), so
    that every process has started, imported what it needs and most likely made each page once."""
    for _ in range(rounds):
        for path in paths:
            requests.get(url + path, timeout=60).raise_for_status()


@contextmanager
def embedded(data_dir: Path) -> Iterator[str]:
    """`heritage serve` with its defaults (gunicorn, a process per core), SQLite, Whoosh."""
    port = free_port()
    url = f"http://{HOST}:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "archive.cli", "--data-dir", str(data_dir), "serve", "--no-worker",
                             "--host", HOST, "--port", str(port)],
                            env=command_env(HERITAGE_BASE_URL=url, HERITAGE_LOG_LEVEL="ERROR"),
                            stdout=subprocess.DEVNULL)
    try:
        wait_for_port(port, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=60)


@contextmanager
def production_servers(data_dir: Path) -> Iterator[tuple[str, str]]:
    """A PostgreSQL server holding a copy of the catalog (made by `heritage migrate-catalog`) and a Redis server:
    their URLs."""
    from tests import postgres_server, redis_server

    postgres, redis = postgres_server.start(), redis_server.start()
    try:
        database = postgres.create_database("bench_site")
        subprocess.run([sys.executable, "-m", "archive.cli", "--data-dir", str(data_dir), "migrate-catalog", "--to",
                        database], check=True, env=command_env(), stdout=subprocess.DEVNULL)
        yield database, redis.url()
    finally:
        postgres.stop()
        redis.stop()


@contextmanager
def production(data_dir: Path, prefix: Path, servers: tuple[str, str], **settings: str) -> Iterator[str]:
    """nginx + `heritage serve` (a process per core, 4 threads each) on the PostgreSQL catalog and the Redis
    queue."""
    database, queue = servers
    with production_stack(data_dir, prefix, processes=os.cpu_count() or 1, threads=4, HERITAGE_DATABASE_URL=database, HERITAGE_QUEUE_URL=queue,
                          **settings) as running:
        yield running.url


def static_reference(sets: dict[str, list[str]], app_url: str, root: Path) -> tuple[subprocess.Popen, str,
                                                                                     dict[str, list[str]]]:
    """nginx serving every page's bytes (as the app made them) as a file; the file paths per kind."""
    docroot = root / "pages"
    docroot.mkdir()
    files = {}
    for name, paths in sets.items():
        files[name] = []
        for number, path in enumerate(paths):
            (docroot / f"{name}-{number}.html").write_bytes(requests.get(app_url + path, timeout=60).content)
            files[name].append(f"/{name}-{number}.html")
    nginx, url = start_nginx(root, docroot, types="text/html html;")
    return nginx, url, files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
    parser.add_argument("--connections", type=int, default=20, help="concurrent clients")
    parser.add_argument("--data-dir", type=Path, help="a data dir with the samples ingested (else a temporary one)")
    parser.add_argument("--stacks", nargs="+", default=["embedded", "production"], choices=["embedded", "production"])
    args = parser.parse_args()
    if not shutil.which("wrk") or not shutil.which("nginx", path="/usr/sbin:/usr/bin"):
        raise SystemExit("needs wrk and nginx (Debian packages wrk, nginx-light)")
    runs: dict[str, dict[str, Run]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp, ExitStack() as servers:
        root = Path(tmp)
        data_dir = demo_data(args.data_dir, root)
        if "production" in args.stacks:
            urls = servers.enter_context(production_servers(data_dir))
        stacks = {"embedded": lambda: embedded(data_dir),
                  "production": lambda: production(data_dir, root / "production", urls)}
        sets: dict[str, list[str]] = {}
        for stack in args.stacks:
            with stacks[stack]() as url:
                sets = sets or page_sets(url)
                if "static" not in runs:
                    nginx, static_url, files = static_reference(sets, url, root)
                    try:
                        runs["static"] = {name: wrk(static_url, files[name], root, f"static-{name}", args.duration,
                                                    args.connections) for name in sets}
                    finally:
                        nginx.terminate()
                        nginx.wait(timeout=10)
                runs[stack] = {}
                for name, paths in sets.items():
                    warm(url, paths)
                    runs[stack][name] = wrk(url, paths, root, f"{stack}-{name}", args.duration, args.connections)
        if "production" in args.stacks:
            with production(data_dir, root / "uncached", urls, HERITAGE_PAGE_CACHE_ENTRIES="0") as url:
                warm(url, sets["search"][:10])
                runs["production, no page cache"] = {
                    "search": wrk(url, sets["search"], root, "uncached-search", args.duration, args.connections)}
    print(f"\nwrk -t2 -c{args.connections} -d{args.duration}s, each run cycling through its URLs "
          f"({', '.join(f'{name} {len(paths)}' for name, paths in sets.items())}); latency in ms")
    header = (f"{'page':<8}{'stack':<28}{'p50':>8}{'p95':>8}{'p99':>8}{'req/s':>9}{'errors':>7}"
              f"{'static/this':>12}{'× before':>10}")
    print(header + "\n" + "-" * len(header))
    for name in sets:
        for stack, by_page in runs.items():
            if name not in by_page:
                continue
            run = by_page[name]
            versus_static = runs["static"][name].rate / run.rate if stack != "static" else 1.0
            before = f"{run.rate / BEFORE[name][0]:>10.1f}" if stack != "static" else f"{'':>10}"
            print(f"{name:<8}{stack:<28}{run.p50:>8.1f}{run.p95:>8.1f}{run.p99:>8.1f}{run.rate:>9.0f}{run.errors:>7}"
                  f"{versus_static:>12.1f}{before}")
        print(f"{name:<8}{'before (issue 12, waitress)':<28}{'':>8}{'':>8}{BEFORE[name][1]:>8.0f}"
              f"{BEFORE[name][0]:>9.0f}")


if __name__ == "__main__":
    main()
