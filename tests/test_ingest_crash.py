"""SIGKILL at several points of a batch, then a re-run: the catalog and the store agree exactly."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from archive.catalog.models import Item, MediaFile
from archive.filestore import sha256_file
from tests.conftest import heritage_subprocess
from tests.media import make_jpeg, make_mp4, make_wav

pytestmark = pytest.mark.slow


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    d = tmp_path / "batch"
    for i in range(10):
        make_jpeg(d / f"img{i}.jpg", size=(1800, 1200), seed=i)
    make_wav(d / "a.wav", seconds=6, freq=330)
    make_mp4(d / "v.mp4", seconds=4, size="640x360")
    (d / "v.en.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nHello\n", "utf-8")
    return d


def check_consistent(archive, *, complete: bool, expected_items: int = 0) -> None:
    """No half record ever; when ``complete``, also no orphan and every expected item present."""
    with archive.catalog.session() as s:
        media = list(s.scalars(select(MediaFile)))
        items = list(s.scalars(select(Item)))
        assert s.scalar(select(func.count()).select_from(MediaFile)) == len({m.sha256 for m in media})
        for item in items:
            assert item.media, f"item {item.id} has no media file"
    for m in media:
        path = archive.store.original_path(m.sha256)
        assert path.is_file() and sha256_file(path) == m.sha256, f"{m.original_name} not stored whole"
        if m.kind in ("image", "audio", "video"):
            assert (archive.store.derivative_dir(m.sha256) / f"{m.kind}.json").is_file()
    if complete:
        assert set(archive.store.iter_originals()) == {m.sha256 for m in media}
        assert len(items) == expected_items
        assert {m.original_name for m in media} == {f"img{i}.jpg" for i in range(10)} | {"a.wav", "v.mp4", "v.en.vtt"}


def run_and_kill(data_dir: Path, batch: Path, after: float) -> bool:
    """Start an ingest, SIGKILL its whole process group after ``after`` seconds; True if it was still running."""
    proc = heritage_subprocess(data_dir, "ingest", "--quiet", batch, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(after)
    alive = proc.poll() is None
    if alive:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return alive


def test_kill_at_several_points_then_rerun(batch, data_dir, archive):
    started = time.monotonic()
    full = heritage_subprocess(data_dir.parent / "probe", "ingest", "--quiet", batch,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert full.wait() == 0
    duration = time.monotonic() - started

    killed = 0
    for fraction in (0.15, 0.3, 0.45, 0.6, 0.75, 0.9):
        killed += run_and_kill(data_dir, batch, duration * fraction)
        check_consistent(archive, complete=False)
    assert killed >= 3, "the batch finished too early to test interruption"

    rerun = heritage_subprocess(data_dir, "ingest", "--quiet", batch, stdout=subprocess.PIPE, text=True)
    out, _ = rerun.communicate()
    assert rerun.returncode == 0, out
    check_consistent(archive, complete=True, expected_items=12)
    assert not list(archive.store.tmp.iterdir())

    again = heritage_subprocess(data_dir, "ingest", "--quiet", batch, stdout=subprocess.PIPE, text=True)
    out, _ = again.communicate()
    assert again.returncode == 0 and "new: 0  updated: 0  unchanged: 12" in out, out
