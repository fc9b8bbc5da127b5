"""Describing, versioning, batch editing and auditing through the staff pages (Flask test client, real SQLite,
real search index)."""
from __future__ import annotations

import csv
import html as html_lib
import io
import re

import pytest

from archive import accounts, audit
from archive.catalog.service import get_item
from archive.web import create_app
from search.request import request_from_params

from .staff_client import add_user, describe_form, import_items, page_token, sign_in
from tests.conftest import make_settings


@pytest.fixture
def settings(data_dir):
    return make_settings(data_dir, workers=1)


@pytest.fixture
def client(settings, archive):
    add_user(archive, "editor1", "editor")
    client = create_app(settings, archive).test_client()
    assert sign_in(client, "editor1").status_code == 302
    return client


@pytest.fixture
def item_id(archive, tmp_path):
    return import_items(archive, tmp_path, [{
        "title": {"vi": "Lễ hội Katê", "en": "Katê festival", "cjm-Cham": "ꨆꨓꨬ"},
        "description": {"vi": "Mô tả ban đầu.", "en": "First description."}, "community": "cham",
    }])[0]


def _record(archive, item_id: str) -> dict:
    with archive.catalog.session() as s:
        return dict(get_item(s, item_id).record)


def _form(client, item_id: str, lang: str = "vi", **changes) -> dict:
    """The describe form as the browser would send it (every field as the page shows it), with changes."""
    return describe_form(client.get(f"/{lang}/staff/items/{item_id}").get_data(as_text=True), item_id, lang,
                         **changes)


def test_the_describe_form_round_trips_both_languages(client, archive, item_id):
    vi_page = client.get(f"/vi/staff/items/{item_id}").get_data(as_text=True)
    en_page = client.get(f"/en/staff/items/{item_id}").get_data(as_text=True)
    assert "Nhan đề" in vi_page and 'lang="vi"' in vi_page and "Mô tả ban đầu." in vi_page
    assert "Title" in en_page and "Nhan đề" not in en_page
    # Vocabulary pickers show both languages' labels.
    assert "Lễ hội Katê · Katê festival" in vi_page and "Katê festival · Lễ hội Katê" in en_page
    data = _form(client, item_id, title__vi="Lễ hội Katê ở Ninh Thuận", title__en="Katê festival in Ninh Thuận",
                 description__vi="Mô tả mới.", description__en="A new description.", festival="kate",
                 date="2019-10", languages=["vie", "cjm"], subjects="Katê\nlễ hội",
                 **{"creator.name": ["Nguyễn Văn A", ""], "creator.role": ["photographer", ""]})
    response = client.post(f"/vi/staff/items/{item_id}", data=data)
    assert response.status_code == 302
    assert "phiên bản 2" in client.get(response.headers["Location"]).get_data(as_text=True)
    record = _record(archive, item_id)
    assert record["title"] == {"vi": "Lễ hội Katê ở Ninh Thuận", "en": "Katê festival in Ninh Thuận", "cjm-Cham": "ꨆꨓꨬ"}
    assert record["description"] == {"vi": "Mô tả mới.", "en": "A new description."}
    assert record["festival"] == "kate" and record["date"] == "2019-10" and record["languages"] == ["vie", "cjm"]
    assert record["subjects"] == ["Katê", "lễ hội"]
    assert record["creators"] == [{"name": "Nguyễn Văn A", "role": "photographer"}]
    assert record["access"] == "public"  # the describe form never touches the access level
    again = client.get(f"/en/staff/items/{item_id}").get_data(as_text=True)
    assert 'value="Katê festival in Ninh Thuận"' in again and 'value="2019-10"' in again


