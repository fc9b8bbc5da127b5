"""One unit of work for every change that search or the public sees: the catalog change, its audit entry, its index
outbox rows, its harvest records (archive.harvest) and a raised generation (archive.generation) commit in one
transaction; once committed, the outbox rows are applied to the search backend.

    with unit_of_work(archive) as work:
        item = service.get_item(work.session, item_id)
        ...                                   # change the catalog through work.session
        work.audit(actor, "edit", f"item:{item.id}", {...})
        work.reindex(item.id)

A crash between the commit and the index update leaves the rows in the outbox, and ``indexing.catch_up`` applies
them at the next start; nothing else writes to the search index.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy.orm import Session

from search.errors import SearchUnavailable

from . import audit, generation, harvest, indexing
from .catalog.models import IndexOutbox

log = logging.getLogger(__name__)


class Work:
    """What a unit of work collects: the session to change the catalog through, audit entries, items to reindex."""

    def __init__(self, archive, session: Session):
        self.archive = archive
        self.session = session
        self.items: set[str] = set()

    def reindex(self, *item_ids: str) -> None:
        """Queue these items' search documents to be rebuilt (or removed, for items gone) after the commit."""
        self.items.update(item_ids)

    def audit(self, actor, action: str, target: str | None = None, details: dict | None = None, *,
              remote_addr: str | None = None) -> None:
        audit.record(self.archive, actor, action, target, details, remote_addr=remote_addr, session=self.session)


@contextmanager
def unit_of_work(archive) -> Iterator[Work]:
    """Commit the block's catalog changes, audit entries and outbox rows together (nothing if it raises), then
    apply the outbox rows."""
    with archive.catalog.writing() as session:
        work = Work(archive, session)
        yield work
        session.flush()
        harvest.record_changes(session, sorted(work.items))
        rows = [IndexOutbox(item_id=item_id) for item_id in sorted(work.items)]
        session.add_all(rows)
        generation.bump(session)
        session.flush()
        row_ids = [row.id for row in rows]
    after_commit(archive, row_ids)


def after_commit(archive, row_ids: list[int]) -> None:
    """Bring the index up to date with what was just committed; a backend failure is logged, never raised, as
    the catalog commit stands and the rows stay queued."""
    try:
        indexing.apply_outbox(archive, row_ids)
    except SearchUnavailable as exc:
        log.error("%d item(s) are saved in the catalog but not yet in the search index (%s); they are applied at "
                  "the next start, or run `heritage reindex --pending` once search is available again",
                  len(row_ids), exc)
