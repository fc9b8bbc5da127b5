"""Store first, then index, in one place: the catalog's commit points call ``index_items`` once their transaction
has committed; ``reindex`` rebuilds the whole index from the catalog (``heritage reindex``).

A search backend failure never undoes a catalog commit: it is logged with the way to repair the index.
"""
from __future__ import annotations

import logging
from typing import Iterable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from tqdm import tqdm

from archive.catalog.models import Item

from .documents import IndexDocument, Source, build_document
from .errors import SearchUnavailable

log = logging.getLogger(__name__)

CHUNK = 500


def _documents(archive, ids: list[str] | None) -> Iterator[IndexDocument | str]:
    """Documents of the given items (all items when ``ids`` is None), in id order; the id of an item that is no
    longer in the catalog instead of its document."""
    options = (selectinload(Item.collections), selectinload(Item.files))
    if ids is None:
        after = ""
        while True:
            with archive.catalog.session() as s:
                items = list(s.scalars(select(Item).options(*options).where(Item.id > after)
                                      .order_by(Item.id).limit(CHUNK)))
                sources = [Source.from_item(item) for item in items]
            if not sources:
                return
            yield from (build_document(source, archive.vocab) for source in sources)
            after = sources[-1].id
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        with archive.catalog.session() as s:
            sources = {item.id: Source.from_item(item)
                       for item in s.scalars(select(Item).options(*options).where(Item.id.in_(chunk)))}
        for id_ in chunk:
            yield build_document(sources[id_], archive.vocab) if id_ in sources else id_


def index_items(archive, ids: Iterable[str]) -> bool:
    """Bring the index up to date for these items (just committed to the catalog); False if the backend failed."""
    ids = sorted(set(ids))
    if not ids:
        return True
    found = list(_documents(archive, ids))
    try:
        archive.search.index(d for d in found if isinstance(d, IndexDocument))
        gone = [d for d in found if isinstance(d, str)]
        if gone:
            archive.search.delete(gone)
    except SearchUnavailable as exc:
        log.error("%d item(s) are saved in the catalog but not in the search index (%s); "
                  "run `heritage reindex` once search is available again", len(ids), exc)
        return False
    return True


def reindex(archive, *, progress: bool = True, backend=None) -> int:
    """Rebuild the index of the configured backend (or of ``backend``) from the catalog; returns the number of
    items indexed."""
    backend = backend or archive.search
    with archive.catalog.session() as s:
        total = s.scalar(select(func.count()).select_from(Item))
    with tqdm(total=total, unit="item", desc="reindex", disable=not progress) as bar:
        def counted() -> Iterator[IndexDocument]:
            for doc in _documents(archive, None):
                bar.update(1)
                yield doc
        return backend.rebuild(counted())

