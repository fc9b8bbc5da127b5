"""Reading records in the exchange formats: CSV (UTF-8, header row) and JSON Lines (PRODUCT.md §3).

Each row becomes a raw record plus, for ingest CSVs, the media files it names. Problems are collected per row so
one bad row never stops the others; a problem with the file as a whole (encoding, columns) raises ExchangeError.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .errors import ArchiveError, Problem, UnsafePath
from .filestore import safe_join
from .labels import SITE_LANGS
from .records import LANGUAGE_MAPS
from .text import BCP47

SCALARS = ("id", "type", "community", "festival", "place", "date", "lunar_date", "rights", "access")
LISTS = ("languages", "scripts", "subjects", "collections")
# The columns after id and type, in the order CSV files are written (language maps as title_vi, title_en…).
CSV_FIELDS = ("title", "description", "community", "festival", "place", "date", "lunar_date", "languages", "scripts",
              "subjects", "creators", "rights", "attribution", "access", "sensitivity_note", "provenance",
              "collections")
_CREATOR = re.compile(r"^(?P<name>.*?)\s*\((?P<role>[^()]*)\)\s*$")


class ExchangeError(ArchiveError):
    """The file as a whole cannot be read (wrong encoding, malformed, missing or unknown columns)."""

    def __init__(self, path: Path, reason: str):
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}")


@dataclass
class Row:
    source: str
    data: dict
    files: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def split_list(value: str) -> list[str]:
    """The values of a list cell: separated by ';', where '\\;' is a semicolon inside a value and '\\\\' a backslash
    (any other backslash is kept as it is, so cells written by hand read as they look)."""
    values, current, chars = [], [], iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            current.append(following if following in (";", "\\") else char + following)
        elif char == ";":
            values.append("".join(current))
            current = []
        else:
            current.append(char)
    values.append("".join(current))
    return [v.strip() for v in values if v.strip()]


def join_list(values: list[str]) -> str:
    """The cell that split_list reads back as ``values``."""
    return "; ".join(v.replace("\\", "\\\\").replace(";", "\\;") for v in values)


def csv_columns(records: list[tuple[str, str, dict]]) -> list[str]:
    """The header for these (id, type, record)s: a column for each language a language map uses, site languages
    first (title_vi and title_en always)."""
    tags: dict[str, list[str]] = {key: [] for key in LANGUAGE_MAPS}
    for _, _, record in records:
        for key in LANGUAGE_MAPS:
            tags[key] += [tag for tag in record.get(key, {}) if tag not in tags[key]]
    columns = ["id", "type"]
    for key in CSV_FIELDS:
        if key in LANGUAGE_MAPS:
            ordered = [t for t in SITE_LANGS if t in tags[key] or key == "title"] + \
                      sorted(t for t in tags[key] if t not in SITE_LANGS)
            columns += [f"{key}_{tag}" for tag in ordered]
        else:
            columns.append(key)
    return columns


def write_csv(records: list[tuple[str, str, dict]]) -> str:
    """(id, type, record)s as the CSV that read_csv reads back (PRODUCT.md §3)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, csv_columns(records), extrasaction="ignore")
    writer.writeheader()
    for item_id, type_, record in records:
        row = {"id": item_id, "type": type_}
        for key, value in record.items():
            if key in LANGUAGE_MAPS:
                row.update({f"{key}_{tag}": text for tag, text in value.items()})
            elif key == "creators":
                row[key] = join_list([f"{c['name']} ({c['role']})" if c.get("role") else c["name"] for c in value])
            elif key in LISTS:
                row[key] = join_list(value)
            elif key != "type":
                row[key] = value
        writer.writerow(row)
    return out.getvalue()


def language_column(column: str) -> tuple[str, str] | None:
    """('title', 'km') for 'title_km'; None for a column that is not a language-map column."""
    for base in LANGUAGE_MAPS:
        if column.startswith(base + "_") and len(column) > len(base) + 1:
            return base, column[len(base) + 1:]
    return None


def _column_problem(column: str) -> str | None:
    if column in SCALARS or column in LISTS or column in ("creators", "file"):
        return None
    if split := language_column(column):
        return None if BCP47.match(split[1]) else f"column {column!r}: {split[1]!r} is not a BCP 47 language tag"
    return f"unknown column {column!r}"


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExchangeError(path, f"not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                                  "save the spreadsheet as CSV UTF-8") from exc


def read_csv(path: Path, *, with_files: bool) -> Iterator[Row]:
    text = _read_text(path)
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        columns = [c.strip() for c in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise ExchangeError(path, f"malformed CSV header: {exc}") from exc
    problems = [p for c in columns if (p := _column_problem(c))]
    if len(set(columns)) != len(columns):
        problems.append("duplicate column names")
    required = ["community"] + (["file"] if with_files else [])
    problems += [f"missing required column {c!r}" for c in required if c not in columns]
    if "title_vi" not in columns and "title_en" not in columns:
        problems.append("missing required column 'title_vi' or 'title_en'")
    if problems:
        raise ExchangeError(path, "; ".join(problems))
    reader.fieldnames = columns
    try:
        for row in reader:
            yield _row_to_record(row, path, reader.line_num, with_files)
    except csv.Error as exc:
        raise ExchangeError(path, f"malformed CSV at line {reader.line_num}: {exc}") from exc


def _row_to_record(row: dict, path: Path, line: int, with_files: bool) -> Row:
    result = Row(source=f"{path.name} line {line}", data={})
    if None in row:
        result.problems.append(Problem("", f"{len(row[None])} more values than columns"))
    for column, value in row.items():
        if column is None or value is None or not value.strip():
            continue
        value = value.strip()
        if column in SCALARS:
            result.data[column] = value
        elif column in LISTS:
            result.data[column] = split_list(value)
        elif column == "creators":
            creators = []
            for part in split_list(value):
                m = _CREATOR.match(part)
                creators.append({"name": m["name"], "role": m["role"].strip()} if m else {"name": part})
            result.data["creators"] = creators
        elif column == "file":
            for rel in split_list(value):
                try:
                    result.files.append(safe_join(path.parent, rel))
                except UnsafePath:
                    result.problems.append(Problem("file", f"path {rel!r} leaves the CSV's folder"))
        else:
            base, tag = language_column(column)
            result.data.setdefault(base, {})[tag] = value
    if with_files and not result.files and not result.problems:
        result.problems.append(Problem("file", "no media file given"))
    return result


def read_jsonl(path: Path) -> Iterator[Row]:
    text = _read_text(path)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        source = f"{path.name} line {number}"
        try:
            yield Row(source=source, data=json.loads(line))
        except json.JSONDecodeError as exc:
            yield Row(source=source, data={}, problems=[Problem("", f"not valid JSON: {exc.msg} at column {exc.colno}")])


def read_records(path: Path) -> Iterator[Row]:
    """Metadata-only records from a CSV or JSON Lines file, chosen by extension."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path, with_files=False)
    if suffix in (".jsonl", ".ndjson", ".json"):
        return read_jsonl(path)
    raise ExchangeError(path, f"unknown record file type {suffix!r} (use .csv or .jsonl)")
