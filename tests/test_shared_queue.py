"""The job queue shared by several workers (HERITAGE_QUEUE_URL=redis://…, a real redis-server): two worker
processes, each in a working directory of its own, take a batch of ten uploads from one queue and run each job
exactly once; a worker killed in the middle of a job leaves it to the other, which finishes it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from archive import accounts, jobs
from archive.catalog.models import Item, Job, MediaFile
from archive.context import Archive
from archive.filestore import sha256_file
from tests.catalogs import command_env
from tests.conftest import make_settings
from tests.media import make_jpeg, make_mp4
from tests.redis_server import server
from tests.test_processes import QUICK_WORKER, ffmpeg_encoding, kill_while_ffmpeg_runs, wait_until
from tests.test_uploads_jobs import upload


@pytest.fixture
def queue_url():
    return server().new_database()


@pytest.fixture
def archive(data_dir, queue_url):
    archive = Archive(make_settings(data_dir, queue_url=queue_url))
    yield archive
    archive.catalog.dispose()


@pytest.fixture
def contributor(archive):
    return accounts.viewer_of(accounts.create_user(archive, "contributor1", "correct horse battery", "contributor"))


def _worker(data_dir: Path, queue_url: str, workdir: Path, *, code: str = QUICK_WORKER) -> subprocess.Popen:
    workdir.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen([sys.executable, "-c", code, "--data-dir", str(data_dir), "worker"], cwd=workdir,
                            env=command_env(data_dir, HERITAGE_QUEUE_URL=queue_url, HERITAGE_WORKERS="1"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _stop(*workers: subprocess.Popen) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
    for worker in workers:
        worker.wait(timeout=60)


def _jobs(archive) -> list[Job]:
    with archive.catalog.session() as s:
        found = list(s.scalars(select(Job).order_by(Job.id)))
        s.expunge_all()
        return found


def test_two_workers_share_one_queue_and_run_each_job_once(archive, contributor, data_dir, queue_url, tmp_path):
    photos = [make_jpeg(tmp_path / "in" / f"ảnh-{n}.jpg", size=(900, 600), seed=n) for n in range(10)]
    workers = [_worker(data_dir, queue_url, tmp_path / f"machine-{n}") for n in range(2)]
    try:
        ids = [upload(archive, contributor, photo.name, photo.read_bytes()) for photo in photos]
        wait_until(lambda: all(j.state in jobs.TERMINAL for j in _jobs(archive)), 300, "all ten jobs ended")
    finally:
        _stop(*workers)
    ended = _jobs(archive)
    assert [j.id for j in ended] == ids
    assert [(j.state, j.attempts) for j in ended] == [("done", 1)] * 10, [(j.state, j.reasons) for j in ended]
    assert len({j.worker for j in ended}) == 2  # both workers took jobs from the one queue
    with archive.catalog.session() as s:
        stored = sorted(m.sha256 for m in s.scalars(select(MediaFile)))
        assert len(list(s.scalars(select(Item)))) == 10
    assert stored == sorted(sha256_file(p) for p in photos) == sorted(archive.store.iter_originals())
    assert not (data_dir / "jobs.sqlite").exists()  # the queue is Redis's


def test_a_worker_killed_mid_job_leaves_it_to_the_other(archive, contributor, data_dir, queue_url, tmp_path):
    video = make_mp4(tmp_path / "lễ hội.mp4", seconds=16, size="1280x720")
    job_id = upload(archive, contributor, "lễ hội.mp4", video.read_bytes())
    workers = [_worker(data_dir, queue_url, tmp_path / f"machine-{n}") for n in range(2)]
    try:
        wait_until(lambda: ffmpeg_encoding(data_dir), 180, "ffmpeg transcoding")
        running = next(j for j in _jobs(archive) if j.id == job_id)
        (dying,) = [w for w in workers if w.pid == int(running.worker.rsplit(":", 2)[1])]
        (staying,) = [w for w in workers if w is not dying]
        kill_while_ffmpeg_runs(dying, data_dir, alone=False)
        done = wait_until(lambda: (j := _jobs(archive)[0]).state in jobs.TERMINAL and j, 300,
                          "the job finished by the other worker")
        assert staying.poll() is None
    finally:
        _stop(*workers)
    assert (done.state, done.attempts) == ("done", 2), (done.state, done.reasons)
    assert done.worker != running.worker
    with archive.catalog.session() as s:
        assert [m.sha256 for m in s.scalars(select(MediaFile))] == [sha256_file(video)]
