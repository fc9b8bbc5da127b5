"""Copying a catalog into another database (``heritage migrate-catalog --to URL``): typically the embedded SQLite
catalog into an empty PostgreSQL one when an archive outgrows one machine.

The target is migrated to the newest schema first and must hold no rows. Tables are copied parents first, in chunks;
PostgreSQL's id sequences are then moved past the copied ids. Afterwards each table's rows are read back from both
sides and compared by count and by a SHA-256 over their values in primary-key order, so a copy that differs in any
value is reported, table by table.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Iterator

from sqlalchemy import DateTime, Integer, delete, func, insert, select, text

from ..errors import ArchiveError
from .db import Catalog
from .models import Base

CHUNK = 1000


class CopyError(ArchiveError):
    """The copy cannot start (a target that is not empty) or its check found differences."""


@dataclass(frozen=True)
class TableCheck:
    table: str
    rows: int
    sha256: str


SEEDED = {"generation"}  # tables whose rows the migrations make: the copy replaces them


def _canonical(value):
    """A value as both databases give it back: times in UTC without a zone, JSON as sorted text."""
    if isinstance(value, datetime):
        return (value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def _rows(catalog: Catalog, table) -> Iterator[dict]:
    order = list(table.primary_key.columns)
    with catalog.engine.connect() as conn:
        for row in conn.execution_options(yield_per=CHUNK).execute(select(table).order_by(*order)):
            yield dict(row._mapping)


def check(catalog: Catalog) -> list[TableCheck]:
    """Each table's row count and SHA-256 of its canonical rows in primary-key order."""
    checks = []
    for table in Base.metadata.sorted_tables:
        digest, count = hashlib.sha256(), 0
        for row in _rows(catalog, table):
            digest.update(json.dumps([_canonical(row[c.name]) for c in table.columns], ensure_ascii=False,
                                     default=str).encode())
            count += 1
        checks.append(TableCheck(table.name, count, digest.hexdigest()))
    return checks


def _for_target(table, row: dict) -> dict:
    """SQLite hands back zone-less times for DateTime(timezone=True) columns: they were written in UTC."""
    for column in table.columns:
        value = row[column.name]
        if isinstance(column.type, DateTime) and column.type.timezone and isinstance(value, datetime) \
                and value.tzinfo is None:
            row[column.name] = value.replace(tzinfo=timezone.utc)
    return row


def copy_catalog(source: Catalog, target: Catalog) -> list[TableCheck]:
    """Copy every row of ``source`` into the empty ``target`` and verify; returns the checks (equal on both)."""
    target.upgrade()
    with target.engine.connect() as conn:
        filled = [t.name for t in Base.metadata.sorted_tables
                  if t.name not in SEEDED and conn.execute(select(func.count()).select_from(t)).scalar()]
    if filled:
        raise CopyError(f"the target catalog is not empty (rows in {', '.join(filled)}); copy into a new database")
    with target.engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in SEEDED:
                conn.execute(delete(table))
            batch = []
            for row in _rows(source, table):
                batch.append(_for_target(table, row))
                if len(batch) == CHUNK:
                    conn.execute(insert(table), batch)
                    batch = []
            if batch:
                conn.execute(insert(table), batch)
        if target.engine.dialect.name == "postgresql":
            for table in Base.metadata.sorted_tables:
                keys = list(table.primary_key.columns)
                if len(keys) == 1 and isinstance(keys[0].type, Integer) and keys[0].autoincrement:
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{keys[0].name}'), "
                                      f"COALESCE((SELECT MAX({keys[0].name}) FROM {table.name}), 0) + 1, false)"))
    ours, theirs = check(source), check(target)
    differences = [f"{a.table}: {a.rows} rows here, {b.rows} there" if a.rows != b.rows else
                   f"{a.table}: the same {a.rows} rows, different values"
                   for a, b in zip(ours, theirs) if a != b]
    if differences:
        raise CopyError("the copy differs from the catalog: " + "; ".join(differences))
    return ours
