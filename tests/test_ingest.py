"""The ingest pipeline on good input: items, captions, technical metadata, updates, idempotence."""
from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy import select

from archive.catalog.models import IngestRun, Item, MediaFile
from tests.media import make_jpeg, make_mp4, make_wav

VTT = "WEBVTT\n\n00:00.000 --> 00:01.500\n{}\n"


def write_csv(path: Path, rows: list[dict]) -> Path:
    columns = sorted({k for r in rows for k in r})
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def items_by_file(archive) -> dict[str, dict]:
    with archive.catalog.session() as s:
        return {m.original_name: {"item": m.item.id, "record": m.item.record, "type": m.item.type,
                                  "status": m.item.status, "captions": {c.language for c in m.captions},
                                  "techmd": m.techmd, "derivatives": m.derivatives}
                for m in s.scalars(select(MediaFile).where(MediaFile.parent_id.is_(None)))}


def test_described_batch_with_captions_and_set(tmp_path, heritage, archive):
    d = tmp_path / "in"
    make_mp4(d / "dance.mp4", seconds=2)
    (d / "dance.vi.vtt").write_text(VTT.format("Múa Apsara"), "utf-8")
    (d / "dance.en.vtt").write_text(VTT.format("Apsara dance"), "utf-8")
    (d / "dance.km.vtt").write_text(VTT.format("របាំអប្សរា"), "utf-8")
    make_jpeg(d / "page1.jpg", seed=1)
    make_jpeg(d / "page2.jpg", seed=2)
    (d / "README.txt").write_text("not media", "utf-8")
    write_csv(d / "m.csv", [
        {"file": "dance.mp4", "title_vi": "Múa Apsara", "title_en": "Apsara dance", "title_km": "របាំអប្សរា",
         "community": "khmer", "festival": "chol-chnam-thmay", "date": "2024-04", "languages": "khm;vie",
         "creators": "Nguyễn Văn A (videographer); Lâm Thị B (performer)",
         "rights": "https://creativecommons.org/licenses/by/4.0/"},
        {"file": "page1.jpg;page2.jpg", "type": "document", "title_vi": "Câu đối", "title_zh-Hant": "對聯",
         "community": "hoa", "place": "tue-thanh-hoi-quan", "date": "196X"},
    ])
    result = heritage("ingest", "--quiet", d, "--metadata", d / "m.csv")
    assert result.exit_code == 0, result.output
    assert "new: 2  updated: 0  unchanged: 0  rejected: 0  (originals stored: 6, files ignored: 1)" in result.output

    found = items_by_file(archive)
    dance = found["dance.mp4"]
    assert dance["captions"] == {"vi", "en", "km"}
    assert dance["type"] == "video" and dance["status"] == "published"
    assert dance["record"]["title"]["km"] == "របាំអប្សរា"
    assert dance["record"]["creators"][1] == {"name": "Lâm Thị B", "role": "performer"}
    assert dance["record"]["rights"] == "http://creativecommons.org/licenses/by/4.0/"
    assert dance["derivatives"]["height"] <= 720
    assert found["page1.jpg"]["item"] == found["page2.jpg"]["item"]
    assert found["page1.jpg"]["type"] == "document"
    with archive.catalog.session() as s:
        item = s.get(Item, found["page1.jpg"]["item"])
        assert [m.original_name for m in item.media] == ["page1.jpg", "page2.jpg"]
        assert (item.date_start, item.date_end) == ("1960-01-01", "1969-12-31")
        run = s.scalars(select(IngestRun)).one()
        assert run.new == 2 and run.finished_at is not None


