"""Opening the configured backend."""
from __future__ import annotations

from pathlib import Path

from archive.settings import Settings
from archive.vocabularies import Vocabularies

from .backend import SearchBackend


def open_backend(settings: Settings, vocab: Vocabularies) -> SearchBackend:
    """The backend HERITAGE_SEARCH_BACKEND names; nothing connects until the first call."""
    if settings.search_backend == "elasticsearch":
        from .elasticsearch_backend import ElasticsearchBackend
        return ElasticsearchBackend(settings.elasticsearch_url, vocab)
    from .whoosh_backend import WhooshBackend
    return WhooshBackend.in_data_dir(Path(settings.data_path), vocab)
