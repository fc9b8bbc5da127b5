"""Security of the staff side, through the real app (Flask test client) on a real SQLite catalog: CSRF on every
state-changing route, brute force slowed, bad uploads refused by name, cookie flags, roles enforced by URL."""
from __future__ import annotations

import re
import time

import pytest

from archive import editing, jobs
from archive.access import Viewer
from archive.catalog.service import get_item
from archive.settings import load_settings
from archive.web import create_app

from .staff_client import PASSWORD, add_user, import_items, page_token, sign_in, token_in
from tests.conftest import make_settings

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
WINDOW = 4  # seconds in which failed sign-ins count (short, so the test can wait for it to pass)
LIMIT = 64 * 1024  # the largest upload accepted in these tests


@pytest.fixture
def settings(data_dir):
    return make_settings(data_dir, workers=1, login_window_seconds=WINDOW, max_upload_bytes=LIMIT)


@pytest.fixture
def app(settings, archive):
    app = create_app(settings, archive)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def users(archive):
    return {role: add_user(archive, role + "1", role) for role in ("admin", "editor", "contributor", "researcher")}


@pytest.fixture
def draft(archive, tmp_path):
    """A draft item (imported, then unpublished by an editor)."""
    from archive import accounts, publishing
    item_id = import_items(archive, tmp_path, [{"title": {"vi": "Bản nháp", "en": "A draft"}, "community": "cham"}])[0]
    editor = add_user(archive, "setup-editor", "editor")
    publishing.unpublish(archive, item_id, accounts.viewer_of(editor))
    return item_id


def _status(archive, item_id: str) -> str:
    with archive.catalog.session() as s:
        return get_item(s, item_id).status


def _fill(rule: str, values: dict) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(values[m.group(1)]), rule)


# POSTs that change nothing, answered to anyone like their GET (a protocol allows both), hence without a CSRF token.
READ_ONLY_POSTS = {"oai.endpoint"}


def test_csrf_is_required_on_every_state_changing_route(app, archive, users, draft):
    client = app.test_client()
    assert sign_in(client, "admin1").status_code == 302
    rules = [r for r in app.url_map.iter_rules() if r.methods & STATE_CHANGING]
    endpoints = {r.endpoint for r in rules}
    # The enumeration really finds the staff routes (so an empty list cannot pass).
    assert {"pages.auth.login", "pages.auth.logout", "pages.staff.save", "pages.staff.publish", "pages.staff.access",
            "pages.staff.revert", "pages.staff.import_csv", "pages.staff_api.start", "pages.staff_api.append",
            "pages.staff_api.finish", "pages.admin.add_user", "pages.admin.disable",
            "pages.terms.add", "pages.terms.merge", "pages.terms.delete", "pages.exhibit_builder.save",
            "pages.exhibit_builder.publish", "pages.exhibit_builder.restore", "pages.exhibit_builder.markdown"} <= endpoints
    for rule in rules:
        if rule.endpoint in READ_ONLY_POSTS:
            continue
        for method in rule.methods & STATE_CHANGING:
            url = _fill(rule.rule, {"lang": "vi", "item_id": draft, "number": 1, "user_id": users["editor"].id,
                                    "upload_id": "x" * 16, "vocabulary": "subjects", "term_id": "lanterns",
                                    "slug": "an-exhibit", "page_id": 1})
            response = client.open(url, method=method, data={"access": "public"})
            assert response.status_code == 400, (method, url, response.status_code)
    # Nothing changed: the draft is still a draft, the editor still an editor, the admin still signed in.
    assert _status(archive, draft) == "draft"
    assert client.get("/vi/staff/").status_code == 200


def test_csrf_error_pages_explain_and_json_stays_json(app, users):
    client = app.test_client()
    sign_in(client, "contributor1")
    page = client.post("/en/staff/batch/import")
    assert page.status_code == 400 and "This form has expired" in page.get_data(as_text=True)
    api = client.post("/en/staff/api/uploads", json={"filename": "a.jpg", "size": 10})
    assert api.status_code == 400 and api.is_json and api.json["error"]["status"] == 400
    # With the token in the X-CSRFToken header (as the upload page's script sends it), the same request passes.
    token = page_token(client, "/en/staff/upload")
    ok = client.post("/en/staff/api/uploads", json={"filename": "a.jpg", "size": 10}, headers={"X-CSRFToken": token})
    assert ok.status_code == 201, ok.get_data(as_text=True)


def test_password_brute_force_is_slowed(app, users):
    client = app.test_client()
    for _attempt in range(5):
        wrong = sign_in(client, "editor1", "not the password")
        assert wrong.status_code == 401
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in wrong.get_data(as_text=True)
    throttled = sign_in(client, "editor1", "not the password either", lang="en")
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0
    assert "Too many failed sign-ins" in throttled.get_data(as_text=True)
    # The right password is refused too, until the window passes.
    right = sign_in(client, "editor1", PASSWORD)
    assert right.status_code == 429
    assert client.get("/vi/staff/").status_code == 302
    time.sleep(int(right.headers["Retry-After"]))
    assert sign_in(client, "editor1", PASSWORD).status_code == 302
    assert client.get("/vi/staff/").status_code == 200


def _upload(client, token: str, name: str, data: bytes):
    headers = {"X-CSRFToken": token}
    started = client.post("/en/staff/api/uploads", json={"filename": name, "size": len(data)}, headers=headers)
    assert started.status_code == 201, started.get_data(as_text=True)
    upload_id = started.json["id"]
    sent = client.patch(f"/en/staff/api/uploads/{upload_id}", data=data,
                        headers={**headers, "Upload-Offset": "0", "Content-Type": "application/octet-stream"})
    assert sent.json["received"] == len(data)
    return client.post(f"/en/staff/api/uploads/{upload_id}/finish", headers=headers).json["job"]


