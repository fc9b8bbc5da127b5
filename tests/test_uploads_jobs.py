"""Uploads from the staff pages and the jobs that ingest them: chunked and resumable, refused by name and size with
clear messages, judged by the real ingest pipeline (a disguised executable is rejected with its reason in the job),
and run by a real `heritage worker` (Huey) process."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from archive import accounts, audit, jobs, uploads
from archive.catalog.models import Item, Job, MediaFile, Upload
from archive.errors import Conflict, Forbidden, NotFound, OffsetMismatch, UploadRejected
from archive.filestore import sha256_file
from tests.media import make_jpeg
from tests.conftest import make_settings
from tests.catalogs import command_env

PASSWORD = "correct horse battery"
LIMIT = 2 * 1024 * 1024


@pytest.fixture
def settings(data_dir):
    return make_settings(data_dir, max_upload_bytes=LIMIT)


@pytest.fixture
def staff(archive):
    return {role: accounts.viewer_of(accounts.create_user(archive, f"{role}1", PASSWORD, role))
            for role in ("contributor", "editor", "researcher")}


def upload(archive, actor, name: str, data: bytes, chunk: int = 64 * 1024) -> int:
    """The page's way: announce, send the chunks in order, finish; returns the job id."""
    upload_id = uploads.start_upload(archive, actor, name, len(data))
    for offset in range(0, len(data), chunk):
        uploads.append_chunk(archive, upload_id, offset, data[offset:offset + chunk], actor)
    return uploads.finish_upload(archive, upload_id, actor)


def job(archive, job_id: int) -> jobs.JobRow:
    return jobs.list_jobs(archive, ids=[job_id])[0]


def test_a_dropped_upload_resumes_where_it_stopped(archive, staff, tmp_path):
    me, other = staff["contributor"], staff["editor"]
    data = make_jpeg(tmp_path / "đêm hội.jpg", size=(800, 600)).read_bytes()
    upload_id = uploads.start_upload(archive, me, "đêm hội.jpg", len(data))
    third = len(data) // 3
    assert uploads.append_chunk(archive, upload_id, 0, data[:third], me) == third
    assert uploads.append_chunk(archive, upload_id, 0, data[:third], me) == third  # the same chunk again: no harm
    with pytest.raises(OffsetMismatch) as err:  # a chunk lost in between
        uploads.append_chunk(archive, upload_id, 2 * third, data[2 * third:], me)
    assert err.value.received == third and "đêm hội.jpg" in str(err.value)
    for stranger in (other, staff["researcher"]):
        with pytest.raises(NotFound):
            uploads.upload_status(archive, upload_id, stranger)
        with pytest.raises(NotFound):
            uploads.append_chunk(archive, upload_id, third, data[third:], stranger)
    with pytest.raises(Conflict, match=f"{third:,} of {len(data):,} bytes"):
        uploads.finish_upload(archive, upload_id, me)
    received = uploads.upload_status(archive, upload_id, me)  # after a reload, the page asks where to go on
    assert uploads.append_chunk(archive, upload_id, received, data[received:], me) == len(data)
    with pytest.raises(UploadRejected, match="more bytes than"):
        uploads.append_chunk(archive, upload_id, len(data), b"extra", me)
    job_id = uploads.finish_upload(archive, upload_id, me)
    assert uploads.finish_upload(archive, upload_id, me) == job_id  # asked again after a lost answer
    assert job(archive, job_id).state == "queued"
    jobs.run_job(archive, job_id)
    done = job(archive, job_id)
    assert (done.state, done.reason, done.username, done.filename) == ("done", None, "contributor1", "đêm hội.jpg")
    with archive.catalog.session() as s:
        item = s.get(Item, done.item_id)
        media = item.media[0]
        assert (item.status, media.original_name, media.sha256) == ("draft", "đêm hội.jpg", sha256_file(
            tmp_path / "đêm hội.jpg"))
    assert not (uploads.uploads_dir(archive) / upload_id).exists()
    assert [e.action for e in audit.entries(archive)][:2] == ["ingest_done", "upload"]


def test_a_file_over_the_limit_is_refused_by_name_before_any_byte(archive, staff):
    with pytest.raises(UploadRejected) as err:
        uploads.start_upload(archive, staff["contributor"], "lễ hội dài.mp4", LIMIT + 1)
    message = str(err.value)
    assert "lễ hội dài.mp4" in message and f"{LIMIT:,} bytes" in message and f"{LIMIT + 1:,}" in message
    assert not uploads.uploads_dir(archive).exists() or not any(uploads.uploads_dir(archive).iterdir())
    with archive.catalog.session() as s:
        assert s.scalars(select(Upload)).first() is None


@pytest.mark.parametrize("name, reason", [
    ("../../etc/cron.d/evil.jpg", "folder path"), ("..\\..\\boot.ini.jpg", "folder path"),
    (".hidden.jpg", "start with a dot"), ("setup.exe", ".exe files are not accepted"),
    ("README", "without an extension"), ("  ", "no name"), ("a" * 300 + ".jpg", "longer than 200 bytes")])
def test_names_that_escape_or_are_not_media_are_refused(archive, staff, name, reason):
    with pytest.raises(UploadRejected, match=reason):
        uploads.start_upload(archive, staff["contributor"], name, 1000)


