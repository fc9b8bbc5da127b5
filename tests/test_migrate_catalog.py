"""`heritage migrate-catalog --to postgresql://…`: a SQLite catalog with items, media, captions, versions, accounts,
jobs, audit entries and harvest records is copied into an empty PostgreSQL database, verified table by table, and
the archive then runs on it (pages, search, a new save); a target that is not empty is refused."""
from __future__ import annotations

import shutil

from sqlalchemy import func, select

from archive import accounts, editing, publishing
from archive.catalog.copy import check
from archive.catalog.db import Catalog
from archive.catalog.models import Item, MediaFile
from archive.context import Archive
from archive.settings import load_settings
from archive.web import create_app
from ingest.pipeline import Ingest
from tests.conftest import SAMPLES, TEST_SETTINGS
from tests.postgres_server import server


def test_a_sqlite_catalog_moves_to_postgresql_whole(tmp_path, heritage):
    data_dir = tmp_path / "var"
    source = Archive(load_settings(environ={}, data_dir=str(data_dir), **TEST_SETTINGS))  # SQLite, whatever the run
    batch = tmp_path / "batch"
    batch.mkdir()
    for name in ("images/kate-offerings.jpg", "audio/kate-narration.flac"):
        shutil.copy(SAMPLES / name, batch)
    for vtt in (SAMPLES / "audio").glob("kate-narration.*.vtt"):
        shutil.copy(vtt, batch)
    (batch / "metadata.csv").write_text(
        "file,id,title_vi,title_en,community,rights\n"
        "kate-offerings.jpg,mc-photo,Lễ vật Katê,Kate offerings,cham,http://creativecommons.org/licenses/by/4.0/\n"
        "kate-narration.flac,mc-audio,Lời kể Katê,Kate narration,cham,http://creativecommons.org/licenses/by/4.0/\n",
        "utf-8")
    assert not Ingest(source, progress=False).run([batch], batch / "metadata.csv").rejected
    editor = accounts.viewer_of(accounts.create_user(source, "editor", "correct horse battery", "editor"))
    with source.catalog.session() as s:
        record = dict(s.get(Item, "mc-photo").record)
    record["title"] = {**record["title"], "en": "Offerings for Katê"}
    editing.update_item(source, "mc-photo", record, editor)
    publishing.set_access(source, "mc-audio", "restricted", editor)  # a deleted harvest record too
    before = check(source.catalog)
    source.catalog.dispose()

    url = server().create_database("migrated").replace("postgresql+psycopg://", "postgresql://")
    result = heritage("migrate-catalog", "--to", url)
    assert result.exit_code == 0, result.output
    assert "copied and verified" in result.output and "items: 2 rows" in result.output
    target = Catalog(url)
    assert check(target) == before  # every table: same rows, same values
    assert {c.table for c in before if c.rows} >= {"items", "media_files", "item_versions", "users", "audit_log",
                                                   "harvest_records", "harvest_sets", "vocabulary_terms"}
    target.dispose()

    moved = Archive(load_settings(environ={"HERITAGE_DATABASE_URL": url}, data_dir=str(data_dir), **TEST_SETTINGS))
    try:
        assert moved.catalog.engine.dialect.name == "postgresql"
        client = create_app(moved.settings, moved).test_client()
        page = client.get("/en/items/mc-photo")
        assert page.status_code == 200 and "Offerings for Katê" in page.get_data(as_text=True)
        assert client.get("/en/items/mc-audio").status_code == 404
        assert [h["id"] for h in client.get("/api/search?q=Katê").get_json()["hits"]] == ["mc-photo"]
        record["title"]["en"] = "Offerings for the Katê festival"
        editing.update_item(moved, "mc-photo", record, editor)  # ids and versions continue where they stopped
        with moved.catalog.session() as s:
            assert s.get(Item, "mc-photo").version == 3
            assert s.scalar(select(func.count()).select_from(MediaFile)) == 4  # two media, two captions
    finally:
        moved.catalog.dispose()

    again = heritage("migrate-catalog", "--to", url)
    assert again.exit_code == 1 and "not empty" in again.output
