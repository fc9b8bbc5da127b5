"""Exhibits kept in the catalog: create, save (compare-and-set on the version, like items in archive.editing),
publish and unpublish, list versions, compare two, restore one. Every change is one unit of work (archive.uow):
the new version, its audit entry (target ``exhibit:<slug>``) and a raised catalog generation commit together, so
cached pages show it at once. Who may do what is decided in archive.access.

Pages read exhibits through ``listing`` and ``page`` (archive.exhibit_pages renders the blocks for a viewer).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .access import Viewer, can_change_exhibit, can_draft_exhibit, can_publish_exhibit, visible_exhibit_statuses
from .catalog import versioning
from .catalog.models import Exhibit, ExhibitVersion, Item, MediaFile
from .errors import Conflict, Forbidden, InvalidRecord, NotFound, Problem
from .exhibit_model import diff, parse_region, target, validate_content
from .exhibits import ExhibitError, content_of, markdown_of, read_directory
from .labels import SITE_LANGS
from .uow import unit_of_work


@dataclass(frozen=True)
class StoredExhibit:
    slug: str
    status: str
    content: dict
    version: int
    updated_at: datetime


@dataclass(frozen=True)
class VersionInfo:
    number: int
    status: str
    action: str
    note: str | None
    username: str | None
    at: datetime
    content: dict


def _stored(row: Exhibit) -> StoredExhibit:
    return StoredExhibit(row.slug, row.status, dict(row.content), row.version, row.updated_at)


def _row(session: Session, slug: str) -> Exhibit:
    row = session.get(Exhibit, slug)
    if row is None:
        raise NotFound(f"no exhibit {slug!r}")
    return row


def _may_change(actor: Viewer, row: Exhibit | None) -> None:
    if not can_draft_exhibit(actor):
        raise Forbidden("only staff can write exhibits")
    if row is not None and not can_change_exhibit(actor, row.status):
        raise Forbidden(f"exhibit {row.slug} is published: only editors and administrators can change it")


def _item_problems(session: Session, content: dict) -> list[Problem]:
    """References to no item, regions on items without an image, clips on items without audio or video."""
    problems = []

    def kinds_of(ref: str) -> set[str] | None:
        key, value = target(ref)
        if key == "id":
            owners = select(Item.id).where(Item.id == value)
        else:
            column = MediaFile.original_name if key == "file" else MediaFile.sha256
            owners = select(MediaFile.item_id).where(column == value, MediaFile.parent_id.is_(None)).limit(1)
        item_id = session.scalar(owners)
        if item_id is None:
            return None
        return set(session.scalars(select(MediaFile.kind).where(MediaFile.item_id == item_id,
                                                                 MediaFile.parent_id.is_(None))))

    def check(ref: str, where: str, block: dict | None = None) -> None:
        kinds = kinds_of(ref)
        if kinds is None:
            problems.append(Problem(where, f"no item {ref!r} in the archive"))
        elif block and block.get("region") and "image" not in kinds:
            problems.append(Problem(where.replace(".item", ".region"), f"item {ref!r} has no image to take a "
                                                                        "region of"))
        elif block and ("start" in block or "end" in block) and not kinds & {"audio", "video"}:
            problems.append(Problem(where.replace(".item", ".start"), f"item {ref!r} has no audio or video to clip"))

    if content.get("cover"):
        check(content["cover"], "cover")
    for n, block in enumerate(content["blocks"]):
        if block is None:
            continue
        where = f"blocks[{n}] ({block['type']})"
        if block["type"] == "item" and block["item"]:
            check(block["item"], f"{where}.item", block)
        elif block["type"] == "gallery":
            for k, entry in enumerate(block["items"]):
                check(entry["item"], f"{where}.items[{k}].item")
        elif block["type"] == "timeline":
            for k, ref in enumerate(block["items"]):
                check(ref, f"{where}.items[{k}]")
    return problems


def _checked(archive, session: Session, slug: str, content) -> dict:
    return validate_content(content, archive.vocab, slug=slug,
                            item_problems=lambda valid: _item_problems(session, valid))


def _apply(row: Exhibit, content: dict) -> None:
    row.content = content
    row.community = content.get("community")
    row.featured = content["featured"]
    row.position = content["order"]


def _new_version(session: Session, row: Exhibit, action: str, actor: Viewer | None, note: str | None, *,
                 expected: int) -> int:
    """The row's present state as its next version, compare-and-set on ``expected``; Conflict if a save came first."""
    number = versioning.advance(session, row, f"exhibit {row.slug}", expected)
    session.add(ExhibitVersion(exhibit_slug=row.slug, number=number, content=dict(row.content), status=row.status,
                               action=action, note=note, user_id=getattr(actor, "user_id", None),
                               username=getattr(actor, "username", None)))
    return number


