"""OCR of document images (issue 15 item 2): queued at ingest, read by a real `heritage worker` with the real
Tesseract, read again by `heritage derive` and by staff's "Run OCR again", corrected by staff (versioned, audited),
shown apart from the description, and only to those who may see the item."""
from __future__ import annotations

import csv
import re
import signal
import subprocess
import sys
import time

import pytest
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from archive import accounts, editing, jobs, ocr_text
from archive.catalog.models import AuditEntry, IndexOutbox, Item, OcrPage, OcrVersion
from archive.context import Archive
from archive.settings import load_settings
from archive.web import create_app
from ingest import ocr
from tests.catalogs import command_env, database_url
from tests.conftest import SAMPLES, TEST_SETTINGS
from tests.staff_client import add_user, describe_form, page_token, sign_in

DOCUMENTS = ("documents/khmer-new-year-greeting.png", "documents/cham-akhar-chart.png")
HOA = "documents/hoa-calligraphy-1.png; documents/hoa-calligraphy-2.png; documents/hoa-calligraphy-3.png"
KHMER_WORD = "វត្តចន្ទរង្សី"  # the pagoda's name, drawn at y = 1680 (media_samples/documents.py)
CHINESE_WORD = "元宵節快樂"  # the Lantern Festival card's heading (page 3)


def _wait_until_read(archive: Archive, worker: subprocess.Popen, seconds: float = 600) -> list[OcrPage]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with archive.catalog.session() as s:
            rows = list(s.scalars(select(OcrPage)))
            s.expunge_all()
        if rows and all(r.status not in ("queued", "running") for r in rows):
            return rows
        assert worker.poll() is None, worker.communicate()[0]
        time.sleep(0.5)
    raise AssertionError(f"OCR still waiting after {seconds}s: {[(r.id, r.status) for r in rows]}")


