"""Processes that die cleanly (real processes, real ffmpeg, SIGKILL): a killed worker or ingest leaves no pool process
or ffmpeg behind and nothing waiting on its lock; a command waiting for the lock says who holds it; `heritage serve`
starts its worker again; a job left running by a dead worker is retried, a bounded number of times."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from sqlalchemy import select, update

from archive import accounts, jobs
from archive.catalog.models import Item, Job, MediaFile
from archive.filestore import sha256_file
from archive.supervise import Supervised
from tests.conftest import heritage_subprocess, make_settings
from tests.live_server import HOST, free_port, wait_for_port
from tests.media import make_jpeg, make_mp4

from .test_uploads_jobs import upload

pytestmark = pytest.mark.slow


@pytest.fixture
def settings(data_dir):
    return make_settings(data_dir, workers=1)


@pytest.fixture
def contributor(archive):
    return accounts.viewer_of(accounts.create_user(archive, "contributor1", "correct horse battery", "contributor"))


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HERITAGE_")}
    env["HERITAGE_WORKERS"] = "1"
    return env


def processes_mentioning(text: str) -> dict[int, str]:
    """Live processes (not zombies) whose command line contains ``text``: pid -> command line."""
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found[int(proc.name)] = cmdline
    return found


def wait_until(condition, timeout: float, what: str, poll: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


def ffmpeg_encoding(data_dir: Path) -> dict[int, str]:
    return {pid: cmd for pid, cmd in processes_mentioning(str(data_dir)).items()
            if cmd.startswith("ffmpeg") and "libx264" in cmd}


def kill_while_ffmpeg_runs(proc: subprocess.Popen, data_dir: Path, *, alone: bool = True) -> None:
    """SIGKILL ``proc`` alone (not its process group, as the OOM killer would) once ffmpeg transcodes for it; then
    nothing of it may be left: no pool process, no ffmpeg (nor anything else of the data directory when ``proc``
    was ``alone``)."""
    try:
        wait_until(lambda: set(ffmpeg_encoding(data_dir)) & _descendants(proc.pid), 180, "ffmpeg transcoding")
        family = _descendants(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        wait_until(lambda: not family & set(_parents()), 15, f"no pool process or ffmpeg left: {family}")
        if alone:
            wait_until(lambda: not processes_mentioning(str(data_dir)), 15,
                       f"nothing left: {processes_mentioning(str(data_dir))}")
    finally:
        if proc.poll() is None:
            proc.kill()


def _ingest(data_dir: Path, batch: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "archive.cli", "--data-dir", str(data_dir), "ingest", "--quiet",
                           str(batch)], env=_env(), capture_output=True, text=True, timeout=600)


def _job(archive, job_id: int) -> Job:
    with archive.catalog.session() as s:
        job = s.get(Job, job_id)
        s.expunge(job)
        return job


def _worker(data_dir: Path, *, code: str | None = None) -> subprocess.Popen:
    args = ["--data-dir", str(data_dir), "worker"]
    command = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "archive.cli", *args]
    return subprocess.Popen(command, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_a_worker_killed_while_ffmpeg_runs_leaves_nothing_behind_and_its_job_is_done_by_the_next(
        archive, contributor, data_dir, tmp_path):
    video = make_mp4(tmp_path / "lễ hội.mp4", seconds=16, size="1280x720")
    job_id = upload(archive, contributor, "lễ hội.mp4", video.read_bytes())
    kill_while_ffmpeg_runs(_worker(data_dir), data_dir)
    assert _job(archive, job_id).state == "running"  # as the dead worker left it

    second = _worker(data_dir)
    try:
        done = wait_until(lambda: _job(archive, job_id).state in jobs.TERMINAL and _job(archive, job_id), 300,
                          "the job done by the next worker")
    finally:
        _stop(second)
    assert done.state == "done" and done.attempts == 2, (done.state, done.reasons)
    with archive.catalog.session() as s:
        media = list(s.scalars(select(MediaFile)))
        assert [m.sha256 for m in media] == [sha256_file(video)]
        assert len(list(s.scalars(select(Item)))) == 1 and done.item_id == media[0].item_id
    assert set(archive.store.iter_originals()) == {sha256_file(video)}


def test_an_ingest_killed_mid_batch_leaves_nothing_behind_and_the_rerun_finishes(data_dir, tmp_path, archive):
    batch = tmp_path / "batch"
    make_mp4(batch / "v.mp4", seconds=16, size="1280x720")
    for i in range(3):
        make_jpeg(batch / f"img{i}.jpg", size=(1600, 1200), seed=i)
    kill_while_ffmpeg_runs(heritage_subprocess(data_dir, "ingest", "--quiet", batch, stdout=subprocess.DEVNULL,
                                               stderr=subprocess.DEVNULL), data_dir)
    again = _ingest(data_dir, batch)
    assert again.returncode == 0, again.stdout + again.stderr
    third = _ingest(data_dir, batch)
    assert "new: 0" in third.stdout and "unchanged: 4" in third.stdout, third.stdout
    with archive.catalog.session() as s:
        assert len(list(s.scalars(select(Item)))) == 4
        assert set(archive.store.iter_originals()) == {m.sha256 for m in s.scalars(select(MediaFile))}


def test_a_command_waiting_for_the_write_lock_says_who_holds_it(archive, data_dir, tmp_path):
    photo = make_jpeg(tmp_path / "a.jpg")
    lines: list[str] = []
    with archive.write_lock("a test holding the lock"):
        waiting = heritage_subprocess(data_dir, "ingest", "--quiet", photo, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True)
        reader = threading.Thread(target=lambda: lines.extend(waiting.stderr), daemon=True)
        reader.start()
        wait_until(lambda: any("waiting for" in line for line in lines), 60, f"a waiting notice in {lines}")
        notice = next(line for line in lines if "waiting for" in line)
        assert f"held by pid {os.getpid()}" in notice and "for a test holding the lock" in notice
        assert "write.lock" in notice and " since 20" in notice
        assert waiting.poll() is None  # still waiting, not failed
    assert waiting.wait(timeout=120) == 0  # it goes on once the lock is free
    reader.join(timeout=10)
    assert any("got write.lock after waiting" in line for line in lines)


@pytest.mark.parametrize("code", [
    "from ingest.derivatives import probe; probe(Path(sys.argv[1]))",  # a video's derivatives
    "from ingest.techmd import av_metadata; av_metadata(Path(sys.argv[1]))",  # technical metadata
])
def test_ffprobe_dies_with_the_process_that_started_it(code, tmp_path):
    stalled = tmp_path / "stalled.mp4"
    os.mkfifo(stalled)  # the fault: a file ffprobe waits on for ever (no writer)
    prober = subprocess.Popen([sys.executable, "-c", f"import sys\nfrom pathlib import Path\n{code}", str(stalled)])
    probing: set[int] = set()
    try:
        probing = wait_until(lambda: {pid for pid, cmd in processes_mentioning(str(stalled)).items()
                                      if cmd.startswith("ffprobe")}, 60, "ffprobe reading the file")
        os.kill(prober.pid, signal.SIGKILL)
        prober.wait(timeout=30)
        wait_until(lambda: not probing & set(_parents()), 15, "ffprobe dying with the process that started it")
    finally:
        if prober.poll() is None:
            prober.kill()
            prober.wait()
        for pid in probing & set(_parents()):  # what a failure left behind
            os.kill(pid, signal.SIGKILL)


# Holds the write lock, forks a child that lives on without it (no death signal: as the orphaned pool processes of
# the finding), says the child's pid, and waits to be killed.
FORKING_HOLDER = """
import os, sys, time
from archive.context import Archive
from archive.settings import load_settings
with Archive(load_settings(environ={}, data_dir=sys.argv[1])).write_lock():
    child = os.fork()
    if child == 0:
        time.sleep(600)
        os._exit(0)
    print(child, flush=True)
    time.sleep(600)
