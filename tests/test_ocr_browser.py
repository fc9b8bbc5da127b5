"""The OCR staff page in headless Chromium on a phone (tests/test_site_browser.py's Tab: axe-core, no overflow, no
console error, no request to another host), in Vietnamese and English: an editor opens "Correct the text" from the
item's staff page, corrects the page with the keyboard alone, and a visitor's item page shows the correction in its
own section."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from archive import accounts
from ingest import ocr
from ingest.pipeline import Ingest
from tests.live_server import live_app
from tests.test_site_browser import DEVICES, LANGS, Tab, _axe_source

PASSWORD = "a long staff password"
FONT = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"


def _document(folder: Path) -> Path:
    folder.mkdir(parents=True)
    image = Image.new("RGB", (1200, 700), "white")
    ImageDraw.Draw(image).text((40, 300), "Lễ hội Katê ở Ninh Thuận", font=ImageFont.truetype(FONT, 60), fill="black")
    image.save(folder / "le-hoi.png")
    (folder.parent / "meta.csv").write_text(
        "file,type,title_vi,title_en,community,languages,access,rights\n"
        "in/le-hoi.png,document,Tờ rơi lễ hội,Festival leaflet,cham,vie,public,"
        "http://creativecommons.org/licenses/by/4.0/\n", "utf-8")  # a licence that lets the viewer zoom all the way
    return folder.parent / "meta.csv"


@pytest.fixture
def server(tmp_path):
    with live_app(tmp_path / "var") as live:
        accounts.create_user(live.archive, "editor", PASSWORD, "editor", display_name="Lan Editor")
        metadata = _document(tmp_path / "in")
        summary = Ingest(live.archive, progress=False).run([tmp_path / "in"], metadata)
        assert ocr.run_pending(live.archive) == 1
        yield live, summary.new[0]


@pytest.mark.parametrize("lang", LANGS)
def test_an_editor_corrects_the_ocr_text_with_the_keyboard_on_a_phone(browser, server, lang):
    live, item_id = server
    context = browser.new_context(**DEVICES["phone"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    tab = Tab(page, live.url, "phone", lang, _axe_source())
    page.goto(f"{live.url}/{lang}/staff/login")
    page.fill("#username", "editor")
    page.fill("#password", PASSWORD)
    page.click(".signin button[type=submit]")
    page.wait_for_url(re.compile(r"/staff/$"))
    tab.goto(f"/{{lang}}/staff/items/{item_id}")
    tab.check("staff-item-ocr-actions")
    with page.expect_navigation():
        page.locator(".ocr-actions a").click()
    tab.check("staff-ocr")
    textarea = page.locator("textarea[name=text]")
    assert "Katê" in textarea.input_value()
    textarea.fill("Lễ hội Katê ở Ninh Thuận (đã sửa)")
    textarea.focus()
    page.keyboard.press("Tab")  # to "Save the correction"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("textarea[name=text]").input_value() == "Lễ hội Katê ở Ninh Thuận (đã sửa)"
    tab.check("staff-ocr-corrected")
    context.close()

    visitor = browser.new_context(**DEVICES["phone"])
    public = visitor.new_page()
    seen = Tab(public, live.url, "phone", lang, _axe_source())
    seen.goto(f"/{{lang}}/items/{item_id}")
    section = public.locator("section.ocr-text")
    assert "(đã sửa)" in section.inner_text()
    assert "(đã sửa)" not in public.locator("section.item-description").all_inner_texts().__str__()
    seen.check("item-ocr-text")
    visitor.close()
