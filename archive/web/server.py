"""The production web server: gunicorn, several processes of several threads each (measured against waitress, one
process, and granian in tests/bench/bench_site.py; gunicorn's gthread workers won on this app's pages).

Each process builds its own archive and app after the fork (no catalog connection, search reader or lock is shared
across a fork); what they must agree on lives in the catalog (the generation under the page cache, sessions ended,
sign-in failures) or in files (the session key, which `heritage serve` makes before the first process starts).
"""
from __future__ import annotations

from gunicorn.app.base import BaseApplication

from ..context import Archive
from ..settings import Settings


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Settings, options: dict):
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from . import create_app  # in the worker process, after the fork

        return create_app(self.settings, Archive(self.settings))


def run(settings: Settings, *, host: str, port: int, processes: int, threads: int) -> None:
    """Serve until stopped (SIGTERM: requests in hand finish; SIGINT: at once)."""
    _Gunicorn(settings, {
        "bind": f"{host}:{port}", "workers": processes, "worker_class": "gthread", "threads": threads,
        "proc_name": "heritage-web", "errorlog": "-", "loglevel": settings.log_level.lower(),
        "graceful_timeout": 30, "keepalive": 5, "control_socket_disable": True,
    }).run()
