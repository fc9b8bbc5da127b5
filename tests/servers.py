"""What the throwaway servers of the suite share (tests/elasticsearch_node.py, postgres_server.py, redis_server.py):
a free port, a stop, the unprivileged account a server that refuses root runs under, and one server per test process."""
from __future__ import annotations

import atexit
import os
import pwd
import socket
import subprocess
from typing import Callable, TypeVar

Server = TypeVar("Server")


def stop(proc: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM, then SIGKILL if it has not ended within ``timeout`` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unprivileged(variable: str, default: str, error: type[Exception], server: str) -> pwd.struct_passwd | None:
    """The account to run ``server`` under when we are root (named by the environment ``variable``), else None."""
    if os.geteuid() != 0:
        return None
    name = os.environ.get(variable, default)
    try:
        return pwd.getpwnam(name)
    except KeyError:
        raise error(f"{variable}={name!r}: no such user ({server} refuses to run as root)") from None


def one_per_process(start: Callable[[], Server]) -> Callable[[], Server]:
    """``start`` called on first use only, its server stopped when the process exits."""
    started: list[Server] = []

    def shared() -> Server:
        if not started:
            started.append(start())
            atexit.register(started[0].stop)
        return started[0]

    return shared