def test_empty_files_and_non_staff_are_refused(archive, staff):
    with pytest.raises(UploadRejected, match="empty.jpg: the file is empty"):
        uploads.start_upload(archive, staff["contributor"], "empty.jpg", 0)
    with pytest.raises(Forbidden):
        uploads.start_upload(archive, staff["researcher"], "photo.jpg", 1000)


def _pe_executable() -> bytes:
    header = bytearray(1024)
    header[:2] = b"MZ"
    header[0x3C:0x40] = (0x80).to_bytes(4, "little")
    header[0x80:0x84] = b"PE\0\0"
    return bytes(header)


@pytest.mark.parametrize("kind, content, reason", [
    ("elf", lambda: Path(shutil.which("true")).read_bytes(), "application/x-executable"),
    ("pe", _pe_executable, "application/x-msdownload")])
def test_a_disguised_executable_is_rejected_by_the_pipeline_with_its_reason(archive, staff, kind, content, reason):
    job_id = upload(archive, staff["contributor"], f"holiday-{kind}.jpg", content())
    jobs.run_job(archive, job_id)
    rejected = job(archive, job_id)
    assert rejected.state == "rejected" and rejected.item_id is None
    assert f"holiday-{kind}.jpg" in rejected.reason and reason in rejected.reason
    assert "does not accept" in rejected.reason
    with archive.catalog.session() as s:
        assert s.scalars(select(MediaFile)).first() is None
    assert list(archive.store.iter_originals()) == []
    entry = audit.entries(archive, action="ingest_rejected")[0]
    assert entry.username == "contributor1" and entry.details["reason"] == rejected.reason


def test_the_same_file_twice_points_to_the_item_it_already_is(archive, staff, tmp_path):
    data = make_jpeg(tmp_path / "a.jpg").read_bytes()
    first, second = upload(archive, staff["contributor"], "a.jpg", data), upload(archive, staff["editor"], "b.jpg",
                                                                                 data)
    jobs.run_job(archive, first)
    jobs.run_job(archive, second)
    assert job(archive, second).state == "done" and job(archive, second).item_id == job(archive, first).item_id
    assert "already in the archive" in job(archive, second).reason
    assert [j.id for j in jobs.list_jobs(archive, actor_id=staff["editor"].user_id)] == [second]
    assert [j.id for j in jobs.list_jobs(archive)] == [second, first]


def test_an_interrupted_job_is_queued_again_and_stale_uploads_go(archive, staff, tmp_path):
    job_id = upload(archive, staff["contributor"], "a.jpg", make_jpeg(tmp_path / "a.jpg").read_bytes())
    with archive.catalog.session() as s:  # the worker was killed while running it
        s.get(Job, job_id).state = "running"
    jobs.run_job(archive, job_id)  # a job not queued is not run
    assert job(archive, job_id).state == "running"
    assert jobs.recover(archive) == [job_id] and job(archive, job_id).state == "queued"
    jobs.run_job(archive, job_id)
    assert job(archive, job_id).state == "done"
    old = uploads.start_upload(archive, staff["contributor"], "old.jpg", 10)
    fresh = uploads.start_upload(archive, staff["contributor"], "fresh.jpg", 10)
    week_ago = (datetime.now(timezone.utc) - timedelta(days=8)).timestamp()
    os.utime(uploads.uploads_dir(archive) / old / "old.jpg", (week_ago, week_ago))
    assert uploads.purge_stale(archive) == [old]
    assert not (uploads.uploads_dir(archive) / old).exists()
    assert uploads.upload_status(archive, fresh, staff["contributor"]) == 0
    with pytest.raises(NotFound):
        uploads.upload_status(archive, old, staff["contributor"])


def _wait_for(archive, job_id: int, worker: subprocess.Popen, seconds: float = 180) -> jobs.JobRow:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        row = job(archive, job_id)
        if row.state in jobs.TERMINAL:
            return row
        assert worker.poll() is None, worker.communicate()[0]
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {row.state} after {seconds}s")


def test_a_real_worker_process_runs_jobs_to_the_end(archive, staff, tmp_path, data_dir):
    env = command_env(data_dir, HERITAGE_WORKERS="1")
    worker = subprocess.Popen([sys.executable, "-m", "archive.cli", "--data-dir", str(data_dir), "worker"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        photo = make_jpeg(tmp_path / "chùa.jpg", size=(1200, 900), seed=3)
        good = upload(archive, staff["contributor"], "chùa.jpg", photo.read_bytes())
        bad = upload(archive, staff["contributor"], "chùa-giả.jpg", Path(shutil.which("true")).read_bytes())
        done, rejected = _wait_for(archive, good, worker), _wait_for(archive, bad, worker)
    finally:
        worker.send_signal(signal.SIGINT)  # lets a running job finish, then stops
        output = worker.communicate(timeout=60)[0]
    assert worker.returncode == 0, output
    assert done.state == "done" and done.item_id, done
    assert rejected.state == "rejected" and "application/x-executable" in rejected.reason
    with archive.catalog.session() as s:
        item = s.get(Item, done.item_id)
        assert item.status == "draft" and item.media[0].sha256 == sha256_file(photo)
        assert item.media[0].derivatives  # thumbnails and tiles made by the same pipeline as `heritage ingest`
    assert archive.store.has_original(sha256_file(photo))
    assert (data_dir / "jobs.sqlite").is_file()
