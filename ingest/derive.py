"""``heritage derive``: rebuild derivatives from the stored originals (all, or only the missing ones)."""
from __future__ import annotations

from concurrent.futures import as_completed

from sqlalchemy import select
from tqdm import tqdm

from archive import generation
from archive.catalog.models import MediaFile
from archive.context import Archive
from archive.filestore import FileStore
from archive.processes import worker_pool
from archive.report import Rejection, Summary

from . import derivatives
from .validate import Limits
from .worker import DERIVED_KINDS, build_derivatives, existing_derivatives


def _rebuild(store_root, sha: str, kind: str, limits: Limits) -> dict:
    store = FileStore(store_root)
    summary, work = build_derivatives(store, store.original_path(sha), kind, limits)
    store.install_derivatives(sha, work)
    return summary


def derive(archive: Archive, *, only_missing: bool = False, progress: bool = True) -> Summary:
    summary = Summary()
    limits = Limits.from_settings(archive.settings)
    store = archive.store
    with archive.write_lock("derive"):
        store.clear_tmp()
        with archive.catalog.session() as s:
            todo = [(m.id, m.sha256, m.kind) for m in s.scalars(select(MediaFile).where(MediaFile.kind.in_(DERIVED_KINDS)))
                    if not (only_missing and existing_derivatives(store, m.sha256, m.kind))]
        with worker_pool(archive.settings.workers) as pool:
            futures = {pool.submit(_rebuild, store.root, sha, kind, limits): (mid, sha) for mid, sha, kind in todo}
            for future in tqdm(as_completed(futures), total=len(futures), unit="file", desc="derive",
                               disable=not progress):
                mid, sha = futures[future]
                try:
                    result = future.result()
                except derivatives.DerivativeError as exc:
                    summary.rejected.append(Rejection(sha, [exc.reason]))
                    continue
                with archive.catalog.writing() as s:
                    s.get(MediaFile, mid).derivatives = result
                    generation.bump(s)  # pages and manifests that show the file change with it
                summary.updated.append(sha)
    return summary
