"""Exhibit text found by the site search. Exhibits are few (tens, written by staff), so they are matched in the
catalog with the search's own analysis (search.analysis: case- and diacritic-folded words, as the item index
folds them) rather than indexed: the same answer with either backend (Whoosh or Elasticsearch), nothing to keep
in step, and visible the moment an exhibit is published (the unit of work raises the generation the search page is
cached on). Every query word must occur in what the viewer can read of the exhibit, in either language: the caption
of an item the viewer may not see is not searched, as it is not shown.

Building an exhibit's words renders it twice (once per language), so they are kept per catalog generation, viewer
and exhibit version: every search would otherwise rebuild every exhibit. Kept at most a minute, like the page cache,
so that an embargo ending by the clock shows even before the worker raises the generation."""
from __future__ import annotations

import time
from collections import OrderedDict

from sqlalchemy.orm import Session

from search.analysis import tokens_folded

from . import exhibit_pages, generation
from .access import Viewer
from .exhibit_store import StoredExhibit, listing
from .labels import SITE_LANGS


def words(session: Session, exhibit: StoredExhibit, viewer: Viewer) -> set[str]:
    """The folded words of what the viewer can read of the exhibit, in both languages."""
    content = exhibit.content
    texts = [*content["title"].values(), *content["summary"].values()]
    for block in content["blocks"]:
        if block["type"] in ("text", "quote"):
            texts += [*block["text"].values(), block.get("source", "")]
    for lang in SITE_LANGS:  # captions only of the items the viewer may see
        page = exhibit_pages.page(session, exhibit, lang, viewer)
        texts += [shown.caption for block in page.blocks for shown in block.items]
    return {word for text in texts for word in tokens_folded(text)}


_KEPT: OrderedDict[tuple, tuple[float, frozenset[str]]] = OrderedDict()
_KEEP_AT_MOST = 512
_LIFETIME = 60.0


def _kept_words(session: Session, exhibit: StoredExhibit, viewer: Viewer, made: int) -> frozenset[str]:
    key = (made, viewer, exhibit.slug, exhibit.version)
    now = time.monotonic()
    kept = _KEPT.get(key)
    if kept is None or now - kept[0] > _LIFETIME:
        kept = _KEPT[key] = (now, frozenset(words(session, exhibit, viewer)))
        while len(_KEPT) > _KEEP_AT_MOST:
            _KEPT.popitem(last=False)
    return kept[1]


def matching(archive, session: Session, viewer: Viewer, q: str) -> list[StoredExhibit]:
    """The exhibits the viewer may see whose text holds every word of ``q`` (none for a query without words)."""
    wanted = set(tokens_folded(q or ""))
    if not wanted:
        return []
    made = generation.current(archive.catalog)
    return [e for e in listing(archive, viewer) if wanted <= _kept_words(session, e, viewer, made)]