@pytest.fixture(scope="module")
def read(tmp_path_factory):
    """The Khmer card, the Cham chart and the three Hoa pages ingested by `heritage ingest`, then read by a real
    worker process; returns the archive and its data directory."""
    root = tmp_path_factory.mktemp("ocr")
    data_dir = root / "var"
    with (SAMPLES / "metadata.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["file"] in (*DOCUMENTS, HOA)]
    for r in rows:
        r["collections"] = ""
        for name in r["file"].split("; "):
            (root / "in" / name).parent.mkdir(parents=True, exist_ok=True)
            (root / "in" / name).write_bytes((SAMPLES / name).read_bytes())
    with (root / "in" / "metadata.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    env = command_env(data_dir, HERITAGE_WORKERS="1")
    cli = [sys.executable, "-m", "archive.cli", "--data-dir", str(data_dir)]
    ingest = subprocess.run([*cli, "ingest", "--quiet", root / "in", "--metadata", root / "in" / "metadata.csv"],
                            env=env, capture_output=True, text=True, timeout=600)
    assert ingest.returncode == 0, ingest.stdout + ingest.stderr
    archive = Archive(load_settings(environ={}, data_dir=str(data_dir), database_url=database_url(data_dir),
                                    **TEST_SETTINGS))
    with archive.catalog.session() as s:
        assert {r.status for r in s.scalars(select(OcrPage))} == {"queued"}  # the ingest queued them, unread
    worker = subprocess.Popen([*cli, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_until_read(archive, worker)
    finally:
        worker.send_signal(signal.SIGINT)
        worker.communicate(timeout=120)
    archive.data_dir = data_dir
    yield archive
    archive.catalog.dispose()


def _item_of(archive: Archive, filename: str) -> str:
    with archive.catalog.session() as s:
        return next(i.id for i in s.scalars(select(Item)) if any(m.original_name == filename for m in i.media))


def _pages(archive: Archive, filename: str) -> list[ocr_text.OcrPageText]:
    with archive.catalog.session() as s:
        return ocr_text.pages(s, _item_of(archive, filename))


def test_the_worker_reads_words_with_their_boxes_in_the_records_languages(read):
    [khmer] = _pages(read, "khmer-new-year-greeting.png")
    assert khmer.status == "done" and (khmer.width, khmer.height) == (1600, 2200)
    assert khmer.languages == "khm+vie+eng" and khmer.engine.startswith("tesseract 5")
    assert set(khmer.data) == {"khm", "vie", "eng"} and all(len(v) == 16 for v in khmer.data.values())
    assert KHMER_WORD in khmer.text
    [word] = [w for w in khmer.words if KHMER_WORD in w.text]
    assert 1600 < word.y + word.h / 2 < 1760 and 400 < word.x + word.w / 2 < 1200  # drawn centred at (800, 1680)
    assert word.conf > 50 and word.block > 0 and word.line > 0
    hoa = _pages(read, "hoa-calligraphy-1.png")
    assert [p.canvas for p in hoa] == [0, 1, 2] and all(p.languages == "chi_tra+chi_sim+vie+eng" for p in hoa)
    assert CHINESE_WORD in hoa[2].text
    boxes = [w for w in hoa[2].words if w.text and w.text[0] in CHINESE_WORD]
    assert boxes and all(0 <= w.x and w.x + w.w <= 1600 and 0 <= w.y and w.y + w.h <= 2200 for w in boxes)


def test_cham_is_not_read_and_the_page_says_so(read):
    [cham] = _pages(read, "cham-akhar-chart.png")
    assert "cjm" in cham.missing and cham.languages == "vie+eng"  # its Vietnamese and English labels are read
    assert "Nguyên âm" in cham.text and not re.search(r"[\uaa00-\uaa5f]", cham.text)
    client = create_app(read.settings, read).test_client()
    page = client.get(f"/en/items/{_item_of(read, 'cham-akhar-chart.png')}").get_data(as_text=True)
    section = page[page.index('id="h-ocr"'):page.index('id="h-details"')]
    assert "Text found in the image (automatic, may contain errors)" in section
    assert "No OCR model for this script: Eastern Cham" in section


def test_the_item_page_shows_the_text_apart_from_the_description(read):
    item_id = _item_of(read, "khmer-new-year-greeting.png")
    page = create_app(read.settings, read).test_client().get(f"/vi/items/{item_id}").get_data(as_text=True)
    description = page[page.index('id="h-description"'):page.index('id="h-ocr"')]
    ocr_section = page[page.index('id="h-ocr"'):page.index('id="h-details"')]
    assert "Văn bản tìm thấy trong ảnh (tự động, có thể có lỗi)" in ocr_section and KHMER_WORD in ocr_section
    assert "Chúc mừng năm mới - Happy New Year" not in description  # OCR's reading (with its '-') stays apart


def test_languages_come_from_the_record():
    assert ocr.languages_for({"languages": ["khm", "vie"]}) == (["khm", "vie"], [])
    assert ocr.languages_for({"languages": ["yue"], "scripts": ["Hant"]}) == (["chi_tra", "chi_sim"], [])
    assert ocr.languages_for({"languages": ["cjm"], "scripts": ["Cham"]}) == ([], ["cjm", "Cham"])
    assert ocr.languages_for({}) == (["vie", "eng"], [])


def test_only_cham_is_recorded_as_no_model(tmp_path):
    image = tmp_path / "cham.png"
    Image.new("RGB", (200, 100), "white").save(image)
    result = ocr.read_page(image, {"languages": ["cjm"], "scripts": ["Cham"]})
    assert result["status"] == "no_model" and result["missing"] == ["cjm", "Cham"] and result["words"] == []


def test_an_unreadable_image_is_recorded_as_failed(tmp_path):
    result = ocr.read_page(tmp_path / "gone.png", {"languages": ["vie"]})
    assert result["status"] == "failed" and "gone.png" in result["error"]


def test_derive_reads_the_pages_again(read):
    with read.catalog.session() as s:
        before = {r.id: r.version for r in s.scalars(select(OcrPage))}
    env = command_env(read.data_dir, HERITAGE_WORKERS="2")
    everything = subprocess.run([sys.executable, "-m", "archive.cli", "--data-dir", str(read.data_dir), "derive",
                                 "--quiet"], env=env, capture_output=True, text=True, timeout=900)
    assert everything.returncode == 0, everything.stdout + everything.stderr
    assert f"ocr: {len(before)} page(s) read" in everything.stdout
    with read.catalog.session() as s:
        after = {r.id: (r.version, r.status) for r in s.scalars(select(OcrPage))}
        versions = s.scalars(select(OcrVersion.action).where(OcrVersion.page_id == min(before))).all()
    assert after == {i: (v + 1, "done") for i, v in before.items()}
    assert versions == ["ocr", "ocr"]
    missing = subprocess.run([sys.executable, "-m", "archive.cli", "--data-dir", str(read.data_dir), "derive",
                              "--missing", "--quiet"], env=env, capture_output=True, text=True, timeout=900)
    assert missing.returncode == 0 and "ocr: 0 page(s) read" in missing.stdout


@pytest.fixture
def editor(read):
    app = create_app(read.settings, read)
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    if not any(u.username == "ocr-editor" for u in accounts.list_users(read)):
        add_user(read, "ocr-editor", "editor")
    assert sign_in(client, "ocr-editor").status_code == 302
    return client


def test_a_staff_correction_is_versioned_audited_and_shown(read, editor):
    item_id = _item_of(read, "hoa-calligraphy-1.png")
    page = _pages(read, "hoa-calligraphy-1.png")[1]
    token = page_token(editor, f"/vi/staff/items/{item_id}/text/")
    corrected = "天增歲月人增壽\n春滿乾坤福滿門\n萬象更新"
    response = editor.post(f"/vi/staff/items/{item_id}/text/{page.id}",
                           data={"csrf_token": token, "version": page.version, "text": corrected})
    assert response.status_code == 302
    with read.catalog.session() as s:
        row = s.get(OcrPage, page.id)
        assert (row.corrected_text, row.version) == (corrected, page.version + 1)
        assert row.text == page.text  # what OCR read is kept
        last = s.scalars(select(OcrVersion).where(OcrVersion.page_id == page.id).order_by(OcrVersion.number)).all()[-1]
        assert (last.action, last.text, last.username, last.number) == ("correct", corrected, "ocr-editor", row.version)
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "ocr_correct")).one()
        assert entry.target == f"item:{item_id}" and entry.details == {"page": page.id, "version": row.version}
        assert not s.scalars(select(IndexOutbox)).all()  # the item's index update was queued and applied
    public = create_app(read.settings, read).test_client().get(f"/en/items/{item_id}").get_data(as_text=True)
    assert "春滿乾坤福滿門\n萬象更新" in public and "Corrected by the archive's staff." in public
    admin = create_app(read.settings, read).test_client()
    add_user(read, "ocr-admin", "admin")
    assert sign_in(admin, "ocr-admin").status_code == 302
    assert "Đã sửa văn bản OCR" in admin.get("/vi/staff/admin/audit").get_data(as_text=True)
    stale = editor.post(f"/vi/staff/items/{item_id}/text/{page.id}",
                        data={"csrf_token": token, "version": page.version, "text": "x"})
    assert stale.status_code == 409 and "x</textarea>" in stale.get_data(as_text=True)


@pytest.mark.parametrize("form, field", [({"version": "abc", "text": "x"}, "version"),
                                         ({"version": "1"}, "text"),
                                         ({"version": "1", "text": "x" * 100_001}, "text"),
                                         ({"text": "x"}, "version")])
def test_bad_correction_input_is_a_400_naming_the_field(read, editor, form, field):
    item_id = _item_of(read, "khmer-new-year-greeting.png")
    [page] = _pages(read, "khmer-new-year-greeting.png")
    token = page_token(editor, f"/vi/staff/items/{item_id}/text/")
    response = editor.post(f"/en/staff/items/{item_id}/text/{page.id}", data={"csrf_token": token, **form})
    assert response.status_code == 400 and f"{field}: " in response.get_data(as_text=True)
    assert _pages(read, "khmer-new-year-greeting.png")[0].version == page.version


def test_a_correction_of_another_items_page_is_not_found(read, editor):
    other = _item_of(read, "cham-akhar-chart.png")
    [page] = _pages(read, "khmer-new-year-greeting.png")
    token = page_token(editor, f"/vi/staff/items/{other}/text/")
    response = editor.post(f"/vi/staff/items/{other}/text/{page.id}",
                           data={"csrf_token": token, "version": page.version, "text": "x"})
    assert response.status_code == 404


def test_run_again_queues_the_item_audited_and_the_worker_reads_it(read, editor):
    item_id = _item_of(read, "cham-akhar-chart.png")
    [before] = _pages(read, "cham-akhar-chart.png")
    with read.catalog.session() as s:  # as a worker killed while reading it leaves it
        s.get(OcrPage, before.id).status = "running"
    token = page_token(editor, f"/vi/staff/items/{item_id}")
    assert editor.post(f"/vi/staff/items/{item_id}/text/run", data={"csrf_token": token}).status_code == 302
    assert _pages(read, "cham-akhar-chart.png")[0].status == "queued"
    with read.catalog.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "ocr_rerun")).one()
        assert entry.target == f"item:{item_id}" and entry.details == {"pages": 1}
    assert ocr.run_pending(read) == 1
    [after] = _pages(read, "cham-akhar-chart.png")
    assert after.status == "done" and after.version == before.version + 1 and after.read_at > before.read_at


