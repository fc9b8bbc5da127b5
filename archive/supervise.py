"""A child process kept running: started again (with a growing pause) whenever it dies, stopped gently at the end,
and killed by the kernel if this process dies first. `heritage serve` keeps its web server and its
upload worker so."""
from __future__ import annotations

import logging
import signal
import subprocess
import threading
import time

from .processes import child_of_this_process

log = logging.getLogger(__name__)

CHECK_SECONDS = 0.5
MAX_PAUSE = 60.0  # the longest pause before a restart, for a child that dies again at once
STEADY_SECONDS = 60.0  # a child that ran this long starts the pauses from the beginning
STOP_SECONDS = 120.0  # how long a stopping child may take to finish its work before it is killed


class Supervised:
    """One thread starts, watches, restarts and stops the child: the kernel's parent-death signal
    (processes.die_with_parent) follows the thread that forked a child, so that thread must outlive it."""

    def __init__(self, command: list[str], *, name: str, env: dict[str, str] | None = None):
        self.command = command
        self.env = env
        self.name = name
        self.process: subprocess.Popen | None = None
        self._stopping = threading.Event()
        self._running = threading.Event()
        self._thread = threading.Thread(target=self._watch, name=f"supervise-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._running.wait()

    def _spawn(self) -> None:
        self.process = subprocess.Popen(self.command, env=self.env, preexec_fn=child_of_this_process())
        self._started = time.monotonic()

    def _watch(self) -> None:
        try:
            self._spawn()
        finally:
            self._running.set()
        try:
            self._keep_running()
        finally:
            self._stop_child()

    def _keep_running(self) -> None:
        pause = 1.0
        while not self._stopping.wait(CHECK_SECONDS):
            status = self.process.poll()
            if status is None:
                continue
            if time.monotonic() - self._started >= STEADY_SECONDS:
                pause = 1.0
            log.error("the %s (pid %d) stopped with status %s; starting it again in %.0f s", self.name,
                      self.process.pid, status, pause)
            if self._stopping.wait(pause):
                return
            pause = min(pause * 2, MAX_PAUSE)
            try:
                self._spawn()
            except OSError as exc:  # e.g. no memory to fork: counts as a child that died at once; tried again
                log.error("the %s cannot be started: %s", self.name, exc)
                self._started = time.monotonic()
                continue
            log.warning("the %s runs again (pid %d)", self.name, self.process.pid)

    def _stop_child(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        """SIGINT the child and wait for it to finish (killed after STOP_SECONDS)."""
        self._stopping.set()
        self._thread.join(timeout=STOP_SECONDS + 30)
