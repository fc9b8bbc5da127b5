"""The Alembic migrations build exactly the schema the models declare, and an older catalog upgrades in place."""
from __future__ import annotations

from types import SimpleNamespace

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from archive import jobs, lists
from archive.access import Viewer
from archive.catalog.db import MIGRATIONS, Catalog
from archive.catalog.models import Base


def _alembic(catalog: Catalog, connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection_url"] = catalog.url
    config.attributes["connection"] = connection
    return config


def test_the_migrations_match_the_models(tmp_path):
    catalog = Catalog(f"sqlite:///{tmp_path / 'catalog.sqlite'}")
    catalog.upgrade()
    with catalog.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    catalog.dispose()
    assert differences == []


def test_a_catalog_at_the_previous_revision_keeps_its_users_when_upgraded(tmp_path):
    catalog = Catalog(f"sqlite:///{tmp_path / 'catalog.sqlite'}")
    with catalog.engine.begin() as connection:
        command.upgrade(_alembic(catalog, connection), "0002")
        assert "session_generation" not in {c["name"] for c in inspect(connection).get_columns("users")}
        connection.execute(text("INSERT INTO users (username, password_hash, role, active, created_at) "
                                "VALUES ('lan', 'x', 'editor', 1, '2026-01-01 00:00:00')"))
    catalog.upgrade()
    with catalog.engine.connect() as connection:
        rows = connection.execute(text("SELECT username, session_generation FROM users")).all()
    catalog.dispose()
    assert rows == [("lan", 0)]


def test_a_job_reason_written_before_codes_existed_reads_the_same_after_the_upgrade(tmp_path):
    catalog = Catalog(f"sqlite:///{tmp_path / 'catalog.sqlite'}")
    with catalog.engine.begin() as connection:
        command.upgrade(_alembic(catalog, connection), "0003")
        connection.execute(text("INSERT INTO jobs (upload_id, filename, state, reason, created_at, updated_at) VALUES "
                                "('u1', 'a.jpg', 'rejected', 'a.jpg: content is application/x-executable, which the "
                                "archive does not accept', '2026-01-01', '2026-01-01'), "
                                "('u2', 'b.jpg', 'done', NULL, '2026-01-01', '2026-01-01')"))
    catalog.upgrade()
    archive = SimpleNamespace(catalog=catalog)
    rows = {job.filename: job for job in jobs.list_jobs(archive)}
    catalog.dispose()
    assert rows["a.jpg"].reason == "a.jpg: content is application/x-executable, which the archive does not accept"
    assert [r.code for r in rows["a.jpg"].reasons] == ["other"] and rows["b.jpg"].reasons == []


def test_collections_made_before_they_had_updated_at_get_one_and_list_in_the_api_order(tmp_path):
    catalog = Catalog(f"sqlite:///{tmp_path / 'catalog.sqlite'}")
    with catalog.engine.begin() as connection:
        command.upgrade(_alembic(catalog, connection), "0007")
        connection.execute(text("""INSERT INTO collections (id, title, description) VALUES
                                   ('old-b', '{"vi": "B"}', '{}'), ('old-a', '{"vi": "A"}', '{}')"""))
    catalog.upgrade()
    with catalog.session() as s:
        found = lists.collections(s, Viewer.ANONYMOUS, limit=1)
        rest = lists.collections(s, Viewer.ANONYMOUS, limit=1, cursor=found.cursor)
    catalog.dispose()
    assert [c["id"] for c in found.entries + rest.entries] == ["old-a", "old-b"] and rest.cursor is None
    assert found.entries[0]["updated_at"] == rest.entries[0]["updated_at"]  # one moment: the upgrade's
