"""What OAI-PMH harvesters are offered: one harvest record per item that anonymous visitors can see or once could.

Every unit of work (archive.uow) passes the items it changed to ``record_changes`` before it commits: an item the
public may see gets the commit time as its datestamp; an item that was harvestable and no longer is (unpublished,
restricted, embargoed, deleted) is marked deleted, once, and stays so; an item never harvestable leaves no trace, so
drafts and restricted items are never even named. An embargo that ends changes nothing in the catalog: ``sync``
(run at start-up and each minute by the worker) offers such items from then on.

Records are listed in (datestamp, item id) order, so a harvest resumes after the last record it received, whatever
changed in between: a record changed during a harvest moves to the end and is sent again, none is skipped.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

from sqlalchemy import and_, delete, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from . import generation
from .access import public_filter, visible_to_public
from .catalog.models import Collection, HarvestRecord, HarvestSet, Item
from .labels import SET_KINDS, type_label

CHUNK = 500  # items per query when harvest records are brought up to date


def now() -> datetime:
    """The current datestamp: UTC, naive, whole seconds (the repository's granularity)."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def set_specs(item: Item) -> list[str]:
    specs = [f"type:{item.type}"]
    if item.community:
        specs.append(f"community:{item.community}")
    specs += [f"collection:{c.id}" for c in item.collections]
    return specs


def record_changes(session: Session, item_ids: Iterable[str], at: datetime | None = None) -> None:
    """Bring the harvest records of these items in line with the catalog as it stands in ``session`` (a few
    queries per chunk of items, whatever their number: this runs in every unit of work)."""
    at = at or now()
    ids = list(item_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        items = {item.id: item for item in session.scalars(
            select(Item).where(Item.id.in_(chunk)).options(selectinload(Item.collections)))}
        rows = {row.item_id: row for row in session.scalars(
            select(HarvestRecord).where(HarvestRecord.item_id.in_(chunk)))}
        shown = [items[i] for i in chunk if i in items and visible_to_public(items[i])]
        session.execute(delete(HarvestSet).where(HarvestSet.item_id.in_([item.id for item in shown])))
        for item in shown:
            row = rows.get(item.id)
            if row is None:
                row = rows[item.id] = HarvestRecord(item_id=item.id)
                session.add(row)
            row.datestamp, row.deleted = at, False
            session.add_all(HarvestSet(item_id=item.id, spec=spec) for spec in set_specs(item))
        for item_id in set(chunk) - {item.id for item in shown}:
            if (row := rows.get(item_id)) is not None and not row.deleted:
                row.datestamp, row.deleted = at, True


def sync(archive) -> int:
    """Offer the items whose embargo has ended since their last change, and mark deleted any harvest record whose
    item the public can no longer see (the catalog changed behind the units of work); returns how many changed."""
    with archive.catalog.writing() as session:
        offered = select(HarvestRecord.item_id).where(HarvestRecord.deleted.is_(False))
        newly_public = session.scalars(select(Item.id).where(public_filter(), Item.id.not_in(offered)))
        hidden = session.scalars(select(HarvestRecord.item_id).where(
            HarvestRecord.deleted.is_(False),
            ~exists().where(Item.id == HarvestRecord.item_id, public_filter())))
        changed = sorted(set(newly_public) | set(hidden))
        record_changes(session, changed)
        if changed:  # an ended embargo shows the item on pages too
            generation.bump(session)
    return len(changed)


@dataclass(frozen=True)
class Entry:
    """One record as a harvester sees it: ``item`` is None for a deleted record."""

    item_id: str
    datestamp: datetime
    sets: tuple[str, ...]
    item: Item | None

    @property
    def deleted(self) -> bool:
        return self.item is None


@dataclass(frozen=True)
class Selection:
    """A ListRecords/ListIdentifiers request's bounds: datestamps within [since, until] (inclusive), in a set."""

    since: datetime | None = None
    until: datetime | None = None
    spec: str | None = None

    def conditions(self) -> list:
        parts = []
        if self.since is not None:
            parts.append(HarvestRecord.datestamp >= self.since)
        if self.until is not None:
            parts.append(HarvestRecord.datestamp <= self.until)
        if self.spec is not None:
            parts.append(exists().where(HarvestSet.item_id == HarvestRecord.item_id,
                                        or_(HarvestSet.spec == self.spec, HarvestSet.spec.startswith(self.spec + ":"))))
        return parts


def count(session: Session, selection: Selection) -> int:
    return session.scalar(select(func.count()).select_from(HarvestRecord).where(*selection.conditions()))


def page(session: Session, selection: Selection, after: tuple[datetime, str] | None, limit: int) -> list[Entry]:
    """Up to ``limit`` records of the selection after the (datestamp, item id) ``after``, in that order."""
    query = select(HarvestRecord).where(*selection.conditions())
    if after is not None:
        query = query.where(or_(HarvestRecord.datestamp > after[0],
                                and_(HarvestRecord.datestamp == after[0], HarvestRecord.item_id > after[1])))
    rows = list(session.scalars(query.order_by(HarvestRecord.datestamp, HarvestRecord.item_id).limit(limit)))
    return _entries(session, rows)


def get(session: Session, item_id: str) -> Entry | None:
    """The record of one item; None for an item never offered to harvesters (or unknown)."""
    row = session.get(HarvestRecord, item_id)
    return _entries(session, [row])[0] if row is not None else None


def _entries(session: Session, rows: list[HarvestRecord]) -> list[Entry]:
    ids = [row.item_id for row in rows]
    items = {item.id: item for item in session.scalars(
        select(Item).where(Item.id.in_(ids)).options(selectinload(Item.collections)))}
    specs: dict[str, list[str]] = {}
    for item_id, spec in session.execute(select(HarvestSet.item_id, HarvestSet.spec)
                                         .where(HarvestSet.item_id.in_(ids)).order_by(HarvestSet.spec)):
        specs.setdefault(item_id, []).append(spec)
    entries = []
    for row in rows:
        item = items.get(row.item_id)
        # The access decision is asked again here: nothing the public may not see leaves, whatever the row says.
        shown = item if not row.deleted and item is not None and visible_to_public(item) else None
        entries.append(Entry(row.item_id, row.datestamp, tuple(specs.get(row.item_id, ())), shown))
    return entries


def earliest(session: Session) -> datetime:
    return session.scalar(select(func.min(HarvestRecord.datestamp))) or now()


@dataclass(frozen=True)
class Set:
    spec: str
    names: dict[str, str]  # language → name


def sets(session: Session, vocab) -> list[Set]:
    """Every set with something in it (deleted records included), under its kind: ``community``, ``community:cham``…"""
    specs = sorted(session.scalars(select(HarvestSet.spec).distinct()))
    collections = {c.id: c.title for c in session.scalars(select(Collection))}
    found = []
    for kind, kind_names in SET_KINDS.items():
        members = [s for s in specs if s.startswith(kind + ":")]
        if not members:
            continue
        found.append(Set(kind, kind_names))
        for spec in members:
            value = spec.split(":", 1)[1]
            if kind == "community":
                term = vocab.get("communities", value)
                names = dict(term["label"]) if term else {"en": value}
            elif kind == "collection":
                names = dict(collections.get(value) or {"en": value})
            else:
                names = type_label(value)
            found.append(Set(spec, names))
    return found
