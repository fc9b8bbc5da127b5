"""Which catalog database the suite runs on: SQLite in each data directory (the default) or, with
``TEST_CATALOG=postgresql``, a database of each data directory's own on the suite's throwaway PostgreSQL server
(tests/postgres_server.py). Commands a test starts get the same catalog through ``command_env``.

(``TEST_CATALOG``, not ``HERITAGE_…``: the archive rejects unknown settings with that prefix.)
"""
from __future__ import annotations

import os
from pathlib import Path

KINDS = ("sqlite", "postgresql")
KIND = os.environ.get("TEST_CATALOG", "sqlite")
if KIND not in KINDS:
    raise SystemExit(f"TEST_CATALOG={KIND!r}: must be one of {', '.join(KINDS)}")


def database_url(data_dir: Path | str) -> str:
    """The ``database_url`` setting for this data directory: empty (SQLite inside it) or its PostgreSQL database."""
    if KIND == "sqlite":
        return ""
    from tests.postgres_server import database_for

    return database_for(data_dir)


def command_env(data_dir: Path | str | None = None, **settings: str) -> dict[str, str]:
    """The environment for a ``heritage`` command of this data directory: none of the caller's ``HERITAGE_``
    variables, the data directory's catalog, and ``settings`` (e.g. ``HERITAGE_WORKERS="1"``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HERITAGE_")}
    if data_dir is not None and (url := database_url(data_dir)):
        env["HERITAGE_DATABASE_URL"] = url
    env.update(settings)
    return env
