"""BagIt packages: export-bag and import-bag between two archives (data dirs), with real media and ffmpeg."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import bagit
import pytest
from click.testing import CliRunner
from lxml import etree
from sqlalchemy import func, select

from archive.access import EVERYTHING
from archive.bags import ARCHIVE_NAME
from archive.catalog import service
from archive.catalog.models import Item, ItemVersion, MediaFile
from archive.cli import main
from archive.context import Archive
from archive.searching import search
from archive.uow import unit_of_work
from search.request import SearchRequest
from tests.conftest import heritage_subprocess, make_settings
from tests.media import make_jpeg, make_wav, truncate
from tests.test_ingest import VTT, write_csv
from archive.catalog.copy import copy_catalog
from archive.catalog.db import Catalog
from tests.catalogs import command_env, database_url

OAI_DC_SCHEMA = Path(__file__).parent / "fixtures" / "oai" / "oai_dc-local.xsd"
TITLES = {"image": "Tháp Chăm lúc bình minh", "audio": "Bài hát ru Khmer", "set": "Câu đối Tết ba trang"}


def run(data_dir: Path, *args):
    """The CLI in-process, with no HERITAGE_* setting of the environment but two workers (as the heritage fixture)."""
    env = {**{k: None for k in os.environ if k.startswith("HERITAGE_")}, **command_env(data_dir, HERITAGE_WORKERS="2")}
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *map(str, args)], catch_exceptions=False, env=env)


def open_archive(data_dir: Path) -> Archive:
    return Archive(make_settings(data_dir))


def records(archive: Archive) -> dict[str, dict]:
    """Every item in the exchange format (what /api/items/{id} gives), with the embargo, by id."""
    with archive.catalog.session() as s:
        return {i.id: {**service.item_record(i), "embargo_until": i.embargo_until}
                for i in s.scalars(select(Item).order_by(Item.id))}


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """An archive with an image (restricted, draft, under embargo), an audio item with WebVTT captions in two
    languages, and a three-page set in a collection; exported to bags by the CLI run as a subprocess."""
    root = tmp_path_factory.mktemp("bags")
    d = root / "in"
    make_jpeg(d / "tower.jpg", seed=3)
    make_wav(d / "lullaby.wav", seconds=1.5)
    (d / "lullaby.vi.vtt").write_text(VTT.format("Ầu ơ, ví dầu"), "utf-8")
    (d / "lullaby.en.vtt").write_text(VTT.format("Hush, little one"), "utf-8")
    for n in (1, 2, 3):
        make_jpeg(d / f"page{n}.jpg", size=(200, 300), seed=10 + n)
    (root / "collections.json").write_text(json.dumps([{"id": "couplets", "title": {"vi": "Câu đối", "en": "Couplets"},
                                                        "community": "hoa"}]), "utf-8")
    write_csv(d / "m.csv", [
        {"file": "tower.jpg", "id": "tower-dawn", "title_vi": TITLES["image"], "title_en": "Cham tower at dawn",
         "community": "cham", "access": "restricted", "sensitivity_note_en": "Shown at the community's request only",
         "rights": "http://creativecommons.org/licenses/by/4.0/", "creators": "Trần Văn C (photographer)"},
        {"file": "lullaby.wav", "id": "khmer-lullaby", "title_vi": TITLES["audio"], "title_km": "បទបំពេរ",
         "community": "khmer", "languages": "khm;vie", "date": "2024-04"},
        {"file": "page1.jpg;page2.jpg;page3.jpg", "id": "couplet-set", "type": "set", "title_vi": TITLES["set"],
         "title_zh-Hant": "春聯", "community": "hoa", "collections": "couplets", "date": "196X"},
    ])
    data = root / "a"
    assert run(data, "import-collections", root / "collections.json").exit_code == 0
    result = run(data, "ingest", "--quiet", d, "--metadata", d / "m.csv")
    assert result.exit_code == 0, result.output
    archive = open_archive(data)
    with unit_of_work(archive) as work:
        tower = service.get_item(work.session, "tower-dawn")
        tower.status, tower.embargo_until = "draft", date(2031, 1, 1)
        work.reindex("tower-dawn")
    bags = root / "bags"
    proc = heritage_subprocess(data, "export-bag", bags, "--all", stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    output, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, output
    assert "3 bags written" in output
    yield root, archive, bags
    archive.catalog.dispose()


def test_each_bag_is_valid_bagit_with_originals_record_and_dublin_core(source):
    _, archive, bags = source
    dc_schema = etree.XMLSchema(etree.parse(str(OAI_DC_SCHEMA)))
    assert sorted(p.name for p in bags.iterdir()) == ["couplet-set", "khmer-lullaby", "tower-dawn"]
    for item_id, expected in records(archive).items():
        bag = bagit.Bag(str(bags / item_id))
        bag.validate()  # every file against both manifests, tag manifests, Payload-Oxum
        assert bag.version_info == (1, 0)
        assert set(bag.algorithms) == {"sha256", "sha512"}
        assert all((bags / item_id / f"tagmanifest-{alg}.txt").is_file() for alg in ("sha256", "sha512"))
        info = bag.info
        assert info["Source-Organization"] == [ARCHIVE_NAME["vi"], ARCHIVE_NAME["en"]]
        assert info["External-Identifier"] == item_id
        assert date.fromisoformat(info["Bagging-Date"])
        payload = [f for f in (bags / item_id / "data").rglob("*") if f.is_file()]
        assert info["Payload-Oxum"] == f"{sum(f.stat().st_size for f in payload)}.{len(payload)}"

        record = json.loads((bags / item_id / "data" / "record.json").read_text("utf-8"))
        assert {k: v for k, v in record.items() if k not in ("media", "embargo_until")} == \
            {k: v for k, v in expected.items() if k not in ("media", "embargo_until")}
        for m, exp in zip(record["media"], expected["media"], strict=True):
            copy = bags / item_id / "data" / m["path"]
            assert copy.read_bytes() == archive.store.original_path(exp["sha256"]).read_bytes()
            assert bag.entries[f"data/{m['path']}"]["sha256"] == exp["sha256"] == m["sha256"]
            assert hashlib.sha512(copy.read_bytes()).hexdigest() == bag.entries[f"data/{m['path']}"]["sha512"]
            assert sorted(c["language"] for c in m["captions"]) == sorted(c["language"] for c in exp["captions"])
            for c in m["captions"]:
                assert (bags / item_id / "data" / c["path"]).read_bytes() == \
                    archive.store.original_path(c["sha256"]).read_bytes()

        dc = etree.parse(str(bags / item_id / "data" / "dc.xml"))
        assert dc_schema.validate(dc), dc_schema.error_log
        titles = dc.findall("{http://purl.org/dc/elements/1.1/}title")
        assert TITLES[record["type"]] in [t.text for t in titles]

    tower = json.loads((bags / "tower-dawn" / "data" / "record.json").read_text("utf-8"))
    assert (tower["access"], tower["status"], tower["embargo_until"]) == ("restricted", "draft", "2031-01-01")
    lullaby = json.loads((bags / "khmer-lullaby" / "data" / "record.json").read_text("utf-8"))
    assert [c["path"] for c in lullaby["media"][0]["captions"]] == \
        ["media/1/captions/lullaby.en.vtt", "media/1/captions/lullaby.vi.vtt"]
    couplets = json.loads((bags / "couplet-set" / "data" / "collections.json").read_text("utf-8"))
    assert [c["id"] for c in couplets] == ["couplets"]
    assert bagit.Bag(str(bags / "couplet-set")).info["Payload-Oxum"].endswith(".6")  # 3 pages, record, dc, collections


def test_round_trip_into_a_fresh_archive_then_again_changes_nothing(source):
    root, archive, bags = source
    fresh = root / "b"
    result = run(fresh, "import-bag", *sorted(bags.iterdir()))
    assert result.exit_code == 0, result.output
    assert "new: 3  updated: 0  unchanged: 0  rejected: 0  (originals stored: 7" in result.output
    target = open_archive(fresh)
    try:
        assert records(target) == records(archive)  # same ids, records, status, embargo, checksums, captions
        for sha in archive.store.iter_originals():
            assert target.store.original_path(sha).read_bytes() == archive.store.original_path(sha).read_bytes()
        with target.catalog.session() as s:
            captions = {c.language: c.parent.original_name
                        for c in s.scalars(select(MediaFile).where(MediaFile.kind == "caption"))}
            assert captions == {"vi": "lullaby.wav", "en": "lullaby.wav"}
            media = s.scalars(select(MediaFile).where(MediaFile.parent_id.is_(None))).all()
            assert all(m.derivatives and target.store.derivative_dir(m.sha256).is_dir() for m in media)

        for item_id, title in [("tower-dawn", TITLES["image"]), ("khmer-lullaby", TITLES["audio"]),
                               ("couplet-set", TITLES["set"])]:
            hits = search(target, SearchRequest(q=f'"{title}"', scope=EVERYTHING)).hits
            assert [h.id for h in hits] == [item_id]
        public = {h.id for h in search(target, SearchRequest(q="", per_page=50)).hits}
        assert public == {"khmer-lullaby", "couplet-set"}  # the draft, restricted, embargoed image stays hidden

        with target.catalog.session() as s:
            before = (s.scalar(select(func.count(MediaFile.id))), s.scalar(select(func.count(ItemVersion.id))),
                      sorted(s.execute(select(Item.id, Item.updated_at))))
        again = run(fresh, "import-bag", *sorted(bags.iterdir()))
        assert again.exit_code == 0, again.output
        assert "new: 0  updated: 0  unchanged: 3  rejected: 0  (originals stored: 0" in again.output
        assert f"unchanged {bags / 'tower-dawn'} (item tower-dawn is here already, identical)" in again.output
        with target.catalog.session() as s:
            assert (s.scalar(select(func.count(MediaFile.id))), s.scalar(select(func.count(ItemVersion.id))),
                    sorted(s.execute(select(Item.id, Item.updated_at)))) == before
    finally:
        target.catalog.dispose()


def _redo_tag_manifests(bag_dir: Path) -> None:
    """Recompute the tag manifests, as someone would who edits a manifest on purpose."""
    for alg in ("sha256", "sha512"):
        path = bag_dir / f"tagmanifest-{alg}.txt"
        lines = []
        for line in path.read_text().splitlines():
            _, name = line.split(None, 1)
            lines.append(f"{hashlib.new(alg, (bag_dir / name).read_bytes()).hexdigest()}  {name}")
        path.write_text("\n".join(lines) + "\n")


def _drop_from_manifest(bag_dir: Path, alg: str, payload: str) -> None:
    path = bag_dir / f"manifest-{alg}.txt"
    path.write_text("".join(line for line in path.read_text().splitlines(keepends=True)
                            if not line.rstrip("\n").endswith(f"  {payload}")))


def test_tampered_and_incomplete_bags_are_rejected_naming_the_file_and_the_good_one_goes_in(source, tmp_path):
    _, _, bags = source
    for name in ("tower-dawn", "khmer-lullaby", "couplet-set"):
        shutil.copytree(bags / name, tmp_path / name)
    tampered = tmp_path / "tower-dawn" / "data" / "media" / "1" / "tower.jpg"
    data = bytearray(tampered.read_bytes())
    data[len(data) // 2] ^= 0x01  # one payload byte
    tampered.write_bytes(bytes(data))
    # A page left out of the SHA-256 manifest alone, tag manifests redone: bagit's own validator lets this pass.
    _drop_from_manifest(tmp_path / "couplet-set", "sha256", "data/media/2/page2.jpg")
    _redo_tag_manifests(tmp_path / "couplet-set")

    fresh = tmp_path / "c"
    proc = heritage_subprocess(fresh, "import-bag", tmp_path / "tower-dawn", tmp_path / "couplet-set",
                               tmp_path / "khmer-lullaby", tmp_path / "nowhere", stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    output, _ = proc.communicate(timeout=300)
    assert proc.returncode == 1, output
    assert "new: 1  updated: 0  unchanged: 0  rejected: 3" in output
    lines = {line.split(":", 1)[0]: line for line in output.splitlines() if line.startswith("REJECTED")}
    tower = lines[f"REJECTED {tmp_path / 'tower-dawn'}"]
    assert "data/media/1/tower.jpg sha256 validation failed" in tower
    assert "data/media/1/tower.jpg sha512 validation failed" in tower
    assert "data/media/2/page2.jpg is not listed in manifest-sha256.txt" in lines[f"REJECTED {tmp_path / 'couplet-set'}"]
    assert "not a valid bag" in lines[f"REJECTED {tmp_path / 'nowhere'}"]

    target = open_archive(fresh)
    try:
        assert list(records(target)) == ["khmer-lullaby"]
        assert len(list(target.store.iter_originals())) == 3  # the recording and its two captions, nothing else
    finally:
        target.catalog.dispose()


def test_a_file_missing_from_every_manifest_is_named(source, tmp_path):
    _, _, bags = source
    shutil.copytree(bags / "khmer-lullaby", tmp_path / "bag")
    for alg in ("sha256", "sha512"):
        _drop_from_manifest(tmp_path / "bag", alg, "data/media/1/captions/lullaby.vi.vtt")
    result = run(tmp_path / "d", "import-bag", tmp_path / "bag")
    assert result.exit_code == 1
    assert "data/media/1/captions/lullaby.vi.vtt exists on filesystem but is not in the manifest" in result.output


def test_a_rebagged_file_that_is_not_the_recorded_original_or_not_media_is_refused_and_nothing_stored(source, tmp_path):
    _, _, bags = source
    for name in ("khmer-lullaby", "couplet-set"):
        shutil.copytree(bags / name, tmp_path / name)
    # The recording replaced and the bag's manifests redone: bagit finds nothing wrong, but it is not the original.
    make_wav(tmp_path / "khmer-lullaby" / "data" / "media" / "1" / "lullaby.wav", seconds=1.5, freq=880)
    bagit.Bag(str(tmp_path / "khmer-lullaby")).save(manifests=True)
    # A page cut in half, record.json and manifests made to agree: consistent, but the ingest refuses the page.
    page = tmp_path / "couplet-set" / "data" / "media" / "2" / "page2.jpg"
    truncate(page, page, keep=0.3)
    record_path = tmp_path / "couplet-set" / "data" / "record.json"
    record = json.loads(record_path.read_text("utf-8"))
    record["media"][1]["sha256"] = hashlib.sha256(page.read_bytes()).hexdigest()
    record_path.write_text(json.dumps(record, ensure_ascii=False), "utf-8")
    bagit.Bag(str(tmp_path / "couplet-set")).save(manifests=True)

    result = run(tmp_path / "f", "import-bag", tmp_path / "khmer-lullaby", tmp_path / "couplet-set")
    assert result.exit_code == 1, result.output
    assert "rejected: 2" in result.output
    recorded = json.loads((bags / "khmer-lullaby" / "data" / "record.json").read_text("utf-8"))["media"][0]["sha256"]
    assert f"REJECTED {tmp_path / 'khmer-lullaby'}: data/media/1/lullaby.wav: SHA-256 " in result.output
    assert f"record.json says {recorded}" in result.output
    assert f"REJECTED {tmp_path / 'couplet-set'}: data/media/2/page2.jpg: " in result.output
    target = open_archive(tmp_path / "f")
    try:
        assert records(target) == {}
        assert list(target.store.iter_originals()) == []  # pages 1 and 3 were stored by the workers, then removed
        assert list(target.store.derivatives.iterdir()) == []
    finally:
        target.catalog.dispose()


def test_an_other_item_under_the_same_id_is_not_overwritten(source, tmp_path):
    _, _, bags = source
    shutil.copytree(bags / "couplet-set", tmp_path / "bag")
    first = run(tmp_path / "e", "import-bag", tmp_path / "bag")
    assert first.exit_code == 0, first.output
    record_path = tmp_path / "bag" / "data" / "record.json"
    record = json.loads(record_path.read_text("utf-8"))
    record["title"]["en"] = "Another title"
    record_path.write_text(json.dumps(record, ensure_ascii=False), "utf-8")
    bagit.Bag(str(tmp_path / "bag")).save(manifests=True)  # a well-formed bag of a changed record
    second = run(tmp_path / "e", "import-bag", tmp_path / "bag")
    assert second.exit_code == 1
    assert "item couplet-set exists in this archive and differs from the bag; not overwritten" in second.output


def test_export_names_what_it_cannot_bag_and_never_overwrites(source, tmp_path):
    _, archive, bags = source
    data_dir = archive.settings.data_path
    result = run(data_dir, "export-bag", tmp_path / "out", "khmer-lullaby", "no-such-item")
    assert result.exit_code == 1
    assert "REJECTED no-such-item: no item 'no-such-item'" in result.output
    bagit.Bag(str(tmp_path / "out" / "khmer-lullaby")).validate()
    again = run(data_dir, "export-bag", tmp_path / "out", "--collection", "couplets", "khmer-lullaby")
    assert again.exit_code == 1
    assert f"REJECTED khmer-lullaby: {tmp_path / 'out' / 'khmer-lullaby'} exists; not overwritten" in again.output
    assert bagit.Bag(str(tmp_path / "out" / "couplet-set")).info["Bag-Group-Identifier"] == "couplets"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["couplet-set", "khmer-lullaby"]  # no leftovers
    assert run(data_dir, "export-bag", tmp_path / "out").exit_code == 2


def test_export_refuses_an_item_whose_stored_original_is_missing_or_changed(source, tmp_path):
    _, archive, _ = source
    data_dir = tmp_path / "copy"
    shutil.copytree(archive.settings.data_path, data_dir)
    if url := database_url(data_dir):  # on PostgreSQL the catalog is not in the data directory: copy it too
        copy_catalog(archive.catalog, Catalog(url))
    records_here = records(archive)
    gone = records_here["tower-dawn"]["media"][0]["sha256"]
    changed = records_here["couplet-set"]["media"][2]["sha256"]
    copy = open_archive(data_dir)
    try:
        copy.store.original_path(gone).unlink()
        damaged = copy.store.original_path(changed)
        damaged.chmod(0o644)
        damaged.write_bytes(damaged.read_bytes()[:-1] + b"\x00")
    finally:
        copy.catalog.dispose()
    result = run(data_dir, "export-bag", tmp_path / "out", "--all")
    assert result.exit_code == 1, result.output
    assert f"REJECTED tower-dawn: original {gone} (tower.jpg) cannot be read from the store" in result.output
    assert "REJECTED couplet-set: data/media/3/page3.jpg: SHA-256 " in result.output
    assert f"is not the catalog's {changed} (run heritage fixity)" in result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["khmer-lullaby"]  # no half bags left behind
