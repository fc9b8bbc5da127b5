"""``heritage import-records``: metadata-only records from CSV or JSON Lines, and collections from JSON."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlalchemy import select

from .catalog import service
from .catalog.models import Item, item_collections
from .context import Archive
from .errors import InvalidRecord
from .exchange import ExchangeError, read_records
from .records import validate_record
from .report import Rejection, Summary
from .text import clean
from .uow import unit_of_work

BATCH = 500  # records per transaction: a crash loses at most the batch in flight, never half a record


def import_records(archive: Archive, path: Path) -> Summary:
    summary = Summary()
    try:
        rows = read_records(path)
        with archive.catalog.session() as s:
            collections = service.collection_ids(s)
        seen: dict[str, str] = {}
        batch = []
        for row in rows:
            reasons = [str(p) for p in row.problems]
            record = None
            if not reasons:
                try:
                    record = validate_record(row.data, archive.vocab, collections=collections)
                except InvalidRecord as exc:
                    reasons = [str(p) for p in exc.problems]
            if record and "id" in record:
                if record["id"] in seen:
                    reasons.append(f"id: duplicate identifier {record['id']!r} (also {seen[record['id']]})")
                seen.setdefault(record["id"], row.source)
            if reasons:
                summary.rejected.append(Rejection(row.source, reasons))
                continue
            batch.append((row.source, record))
            if len(batch) >= BATCH:
                _save(archive, batch, summary)
                batch = []
        _save(archive, batch, summary)
    except ExchangeError as exc:
        summary.rejected.append(Rejection(str(path), [exc.reason]))
    return summary


def fingerprint(record: dict) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _save(archive: Archive, batch: list[tuple[str, dict]], summary: Summary) -> None:
    new, updated = len(summary.new), len(summary.updated)
    with unit_of_work(archive) as work:
        s = work.session
        for source, record in batch:
            if "id" in record:
                item = s.get(Item, record["id"])
            else:
                fp = fingerprint(record)
                if s.scalar(select(Item.id).where(Item.fingerprint == fp)):
                    summary.unchanged.append(source)
                    continue
                item = None
            if item is None:
                item = service.create_item(s, record)
                item.fingerprint = None if "id" in record else fp
                summary.new.append(item.id)
            elif not service.same_record(item, record):
                service.apply_record(s, item, record)
                summary.updated.append(item.id)
            else:
                summary.unchanged.append(source)
        work.reindex(*summary.new[new:], *summary.updated[updated:])


def import_collections(archive: Archive, path: Path) -> Summary:
    """Collections from a JSON list of {id, title{vi,en}, description{…}, community}."""
    summary = Summary()
    try:
        data = json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        summary.rejected.append(Rejection(str(path), [f"not a UTF-8 JSON file: {exc}"]))
        return summary
    with unit_of_work(archive) as work:
        s = work.session
        for i, entry in enumerate(data if isinstance(data, list) else []):
            source = f"{path.name}[{i}]"
            problems = []
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not isinstance(
                    entry.get("title"), dict) or not ({"vi", "en"} & set(entry["title"])):
                problems.append("needs an id and a title with vi or en")
            elif entry.get("community") and (reason := archive.vocab.unknown("communities", entry["community"])):
                problems.append(reason)
            if problems:
                summary.rejected.append(Rejection(source, problems))
                continue
            entry = {**entry, "id": clean(entry["id"])}
            service.upsert_collection(s, entry)
            summary.new.append(entry["id"])
            # the collection's title is part of its items' search documents
            work.reindex(*s.scalars(select(item_collections.c.item_id)
                                    .where(item_collections.c.collection_id == entry["id"])))
    return summary
