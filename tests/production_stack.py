"""The production deployment as the project ships it, started for tests and benchmarks: `heritage serve
--processes N` (gunicorn) behind nginx running the site file of `heritage nginx-config`, as a user process in a temp
prefix, with the app told to leave stored files to nginx (HERITAGE_ACCEL_REDIRECT) and to trust it for the client's
address (HERITAGE_PROXIES=1)."""
from __future__ import annotations

import getpass
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from tests.catalogs import command_env
from tests.live_server import HOST, free_port, wait_for_port

NGINX = """
daemon off;
user {user};
worker_processes auto;
pid {prefix}/nginx.pid;
error_log {prefix}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path {prefix}/body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;
  include {prefix}/heritage.conf;
}}
"""
INTERNAL = "/_stored/"


@dataclass
class Stack:
    url: str       # nginx: what the public reaches
    app_url: str   # gunicorn, behind it
    app: subprocess.Popen
    nginx: subprocess.Popen
    prefix: Path


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


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
    (prefix / "nginx.conf").write_text(NGINX.format(user=getpass.getuser(), prefix=prefix))
    app = subprocess.Popen([*cli, "serve", "--no-worker", "--host", HOST, "--port", str(app_port), "--processes",
                            str(processes), "--threads", str(threads)], env=env, stdout=subprocess.DEVNULL)
    nginx = subprocess.Popen(["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf")], stderr=subprocess.PIPE)
    try:
        wait_for_port(app_port, app)
        wait_for_port(nginx_port, nginx)
        yield Stack(url, f"http://{HOST}:{app_port}", app, nginx, prefix)
    finally:
        _stop(app)
        _stop(nginx)
