"""Engine, sessions and migrations of the catalog database."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
WRITE_LOCK_KEY = 0x6865726974616765  # "heritage": the advisory lock of writing sessions on PostgreSQL


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # a commit survives a crash the moment it returns
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    dbapi_connection.isolation_level = None  # the driver emits no BEGIN of its own: _sqlite_begin does


def _sqlite_begin(connection) -> None:
    """A writing transaction takes SQLite's write lock at its start (BEGIN IMMEDIATE), so one that reads and then
    writes waits for the writer before it instead of failing at its first write (SQLITE_BUSY_SNAPSHOT)."""
    immediate = connection.get_execution_options().get("immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def engine_url(url: str) -> str:
    """The URL with its driver: ``postgresql://`` means psycopg 3 here (SQLAlchemy's default would be psycopg2)."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme):]
    return url


class Catalog:
    def __init__(self, url: str):
        url = self.url = engine_url(url)
        if url.startswith("sqlite:///"):
            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits when the block ends without error, and rolls back otherwise."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session for a change that reads before it writes (archive.uow): concurrent changes run one after the
        other. SQLite takes its write lock at BEGIN; PostgreSQL an advisory lock held to the end of the transaction
        (under READ COMMITTED, two changes could otherwise both read "no version 1 yet" and both write it)."""
        with self.engine.connect() as connection:
            connection.execution_options(immediate=True)
            with self._sessions(bind=connection) as session, session.begin():
                if self.engine.dialect.name == "postgresql":
                    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})
                yield session

    def upgrade(self) -> None:
        """Bring the schema to the newest migration."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection_url"] = self.url
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def dispose(self) -> None:
        self.engine.dispose()
