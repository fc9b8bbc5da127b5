"""Backups: ``heritage backup DEST`` takes a consistent copy of a running archive; ``heritage restore BACKUP`` builds
an archive again from one.

A backup is a folder:

    backup.json        when it was taken, from which catalog, how many items and originals, whether they are in it
    catalog.sqlite     the catalog: SQLite's online backup API (a snapshot; writers go on), or from PostgreSQL a copy
                       made while holding the catalog's write lock (writers wait for it)
    originals.sha256   every original the catalog names, as ``sha256sum -c`` reads it: "<sha256>  originals/aa/<sha256>"
    originals/         the originals themselves (``--originals``; else they are backed up with the store's own means)
    exhibits/          the exhibit files

The catalog is taken first and the originals it names after: originals are stored before the catalog names them and
never change, so the copy holds every file its catalog needs, whatever an ingest running beside it does. Derivatives,
the search index and the open data package are not in a backup: ``restore`` rebuilds them, then checks fixity.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import func, select

from .catalog.copy import copy_catalog
from .catalog.db import Catalog
from .catalog.models import Item, MediaFile
from .errors import ArchiveError
from .filestore import sha256_file
from .text import utc_stamp

FORMAT = 1


class BackupError(ArchiveError):
    """The backup cannot be taken or restored; the message says why."""


@dataclass
class Restored:
    items: int = 0
    originals: int = 0
    problems: list[str] = field(default_factory=list)


def _snapshot_catalog(archive, target: Path) -> None:
    catalog = archive.catalog
    if catalog.engine.dialect.name == "sqlite":
        source = sqlite3.connect(f"file:{catalog.engine.url.database}?mode=ro", uri=True)
        destination = sqlite3.connect(target)
        try:
            with destination:
                source.backup(destination)  # one read transaction: a snapshot, while writers go on
        finally:
            source.close()
            destination.close()
        return
    copy = Catalog(f"sqlite:///{target}")
    try:
        with catalog.writing():  # nothing commits between the first table copied and the last
            copy_catalog(catalog, copy)
    finally:
        copy.dispose()


def take(archive, dest: Path, *, originals: bool = False) -> dict:
    """Write a backup of ``archive`` into the new or empty folder ``dest``; returns its backup.json."""
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty; back up into a new folder")
    dest.mkdir(parents=True, exist_ok=True)
    _snapshot_catalog(archive, dest / "catalog.sqlite")
    snapshot = Catalog(f"sqlite:///{dest / 'catalog.sqlite'}")
    try:
        with snapshot.session() as s:
            items = s.scalar(select(func.count()).select_from(Item))
            shas = sorted(set(s.scalars(select(MediaFile.sha256))))
    finally:
        snapshot.dispose()
    lines = []
    for sha in shas:
        relative = archive.store.original_path(sha).relative_to(archive.store.root).as_posix()
        lines.append(f"{sha}  {relative}\n")
        if originals:
            target = dest / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(archive.store.original_path(sha), target)
            if sha256_file(target) != sha:
                raise BackupError(f"{archive.store.original_path(sha)} does not hash to its name: run heritage fixity")
    (dest / "originals.sha256").write_text("".join(lines), "utf-8")
    exhibits = archive.settings.data_path / "exhibits"
    if exhibits.is_dir():
        shutil.copytree(exhibits, dest / "exhibits")
    manifest = {"format": FORMAT, "taken": utc_stamp(datetime.now(timezone.utc)),
                "catalog": archive.catalog.engine.dialect.name, "items": items, "originals": len(shas),
                "originals_included": originals}
    (dest / "backup.json").write_text(json.dumps(manifest, indent=1), "utf-8")
    return manifest


def read_manifest(backup: Path) -> dict:
    try:
        manifest = json.loads((backup / "backup.json").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{backup}: not a backup of this archive (backup.json: {exc})") from None
    if manifest.get("format") != FORMAT or not (backup / "catalog.sqlite").is_file():
        raise BackupError(f"{backup}: not a backup this version can restore")
    return manifest


def restore_catalog(archive, backup: Path) -> None:
    """Put the backup's catalog in place as the (empty) archive's catalog: the file itself for SQLite, a copy into
    the configured database otherwise. Migrated to this version's schema afterwards, as any catalog is."""
    url = archive.settings.catalog_url
    with tempfile.TemporaryDirectory(dir=archive.settings.data_path) as tmp:
        working = Path(tmp) / "catalog.sqlite"
        shutil.copyfile(backup / "catalog.sqlite", working)
        if not archive.settings.database_url:
            target = archive.settings.data_path / "catalog.sqlite"
            if target.exists():
                raise BackupError(f"{target} exists: the catalog is not empty; restore into an empty data directory")
            Catalog(f"sqlite:///{working}").upgrade()
            shutil.move(working, target)
            return
        source = Catalog(f"sqlite:///{working}")
        target_catalog = Catalog(url)
        try:
            source.upgrade()
            copy_catalog(source, target_catalog)
        finally:
            source.dispose()
            target_catalog.dispose()


def restore_files(archive, backup: Path) -> Restored:
    """Originals (checked against originals.sha256) and exhibits into the archive's data directory."""
    manifest = read_manifest(backup)
    result = Restored(items=manifest["items"])
    for line in (backup / "originals.sha256").read_text("utf-8").splitlines():
        sha, relative = line.split("  ", 1)
        if manifest["originals_included"]:
            stored, _ = archive.store.put_original(backup / relative)
            if stored != sha:
                archive.store.discard(stored)
                result.problems.append(f"{relative}: hashes to {stored}, not {sha}")
                continue
        elif not archive.store.has_original(sha):
            result.problems.append(f"{relative}: not in the backup and not in the store; restore the store's own "
                                   "backup into DATA_DIR/store first")
            continue
        result.originals += 1
    if (backup / "exhibits").is_dir():
        shutil.copytree(backup / "exhibits", archive.settings.data_path / "exhibits", dirs_exist_ok=True)
    return result
