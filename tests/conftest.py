"""Fixture chain: settings → archive (real SQLite file and file store in a temp dir) → CLI runner."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import main
from archive.context import Archive
from archive.settings import load_settings
from archive.web import create_app
from tests.catalogs import command_env, database_url

pytest_plugins = ["tests.elasticsearch_node"]

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "media_samples"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch) -> Path:
    """The test's data directory; on PostgreSQL (tests/catalogs.py), code that reads its settings from the
    environment (the worker's tasks) finds the directory's database there."""
    path = tmp_path / "var"
    if url := database_url(path):
        monkeypatch.setenv("HERITAGE_DATABASE_URL", url)
    return path


# Argon2 at a test cost (like any setting, through load_settings), so sign-ins don't dominate the suite.
TEST_SETTINGS = {"workers": 2, "password_time_cost": 1, "password_memory_kib": 1024}


def make_settings(data_dir: Path, **overrides):
    return load_settings(environ={}, data_dir=str(data_dir),
                         **{**TEST_SETTINGS, "database_url": database_url(data_dir), **overrides})


@pytest.fixture
def settings(data_dir: Path):
    return make_settings(data_dir)


@pytest.fixture
def archive(settings) -> Archive:
    archive = Archive(settings)
    yield archive
    archive.catalog.dispose()


@pytest.fixture
def heritage(data_dir: Path):
    """Run the real CLI in-process: heritage("ingest", path) -> click Result."""
    runner = CliRunner()

    def run(*args: str | Path):
        env = command_env(data_dir, HERITAGE_WORKERS="2")
        return runner.invoke(main, ["--data-dir", str(data_dir), *map(str, args)], env=env, catch_exceptions=False)

    return run


def heritage_subprocess(data_dir: Path, *args: str | Path, **kwargs) -> subprocess.Popen:
    env = command_env(data_dir)
    return subprocess.Popen([sys.executable, "-m", "archive.cli", "--data-dir", str(data_dir), *map(str, args)],
                            env=env, **kwargs)


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    """A private copy of media_samples (with the generated large image), so tests never touch the repo's files."""
    dest = tmp_path / "media_samples"
    shutil.copytree(SAMPLES, dest)
    return dest


@pytest.fixture(scope="session")
def sample_archive(tmp_path_factory):
    """The sample media ingested once for the whole session (via `heritage demo`) into a private data dir.

    Tests that use it must not change it; the returned Archive reads the same catalog and store.
    """
    root = tmp_path_factory.mktemp("sample-archive")
    samples = root / "media_samples"
    shutil.copytree(SAMPLES, samples)
    data_dir = root / "var"
    proc = heritage_subprocess(data_dir, "demo", "--samples", samples, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    output, _ = proc.communicate()
    assert proc.returncode == 0, output
    archive = Archive(load_settings(environ={}, data_dir=str(data_dir), workers=2,
                                    database_url=database_url(data_dir)))
    archive.demo_output = output
    archive.samples = samples
    yield archive
    archive.catalog.dispose()


@pytest.fixture(scope="module")
def client(sample_archive):
    """A test client of the sample archive's site (modules with an archive of their own define their own)."""
    return create_app(sample_archive.settings, sample_archive).test_client()


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's), one per test module."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        launched.close()
