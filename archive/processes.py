"""Processes that die cleanly: children that die with their parent, exclusive locks that a dead holder cannot keep
and that say who holds them, and tags naming a process well enough to tell later whether it is still alive.

Locks are POSIX record locks (``fcntl.lockf``): the kernel releases them when the holding process dies, and a forked
child does not inherit them, so a pool worker or an ffmpeg left behind can never hold one on its own.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import cache
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
WAIT_NOTICE_SECONDS = 30  # while waiting for a lock, say again who holds it this often
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
_in_process: dict[str, threading.Lock] = {}  # a POSIX lock does not exclude threads of its own process
_registry = threading.Lock()


def die_with_parent(parent_pid: int | None = None) -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux); exit now if it has died already.

    Used as the initializer of worker pools and before exec of ffmpeg, so a killed ingest or worker leaves nothing
    running behind it."""
    if _libc is None:
        return
    if _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        log.warning("prctl(PR_SET_PDEATHSIG) failed: %s", os.strerror(ctypes.get_errno()))
        return
    if parent_pid is not None and os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def child_of_this_process():
    """A ``preexec_fn`` for subprocess.Popen: the child dies with the process that starts it."""
    parent = os.getpid()
    return lambda: die_with_parent(parent)


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool whose processes die with this process (a SIGKILLed ingest leaves none behind).

    Always forked: a pool process started by a fork server (Python 3.14's default) is the server's child and keeps
    the server alive, so no parent-death signal would reach it when this process dies."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=die_with_parent,
                               initargs=(os.getpid(),))


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (/proc), which a reused pid does not share."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


@cache
def _pid_space() -> str:
    """Where a pid names one process: this host's name, its kernel's boot and the pid namespace (two containers
    of one machine have their own pids, even under one host name; a reboot starts them again)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return f"{socket.gethostname()}/?"
    return f"{socket.gethostname()}/{boot}/{namespace}"


def process_tag(pid: int | None = None) -> str:
    """``place:pid:start`` of this (or another local) process: enough to tell later whether it still runs."""
    pid = pid or os.getpid()
    return f"{_pid_space()}:{pid}:{_start_time(pid) or '?'}"


def tag_alive(tag: str | None) -> bool | None:
    """Whether the process a tag names still runs; None when that cannot be told from here (it ran on another
    machine, in another container or before a reboot, or there is no /proc); False for no tag at all."""
    if not tag:
        return False
    try:
        place, pid, start = tag.rsplit(":", 2)
    except ValueError:  # not a tag written here
        return None
    if place != _pid_space() or place.endswith("/?") or start == "?":
        return None
    return pid.isdigit() and _start_time(int(pid)) == start


def _holder(fd: int) -> dict:
    try:
        return json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (OSError, ValueError):
        return {}


@contextmanager
def exclusive(path: Path, purpose: str) -> Iterator[None]:
    """Hold the lock file ``path`` for ``purpose`` (e.g. "ingest"), across processes and threads. A caller that has
    to wait logs who holds it, for what and since when; a holder that died has already let go."""
    key = str(path)
    with _registry:
        threads = _in_process.setdefault(key, threading.Lock())
    with threads:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            _acquire(fd, path, purpose)
            me = {"pid": os.getpid(), "command": _command_line(),
                  "purpose": purpose, "since": datetime.now(timezone.utc).isoformat(timespec="seconds")}
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(me).encode(), 0)
            yield
        finally:
            os.close(fd)  # closing releases the lock


def _command_line() -> str:
    name = Path(sys.argv[0]).name
    return " ".join(["heritage" if name in ("cli.py", "heritage") else name, *sys.argv[1:]])[:200]


def _acquire(fd: int, path: Path, purpose: str) -> None:
    started = time.monotonic()
    told = None
    while True:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if told is not None:
                log.warning("%s: got %s after waiting %.0f s", purpose, path.name, time.monotonic() - started)
            return
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EAGAIN):
                raise
        if told is None or time.monotonic() - told >= WAIT_NOTICE_SECONDS:
            holder = _holder(fd)
            log.warning("%s: waiting for %s, held by pid %s (%s, for %s) since %s", purpose, path,
                        holder.get("pid", "?"), holder.get("command", "?"), holder.get("purpose", "?"),
                        holder.get("since", "?"))
            told = time.monotonic()
        time.sleep(0.2)
