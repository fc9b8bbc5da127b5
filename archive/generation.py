"""The catalog's generation: a count raised in the same transaction as every change the public can see (a unit of
work, an index update), so anything computed from the catalog and the index can be cached under it and is stale the
moment the count moves, in every process and on every machine that shares the catalog."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .catalog.models import Generation

ROW = 1


def bump(session: Session) -> None:
    """Raise the generation within the session's transaction."""
    raised = session.execute(update(Generation).where(Generation.id == ROW).values(value=Generation.value + 1))
    if raised.rowcount == 0:  # a catalog made before migration 0010 inserted the row
        session.add(Generation(id=ROW, value=1))


def current(catalog) -> int:
    """The generation now (one indexed read: cheap enough to check at every request)."""
    with catalog.engine.connect() as connection:
        return connection.scalar(select(Generation.value).where(Generation.id == ROW)) or 0
