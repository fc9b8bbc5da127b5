"""The archive's parts, wired from one Settings object: catalog, file store and vocabularies."""
from __future__ import annotations

from functools import cached_property
from typing import ContextManager

from .catalog import Catalog
from .filestore import FileStore
from .processes import exclusive
from .settings import Settings
from .vocabularies import CatalogVocabularies, Vocabularies


class Archive:
    def __init__(self, settings: Settings):
        self.settings = settings
        settings.data_path.mkdir(parents=True, exist_ok=True)

    @cached_property
    def catalog(self) -> Catalog:
        catalog = Catalog(self.settings.catalog_url)
        catalog.upgrade()
        from .terms import seed  # archive.terms works through units of work, which need this module's Archive

        seed(catalog, Vocabularies())
        return catalog

    @cached_property
    def store(self) -> FileStore:
        return FileStore(self.settings.data_path / "store")

    @cached_property
    def vocab(self) -> Vocabularies:
        """The active terms in the catalog (archive.terms), as each process sees them at its next look-up."""
        return CatalogVocabularies(self.catalog)

    @cached_property
    def calendar(self):
        """Festival dates (archive.calendar.FestivalCalendar)."""
        from .calendar import FestivalCalendar
        return FestivalCalendar(self.vocab)

    @cached_property
    def search(self):
        """The configured search backend (search.backend.SearchBackend); connects on first use."""
        from search.service import open_backend
        return open_backend(self.settings, self.vocab)

    def write_lock(self, purpose: str = "ingest") -> ContextManager[None]:
        """Serialise the commands that write to the store (ingest, derive), across processes; a process that dies
        lets go of it, and a waiting one says who holds it (archive.processes.exclusive)."""
        return exclusive(self.settings.data_path / "write.lock", purpose)
