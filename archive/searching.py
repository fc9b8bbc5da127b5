"""Running a search for the web and the CLI: the backend's hits, checked against the catalog, with facet labels.

The index follows the catalog a moment behind (archive.indexing); a hit whose item the catalog now hides from the
viewer (restricted, unpublished or deleted since it was indexed) is dropped here, so search never shows what the
catalog hides, even in that moment.
"""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from search.backend import SearchResult
from search.labels import FacetLabels
from search.request import SearchRequest

from .access import EVERYTHING, scope_condition
from .catalog.models import Collection, Item


def facet_labels(archive) -> FacetLabels:
    with archive.catalog.session() as s:
        collections = {c.id: c.title for c in s.scalars(select(Collection))}
    return FacetLabels(archive.vocab, collections)


def search(archive, request: SearchRequest) -> SearchResult:
    result = archive.search.search(request)
    if request.scope == EVERYTHING or not result.hits:
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
