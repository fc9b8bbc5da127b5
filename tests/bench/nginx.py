"""nginx (Debian's nginx-light) as the benchmarks' static-file reference, run as a user process in a temp prefix."""
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
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  types {{ {types} }}
  client_body_temp_path {prefix}/nginx-body;
  proxy_temp_path {prefix}/nginx-proxy;
  fastcgi_temp_path {prefix}/nginx-fastcgi;
  uwsgi_temp_path {prefix}/nginx-uwsgi;
  scgi_temp_path {prefix}/nginx-scgi;
  server {{
    listen {host}:{port};
    root {docroot};
    location / {{ {headers} }}
  }}
}}
"""


def start_nginx(prefix: Path, docroot: Path, *, types: str, headers: str = "") -> tuple[subprocess.Popen, str]:
    """Serve ``docroot`` on a free port; ``types`` and ``headers`` are nginx directives (e.g. ``text/html html;``)."""
    port = free_port()
    conf = prefix / "nginx.conf"
    # Workers run as this user (the store's directories are private to it); nginx ignores this when not root.
    conf.write_text(CONF.format(user=getpass.getuser(), prefix=prefix, host=HOST, port=port, types=types,
                                docroot=docroot, headers=headers))
    proc = subprocess.Popen(["nginx", "-p", str(prefix), "-c", str(conf)], stderr=subprocess.PIPE)
    wait_for_port(port, proc)
    return proc, f"http://{HOST}:{port}"
