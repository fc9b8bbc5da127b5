"""The file store: immutable, content-addressed originals and rebuildable derivatives.

Layout under ``root``: ``originals/<sha[:2]>/<sha256>`` (read-only once written), ``derivatives/<sha256>/`` (one
directory per original, replaced whole), ``tmp/`` (work in progress; anything there after a crash is garbage).
Every write lands in ``tmp/`` first and is renamed into place, so a reader never sees half a file.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

from .errors import UnsafePath

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1024 * 1024


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_sha(sha: str) -> str:
    if not _SHA256.match(sha):
        raise UnsafePath(f"{sha!r} is not a SHA-256 checksum")
    return sha


def safe_join(root: Path, relative: str) -> Path:
    """``root / relative``, refusing absolute paths and anything that resolves outside ``root``."""
    candidate = (root / relative).resolve()
    if Path(relative).is_absolute() or not candidate.is_relative_to(root.resolve()):
        raise UnsafePath(f"{relative!r} leaves {root}")
    return candidate


class FileStore:
    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self.originals = self.root / "originals"
        self.derivatives = self.root / "derivatives"
        self.tmp = self.root / "tmp"
        for d in (self.originals, self.derivatives, self.tmp):
            d.mkdir(parents=True, exist_ok=True)

    def original_path(self, sha: str) -> Path:
        check_sha(sha)
        return self.originals / sha[:2] / sha

    def derivative_dir(self, sha: str) -> Path:
        return self.derivatives / check_sha(sha)

    def has_original(self, sha: str) -> bool:
        return self.original_path(sha).is_file()

    def put_original(self, src: Path) -> tuple[str, int]:
        """Copy ``src`` into the store while hashing it; returns (sha256, size). Idempotent for equal content."""
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp, prefix="orig-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out, open(src, "rb") as fh:
                while chunk := fh.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            target = self.original_path(sha)
            if target.exists():
                tmp.unlink()
            else:
                target.parent.mkdir(exist_ok=True)
                os.chmod(tmp, 0o444)
                os.replace(tmp, target)
                _fsync_dir(target.parent)
            return sha, size
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def new_work_dir(self, prefix: str) -> Path:
        return Path(tempfile.mkdtemp(dir=self.tmp, prefix=prefix))

    def install_derivatives(self, sha: str, work_dir: Path) -> Path:
        """Move a finished derivative directory into place, replacing any older one whole."""
        target = self.derivative_dir(sha)
        old = None
        if target.exists():
            old = self.new_work_dir("old-")
            os.replace(target, old / "d")
        os.replace(work_dir, target)
        _fsync_dir(self.derivatives)
        if old is not None:
            shutil.rmtree(old)
        return target

    def clear_tmp(self) -> None:
        """Remove leftovers of interrupted work; call only while holding the store's write lock."""
        for entry in self.tmp.iterdir():
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()

    def iter_originals(self):
        """Checksums of every stored original."""
        for sub in sorted(self.originals.iterdir()):
            for f in sorted(sub.iterdir()):
                yield f.name

    def discard(self, sha: str) -> None:
        """Remove an original and its derivatives; only for files the catalog never referenced."""
        self.original_path(sha).unlink(missing_ok=True)
        if self.derivative_dir(sha).exists():
            shutil.rmtree(self.derivative_dir(sha))
