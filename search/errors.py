"""Search errors. Domain errors carry no HTTP status: archive/web/errors.py maps them (BadQuery 400, unavailable 503)."""
from __future__ import annotations

from archive.errors import ArchiveError, BadParameter


class BadQuery(BadParameter):
    """A search request cannot be run as given; ``parameter`` names the request parameter at fault."""


class SearchUnavailable(ArchiveError):
    """The search backend cannot be reached or cannot answer; the message says which and why."""
