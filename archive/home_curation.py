"""The home page's featured exhibits and items, in the order editors chose (the staff page /staff/home).

Each save is a new numbered row (``home_curations``), compare-and-set on the number the editor opened, audited
(``home_curate``, target ``home``) and committed with a raised catalog generation in one unit of work, so the
cached home page follows at once. Nothing saved yet (version 0): the home page keeps its old behaviour.

An entry must name an exhibit or item in the archive; one the public may not see (a draft exhibit, an unpublished,
restricted or embargoed item) is accepted, since it may be published later, and shown as such on the staff page;
the home page shows each visitor only the entries they may see (archive.access), in the chosen order.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .access import Viewer, can_curate_home, can_view, visible_exhibit_statuses
from .catalog import versioning
from .catalog.models import Exhibit, HomeCuration, Item
from .errors import Forbidden, InvalidRecord, Problem
from .uow import unit_of_work

MAX_ENTRIES = 12  # of each kind: a home page, not a catalogue
LISTS = ("exhibits", "items")
WHAT = "the home page's choice"  # as a Conflict names it


@dataclass(frozen=True)
class Curation:
    exhibits: tuple[str, ...]
    items: tuple[str, ...]
    version: int  # 0: nothing chosen yet
    username: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class Entry:
    """A featured exhibit or item as the staff page lists it."""

    key: str  # exhibit slug or item id
    title: dict  # by language; empty when the entry is gone
    public: bool  # anonymous visitors see it on the home page
    status: str | None  # draft | published; None when the exhibit or item is no longer in the archive


NOTHING = Curation((), (), 0)


def _latest(session: Session) -> HomeCuration | None:
    return session.scalars(select(HomeCuration).order_by(HomeCuration.number.desc()).limit(1)).first()


def _curation(row: HomeCuration | None) -> Curation:
    if row is None:
        return NOTHING
    return Curation(tuple(row.exhibits), tuple(row.items), row.number, row.username, row.at)


def current(session: Session) -> Curation:
    return _curation(_latest(session))


def _problems(session: Session, exhibits: list, items: list) -> list[Problem]:
    problems = []
    for name, entries, model, noun in (("exhibits", exhibits, Exhibit, "exhibit"), ("items", items, Item, "item")):
        if len(entries) > MAX_ENTRIES:
            problems.append(Problem(name, f"at most {MAX_ENTRIES} featured {name}, not {len(entries)}"))
        seen = set()
        for n, key in enumerate(entries):
            where = f"{name}[{n}]"
            if not isinstance(key, str) or not key.strip():
                problems.append(Problem(where, f"an {noun} is named by a non-empty text, not {key!r}"))
            elif key in seen:
                problems.append(Problem(where, f"{noun} {key!r} is already featured"))
            elif session.get(model, key) is None:
                problems.append(Problem(where, f"no {noun} {key!r} in the archive"))
            if isinstance(key, str):
                seen.add(key)
    return problems


def save(archive, actor: Viewer, exhibits: list[str], items: list[str], *, expected_version: int) -> int:
    """Feature these exhibits and items in this order; returns the new version (the same one if nothing changed).
    Forbidden below editor; InvalidRecord naming every bad entry; Conflict if another save came since
    ``expected_version``."""
    if not can_curate_home(actor):
        raise Forbidden("only editors and administrators choose what the home page features")
    exhibits, items = list(exhibits), list(items)
    with archive.catalog.session() as s:
        problems = _problems(s, exhibits, items)
        before = current(s)
    if problems:
        raise InvalidRecord(problems, "home page")
    versioning.check(WHAT, before, expected_version)
    if (list(before.exhibits), list(before.items)) == (exhibits, items):
        return before.version
    number = before.version + 1
    with unit_of_work(archive) as work:  # changes run one after the other (Catalog.writing): check again inside
        versioning.check(WHAT, current(work.session), expected_version)
        work.session.add(HomeCuration(number=number, exhibits=exhibits, items=items, user_id=actor.user_id,
                                      username=actor.username))
        work.audit(actor, "home_curate", "home", {"version": number, "exhibits": exhibits, "items": items,
                                                  "before": {"exhibits": list(before.exhibits),
                                                             "items": list(before.items)}})
    return number


def review(archive) -> tuple[Curation, list[Entry], list[Entry]]:
    """The choice in force and its exhibits and items as the staff page shows them."""
    with archive.catalog.session() as s:
        chosen = current(s)
        exhibits = []
        for slug in chosen.exhibits:
            row = s.get(Exhibit, slug)
            exhibits.append(Entry(slug, {}, False, None) if row is None else
                            Entry(slug, dict(row.content.get("title", {})), row.status == "published", row.status))
        items = []
        for item_id in chosen.items:
            item = s.get(Item, item_id)
            items.append(Entry(item_id, {}, False, None) if item is None else
                         Entry(item_id, dict(item.record.get("title", {})), can_view(item, Viewer.ANONYMOUS),
                               item.status))
    return chosen, exhibits, items


def choices(archive) -> list[Entry]:
    """Every exhibit, for the staff page's list to add from."""
    with archive.catalog.session() as s:
        return [Entry(row.slug, dict(row.content.get("title", {})), row.status == "published", row.status)
                for row in s.scalars(select(Exhibit).order_by(Exhibit.position, Exhibit.slug))]


def featured(session: Session, viewer: Viewer) -> tuple[Curation, list[str], list[str]]:
    """The choice in force and, of its exhibit slugs and item ids, those the viewer may see, in the chosen order."""
    chosen = current(session)
    statuses = visible_exhibit_statuses(viewer)
    exhibits = [slug for slug in chosen.exhibits if (row := session.get(Exhibit, slug)) is not None
                and (statuses is None or row.status in statuses)]
    items = [item_id for item_id in chosen.items if (item := session.get(Item, item_id)) is not None
             and can_view(item, viewer)]
    return chosen, exhibits, items
