"""The catalog: the source of truth for records, media files, collections, vocabulary terms and ingest runs."""
from .db import Catalog

__all__ = ["Catalog"]
