"""Browsing by time: how many items the viewer may see could date from each decade, or from each year of one decade,
and how an item's EDTF date reads (a date, approximate or uncertain, a span of unspecified digits such as ``196X``,
an interval, open or with an unknown end, a set of dates).

An item counts in every period its possible dates [date_start, date_end] overlap: the rule of search's date filter
(search.plan.Overlap), so a period's count is what the search page finds for the same range. Counts are read from the
catalog through archive.access, grouped in SQL by the periods of each item's first and last possible day.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from . import browse
from .access import Viewer, visible_condition
from .catalog.models import Item
from .records import EARLIEST, LATEST, edtf_bounds

QUALIFIERS = "~?%"  # EDTF: ~ approximate, ? uncertain, % both
DECADE, YEAR = 10, 1
FIRST_DECADE, LAST_DECADE = 0, 9990  # the catalog's days run from 0001 to 9999


@dataclass(frozen=True)
class Dating:
    """How an EDTF date reads. ``kind``: ``date`` (one date, at its precision), ``unspecified`` (``196X``),
    ``interval``, ``from`` (open end, ``1975/..``), ``until`` (open start), ``from-unknown`` (end unknown,
    ``1975/``), ``until-unknown``, ``one-of`` (``[1970,1975]``) or ``all-of`` (``{1970,1975}``). ``first`` and
    ``last``: the years of the earliest and latest possible day (None for an open side)."""

    text: str
    kind: str
    first: int | None
    last: int | None
    approximate: bool
    uncertain: bool

    @property
    def exact(self) -> bool:
        return self.kind == "date" and not (self.approximate or self.uncertain)

    @property
    def plain(self) -> str:
        """The date without its qualifiers (``1975~`` → ``1975``)."""
        return "".join(c for c in self.text if c not in QUALIFIERS)


@lru_cache(maxsize=4096)
def dating(text: str) -> Dating:
    """How ``text`` reads; ValueError when it is not EDTF."""
    start, end = edtf_bounds(text)
    first, last = int(start[:4]), int(end[:4])
    qualifier = {c for c in text if c in QUALIFIERS}
    approximate, uncertain = bool(qualifier & {"~", "%"}), bool(qualifier & {"?", "%"})
    if text.startswith("["):
        kind = "one-of"
    elif text.startswith("{"):
        kind = "all-of"
    elif text.endswith("/.."):
        kind, last = "from", None
    elif text.startswith("../"):
        kind, first = "until", None
    elif text.endswith("/"):
        kind = "from-unknown"
    elif text.startswith("/"):
        kind = "until-unknown"
    elif "/" in text:
        kind = "interval"
    elif "X" in text:
        kind = "unspecified"
    else:
        kind = "date"
    return Dating(text, kind, first, last, approximate, uncertain)


@dataclass(frozen=True)
class Period:
    """A decade or a year, with how many items the viewer may see could date from it: all of them (``total``, what
    search finds for the range), and apart: those dated plainly within it, the approximate or uncertain ones and those
    whose possible dates reach beyond it."""

    start: int
    years: int
    within: int = 0
    qualified: int = 0
    spanning: int = 0

    @property
    def end(self) -> int:
        return self.start + self.years - 1

    @property
    def total(self) -> int:
        return self.within + self.qualified + self.spanning


@dataclass(frozen=True)
class Overview:
    decades: list[Period]  # the decades with items, earliest first
    undated: int  # items without a date


@dataclass(frozen=True)
class DecadeView:
    decade: Period
    years: list[Period]  # all ten
    year: int | None  # the year the items are narrowed to, if any
    items: browse.Page  # items whose possible dates overlap the decade (or the year), earliest first
    previous: int | None  # the nearest decades with items
    next: int | None


@dataclass(frozen=True)
class _Span:
    first: int  # the period of the first and last possible day
    last: int
    qualified: bool
    open_start: bool
    open_end: bool
    count: int


def _overlaps(first_year: int, last_year: int):
    """Items whose possible dates overlap the years (search.plan.Overlap, on the catalog's ISO days)."""
    return (Item.date_start <= f"{last_year:04d}-12-31") & (Item.date_end >= f"{first_year:04d}-01-01")


def _spans(session: Session, viewer: Viewer, years: int, condition=None) -> list[_Span]:
    """The viewer's dated items grouped by the periods (decades or years) of their first and last possible day."""
    digits = 3 if years == DECADE else 4
    first = func.substr(Item.date_start, 1, digits).label("first_period")
    last = func.substr(Item.date_end, 1, digits).label("last_period")
    qualified = or_(*(Item.date.contains(c, autoescape=True) for c in QUALIFIERS)).label("qualified")
    open_start = (Item.date_start == EARLIEST).label("open_start")
    open_end = (Item.date_end == LATEST).label("open_end")
    query = (select(first, last, qualified, open_start, open_end, func.count())
             .where(visible_condition(viewer), Item.date_start.is_not(None), Item.date_end.is_not(None))
             .group_by(first, last, qualified, open_start, open_end))
    if condition is not None:
        query = query.where(condition)
    scale = DECADE if years == DECADE else 1  # "197" is the decade 1970
    return [_Span(int(f) * scale, int(lt) * scale, bool(q), bool(os), bool(oe), n)
            for f, lt, q, os, oe, n in session.execute(query)]


def _period(spans: list[_Span], start: int, years: int) -> Period:
    within = qualified = spanning = 0
    for s in spans:
        if not s.first <= start <= s.last:
            continue
        if s.qualified:
            qualified += s.count
        elif s.first == s.last == start:
            within += s.count
        else:
            spanning += s.count
    return Period(start, years, within, qualified, spanning)


def overview(session: Session, *, viewer: Viewer = browse.ANONYMOUS) -> Overview:
    """The decades with items the viewer may see, from the earliest known date to the latest (an open side of an
    interval stretches no further than the others' dates)."""
    spans = _spans(session, viewer, DECADE)
    known = [s.last if s.open_start else s.first for s in spans if not (s.open_start and s.open_end)]
    known += [s.first if s.open_end else s.last for s in spans if not (s.open_start and s.open_end)]
    undated = session.scalar(select(func.count()).select_from(Item)
                             .where(visible_condition(viewer), Item.date_start.is_(None))) or 0
    if not known:
        return Overview([], undated)
    periods = (_period(spans, d, DECADE) for d in range(min(known), max(known) + 1, DECADE))
    return Overview([p for p in periods if p.total], undated)


def decade_view(session: Session, decade: int, number: int = 1, *, year: int | None = None,
                viewer: Viewer = browse.ANONYMOUS) -> DecadeView:
    """The years of ``decade`` (a year ending in 0) with their counts, and a page of the items that could date
    from it (or from ``year``, one of its years), earliest first."""
    spans = _spans(session, viewer, YEAR, _overlaps(decade, decade + 9))
    years = [_period(spans, y, YEAR) for y in range(decade, decade + 10)]
    shown = (year, year) if year is not None else (decade, decade + 9)
    items = browse.dated_page(session, _overlaps(*shown), number, viewer=viewer)
    others = [p.start for p in overview(session, viewer=viewer).decades]
    return DecadeView(_period(_spans(session, viewer, DECADE, _overlaps(decade, decade + 9)), decade, DECADE),
                      years, year, items, max((d for d in others if d < decade), default=None),
                      min((d for d in others if d > decade), default=None))
