"""Domain errors. They carry no HTTP status: the web layer maps them to responses in one table."""
from __future__ import annotations

from dataclasses import dataclass

from .reasons import Refused


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


class BadParameter(ArchiveError):
    """A request parameter (query, form field, header or path segment) cannot be used; ``parameter`` names it and
    ``reason`` says why."""

    def __init__(self, parameter: str, reason: str):
        self.parameter = parameter
        self.reason = reason
        super().__init__(f"{parameter}: {reason}")


class NotFound(ArchiveError):
    """No such item, collection or file."""


class UnsafePath(ArchiveError):
    """A path or identifier tried to leave the directory it belongs in."""


class Forbidden(ArchiveError):
    """The actor's role does not allow this."""


class Conflict(ArchiveError):
    """Someone changed the thing since the actor last saw it."""


class BadCredentials(ArchiveError):
    """Unknown username, wrong password or a disabled account: one message for all, so none can be told apart."""

    def __init__(self):
        super().__init__("wrong username or password")


class LoginThrottled(ArchiveError):
    """Too many failed sign-ins; ``retry_after_seconds`` says when the next attempt will be heard."""

    def __init__(self, retry_after_seconds: int):
        self.retry_after_seconds = retry_after_seconds
        super().__init__(f"too many failed sign-ins; try again in {retry_after_seconds} seconds")


class UploadRejected(ArchiveError, Refused):
    """A file cannot be taken (too big, empty, a bad name or type); its reason names the file and says why."""


class OffsetMismatch(Conflict):
    """A chunk of an upload did not start where the upload stands; ``received`` says where to go on from."""

    def __init__(self, filename: str, offset: int, received: int):
        self.received = received
        super().__init__(f"{filename}: chunk at byte {offset}, but {received} bytes have arrived; resume from there")
