"""The search index follows the catalog: changes queue their items in the index outbox inside their own transaction
(archive.uow); ``apply_outbox`` brings those items' documents up to date from the catalog as it now stands and
removes the rows it applied; ``reindex`` rebuilds the whole index (``heritage reindex``).

Documents are always built from the committed catalog at the time they are written, under one lock per data
directory, so whichever order two appliers run in, the index ends as the catalog is. A search backend failure
never undoes a catalog commit: the rows stay in the outbox, applied at the next start of ``heritage serve``,
``heritage worker`` or a writing command, or by ``heritage reindex --pending``.
"""
from __future__ import annotations

import logging
from collections import deque
from dataclasses import replace
from typing import ContextManager, Iterable, Iterator

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload
from tqdm import tqdm

from search.documents import IndexDocument, Source, build_document
from search.errors import SearchUnavailable

from . import generation, passages
from .catalog.models import IndexOutbox, Item
from .filestore import FileStore
from .processes import exclusive, worker_pool
from .vocabularies import Vocabularies

log = logging.getLogger(__name__)

CHUNK = 500


def source_of(item: Item) -> Source:
    """The parts of an item its search document is built from, as plain values."""
    media = item.media
    return Source(id=item.id, type=item.type, status=item.status, access=item.access, record=item.record,
                  date_start=item.date_start, date_end=item.date_end, embargo_until=item.embargo_until,
                  collections=[(c.id, c.title) for c in item.collections],
                  media={"kind": media[0].kind, "sha256": media[0].sha256} if media else None)


Unread = tuple[Source, list[passages.Located]]  # an item's source and where its passages are, not yet read


def _unread(item: Item, store: FileStore) -> Unread:
    return source_of(item), passages.located(item, store)


def _document(unread: Unread, vocab: Vocabularies) -> IndexDocument:
    """An item's document, its passages (transcript cues, …) read first: in the analysis workers during a reindex,
    where parsing a long transcript does not hold up the reading of the catalog."""
    source, refs = unread
    return build_document(replace(source, passages=passages.read(refs)), vocab)


def _index_lock(archive) -> ContextManager[None]:
    """One writer of the index per data directory at a time, from reading the catalog to writing the documents."""
    return exclusive(archive.settings.data_path / "index.lock", "search index update")


_OPTIONS = (selectinload(Item.collections), selectinload(Item.files), selectinload(Item.ocr_pages))


def _all_sources(archive) -> Iterator[list[Unread]]:
    """The sources of every item, in id order, a chunk at a time (one short read transaction per chunk)."""
    after, store = "", archive.store
    while True:
        with archive.catalog.session() as s:
            items = s.scalars(select(Item).options(*_OPTIONS).where(Item.id > after).order_by(Item.id).limit(CHUNK))
            sources = [_unread(item, store) for item in items]
        if not sources:
            return
        yield sources
        after = sources[-1][0].id


def _run(encode, vocab: Vocabularies, sources: list[Unread], first: int):
    """The documents of ``sources`` (numbered from ``first``), encoded for a rebuild by the backend's ``encode``."""
    return encode([_document(source, vocab) for source in sources], first)


def _all_runs(archive, backend, workers: int) -> Iterator[tuple[int, object]]:
    """Every item's document, in id order, a run at a time as the backend's ``rebuild`` takes them, with its
    number of documents. With several workers the analysis and the backend's encoding (most of a rebuild's
    Python time) run in a pool of forked processes, a few runs ahead of the writer, while this process reads the
    catalog and writes the index."""
    vocab = archive.vocab
    with vocab.pinned():  # the terms as the rebuild started, looked up once (and pickled as such to the pool)
        yield from _runs(archive, type(backend).encode, vocab, workers)


def _runs(archive, encode, vocab: Vocabularies, workers: int) -> Iterator[tuple[int, object]]:
    first = 0
    if workers <= 1:
        for sources in _all_sources(archive):
            yield len(sources), _run(encode, vocab, sources, first)
            first += len(sources)
        return
    with worker_pool(workers) as pool:
        ahead: deque = deque()
        for sources in _all_sources(archive):
            ahead.append((len(sources), pool.submit(_run, encode, vocab, sources, first)))
            first += len(sources)
            if len(ahead) > 2 * workers:
                count, run = ahead.popleft()
                yield count, run.result()
        while ahead:
            count, run = ahead.popleft()
            yield count, run.result()


