"""The open data package: only public records, accepted by the `frictionless` validator, the CSV and JSON Lines
re-imported into an empty archive give the same records, the JSON-LD reads offline with a JSON-LD processor, the
worker's task rebuilds it after a change (and only then), and the files are served with their SHA-256 as ETag."""
from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests
from pyld import jsonld

from archive import accounts, editing, jobs, open_data, publishing
from archive.catalog.models import Item
from archive.context import Archive
from archive.importer import import_collections, import_records
from tests.catalogs import command_env
from tests.conftest import make_settings
from tests.live_server import live_app

FRICTIONLESS = Path(sys.executable).parent / "frictionless"
SCHEMA = "https://schema.org/"
LICENCE = "http://creativecommons.org/licenses/by/4.0/"
RECORDS = [
    {"id": "od-lantern", "type": "image", "community": "hoa", "rights": LICENCE, "date": "2019-02",
     "title": {"vi": "Đèn lồng; \"Tết\" Nguyên Tiêu", "en": "Lanterns, Lantern Festival", "zh-Hant": "元宵燈籠"},
     "description": {"vi": "Mô tả\nhai dòng", "en": "Two\nlines"}, "subjects": ["đèn lồng", "a;b", "back\\slash"],
     "creators": [{"name": "Lâm Ngọc (Tuệ Thành)", "role": "photographer"}, {"name": "Dự án Lưu trữ"}],
     "languages": ["yue"], "scripts": ["Hant"], "place": "tue-thanh-hoi-quan", "festival": "tet-nguyen-tieu",
     "collections": ["od-col"], "attribution": {"vi": "Ảnh: Lâm Ngọc", "en": "Photo: Lâm Ngọc"}},
    {"id": "od-chol", "type": "audio", "community": "khmer", "rights": LICENCE, "date": "2023-04-14/2023-04-16",
     "title": {"vi": "Lễ Chôl Chnăm Thmây", "en": "Chol Chnam Thmey", "km": "បុណ្យចូលឆ្នាំថ្មី"},
     "languages": ["khm", "vie"], "creators": [{"name": "Thạch Sóc", "role": "recordist"}]},
    {"id": "od-tower", "type": "document", "community": "cham", "rights": LICENCE,
     "title": {"vi": "Văn bản chữ Chăm", "en": "A Cham manuscript", "cjm-Cham": "ꨀꨇꩉ"}, "scripts": ["Cham"],
     "collections": ["od-col"]},
]
HIDDEN = [  # restricted or researchers-only from the start; a draft and an embargoed item below
    {"id": "od-restricted", "type": "image", "community": "cham", "rights": LICENCE, "access": "restricted",
     "title": {"vi": "Bí mật", "en": "Secret"}, "collections": ["od-hidden-col"]},
    {"id": "od-researchers", "type": "image", "community": "hoa", "rights": LICENCE, "access": "researchers",
     "title": {"vi": "Nghiên cứu", "en": "Research"}},
    {"id": "od-draft", "type": "image", "community": "hoa", "rights": LICENCE, "access": "restricted",
     "title": {"vi": "Nháp", "en": "Draft"}},
    {"id": "od-embargoed", "type": "image", "community": "khmer", "rights": LICENCE, "access": "restricted",
     "title": {"vi": "Cấm vận", "en": "Embargoed"}},
]
COLLECTIONS = [{"id": "od-col", "title": {"vi": "Bộ thử", "en": "Test set"}, "community": "hoa"},
               {"id": "od-hidden-col", "title": {"vi": "Ẩn", "en": "Hidden"}}]


def _write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


@pytest.fixture
def archive(tmp_path, data_dir):
    archive = Archive(make_settings(data_dir))
    (tmp_path / "collections.json").write_text(json.dumps(COLLECTIONS, ensure_ascii=False), "utf-8")
    assert not import_collections(archive, tmp_path / "collections.json").rejected
    summary = import_records(archive, _write_jsonl(tmp_path / "in.jsonl", RECORDS + HIDDEN))
    assert not summary.rejected, summary.lines()
    editor = accounts.viewer_of(accounts.create_user(archive, "editor", "correct horse battery", "editor"))
    publishing.unpublish(archive, "od-draft", editor)
    publishing.set_access(archive, "od-draft", "public", editor)
    publishing.set_access(archive, "od-embargoed", "public", editor, embargo_until=date.today() + timedelta(days=9))
    archive.editor = editor
    yield archive
    archive.catalog.dispose()


