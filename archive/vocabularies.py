"""Controlled vocabularies. The catalog holds them (archive.terms: seeded from the JSON data files in
``archive/vocabularies/``, then managed by staff); ``CatalogVocabularies`` reads them there, ``Vocabularies`` reads a
directory of data files (the seed, or an export).

Records refer to terms by stable identifier (licences by URI; subjects by one of their labels, in any language, so
records keep the words they were described with). An unknown value is reported with the allowed ones.
"""
from __future__ import annotations

import json
import threading
import unicodedata
from contextlib import contextmanager
from typing import Iterator
from functools import cached_property
from pathlib import Path

from sqlalchemy import select

from . import generation
from .catalog.models import VocabularyDocument, VocabularyTerm

DEFAULT_DIR = Path(__file__).with_name("vocabularies")
NAMES = ("communities", "festivals", "places", "languages", "scripts", "licences", "roles", "subjects")
SINGULAR = {"communities": "community", "festivals": "festival", "places": "place", "languages": "language",
            "scripts": "script", "licences": "licence", "roles": "role", "subjects": "subject"}


def subject_key(text: str) -> str:
    """How a subject written in a record is matched to a term's labels: NFC, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def subject_words(term: dict) -> list[str]:
    """Every label of a subject term (its labels in each language, then its alternative labels)."""
    return list(dict.fromkeys([*term.get("label", {}).values(), *term.get("alt_labels", [])]))


ANNOUNCED_DATES = "festival_dates.json"  # the seed of the festivals' announced dates (an export carries them in terms)


def with_announced_dates(festivals: dict, announced: dict) -> dict:
    """The festivals document with the rows of festival_dates.json as each term's ``announced_dates`` (a term's own
    rows come first; a file row for a day it has already is not repeated) and that file's sources among its own."""
    rows: dict[str, list[dict]] = {}
    for row in announced["dates"]:
        rows.setdefault(row["festival"], []).append({k: v for k, v in row.items() if k != "festival"})
    terms = []
    for term in festivals["terms"]:
        own = term.get("announced_dates", [])
        added = [row for row in rows.get(term["id"], []) if row not in own]
        terms.append({**term, "announced_dates": [*own, *added]} if own or added else term)
    listed = {source["id"] for source in festivals.get("sources", [])}
    sources = [*festivals.get("sources", []), *(s for s in announced["sources"] if s["id"] not in listed)]
    return {**festivals, "sources": sources, "terms": terms}


class Snapshot:
    """The vocabularies' documents ({name: {..., "terms": [...]}}) with their look-ups."""

    def __init__(self, documents: dict[str, dict]):
        self.documents = documents
        self.index = {name: {t["id"]: t for t in doc["terms"]} for name, doc in documents.items()}
        self.licences_by_uri = {canonical_rights_uri(t["uri"]): t for t in documents["licences"]["terms"]}
        self.subjects_by_word = {subject_key(word): t for t in documents["subjects"]["terms"]
                                 for word in subject_words(t)}


class Vocabularies:
    """The vocabularies of a directory of data files (one ``<name>.json`` per vocabulary)."""

    def __init__(self, directory: Path = DEFAULT_DIR):
        self.directory = directory

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """Look-ups in the block see one state of the terms (these files do not change)."""
        yield

    @cached_property
    def _fixed(self) -> Snapshot:
        documents = {}
        for name in NAMES:
            with open(self.directory / f"{name}.json", encoding="utf-8") as fh:
                documents[name] = json.load(fh)
        if (dates := self.directory / ANNOUNCED_DATES).exists():
            with open(dates, encoding="utf-8") as fh:
                documents["festivals"] = with_announced_dates(documents["festivals"], json.load(fh))
        return Snapshot(documents)

    def _snapshot(self) -> Snapshot:
        return self._fixed

    def document(self, name: str) -> dict:
        return self._snapshot().documents[name]

    def terms(self, name: str) -> list[dict]:
        return self._snapshot().documents[name]["terms"]

    def get(self, name: str, term_id: str) -> dict | None:
        return self._snapshot().index[name].get(term_id)

    def licence(self, uri: str) -> dict | None:
        return self._snapshot().licences_by_uri.get(canonical_rights_uri(uri))

    def subject(self, text: str) -> dict | None:
        """The subject term one of whose labels ``text`` is, or None (records may also hold free keywords)."""
        return self._snapshot().subjects_by_word.get(subject_key(text))

    def unknown(self, name: str, value: str) -> str | None:
        """The reason ``value`` is not a term of ``name``, or None when it is."""
        snapshot = self._snapshot()
        if name == "licences":
            if self.licence(value):
                return None
            allowed = sorted(snapshot.licences_by_uri)
        else:
            if value in snapshot.index[name]:
                return None
            allowed = sorted(snapshot.index[name])
        return f"unknown {SINGULAR[name]} {value!r}; allowed: {', '.join(allowed)}"


