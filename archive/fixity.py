"""``heritage fixity``: re-hash every stored original and compare with the catalog."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import select
from tqdm import tqdm

from .catalog.models import ItemVersion, MediaFile
from .context import Archive
from .filestore import sha256_file


@dataclass(frozen=True)
class FixityProblem:
    sha256: str
    kind: str  # missing | mismatch | orphan
    detail: str

    def __str__(self) -> str:
        return f"{self.kind.upper()} {self.sha256}: {self.detail}"


def check_fixity(archive: Archive, *, progress: bool = True) -> tuple[int, list[FixityProblem]]:
    """(number of originals checked, problems). Orphans are stored files the catalog does not know: neither a file of
    an item nor a caption file an earlier version of an item had (archive.captions keeps those)."""
    with archive.catalog.session() as s:
        expected = {sha: f"{c['name']} of item {item_id} (version {number})"
                    for item_id, number, kept in s.execute(select(ItemVersion.item_id, ItemVersion.number,
                                                                  ItemVersion.captions)
                                                           .where(ItemVersion.captions.is_not(None)))
                    for c in kept or () for sha in [c["sha256"]]}
        expected |= {m.sha256: f"{m.original_name} of item {m.item_id}" for m in s.scalars(select(MediaFile))}
    store = archive.store
    problems: list[FixityProblem] = []

    def verify(sha: str) -> FixityProblem | None:
        path = store.original_path(sha)
        if not path.is_file():
            return FixityProblem(sha, "missing", f"{expected[sha]}: {path} is missing")
        actual = sha256_file(path)
        if actual != sha:
            return FixityProblem(sha, "mismatch", f"{expected[sha]}: {path} now hashes to {actual}")
        return None

    with ThreadPoolExecutor(archive.settings.workers) as pool:
        for result in tqdm(pool.map(verify, sorted(expected)), total=len(expected), unit="file", desc="fixity",
                           disable=not progress):
            if result:
                problems.append(result)
    problems += [FixityProblem(sha, "orphan", f"{store.original_path(sha)} is stored but not in the catalog")
                 for sha in store.iter_originals() if sha not in expected]
    return len(expected), problems
