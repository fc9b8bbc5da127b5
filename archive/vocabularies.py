"""Controlled vocabularies, read from the JSON data files in ``archive/vocabularies/``.

Records refer to terms by stable identifier (licences by URI). An unknown value is reported with the allowed ones.
"""
from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

DEFAULT_DIR = Path(__file__).with_name("vocabularies")
NAMES = ("communities", "festivals", "places", "languages", "scripts", "licences", "roles")
SINGULAR = {"communities": "community", "festivals": "festival", "places": "place", "languages": "language",
            "scripts": "script", "licences": "licence", "roles": "role"}


class Vocabularies:
    def __init__(self, directory: Path = DEFAULT_DIR):
        self.directory = directory

    @cached_property
    def _data(self) -> dict[str, dict]:
        data = {}
        for name in NAMES:
            with open(self.directory / f"{name}.json", encoding="utf-8") as fh:
                data[name] = json.load(fh)
        return data

    @cached_property
    def _index(self) -> dict[str, dict[str, dict]]:
        return {name: {t["id"]: t for t in doc["terms"]} for name, doc in self._data.items()}

    @cached_property
    def _licences_by_uri(self) -> dict[str, dict]:
        return {canonical_rights_uri(t["uri"]): t for t in self._data["licences"]["terms"]}

    def document(self, name: str) -> dict:
        return self._data[name]

    def terms(self, name: str) -> list[dict]:
        return self._data[name]["terms"]

    def get(self, name: str, term_id: str) -> dict | None:
        return self._index[name].get(term_id)

    def licence(self, uri: str) -> dict | None:
        return self._licences_by_uri.get(canonical_rights_uri(uri))

    def unknown(self, name: str, value: str) -> str | None:
        """The reason ``value`` is not a term of ``name``, or None when it is."""
        if name == "licences":
            if self.licence(value):
                return None
            allowed = sorted(self._licences_by_uri)
        else:
            if value in self._index[name]:
                return None
            allowed = sorted(self._index[name])
        return f"unknown {SINGULAR[name]} {value!r}; allowed: {', '.join(allowed)}"


def canonical_rights_uri(uri: str) -> str:
    """creativecommons.org and rightsstatements.org URIs in the http:// form IIIF requires, with a trailing slash."""
    uri = uri.strip()
    if uri.startswith("https://"):
        uri = "http://" + uri[len("https://"):]
    return uri if uri.endswith("/") else uri + "/"
