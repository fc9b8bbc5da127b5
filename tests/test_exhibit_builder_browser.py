"""Issue 14's must-show, in headless Chromium on a phone (tests/test_site_browser.py's Tab: axe-core, nothing wider
than the screen, no console error, no request to another host): an editor builds a bilingual exhibit in the exhibit
builder — a text block with its live preview, an image item whose region is drawn with the mouse on the deep-zoom
viewer, an audio item with a clip start and end, a gallery of three items one of which is restricted — moves a block
with the keyboard alone, previews the draft in both languages and publishes it. An anonymous visitor then sees it in
Vietnamese and English with the drawn region and the clip start honoured, and nothing of the restricted item. Every
new staff page is axe-clean in both languages."""
from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from archive import accounts, exhibit_store
from archive.catalog.models import MediaFile
from archive.context import Archive
from ingest.pipeline import Ingest
from tests.conftest import SAMPLES, make_settings
from tests.live_server import live_app
from tests.test_site_browser import DEVICES, LANGS, Tab, _axe_source

PASSWORD = "a long staff password"
LICENCE = "http://creativecommons.org/licenses/by/4.0/"
SLUG = "kate-trong-anh"
# (sample file, id, title vi, title en, access)
ITEMS = [("images/kate-offerings.jpg", "eb-offerings", "Lễ vật Katê", "Kate offerings before the tower", "public"),
         ("audio/kate-narration.flac", "eb-narration", "Lời kể Katê", "Kate narration", "public"),
         ("images/chantarangsay-pagoda-dusk.jpg", "eb-pagoda", "Chùa lúc hoàng hôn", "Pagoda at dusk", "public"),
         ("images/saigon-central-mosque.jpg", "eb-mosque", "Thánh đường", "The mosque", "public"),
         ("images/incense-coils-tue-thanh.jpg", "eb-hidden", "Nhang vòng kín", "Secluded incense coils",
          "restricted")]
CLIP_START, CLIP_END = 2.0, 6.5


@pytest.fixture
def server(tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    with open(batch / "metadata.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "id", "title_vi", "title_en", "access", "community", "rights",
                         "sensitivity_note_vi", "sensitivity_note_en"])
        for path, item_id, vi, en, access in ITEMS:
            shutil.copy(SAMPLES / path, batch / Path(path).name)
            note = ("Hạn chế theo yêu cầu", "Restricted on request") if access == "restricted" else ("", "")
            writer.writerow([Path(path).name, item_id, vi, en, access, "cham", LICENCE, *note])
    archive = Archive(make_settings(tmp_path / "var"))
    summary = Ingest(archive, progress=False).run([batch], batch / "metadata.csv")
    assert not summary.rejected and len(summary.new) == len(ITEMS), summary.lines()
    archive.catalog.dispose()
    with live_app(tmp_path / "var", threads=6) as live:
        accounts.create_user(live.archive, "editor", PASSWORD, "editor", display_name="Lan Editor")
        yield live


def _sign_in(page, url: str) -> None:
    page.goto(f"{url}/vi/staff/login")
    page.fill("#username", "editor")
    page.fill("#password", PASSWORD)
    page.click(".signin button[type=submit]")
    page.wait_for_url(re.compile(r"/staff/$"))


def _add_block(page, kind: str) -> None:
    page.select_option("#add-type", kind)
    with page.expect_navigation():
        page.click("#add-block")


def _block_types(page) -> list[str]:
    return page.eval_on_selector_all("#blocks > li.block", "els => els.map(e => e.className.split(' ')[1])")