def test_a_disguised_executable_is_rejected_naming_the_file(app, archive, users):
    client = app.test_client()
    sign_in(client, "contributor1")
    token = page_token(client, "/en/staff/upload")
    elf = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + bytes(2000)
    job = _upload(client, token, "holiday-photo.jpg", elf)
    assert job["state"] == "queued"
    jobs.run_job(archive, job["id"])  # what the background worker runs for this job
    state = client.get(f"/en/staff/api/jobs?id={job['id']}").json["jobs"][0]
    assert state["state"] == "rejected" and state["filename"] == "holiday-photo.jpg"
    assert "does not accept" in state["reason"] or "does not match" in state["reason"], state["reason"]
    page = client.get("/en/staff/jobs").get_data(as_text=True)
    row = re.search(r'<li class="job job-rejected".*?</li>', page, re.S).group(0)
    assert "holiday-photo.jpg" in row and "Rejected" in row and state["reason"] in row
    # The same reason in Vietnamese, numbers and names as they were.
    said = client.get(f"/vi/staff/api/jobs?id={job['id']}").json["jobs"][0]["reason"]
    assert said.startswith("holiday-photo.jpg: ") and ("không nhận" in said or "không khớp" in said), said
    assert said in client.get("/vi/staff/jobs").get_data(as_text=True)
    assert editing.list_items(archive, Viewer(1, "admin", "x")).total == 0  # no item was made


def test_an_oversized_file_is_refused_before_it_is_sent(app, users):
    client = app.test_client()
    sign_in(client, "contributor1")
    token = page_token(client, "/en/staff/upload")
    refused = client.post("/en/staff/api/uploads", json={"filename": "wedding-film.mp4", "size": LIMIT + 1},
                          headers={"X-CSRFToken": token})
    assert refused.status_code == 422
    detail = refused.json["error"]["detail"]
    assert "wedding-film.mp4" in detail and f"{LIMIT:,}" in detail
    in_vietnamese = client.post("/vi/staff/api/uploads", json={"filename": "wedding-film.mp4", "size": LIMIT + 1},
                                headers={"X-CSRFToken": token}).json["error"]["detail"]
    assert in_vietnamese == (f"wedding-film.mp4: {LIMIT + 1:,} byte vượt quá dung lượng tải lên tối đa "
                             f"({LIMIT:,} byte).").replace(",", ".")
    # A chunk may not carry more than the size announced at the start either.
    job_start = client.post("/en/staff/api/uploads", json={"filename": "small.jpg", "size": 10},
                            headers={"X-CSRFToken": token})
    over = client.patch(f"/en/staff/api/uploads/{job_start.json['id']}", data=bytes(11),
                        headers={"X-CSRFToken": token, "Upload-Offset": "0"})
    assert over.status_code == 422 and "small.jpg" in over.json["error"]["detail"]


def test_session_cookie_is_httponly_and_samesite(app, users):
    client = app.test_client()
    response = sign_in(client, "editor1")
    assert response.status_code == 302
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("heritage_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # http://127.0.0.1 in tests: a Secure cookie would never come back


def test_session_cookie_is_secure_behind_https(data_dir, users, archive):
    settings = load_settings(environ={}, data_dir=str(data_dir), base_url="https://archive.example.org")
    client = create_app(settings).test_client()
    response = sign_in(client, "editor1")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("heritage_session="))
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_contributor_cannot_publish_nor_reach_admin_pages(app, archive, users, draft):
    client = app.test_client()
    sign_in(client, "contributor1")
    token = page_token(client)
    for action in ("publish", "access"):
        response = client.post(f"/vi/staff/items/{draft}/{action}", data={"csrf_token": token, "access": "public"})
        assert response.status_code == 403, action
    assert _status(archive, draft) == "draft"
    for path in ("/vi/staff/admin/audit", "/en/staff/admin/users", "/vi/staff/admin/audit.csv"):
        assert client.get(path).status_code == 403, path
    refused = client.post("/vi/staff/admin/users", data={"csrf_token": token, "username": "sneaky",
                                                        "password": "x" * 12, "role": "admin"})
    assert refused.status_code == 403
    assert "Not allowed" in client.get("/en/staff/admin/users").get_data(as_text=True)
    # The describe page shows a contributor no publishing controls.
    edit = client.get(f"/en/staff/items/{draft}").get_data(as_text=True)
    assert f"/staff/items/{draft}/publish" not in edit


def test_researcher_has_no_staff_pages(app, users):
    client = app.test_client()
    assert sign_in(client, "researcher1").headers["Location"].endswith("/vi/")
    assert client.get("/vi/staff/").status_code == 403
    assert client.get("/vi/staff/upload").status_code == 403


@pytest.mark.parametrize("path", ["/vi/staff/", "/en/staff/items/", "/vi/staff/upload", "/vi/staff/batch",
                                  "/vi/staff/admin/audit"])
def test_anonymous_visitors_are_sent_to_sign_in(app, path):
    response = app.test_client().get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/{path[1:3]}/staff/login?next=")


def test_anonymous_json_calls_get_401(app):
    response = app.test_client().get("/vi/staff/api/jobs?id=1")
    assert response.status_code == 401 and response.json["error"]["status"] == 401


def test_sign_in_never_redirects_to_another_site(app, users):
    client = app.test_client()
    page = client.get("/vi/staff/login?next=//evil.example/x").get_data(as_text=True)
    response = client.post("/vi/staff/login", data={"username": "editor1", "password": PASSWORD,
                                                   "csrf_token": token_in(page), "next": "//evil.example/x"})
    assert response.status_code == 302 and response.headers["Location"] == "/vi/staff/"
