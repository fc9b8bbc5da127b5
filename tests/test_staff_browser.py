"""The staff story in a real headless Chromium on a phone-sized screen (360×740), against the real app (waitress) and
a real `heritage worker` process: a contributor uploads a photo, a recording and a video (and a program disguised as a
photo, which is rejected with its reason) and describes them in both languages; an editor previews and publishes two and restricts the third; an anonymous visitor finds only the two.

Screenshots of each step go to tests/artifacts/screenshots/.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from archive import accounts

from .conftest import SAMPLES, heritage_subprocess
from .live_server import live_app

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parent / "artifacts" / "screenshots"
PASSWORD = "a long staff password"
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "vi-VN"}
FILES = [("images/kate-offerings.jpg", "Lễ vật Katê Xantho", "Katê offerings Xantho"),
         ("audio/kate-narration.flac", "Lời kể Katê Xantho", "Katê narration Xantho"),
         ("video/tet-nguyen-tieu-pan.mp4", "Đèn lồng Nguyên tiêu Xantho", "Lantern festival lanterns Xantho")]
WATCH_UPLOADS = """() => {
  window.__seen = [];
  const queue = document.querySelector("[data-queue]");
  new MutationObserver(() => {
    for (const row of queue.querySelectorAll("li.upload")) {
      window.__seen.push([row.querySelector("[data-name]").textContent, row.dataset.state,
                          row.querySelector("progress").value]);
    }
  }).observe(queue, {subtree: true, attributes: true, childList: true, characterData: true});
}"""

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")


@pytest.fixture
def site(tmp_path):
    data_dir = tmp_path / "var"
    with live_app(data_dir) as live:
        accounts.create_user(live.archive, "contributor", PASSWORD, "contributor", display_name="Hoa Contributor")
        accounts.create_user(live.archive, "editor", PASSWORD, "editor", display_name="Lan Editor")
        log = open(tmp_path / "worker.log", "w")
        worker = heritage_subprocess(data_dir, "worker", stdout=log, stderr=subprocess.STDOUT)
        try:
            yield live
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            log.close()


@pytest.fixture
def browser():
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"staff-{name}.png"), full_page=True)


def sign_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/vi/staff/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click(".signin button[type=submit]")
    expect(page).to_have_url(re.compile(r"/vi/staff/$"))


def test_contributor_uploads_and_describes_editor_publishes_public_sees_two(site, browser, tmp_path):
    url = site.url
    files = []
    for relative, _vi, _en in FILES:
        files.append(tmp_path / Path(relative).name)
        shutil.copy(SAMPLES / relative, files[-1])
    disguised = tmp_path / "not-a-photo.jpg"  # a program under a photo's name: the worker must reject it
    disguised.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + bytes(4000))

    # A contributor, on a phone, uploads three files at once; one chunk is lost on the way and sent again.
    contributor = browser.new_context(**PHONE)
    page = contributor.new_page()
    sign_in(page, url, "contributor")
    shot(page, "01-dashboard")
    page.goto(f"{url}/vi/staff/upload")
    page.evaluate(WATCH_UPLOADS)
    dropped = []

    def lose_the_first_chunk(route):
        if route.request.method == "PATCH" and not dropped:
            dropped.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(re.compile(r".*/staff/api/uploads/[0-9a-f]+$"), lose_the_first_chunk)
    page.set_input_files("#files", [str(f) for f in [*files, disguised]])
    rows = page.locator("[data-queue] li.upload")
    expect(rows).to_have_count(4)
    shot(page, "02-uploading")
    for i in range(3):
        expect(rows.nth(i)).to_have_attribute("data-state", "done", timeout=240_000)
    expect(rows.nth(3)).to_have_attribute("data-state", "rejected", timeout=60_000)
    expect(rows.nth(3).locator("[data-status]")).to_have_text("Bị từ chối")
    expect(rows.nth(3).locator("[data-reason]")).not_to_be_empty()
    shot(page, "03-uploaded")
    seen = page.evaluate("window.__seen")
    assert dropped, "the fault was not injected"
    assert any(state == "retrying" for _name, state, _value in seen)
    video_progress = {value for name, _state, value in seen if name == files[2].name}
    assert any(0 < value < 100 for value in video_progress), video_progress  # the bar moved chunk by chunk
    assert all(rows.nth(i).locator("progress").get_attribute("value") == "100" for i in range(4))
    edit_urls = {rows.nth(i).locator("[data-name]").inner_text(): rows.nth(i).locator("[data-describe]")
                 .get_attribute("href") for i in range(3)}
    page.goto(f"{url}/vi/staff/jobs")
    expect(page.locator("li.job[data-state=done]")).to_have_count(3)
    expect(page.locator("li.job[data-state=rejected]")).to_contain_text("not-a-photo.jpg")
    shot(page, "04-jobs")

    # … and describes each in Vietnamese and English.
    item_ids = []
    for path, (_relative, title_vi, title_en) in zip(files, FILES):
        page.goto(url + edit_urls[path.name])
        item_ids.append(page.url.rstrip("/").rsplit("/", 1)[-1])
        page.fill("#title-vi", title_vi)
        page.fill("#title-en", title_en)
        page.fill("#description-vi", f"Mô tả của {title_vi}.")
        page.fill("#description-en", f"A description of {title_en}.")
        page.select_option("#community", "cham")
        page.select_option("#festival", "kate")
        if path == files[0]:
            shot(page, "05-describe")
        page.click(".form-actions button[type=submit]")
        expect(page.locator(".flash-success")).to_be_visible()
        expect(page.locator("#title-en")).to_have_value(title_en)
    assert page.locator("form[action$='/publish']").count() == 0  # a contributor cannot publish
    contributor.close()

    # An editor previews and publishes two, and restricts the third with a sensitivity note.
    editor = browser.new_context(**PHONE)
    page = editor.new_page()
    sign_in(page, url, "editor")
    page.goto(f"{url}/vi/staff/items/?status=draft")
    expect(page.locator(".staff-list li")).to_have_count(3)
    for number, item_id in enumerate(item_ids[:2]):
        page.goto(f"{url}/vi/staff/items/{item_id}")
        page.check("input[name=access][value=public]")  # uploads arrive as drafts for staff only
        page.click(".access-form button[type=submit]")
        expect(page.locator(".flash-success")).to_be_visible()
        page.click(".publish-actions a[href$='/preview']")
        expect(page.locator(".preview-banner")).to_be_visible()
        expect(page.locator("h1")).to_contain_text(FILES[number][1])
        if number == 0:
            page.wait_for_load_state("networkidle")
            shot(page, "06-preview")
        page.go_back()
        page.click("form[action$='/publish'] button")
        expect(page.locator(".flash-success")).to_be_visible()
    page.goto(f"{url}/vi/staff/items/{item_ids[2]}")
    page.check("input[name=access][value=restricted]")
    page.fill("#sensitivity_note-vi", "Nghi lễ chỉ dành cho cộng đồng; không công bố.")
    page.fill("#sensitivity_note-en", "A ceremony for the community only; not for the public.")
    page.click(".access-form button[type=submit]")
    expect(page.locator(".flash-success")).to_be_visible()
    page.click("form[action$='/publish'] button")
    expect(page.locator(".flash-success")).to_be_visible()
    shot(page, "07-restricted")
    editor.close()

    # An anonymous visitor finds the two public items, and neither finds nor opens the restricted one.
    visitor = browser.new_context(**PHONE)
    page = visitor.new_page()
    page.goto(f"{url}/vi/search?q=Xantho")
    hits = page.locator(".hits .card")
    expect(hits).to_have_count(2)
    found = " ".join(hits.all_inner_texts())
    assert FILES[0][1] in found and FILES[1][1] in found and FILES[2][1] not in found
    shot(page, "08-public-search")
    page.goto(f"{url}/en/search?q=lanterns")
    expect(page.locator(".hits .card")).to_have_count(0)
    response = page.goto(f"{url}/vi/items/{item_ids[2]}")
    assert response.status == 404
    assert page.goto(f"{url}/vi/items/{item_ids[0]}").status == 200
    visitor.close()