def test_a_field_error_is_shown_beside_the_field(client, archive, item_id):
    before = _record(archive, item_id)
    response = client.post(f"/vi/staff/items/{item_id}", data=_form(client, item_id, date="hôm qua",
                                                                      title__en="Typed, not saved"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    date_field = html_lib.unescape(re.search(r'<div class="field" id="f-date">.*?</div>', html, re.S).group(0))
    assert 'id="err-date"' in date_field and 'aria-invalid="true"' in date_field
    assert "Hãy ghi thời gian theo EDTF" in date_field and "'hôm qua' is not an EDTF date" in date_field
    assert 'value="hôm qua"' in html and 'value="Typed, not saved"' in html  # what was typed stays in the form
    assert 'href="#f-date"' in html  # the summary at the top links to the field
    response = client.post(f"/en/staff/items/{item_id}", data=_form(client, item_id, lang="en", community=""))
    community_field = re.search(r'<div class="field" id="f-community">.*?</select>', response.get_data(as_text=True),
                                re.S).group(0)
    assert response.status_code == 400 and "Choose the community." in community_field
    assert _record(archive, item_id) == before


def test_versions_show_the_changes_and_a_revert_restores_catalog_and_search(client, archive, item_id):
    client.post(f"/vi/staff/items/{item_id}", data=_form(client, item_id, title__en="Lanterns of the Katê night"))
    client.post(f"/vi/staff/items/{item_id}", data=_form(client, item_id, title__en="Offerings at the tower"))
    history = client.get(f"/en/staff/items/{item_id}/history").get_data(as_text=True)
    assert "Version 3" in history and "Version 1" in history
    assert "<del>Lanterns of the Katê night</del>" in history or "<del>Lanterns" in history
    assert "<ins>Offerings" in history
    token = page_token(client, f"/en/staff/items/{item_id}/history")
    response = client.post(f"/en/staff/items/{item_id}/history/1/revert", data={"csrf_token": token})
    assert response.status_code == 302
    assert _record(archive, item_id)["title"]["en"] == "Katê festival"
    hits = archive.search.search(request_from_params({"q": ["Katê festival"], "lang": ["en"]}))
    assert item_id in [h.id for h in hits.hits]
    gone = archive.search.search(request_from_params({"q": ["offerings tower"], "lang": ["en"]}))
    assert item_id not in [h.id for h in gone.hits]
    assert "Version 4" in client.get(f"/en/staff/items/{item_id}/history").get_data(as_text=True)


def test_csv_batch_export_and_import_through_the_web(client, archive, tmp_path, item_id):
    exported = client.get(f"/vi/staff/batch/export.csv?id={item_id}")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [r["id"] for r in rows] == [item_id] and rows[0]["title_vi"] == "Lễ hội Katê"
    rows[0]["title_en"] = "Katê festival (edited in a spreadsheet)"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    bad = dict(rows[0], community="atlantis")
    writer.writerow(bad)
    token = page_token(client, "/en/staff/batch")
    response = client.post("/en/staff/batch/import", data={
        "csrf_token": token, "file": (io.BytesIO(out.getvalue().encode("utf-8")), "items.csv")},
        content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "1 items changed" in html and "atlantis" in html  # the bad row is named with its reason
    assert _record(archive, item_id)["title"]["en"] == "Katê festival (edited in a spreadsheet)"
    assert "Version 2" in client.get(f"/en/staff/items/{item_id}/history").get_data(as_text=True)


def test_the_audit_log_page_filters_and_exports(settings, archive, client, item_id):
    client.post(f"/vi/staff/items/{item_id}", data=_form(client, item_id, title__en="Audited change"))
    add_user(archive, "boss", "admin")
    admin = create_app(settings, archive).test_client()
    sign_in(admin, "boss")
    page = admin.get("/en/staff/admin/audit").get_data(as_text=True)
    assert "editor1" in page and "Signed in" in page and "Edit" in page
    only_edits = admin.get("/en/staff/admin/audit?action=edit").get_data(as_text=True)
    assert item_id in only_edits and "Signed in</td>" not in only_edits
    exported = admin.get("/en/staff/admin/audit.csv?action=edit")
    assert exported.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert len(lines) >= 2 and any(item_id in cell for cell in lines[1])


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_staff_page_opens_for_an_admin_in_both_languages(settings, archive, item_id, lang):
    add_user(archive, "boss", "admin")
    admin = create_app(settings, archive).test_client()
    sign_in(admin, "boss")
    pages = ["/staff/", "/staff/items/", "/staff/items/?status=draft&mine=1&q=kat", f"/staff/items/{item_id}",
             f"/staff/items/{item_id}/history", f"/staff/items/{item_id}/preview", "/staff/upload", "/staff/jobs",
             "/staff/jobs?all=1", "/staff/batch", "/staff/admin/audit", "/staff/admin/audit?since=2020-01-01",
             "/staff/admin/users", "/staff/logout"]
    for path in pages:
        response = admin.get(f"/{lang}{path}")
        assert response.status_code == 200, path
        assert f'<html lang="{lang}">' in response.get_data(as_text=True)
        assert "no-store" in response.headers["Cache-Control"], path
    switch = admin.get(f"/{lang}/staff/items/{item_id}").get_data(as_text=True)
    other = "en" if lang == "vi" else "vi"
    assert f'href="/{other}/staff/items/{item_id}"' in switch  # the language switch stays on the page


def test_an_admin_manages_accounts(settings, archive):
    add_user(archive, "boss", "admin")
    admin = create_app(settings, archive).test_client()
    sign_in(admin, "boss")
    token = page_token(admin, "/en/staff/admin/users")
    short = admin.post("/en/staff/admin/users", data={"csrf_token": token, "username": "lan", "password": "short",
                                                      "role": "editor"})
    assert short.status_code == 400 and 'href="#u-password"' in short.get_data(as_text=True)
    created = admin.post("/en/staff/admin/users", data={"csrf_token": token, "username": "lan", "display_name": "Lan",
                                                        "password": "a good long password", "role": "contributor"})
    assert created.status_code == 302
    users = {u.username: u for u in accounts.list_users(archive)}
    admin.post(f"/en/staff/admin/users/{users['lan'].id}/role", data={"csrf_token": token, "role": "editor"})
    assert accounts.get_user(archive, users["lan"].id).role == "editor"
    lan = create_app(settings, archive).test_client()
    assert sign_in(lan, "lan", "a good long password").status_code == 302
    admin.post(f"/en/staff/admin/users/{users['lan'].id}/disable", data={"csrf_token": token})
    assert lan.get("/en/staff/").status_code == 302  # the open session ends at once
    assert sign_in(lan, "lan", "a good long password").status_code == 401
    enable = f"/en/staff/admin/users/{users['lan'].id}/enable"
    assert f'action="{enable}"' in admin.get("/en/staff/admin/users").get_data(as_text=True)
    enabled = admin.post(enable, data={"csrf_token": token})
    assert enabled.status_code == 302
    assert lan.get("/en/staff/").status_code == 302  # the session from before the disabling stays ended
    assert sign_in(lan, "lan", "a good long password").status_code == 302
    assert lan.get("/en/staff/").status_code == 200
    assert [e.target for e in audit.entries(archive, action="user_enable")] == ["user:lan"]


def test_signing_out_ends_the_session(client):
    token = page_token(client)
    response = client.post("/en/staff/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/en/staff/login"
    assert "You have signed out." in client.get("/en/staff/login").get_data(as_text=True)
    assert client.get("/en/staff/").status_code == 302


def test_a_copied_cookie_opens_nothing_after_sign_out_while_other_sessions_go_on(settings, archive, client):
    app = client.application
    copied = client.get_cookie("heritage_session").value  # as an attacker on a shared computer would copy it
    phone = app.test_client()
    assert sign_in(phone, "editor1").status_code == 302  # the same editor on another device
    assert client.post("/en/staff/logout", data={"csrf_token": page_token(client)}).status_code == 302
    replay = app.test_client()
    replay.set_cookie("heritage_session", copied)
    assert replay.get("/en/staff/").status_code == 302  # to the sign-in page: the session ended on the server
    assert replay.get("/en/staff/items/").status_code == 302
    assert phone.get("/en/staff/").status_code == 200  # signing out on one device leaves the others signed in
    assert sign_in(client, "editor1").status_code == 302 and client.get("/en/staff/").status_code == 200
    assert [e.action for e in audit.entries(archive, actor="editor1", action="logout")] == ["logout"]
