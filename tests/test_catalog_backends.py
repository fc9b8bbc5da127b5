"""The catalog runs on SQLite (the embedded default) and on PostgreSQL: scripts/test.sh runs the catalog-level suites
a second time with TEST_CATALOG=postgresql, each data directory with a database of its own on a throwaway server."""
from __future__ import annotations

import subprocess
import sys

from tests.catalogs import KIND, command_env


def test_the_suite_runs_on_the_catalog_it_names(archive, data_dir):
    assert archive.catalog.engine.dialect.name == KIND
    # and a command started by a test reads the same catalog
    shown = subprocess.run([sys.executable, "-c", "from archive.settings import load_settings; from archive.context "
                            "import Archive; import sys; a = Archive(load_settings(data_dir=sys.argv[1])); "
                            "print(a.catalog.engine.dialect.name, a.catalog.engine.url.database)", str(data_dir)],
                           env=command_env(data_dir), capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split() == [KIND, str(archive.catalog.engine.url.database)]


def test_a_plain_postgresql_url_is_enough(tmp_path):
    """HERITAGE_DATABASE_URL=postgresql://… (no driver named) opens the catalog with psycopg 3."""
    from archive.context import Archive
    from archive.settings import load_settings
    from tests.postgres_server import server

    url = server().create_database("plain_url").replace("postgresql+psycopg://", "postgresql://")
    archive = Archive(load_settings(environ={"HERITAGE_DATABASE_URL": url}, data_dir=str(tmp_path / "var")))
    try:
        assert archive.catalog.engine.dialect.driver == "psycopg"
        assert archive.catalog.engine.url.database == "plain_url"
    finally:
        archive.catalog.dispose()
