"""The layers of DEVELOPERS.md, kept by import-linter (contracts in pyproject.toml): the archive core imports nothing
from search/, ingest/, iiif/ or the web; search/, ingest/ and iiif/ never import Flask or the web; search/ takes plain
values, not catalog rows."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout, result.stdout
