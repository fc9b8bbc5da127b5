"""Background ingest of uploaded files: an embedded queue (Huey on a SQLite file in the data directory, so no extra
server) whose worker runs the same pipeline as `heritage ingest`. `heritage worker` runs the consumer; `heritage serve`
starts one beside the web server. The jobs table is what the staff pages read."""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from sqlalchemy import select, update

from ingest import ocr as ingest_ocr
from ingest.pipeline import Ingest

from . import audit, harvest, open_data
from .access import Viewer
from .catalog import service
from .catalog.models import Job, Upload, utcnow
from .context import Archive
from .filestore import sha256_file
from .indexing import catch_up
from .processes import process_tag, tag_alive
from .reasons import Reason, reason_of
from .settings import load_settings
from .uploads import discard, purge_stale, upload_path

log = logging.getLogger(__name__)

STATES = ("queued", "running", "done", "rejected", "failed")
TERMINAL = ("done", "rejected", "failed")
POLL_SECONDS = 1.0  # the longest an idle worker waits before looking at the queue again
MAX_ATTEMPTS = 3  # a job whose worker died this many times while running it fails instead of being tried again
HEARTBEAT_SECONDS = 30.0  # how often a worker marks the jobs it runs as still running, and looks for abandoned ones
STALE_SECONDS = 300.0  # a job whose worker cannot be checked from here (another machine) is abandoned after this


@dataclass(frozen=True)
class JobRow:
    id: int
    filename: str
    state: str
    reasons: list[Reason]
    item_id: str | None
    username: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def reason(self) -> str | None:
        """The reasons in English, as the audit log has them."""
        return "; ".join(self.reasons) or None


def list_jobs(archive: Archive, *, actor_id: int | None = None, ids: list[int] | None = None,
              limit: int = 50) -> list[JobRow]:
    """Newest first."""
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if actor_id is not None:
        query = query.where(Job.user_id == actor_id)
    if ids is not None:
        query = query.where(Job.id.in_(ids))
    with archive.catalog.session() as s:
        return [JobRow(j.id, j.filename, j.state, [Reason.from_dict(r) for r in j.reasons or ()], j.item_id,
                       j.username, j.created_at, j.updated_at)
                for j in s.scalars(query)]


