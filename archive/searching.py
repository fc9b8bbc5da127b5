"""Running a search for the web and the CLI: the backend's answer, kept to what the catalog shows, with facet labels.

The index follows the catalog a moment behind (archive.indexing). For a viewer who may not see everything, the
items whose changes wait in the index outbox are left out of hits, totals and facet counts, and every hit is checked
against the catalog once more, so search never shows what the catalog hides, even in that moment.
"""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from search.backend import SearchResult
from search.labels import FacetLabels
from search.request import SearchRequest

from .access import EVERYTHING, scope_condition
from .catalog.models import Collection, IndexOutbox, Item


def facet_labels(archive) -> FacetLabels:
    with archive.catalog.session() as s:
        collections = {c.id: c.title for c in s.scalars(select(Collection))}
    return FacetLabels(archive.vocab, collections)


MAX_EXCLUDED = 1000  # beyond that many pending items (a long search outage), the hit check alone guards


def search(archive, request: SearchRequest) -> SearchResult:
    if request.scope == EVERYTHING:
        return archive.search.search(request)
    with archive.catalog.session() as s:
        pending = tuple(s.scalars(select(IndexOutbox.item_id).distinct().limit(MAX_EXCLUDED)))
    result = archive.search.search(replace(request, exclude=request.exclude + pending) if pending else request)
    if not result.hits:
        return result
    ids = [hit.id for hit in result.hits]
    with archive.catalog.session() as s:
        visible = set(s.scalars(select(Item.id).where(Item.id.in_(ids), scope_condition(request.scope))))
    if len(visible) == len(ids):
        return result
    hits = [hit for hit in result.hits if hit.id in visible]
    return replace(result, hits=hits, total=max(0, result.total - (len(ids) - len(hits))))


def search_json(archive, request: SearchRequest) -> dict:
    """What /api/search returns (PRODUCT.md §4), facet values labelled in Vietnamese and English."""
    return search(archive, request).as_json(facet_labels(archive))
