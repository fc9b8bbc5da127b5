"""Domain errors. They carry no HTTP status: the web layer maps them to responses in one table."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (``field``) and why (``reason``)."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}" if self.field else self.reason


class ArchiveError(Exception):
    """Base class of the archive's domain errors."""


class InvalidRecord(ArchiveError):
    """A record broke one or more rules; ``problems`` lists every one, not just the first."""

    def __init__(self, problems: list[Problem], source: str = ""):
        self.problems = problems
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(where + "; ".join(str(p) for p in problems))


class NotFound(ArchiveError):
    """No such item, collection or file."""


class UnsafePath(ArchiveError):
    """A path or identifier tried to leave the directory it belongs in."""