"""


def test_a_lock_held_by_a_killed_process_is_taken_over_even_if_its_children_live_on(archive, data_dir):
    data_dir.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", FORKING_HOLDER, str(data_dir)], stdout=subprocess.PIPE,
                              text=True)
    child = None
    try:
        child = int(holder.stdout.readline())
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
        assert child in _parents()  # the child lives on, with the lock file open
        got = threading.Event()

        def take():
            with archive.write_lock():
                got.set()

        threading.Thread(target=take, daemon=True).start()
        assert got.wait(timeout=10), "the lock of a dead process was not released"
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        if child in _parents():
            os.kill(child, signal.SIGKILL)


def _parents() -> dict[int, int]:
    """pid -> parent pid of every live process (not zombies)."""
    found = {}
    for proc in Path("/proc").iterdir():
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if proc.name.isdigit() and fields[0] != "Z":
            found[int(proc.name)] = int(fields[1])
    return found


def _descendants(pid: int) -> set[int]:
    parents = _parents()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


# A pool owner: once two pool processes nap, it says "ready" and waits to be killed.
POOL_OWNER = """
import multiprocessing, os, sys, time
from archive.processes import worker_pool
multiprocessing.set_start_method(sys.argv[1])
with worker_pool(2) as pool:
    assert pool.submit(os.getpid).result(timeout=60) != os.getpid()
    naps = [pool.submit(time.sleep, 600) for _ in range(2)]
    print("ready", flush=True)
    time.sleep(600)