def _documents(archive, ids: list[str]) -> Iterator[IndexDocument | str]:
    """Documents of the given items, in the order given; the id of an item that is no longer in the catalog
    instead of its document."""
    store = archive.store
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        with archive.catalog.session() as s:
            sources = {item.id: _unread(item, store)
                       for item in s.scalars(select(Item).options(*_OPTIONS).where(Item.id.in_(chunk)))}
        with archive.vocab.pinned():
            documents = [_document(sources[id_], archive.vocab) if id_ in sources else id_ for id_ in chunk]
        yield from documents


def _write(archive, ids: list[str]) -> None:
    found = list(_documents(archive, ids))
    archive.search.index(d for d in found if isinstance(d, IndexDocument))
    gone = [d for d in found if isinstance(d, str)]
    if gone:
        archive.search.delete(gone)


def apply_outbox(archive, row_ids: Iterable[int] | None = None) -> int:
    """Apply outbox rows (those given, or every pending one) to the search backend and remove them; returns the
    number of items brought up to date. SearchUnavailable leaves the rows for a later try."""
    wanted = None if row_ids is None else sorted(set(row_ids))
    if wanted == []:
        return 0
    done = 0
    with _index_lock(archive):
        while True:
            with archive.catalog.session() as s:
                query = select(IndexOutbox.id, IndexOutbox.item_id).order_by(IndexOutbox.id)
                rows = list(s.execute(query.where(IndexOutbox.id.in_(wanted)) if wanted is not None
                                      else query.limit(CHUNK)))
            if not rows:
                return done
            ids = sorted({item_id for _, item_id in rows})
            _write(archive, ids)
            with archive.catalog.session() as s:
                s.execute(delete(IndexOutbox).where(IndexOutbox.id.in_([row_id for row_id, _ in rows])))
                generation.bump(s)  # what search shows has changed
            done += len(ids)
            if wanted is not None:
                return done


def pending(archive) -> int:
    """How many outbox rows wait to be applied."""
    with archive.catalog.session() as s:
        return s.scalar(select(func.count()).select_from(IndexOutbox)) or 0


def catch_up(archive) -> None:
    """At start-up: apply what a crash (or a search outage) left in the outbox; a backend still down is logged, and
    the rows wait for the next start or ``heritage reindex --pending``."""
    try:
        applied = apply_outbox(archive)
    except SearchUnavailable as exc:
        log.error("%d change(s) wait to be applied to the search index (%s); they are applied at the next start or "
                  "by `heritage reindex --pending`", pending(archive), exc)
        return
    if applied:
        log.warning("applied %d item(s) left in the index outbox by an interrupted change", applied)


def reindex(archive, *, progress: bool = True, backend=None) -> int:
    """Rebuild the index of the configured backend (or of ``backend``) from the catalog; returns the number of
    items indexed. Outbox rows queued before the rebuild began are covered by it and removed."""
    backend = backend or archive.search
    with archive.catalog.session() as s:
        total = s.scalar(select(func.count()).select_from(Item))
        covered = s.scalar(select(func.max(IndexOutbox.id)))
    with _index_lock(archive), tqdm(total=total, unit="item", desc="reindex", disable=not progress) as bar:
        def counted() -> Iterator:
            for count, run in _all_runs(archive, backend, archive.settings.workers):
                bar.update(count)
                yield run
            bar.set_postfix_str("writing the index")  # Whoosh sorts and writes its postings after the last document
        count = backend.rebuild(counted())
        bar.set_postfix_str("done")
    if backend is archive.search:
        with archive.catalog.session() as s:
            if covered is not None:
                s.execute(delete(IndexOutbox).where(IndexOutbox.id <= covered))
            generation.bump(s)  # what search shows has changed
    return count
