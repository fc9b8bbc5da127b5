"""A throwaway Redis server for the test suite (Debian's ``redis-server``), on a free port, keeping nothing on disk.

Tests use ``server()`` (one per test process, stopped at exit); ``server().url(db)`` gives a database of its own to
each test that asks for a new number.
"""
from __future__ import annotations

import itertools
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis

from tests.servers import free_port, one_per_process

START_TIMEOUT = 30.0


class RedisError(RuntimeError):
    """The server could not be started; the message says why."""


class Server:
    def __init__(self, port: int, process: subprocess.Popen, workdir: Path):
        self.port, self.process, self.workdir = port, process, workdir
        self._databases = itertools.count(1)

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def new_database(self) -> str:
        """A database number no other test of this process used (Redis has 16 by default; we ask for 64)."""
        return self.url(next(self._databases))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


def start() -> Server:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RedisError("redis-server not found: apt-get install redis-server")
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="heritage-redis-"))
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--databases", "64", "--dir", str(workdir)],
                               stdout=open(workdir / "server.log", "wb"), stderr=subprocess.STDOUT)
    server = Server(port, process, workdir)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            if redis.Redis(port=port, socket_connect_timeout=1).ping():
                return server
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                log = (workdir / "server.log").read_text(errors="replace")[-2000:]
                server.stop()
                raise RedisError(f"redis-server did not start on port {port}:\n{log}") from None
            time.sleep(0.05)


server = one_per_process(start)  # the test process's server
