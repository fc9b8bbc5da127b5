"""The sample media: everything ingests, and ingesting again changes nothing."""
from __future__ import annotations

import csv

from sqlalchemy import select

from archive.catalog.models import Item, MediaFile
from tests.conftest import heritage_subprocess


def snapshot(archive) -> tuple:
    with archive.catalog.session() as s:
        items = sorted((i.id, i.updated_at.isoformat(), repr(i.record)) for i in s.scalars(select(Item)))
        media = sorted((m.sha256, m.item_id, m.parent_id) for m in s.scalars(select(MediaFile)))
    files = sorted((str(p.relative_to(archive.store.root)), p.stat().st_mtime_ns)
                   for p in archive.store.root.rglob("*") if p.is_file())
    return items, media, files


def test_every_sample_ingested(sample_archive):
    with open(sample_archive.samples / "metadata.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = sample_archive.demo_output
    assert f"new: {len(rows)}  updated: 0  unchanged: 0  rejected: 0" in out, out
    with sample_archive.catalog.session() as s:
        items = list(s.scalars(select(Item)))
        assert len(items) == len(rows)
        kinds = {m.kind for i in items for m in i.files}
        assert {"image", "audio", "video", "caption"} <= kinds
        assert {i.community for i in items} == {"cham", "hoa", "khmer"}
        captioned = {m.kind for i in items for m in i.media if len({c.language for c in m.captions}) >= 2}
        assert {"audio", "video"} <= captioned
        widths = [m.derivatives["width"] * m.derivatives["height"] for i in items for m in i.media if m.kind == "image"]
        assert max(widths) >= 20_000_000


def test_second_ingest_reports_nothing_new_and_changes_nothing(sample_archive):
    before = snapshot(sample_archive)
    samples = sample_archive.samples
    proc = heritage_subprocess(sample_archive.settings.data_path, "ingest", samples, "--metadata",
                               samples / "metadata.csv", stdout=-1, stderr=-1, text=True)
    out, err = proc.communicate()
    assert proc.returncode == 0, out + err
    assert "new: 0  updated: 0" in out and "rejected: 0" in out
    assert snapshot(sample_archive) == before
