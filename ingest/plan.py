"""Turn command-line paths and an optional metadata CSV into item jobs, before any file is touched.

A job is one item: its record (None for a file nobody described yet) and its media files, each with the caption
files lying beside it (``<stem>.<lang>.vtt``). Problems found here reject a row or a file, never the batch.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from archive.errors import InvalidRecord
from archive.exchange import ExchangeError, read_csv
from archive.report import Rejection
from archive.records import validate_record
from archive.text import BCP47
from archive.vocabularies import Vocabularies

from .identify import ACCEPTED

MEDIA_EXTENSIONS = {ext for kind, exts in ACCEPTED.values() if kind != "caption" for ext in exts}


@dataclass
class Job:
    source: str
    record: dict | None
    files: list[Path]
    captions: dict[Path, list[tuple[Path, str]]] = field(default_factory=dict)  # media file → [(vtt, language)]


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)


def caption_language(path: Path) -> tuple[str, str] | None:
    """('talk', 'vi') for 'talk.vi.vtt'; None when the name has no language part."""
    if path.suffix.lower() != ".vtt":
        return None
    stem, dot, lang = path.stem.rpartition(".")
    return (stem, lang) if dot and stem else None


def _files_under(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    found = []
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(directory) / f for f in sorted(files) if not f.startswith(".")]
    return found


def walk(paths: list[Path]) -> tuple[list[Path], list[Path], list[Path]]:
    """(media files, caption files, ignored files) under ``paths``, folders recursively, hidden entries skipped.

    Inside folders only files with a media extension are taken (a README is not an error); a file named on the
    command line is always taken, so its content decides.
    """
    media, captions, ignored = [], [], []
    for root in paths:
        for f in _files_under(root):
            f = f.resolve()
            if f.suffix.lower() == ".vtt":
                captions.append(f)
            elif f.suffix.lower() in MEDIA_EXTENSIONS or root.is_file():
                media.append(f)
            else:
                ignored.append(f)
    return media, captions, ignored


def build_plan(paths: list[Path], metadata: Path | None, vocab: Vocabularies, collections: set[str]) -> Plan:
    plan = Plan()
    missing = [p for p in paths if not p.exists()]
    plan.rejections += [Rejection(str(p), ["no such file or folder"]) for p in missing]
    media, caption_files, ignored = walk([p for p in paths if p.exists()])
    plan.ignored = [f for f in ignored if f != metadata]
    claimed: dict[Path, str] = {}
    seen_ids: dict[str, str] = {}

    if metadata is not None:
        try:
            rows = list(read_csv(metadata, with_files=True))
        except (ExchangeError, OSError) as exc:
            plan.rejections.append(Rejection(str(metadata), [getattr(exc, "reason", None) or str(exc)]))
            rows = []
        for row in rows:
            reasons = [str(p) for p in row.problems]
            try:
                record = validate_record(row.data, vocab, collections=collections)
            except InvalidRecord as exc:
                reasons += [str(p) for p in exc.problems]
                record = None
            if record and "id" in record:
                if record["id"] in seen_ids:
                    reasons.append(f"id: duplicate identifier {record['id']!r} (also {seen_ids[record['id']]})")
                else:
                    seen_ids[record["id"]] = row.source
            for f in row.files:
                if not f.is_file():
                    reasons.append(f"file: {f} does not exist")
                elif f in claimed:
                    reasons.append(f"file: {f} is already described by {claimed[f]}")
            if reasons:
                plan.rejections.append(Rejection(row.source, reasons, row.files))
                claimed.update({f: row.source for f in row.files})
                continue
            claimed.update({f: row.source for f in row.files})
            plan.jobs.append(Job(row.source, record, row.files))
    for f in media:
        if f not in claimed:
            plan.jobs.append(Job(str(f), None, [f]))

    _attach_captions(plan, caption_files)
    return plan


def _attach_captions(plan: Plan, caption_files: list[Path]) -> None:
    by_stem: dict[tuple[Path, str], Path] = {}
    for job in plan.jobs:
        for f in job.files:
            by_stem[(f.parent, f.stem)] = f
    owner = {f: job for job in plan.jobs for f in job.files}
    for vtt in caption_files:
        parsed = caption_language(vtt)
        if parsed is None or not BCP47.match(parsed[1]):
            plan.rejections.append(Rejection(str(vtt), ["caption file must be named <media stem>.<language tag>.vtt"],
                                             [vtt]))
            continue
        stem, lang = parsed
        media_file = by_stem.get((vtt.parent, stem))
        if media_file is None:
            rejected = any((vtt.parent / stem) == f.parent / f.stem for r in plan.rejections for f in r.files)
            if not rejected:
                plan.rejections.append(Rejection(str(vtt), [f"no media file named {stem}.* beside this caption"],
                                                 [vtt]))
            continue
        owner[media_file].captions.setdefault(media_file, []).append((vtt, lang))