def _records(archive: Archive) -> dict[str, tuple[str, dict]]:
    with archive.catalog.session() as s:
        return {i.id: (i.type, i.record) for i in s.query(Item)}


def test_the_package_holds_exactly_the_public_records_and_frictionless_accepts_it(archive, tmp_path):
    out = tmp_path / "dump"
    result = subprocess.run([sys.executable, "-m", "archive.cli", "--data-dir", str(archive.settings.data_path),
                             "export", "--to", str(out)], capture_output=True, text=True, timeout=120,
                            env=command_env(archive.settings.data_path))
    assert result.returncode == 0, result.stderr
    assert "3 public records" in result.stdout
    check = subprocess.run([str(FRICTIONLESS), "validate", "--json", str(out / "datapackage.json")],
                           capture_output=True, text=True, timeout=300, cwd=out)
    report = json.loads(check.stdout)
    assert check.returncode == 0 and report["valid"], check.stdout[-3000:]
    assert len(report["tasks"]) == 4 + 8  # records ×3, collections, eight vocabularies: all checked
    descriptor = json.loads((out / "datapackage.json").read_text("utf-8"))
    for resource in descriptor["resources"]:  # sizes and hashes as they are on disk
        data = (out / resource["path"]).read_bytes()
        assert resource["bytes"] == len(data) and resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    assert descriptor["licenses"][0]["path"] == LICENCE
    public = sorted(r["id"] for r in RECORDS)
    with open(out / "records.csv", encoding="utf-8", newline="") as fh:
        assert sorted(row["id"] for row in csv.DictReader(fh)) == public
    assert sorted(json.loads(line)["id"] for line in (out / "records.jsonl").open(encoding="utf-8")) == public
    graph = json.loads((out / "records.jsonld").read_text("utf-8"))["@graph"]
    assert sorted(node["identifier"] for node in graph) == public
    collections = json.loads((out / "collections.json").read_text("utf-8"))
    assert [c["id"] for c in collections] == ["od-col"]  # a collection of hidden items only is not named
    everything = "".join(p.read_text("utf-8") for p in out.rglob("*") if p.is_file())
    assert not any(h["title"]["en"] in everything for h in HIDDEN)


@pytest.mark.parametrize("name", ["records.csv", "records.jsonl"])
def test_a_dump_re_imported_into_an_empty_archive_gives_the_same_records(archive, tmp_path, name):
    package = open_data.build(archive)
    other = Archive(make_settings(tmp_path / "other"))
    assert not import_collections(other, package.path / "collections.json").rejected
    summary = import_records(other, package.path / name)
    assert not summary.rejected, summary.lines()
    originals = {k: v for k, v in _records(archive).items() if k in {r["id"] for r in RECORDS}}
    assert _records(other) == originals
    other.catalog.dispose()


def _offline_loader(url, options=None):
    raise jsonld.JsonLdError(f"no network: {url}", "loading document failed")


def test_the_json_ld_reads_offline_with_a_json_ld_processor(archive):
    package = open_data.build(archive)
    document = json.loads((package.path / "records.jsonld").read_text("utf-8"))
    expanded = jsonld.expand(document, {"documentLoader": _offline_loader})
    nodes = {node[SCHEMA + "identifier"][0]["@value"]: node for node in expanded}
    lantern = nodes["od-lantern"]
    assert lantern["@type"] == [SCHEMA + "ImageObject"]
    names = {(v["@language"].lower(), v["@value"]) for v in lantern[SCHEMA + "name"]}  # processors lower-case tags
    assert ("zh-hant", "元宵燈籠") in names and ("vi", "Đèn lồng; \"Tết\" Nguyên Tiêu") in names
    assert lantern[SCHEMA + "license"] == [{"@id": LICENCE}]
    assert lantern[SCHEMA + "inLanguage"] == [{"@value": "yue"}]
    assert {v["@value"] for v in nodes["od-chol"][SCHEMA + "inLanguage"]} == {"km", "vi"}  # BCP 47, not ISO 639-3
    assert nodes["od-chol"]["@type"] == [SCHEMA + "AudioObject"]
    place = lantern[SCHEMA + "contentLocation"][0]
    assert place["@type"] == [SCHEMA + "Place"] and SCHEMA + "geo" in place


