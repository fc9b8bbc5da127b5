"""The publication workflow: draft → published (and back), and access levels with a cultural-sensitivity note and an
optional embargo. Editors and administrators only; every change is a version, audited and queued for the index in one
unit of work (archive.uow)."""
from __future__ import annotations

from datetime import date

from .access import LEVELS
from .access import Viewer
from .catalog import service
from .context import Archive
from .editing import ensure_first_version, save_version
from .errors import Forbidden, InvalidRecord, Problem
from .text import BCP47, clean_language_map
from .uow import unit_of_work


def _require_publisher(actor: Viewer) -> None:
    if not actor.can_publish:
        raise Forbidden("only editors and administrators can publish or change access levels")


def _set_status(archive: Archive, item_id: str, status: str, actor: Viewer) -> None:
    _require_publisher(actor)
    with unit_of_work(archive) as work:
        item = service.get_item(work.session, item_id)
        if item.status == status:
            return
        ensure_first_version(work.session, item)
        item.status = status
        action = "publish" if status == "published" else "unpublish"
        number = save_version(work.session, item, action, actor)
        work.audit(actor, action, f"item:{item_id}", {"version": number})
        work.reindex(item_id)


def publish(archive: Archive, item_id: str, actor: Viewer) -> None:
    _set_status(archive, item_id, "published", actor)


def unpublish(archive: Archive, item_id: str, actor: Viewer) -> None:
    _set_status(archive, item_id, "draft", actor)


def _note(value: dict | None) -> dict:
    """The sensitivity note as a cleaned language map ({} for none); a bad language tag is named."""
    problems = [Problem("sensitivity_note", f"{tag!r} is not a BCP 47 language tag (e.g. vi, en, km, cjm-Cham)")
                for tag in (value or {}) if not BCP47.match(tag)]
    if problems:
        raise InvalidRecord(problems)
    return clean_language_map(value or {})


def set_access(archive: Archive, item_id: str, access: str, actor: Viewer, *, sensitivity_note: dict | None = None,
               embargo_until: date | None = None, location_public: bool = False) -> None:
    """Set the access level, the cultural-sensitivity note shown with the item (None or empty: no note), the
    embargo (None: none) and whether the public sees where its photos were taken (their EXIF GPS position), all
    as given, as the access form shows them together."""
    _require_publisher(actor)
    if access not in LEVELS:
        raise InvalidRecord([Problem("access", f"unknown access level {access!r} (allowed: {', '.join(LEVELS)})")])
    note = _note(sensitivity_note)
    with unit_of_work(archive) as work:
        s = work.session
        item = service.get_item(s, item_id)
        record = {k: v for k, v in item.record.items() if k not in ("sensitivity_note", "location_public")}
        record.update({"access": access, **({"sensitivity_note": note} if note else {}),
                       **({"location_public": True} if location_public else {})})
        before = (item.access, item.embargo_until, item.record.get("sensitivity_note"),
                  bool(item.record.get("location_public")))
        if before == (access, embargo_until, note or None, location_public):
            return
        ensure_first_version(s, item)
        service.apply_record(s, item, record)
        item.embargo_until = embargo_until
        number = save_version(s, item, "access_change", actor)
        work.audit(actor, "access_change", f"item:{item_id}", {
            "version": number, "from": before[0], "to": access, "sensitivity_note": bool(note),
            "location_public": location_public,
            "embargo_until": embargo_until.isoformat() if embargo_until else None})
        work.reindex(item_id)
