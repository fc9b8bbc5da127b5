"""The record exchange format (PRODUCT.md §3): validation and normalisation of one record.

Shape is checked by a JSON Schema; terms against the vocabularies; dates as EDTF. Every problem is reported at once.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from edtf import parse_edtf
from edtf.parser.edtf_exceptions import EDTFParseException
from jsonschema import Draft202012Validator

from .calendar import UnreadableLunarDate, parse_lunar_date
from .errors import InvalidRecord, Problem
from .text import clean, clean_language_map
from .vocabularies import Vocabularies, canonical_rights_uri

LANGUAGE_MAPS = ("title", "description", "attribution", "sensitivity_note", "provenance")
TERM_FIELDS = {"community": "communities", "festival": "festivals", "place": "places"}
TERM_LISTS = {"languages": "languages", "scripts": "scripts"}


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    schema = json.loads(Path(__file__).with_name("schemas").joinpath("record.schema.json").read_text("utf-8"))
    return Draft202012Validator(schema)


def _schema_problems(data: dict) -> list[Problem]:
    problems = []
    for error in sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path)):
        field = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "additionalProperties" and not field:
            extra = sorted(set(data) - set(_validator().schema["properties"]))
            problems.extend(Problem(key, "unknown key") for key in extra)
        elif "propertyNames" in error.schema_path:
            problems.append(Problem(field, f"{error.instance!r} is not a BCP 47 language tag (e.g. vi, en, km, zh-Hant)"))
        elif error.validator == "anyOf" and field == "title":
            problems.append(Problem("title", "needs a Vietnamese (vi) or English (en) value"))
        else:
            problems.append(Problem(field, error.message))
    return problems


EARLIEST, LATEST = "0001-01-01", "9999-12-31"  # the range of days the catalog and the search index can hold


@lru_cache(maxsize=65536)
def edtf_bounds(value: str) -> tuple[str, str]:
    """Earliest and latest ISO dates an EDTF expression can mean, within EARLIEST..LATEST (an open end, "..", is
    that bound); ValueError when it is not EDTF. Remembered: the parser takes ~15 ms, and dates repeat."""
    try:
        parsed = parse_edtf(value)
    except EDTFParseException as exc:
        raise ValueError(f"{value!r} is not an EDTF date (e.g. 2019-10, 196X, 1975~, 2001/2005, 2019-10/..)") from exc
    return _iso_day(parsed.lower_strict(), EARLIEST), _iso_day(parsed.upper_strict(), LATEST)


def _iso_day(bound, open_end: str) -> str:
    """A bound of the edtf library (a struct_time, or ±inf for an open end) as an ISO day, clamped to the range."""
    if not hasattr(bound, "tm_year"):
        return open_end
    if bound.tm_year < 1:
        return EARLIEST
    if bound.tm_year > 9999:
        return LATEST
    return f"{bound.tm_year:04d}-{bound.tm_mon:02d}-{bound.tm_mday:02d}"


def validate_record(data: object, vocab: Vocabularies, *, collections: Iterable[str] | None = None,
                    source: str = "") -> dict:
    """Return the normalised record or raise InvalidRecord listing every problem.

    ``collections`` is the set of known collection ids; None skips that check.
    """
    if not isinstance(data, dict):
        raise InvalidRecord([Problem("", "a record must be a JSON object")], source)
    problems = _schema_problems(data)
    # Keys whose shape is wrong (or unknown) are left out of the checks below, which go on with the others, so
    # every problem is reported at once (a form can mark every field).
    misshapen = {p.field.split(".", 1)[0] for p in problems} | (set(data) - set(_validator().schema["properties"]))

    record: dict = {}
    for key, value in data.items():
        if key in misshapen:
            continue
        if key in LANGUAGE_MAPS:
            value = clean_language_map(value)
        elif isinstance(value, str):
            value = clean(value)
        elif key == "creators":
            value = [{k: clean(v) for k, v in c.items()} for c in value]
        elif isinstance(value, list):
            value = [clean(v) for v in value]
        if value not in ("", [], {}):
            record[key] = value
    if "title" not in misshapen and not ({"vi", "en"} & set(record.get("title", {}))):
        problems.append(Problem("title", "needs a non-empty Vietnamese (vi) or English (en) value"))

    for key, name in TERM_FIELDS.items():
        if key in record and (reason := vocab.unknown(name, record[key])):
            problems.append(Problem(key, reason))
    for key, name in TERM_LISTS.items():
        for value in record.get(key, []):
            if reason := vocab.unknown(name, value):
                problems.append(Problem(key, reason))
    for i, creator in enumerate(record.get("creators", [])):
        if "role" in creator and (reason := vocab.unknown("roles", creator["role"])):
            problems.append(Problem(f"creators.{i}.role", reason))
    if "rights" in record:
        if reason := vocab.unknown("licences", record["rights"]):
            problems.append(Problem("rights", reason))
        else:
            record["rights"] = canonical_rights_uri(record["rights"])
    if "date" in record:
        try:
            edtf_bounds(record["date"])
        except ValueError as exc:
            problems.append(Problem("date", str(exc)))
    if "lunar_date" in record:
        try:
            parse_lunar_date(record["lunar_date"])
        except UnreadableLunarDate as exc:
            problems.append(Problem("lunar_date", str(exc)))
    if collections is not None:
        known = set(collections)
        for cid in record.get("collections", []):
            if cid not in known:
                problems.append(Problem("collections", f"unknown collection {cid!r}; known: {', '.join(sorted(known))}"))
    if problems:
        raise InvalidRecord(problems, source)
    record.setdefault("access", "public")
    return record
