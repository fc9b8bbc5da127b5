"""Backup and restore: a backup taken while `heritage ingest` runs, restored into an empty data directory, gives the
same items, the same search results and a clean fixity check; the checksum list reads with sha256sum."""
from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time

from sqlalchemy import func, select, text

from archive.catalog.db import WRITE_LOCK_KEY, Catalog
from archive.catalog.models import Item
from archive.context import Archive
from archive.web import create_app
from tests.catalogs import command_env
from tests.conftest import make_settings
from tests.media import make_jpeg, make_wav

WORDS = ("tháp", "lễ", "ghi âm", "thap")


def _heritage(data_dir, *args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "archive.cli", "--data-dir", str(data_dir), *map(str, args)],
                          env=command_env(data_dir, HERITAGE_WORKERS="1"), capture_output=True, text=True,
                          timeout=600, **kwargs)


def _count(archive) -> int:
    with archive.catalog.session() as s:
        return s.scalar(select(func.count()).select_from(Item))


def _records(catalog: Catalog) -> dict[str, dict]:
    with catalog.session() as s:
        return {i.id: {"record": i.record, "status": i.status, "access": i.access, "version": i.version,
                       "files": sorted(f.sha256 for f in i.files)} for i in s.scalars(select(Item))}


def _write_lock_free(catalog: Catalog) -> bool:
    if catalog.engine.dialect.name == "sqlite":
        connection = sqlite3.connect(catalog.engine.url.database, timeout=0)
        try:
            connection.execute("BEGIN IMMEDIATE")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            connection.close()
    with catalog.engine.begin() as connection:
        return connection.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})


def _freeze_between_writes(process: subprocess.Popen, catalog: Catalog) -> None:
    """Stop ``process`` at a moment it holds no write lock on the catalog: the backup then runs mid-ingest however
    fast or slow the machine is (a backup racing a running ingest made the test depend on the machine's load)."""
    while True:
        process.send_signal(signal.SIGSTOP)
        if _write_lock_free(catalog):
            return
        process.send_signal(signal.SIGCONT)
        time.sleep(0.02)


def _hits(archive, words: str) -> set[str]:
    client = create_app(archive.settings, archive).test_client()
    return {h["id"] for h in client.get("/api/search", query_string={"q": words, "page_size": 100}).get_json()["hits"]}


def test_a_backup_taken_during_an_ingest_restores_whole(tmp_path, data_dir):
    batch = tmp_path / "batch"
    rows = ["file,title_vi,title_en,community,rights"]
    for n in range(10):
        make_jpeg(batch / f"tháp-{n}.jpg", size=(2400, 1800), seed=n)
        rows.append(f"tháp-{n}.jpg,Tháp Chăm số {n},Cham tower {n},cham,http://creativecommons.org/licenses/by/4.0/")
    make_wav(batch / "ghi-am.wav", seconds=3)
    rows.append("ghi-am.wav,Bản ghi âm lễ hội,Festival recording,khmer,http://creativecommons.org/licenses/by/4.0/")
    (batch / "metadata.csv").write_text("\n".join(rows) + "\n", "utf-8")
    source = Archive(make_settings(data_dir))
    _count(source)  # the catalog exists before the ingest starts
    ingest = subprocess.Popen([sys.executable, "-m", "archive.cli", "--data-dir", str(data_dir), "ingest", "--quiet",
                               str(batch), "--metadata", str(batch / "metadata.csv")],
                              env=command_env(data_dir, HERITAGE_WORKERS="1"), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 300
    while _count(source) < 2:
        assert ingest.poll() is None and time.monotonic() < deadline, ingest.communicate()[0]
        time.sleep(0.05)
    backup = tmp_path / "backup"
    _freeze_between_writes(ingest, source.catalog)
    try:
        frozen_at = _count(source)
        taken = _heritage(data_dir, "backup", backup, "--originals")
    finally:
        ingest.send_signal(signal.SIGCONT)
    output = ingest.communicate(timeout=600)[0]
    assert taken.returncode == 0, taken.stderr
    assert ingest.returncode == 0, output
    manifest = json.loads((backup / "backup.json").read_text())
    assert 2 <= frozen_at == manifest["items"] < 11 == _count(source), manifest  # taken mid-ingest
    assert subprocess.run(["sha256sum", "--check", "--quiet", "originals.sha256"], cwd=backup).returncode == 0

    snapshot = Catalog(f"sqlite:///{backup / 'catalog.sqlite'}")
    backed_up = _records(snapshot)
    snapshot.dispose()
    assert len(backed_up) == manifest["items"]
    everything = _records(source.catalog)
    assert all(everything[item_id] == value for item_id, value in backed_up.items())

    restored_dir = tmp_path / "restored"
    restored = _heritage(restored_dir, "restore", backup, "--quiet")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert f"restore: {manifest['items']} items" in restored.stdout and "fixity: " in restored.stdout
    again = Archive(make_settings(restored_dir))
    try:
        assert _records(again.catalog) == backed_up
        for words in WORDS:  # the same search results, for the items the backup holds
            assert _hits(again, words) == _hits(source, words) & set(backed_up), words
        assert any(_hits(again, words) for words in WORDS)
        assert _heritage(restored_dir, "fixity", "--quiet").returncode == 0
        assert sorted(again.store.iter_originals()) == sorted(
            {sha for value in backed_up.values() for sha in value["files"]})
        with again.catalog.session() as s:
            assert all(f.derivatives for i in s.scalars(select(Item)) for f in i.media)  # rebuilt
    finally:
        again.catalog.dispose()
        source.catalog.dispose()
    refused = _heritage(restored_dir, "restore", backup, "--quiet")
    assert refused.returncode == 1 and "not empty" in refused.stderr + refused.stdout
