"""Text found by OCR in items' images: which images are read, the pages as search and the item page read them, and
staff's "run OCR again" and corrections (each versioned, audited and queued for the index in one unit of work).

The reading itself (Tesseract) is ingest.ocr, run by the worker and by ``heritage derive``; this module only keeps
its results. OCR text is the item's text but never part of its catalogued description.

For search and IIIF Content Search::

    with archive.catalog.session() as s:
        for page in ocr_text.pages(s, item_id):        # no access check: the caller decides who sees the item
            page.sha256, page.canvas                     # the image's original and its canvas index in the manifest
            page.best_text                               # the staff correction if any, else what OCR read
            for word in page.words:                      # OcrWord(text, x, y, w, h, conf, block, line), image pixels
                ...
            for line in lines(page.words):               # OcrLine: its text, each word's place in it and box
                line.text, line.box_of([(start, end)])       # the box of the words a stretch of the text touches
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import regex
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .access import Viewer, can_view
from .catalog.models import Item, MediaFile, OcrPage, OcrVersion, utcnow
from .errors import BadParameter, Conflict, Forbidden, NotFound
from .uow import unit_of_work

MAX_TEXT = 100_000  # characters of a corrected page
NO_SPACE = regex.compile(r"[\p{Han}\p{Khmer}\p{Cham}]")  # scripts written without spaces between words


@dataclass(frozen=True)
class OcrWord:
    text: str
    x: int
    y: int
    w: int
    h: int
    conf: float
    block: int
    line: int


@dataclass(frozen=True)
class OcrPageText:
    id: int
    item_id: str
    sha256: str       # the image's original (archive.filestore)
    canvas: int       # its index among the item's media, as the IIIF manifest numbers its canvases (0-based)
    status: str       # queued | running | done | no_model | failed
    width: int | None
    height: int | None
    words: tuple[OcrWord, ...]
    text: str
    corrected_text: str | None
    languages: str | None  # Tesseract's language data used, "khm+vie+eng"
    missing: tuple[str, ...]  # the record's languages/scripts that no installed model reads ("cjm")
    engine: str | None
    data: dict
    version: int
    read_at: datetime | None

    @property
    def best_text(self) -> str:
        return self.corrected_text if self.corrected_text is not None else self.text


def join_words(words: list[str]) -> str:
    """Words of one line as text: a space between words, none between two of a script written without spaces."""
    out = ""
    for word in words:
        if out and not (NO_SPACE.match(out[-1]) and NO_SPACE.match(word[0])):
            out += " "
        out += word
    return out


@dataclass(frozen=True)
class PlacedWord:
    """A word of a line: where its text is in the line's text and its box in the image's pixels."""

    start: int
    end: int
    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class OcrLine:
    text: str
    words: tuple[PlacedWord, ...]

    @staticmethod
    def box(words) -> tuple[int, int, int, int]:
        """The smallest box (x, y, w, h) around the words."""
        x, y = min(w.x for w in words), min(w.y for w in words)
        return x, y, max(w.x + w.w for w in words) - x, max(w.y + w.h for w in words) - y

    def box_of(self, spans) -> tuple[int, int, int, int]:
        """The box of the words that the (start, end) spans of the line's text touch (the whole line's if none)."""
        touched = [w for w in self.words if any(start < w.end and w.start < end for start, end in spans)]
        return self.box(touched or self.words)


def lines(words) -> list[OcrLine]:
    """The words of a page grouped in lines, in reading order, each line's text joined as OCR's ``text`` joins it."""
    grouped: dict[tuple[int, int], list[OcrWord]] = {}
    for word in words:
        grouped.setdefault((word.block, word.line), []).append(word)
    found = []
    for line_words in grouped.values():
        text, placed = "", []
        for word in line_words:
            text = join_words([text, word.text]) if text else word.text
            placed.append(PlacedWord(len(text) - len(word.text), len(text), word.x, word.y, word.w, word.h))
        found.append(OcrLine(text, tuple(placed)))
    return found


def wants_ocr(item: Item) -> bool:
    """Documents are read; images and sets only when their record names the writing systems they show (``scripts``),
    so photographs of people and places are not run through OCR for nothing."""
    return item.type == "document" or (item.type in ("image", "set") and bool(item.record.get("scripts")))


def _page(row: OcrPage, media: MediaFile, canvas: int) -> OcrPageText:
    return OcrPageText(row.id, row.item_id, media.sha256, canvas, row.status, row.width, row.height,
                       tuple(OcrWord(*w) for w in row.words or ()), row.text or "", row.corrected_text,
                       row.languages, tuple(row.missing or ()), row.engine, dict(row.data or {}), row.version,
                       row.read_at)


def pages(session: Session, item_id: str) -> list[OcrPageText]:
    """The item's OCR pages in canvas order (no access check: search indexes all and filters by access itself)."""
    item = session.get(Item, item_id)
    if item is None:
        return []
    rows = {r.media_file_id: r for r in session.scalars(select(OcrPage).where(OcrPage.item_id == item_id))}
    return [_page(rows[m.id], m, i) for i, m in enumerate(item.media) if m.id in rows]


def visible_pages(session: Session, item_id: str, viewer: Viewer) -> list[OcrPageText]:
    """The pages for one viewer: NotFound unless archive.access lets them see the item."""
    item = session.get(Item, item_id)
    if item is None or not can_view(item, viewer):
        raise NotFound(f"no item {item_id!r}")
    return pages(session, item_id)


def queue_pages(session: Session, item: Item, *, every: bool = False) -> int:
    """Queue for the worker every image of the item that has no OCR page yet, if the item wants OCR (``every``:
    whatever it is); in the caller's transaction, so an ingest commits its files and their OCR work together."""
    if not (every or wants_ocr(item)):
        return 0
    session.flush()  # the files just attached get their ids
    read = set(session.scalars(select(OcrPage.media_file_id).where(OcrPage.item_id == item.id)))
    new = [m for m in item.media if m.kind == "image" and m.id not in read]
    session.add_all(OcrPage(media_file_id=m.id, item_id=item.id, status="queued", words=[], missing=[], data={},
                            text="") for m in new)
    return len(new)


def queued(archive) -> list[int]:
    with archive.catalog.session() as s:
        return list(s.scalars(select(OcrPage.id).where(OcrPage.status == "queued").order_by(OcrPage.id)))


def claim(archive, page_id: int) -> tuple[str, dict] | None:
    """Mark a queued page running, atomically (a page queued twice is read once); returns the image's checksum and
    the item's record (its languages choose the models), or None when another worker has it."""
    with archive.catalog.writing() as s:
        claimed = s.execute(update(OcrPage).where(OcrPage.id == page_id, OcrPage.status == "queued")
                            .values(status="running"))
        if claimed.rowcount != 1:
            return None
        row = s.get(OcrPage, page_id)
        media = s.get(MediaFile, row.media_file_id)
        return media.sha256, dict(s.get(Item, row.item_id).record)


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
        if expected_version is not None and expected_version != row.version:
            raise Conflict(f"the OCR text of page {page_id} was saved as version {row.version} since version "
                           f"{expected_version} was opened; reload it to see the changes")
        if text == (row.corrected_text if row.corrected_text is not None else row.text):
            return row.version
        seen = row.version
        if work.session.execute(update(OcrPage).where(OcrPage.id == page_id, OcrPage.version == seen)
                                .values(version=seen + 1, corrected_text=text)).rowcount != 1:
            raise Conflict(f"the OCR text of page {page_id} was changed meanwhile; reload it")
        work.session.refresh(row)
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