def test_the_worker_rebuilds_the_package_after_a_change_and_only_then(archive):
    task = jobs.queue(str(archive.settings.data_path)).open_data_build
    task.call_local()
    first = open_data.current(archive)
    assert first.descriptor["count"] == 3
    task.call_local()
    assert open_data.current(archive).path == first.path  # nothing changed: nothing rebuilt
    record = dict(_records(archive)["od-chol"][1])
    record["title"] = {**record["title"], "en": "Chol Chnam Thmey, Khmer New Year"}
    editing.update_item(archive, "od-chol", record, archive.editor)
    task.call_local()
    second = open_data.current(archive)
    assert second.path != first.path and not first.path.exists()
    assert "Khmer New Year" in (second.path / "records.jsonl").read_text("utf-8")
    publishing.set_access(archive, "od-tower", "restricted", archive.editor)
    task.call_local()
    third = open_data.current(archive)
    assert third.descriptor["count"] == 2 and "od-tower" not in (third.path / "records.csv").read_text("utf-8")


def test_a_new_day_rebuilds_the_package_only_when_an_embargo_ends_with_it(archive):
    """od-embargoed is hidden until today + 9 (inclusive): the days before change nothing, the day after it ends
    brings it in; a package is not rebuilt every night for nothing."""
    first = open_data.build(archive)
    assert open_data.build(archive, today=date.today() + timedelta(days=9)).path == first.path
    after = open_data.build(archive, today=date.today() + timedelta(days=10))
    assert after.path != first.path and after.descriptor["count"] == first.descriptor["count"] + 1
    assert "od-embargoed" in (after.path / "records.csv").read_text("utf-8")
    assert open_data.build(archive, today=date.today() + timedelta(days=400)).path == after.path


def test_the_files_are_served_with_their_hash_as_etag(archive):
    with live_app(archive.settings.data_path) as live:
        page = requests.get(live.url + "/en/open-data", timeout=30)
        assert page.status_code == 200 and "being prepared" in page.text  # no request ever builds it
        missing = requests.get(live.url + "/open-data/records.csv", timeout=30)
        assert missing.status_code == 404 and missing.json()["error"]["status"] == 404
        package = open_data.build(archive)
        expected = {r["path"]: r["hash"].split(":", 1)[1] for r in package.files}
        page = requests.get(live.url + "/vi/open-data", timeout=30).text
        assert all(f'/open-data/{path}"' in page for path in expected)
        for path, sha in expected.items():
            response = requests.get(f"{live.url}/open-data/{path}", timeout=30)
            assert response.status_code == 200 and response.headers["ETag"] == f'"{sha}"'
            assert hashlib.sha256(response.content).hexdigest() == sha
            assert response.headers["Access-Control-Allow-Origin"] == "*"
            again = requests.get(f"{live.url}/open-data/{path}", headers={"If-None-Match": f'"{sha}"'}, timeout=30)
            assert again.status_code == 304
        assert requests.get(live.url + "/open-data/records.csv", timeout=30).headers["Content-Type"] == \
            "text/csv; charset=utf-8"
        assert requests.get(live.url + "/open-data/datapackage.json", timeout=30).json()["count"] == 3
        for name in ("nothing.csv", "../catalog.sqlite", "%2e%2e/catalog.sqlite", "build.lock"):
            assert requests.get(f"{live.url}/open-data/{name}", timeout=30).status_code == 404
