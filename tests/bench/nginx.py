"""nginx (Debian's nginx-light) run as a user process in a temp prefix: the benchmarks' static-file reference, and
the front of the production stack (tests/production_stack.py)."""
from __future__ import annotations

import getpass
import subprocess
from pathlib import Path

from tests.live_server import HOST, free_port, wait_for_port

CONF = """
daemon off;
user {user};
worker_processes auto;
pid {prefix}/nginx.pid;
error_log {prefix}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path {prefix}/nginx-body;
  proxy_temp_path {prefix}/nginx-proxy;
  fastcgi_temp_path {prefix}/nginx-fastcgi;
  uwsgi_temp_path {prefix}/nginx-uwsgi;
  scgi_temp_path {prefix}/nginx-scgi;
  {http}
}}
"""


def run_nginx(prefix: Path, http: str, port: int) -> subprocess.Popen:
    """nginx with ``http`` (directives) inside its http block, once it listens on ``port``. As Debian's nginx.conf,
    it sends files with sendfile and tcp_nopush; workers run as this user (the store's directories are private to
    it; nginx ignores the user directive when not root)."""
    conf = prefix / "nginx.conf"
    conf.write_text(CONF.format(user=getpass.getuser(), prefix=prefix, http=http))
    proc = subprocess.Popen(["nginx", "-p", str(prefix), "-c", str(conf)], stderr=subprocess.PIPE)
    wait_for_port(port, proc)
    return proc


def start_nginx(prefix: Path, docroot: Path, *, types: str, headers: str = "") -> tuple[subprocess.Popen, str]:
    """Serve ``docroot`` on a free port; ``types`` and ``headers`` are nginx directives (e.g. ``text/html html;``)."""
    port = free_port()
    http = f"types {{ {types} }}\n  server {{ listen {HOST}:{port}; root {docroot}; location / {{ {headers} }} }}"
    return run_nginx(prefix, http, port), f"http://{HOST}:{port}"
