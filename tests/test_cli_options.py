"""Every command takes --data-dir, before or after the command's name (the README says so)."""
from __future__ import annotations

import os

from click.testing import CliRunner

from archive.cli import main
from tests.conftest import SAMPLES


def _run(*args, input=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HERITAGE_")}
    return CliRunner().invoke(main, [str(a) for a in args], env=env, input=input, catch_exceptions=False)


def test_data_dir_after_the_command(tmp_path):
    data_dir = tmp_path / "var"
    result = _run("import-collections", SAMPLES / "collections.json", "--data-dir", data_dir)
    assert result.exit_code == 0, result.output
    assert (data_dir / "catalog.sqlite").is_file()
    added = _run("user", "add", "lan", "--role", "editor", "--password-stdin", "--data-dir", data_dir,
                 input="correct horse battery\n")
    assert added.exit_code == 0 and "added lan (editor)" in added.output
    listed = _run("--data-dir", tmp_path / "elsewhere", "user", "list", f"--data-dir={data_dir}")
    assert listed.output.startswith("lan ")  # the one after the command wins
    assert not (tmp_path / "elsewhere" / "catalog.sqlite").exists()