def test_a_restricted_items_text_is_on_no_public_page(tmp_path, heritage, archive):
    image = tmp_path / "in" / "secret.png"
    image.parent.mkdir()
    img = Image.new("RGB", (900, 200), "white")
    sans = ImageFont.truetype("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", 56)
    ImageDraw.Draw(img).text((40, 60), "Nghi lễ kín Quyzbek 4729", font=sans, fill="black")
    img.save(image)
    (tmp_path / "meta.csv").write_text(
        "file,type,title_vi,title_en,community,languages,access\n"
        "in/secret.png,document,Nghi lễ,Rite,cham,vie,restricted\n", "utf-8")
    assert heritage("ingest", "--quiet", tmp_path / "in", "--metadata", tmp_path / "meta.csv").exit_code == 0
    assert ocr.run_pending(archive) == 1
    item_id = _item_of(archive, "secret.png")
    with archive.catalog.session() as s:
        [page] = ocr_text.pages(s, item_id)
    assert "Quyzbek" in page.text
    client = create_app(archive.settings, archive).test_client()
    assert client.get(f"/vi/items/{item_id}").status_code == 404
    for path in ("/vi/", "/en/", "/vi/browse", f"/iiif/{item_id}/manifest", "/sitemap.xml", "/oai?verb=ListRecords"
                 "&metadataPrefix=oai_dc"):
        assert "Quyzbek" not in client.get(path).get_data(as_text=True), path
    for path in ("/vi/search?q=Quyzbek", "/en/search?q=Quyzbek"):  # the query is echoed; no hit may be
        assert f"/items/{item_id}" not in client.get(path).get_data(as_text=True), path
    assert client.get("/api/search?q=Quyzbek").get_json()["total"] == 0
    admin = create_app(archive.settings, archive).test_client()
    add_user(archive, "ocr-admin", "admin")
    assert sign_in(admin, "ocr-admin").status_code == 302
    assert "Quyzbek" in admin.get(f"/vi/items/{item_id}").get_data(as_text=True)


