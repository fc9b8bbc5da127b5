"""The located text of an item that search indexes with its place in the media (search.documents.Passage).

Each kind of passage has a function that finds, from the item (its files loaded) and the file store, where its
passages are: small picklable references, cheap to make while the catalog is read. Reading them (parsing a WebVTT
file, …) is left to ``read``, which a reindex runs in its analysis workers. A new kind joins by adding its function
to PASSAGE_SOURCES, returning references with a ``passages()`` method. The kinds: caption cues (``cue``) and the
text OCR found in document images (``ocr``).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Protocol

from search.documents import Passage

from . import ocr_text
from .catalog.models import Item
from .catalog.service import canvas_numbers
from .filestore import FileStore
from .transcripts import TranscriptError, read_cues

log = logging.getLogger(__name__)

PLAYABLE = ("audio", "video")


class Located(Protocol):
    def passages(self) -> list[Passage]: ...


@dataclass(frozen=True)
class CaptionFile:
    """A stored caption or transcript (WebVTT) of an item's audio or video: its cues are passages of kind cue."""

    item: str
    path: Path
    lang: str
    media: str  # SHA-256 of the media file the captions belong to
    canvas: int  # that file's canvas, numbered from 1 as the manifest numbers them

    def passages(self) -> list[Passage]:
        try:
            cues = read_cues(self.path)
        except (TranscriptError, OSError) as exc:  # the item is indexed without them
            log.warning("item %s: captions %s (%s) not indexed: %s", self.item, self.path.name, self.lang, exc)
            return []
        return [Passage("cue", self.lang, cue.text,
                        {"start": cue.start, "end": cue.end, "media": self.media, "canvas": self.canvas})
                for cue in cues if cue.text]


def caption_files(item: Item, store: FileStore) -> list[CaptionFile]:
    """The captions and transcripts of the item's presented audio and video, by media file, then language."""
    canvases = canvas_numbers(item)
    files = {f.id: f for f in item.files}
    captions = sorted((f for f in item.files if f.kind == "caption" and f.language and f.parent_id in files
                       and files[f.parent_id].kind in PLAYABLE and files[f.parent_id].sha256 in canvases),
                      key=lambda f: (canvases[files[f.parent_id].sha256], f.language))
    return [CaptionFile(item.id, store.original_path(c.sha256), c.language, files[c.parent_id].sha256,
                        canvases[files[c.parent_id].sha256]) for c in captions]


@dataclass(frozen=True)
class OcrImage:
    """The text OCR found in one image of an item: a passage (kind ocr) per line, located by its canvas (numbered
    from 1, as the manifest numbers them), the box of the line and each word's place in the line's text and box
    (search.highlight turns them into the box of the words a query matched); or, once staff corrected the page, the
    correction whole on its canvas, without a box."""

    canvas: int
    words: tuple[ocr_text.OcrWord, ...]
    corrected: str | None

    def passages(self) -> list[Passage]:
        if self.corrected is not None:
            return [Passage("ocr", None, self.corrected, {"canvas": self.canvas})] if self.corrected.strip() else []
        return [Passage("ocr", None, line.text, {
            "canvas": self.canvas, "xywh": ",".join(map(str, line.box(line.words))),
            "words": [[w.start, w.end, w.x, w.y, w.w, w.h] for w in line.words]})
            for line in ocr_text.lines(self.words)]


def ocr_images(item: Item, store: FileStore) -> list[OcrImage]:
    """The item's images that OCR read (or staff corrected) and its manifest presents, in canvas order."""
    if not any(m.kind == "image" for m in item.media):
        return []
    canvases = canvas_numbers(item)
    return [OcrImage(canvases[page.sha256], page.words, page.corrected_text)
            for page in ocr_text.item_pages(item)
            if page.sha256 in canvases and (page.status == "done" or page.corrected_text is not None)]


PASSAGE_SOURCES: tuple[Callable[[Item, FileStore], list[Located]], ...] = (caption_files, ocr_images)


def located(item: Item, store: FileStore) -> list[Located]:
    """Where the item's passages are (nothing read yet)."""
    return [ref for source in PASSAGE_SOURCES for ref in source(item, store)]


def read(refs: Iterable[Located]) -> list[Passage]:
    return [passage for ref in refs for passage in ref.passages()]
