"""The located text of an item that search indexes with its place in the media (search.documents.Passage).

One function per kind of passage, each taking the item (its files loaded) and the file store; a new kind (text
found in document images, …) joins by adding its function to PASSAGE_SOURCES.
"""
from __future__ import annotations

import logging
from typing import Callable

from search.documents import Passage

from .catalog.models import Item
from .filestore import FileStore
from .transcripts import TranscriptError, read_cues

log = logging.getLogger(__name__)

PLAYABLE = ("audio", "video")


def cue_passages(item: Item, store: FileStore) -> list[Passage]:
    """Every cue of the captions and transcripts of the item's audio and video, a language at a time, by time."""
    files = {f.id: f for f in item.files}
    captions = sorted((f for f in item.files if f.kind == "caption" and f.language and f.parent_id in files
                       and files[f.parent_id].kind in PLAYABLE),
                      key=lambda f: (files[f.parent_id].position, f.language))
    found: list[Passage] = []
    for caption in captions:
        try:
            cues = read_cues(store.original_path(caption.sha256))
        except (TranscriptError, OSError) as exc:  # the item is indexed without them
            log.warning("item %s: captions %s (%s) not indexed: %s", item.id, caption.sha256, caption.language, exc)
            continue
        media = files[caption.parent_id].sha256
        found += [Passage("cue", caption.language, cue.text, {"start": cue.start, "end": cue.end, "media": media})
                  for cue in cues if cue.text]
    return found


PASSAGE_SOURCES: tuple[Callable[[Item, FileStore], list[Passage]], ...] = (cue_passages,)


def passages_of(item: Item, store: FileStore) -> list[Passage]:
    return [passage for source in PASSAGE_SOURCES for passage in source(item, store)]