def test_ingest_queues_no_ocr_for_photographs(tmp_path, heritage, archive):
    Image.new("RGB", (300, 200), "green").save(tmp_path / "photo.jpg")
    assert heritage("ingest", "--quiet", tmp_path / "photo.jpg").exit_code == 0
    with archive.catalog.session() as s:
        assert s.scalars(select(OcrPage)).all() == []



def test_an_edit_that_makes_an_image_want_ocr_queues_it_and_asks_a_worker(tmp_path, heritage, archive):
    """An image ingested as a photograph (no scripts named) is not read; once staff name the scripts it shows, its
    page is queued in the same save, a worker is asked to read it, and a later edit queues nothing more."""
    board = Image.new("RGB", (900, 200), "white")
    ImageDraw.Draw(board).text((40, 60), "Bia đá Wunrai 3816", fill="black",
                               font=ImageFont.truetype("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", 56))
    (tmp_path / "in").mkdir()
    board.save(tmp_path / "in" / "bia.png")
    (tmp_path / "meta.csv").write_text("file,type,title_vi,title_en,community,rights\n"
                                       "in/bia.png,image,Bia đá,Stele,cham,http://creativecommons.org/licenses/by/4.0/\n",
                                       "utf-8")
    assert heritage("ingest", "--quiet", tmp_path / "in", "--metadata", tmp_path / "meta.csv").exit_code == 0
    item_id = _item_of(archive, "bia.png")
    with archive.catalog.session() as s:
        assert s.scalars(select(OcrPage)).all() == []
    client = create_app(archive.settings, archive).test_client()
    user = add_user(archive, "ocr-editor", "editor")
    assert sign_in(client, "ocr-editor").status_code == 302
    tasks = jobs.queue(str(archive.settings.data_path), archive.settings.queue_url)
    before = tasks.pending_count()
    page = client.get(f"/vi/staff/items/{item_id}").get_data(as_text=True)
    saved = client.post(f"/vi/staff/items/{item_id}", data=describe_form(page, item_id, scripts=["Latn"]))
    assert saved.status_code == 302
    with archive.catalog.session() as s:
        assert [r.status for r in s.scalars(select(OcrPage))] == ["queued"]
    assert tasks.pending_count() == before + 1  # the worker's "read the queued pages now"
    assert ocr.run_pending(archive) == 1
    assert "Wunrai" in _pages(archive, "bia.png")[0].text
    record = editing.item_for_edit(archive, item_id).record
    again = editing.update_item(archive, item_id, {**record, "title": {**record["title"], "en": "Stone stele"}},
                                accounts.viewer_of(user))
    assert again.new and again.ocr_queued == 0
