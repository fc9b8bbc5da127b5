"""Compare-and-set of the catalog's versioned rows (items, exhibits, vocabulary terms, collections, OCR pages): a
save made from version N commits only while the row is still at N, in one conditional UPDATE, so two people saving
at once never lose a change silently; the one who came second gets a Conflict that says what happened."""
from __future__ import annotations

from sqlalchemy import inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..errors import Conflict


def stale(what: str, current: int | None, expected: int) -> Conflict:
    return Conflict(f"{what} was saved as version {current} since version {expected} was opened; reload it to see "
                    "the changes")


def check(what: str, row, expected: int | None) -> None:
    """Conflict unless ``row``, as read, is at version ``expected`` (None: the caller did not say; no check)."""
    if expected is not None and expected != row.version:
        raise stale(what, row.version, expected)


def advance(session: Session, row, what: str, expected: int | None = None) -> int:
    """Move ``row`` to its next version in one conditional UPDATE on version ``expected`` (by default the version it
    was read at); Conflict naming ``what`` if another save came first. Returns the new version number."""
    model = type(row)
    key = [column == value for column, value in zip(model.__mapper__.primary_key, inspect(row).identity)]
    seen = row.version if expected is None else expected
    moved = session.execute(update(model).where(*key, model.version == seen).values(version=seen + 1)
                            .execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        raise stale(what, session.scalar(select(model.version).where(*key)), seen)
    set_committed_value(row, "version", seen + 1)
    return seen + 1
