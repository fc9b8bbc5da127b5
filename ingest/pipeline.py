"""The ingest pipeline: plan the batch, hash, process new files in worker processes, commit item by item.

An item enters the catalog in one transaction, only after every one of its originals is stored and checksummed, so
a crash leaves either the whole item or nothing; re-running the batch adopts originals stored before the crash.
"""
from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tqdm import tqdm

from archive import ocr_text
from archive.catalog import service
from archive.catalog.models import IngestRun, Item
from archive.context import Archive
from archive.filestore import sha256_file
from archive.processes import worker_pool
from archive.report import Rejection, Summary
from archive.uow import unit_of_work

from .plan import Job, build_plan
from .validate import Limits
from .worker import FileDone, FileFailed, process_file

log = logging.getLogger(__name__)


@dataclass
class _Pending:
    job: Job
    item_id: str | None  # the existing item the new files join, if any
    files: list[Path]    # new media files, in order
    captions: list[tuple[Path, str, str]]  # (vtt, checksum of its media file, language), not yet stored
    results: dict[Path, FileDone | FileFailed] = field(default_factory=dict)

    @property
    def expected(self) -> int:
        return len(self.files) + len(self.captions)


class Ingest:
    """``actor`` (an archive.access.Viewer) and ``details``: for an ingest on someone's behalf (an upload job), each
    item committed is audited as "ingest_done" in its own transaction."""

    def __init__(self, archive: Archive, *, progress: bool = True, actor=None, details: dict | None = None):
        self.archive = archive
        self.progress = progress
        self.limits = Limits.from_settings(archive.settings)
        self.actor = actor
        self.details = details or {}

    def run(self, paths: list[Path], metadata: Path | None = None) -> Summary:
        with self.archive.write_lock():
            self.archive.store.clear_tmp()
            run = IngestRun(command="ingest")
            with self.archive.catalog.session() as s:
                s.add(run)
                collections = service.collection_ids(s)
            plan = build_plan([p.resolve() for p in paths], metadata.resolve() if metadata else None,
                              self.archive.vocab, collections)
            summary = Summary(rejected=list(plan.rejections), ignored=plan.ignored)
            self._process(plan.jobs, summary)
            # Reads the run, then writes it: a writing session, or another process's commit in between would make
            # SQLite refuse the write at once ("database is locked") instead of waiting.
            with self.archive.catalog.writing() as s:
                run = s.merge(run)
                run.finished_at = datetime.now(timezone.utc)
                run.new, run.updated = len(summary.new), len(summary.updated)
                run.unchanged, run.rejected = len(summary.unchanged), len(summary.rejected)
                run.report = summary.as_report()
            return summary

    def _hash_all(self, jobs: list[Job], summary: Summary) -> tuple[list[Job], dict[Path, str]]:
        every = {f for job in jobs for f in job.files} | {v for job in jobs for c in job.captions.values() for v, _ in c}
        shas: dict[Path, str] = {}
        failed: dict[Path, str] = {}
        with ThreadPoolExecutor(self.archive.settings.workers) as pool:
            futures = {pool.submit(sha256_file, f): f for f in every}
            for future in as_completed(futures):
                try:
                    shas[futures[future]] = future.result()
                except OSError as exc:
                    failed[futures[future]] = exc.strerror or str(exc)
        kept = []
        for job in jobs:
            bad = [f for f in job.files if f in failed]
            if bad:
                summary.rejected.append(Rejection(job.source, [f"{f}: cannot be read: {failed[f]}" for f in bad], job.files))
            else:
                kept.append(job)
        return kept, shas

    def _triage(self, jobs: list[Job], shas: dict[Path, str], summary: Summary) -> list[_Pending]:
        """Sort jobs into unchanged, metadata updates, rejections and work for the workers."""
        pending = []
        first_seen: dict[str, str] = {}
        with unit_of_work(self.archive) as work:
            s = work.session
            known = service.media_by_sha(s, shas.values())
            for job in jobs:
                reasons = []
                owners = {known[shas[f]].item_id for f in job.files if shas[f] in known}
                for f in job.files:
                    if shas[f] in first_seen:
                        reasons.append(f"{f.name}: same content as {first_seen[shas[f]]}")
                    first_seen.setdefault(shas[f], str(f))
                wanted_id = (job.record or {}).get("id")
                if len(owners) > 1:
                    reasons.append(f"files already belong to different items: {', '.join(sorted(owners))}")
                elif owners and wanted_id and wanted_id not in owners:
                    reasons.append(f"id: files already belong to item {owners.copy().pop()!r}, not {wanted_id!r}")
                if reasons:
                    if job.record is None and all("same content as" in r for r in reasons):
                        summary.unchanged.append(job.source)
                    else:
                        summary.rejected.append(Rejection(job.source, reasons, job.files))
                    continue
                item_id = owners.pop() if owners else None
                if item_id is None and wanted_id and s.get(Item, wanted_id) is not None:
                    item_id = wanted_id
                new_files = [f for f in job.files if shas[f] not in known]
                new_captions = [(vtt, shas[media], lang) for media, caps in job.captions.items()
                                for vtt, lang in caps if shas[vtt] not in known]
                if new_files or new_captions:
                    pending.append(_Pending(job, item_id, new_files, new_captions))
                    continue
                item = service.get_item(s, item_id)
                if job.record is not None and not service.same_record(item, job.record):
                    service.apply_record(s, item, job.record)
                    item.status = "published"
                    summary.updated.append(item.id)
                    work.reindex(item.id)
                else:
                    summary.unchanged.append(job.source)
        return pending

    def _process(self, jobs: list[Job], summary: Summary) -> None:
        jobs, shas = self._hash_all(jobs, summary)
        pending = self._triage(jobs, shas, summary)
        total = sum(p.expected for p in pending)
        store_root = self.archive.store.root
        with worker_pool(self.archive.settings.workers) as pool, \
                tqdm(total=total, unit="file", desc="ingest", disable=not self.progress) as bar:
            futures: dict[Future, _Pending] = {}
            for p in pending:
                for f in p.files + [vtt for vtt, _, _ in p.captions]:
                    futures[pool.submit(process_file, f, shas[f], store_root, self.limits)] = p
            for future in as_completed(futures):
                p = futures[future]
                result = future.result()
                p.results[result.path] = result
                bar.update(1)
                if isinstance(result, FileFailed):
                    bar.write(f"rejected {result.path}: {result.reason}")
                if len(p.results) == p.expected:
                    self._commit(p, summary)

    def _commit(self, p: _Pending, summary: Summary) -> None:
        failed = [r for r in p.results.values() if isinstance(r, FileFailed)]
        media_failed = [r for r in failed if r.path in p.files]
        if media_failed:
            reasons = [r.reason.about(r.path.name) for r in failed]
            summary.rejected.append(Rejection(p.job.source, reasons, p.job.files))
            for r in p.results.values():
                if isinstance(r, FileDone):
                    self._discard_if_unreferenced(r.sha256)
            return
        for r in failed:  # only captions failed: the item goes in without them
            summary.rejected.append(Rejection(str(r.path), [r.reason], [r.path]))
        with unit_of_work(self.archive) as work:
            s = work.session
            if p.item_id is None:
                kinds = {p.results[f].kind for f in p.files}
                record = p.job.record or _undescribed_record(p.files[0])
                inferred = kinds.pop() if len(kinds) == 1 and len(p.files) == 1 else "set"
                item = service.create_item(s, {"type": inferred, **record},
                                           status="published" if p.job.record else "draft")
                summary.new.append(item.id)
            else:
                item = service.get_item(s, p.item_id)
                if p.job.record is not None:
                    service.apply_record(s, item, p.job.record)
                summary.updated.append(item.id)
            by_sha = {m.sha256: m for m in item.files}
            position = len(item.media)
            for f in p.files:
                r = p.results[f]
                by_sha[r.sha256] = service.attach_file(
                    item, sha256=r.sha256, size=r.size, mime=r.mime, kind=r.kind, original_name=f.name,
                    techmd=r.techmd, derivatives=r.derivatives, position=position)
                position += 1
            for vtt, media_sha, lang in p.captions:
                r = p.results[vtt]
                if isinstance(r, FileDone):
                    service.attach_file(item, sha256=r.sha256, size=r.size, mime=r.mime, kind="caption",
                                        original_name=vtt.name, techmd=r.techmd, derivatives=None, position=0,
                                        parent=by_sha[media_sha], language=lang)
            summary.files_stored += sum(isinstance(r, FileDone) for r in p.results.values())
            ocr_text.queue_pages(s, item)  # the worker reads the text in its images (ingest.ocr)
            work.reindex(item.id)
            if self.actor is not None:
                work.audit(self.actor, "ingest_done", f"item:{item.id}",
                           {"file": p.files[0].name, "new": p.item_id is None, **self.details})

    def _discard_if_unreferenced(self, sha: str) -> None:
        with self.archive.catalog.session() as s:
            if not service.media_by_sha(s, [sha]):
                self.archive.store.discard(sha)


def _undescribed_record(path: Path) -> dict:
    """A draft record for a file nobody has described yet; staff complete it before publishing."""
    return {"title": {"vi": path.stem, "en": path.stem}, "access": "staff"}