def test_an_editor_builds_a_bilingual_exhibit_on_a_phone_and_a_visitor_sees_it(browser, server):
    live = server
    context = browser.new_context(**DEVICES["phone"])
    page = context.new_page()
    page.set_default_timeout(20_000)
    tab = Tab(page, live.url, "phone", "vi", _axe_source())
    _sign_in(page, live.url)

    tab.goto("/vi/staff/exhibits/")
    page.click("a.button[href$='/staff/exhibits/new']")
    page.fill("#f-slug", SLUG)
    page.fill("#f-title-vi", "Katê qua hình ảnh")
    page.fill("#f-title-en", "Katê in pictures")
    page.fill("#f-summary-vi", "Lễ hội Katê của người Chăm.")
    page.fill("#f-summary-en", "The Cham Katê festival.")
    page.select_option("#f-community", "cham")
    page.fill("#f-cover", "eb-offerings")
    with page.expect_navigation():
        page.click(".exhibit-form button[type=submit]")
    assert page.url.endswith(f"/vi/staff/exhibits/{SLUG}/edit")

    # A text block: Vietnamese and English side by side, each previewed by the server as it is typed.
    _add_block(page, "text")
    page.fill("#b0-text-vi", "Người Chăm mừng **Katê** vào tháng bảy lịch Chăm.")
    page.fill("#b0-text-en", "The Cham celebrate **Katê** in the seventh month of their calendar.")
    page.wait_for_function("() => document.querySelector('#b0-preview-en strong') !== null")
    assert page.inner_text("#b0-preview-en strong") == "Katê"
    assert page.inner_text("#b0-preview-vi").startswith("Người Chăm mừng Katê")

    # An image item found by searching, its region drawn with the mouse on the deep-zoom viewer.
    _add_block(page, "item")
    page.fill("#b1-find", "offerings")
    with page.expect_navigation():
        page.click("#b1-find-results button[data-choose='eb-offerings']")
    assert page.input_value("#b1-item") == "eb-offerings"
    page.wait_for_selector("#b1-viewer[data-state=open]")
    drawn = _draw_region(page, "b1", (0.2, 0.3), (0.7, 0.65))

    # An audio item with a clip: the start typed, the end taken from the player's position.
    _add_block(page, "item")
    page.fill("#b2-item", "file=kate-narration.flac")
    with page.expect_navigation():
        page.click("#block-2 button[data-show]")
    page.wait_for_function("() => document.getElementById('b2-player').readyState >= 1")
    page.fill("#b2-start", f"{CLIP_START:g}")
    page.eval_on_selector("#b2-player", f"m => {{ m.currentTime = {CLIP_END}; }}")
    page.wait_for_function(f"() => Math.abs(document.getElementById('b2-player').currentTime - {CLIP_END}) < 0.05")
    page.click("button[data-set-time='b2-end']")
    assert page.input_value("#b2-end") == f"{CLIP_END:g}"

    # A gallery of three items, one of them restricted.
    _add_block(page, "gallery")
    for row, item_id in enumerate(("eb-pagoda", "eb-hidden", "eb-mosque")):
        page.fill(f"#b3-items-{row}", item_id)
    with page.expect_navigation():
        page.click("#save")
    assert page.inner_text(".flash-success") == "Đã lưu thành phiên bản 2."
    stored = exhibit_store.get(live.archive, SLUG, _editor(live))
    assert stored.version == 2
    assert [b["type"] for b in stored.content["blocks"]] == ["text", "item", "item", "gallery"]
    assert stored.content["blocks"][1]["region"] == drawn
    assert (stored.content["blocks"][2]["start"], stored.content["blocks"][2]["end"]) == (CLIP_START, CLIP_END)
    tab.check("exhibit-builder-edit")

    # The keyboard alone moves the text block below the image: focus stays on the moved block, the move is said.
    page.focus("#block-0 button[data-move='down']")
    page.keyboard.press("Enter")
    assert _block_types(page) == ["block-item", "block-text", "block-item", "block-gallery"]
    assert page.evaluate("document.activeElement.closest('li.block').id") == "block-0"
    assert page.evaluate("document.activeElement.getAttribute('data-move')") == "down"
    page.wait_for_function("() => document.getElementById('block-status').textContent !== ''")
    assert page.inner_text("#block-status") == "Đã chuyển khối: nay ở vị trí 2 trên 4."
    page.keyboard.press("Space")  # and once more with Space: the text block goes below the audio
    assert _block_types(page) == ["block-item", "block-item", "block-text", "block-gallery"]
    assert page.evaluate("document.activeElement.closest('li.block').id") == "block-0"
    page.focus("#block-0 button[data-move='up']")
    page.keyboard.press("Enter")  # back up one place: image, text, audio, gallery
    assert _block_types(page) == ["block-item", "block-text", "block-item", "block-gallery"]
    assert page.inner_text("#block-0 h3 .block-number") == "2"
    with page.expect_navigation():
        page.click("#save")
    stored = exhibit_store.get(live.archive, SLUG, _editor(live))
    assert [b["type"] for b in stored.content["blocks"]] == ["item", "text", "item", "gallery"]
    # Enter in a field saves (the form's default button), it does not press the first block's "Move up".
    page.fill("#f-note", "thử phím Enter")
    with page.expect_navigation():
        page.press("#f-note", "Enter")
    assert page.inner_text(".flashes") == "Không có gì thay đổi."
    assert _block_types(page) == ["block-item", "block-text", "block-item", "block-gallery"]

    # The preview of the draft in both languages, then publish.
    for lang, words in (("vi", "Người Chăm mừng"), ("en", "The Cham celebrate")):
        tab.lang = lang
        tab.goto(f"/{lang}/staff/exhibits/{SLUG}/preview")
        assert page.locator(".preview-banner").count() == 1
        assert words in page.inner_text(".exhibit-body")
        assert page.locator(".exhibit-gallery > li").count() == 2
    tab.lang = "vi"
    tab.goto(f"/vi/staff/exhibits/{SLUG}/edit")
    with page.expect_navigation():
        page.click("#publish")
    assert page.inner_text(".flash-success") == "Đã công bố: công chúng có thể xem chuyên đề."
    assert exhibit_store.get(live.archive, SLUG, _editor(live)).status == "published"

    # Every new staff page is axe-clean in both languages.
    for lang in LANGS:
        tab.lang = lang
        for path, name in (("/{lang}/staff/exhibits/", "exhibit-builder-list"),
                           ("/{lang}/staff/exhibits/new", "exhibit-builder-new"),
                           (f"/{{lang}}/staff/exhibits/{SLUG}/edit", "exhibit-builder-edit"),
                           (f"/{{lang}}/staff/exhibits/{SLUG}/versions", "exhibit-builder-versions"),
                           (f"/{{lang}}/staff/exhibits/{SLUG}/compare?from=1&to=4", "exhibit-builder-compare")):
            tab.goto(path)
            if "/versions" in path:
                assert page.locator("tr[data-version]").count() == 4
            tab.check(name)
    context.close()
    _visitor_sees(browser, live, drawn)