def _huey(data_dir: str, url: str) -> Huey:
    """``url`` empty: the SQLite queue in the data directory (one machine); ``redis://…``: Huey's Redis queue, which
    workers on several machines share (each message goes to one of them)."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name="heritage", url=url, results=False)
    return SqliteHuey(name="heritage", filename=f"{data_dir}/jobs.sqlite", results=False)


@cache
def queue(data_dir: str, url: str = "") -> Huey:
    """The queue of one data directory (``url``: the queue_url setting), with its tasks registered (the same in the
    web and the worker process): ingesting an upload, and once a minute applying what waits in the index outbox
    (changes made while search was down reach the index without a restart), reading the text of queued images
    (ingest.ocr; at once when asked by ``read_text_soon``, and once a minute for anything left), offering ended embargoes to harvesters
    and rebuilding the open data package when needed.

    The tasks open the archive of ``data_dir`` once per process, from the process's settings (HERITAGE_*).
    """
    huey = _huey(data_dir, url)
    archive = cache(lambda: Archive(load_settings(data_dir=data_dir)))

    @huey.task(name="ingest_upload")
    def ingest_upload(job_id: int) -> None:
        run_job(archive(), job_id)

    @huey.task(name="ocr_pages")
    def ocr_pages() -> None:
        ingest_ocr.run_pending(archive())

    @huey.periodic_task(crontab(minute="*"), name="ocr_catch_up")
    def ocr_catch_up() -> None:
        ingest_ocr.run_pending(archive())  # pages queued while no worker ran, or whose message was lost

    @huey.periodic_task(crontab(minute="*"), name="index_catch_up")
    def index_catch_up() -> None:
        catch_up(archive())

    @huey.periodic_task(crontab(minute="*"), name="harvest_sync")
    def harvest_sync() -> None:
        harvest.sync(archive())  # items whose embargo ended are offered to OAI-PMH harvesters

    @huey.periodic_task(crontab(minute="*"), name="open_data")
    def open_data_build() -> None:
        open_data.build(archive())  # only when what the public sees has changed since the last build

    huey.ingest_upload, huey.index_catch_up, huey.ocr_pages = ingest_upload, index_catch_up, ocr_pages
    huey.harvest_sync, huey.open_data_build = harvest_sync, open_data_build
    return huey


def enqueue(archive: Archive, job_id: int) -> None:
    queue(str(archive.settings.data_path), archive.settings.queue_url).ingest_upload(job_id)


def read_text_soon(archive: Archive) -> None:
    """Ask a worker to read the images queued for OCR now (they are read within a minute anyway)."""
    queue(str(archive.settings.data_path), archive.settings.queue_url).ocr_pages()


def recover(archive: Archive) -> list[int]:
    """Queue again the jobs a dead worker left running (the pipeline finishes an interrupted ingest without
    duplicates), or fail those it already died on MAX_ATTEMPTS times. A job's worker is dead when its process is
    gone (archive.processes.tag_alive) or, when that cannot be told from here (another machine or container), when it
    has not marked the job as running for STALE_SECONDS; jobs of a live worker are left to it. Run when a worker
    starts and every HEARTBEAT_SECONDS while it runs; returns the jobs queued again."""
    with archive.catalog.session() as s:
        running = list(s.execute(select(Job.id, Job.worker, Job.attempts).where(Job.state == "running")
                                 .order_by(Job.id)))
    stale = utcnow() - timedelta(seconds=STALE_SECONDS)
    requeued = []
    for job_id, worker, attempts in running:
        alive = tag_alive(worker)
        if alive:
            continue
        with archive.catalog.session() as s:  # only if it is still the dead worker's: another may have taken it
            same_worker = Job.worker == worker if worker else Job.worker.is_(None)
            mine = (Job.id == job_id) & (Job.state == "running") & same_worker
            if alive is None:
                mine &= Job.updated_at < stale
            if attempts >= MAX_ATTEMPTS:
                failed = s.execute(update(Job).where(mine).values(
                    state="failed", reasons=[Reason("worker_died", attempts=attempts).as_dict()])).rowcount
                if failed:
                    log.error("job %s: its worker died %d times while running it; failed", job_id, attempts)
                continue
            if s.execute(update(Job).where(mine).values(state="queued", worker=None)).rowcount:
                requeued.append(job_id)
    for job_id in requeued:
        log.warning("job %s was interrupted (its worker died); queued again", job_id)
        enqueue(archive, job_id)
    return requeued


def _heartbeat(archive: Archive, tag: str) -> None:
    """Mark the jobs this worker runs as still running (their updated_at), for workers that cannot check it."""
    with archive.catalog.session() as s:
        s.execute(update(Job).where(Job.state == "running", Job.worker == tag).values(updated_at=utcnow()))


def _look_after_jobs(archive: Archive, stop: threading.Event) -> None:
    """Beside the job threads, which may all be busy for a long time: the heartbeat, and the jobs of dead workers
    queued again without waiting for a worker to start."""
    tag = process_tag()
    while not stop.wait(HEARTBEAT_SECONDS):
        try:
            _heartbeat(archive, tag)
            recover(archive)
        except Exception:  # e.g. the catalog locked for a moment: this thread must go on, the next round retries
            log.exception("looking after the running jobs failed; trying again in %.0f s", HEARTBEAT_SECONDS)


def run_worker(archive: Archive, *, workers: int = 1) -> None:
    """Take jobs until interrupted (SIGINT finishes the running job first; SIGTERM stops at once)."""
    archive.catalog  # migrates the catalog before the first job
    recover(archive)
    purge_stale(archive)
    stop = threading.Event()
    threading.Thread(target=_look_after_jobs, args=(archive, stop), name="look-after-jobs", daemon=True).start()
    try:
        Consumer(queue(str(archive.settings.data_path), archive.settings.queue_url), workers=workers,
                 worker_type="thread", periodic=True, max_delay=POLL_SECONDS).run()
    finally:
        stop.set()


def _set(archive: Archive, job_id: int, *, reasons: Iterable[str] = (), **values) -> None:
    """Update the job; its reasons (Reasons, or plain words passed on as they are) are kept as codes with values."""
    values["reasons"] = [reason_of(r).as_dict() for r in reasons] or None
    with archive.catalog.session() as s:
        s.execute(update(Job).where(Job.id == job_id).values(**values))


def _claim(archive: Archive, job_id: int) -> tuple[Upload, Viewer] | None:
    """Mark a queued job running, atomically, so a job queued twice runs once; None when it is not queued."""
    with archive.catalog.session() as s:
        claimed = s.execute(update(Job).where(Job.id == job_id, Job.state == "queued").values(
            state="running", worker=process_tag(), attempts=Job.attempts + 1))
        if claimed.rowcount != 1:
            return None
        job = s.get(Job, job_id)
        upload = s.get(Upload, job.upload_id)
        s.expunge(upload)
        return upload, Viewer(job.user_id, None, job.username)


def run_job(archive: Archive, job_id: int) -> None:
    """Ingest one uploaded file; the job ends done (with its item), rejected (with the reason) or failed."""
    claimed = _claim(archive, job_id)
    if claimed is None:
        return
    upload, actor = claimed
    path = upload_path(archive, upload)
    try:
        sha = sha256_file(path)
        summary = Ingest(archive, progress=False, actor=actor, details={"job": job_id}).run([path])
    except Exception as exc:  # the job must end in a state the uploader sees; the worker goes on with the next
        log.exception("ingest job %s (%s) failed", job_id, path.name)
        crash = Reason("internal_error", detail=f"{type(exc).__name__}: {exc}")
        _set(archive, job_id, state="failed", reasons=[crash])
        return
    if summary.rejected:
        reasons = [reason for r in summary.rejected for reason in r.reasons]
        _set(archive, job_id, state="rejected", reasons=reasons)
        audit.record(archive, actor, "ingest_rejected", f"job:{job_id}", {"file": path.name,
                                                                          "reason": "; ".join(reasons)})
    else:
        with archive.catalog.session() as s:
            known = service.media_by_sha(s, [sha]).get(sha)
            item_id = known.item_id if known else None
        if summary.new or summary.updated:
            read_text_soon(archive)
        _set(archive, job_id, state="done", item_id=item_id,
             reasons=[] if summary.new else [Reason("already_in_archive")])
        if not summary.new and not summary.updated:  # nothing committed, so the ingest audited nothing
            audit.record(archive, actor, "ingest_done", f"item:{item_id}", {"file": path.name, "job": job_id,
                                                                            "new": False})
    discard(archive, upload.id)
