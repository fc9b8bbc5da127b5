"""Search errors. Domain errors carry no HTTP status: archive/web/errors.py maps them (BadQuery 400, unavailable 503)."""
from __future__ import annotations

from archive.errors import ArchiveError


class BadQuery(ArchiveError):
    """A search request cannot be run as given; ``parameter`` names the request parameter at fault."""

    def __init__(self, parameter: str, reason: str):
        self.parameter = parameter
        self.reason = reason
        super().__init__(f"{parameter}: {reason}")


class SearchUnavailable(ArchiveError):
    """The search backend cannot be reached or cannot answer; the message says which and why."""
