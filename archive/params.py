"""The one way to read numbers and dates that arrive as text in a request (query strings, forms, headers, IIIF
paths): ASCII digits only (``"²".isdigit()`` is true in Python), bounded, and an error that names the parameter.
Plain functions, no web framework: the web layer and the IIIF parser both use them."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timezone

from .errors import BadParameter

MAX_WHOLE = 2**53  # larger than any count, offset, size or id the archive deals in; SQLite stores up to 2**63
MAX_DIGITS = len(str(MAX_WHOLE))
_DIGITS = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_UTC_SECOND = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
# RFC 3339: a full date-time with its offset (what JSON Schema's "date-time" format means), or a full date
_RFC3339 = re.compile(r"(?P<day>[0-9]{4}-[0-9]{2}-[0-9]{2})(?:T(?P<time>[0-9]{2}:[0-9]{2}):(?P<second>[0-9]{2})"
                      r"(?P<fraction>\.[0-9]+)?(?P<offset>Z|[+-][0-9]{2}:[0-9]{2}))?", re.I)


def whole_number(name: str, raw: str | None, *, default: int | None = None, minimum: int = 0,
                 maximum: int = MAX_WHOLE) -> int:
    """``raw`` as a whole number in [minimum, maximum]; ``default`` when it is absent or blank (else an error)."""
    text = (raw or "").strip()
    if not text:
        if default is None:
            raise BadParameter(name, "a whole number is required")
        return default
    if not _DIGITS.fullmatch(text) or len(text.lstrip("0")) > MAX_DIGITS:
        raise BadParameter(name, f"{_shown(text)} is not a whole number from {minimum} to {maximum}")
    value = int(text)
    if not minimum <= value <= maximum:
        raise BadParameter(name, f"{value} is not a whole number from {minimum} to {maximum}")
    return value


def decimal(name: str, raw: str, *, maximum: float) -> float:
    """``raw`` as a non-negative decimal number (digits and one point, no exponent) up to ``maximum``."""
    text = raw.strip()
    if not _DECIMAL.fullmatch(text) or len(text) > 40:
        raise BadParameter(name, f"{_shown(text)} is not a number")
    value = float(text)
    if value > maximum:
        raise BadParameter(name, f"{_shown(text)} is more than {maximum:g}")
    return value


def iso_date(name: str, raw: str | None) -> date | None:
    """``raw`` as a day written YYYY-MM-DD; None when absent or blank."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        if not _ISO_DAY.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise BadParameter(name, f"{_shown(text)} is not a date (YYYY-MM-DD)") from None


def utc_datestamp(name: str, raw: str) -> tuple[datetime, bool]:
    """``raw`` as a UTC time written YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (OAI-PMH's two granularities): the time
    (naive, UTC) and whether it was a whole day."""
    text = raw.strip()
    try:
        if _ISO_DAY.fullmatch(text):
            return datetime.fromisoformat(text), True
        if _UTC_SECOND.fullmatch(text):
            return datetime.fromisoformat(text[:-1]), False
        raise ValueError
    except ValueError:
        raise BadParameter(name, f"{_shown(text)} is not a UTC date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)") from None


def iso_datetime(name: str, raw: str | None) -> datetime | None:
    """``raw`` as a moment in UTC, written as an RFC 3339 date-time (``2026-05-01T08:30:00+07:00``, ``…Z``) or a day
    (``2026-05-01``: its first moment in UTC), nothing around it. None when absent or empty. A leap second counts as
    the second before it; moments beyond what Python can hold (``0001-01-01T00:00:00+01:00``) as the first or last
    it can."""
    text = raw or ""
    if not text:
        return None
    try:
        m = _RFC3339.fullmatch(text)
        if not m:
            raise ValueError
        if not m["time"]:
            return datetime.combine(date.fromisoformat(m["day"]), time(), timezone.utc)
        second = min(int(m["second"]), 59)
        offset = "+00:00" if m["offset"].upper() == "Z" else m["offset"]
        moment = datetime.fromisoformat(f"{m['day']}T{m['time']}:{second:02d}{(m['fraction'] or '')[:7]}{offset}")
    except ValueError:
        raise BadParameter(name, f"{_shown(text)} is not an RFC 3339 date-time (YYYY-MM-DDThh:mm:ssZ) "
                                 "or date (YYYY-MM-DD)") from None
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:
        return (datetime.min if moment.year == 1 else datetime.max).replace(tzinfo=timezone.utc)


def _shown(text: str) -> str:
    """The input as an error message quotes it: short, and with control characters visible."""
    return repr(text if len(text) <= 40 else text[:40] + "…")