"""


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])  # Python 3.14 starts pools by forkserver
def test_pool_processes_work_and_die_with_their_owner_whatever_the_start_method(method):
    owner = subprocess.Popen([sys.executable, "-c", POOL_OWNER, method], stdout=subprocess.PIPE, text=True)
    family: set[int] = set()
    try:
        assert owner.stdout.readline().strip() == "ready"
        family = _descendants(owner.pid)
        assert len(family) >= 2
        os.kill(owner.pid, signal.SIGKILL)
        owner.wait(timeout=30)
        wait_until(lambda: not family & set(_parents()), 15, f"the pool dying with its owner: {family}")
    finally:
        if owner.poll() is None:
            owner.kill()
            owner.wait()
        for pid in family & set(_parents()):  # what a failure left behind
            os.kill(pid, signal.SIGKILL)


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def _answers(port: int) -> bool:
    try:
        return requests.get(f"http://{HOST}:{port}/vi/", timeout=10).status_code == 200
    except requests.ConnectionError:
        return False


def _serve(data_dir: Path) -> tuple[subprocess.Popen, int]:
    """`heritage serve` with its web server and worker, listening; and its port."""
    port = free_port()
    env = {**_env(), "HERITAGE_BASE_URL": f"http://{HOST}:{port}", "HERITAGE_LOG_LEVEL": "ERROR"}
    serve = subprocess.Popen([sys.executable, "-m", "archive.cli", "--data-dir", str(data_dir), "serve", "--host",
                              HOST, "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, serve)
    except BaseException:
        serve.kill()
        serve.wait()
        raise
    return serve, port


def _children_running(serve: subprocess.Popen, command: str) -> set[int]:
    """serve's children running that heritage command (web or worker)."""
    found = set()
    for pid in _children(serve.pid):
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")  # python -m archive.cli --data-dir D cmd
            if args[5] == command.encode():
                found.add(pid)
        except (OSError, IndexError):  # gone meanwhile
            continue
    return found


def _kill_the_worker_of(serve: subprocess.Popen, command: str = "worker") -> int:
    """SIGKILL the worker (or the web server) serve started; returns the pid of the one serve starts in its place."""
    (worker,) = wait_until(lambda: _children_running(serve, command), 30, f"the {command} started by serve")
    os.kill(worker, signal.SIGKILL)
    (new_worker,) = wait_until(lambda: _children_running(serve, command) - {worker}, 30, f"a new {command}")
    return new_worker


def test_serve_starts_its_worker_again_when_it_dies_and_the_worker_dies_with_serve(archive, contributor, data_dir,
                                                                                    tmp_path):
    serve, port = _serve(data_dir)
    try:
        new_worker = _kill_the_worker_of(serve)
        _kill_the_worker_of(serve, "web")  # the web server is kept running the same way
        wait_until(lambda: _answers(port), 60, "the site served again")
        photo = make_jpeg(tmp_path / "chùa.jpg", size=(900, 600))
        job_id = upload(archive, contributor, "chùa.jpg", photo.read_bytes())
        wait_until(lambda: _job(archive, job_id).state == "done", 120, "the upload ingested by the new worker")
        family = _descendants(serve.pid)  # the worker, the web server and its processes
        assert new_worker in family and len(family) >= 4
        os.kill(serve.pid, signal.SIGKILL)  # serve dies: nothing it started may live on alone
        serve.wait(timeout=30)
        wait_until(lambda: all(not Path(f"/proc/{pid}").exists() or
                               Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
                               for pid in family), 30, "the worker and the web server dying with serve")
        assert not _answers(port)
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()


def test_serve_stopped_after_starting_its_worker_again_lets_that_worker_finish_its_job(archive, contributor,
                                                                                       data_dir, tmp_path):
    """A restarted worker is stopped as gently as the first one (the kernel's parent-death signal follows the
    thread that started a child, so the thread that starts workers must outlive them)."""
    serve, _port = _serve(data_dir)
    try:
        _kill_the_worker_of(serve)
        video = make_mp4(tmp_path / "múa.mp4", seconds=16, size="1280x720")
        job_id = upload(archive, contributor, "múa.mp4", video.read_bytes())
        wait_until(lambda: ffmpeg_encoding(data_dir), 180, "ffmpeg transcoding for the new worker")
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=300) == 0
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
    finished = _job(archive, job_id)
    assert (finished.state, finished.attempts) == ("done", 1), (finished.state, finished.reasons)
    assert not processes_mentioning(str(data_dir))


def test_a_worker_that_cannot_be_started_again_is_tried_again(caplog, tmp_path):
    supervised = Supervised([sys.executable, "-c", "pass"], name="child")
    supervised.start()  # the child exits at once; it is started again after a pause of 1 s
    try:
        supervised.command = [str(tmp_path / "missing")]  # the fault: that start fails (as a fork without memory)
        wait_until(lambda: "cannot be started" in caplog.text, 30, "a failed start logged")
        supervised.command = [sys.executable, "-c", "import time; time.sleep(600)"]
        wait_until(lambda: supervised.process.poll() is None, 60, "the child started once it can be")
    finally:
        supervised.stop()
    assert supervised.process.poll() is not None


