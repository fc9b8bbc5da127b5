"""Whole lists for machines (the JSON API), a page at a time: the items and collections a viewer may see in the order
they last changed, and the terms of a vocabulary in the order of its data file.

Paging is by keyset, not by offset: each page ends with an opaque cursor naming the place of its last entry in that
order, and the next page starts strictly after it. Items added, changed or hidden while a client walks the list
therefore never shift the others: an untouched entry comes exactly once, and a changed one moves to the end of the
order and comes again there (a client keeps the later copy). ``updated_since`` keeps what changed at or after a moment,
so a harvester that remembers the newest ``updated_at`` it saw asks only for what changed since.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from .access import Viewer, visible_condition, visible_techmd
from .catalog.models import Collection, Item, MediaFile, item_collections
from .catalog.service import item_record
from .errors import BadParameter, NotFound
from .vocabularies import NAMES, Vocabularies

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
MAX_CURSOR = 600  # characters; a cursor this archive gives out is far shorter


@dataclass(frozen=True)
class Slice:
    """One page of a list: plain JSON-ready entries, and the cursor of the next page (None on the last one)."""

    entries: list[dict]
    cursor: str | None


def stamp(moment: datetime) -> str:
    """A catalog time as RFC 3339 in UTC with microseconds (SQLite hands them back without their zone: UTC)."""
    utc = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
    return utc.isoformat(timespec="microseconds").replace("+00:00", "Z")


def encode_cursor(*key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, ensure_ascii=False).encode()).decode().rstrip("=")


def decode_cursor(raw: str | None, size: int) -> list[str] | None:
    """The key a cursor names (``size`` strings), None when there is none; BadParameter for anything else."""
    if not raw:
        return None
    try:
        if len(raw) > MAX_CURSOR:
            raise ValueError
        key = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        if not (isinstance(key, list) and len(key) == size and all(isinstance(part, str) for part in key)):
            raise ValueError
    except ValueError:  # bad base64, bytes that are not UTF-8, text that is not JSON, JSON of another shape
        raise BadParameter("cursor", "not a cursor of this list: use the link named next of a previous page") from None
    return key


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise BadParameter("cursor", "not a cursor of this list: use the link named next of a previous page")
    return moment.astimezone(timezone.utc)


def _after_change(column_at, column_id, cursor: str | None):
    """The keyset condition: strictly after (changed at, id) of the cursor, or no condition."""
    key = decode_cursor(cursor, 2)
    if key is None:
        return None
    at, last = _moment(key[0]), key[1]
    return or_(column_at > at, and_(column_at == at, column_id > last))


def _slice(rows: list, limit: int, entry, key) -> Slice:
    more = len(rows) > limit
    rows = rows[:limit]
    return Slice([entry(row) for row in rows], encode_cursor(*key(rows[-1])) if more else None)


def _window(query, updated, key, cursor: str | None, updated_since: datetime | None):
    """The query kept to what changed at or after ``updated_since`` and comes after the cursor's place."""
    if updated_since is not None:
        query = query.where(updated >= updated_since)
    after = _after_change(updated, key, cursor)
    return query if after is None else query.where(after)


def items(session: Session, viewer: Viewer, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None,
          updated_since: datetime | None = None) -> Slice:
    """The items the viewer may see (archive.access), each in the exchange format with its media (as
    /api/items/{id}) and ``updated_at``, oldest change first."""
    query = (select(Item).where(visible_condition(viewer))
             .options(selectinload(Item.files).selectinload(MediaFile.captions)))
    query = _window(query, Item.updated_at, Item.id, cursor, updated_since)
    rows = list(session.scalars(query.order_by(Item.updated_at, Item.id).limit(limit + 1)))

    def entry(item: Item) -> dict:
        return {**item_record(item, lambda techmd: visible_techmd(techmd, item, viewer)),
                "updated_at": stamp(item.updated_at)}

    return _slice(rows, limit, entry, lambda item: (stamp(item.updated_at), item.id))


def collections(session: Session, viewer: Viewer, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None,
                updated_since: datetime | None = None) -> Slice:
    """Every collection, with how many of its items the viewer may see, oldest change first."""
    counted = (select(item_collections.c.collection_id, func.count().label("count"))
               .join(Item, Item.id == item_collections.c.item_id).where(visible_condition(viewer))
               .group_by(item_collections.c.collection_id).subquery())
    query = select(Collection, func.coalesce(counted.c.count, 0)).outerjoin(
        counted, counted.c.collection_id == Collection.id)
    query = _window(query, Collection.updated_at, Collection.id, cursor, updated_since)
    rows = list(session.execute(query.order_by(Collection.updated_at, Collection.id).limit(limit + 1)))

    def entry(row) -> dict:
        c, count = row
        return {"id": c.id, "title": c.title, "description": c.description, "community": c.community,
                "count": count, "updated_at": stamp(c.updated_at)}

    return _slice(rows, limit, entry, lambda row: (stamp(row[0].updated_at), row[0].id))


def terms(vocab: Vocabularies, name: str, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None) -> Slice:
    """The terms of vocabulary ``name`` as its data file holds them, in the file's order."""
    if name not in NAMES:
        raise NotFound(f"no vocabulary {name!r}; there are {', '.join(NAMES)}")
    found = vocab.terms(name)
    start = 0
    key = decode_cursor(cursor, 1)
    if key is not None:
        ids = [term["id"] for term in found]
        if key[0] not in ids:
            raise BadParameter("cursor", "not a cursor of this list: use the link named next of a previous page")
        start = ids.index(key[0]) + 1
    return _slice(found[start:start + limit + 1], limit, dict, lambda term: (term["id"],))
