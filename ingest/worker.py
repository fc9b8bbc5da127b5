"""Work on one file, run in a worker process: identify, validate, build derivatives, store the original.

Derivatives are built from the source before the original is stored, so a file that fails anywhere leaves nothing
in the store. The result is picklable; the main process alone writes to the catalog.
"""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from archive.filestore import FileStore
from archive.reasons import Reason, Refused

from . import derivatives
from .identify import identify
from .validate import Limits, Rejected, check

DERIVED_KINDS = ("image", "audio", "video")


@dataclass
class FileDone:
    path: Path
    sha256: str
    size: int
    mime: str
    kind: str
    techmd: dict
    derivatives: dict | None = None


@dataclass
class FileFailed:
    path: Path
    reason: Reason


def existing_derivatives(store: FileStore, sha: str, kind: str) -> dict | None:
    """The summary of a complete derivative set already in place (derivative dirs are installed whole)."""
    summary = store.derivative_dir(sha) / f"{kind}.json"
    return json.loads(summary.read_text()) if summary.is_file() else None


def build_derivatives(store: FileStore, source: Path, kind: str, limits: Limits) -> tuple[dict, Path]:
    work = store.new_work_dir("deriv-")
    try:
        return derivatives.build(kind, source, work, max_pixels=limits.max_image_pixels), work
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def process_file(path: Path, sha: str, store_root: Path, limits: Limits) -> FileDone | FileFailed:
    """Ingest one file whose checksum the caller already computed."""
    work = None
    try:
        identity = identify(path)
        techmd = check(path, identity, limits)
        store = FileStore(store_root)
        summary = None
        if identity.kind in DERIVED_KINDS:
            summary = existing_derivatives(store, sha, identity.kind)
            if summary is None:
                summary, work = build_derivatives(store, path, identity.kind, limits)
        stored_sha, size = store.put_original(path)
        if stored_sha != sha:
            raise Rejected(Reason("changed_during_ingest"))
        if work is not None:
            store.install_derivatives(sha, work)
            work = None
        return FileDone(path, sha, size, identity.mime, identity.kind, techmd, summary)
    except Refused as exc:  # not identified, or rejected by validation
        return FileFailed(path, exc.reason)
    except derivatives.DerivativeError as exc:
        return FileFailed(path, Reason("derivative_failed", detail=exc.reason))
    except OSError as exc:
        return FileFailed(path, Reason("unreadable", detail=exc.strerror or str(exc)))
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
