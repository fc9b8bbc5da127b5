"""Open data: the public catalogue as a Frictionless Data Package (https://datapackage.org), rebuilt by the worker when
what the public sees changes (never in a web request) and served from ``DATA_DIR/open-data/current``.

The package holds the records as CSV (the import columns: ``heritage import-collections collections.json`` then
``heritage import-records records.csv`` rebuild them in an empty archive), as JSON Lines (the exchange format), as
JSON-LD (schema.org, its context in the file so it is read offline), the collections, and the vocabularies. Only what
an anonymous visitor may see is in it (archive.access).

Each build goes to a folder of its own, named by what it was built from; ``current`` (a symbolic link, replaced in one
rename) then points at it, so a reader never sees half a package and a build is skipped when nothing changed.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from iiif.urls import Urls

from . import generation
from .access import public_filter
from .catalog.models import Collection, Item
from .errors import ArchiveError
from .exchange import csv_columns, write_csv
from .labels import ARCHIVE_NAME, ITEM_TYPES, SITE_LANGS
from .processes import exclusive
from .records import LANGUAGE_MAPS
from .schema_org import RECORD_TYPES, agent, language_tag
from .vocabularies import NAMES as VOCABULARIES
from .text import utc_stamp

log = logging.getLogger(__name__)

NAME = "heritage-archive-hcmc"
# Enough of schema.org's context for this file: the vocabulary, and which values are links.
CONTEXT = {"@vocab": "https://schema.org/", "url": {"@type": "@id"}, "license": {"@type": "@id"},
           "isPartOf": {"@type": "@id"}, "subjectOf": {"@type": "@id"}, "sameAs": {"@type": "@id"}}
FIELD_HELP = {
    "id": "The item's identifier in the archive", "type": "image, audio, video, document or set",
    "community": "Community (vocabulary communities)", "festival": "Festival (vocabulary festivals)",
    "place": "Place (vocabulary places)", "date": "Date in EDTF (ISO 8601-2)", "lunar_date": "Lunar-calendar date",
    "languages": "Languages of the content, ISO 639-3, separated by ';'",
    "scripts": "Scripts, ISO 15924, separated by ';'", "subjects": "Subjects, separated by ';'",
    "creators": "Creators as 'name (role)', separated by ';' (vocabulary roles)",
    "rights": "Licence or rights statement URI (vocabulary licences)", "access": "Access level (always public here)",
    "collections": "Collection ids (collections.json), separated by ';'",
}


@dataclass(frozen=True)
class Package:
    """A built package as the open-data page shows it."""

    path: Path
    descriptor: dict

    @property
    def files(self) -> list[dict]:
        return self.descriptor["resources"]


def _root(archive) -> Path:
    return archive.settings.data_path / "open-data"


def current(archive) -> Package | None:
    link = _root(archive) / "current"
    try:
        return Package(link.resolve(strict=True), json.loads((link / "datapackage.json").read_text("utf-8")))
    except FileNotFoundError:
        return None


def signature(archive, today: date) -> str:
    """What the public package is built from, in a few bytes: the catalog's generation (raised by every change the
    public can see, archive.generation), the last embargo ended by ``today`` (the day alone changes nothing unless an
    embargo ends with it: the latest ended one then moves), the vocabularies and the settings the package names."""
    vocabularies = [archive.vocab.document(name) for name in VOCABULARIES]
    with archive.catalog.session() as s:
        ended = s.scalar(select(func.max(Item.embargo_until)).where(Item.embargo_until < today))
    data = json.dumps([generation.current(archive.catalog), ended and ended.isoformat(), vocabularies,
                       archive.settings.base_url, archive.settings.open_data_licence], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def _public_items(archive, today: date) -> tuple[list[Item], list[Collection]]:
    with archive.catalog.session() as s:
        items = list(s.scalars(select(Item).where(public_filter(today)).order_by(Item.id)
                               .options(selectinload(Item.collections))))
        used = {c for item in items for c in item.record.get("collections", [])}
        collections = list(s.scalars(select(Collection).where(Collection.id.in_(used)).order_by(Collection.id)))
    return items, collections


def _tagged(value: dict | None) -> list[dict]:
    return [{"@value": text, "@language": tag} for tag, text in (value or {}).items()]


def _jsonld(item: Item, vocab, base_url: str) -> dict:
    """The item in schema.org terms, every language of its titles and descriptions kept."""
    record, urls = item.record, Urls(base_url)
    page = urls.page(SITE_LANGS[0], "items", item.id)
    doc = {"@id": page, "@type": RECORD_TYPES[item.type], "identifier": item.id, "url": page,
           "name": _tagged(record.get("title")), "subjectOf": urls.manifest(item.id),
           "dateModified": item.updated_at.date().isoformat()}
    if record.get("description"):
        doc["description"] = _tagged(record["description"])
    if record.get("languages"):
        doc["inLanguage"] = [language_tag(code) for code in record["languages"]]
    if record.get("date"):
        doc["temporalCoverage"] = record["date"]
    if record.get("creators"):
        doc["creator"] = [agent(c) for c in record["creators"]]
    if record.get("rights"):
        doc["license"] = record["rights"]
    if record.get("subjects"):
        doc["keywords"] = record["subjects"]
    if place := vocab.get("places", record.get("place")):
        location = {"@type": "Place", "name": _tagged(place["label"])}
        if place.get("coordinates"):
            location["geo"] = {"@type": "GeoCoordinates", "latitude": place["coordinates"]["lat"],
                               "longitude": place["coordinates"]["lon"]}
        doc["contentLocation"] = location
    if festival := vocab.get("festivals", record.get("festival")):
        doc["about"] = {"@type": "Event", "name": _tagged(festival["label"])}
    if item.collections:
        doc["isPartOf"] = [urls.page(SITE_LANGS[0], "collections", c.id) for c in item.collections]
    return doc


def _table_schema(columns: list[str], vocab) -> dict:
    fields = []
    for column in columns:
        base = next((key for key in LANGUAGE_MAPS if column.startswith(key + "_")), None)
        field = {"name": column, "type": "string"}
        if base:
            field["description"] = f"{base.replace('_', ' ').capitalize()} in the language {column[len(base) + 1:]}"
        elif column in FIELD_HELP:
            field["description"] = FIELD_HELP[column]
        if column == "id":
            field["constraints"] = {"required": True, "unique": True}
        elif column == "type":
            field["constraints"] = {"required": True, "enum": list(ITEM_TYPES)}
        elif column == "community":
            field["constraints"] = {"enum": [t["id"] for t in vocab.terms("communities")]}
        elif column == "access":
            field["constraints"] = {"enum": ["public"]}
        fields.append(field)
    return {"fields": fields, "primaryKey": ["id"], "missingValues": [""]}


def _resource(folder: Path, name: str, path: str, title: str, **extra) -> dict:
    data = (folder / path).read_bytes()
    return {"name": name, "path": path, "title": title, **extra, "encoding": "utf-8", "bytes": len(data),
            "hash": "sha256:" + hashlib.sha256(data).hexdigest()}


def _write(folder: Path, archive, items: list[Item], collections: list[Collection]) -> dict:
    vocab, base_url = archive.vocab, archive.settings.base_url
    records = [(item.id, item.type, dict(item.record)) for item in items]
    (folder / "records.csv").write_text(write_csv(records), "utf-8", newline="")
    with open(folder / "records.jsonl", "w", encoding="utf-8") as out:
        for item_id, type_, record in records:
            out.write(json.dumps({"id": item_id, "type": type_, **record}, ensure_ascii=False) + "\n")
    graph = {"@context": CONTEXT, "@graph": [_jsonld(item, vocab, base_url) for item in items]}
    (folder / "records.jsonld").write_text(json.dumps(graph, ensure_ascii=False, indent=1), "utf-8")
    (folder / "collections.json").write_text(json.dumps(
        [{"id": c.id, "title": c.title, "description": c.description, "community": c.community}
         for c in collections], ensure_ascii=False, indent=1), "utf-8")
    (folder / "vocabularies").mkdir()
    for name in VOCABULARIES:
        (folder / "vocabularies" / f"{name}.json").write_text(
            json.dumps(vocab.document(name), ensure_ascii=False, indent=1), "utf-8")
    resources = [
        _resource(folder, "records", "records.csv", "Records (CSV, the import columns)", profile="tabular-data-resource",
                  format="csv", mediatype="text/csv", schema=_table_schema(csv_columns(records), vocab)),
        _resource(folder, "records-jsonl", "records.jsonl", "Records (JSON Lines, the exchange format)",
                  format="jsonl", mediatype="application/jsonl", type="file"),  # not a table: records nest
        _resource(folder, "records-jsonld", "records.jsonld", "Records (JSON-LD, schema.org)", format="jsonld",
                  mediatype="application/ld+json"),
        _resource(folder, "collections", "collections.json", "Collections", format="json",
                  mediatype="application/json"),
    ] + [_resource(folder, f"vocabulary-{name}", f"vocabularies/{name}.json", f"Vocabulary: {name}", format="json",
                   mediatype="application/json") for name in VOCABULARIES]
    licence = vocab.licence(archive.settings.open_data_licence)
    if licence is None:
        raise ArchiveError(f"HERITAGE_OPEN_DATA_LICENCE: {vocab.unknown('licences', archive.settings.open_data_licence)}")
    return {
        "name": NAME, "title": ARCHIVE_NAME["en"],
        "description": "The public catalogue: records of photographs, recordings, films and documents, their "
                       "collections and the vocabularies they use. Records in Vietnamese and English.",
        "homepage": Urls(base_url).page(SITE_LANGS[0], "open-data"),
        "created": utc_stamp(datetime.now(timezone.utc)),
        "licenses": [{"name": licence["id"], "path": licence["uri"], "title": licence["label"]["en"]}],
        "keywords": ["cultural heritage", "Cham", "Hoa", "Khmer", "Ho Chi Minh City", "di sản văn hóa"],
        "count": len(records), "resources": resources,
    }


def build(archive, *, force: bool = False, today: date | None = None) -> Package:
    """Build the package unless the current one was built from the same catalogue; returns the current package.
    ``today``: the day whose embargoes apply (the present one by default)."""
    today = today or date.today()
    root = _root(archive)
    root.mkdir(parents=True, exist_ok=True)
    with exclusive(root / "build.lock", "open data build"):
        sig = signature(archive, today)
        existing = current(archive)
        if existing is not None and existing.path.name == sig and not force:
            return existing
        items, collections = _public_items(archive, today)
        folder = root / f"{sig}.partial"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        descriptor = _write(folder, archive, items, collections)
        (folder / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=1), "utf-8")
        final = root / sig
        shutil.rmtree(final, ignore_errors=True)
        folder.rename(final)
        link = root / "current.new"
        link.unlink(missing_ok=True)
        link.symlink_to(sig)
        os.replace(link, root / "current")  # one rename: readers see the old package or the new, whole
        for old in root.iterdir():
            if old.is_dir() and not old.is_symlink() and old.name != sig:
                shutil.rmtree(old, ignore_errors=True)
    log.info("open data: %d public records in %s", len(items), final)
    return Package(final, descriptor)
