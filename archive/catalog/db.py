"""Engine, sessions and migrations of the catalog database."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from ..vocabularies import NAMES, Vocabularies
from .models import VocabularyTerm

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # a commit survives a crash the moment it returns
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Catalog:
    def __init__(self, url: str):
        self.url = url
        if url.startswith("sqlite:///"):
            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits when the block ends without error, and rolls back otherwise."""
        with self._sessions() as session, session.begin():
            yield session

    def upgrade(self) -> None:
        """Bring the schema to the newest migration."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection_url"] = self.url
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def sync_vocabularies(self, vocab: Vocabularies) -> None:
        """Mirror the vocabulary data files into the vocabulary_terms table."""
        with self.session() as s:
            existing = {(t.vocabulary, t.id): t for t in s.scalars(select(VocabularyTerm))}
            for name in NAMES:
                for term in vocab.terms(name):
                    row = existing.pop((name, term["id"]), None) or VocabularyTerm(vocabulary=name, id=term["id"])
                    row.label, row.data = term["label"], term
                    s.add(row)
            for stale in existing.values():
                s.delete(stale)

    def dispose(self) -> None:
        self.engine.dispose()
