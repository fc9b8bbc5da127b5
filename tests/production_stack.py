"""The production deployment as the project ships it, started for tests and benchmarks: `heritage serve
--processes N` (gunicorn) behind nginx running the site file of `heritage nginx-config`, as a user process in a temp
prefix, with the app told to leave stored files to nginx (HERITAGE_ACCEL_REDIRECT) and to trust it for the client's
address (HERITAGE_PROXIES=1)."""
from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from tests.catalogs import command_env
from tests.bench.nginx import run_nginx
from tests.live_server import HOST, free_port, wait_for_port
from tests.servers import stop

INTERNAL = "/_stored/"


@dataclass
class Stack:
    url: str       # nginx: what the public reaches
    app_url: str   # gunicorn, behind it
    app: subprocess.Popen
    nginx: subprocess.Popen
    prefix: Path


@contextmanager
def production_stack(data_dir: Path, prefix: Path, *, processes: int = 2, threads: int = 4,
                     **settings: str) -> Iterator[Stack]:
    """``settings`` are more HERITAGE_* variables (e.g. DATABASE_URL, QUEUE_URL, SEARCH_BACKEND)."""
    prefix.mkdir(parents=True, exist_ok=True)
    app_port, nginx_port = free_port(), free_port()
    url = f"http://{HOST}:{nginx_port}"
    env = command_env(data_dir, HERITAGE_BASE_URL=url, HERITAGE_ACCEL_REDIRECT=INTERNAL, HERITAGE_PROXIES="1",
                      HERITAGE_LOG_LEVEL="WARNING", **settings)
    cli = [sys.executable, "-m", "archive.cli", "--data-dir", str(data_dir)]
    site = subprocess.run([*cli, "nginx-config", "--upstream", f"{HOST}:{app_port}", "--listen",
                           f"{HOST}:{nginx_port}", "--cache-dir", str(prefix / "tiles")],
                          env=env, capture_output=True, text=True, check=True).stdout
    (prefix / "heritage.conf").write_text(site)
    app = subprocess.Popen([*cli, "serve", "--no-worker", "--host", HOST, "--port", str(app_port), "--processes",
                            str(processes), "--threads", str(threads)], env=env, stdout=subprocess.DEVNULL)
    nginx = None
    try:
        wait_for_port(app_port, app)
        nginx = run_nginx(prefix, f"include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
                                  f"  include {prefix}/heritage.conf;", nginx_port)
        yield Stack(url, f"http://{HOST}:{app_port}", app, nginx, prefix)
    finally:
        stop(app)
        if nginx is not None:
            stop(nginx)
