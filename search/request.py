"""A search request, checked once whatever its source (the JSON API, the CLI, code)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from archive.access import Scope
from archive.access import scope as scope_of
from archive.access import Viewer
from archive.labels import SITE_LANGS

from .documents import FACETS
from .errors import BadQuery
from .query import MAX_QUERY_CHARS, date_bound

SORTS = ("relevance", "date", "-date", "title")
MAX_PER_PAGE = 100
MAX_WINDOW = 10_000  # deepest hit reachable by paging (Elasticsearch's max_result_window)
MAX_FILTER_VALUES = 50


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # facet -> accepted values (OR)
    date_from: str | None = None  # ISO day: items whose dates overlap [date_from, date_to]
    date_to: str | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    lang: str = "vi"  # display language of titles and snippets
    scope: Scope = field(default_factory=lambda: scope_of(Viewer.ANONYMOUS))  # what the viewer may see (archive.access)
    with_facets: bool = True
    exclude: tuple[str, ...] = ()  # item ids left out of hits, totals and facets (changes not yet indexed)

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise BadQuery("sort", f"{self.sort!r} is not one of {', '.join(SORTS)}")
        if self.lang not in SITE_LANGS:
            raise BadQuery("lang", f"{self.lang!r} is not one of {', '.join(SITE_LANGS)}")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise BadQuery("per_page", f"must be between 1 and {MAX_PER_PAGE}")
        if self.page < 1:
            raise BadQuery("page", "must be 1 or more")
        if self.page * self.per_page > MAX_WINDOW:
            raise BadQuery("page", f"only the first {MAX_WINDOW} hits can be paged through; narrow the search")
        for facet, values in self.filters.items():
            if facet not in FACETS:
                raise BadQuery(facet, f"unknown filter; filters: {', '.join(FACETS)}")
            if len(values) > MAX_FILTER_VALUES:
                raise BadQuery(facet, f"more than {MAX_FILTER_VALUES} values")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise BadQuery("date_to", f"{self.date_to} is before date_from {self.date_from}")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def _int(params: Mapping[str, list[str]], name: str, default: int) -> int:
    values = params.get(name) or []
    if not values or not values[-1].strip():
        return default
    try:
        return int(values[-1])
    except ValueError:
        raise BadQuery(name, f"{values[-1][:50]!r} is not a whole number") from None


def request_from_params(params: Mapping[str, list[str]], *, scope: Scope | None = None) -> SearchRequest:
    """A request from query-string parameters (each name mapped to its list of values)."""
    def one(name: str, default: str = "") -> str:
        values = params.get(name) or []
        return values[-1] if values else default

    q = one("q")
    if len(q) > MAX_QUERY_CHARS:
        raise BadQuery("q", f"the query is {len(q)} characters long; the limit is {MAX_QUERY_CHARS}")
    filters = {}
    for facet in FACETS:
        values = tuple(dict.fromkeys(v.strip() for raw in params.get(facet, []) for v in raw.split(",") if v.strip()))
        if values:
            filters[facet] = values
    date_from = date_bound("date_from", one("date_from"), end=False) if one("date_from").strip() else None
    date_to = date_bound("date_to", one("date_to"), end=True) if one("date_to").strip() else None
    return SearchRequest(q=q, filters=filters, date_from=date_from, date_to=date_to,
                         sort=one("sort", "relevance") or "relevance", page=_int(params, "page", 1),
                         per_page=_int(params, "per_page", 20), lang=one("lang", "vi") or "vi",
                         scope=scope or scope_of(Viewer.ANONYMOUS))
