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


def test_every_module_imports_first_in_a_fresh_process():
    """An import cycle shows only when a module of it is imported first (the suite's order hid one between the unit
    of work, the index and the OCR text): each module is imported alone, in a clean module table (two interpreters
    share the modules)."""
    modules = sorted(".".join(p.relative_to(REPO).with_suffix("").parts)
                     for package in ("archive", "search", "iiif", "ingest")
                     for p in (REPO / package).rglob("*.py")
                     if "migrations" not in p.parts and p.name != "__main__.py")
    script = """
import importlib, sys
names = sys.argv[1:]
ours = ("archive", "search", "iiif", "ingest")
failed = []
for name in names:
    for loaded in [m for m in sys.modules if m.split(".")[0] in ours]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except ImportError as exc:
        failed.append(f"{name}: {exc}")
print("\\n".join(failed))
"""
    halves = [subprocess.Popen([sys.executable, "-c", script, *modules[n::2]], cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True) for n in range(2)]  # two at once: two cores
    for half in halves:
        out, err = half.communicate(timeout=600)
        assert half.returncode == 0, err
        assert out.strip() == "", out
    assert len(modules) > 60
