"""Reading the text in items' images with Tesseract (Debian's tesseract-ocr and its language data, through
pytesseract): the languages come from the item's record; words keep their boxes in the image's pixels.

Run by the worker (a queued page at a time, archive.jobs) and by ``heritage derive``; results are kept by
archive.ocr_text. Cham has no Tesseract model: its text is not read, and the page says so (``missing``).
"""
from __future__ import annotations

import hashlib
from concurrent.futures import as_completed
from functools import cache
from pathlib import Path

import pytesseract
from PIL import Image
from sqlalchemy import select, update

from archive import ocr_changes, ocr_text
from archive.catalog.models import Item, OcrPage
from archive.processes import worker_pool

TIMEOUT_SECONDS = 600  # one page; a larger one is recorded as failed rather than holding the worker
CHINESE = ("chi_tra", "chi_sim")
# The record's languages (ISO 639-3 ids of the languages vocabulary, or BCP 47 tags) and scripts -> Tesseract's.
LANGUAGES = {"vie": ("vie",), "vi": ("vie",), "eng": ("eng",), "en": ("eng",), "khm": ("khm",), "km": ("khm",),
             "yue": CHINESE, "cmn": CHINESE, "nan": CHINESE, "hak": CHINESE, "zho": CHINESE, "zh": CHINESE,
             "cjm": (), "cja": ()}  # no Tesseract model reads Cham
SCRIPTS = {"Khmr": ("khm",), "Hant": ("chi_tra",), "Hans": ("chi_sim",), "Hani": CHINESE, "Cham": ()}
DEFAULT = ("vie", "eng")


@cache
def installed() -> frozenset[str]:
    return frozenset(pytesseract.get_languages(config=""))


@cache
def engine() -> str:
    return f"tesseract {pytesseract.get_tesseract_version()}"


@cache
def _data_checksum(language: str) -> str:
    """The traineddata file's checksum (its first 16 hex digits), naming exactly the language data used."""
    for root in _tessdata_dirs():
        path = root / f"{language}.traineddata"
        if path.is_file():
            with path.open("rb") as f:
                return hashlib.file_digest(f, "sha256").hexdigest()[:16]
    return "unknown"


def _tessdata_dirs() -> list[Path]:
    return sorted(Path("/usr/share/tesseract-ocr").glob("*/tessdata"), reverse=True)


def languages_for(record: dict) -> tuple[list[str], list[str]]:
    """Tesseract's languages for an item, in the record's order, and the record's languages/scripts no installed
    model reads (Cham)."""
    wanted, missing = [], []
    for key, table in (("languages", LANGUAGES), ("scripts", SCRIPTS)):
        for code in record.get(key) or ():
            models = table.get(code, (code,) if key == "languages" else None)
            if models is None:  # a script we have no mapping for (Latn, Arab): the languages decide
                continue
            usable = [m for m in models if m in installed()]
            if not usable:
                missing.append(code)
            wanted += [m for m in usable if m not in wanted]
    if not wanted and not missing:
        wanted = [m for m in DEFAULT if m in installed()]
    return wanted, missing


def read_page(path: Path, record: dict) -> dict:
    """OCR one image (in a worker process); the result is what archive.ocr_changes.store keeps."""
    wanted, missing = languages_for(record)
    result = {"missing": missing, "engine": engine()}
    try:
        with Image.open(path) as im:
            result.update(width=im.width, height=im.height)
    except OSError as exc:
        return {**result, "status": "failed", "error": f"{path.name}: {exc}", "words": [], "text": ""}
    if not wanted:
        return {**result, "status": "no_model", "words": [], "text": ""}
    lang = "+".join(wanted)
    result.update(languages=lang, data={m: _data_checksum(m) for m in wanted})
    try:
        data = pytesseract.image_to_data(str(path), lang=lang, output_type=pytesseract.Output.DICT,
                                         timeout=TIMEOUT_SECONDS)
    except (RuntimeError, OSError, pytesseract.TesseractError) as exc:  # RuntimeError: the timeout
        return {**result, "status": "failed", "error": str(exc)[:1000], "words": [], "text": ""}
    words, lines = [], {}
    for i, text in enumerate(data["text"]):
        text = text.strip()
        if not text or float(data["conf"][i]) < 0:
            continue
        block, line = data["block_num"][i], data["par_num"][i] * 1000 + data["line_num"][i]
        words.append([text, data["left"][i], data["top"][i], data["width"][i], data["height"][i],
                      round(float(data["conf"][i]), 1), block, line])
        lines.setdefault((block, line), []).append(text)
    blocks: dict[int, list[str]] = {}
    for (block, _), line_words in lines.items():
        blocks.setdefault(block, []).append(ocr_text.join_words(line_words))
    text = "\n\n".join("\n".join(b) for b in blocks.values())
    return {**result, "status": "done", "words": words, "text": text}


def run_pending(archive) -> int:
    """Read every queued page; returns how many."""
    done = 0
    for page_id in ocr_text.queued(archive):
        claimed = ocr_text.claim(archive, page_id)
        if claimed is None:
            continue
        sha, record = claimed
        ocr_changes.store(archive, page_id, read_page(archive.store.original_path(sha), record))
        done += 1
    return done


def derive(archive, *, only_missing: bool) -> int:
    """``heritage derive``: read all pages again (after queuing the images of items that want OCR and have none;
    ``only_missing``: only the pages never read or last failed), in worker processes; returns pages read."""
    with archive.catalog.writing() as s:
        for item in s.scalars(select(Item)):
            ocr_text.queue_pages(s, item)
        rows = select(OcrPage.id)  # running ones too: a dead worker's are read again, a live one's twice
        if only_missing:
            rows = rows.where(OcrPage.status.in_(("queued", "failed")))
        wanted = list(s.scalars(rows))
        s.execute(update(OcrPage).where(OcrPage.id.in_(wanted)).values(status="queued"))
    todo = [(page_id, claimed) for page_id in wanted if (claimed := ocr_text.claim(archive, page_id))]
    with worker_pool(archive.settings.workers) as pool:
        futures = {pool.submit(read_page, archive.store.original_path(sha), record): page_id
                   for page_id, (sha, record) in todo}
        for future in as_completed(futures):
            ocr_changes.store(archive, futures[future], future.result())
    return len(todo)