def create(archive, slug: str, content: dict, actor: Viewer | None, *, note: str | None = None,
           status: str = "draft", action: str = "create") -> int:
    """A new exhibit at version 1 (a draft unless an editor, or the system's import, publishes it at once).
    ``actor`` None: the system (a command run on the server)."""
    if actor is not None:
        _may_change(actor, None)
        if status == "published" and not can_publish_exhibit(actor):
            raise Forbidden("only editors and administrators can publish exhibits")
    with unit_of_work(archive) as work:
        s = work.session
        content = _checked(archive, s, slug, content)
        if s.get(Exhibit, slug) is not None:
            raise Conflict(f"there is already an exhibit {slug!r}")
        row = Exhibit(slug=slug, status=status, version=1)
        _apply(row, content)
        s.add(row)
        s.add(ExhibitVersion(exhibit_slug=slug, number=1, content=content, status=status, action=action, note=note,
                             user_id=getattr(actor, "user_id", None), username=getattr(actor, "username", None)))
        work.audit(actor, "create", f"exhibit:{slug}", {"version": 1, "status": status, "via": action,
                                                         **({"note": note} if note else {})})
    return 1


def save(archive, slug: str, content: dict, actor: Viewer, *, expected_version: int, note: str | None = None,
         action: str = "edit") -> int:
    """Save new content as the next version; Conflict unless the exhibit is still at ``expected_version``. Returns
    the version now current (unchanged when the content is)."""
    with unit_of_work(archive) as work:
        s = work.session
        row = _row(s, slug)
        _may_change(actor, row)
        content = _checked(archive, s, slug, content)
        versioning.check(f"exhibit {slug}", row, expected_version)
        if content == row.content:
            return row.version
        changes = diff(row.content, content)
        _apply(row, content)
        number = _new_version(s, row, action, actor, note, expected=expected_version)
        work.audit(actor, "revert" if action == "restore" else "edit", f"exhibit:{slug}",
                   {"version": number, "fields": sorted(changes["fields"]),
                    "blocks": [b.get("index", b.get("was")) for b in changes["blocks"]], **({"note": note} if note else {})})
    return number


def _set_status(archive, slug: str, status: str, actor: Viewer, expected_version: int | None) -> int:
    if not can_publish_exhibit(actor):
        raise Forbidden("only editors and administrators can publish or unpublish exhibits")
    with unit_of_work(archive) as work:
        s = work.session
        row = _row(s, slug)
        seen = row.version if expected_version is None else expected_version
        if row.status == status:
            return row.version
        row.status = status
        action = "publish" if status == "published" else "unpublish"
        number = _new_version(s, row, action, actor, None, expected=seen)
        work.audit(actor, action, f"exhibit:{slug}", {"version": number})
    return number


def publish(archive, slug: str, actor: Viewer, *, expected_version: int | None = None) -> int:
    return _set_status(archive, slug, "published", actor, expected_version)


def unpublish(archive, slug: str, actor: Viewer, *, expected_version: int | None = None) -> int:
    return _set_status(archive, slug, "draft", actor, expected_version)


def versions(archive, slug: str) -> list[VersionInfo]:
    """Oldest first."""
    with archive.catalog.session() as s:
        _row(s, slug)
        rows = s.scalars(select(ExhibitVersion).where(ExhibitVersion.exhibit_slug == slug)
                         .order_by(ExhibitVersion.number))
        return [VersionInfo(v.number, v.status, v.action, v.note, v.username, v.at, dict(v.content)) for v in rows]


def _version(s: Session, slug: str, number: int) -> ExhibitVersion:
    found = s.scalar(select(ExhibitVersion).where(ExhibitVersion.exhibit_slug == slug,
                                                  ExhibitVersion.number == number))
    if found is None:
        raise NotFound(f"exhibit {slug!r} has no version {number}")
    return found


def compare(archive, slug: str, first: int, second: int) -> dict:
    """What changed from version ``first`` to version ``second``: archive.exhibit_model.diff plus the status."""
    with archive.catalog.session() as s:
        _row(s, slug)
        a, b = _version(s, slug, first), _version(s, slug, second)
        changes = diff(a.content, b.content)
        if a.status != b.status:
            changes["fields"]["status"] = {"before": a.status, "after": b.status}
        return {"from": first, "to": second, **changes}


