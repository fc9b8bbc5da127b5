"""Changes to the text OCR found: a reading kept, staff's "run OCR again" and corrections, each versioned, audited and
queued for the index in one unit of work (archive.ocr_text holds what they change and how it is read)."""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from .access import Viewer
from .catalog import versioning
from .catalog.models import Item, OcrPage, OcrVersion, utcnow
from .errors import BadParameter, Forbidden, NotFound
from .ocr_text import MAX_TEXT, queue_pages
from .uow import unit_of_work


def store(archive, page_id: int, result: dict) -> None:
    """Keep what OCR read (ingest.ocr.read_page's result) as the page's new version and queue the item's index
    update; a staff correction made before stays (it is shown instead of the new reading until corrected again)."""
    with unit_of_work(archive) as work:
        row = work.session.get(OcrPage, page_id)
        if row is None:  # the item or file was deleted meanwhile
            return
        row.status = result["status"]
        for key in ("languages", "engine", "width", "height", "error"):
            setattr(row, key, result.get(key))
        row.missing, row.data = list(result.get("missing", ())), dict(result.get("data", {}))
        row.words, row.text = list(result.get("words", ())), result.get("text", "")
        row.read_at = utcnow()
        row.version += 1
        _add_version(work.session, row, "ocr", row.text, None)
        work.reindex(row.item_id)


def _add_version(session: Session, row: OcrPage, action: str, text: str, actor: Viewer | None) -> None:
    session.add(OcrVersion(page_id=row.id, number=row.version, action=action, text=text, languages=row.languages,
                           user_id=getattr(actor, "user_id", None), username=getattr(actor, "username", None)))


def _staff_page(session: Session, item_id: str, page_id: int) -> OcrPage:
    row = session.get(OcrPage, page_id)
    if row is None or row.item_id != item_id:
        raise NotFound(f"item {item_id!r} has no OCR page {page_id}")
    return row


def correct(archive, item_id: str, page_id: int, text: str, actor: Viewer, *, expected_version: int | None) -> int:
    """Save staff's correction of a page's text as a new version (audited, item queued for the index); returns the
    page's version now current. Conflict if the page changed since ``expected_version`` was opened."""
    if not actor.is_staff:
        raise Forbidden("only staff can correct OCR text")
    text = text.replace("\r\n", "\n").strip()
    if len(text) > MAX_TEXT:
        raise BadParameter("text", f"at most {MAX_TEXT} characters")
    with unit_of_work(archive) as work:
        row = _staff_page(work.session, item_id, page_id)
        what = f"the OCR text of page {page_id}"
        versioning.check(what, row, expected_version)
        if text == (row.corrected_text if row.corrected_text is not None else row.text):
            return row.version
        versioning.advance(work.session, row, what)
        row.corrected_text = text
        _add_version(work.session, row, "correct", text, actor)
        work.audit(actor, "ocr_correct", f"item:{item_id}", {"page": page_id, "version": row.version})
        work.reindex(item_id)
        return row.version


def request_rerun(archive, item_id: str, actor: Viewer) -> int:
    """Queue every image of the item to be read again (audited); returns how many pages wait for the worker."""
    if not actor.is_staff:
        raise Forbidden("only staff can run OCR")
    with unit_of_work(archive) as work:
        item = work.session.get(Item, item_id)
        if item is None:
            raise NotFound(f"no item {item_id!r}")
        if not any(m.kind == "image" for m in item.media):
            raise BadParameter("item", "it has no image to read")
        queue_pages(work.session, item, every=True)
        # Running pages too: one a dead worker left running is read again (a page read twice is only a version more).
        count = work.session.execute(update(OcrPage).where(OcrPage.item_id == item_id)
                                     .values(status="queued")).rowcount
        work.audit(actor, "ocr_rerun", f"item:{item_id}", {"pages": count})
    return count
