"""The real app under waitress on a free 127.0.0.1 port, with ``base_url`` set to that address.

``live_app`` runs it in a thread of the test process, so a test can inject a fault (e.g. patch a decoder) into the
server it talks to; ``live_subprocess`` runs ``heritage serve`` in its own process, as production does.
"""
from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from waitress import wasyncore
from waitress.server import create_server

from archive.context import Archive
from archive.settings import load_settings
from archive.web import create_app
from tests.catalogs import command_env, database_url
from tests.servers import stop

HOST = "127.0.0.1"


@dataclass
class Live:
    url: str
    port: int
    archive: Archive | None = None


def _listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    return sock


@contextmanager
def live_app(data_dir: Path, *, threads: int = 4, **overrides) -> Iterator[Live]:
    """``overrides``: settings other than the data directory and base URL (e.g. ``oai_page_size=3``)."""
    sock = _listening_socket()
    port = sock.getsockname()[1]
    url = f"http://{HOST}:{port}"
    settings = load_settings(environ={}, data_dir=str(data_dir), base_url=url,
                             **{"workers": 1, "database_url": database_url(data_dir), **overrides})
    archive = Archive(settings)
    server = create_server(create_app(settings, archive), sockets=[sock], threads=threads)
    thread = threading.Thread(target=server.run, name=f"waitress-{port}", daemon=True)
    thread.start()
    try:
        yield Live(url, port, archive)
    finally:
        server.task_dispatcher.shutdown()
        # Close every socket from inside the server's loop, which then finds nothing left to serve and returns.
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        thread.join(timeout=10)
        if thread.is_alive():
            raise RuntimeError(f"the waitress thread on port {port} did not stop")
        archive.catalog.dispose()


def free_port() -> int:
    with _listening_socket() as sock:
        return sock.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen | None = None, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server process exited with status {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {HOST}:{port} after {timeout:.0f} s")


@contextmanager
def live_subprocess(data_dir: Path, *, threads: int = 8) -> Iterator[Live]:
    port = free_port()
    url = f"http://{HOST}:{port}"
    env = command_env(data_dir, HERITAGE_BASE_URL=url, HERITAGE_LOG_LEVEL="ERROR")
    proc = subprocess.Popen([sys.executable, "-m", "archive.cli", "--data-dir", str(data_dir), "serve",
                             "--host", HOST, "--port", str(port), "--threads", str(threads)],
                            env=env, stdout=subprocess.DEVNULL)
    try:
        wait_for_port(port, proc)
        yield Live(url, port)
    finally:
        stop(proc, timeout=10)