def restore(archive, slug: str, number: int, actor: Viewer, *, note: str | None = None) -> int:
    """The content of version ``number`` saved as a new version (the publication state is left as it is)."""
    with archive.catalog.session() as s:
        old = dict(_version(s, slug, number).content)
        current = _row(s, slug).version
    return save(archive, slug, old, actor, expected_version=current, note=note or f"restored version {number}",
                action="restore")


def get(archive, slug: str, viewer: Viewer) -> StoredExhibit:
    """The exhibit if the viewer may see it (archive.access); NotFound otherwise, as if it did not exist."""
    with archive.catalog.session() as s:
        row = s.get(Exhibit, slug)
        statuses = visible_exhibit_statuses(viewer)
        if row is None or (statuses is not None and row.status not in statuses):
            raise NotFound(f"no exhibit {slug!r}")
        return _stored(row)


def listing(archive, viewer: Viewer, *, featured: bool = False) -> list[StoredExhibit]:
    """The exhibits the viewer may see, by their order then slug; ``featured``: those marked for the home page."""
    query = select(Exhibit).order_by(Exhibit.position, Exhibit.slug)
    statuses = visible_exhibit_statuses(viewer)
    if statuses is not None:
        query = query.where(Exhibit.status.in_(statuses))
    if featured:
        query = query.where(Exhibit.featured.is_(True))
    with archive.catalog.session() as s:
        return [_stored(row) for row in s.scalars(query)]


def region_box(region: str, width: int, height: int) -> tuple[int, int]:
    """The size in pixels of a region of a ``width`` × ``height`` image (clipped to the image)."""
    kind, (x, y, w, h) = parse_region(region)
    if kind == "percent":
        x, y, w, h = x * width / 100, y * height / 100, w * width / 100, h * height / 100
    return max(1, round(min(w, width - x))), max(1, round(min(h, height - y)))



@dataclass
class ImportSummary:
    created: list[str]
    skipped: list[str]  # already in the catalog
    rejected: list[str]  # the reasons, each naming the file or exhibit


def import_directory(archive, directory: Path, actor: Viewer | None = None) -> ImportSummary:
    """Bring exhibits into the catalog, once: ``<slug>.json`` files as ``export`` writes them (the whole content and
    status), else the ``<slug>.<lang>.md`` files (archive.exhibits), published as they were. Exhibits already in the
    catalog are left as they are."""
    summary = ImportSummary([], [], [])
    texts, problems = read_directory(directory) if directory.is_dir() else ({}, [])
    summary.rejected += [str(p) for p in problems]
    documents: dict[str, tuple[dict, str]] = {}
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        try:
            data = json.loads(path.read_text("utf-8"))
            documents[data["slug"]] = (data["content"], data.get("status", "draft"))
        except (ValueError, KeyError, TypeError) as exc:
            summary.rejected.append(f"{path}: not an exhibit export ({exc})")
    for slug, files in texts.items():
        if slug not in documents:
            try:
                documents[slug] = (content_of(slug, files), "published")
            except ExhibitError as exc:
                summary.rejected.append(str(exc))
    for slug, (content, status) in sorted(documents.items()):
        with archive.catalog.session() as s:
            exists = s.get(Exhibit, slug) is not None
        if exists:
            summary.skipped.append(slug)
            continue
        try:
            create(archive, slug, content, actor, status="published" if status == "published" else "draft",
                   action="import", note=f"imported from {directory}")
        except InvalidRecord as exc:
            summary.rejected.append(str(exc))
            continue
        summary.created.append(slug)
    return summary


def export(archive, slug: str, directory: Path) -> list[Path]:
    """Write the exhibit as ``<slug>.<lang>.md`` (one per language it has a title in) and ``<slug>.json`` (the whole
    content and status); ``import_directory`` reads them back. Returns the files written."""
    with archive.catalog.session() as s:
        exhibit = _stored(_row(s, slug))
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for lang in SITE_LANGS:
        if (text := markdown_of(exhibit.content, lang)) is not None:
            path = directory / f"{slug}.{lang}.md"
            path.write_text(text, "utf-8")
            written.append(path)
    path = directory / f"{slug}.json"
    path.write_text(json.dumps({"slug": slug, "status": exhibit.status, "version": exhibit.version,
                                "content": exhibit.content}, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return [*written, path]
