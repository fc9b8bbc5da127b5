"""Each input that once made a 500 (found by trying the archive as an attacker would) now gets a 4xx naming the
parameter and the reason, or a sensible answer; tests/test_routes_fuzz.py then walks every route with odd values."""
from __future__ import annotations

import json

import pytest

from archive import editing
from archive.access import Viewer
from archive.catalog.models import MediaFile
from archive.importer import import_records
from archive.web import create_app
from ingest.pipeline import Ingest
from tests.conftest import make_settings
from tests.media import make_jpeg

from .staff_client import add_user, describe_form, import_items, page_token, sign_in

HUGE = "9" * 5000


@pytest.fixture
def settings(data_dir):
    return make_settings(data_dir, workers=1)


@pytest.fixture
def app(settings, archive):
    return create_app(settings, archive)


@pytest.fixture
def admin(app, archive):
    user = add_user(archive, "admin1", "admin")
    client = app.test_client()
    assert sign_in(client, "admin1").status_code == 302
    client.viewer = Viewer(user.id, "admin", "admin1")
    return client


@pytest.fixture
def item_id(archive, tmp_path):
    return import_items(archive, tmp_path, [{"title": {"vi": "Lễ hội Katê", "en": "Katê festival"},
                                             "community": "cham", "collections": []}])[0]


@pytest.fixture
def image_sha(archive, tmp_path):
    make_jpeg(tmp_path / "in" / "tháp.jpg", size=(1200, 900))
    Ingest(archive, progress=False).run([tmp_path / "in"])
    with archive.catalog.session() as s:
        return s.query(MediaFile).one().sha256


def test_lang_in_the_query_string_is_ignored_on_every_page(app, item_id):
    client = app.test_client()
    for path in ("/vi/", f"/en/items/{item_id}", "/vi/search", "/en/collections/", "/vi/about"):
        for lang in ("vi", "en", "xx", ""):
            response = client.get(path, query_string={"lang": lang, "q": "Katê"})
            assert response.status_code == 200, (path, lang)
    missing = client.get("/vi/items/no-such-item", query_string={"lang": "en"})  # the error page too
    assert missing.status_code == 404 and 'lang="vi"' in missing.get_data(as_text=True)


@pytest.mark.parametrize("page", ["²", "٣", "99999999999999999999", HUGE, "-1", "0", "1.5"])
@pytest.mark.parametrize("path", ["/vi/communities/cham", "/en/festivals/kate", "/vi/places/thap-po-klong-garai",
                                  "/en/collections/anything"])
def test_odd_page_numbers_are_a_400_naming_the_page(app, path, page):
    response = app.test_client().get(path, query_string={"page": page})
    assert response.status_code in (400, 404)  # 404: a collection that doesn't exist is looked up first
    if response.status_code == 400:
        text = response.get_data(as_text=True)
        assert "page" in text and ("Số trang" in text or "page number" in text)


def test_staff_lists_and_forms_refuse_odd_numbers(admin, item_id, archive):
    for page in ("²", HUGE):
        assert admin.get("/en/staff/items/", query_string={"page": page}).status_code == 400
        assert admin.get("/en/staff/admin/audit", query_string={"page": page}).status_code == 400
    form = describe_form(admin.get(f"/en/staff/items/{item_id}").get_data(as_text=True), item_id, "en",
                         version="²")
    answer = admin.post(f"/en/staff/items/{item_id}", data=form)
    assert answer.status_code == 400 and "version" in answer.get_data(as_text=True)
    token = page_token(admin, "/en/staff/admin/users")
    assert admin.post(f"/en/staff/items/{item_id}/history/{HUGE}/revert", data={"csrf_token": token}).status_code == 404
    assert admin.post(f"/en/staff/admin/users/{HUGE}/role", data={"csrf_token": token, "role": "editor"}
                      ).status_code == 404
    assert admin.post("/en/staff/admin/users/99999999999999999999/disable", data={"csrf_token": token}
                      ).status_code == 404
    assert admin.get("/en/staff/api/jobs", query_string={"id": "²"}).status_code == 400