# A worker that beats (and looks for the jobs of dead workers) every half second instead of every HEARTBEAT_SECONDS.
QUICK_WORKER = """
import sys
import archive.jobs
archive.jobs.HEARTBEAT_SECONDS = 0.5
from archive.cli import main
main(sys.argv[1:])
"""


def test_a_job_whose_worker_dies_is_taken_up_by_a_worker_still_running(archive, contributor, data_dir, tmp_path):
    video = make_mp4(tmp_path / "lễ hội.mp4", seconds=16, size="1280x720")
    job_id = upload(archive, contributor, "lễ hội.mp4", video.read_bytes())
    workers = [_worker(data_dir, code=QUICK_WORKER) for _ in range(2)]
    try:
        wait_until(lambda: ffmpeg_encoding(data_dir), 180, "ffmpeg transcoding")
        running = _job(archive, job_id)
        wait_until(lambda: (now := _job(archive, job_id)).state == "running" and now.updated_at > running.updated_at,
                   30, "a heartbeat of the running job")
        (dying,) = [w for w in workers if w.pid == int(running.worker.rsplit(":", 2)[1])]
        (staying,) = [w for w in workers if w is not dying]
        kill_while_ffmpeg_runs(dying, data_dir, alone=False)
        done = wait_until(lambda: _job(archive, job_id).state in jobs.TERMINAL and _job(archive, job_id), 300,
                          "the job done by the worker still running")
        assert staying.poll() is None  # it was not started again: it took the job up while running
    finally:
        for worker in workers:
            _stop(worker)
    assert (done.state, done.attempts) == ("done", 2), (done.state, done.reasons)
    with archive.catalog.session() as s:
        assert [m.sha256 for m in s.scalars(select(MediaFile))] == [sha256_file(video)]


def _left_running_by(archive, job_id: int, worker: str, seconds_ago: float) -> None:
    with archive.catalog.session() as s:
        s.execute(update(Job).where(Job.id == job_id).values(
            state="running", worker=worker, attempts=1,
            updated_at=datetime.now(timezone.utc) - timedelta(seconds=seconds_ago)))


def test_a_job_of_a_worker_elsewhere_is_queued_again_only_once_that_worker_stops_beating(archive, contributor,
                                                                                          tmp_path):
    """A worker on another machine (or in another container) cannot be checked from here: its heartbeat tells."""
    job_id = upload(archive, contributor, "a.jpg", make_jpeg(tmp_path / "a.jpg").read_bytes())
    elsewhere = "another-machine/0f0e0d0c-0b0a-0908-0706-050403020100/4026531836:4242:123456"
    _left_running_by(archive, job_id, elsewhere, seconds_ago=jobs.STALE_SECONDS / 2)
    assert jobs.recover(archive) == [] and _job(archive, job_id).state == "running"
    _left_running_by(archive, job_id, elsewhere, seconds_ago=jobs.STALE_SECONDS + 1)
    assert jobs.recover(archive) == [job_id]
    assert (_job(archive, job_id).state, _job(archive, job_id).worker) == ("queued", None)


# A worker that dies (SIGKILL) as soon as it starts ingesting: the injected fault.
DYING_WORKER = """
import os, signal, sys
import archive.jobs
class Dying:
    def __init__(self, *args, **kwargs):
        pass
    def run(self, *args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)
archive.jobs.Ingest = Dying
from archive.cli import main
main(sys.argv[1:])
"""


def test_a_job_that_kills_its_worker_is_failed_with_its_reason_after_bounded_retries(archive, contributor, data_dir,
                                                                                      tmp_path):
    photo = make_jpeg(tmp_path / "độc.jpg")
    job_id = upload(archive, contributor, "độc.jpg", photo.read_bytes())
    for attempt in range(1, jobs.MAX_ATTEMPTS + 1):
        dying = _worker(data_dir, code=DYING_WORKER)
        assert dying.wait(timeout=120) == -signal.SIGKILL
        assert (_job(archive, job_id).state, _job(archive, job_id).attempts) == ("running", attempt)
    last = _worker(data_dir, code=DYING_WORKER)
    try:
        failed = wait_until(lambda: _job(archive, job_id).state == "failed" and _job(archive, job_id), 60,
                            "the job failed")
        assert last.poll() is None  # nothing left to kill it
    finally:
        _stop(last)
    row = jobs.list_jobs(archive, ids=[job_id])[0]
    assert failed.attempts == jobs.MAX_ATTEMPTS and [r.code for r in row.reasons] == ["worker_died"]
    assert row.reason == f"the worker stopped {jobs.MAX_ATTEMPTS} times while ingesting this file; it was not tried again"
