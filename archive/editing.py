"""Describing items: edits validated like imports, every change saved as a numbered version (who, when, what),
history, revert, staff listings, and CSV batch edit. Each change is one unit of work (archive.uow): committed
with its audit entry and its index update together; saves are compare-and-set on the item's version."""
from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from search.request import SearchRequest

from .access import Viewer, scope, visible_condition
from .catalog import service, versioning
from .catalog.models import Item, ItemVersion, Job
from .context import Archive
from .errors import Forbidden, InvalidRecord, NotFound, Problem
from .exchange import CSV_FIELDS, ExchangeError, language_column, read_csv, write_csv
from .ocr_text import queue_pages
from .records import validate_record
from .report import Rejection, Summary
from .uow import unit_of_work

# Parts of the record only editors and administrators may change (archive.publishing.set_access is their door).
ACCESS_FIELDS = ("access", "sensitivity_note", "location_public")


@dataclass(frozen=True)
class MediaSummary:
    kind: str
    original_name: str
    sha256: str
    size: int
    mime: str
    derivatives: dict | None


@dataclass(frozen=True)
class EditableItem:
    id: str
    type: str
    record: dict
    status: str
    access: str
    embargo_until: date | None
    version: int
    media: list[MediaSummary] = field(default_factory=list)


@dataclass(frozen=True)
class ItemRow:
    id: str
    type: str
    title: dict
    status: str
    access: str
    embargo_until: date | None
    updated_at: datetime