def _draw_region(page, block: str, start: tuple[float, float], end: tuple[float, float]) -> str:
    """Drag a box over the viewer from ``start`` to ``end`` (fractions of the viewer's width and height); returns
    the region the form then holds, checked against the image pixels under those points (the image fits the viewer,
    centred)."""
    page.click(f"button[data-draw='{block}-viewer']")
    assert page.get_attribute(f"button[data-draw='{block}-viewer']", "aria-pressed") == "true"
    page.locator(f"#{block}-viewer .viewer-canvas").scroll_into_view_if_needed()
    canvas = page.locator(f"#{block}-viewer .viewer-canvas").bounding_box()
    width, height = (int(v) for v in page.eval_on_selector(f"#{block}-viewer",
                                                          "el => [el.dataset.width, el.dataset.height]"))
    points = [(canvas["x"] + canvas["width"] * fx, canvas["y"] + canvas["height"] * fy) for fx, fy in (start, end)]
    page.mouse.move(*points[0])
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(points[0][0] + (points[1][0] - points[0][0]) * step / 10,
                        points[0][1] + (points[1][1] - points[0][1]) * step / 10)
    page.mouse.up()
    region = page.input_value(f"#{block}-region")
    assert re.fullmatch(r"\d+,\d+,\d+,\d+", region), region
    page.wait_for_selector(f"button[data-draw='{block}-viewer'][aria-pressed=false]")
    scale = min(canvas["width"] / width, canvas["height"] / height)
    left = canvas["x"] + (canvas["width"] - width * scale) / 2
    top = canvas["y"] + (canvas["height"] - height * scale) / 2
    (x0, y0), (x1, y1) = ((min(max((px - left) / scale, 0), width), min(max((py - top) / scale, 0), height))
                          for px, py in points)
    expected = (x0, y0, x1 - x0, y1 - y0)
    got = tuple(int(v) for v in region.split(","))
    assert all(abs(g - e) <= 0.02 * max(width, height) for g, e in zip(got, expected)), (got, expected)
    return region


def _editor(live):
    return accounts.viewer_of(accounts.find_user(live.archive, "editor"))


def _visitor_sees(browser, live, drawn: str) -> None:
    context = browser.new_context(**DEVICES["phone"])
    page = context.new_page()
    page.set_default_timeout(20_000)
    hidden = next(i for i in ITEMS if i[4] == "restricted")
    with live.archive.catalog.session() as s:
        hidden_sha = s.scalar(select(MediaFile.sha256).where(MediaFile.item_id == hidden[1]))
    for lang, mine, other in (("vi", "Người Chăm mừng", "The Cham celebrate"),
                              ("en", "The Cham celebrate", "Người Chăm mừng")):
        tab = Tab(page, live.url, "phone", lang, _axe_source())
        tab.goto(f"/{lang}/exhibits/{SLUG}")
        body = page.inner_text(".exhibit-body")
        assert mine in body and other not in body
        assert page.inner_text("h1") == ("Katê qua hình ảnh" if lang == "vi" else "Katê in pictures")
        source = page.get_attribute("img.exhibit-region", "src")
        assert re.search(rf"/iiif/3/image/[0-9a-f]{{64}}/{re.escape(drawn)}/\d+,/0/default\.jpg$", source), source
        page.locator("img.exhibit-region").scroll_into_view_if_needed()  # lazy: it loads once near the view
        page.wait_for_function("() => { const i = document.querySelector('img.exhibit-region');"
                               " return i.complete && i.naturalWidth > 0; }")  # the region renders
        # The clip: played, the audio starts at the clip's start (the player's script and the #t= fragment).
        page.eval_on_selector(".player[data-start] audio", "m => { m.muted = true; return m.play(); }")
        page.wait_for_function("() => document.querySelector('.player[data-start] audio').currentTime > 0")
        at = page.eval_on_selector(".player[data-start] audio", "m => m.currentTime")
        assert CLIP_START - 0.05 <= at <= CLIP_START + 1.0, at
        page.eval_on_selector(".player[data-start] audio", "m => m.pause()")
        # The gallery: the two public items, nothing of the restricted one.
        assert page.locator(".exhibit-gallery > li").count() == 2
        html = page.content()
        for secret in (hidden[1], hidden[2], hidden[3], hidden_sha):
            assert secret not in html, secret
        tab.check("exhibit-builder-public")
    context.close()
