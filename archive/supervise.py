"""A child process kept running: started again (with a growing pause) whenever it dies, stopped gently at the end,
and killed by the kernel if this process dies first. `heritage serve` keeps its upload worker so.

The kernel's "die with the parent" is tied to the thread that started the child, so the watching thread, which starts
the restarted ones, lives until its child has exited."""
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
    def __init__(self, command: list[str], *, name: str):
        self.command = command
        self.name = name
        self.process: subprocess.Popen | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # no restart once stop() has begun
        self._thread = threading.Thread(target=self._watch, name=f"supervise-{name}", daemon=True)

    def start(self) -> None:
        self._spawn()
        self._thread.start()

    def _spawn(self) -> None:
        self.process = subprocess.Popen(self.command, preexec_fn=child_of_this_process())
        self._started = time.monotonic()

    def _watch(self) -> None:
        self._keep_running()
        self.process.wait()  # stopping: let the child finish (stop() signals it) before this thread ends

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
            with self._lock:
                if self._stopping.is_set():
                    return
                self._spawn()
            self.restarts += 1
            log.warning("the %s runs again (pid %d)", self.name, self.process.pid)

    def stop(self) -> None:
        with self._lock:
            self._stopping.set()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._thread.join(timeout=10)