def test_changed_metadata_updates_and_same_content_is_not_stored_twice(tmp_path, heritage, archive):
    d = tmp_path / "in"
    make_jpeg(d / "a.jpg", seed=1)
    row = {"file": "a.jpg", "title_vi": "Chùa", "title_en": "Pagoda", "community": "khmer"}
    write_csv(d / "m.csv", [row])
    assert heritage("ingest", "--quiet", d, "--metadata", d / "m.csv").exit_code == 0
    write_csv(d / "m.csv", [{**row, "title_en": "Chantarangsay pagoda"}])
    (d / "copy").mkdir()
    (d / "copy" / "a-again.jpg").write_bytes((d / "a.jpg").read_bytes())
    result = heritage("ingest", "--quiet", d, "--metadata", d / "m.csv")
    assert result.exit_code == 0, result.output
    assert "new: 0  updated: 1  unchanged: 1" in result.output
    found = items_by_file(archive)
    assert list(found) == ["a.jpg"]
    assert found["a.jpg"]["record"]["title"]["en"] == "Chantarangsay pagoda"


def test_undescribed_files_become_staff_only_drafts(tmp_path, heritage, archive):
    make_wav(tmp_path / "in" / "chant.wav", seconds=1.5)
    assert heritage("ingest", "--quiet", tmp_path / "in").exit_code == 0
    chant = items_by_file(archive)["chant.wav"]
    assert chant["status"] == "draft" and chant["record"]["access"] == "staff"
    assert chant["techmd"]["duration"] > 1.4
    peaks = json.loads((archive.store.derivative_dir(
        archive.store.iter_originals().__next__()) / "peaks.json").read_text())
    assert peaks["version"] == 2 and max(peaks["data"]) > 0


def test_exif_extracted(tmp_path, heritage, archive):
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Heritage", "Generator"
    exif.get_ifd(0x8769)[0x9003] = "2024:02:24 19:30:00"
    make_jpeg(tmp_path / "in" / "lantern.jpg", exif=exif.tobytes())
    assert heritage("ingest", "--quiet", tmp_path / "in").exit_code == 0
    techmd = items_by_file(archive)["lantern.jpg"]["techmd"]
    flat = json.dumps(techmd)
    assert "2024-02-24T19:30:00" in flat and "Generator" in flat


def test_caption_without_media_is_rejected(tmp_path, heritage, archive):
    make_jpeg(tmp_path / "in" / "a.jpg")
    (tmp_path / "in" / "orphan.vi.vtt").write_text(VTT.format("x"), "utf-8")
    result = heritage("ingest", "--quiet", tmp_path / "in")
    assert result.exit_code == 1
    assert "orphan.vi.vtt: no media file named orphan.* beside this caption" in result.output
    assert list(items_by_file(archive)) == ["a.jpg"]


def test_missing_path_is_named(tmp_path, heritage):
    result = heritage("ingest", "--quiet", tmp_path / "nope")
    assert result.exit_code == 1 and "nope: no such file or folder" in result.output


def test_usage_error_exits_2(heritage):
    assert heritage("ingest").exit_code == 2


def test_derive_rebuilds_missing_and_all(tmp_path, heritage, archive):
    import shutil

    make_jpeg(tmp_path / "in" / "a.jpg", size=(1100, 700), seed=4)
    make_wav(tmp_path / "in" / "b.wav", seconds=1)
    assert heritage("ingest", "--quiet", tmp_path / "in").exit_code == 0
    shas = list(archive.store.iter_originals())
    image_sha = next(s for s in shas if (archive.store.derivative_dir(s) / "image.json").exists())
    shutil.rmtree(archive.store.derivative_dir(image_sha))

    missing = heritage("derive", "--missing", "--quiet")
    assert missing.exit_code == 0 and "updated: 1" in missing.output
    tiles = archive.store.derivative_dir(image_sha) / "tiles"
    assert sorted(p.name for p in (tiles / "1").iterdir()) == ["0_0.jpg", "0_1.jpg", "1_0.jpg", "1_1.jpg", "2_0.jpg",
                                                                "2_1.jpg"]
    everything = heritage("derive", "--quiet")
    assert everything.exit_code == 0 and "updated: 2" in everything.output