class FixedVocabularies(Vocabularies):
    """Vocabularies from documents in memory (what a CatalogVocabularies pickles to, for a worker process)."""

    def __init__(self, documents: dict[str, dict]):
        super().__init__(DEFAULT_DIR)
        self._fixed = Snapshot(documents)


class CatalogVocabularies(Vocabularies):
    """The active terms in the catalog, reread when the catalog's generation (archive.generation) has moved, which
    every change of a term raises in its transaction: each process sees a change at its next look-up.

    Checking the generation costs a query (~0.25 ms on SQLite), so a request or a batch of documents looks it up
    once inside ``pinned()``."""

    def __init__(self, catalog):
        super().__init__(DEFAULT_DIR)
        self.catalog = catalog
        self._lock = threading.Lock()
        self._cached: tuple[int, Snapshot] | None = None
        self._pins = threading.local()

    def __reduce__(self):
        return FixedVocabularies, (self._snapshot().documents,)

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """Within the block this thread's look-ups use the terms as of its first one."""
        depth = getattr(self._pins, "depth", 0)
        self._pins.depth = depth + 1
        try:
            yield
        finally:
            self._pins.depth = depth
            if not depth:
                self._pins.snapshot = None

    def _snapshot(self) -> Snapshot:
        if getattr(self._pins, "depth", 0) and getattr(self._pins, "snapshot", None) is not None:
            return self._pins.snapshot
        snapshot = self._current()
        if getattr(self._pins, "depth", 0):
            self._pins.snapshot = snapshot
        return snapshot

    def _current(self) -> Snapshot:
        now = generation.current(self.catalog)
        cached = self._cached
        if cached is not None and cached[0] == now:
            return cached[1]
        with self._lock:
            snapshot = Snapshot(read_documents(self.catalog))
            self._cached = (now, snapshot)  # read after the count: a change in between is reread next time
        return snapshot


def read_documents(catalog, *, statuses: tuple[str, ...] = ("active",)) -> dict[str, dict]:
    """The vocabularies as the catalog holds them, in the data files' format (terms in their order)."""
    with catalog.session() as s:
        documents = {name: {"vocabulary": name, "terms": []} for name in NAMES}
        for row in s.scalars(select(VocabularyDocument)):
            documents.setdefault(row.name, {"terms": []}).update({**row.document, "terms": []})
        query = select(VocabularyTerm).where(VocabularyTerm.status.in_(statuses))
        for term in s.scalars(query.order_by(VocabularyTerm.vocabulary, VocabularyTerm.position, VocabularyTerm.id)):
            documents.setdefault(term.vocabulary, {"vocabulary": term.vocabulary, "terms": []})["terms"].append(
                term.data)
    return documents


def canonical_rights_uri(uri: str) -> str:
    """creativecommons.org and rightsstatements.org URIs in the http:// form IIIF requires, with a trailing slash."""
    uri = uri.strip()
    if uri.startswith("https://"):
        uri = "http://" + uri[len("https://"):]
    return uri if uri.endswith("/") else uri + "/"
