"""Bad input gets a clear error naming the file and the reason; every good file of the same batch goes in."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from archive.catalog.models import Item, MediaFile
from tests.media import corrupt, make_jpeg, make_mp4, make_png, make_wav, truncate

COLUMNS = ["file", "id", "title_vi", "title_en", "community", "festival", "place", "date", "rights", "languages"]
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def write_csv(path: Path, rows: list[dict], columns=COLUMNS, encoding="utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def row(file: str, **extra) -> dict:
    return {"file": file, "title_vi": f"Tệp {file}", "title_en": f"File {file}", "community": "khmer", **extra}


def bomb(path: Path) -> Path:
    """A PNG of 20,000 × 20,000 pixels that compresses to a few hundred kilobytes."""
    Image.new("1", (20_000, 20_000)).save(path, "PNG", optimize=True)
    return path


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    d = tmp_path / "batch"
    make_jpeg(d / "good1.jpg", seed=1)
    make_png(d / "good2.png", seed=2)
    make_wav(d / "good3.wav", freq=500)
    make_mp4(d / "good4.mp4", seed=4)
    make_jpeg(d / "hostile.jpg", seed=5)
    ref_jpg, ref_png = make_jpeg(d / "x" / "r.jpg", seed=9), make_png(d / "x" / "r.png", seed=9)
    ref_mp4, ref_wav = make_mp4(d / "x" / "r.mp4", seed=9), make_wav(d / "x" / "r.wav", freq=900)
    corrupt(ref_jpg, d / "corrupt.jpg", offset=2, length=200)
    truncate(ref_jpg, d / "truncated.jpg", 0.4)
    corrupt(ref_png, d / "corrupt.png", offset=8, length=64)
    truncate(ref_png, d / "truncated.png", 0.5)
    corrupt(ref_mp4, d / "corrupt.mp4", offset=0, length=4096)
    truncate(ref_mp4, d / "truncated.mp4", 0.3)
    corrupt(ref_wav, d / "corrupt.wav", offset=0, length=44)
    truncate(ref_wav, d / "truncated.wav", 0.2)
    (d / "empty.jpg").write_bytes(b"")
    make_jpeg(d / "jpeg-named.mp4", seed=7)
    bomb(d / "bomb.png")
    make_jpeg(d / "huge.jpg", size=(4000, 3000), seed=8)  # over the 10 MP limit the test sets
    (d / "program.jpg").write_bytes(b"\x7fELF\x02\x01\x01" + b"\x00" * 200)
    for f in ("r.jpg", "r.png", "r.mp4", "r.wav"):
        (d / "x" / f).unlink()
    (d / "x").rmdir()
    return d


EXPECTED_REJECTIONS = {
    "corrupt.jpg": "content is not a recognised media type",
    "truncated.jpg": "image file is truncated",
    "corrupt.png": "image does not decode: cannot identify image file",
    "truncated.png": "image does not decode",
    "corrupt.mp4": "content is not a recognised media type",
    "truncated.mp4": "moov atom not found",
    "corrupt.wav": "content is not a recognised media type",
    "truncated.wav": "does not decode cleanly",
    "empty.jpg": "empty file (0 bytes)",
    "jpeg-named.mp4": "extension '.mp4' does not match the content (image/jpeg",
    "bomb.png": "decompression bomb",
    "huge.jpg": "over the limit of 10,000,000",
    "program.jpg": "which the archive does not accept",
}


def test_bad_files_rejected_good_files_ingested(batch, heritage, archive, monkeypatch):
    monkeypatch.setenv("HERITAGE_MAX_IMAGE_PIXELS", "10000000")
    rows = [row(f) for f in ["good1.jpg", "good2.png", "good3.wav", "good4.mp4", *EXPECTED_REJECTIONS]]
    rows[0]["id"] = "dup-id"
    rows += [
        row("hostile.jpg", title_en=HOSTILE),
        {**row("good1.jpg"), "id": "dup-id"},                   # duplicate identifier (and file)
        row("nope.jpg", community="thai"),                      # unknown vocabulary term
        row("../outside.jpg"),                                  # path escaping the CSV's folder
        row("good2.png", festival="not-a-festival", place="nowhere"),
    ]
    meta = write_csv(batch / "meta.csv", rows)
    result = heritage("ingest", "--quiet", batch, "--metadata", meta)
    out = result.output
    assert result.exit_code == 1, out

    for name, reason in EXPECTED_REJECTIONS.items():
        lines = [line for line in out.splitlines() if line.startswith("REJECTED") and name in line]
        assert lines, f"{name} not reported:\n{out}"
        assert reason in lines[0], f"{name}: expected {reason!r} in {lines[0]!r}"
    assert "duplicate identifier 'dup-id'" in out
    assert "unknown community 'thai'; allowed: cham, hoa, khmer" in out
    assert "path '../outside.jpg' leaves the CSV's folder" in out
    assert "unknown festival 'not-a-festival'" in out and "unknown place 'nowhere'" in out

    with archive.catalog.session() as s:
        names = {m.original_name: m.item for m in s.scalars(select(MediaFile))}
    assert set(names) == {"good1.jpg", "good2.png", "good3.wav", "good4.mp4", "hostile.jpg"}
    assert names["hostile.jpg"].record["title"]["en"] == HOSTILE  # stored verbatim, escaped when shown
    assert names["good1.jpg"].id == "dup-id"
    # Rejected files left nothing behind in the store.
    stored = set(archive.store.iter_originals())
    with archive.catalog.session() as s:
        assert stored == set(s.scalars(select(MediaFile.sha256)))
    assert not list(archive.store.tmp.iterdir())


@pytest.mark.parametrize("case,expected", [
    ("missing-column", "missing required column 'community'"),
    ("windows-1258", "not UTF-8 (byte 0xf9 at offset"),
    ("unknown-column", "unknown column 'colour'"),
])
def test_unusable_csv_is_rejected_and_other_files_still_go_in(tmp_path, heritage, archive, case, expected):
    d = tmp_path / "in"
    make_jpeg(d / "described.jpg", seed=1)
    other = make_jpeg(tmp_path / "other" / "undescribed.jpg", seed=2)
    if case == "missing-column":
        meta = write_csv(d / "m.csv", [{"file": "described.jpg", "title_vi": "ảnh"}], ["file", "title_vi"])
    elif case == "windows-1258":
        meta = write_csv(d / "m.csv", [row("described.jpg", title_vi="Chùa Bà")], encoding="cp1258")
    else:
        meta = write_csv(d / "m.csv", [{**row("described.jpg"), "colour": "red"}], COLUMNS + ["colour"])
    result = heritage("ingest", "--quiet", other, "--metadata", meta)
    assert result.exit_code == 1
    assert f"REJECTED {meta}" in result.output and expected in result.output
    with archive.catalog.session() as s:
        items = list(s.scalars(select(Item)))
    assert [i.record["title"]["en"] for i in items] == ["undescribed"]
    assert items[0].status == "draft" and items[0].access == "staff"


def test_import_records_rejects_bad_rows_and_keeps_good(tmp_path, heritage, archive):
    f = tmp_path / "records.jsonl"
    lines = [
        {"title": {"vi": "Đua ghe ngo", "en": "Ngo boat race"}, "community": "khmer", "festival": "ok-om-bok"},
        {"title": {"vi": "x"}, "community": "khmer", "colour": "red"},
        "{not json",
        {"id": "rec-1", "title": {"en": "A"}, "community": "hoa"},
        {"id": "rec-1", "title": {"en": "B"}, "community": "hoa"},
    ]
    f.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines), "utf-8")
    result = heritage("import-records", f)
    assert result.exit_code == 1
    assert "records.jsonl line 2: colour: unknown key" in result.output
    assert "records.jsonl line 3: not valid JSON" in result.output
    assert "records.jsonl line 5: id: duplicate identifier 'rec-1'" in result.output
    with archive.catalog.session() as s:
        assert sorted(i.record["title"].get("en") for i in s.scalars(select(Item))) == ["A", "Ngo boat race"]
    again = heritage("import-records", f)
    assert "new: 0  updated: 0  unchanged: 2" in again.output