def test_upload_api_refuses_odd_headers_bodies_sizes_and_names(admin, archive):
    token = page_token(admin, "/en/staff/upload")
    headers = {"X-CSRFToken": token}
    start = admin.post("/en/staff/api/uploads", json={"filename": "a.jpg", "size": 3}, headers=headers)
    assert start.status_code == 201
    upload_id = start.get_json()["id"]
    for offset in ("²", HUGE, "-1", ""):
        answer = admin.patch(f"/en/staff/api/uploads/{upload_id}", data=b"abc",
                             headers={**headers, "Upload-Offset": offset})
        assert answer.status_code == 400, offset
        assert answer.get_json()["error"]["parameter"] == "Upload-Offset"
    for body in ([], "a.jpg", 5, None):
        answer = admin.post("/en/staff/api/uploads", data=json.dumps(body), content_type="application/json",
                            headers=headers)
        assert answer.status_code == 400, body
    huge = admin.post("/en/staff/api/uploads", json={"filename": "a.jpg", "size": 10**30}, headers=headers)
    assert huge.status_code == 400 and "size" in huge.get_json()["error"]["detail"]
    too_large = admin.post("/en/staff/api/uploads", json={"filename": "a.jpg", "size": 10**15}, headers=headers)
    assert too_large.status_code == 422 and "a.jpg" in too_large.get_json()["error"]["detail"]
    crlf = admin.post("/en/staff/api/uploads", json={"filename": "line\r\nbreak.jpg", "size": 10}, headers=headers)
    assert crlf.status_code == 422 and "control characters" in crlf.get_json()["error"]["detail"]


def test_an_original_whose_stored_name_has_a_line_break_downloads(admin, archive, tmp_path):
    folder = tmp_path / "in"
    make_jpeg(folder / "line\r\nbreak.jpg")  # a name the file system allows; ingest from a folder keeps it
    Ingest(archive, progress=False).run([folder])
    with archive.catalog.session() as s:
        media = s.query(MediaFile).one()
        sha, item_id = media.sha256, media.item_id
    record = {**editing.item_for_edit(archive, item_id).record,
              "rights": "http://creativecommons.org/licenses/by/4.0/", "community": "hoa"}
    editing.update_item(archive, item_id, record, admin.viewer)
    response = admin.get(f"/media/{sha}/original")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition and "line__break.jpg" in disposition


@pytest.mark.parametrize("region,size,parameter", [
    (f"{HUGE},0,10,10", "max", "region"), (f"0,0,{HUGE},10", "max", "region"), (f"pct:{HUGE},0,10,10", "max", "region"),
    ("full", f"{HUGE},", "size"), ("full", f"pct:{HUGE}", "size"), ("full", f"!{HUGE},{HUGE}", "size"),
    ("full", "²,", "size"), ("٣,0,10,10", "max", "region")])
def test_iiif_numbers_are_bounded_and_ascii(app, image_sha, region, size, parameter):
    response = app.test_client().get(f"/iiif/3/image/{image_sha}/{region}/{size}/0/default.jpg")
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter


def test_dates_odd_and_open_ended(app, admin, item_id, archive, tmp_path):
    client = app.test_client()
    assert client.get("/api/search", query_string={"date_from": "-0001"}).status_code == 200
    for q in ("date:2019-10/..", "date:../1975", "date:..", "date:2019-13"):
        answer = client.get("/api/search", query_string={"q": q})
        assert answer.status_code in (200, 400), q
        if answer.status_code == 400:
            assert answer.get_json()["error"]["parameter"] == "q"
    assert client.get("/vi/search", query_string={"q": "date:2019-10/.."}).status_code == 200
    # The describe form takes an open-ended EDTF interval, and search finds the item by it.
    form = describe_form(admin.get(f"/en/staff/items/{item_id}").get_data(as_text=True), item_id, "en",
                         date="2019-10/..")
    assert admin.post(f"/en/staff/items/{item_id}", data=form).status_code == 302
    hits = client.get("/api/search", query_string={"q": "date:2021"}).get_json()["hits"]
    assert [h["id"] for h in hits] == [item_id]
    # import-records: an open interval goes in, a bad row is named, the good rows before and after go in.
    rows = [{"id": f"r{n}", "title": {"vi": vi, "en": en}, "community": "khmer", "date": date}
            for n, vi, en, date in ((1, "Một", "One", "2019"), (2, "Hai", "Two", "../1975"),
                                    (3, "Ba", "Three", "không phải ngày"), (4, "Bốn", "Four", "2019-10/.."))]
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    summary = import_records(archive, path)
    assert sorted(summary.new) == ["r1", "r2", "r4"]
    assert len(summary.rejected) == 1 and "date" in str(summary.rejected[0].reasons)


def test_a_very_long_asset_path_is_a_404(app):
    assert app.test_client().get("/assets/" + "a" * 4000).status_code == 404
    assert app.test_client().get("/assets/" + "a/" * 3000 + "x.css").status_code == 404
