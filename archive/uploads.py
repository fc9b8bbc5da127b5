"""Resumable uploads from the browser: a file arrives in chunks at increasing offsets into DATA_DIR/uploads/<id>/,
survives a dropped connection (the page asks how much arrived and goes on from there), and once complete becomes an
ingest job for the background worker. Only the name and the size are judged here; the content is the ingest
pipeline's to judge, exactly as for `heritage ingest`.

Uploads live outside the file store's tmp/ on purpose: tmp/ is emptied before every ingest, and a half-uploaded file
must survive that (and a restart) to be resumed.
"""
from __future__ import annotations

import os
import secrets
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import delete, select

from ingest.plan import MEDIA_EXTENSIONS

from . import audit
from .access import Viewer
from .catalog.models import Job, Upload
from .context import Archive
from .errors import Conflict, Forbidden, NotFound, OffsetMismatch, UploadRejected
from .reasons import Reason
from .text import clean, has_control

MAX_NAME_BYTES = 200
STALE_AFTER = timedelta(days=7)  # an unfinished upload untouched this long is deleted when a worker starts


def uploads_dir(archive: Archive) -> Path:
    return archive.settings.data_path / "uploads"


def upload_path(archive: Archive, upload: Upload) -> Path:
    return uploads_dir(archive) / upload.id / upload.filename


def safe_filename(raw: str) -> str:
    """The name NFC-normalised and trimmed; a name that carries a folder path, is hidden, empty or too long is
    refused (browsers send bare names, so anything else is a mistake or an attempt to write elsewhere)."""
    name = clean(raw or "")
    if not name:
        raise UploadRejected(Reason("no_name"))
    if "/" in name or "\\" in name:
        raise UploadRejected(Reason("name_has_folder", repr(raw)))
    if has_control(name):
        raise UploadRejected(Reason("name_has_control", repr(raw)[:80]))
    if name.startswith("."):
        raise UploadRejected(Reason("name_starts_with_dot", repr(raw)))
    if len(name.encode()) > MAX_NAME_BYTES:
        raise UploadRejected(Reason("name_too_long", f"{name[:40]}…", limit=MAX_NAME_BYTES))
    suffix = Path(name).suffix.lower()
    if suffix not in MEDIA_EXTENSIONS:
        accepted = ", ".join(sorted(MEDIA_EXTENSIONS))
        raise UploadRejected(Reason("extension_not_accepted", name, extension=suffix, accepted=accepted) if suffix
                             else Reason("no_extension", name, accepted=accepted))
    return name


def start_upload(archive: Archive, actor: Viewer, filename: str, size: int) -> str:
    """Announce a file of ``size`` bytes; returns the upload id the chunks are sent to."""
    if not actor.is_staff:
        raise Forbidden("only staff can upload")
    name = safe_filename(filename)
    limit = archive.settings.max_upload_bytes
    if size > limit:
        raise UploadRejected(Reason("upload_too_large", name, size=size, limit=limit))
    if size <= 0:
        raise UploadRejected(Reason("upload_empty", name))
    upload_id = secrets.token_hex(16)
    folder = uploads_dir(archive) / upload_id
    folder.mkdir(parents=True)
    (folder / name).touch()
    with archive.catalog.session() as s:
        s.add(Upload(id=upload_id, user_id=actor.user_id, filename=name, size=size, received=0))
    return upload_id


def _own(s, upload_id: str, actor: Viewer) -> Upload:
    """The actor's upload; someone else's is as missing as one that never was."""
    upload = s.get(Upload, upload_id)
    if upload is None or actor.user_id is None or upload.user_id != actor.user_id:
        raise NotFound(f"no upload {upload_id!r}")
    return upload


def upload_status(archive: Archive, upload_id: str, actor: Viewer) -> int:
    """Bytes received so far (where a resumed upload goes on from)."""
    with archive.catalog.session() as s:
        return _own(s, upload_id, actor).received


def append_chunk(archive: Archive, upload_id: str, offset: int, data: bytes, actor: Viewer) -> int:
    """Write ``data`` at ``offset``, which must be where the upload stands; a chunk that already arrived (sent again
    because its answer was lost) is accepted and changes nothing. Returns the bytes received so far. Reads, then
    writes: a writing session (on SQLite a write between the read and the write would fail it as "locked")."""
    with archive.catalog.writing() as s:
        upload = _own(s, upload_id, actor)
        if upload.finished:
            raise Conflict(f"{upload.filename}: the upload is already complete")
        if offset < upload.received and offset + len(data) <= upload.received:
            return upload.received
        if offset != upload.received:
            raise OffsetMismatch(upload.filename, offset, upload.received)
        if offset + len(data) > upload.size:
            raise UploadRejected(Reason("more_than_announced", upload.filename, size=upload.size))
        # Written before the row is updated: if the commit fails, the same chunk is sent again and overwrites.
        with open(upload_path(archive, upload), "r+b") as fh:
            fh.seek(offset)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        upload.received = offset + len(data)
        return upload.received


def finish_upload(archive: Archive, upload_id: str, actor: Viewer) -> int:
    """Hand the complete file to the ingest worker; returns the job id (the same one if asked again)."""
    from .jobs import enqueue

    with archive.catalog.writing() as s:  # reads, then writes (as append_chunk)
        upload = _own(s, upload_id, actor)
        if upload.finished:
            return s.scalar(select(Job.id).where(Job.upload_id == upload_id))
        if upload.received != upload.size:
            raise Conflict(f"{upload.filename}: {upload.received:,} of {upload.size:,} bytes have arrived")
        upload.finished = True
        job = Job(upload_id=upload_id, user_id=actor.user_id, username=actor.username, filename=upload.filename,
                  state="queued")
        s.add(job)
        s.flush()
        job_id = job.id
        audit.record(archive, actor, "upload", f"job:{job_id}", {"file": upload.filename, "bytes": upload.size},
                     session=s)
    enqueue(archive, job_id)
    return job_id


def discard(archive: Archive, upload_id: str) -> None:
    """Delete an upload's file once its job has ended (the original is in the store, or was refused)."""
    shutil.rmtree(uploads_dir(archive) / upload_id, ignore_errors=True)


def purge_stale(archive: Archive, now: datetime | None = None) -> list[str]:
    """Delete unfinished uploads untouched for STALE_AFTER (abandoned in a browser); returns their ids."""
    cutoff = (now or datetime.now(timezone.utc)) - STALE_AFTER
    with archive.catalog.writing() as s:  # reads, then deletes
        unfinished = list(s.scalars(select(Upload).where(Upload.finished.is_(False))))
        stale = [u.id for u in unfinished if _last_touched(archive, u) < cutoff]
        if stale:
            s.execute(delete(Upload).where(Upload.id.in_(stale)))
    for upload_id in stale:
        discard(archive, upload_id)
    return stale


def _last_touched(archive: Archive, upload: Upload) -> datetime:
    try:
        return datetime.fromtimestamp(upload_path(archive, upload).stat().st_mtime, timezone.utc)
    except FileNotFoundError:
        created = upload.created_at
        return created if created.tzinfo else created.replace(tzinfo=timezone.utc)
