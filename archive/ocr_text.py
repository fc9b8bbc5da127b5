"""Text found by OCR in items' images: which images are read, and the pages as search and the item page read them.
What changes them (a reading kept, staff's "run OCR again" and corrections) is archive.ocr_changes: this module is
read by the index (archive.passages), which the unit of work imports.

The reading itself (Tesseract) is ingest.ocr, run by the worker and by ``heritage derive``; this module only keeps
its results. OCR text is the item's text but never part of its catalogued description.

For search and IIIF Content Search::

    with archive.catalog.session() as s:
        for page in ocr_text.pages(s, item_id):        # or item_pages(item); no access check: the caller decides who sees the item
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
from .catalog.models import Item, MediaFile, OcrPage
from .errors import NotFound

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


def item_pages(item: Item) -> list[OcrPageText]:
    """The item's OCR pages in canvas order (no access check: search indexes all and filters by access itself).
    A reindex loads ``Item.ocr_pages`` with its chunk of items; otherwise they are read here."""
    rows = {r.media_file_id: r for r in item.ocr_pages}
    return [_page(rows[m.id], m, i) for i, m in enumerate(item.media) if m.id in rows]


def pages(session: Session, item_id: str) -> list[OcrPageText]:
    item = session.get(Item, item_id)
    return item_pages(item) if item is not None else []


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