@dataclass(frozen=True)
class ItemList:
    rows: list[ItemRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class Version:
    number: int
    record: dict
    status: str
    access: str
    embargo_until: date | None
    action: str
    username: str | None
    at: datetime
    changed: tuple[str, ...] = ()  # record fields (and "captions") that differ from the previous version
    captions: list[dict] | None = None  # the caption files at this version (caption_files); None: not kept then


def caption_files(item: Item) -> list[dict]:
    """The item's caption and transcript files as a version keeps them: per media file (in file order) and
    language."""
    return [{"media": media.sha256, "media_name": media.original_name, "language": caption.language,
             "sha256": caption.sha256, "name": caption.original_name}
            for media in item.media for caption in sorted(media.captions, key=lambda c: c.language or "")]


def require_staff(actor: Viewer) -> None:
    if not actor.is_staff:
        raise Forbidden("only staff can describe items")


def _has_versions(session: Session, item_id: str) -> bool:
    return session.scalar(select(ItemVersion.id).where(ItemVersion.item_id == item_id).limit(1)) is not None


def save_version(session: Session, item: Item, action: str, actor: Viewer | None, *,
                 expected: int | None = None) -> int:
    """Record the item's present state as its next version, compare-and-set: only while the item is still at version
    ``expected`` (by default the version it was loaded at), in one conditional UPDATE; Conflict if another save came
    first."""
    number = versioning.advance(session, item, f"item {item.id}", expected)
    session.add(ItemVersion(item_id=item.id, number=number, record=dict(item.record), status=item.status,
                            access=item.access, embargo_until=item.embargo_until, action=action,
                            captions=caption_files(item),
                            user_id=getattr(actor, "user_id", None), username=getattr(actor, "username", None)))
    return number


def ensure_first_version(session: Session, item: Item) -> None:
    """Items created by ingest or import get their version 1 (their state as created) when first changed: call it
    before changing the item."""
    if not _has_versions(session, item.id):
        session.add(ItemVersion(item_id=item.id, number=1, record=dict(item.record), status=item.status,
                                access=item.access, embargo_until=item.embargo_until, action="create",
                                captions=caption_files(item)))
        session.flush()


def item_for_edit(archive: Archive, item_id: str) -> EditableItem:
    with archive.catalog.session() as s:
        item = service.get_item(s, item_id)
        return EditableItem(
            id=item.id, type=item.type, record=dict(item.record), status=item.status, access=item.access,
            embargo_until=item.embargo_until, version=item.version,
            media=[MediaSummary(m.kind, m.original_name, m.sha256, m.size, m.mime, m.derivatives) for m in item.media])


def _listing(viewer: Viewer, status: str | None, actor_id: int | None, matching: list[str] | None):
    query = select(Item).where(visible_condition(viewer))
    if status:
        query = query.where(Item.status == status)
    if actor_id is not None:
        by_versions = select(ItemVersion.item_id).where(ItemVersion.user_id == actor_id)
        by_uploads = select(Job.item_id).where(Job.user_id == actor_id, Job.item_id.is_not(None))
        query = query.where(or_(Item.id.in_(by_versions), Item.id.in_(by_uploads)))
    if matching is not None:
        query = query.where(Item.id.in_(matching))
    return query


def _matching(archive: Archive, viewer: Viewer, q: str | None) -> list[str] | None:
    """Ids found for ``q`` by the search index (diacritic-insensitive, every language, the site's query language),
    plus the item whose id ``q`` is; None when there is no query."""
    if not q or not q.strip():
        return None
    request = SearchRequest(q=q, scope=scope(viewer), with_facets=False)
    return [q.strip(), *archive.search.matching_ids(request)]


def list_items(archive: Archive, viewer: Viewer, *, status: str | None = None, actor_id: int | None = None,
               q: str | None = None, page: int = 1, per_page: int = 50) -> ItemList:
    """Items the viewer may see, most recently changed first (the staff lists); ``actor_id``: items uploaded or
    changed by that user; ``q``: a search query."""
    query = _listing(viewer, status, actor_id, _matching(archive, viewer, q))
    with archive.catalog.session() as s:
        total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
        items = s.scalars(query.order_by(Item.updated_at.desc(), Item.id).limit(per_page)
                          .offset((page - 1) * per_page))
        rows = [ItemRow(i.id, i.type, i.record.get("title", {}), i.status, i.access, i.embargo_until, i.updated_at)
                for i in items]
    return ItemList(rows, total, page, per_page)


def list_item_ids(archive: Archive, viewer: Viewer, *, status: str | None = None) -> list[str]:
    with archive.catalog.session() as s:
        return list(s.scalars(_listing(viewer, status, None, None).with_only_columns(Item.id).order_by(Item.id)))


def _validated(archive: Archive, s: Session, item: Item, record: dict, actor: Viewer, source: str) -> dict:
    """The record checked like an import. A record without an access level keeps the item's (a description never
    makes an item public by leaving the level out); only editors and administrators may change the access fields."""
    record = {k: v for k, v in record.items() if k not in ("id", "status", "media")}
    record.setdefault("access", item.access)
    record = validate_record(record, archive.vocab, collections=service.collection_ids(s), source=source)
    if not actor.can_publish:
        current = {"access": item.access, "sensitivity_note": item.record.get("sensitivity_note"),
                   "location_public": item.record.get("location_public")}
        changed = [k for k in ACCESS_FIELDS if record.get(k) != current[k]]
        if changed:
            raise InvalidRecord([Problem(k, "only editors and administrators can change this") for k in changed],
                                source)
    return record


@dataclass(frozen=True)
class Saved:
    version: int  # the version now current
    new: bool  # False: nothing had changed, no version was made
    captions_not_restored: list[str] = field(default_factory=list)  # a revert's caption files that cannot come back
    ocr_queued: int = 0  # images queued for OCR because the change made the item want it (a type, its scripts)


def _save(archive: Archive, item_id: str, record: dict, actor: Viewer, *, expected_version: int | None,
          action: str, details: dict, source: str = "", captions: list[dict] | None = None) -> Saved:
    """Validate and commit a new version in one unit of work (audited, queued for the index). ``expected_version``:
    Conflict unless the item is still at it. ``captions`` (a version's caption_files): the caption files to restore
    with the record."""
    require_staff(actor)
    with unit_of_work(archive) as work:
        s = work.session
        item = service.get_item(s, item_id)
        record = _validated(archive, s, item, record, actor, source)
        versioning.check(f"item {item_id}", item, expected_version)
        restore_captions = captions is not None and captions != caption_files(item)
        if service.same_record(item, record) and not restore_captions:
            return Saved(item.version, False)
        seen = item.version
        ensure_first_version(s, item)
        before = {"type": item.type, **item.record}
        service.apply_record(s, item, record)
        after = {"type": item.type, **item.record}
        changed = sorted(k for k in {*before, *after} if before.get(k) != after.get(k))
        lost = _restore_captions(archive, s, item, captions) if restore_captions else []
        queued = queue_pages(s, item)  # now a document, or naming the scripts it shows: its images are read
        if restore_captions:
            details = {**details, "captions_not_restored": lost}
            changed.append("captions")
        number = save_version(s, item, action, actor, expected=seen)
        work.audit(actor, action, f"item:{item_id}", {"version": number, "fields": changed, **details})
        work.reindex(item_id)
    return Saved(number, True, lost, queued)


def _restore_captions(archive: Archive, session: Session, item: Item, wanted: list[dict]) -> list[str]:
    """Make the item's caption files those a version kept (caption_files): the files are still in the store, since
    replacing or removing captions never deletes one. Returns the names of those that cannot come back: their
    recording is no longer the item's, their file has since been given to another item, or it is missing from the
    store (heritage fixity says why)."""
    by_media = {m.sha256: m for m in item.media}
    want = {(c["media"], c["language"]): c for c in wanted}
    for media in item.media:
        for caption in list(media.captions):
            kept = want.get((media.sha256, caption.language))
            if kept is None or kept["sha256"] != caption.sha256:
                service.detach_caption(item, media, caption)
    session.flush()  # the detached rows are gone before any file comes back
    elsewhere = service.media_by_sha(session, [c["sha256"] for c in wanted])
    lost = []
    for (media_sha, language), c in want.items():
        media = by_media.get(media_sha)
        if media is not None and any(x.language == language for x in media.captions):
            continue  # the same file is there already
        path = archive.store.original_path(c["sha256"])
        if media is None or c["sha256"] in elsewhere or not path.is_file():
            lost.append(c["name"])
            continue
        service.attach_caption(item, media, sha256=c["sha256"], size=path.stat().st_size, name=c["name"],
                               language=language)
    return lost


def update_item(archive: Archive, item_id: str, record: dict, actor: Viewer, *,
                expected_version: int | None = None) -> Saved:
    """Save a new description; returns the version now current (unchanged, not ``new``, if nothing changed).

    ``expected_version``: the version the editor opened; Conflict if someone saved another since."""
    return _save(archive, item_id, record, actor, expected_version=expected_version, action="edit", details={})


def history(archive: Archive, item_id: str) -> list[Version]:
    """Oldest first; an item never changed has one version, its present state."""
    with archive.catalog.session() as s:
        item = service.get_item(s, item_id)
        rows = list(s.scalars(select(ItemVersion).where(ItemVersion.item_id == item_id).order_by(ItemVersion.number)))
        if not rows:
            return [Version(1, dict(item.record), item.status, item.access, item.embargo_until, "create", None,
                            item.created_at, captions=caption_files(item))]
        versions, previous = [], None
        for v in rows:
            changed = () if previous is None else tuple(sorted(
                k for k in {*previous.record, *v.record} if previous.record.get(k) != v.record.get(k)))
            if previous is not None and None not in (previous.captions, v.captions) and previous.captions != v.captions:
                changed += ("captions",)
            versions.append(Version(v.number, v.record, v.status, v.access, v.embargo_until, v.action, v.username,
                                    v.at, changed, v.captions))
            previous = v
        return versions


def revert(archive: Archive, item_id: str, number: int, actor: Viewer) -> Saved:
    """Restore the description and the caption files of version ``number`` as a new version (publication state and
    embargo are left as they are; for contributors, so are the access fields)."""
    require_staff(actor)
    with archive.catalog.session() as s:
        old = s.scalar(select(ItemVersion).where(ItemVersion.item_id == item_id, ItemVersion.number == number))
        if old is None:
            raise NotFound(f"item {item_id!r} has no version {number}")
        record = dict(old.record)
        item = service.get_item(s, item_id)
        if not actor.can_publish:
            for key in ACCESS_FIELDS:
                record.pop(key, None)
                if key in item.record:
                    record[key] = item.record[key]
    return _save(archive, item_id, record, actor, expected_version=None, action="revert", details={"restored": number},
                 captions=old.captions)


def export_csv(archive: Archive, item_ids: list[str]) -> str:
    """The items in the PRODUCT.md §3 CSV columns (language maps as title_vi, title_en…; lists joined by ';')."""
    with archive.catalog.session() as s:
        records = [(i.id, i.type, dict(i.record))
                   for i in s.scalars(select(Item).where(Item.id.in_(item_ids)).order_by(Item.id))]
    return write_csv(records)


def _merge(record: dict, data: dict, columns: list[str]) -> dict:
    """The record with the CSV's columns applied: a column present in the file sets its field, or clears it when the
    cell is empty; fields without a column are kept."""
    merged = {k: (dict(v) if isinstance(v, dict) else v) for k, v in record.items()}
    for column in (c.strip() for c in columns):
        if language := language_column(column):
            key, tag = language
            values = merged.setdefault(key, {})
            values.pop(tag, None)
            values.update({tag: data[key][tag]} if tag in data.get(key, {}) else {})
            if not values:
                del merged[key]
        elif column in CSV_FIELDS or column == "type":
            merged.pop(column, None)
            if column in data:
                merged[column] = data[column]
    return merged


def import_csv(archive: Archive, data: bytes | str | Path, actor: Viewer, *, source: str | None = None) -> Summary:
    """Apply a batch-edit CSV (as export_csv writes it): every row names an existing item by ``id``; each changed
    row becomes a new version. Rows with problems are rejected with their reasons; the others still go through.

    ``data``: the file's bytes or text, or its path; ``source``: the file name shown in rejections."""
    require_staff(actor)
    if isinstance(data, Path):
        source, data = source or data.name, data.read_bytes()
    source = Path(source or "batch.csv").name
    raw = data.encode("utf-8") if isinstance(data, str) else data
    summary = Summary()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / source
        path.write_bytes(raw)
        try:  # the reader of import-records, so the same columns mean the same and bad files get the same errors
            rows = list(read_csv(path, with_files=False))
        except ExchangeError as exc:
            summary.rejected.append(Rejection(source, [exc.reason]))
            return summary
    columns = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))), [])
    for row in rows:
        item_id = row.data.get("id")
        if row.problems or not item_id:
            summary.rejected.append(Rejection(row.source, [str(p) for p in row.problems] or
                                              ["id: give the id of the item to change"]))
            continue
        try:
            current = item_for_edit(archive, item_id)
            saved = _save(archive, item_id, _merge(current.record, row.data, columns), actor,
                          expected_version=None, action="edit", details={"source": source}, source=row.source).new
        except InvalidRecord as exc:
            summary.rejected.append(Rejection(row.source, [str(p) for p in exc.problems]))
            continue
        except NotFound as exc:
            summary.rejected.append(Rejection(row.source, [f"id: {exc}"]))
            continue
        (summary.updated if saved else summary.unchanged).append(item_id)
    return summary
