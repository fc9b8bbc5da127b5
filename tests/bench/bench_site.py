"""Benchmark of the public site's pages under load, against nginx serving a static file of the same size.

    python -m tests.bench.bench_site [--duration 10] [--connections 20] [--data-dir DIR]

Ingests the sample media (``heritage demo``, into a temporary data dir unless ``--data-dir`` names one that already
holds them), starts ``heritage serve`` (waitress, the production server, in its own process) and loads the home,
search and item pages with ``wrk`` (20 concurrent connections by default). Then nginx (a user process with a temporary
prefix and config) serves each page's own bytes as a static file, loaded the same way. Prints p50/p95/p99 latency,
requests per second and errors for both, and the ratios app / nginx.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import requests

from tests.bench.nginx import start_nginx
from tests.live_server import live_subprocess

REPO = Path(__file__).resolve().parents[2]
# wrk calls done() once at the end with the merged latency histogram (microseconds) and the error counts.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), e.connect, e.read, e.write, e.status,
    e.timeout))
end
"""

@dataclass
class Run:
    requests: int
    seconds: float
    p50: float  # milliseconds
    p95: float
    p99: float
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def demo_data(data_dir: Path | None, root: Path) -> Path:
    if data_dir is not None and (data_dir / "catalog.sqlite").exists():
        return data_dir
    data_dir = data_dir or root / "var"
    samples = root / "media_samples"
    shutil.copytree(REPO / "media_samples", samples)
    print(f"ingesting the samples into {data_dir} (heritage demo)…", flush=True)
    subprocess.run([sys.executable, "-m", "archive.cli", "--data-dir", str(data_dir), "demo", "--samples",
                    str(samples)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return data_dir


def pages(app_url: str) -> dict[str, str]:
    """The paths of the pages measured: the home page, a search with results and facets, an image item's page."""
    found = requests.get(f"{app_url}/api/search", params={"type": "image", "lang": "vi"}, timeout=30).json()
    if not found["hits"]:
        raise SystemExit("the data dir has no image item; run `heritage demo` into it")
    return {"home": "/vi/", "search": "/vi/search?q=" + quote("lễ hội"), "item": f"/vi/items/{found['hits'][0]['id']}"}


def wrk(url: str, script: Path, duration: int, connections: int) -> Run:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(script),
                          url], capture_output=True, text=True, check=True).stdout
    found = re.search(r"^RESULT (.+)$", out, re.M)
    if not found:
        raise SystemExit(f"wrk printed no result for {url}:\n{out}")
    n, micros, p50, p95, p99, *errors = map(int, found.group(1).split())
    return Run(n, micros / 1e6, p50 / 1000, p95 / 1000, p99 / 1000, sum(errors))


def warm(url: str, times: int = 20) -> None:
    with requests.Session() as session:
        for _ in range(times):
            session.get(url, timeout=30).raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
    parser.add_argument("--connections", type=int, default=20, help="concurrent clients")
    parser.add_argument("--data-dir", type=Path, help="a data dir with the samples ingested (else a temporary one)")
    args = parser.parse_args()
    if not shutil.which("wrk") or not shutil.which("nginx", path="/usr/sbin:/usr/bin"):
        raise SystemExit("needs wrk and nginx (Debian packages wrk, nginx-light)")
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        root = Path(tmp)
        data_dir = demo_data(args.data_dir, root)
        script = root / "done.lua"
        script.write_text(WRK_SCRIPT)
        static = root / "pages"
        static.mkdir()
        results: dict[str, tuple[int, Run, Run]] = {}
        with live_subprocess(data_dir, threads=8) as app:
            paths = pages(app.url)
            for name, path in paths.items():
                body = requests.get(app.url + path, timeout=30)
                body.raise_for_status()
                (static / f"{name}.html").write_bytes(body.content)
            app_runs = {}
            for name, path in paths.items():
                warm(app.url + path)
                app_runs[name] = wrk(app.url + path, script, args.duration, args.connections)
        nginx, nginx_url = start_nginx(root, static, types="text/html html;")
        try:
            for name in paths:
                url = f"{nginx_url}/{name}.html"
                size = len(requests.get(url, timeout=30).content)
                if size != (static / f"{name}.html").stat().st_size:
                    raise SystemExit(f"nginx served {size} bytes for {name}.html")
                warm(url)
                results[name] = (size, app_runs[name], wrk(url, script, args.duration, args.connections))
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)
    print(f"\nwrk -t2 -c{args.connections} -d{args.duration}s; latency in ms; app = heritage serve (waitress, "
          f"8 threads), static = nginx serving a file of the same size")
    header = f"{'page':<7}{'bytes':>8} | {'server':<7}{'p50':>8}{'p95':>8}{'p99':>8}{'req/s':>9}{'errors':>7}"
    print(header + "\n" + "-" * len(header))
    for name, (size, ours, theirs) in results.items():
        for label, run in (("app", ours), ("static", theirs)):
            print(f"{name if label == 'app' else '':<7}{size if label == 'app' else '':>8} | {label:<7}"
                  f"{run.p50:>8.2f}{run.p95:>8.2f}{run.p99:>8.2f}{run.rate:>9.0f}{run.errors:>7}")
        ratio = {"p50": ours.p50 / theirs.p50, "p95": ours.p95 / theirs.p95, "p99": ours.p99 / theirs.p99,
                 "throughput": theirs.rate / ours.rate}
        print(f"{'':<7}{'':>8} | {'ratio':<7}{ratio['p50']:>8.1f}{ratio['p95']:>8.1f}{ratio['p99']:>8.1f}"
              f"{ratio['throughput']:>9.1f}   (app / static; req/s: static / app)")


if __name__ == "__main__":
    main()
