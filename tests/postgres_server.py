"""A throwaway PostgreSQL server for the test suite (Debian's ``postgresql`` 15: ``initdb`` and ``postgres`` on PATH or
under /usr/lib/postgresql/*/bin), in a temporary directory, on a free port, trusting local connections.

``python -m tests.postgres_server`` starts one, prints its URL and stops on Ctrl-C; tests use ``server()`` (one per
test process, stopped at exit) and ``database_for(data_dir)``, which gives each archive data directory a database of
its own, named from the directory, so a test's subprocesses find the same catalog. PostgreSQL refuses to run as
root: under root the server runs as ``PG_TEST_USER`` (default ``postgres``, the account Debian's package makes).

Environment (not ``HERITAGE_*``: the archive rejects unknown settings with that prefix): ``PG_TEST_USER``.
"""
from __future__ import annotations

import glob
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from tests.servers import free_port, one_per_process, unprivileged

START_TIMEOUT = 60.0


class PostgresError(RuntimeError):
    """The server could not be started; the message says why (with its log for a failed start)."""


def _binary(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)),
                                       None)
    if found is None:
        raise PostgresError(f"{name} not found: apt-get install postgresql")
    return found


class Server:
    """A running server; ``stop()`` ends it and removes its files."""

    def __init__(self, port: int, process: subprocess.Popen, workdir: Path):
        self.port, self.process, self.workdir = port, process, workdir

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://heritage@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database (dropped first if a previous run left one); its SQLAlchemy URL."""
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=heritage dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # "fast" shutdown: no waiting for clients to leave
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


def start() -> Server:
    account = unprivileged("PG_TEST_USER", "postgres", PostgresError, "PostgreSQL")
    workdir = Path(tempfile.mkdtemp(prefix="heritage-pg-"))
    data = workdir / "data"
    if account is not None:
        os.chown(workdir, account.pw_uid, account.pw_gid)
    as_user = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []} if account else {}
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    result = subprocess.run([_binary("initdb"), "-D", str(data), "-U", "heritage", "--auth=trust", "-E", "UTF8",
                             "--no-sync"], capture_output=True, text=True, env=env, **as_user)
    if result.returncode != 0:
        shutil.rmtree(workdir, ignore_errors=True)
        raise PostgresError(f"initdb failed (exit {result.returncode}):\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    port = free_port()
    log = open(workdir / "server.log", "wb")
    # Durability is not under test on this server (it is on SQLite's): fsync off makes the suite quicker.
    process = subprocess.Popen(
        [_binary("postgres"), "-D", str(data), "-p", str(port), "-k", str(workdir), "-c", "listen_addresses=127.0.0.1",
         "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200"],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True, **as_user)
    server = Server(port, process, workdir)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with psycopg.connect(f"host=127.0.0.1 port={port} user=heritage dbname=postgres", connect_timeout=2):
                return server
        except psycopg.OperationalError:
            if process.poll() is not None or time.monotonic() > deadline:
                text = (workdir / "server.log").read_text(errors="replace")[-3000:]
                server.stop()
                raise PostgresError(f"PostgreSQL did not start on port {port}:\n{text}") from None
            time.sleep(0.1)


server = one_per_process(start)  # the test process's server


def database_for(data_dir: Path | str) -> str:
    """The URL of the database of this data directory (created empty the first time this process asks)."""
    name = "archive_" + hashlib.sha1(str(Path(data_dir).resolve()).encode()).hexdigest()[:16]
    if name not in _created:
        server().create_database(name)
        _created.add(name)
    return server().url(name)


_created: set[str] = set()


if __name__ == "__main__":
    running = start()
    print(running.url(), flush=True)
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        running.stop()
