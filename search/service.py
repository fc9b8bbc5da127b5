"""Opening the configured backend, and running a search for the web and the CLI (with facet labels)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from archive.catalog.models import Collection
from archive.settings import Settings
from archive.vocabularies import Vocabularies

from .backend import SearchBackend, SearchResult
from .labels import FacetLabels
from .request import SearchRequest

MAX_WRITER_PROCS = 4  # each writer process of a rebuild leaves one segment, and queries visit every segment


def open_backend(settings: Settings, vocab: Vocabularies) -> SearchBackend:
    """The backend HERITAGE_SEARCH_BACKEND names; nothing connects until the first call."""
    if settings.search_backend == "elasticsearch":
        from .elasticsearch_backend import ElasticsearchBackend
        return ElasticsearchBackend(settings.elasticsearch_url, vocab)
    from .whoosh_backend import WhooshBackend
    return WhooshBackend.in_data_dir(Path(settings.data_path), vocab, procs=min(settings.workers, MAX_WRITER_PROCS))


def facet_labels(archive) -> FacetLabels:
    with archive.catalog.session() as s:
        collections = {c.id: c.title for c in s.scalars(select(Collection))}
    return FacetLabels(archive.vocab, collections)


def search_json(archive, request: SearchRequest) -> dict:
    """What /api/search returns (PRODUCT.md §4), facet values labelled in Vietnamese and English."""
    result: SearchResult = archive.search.search(request)
    return result.as_json(facet_labels(archive))
