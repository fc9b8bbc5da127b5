"""The Captions and transcripts section of an item's staff page in headless Chromium at phone size (360×740), against
the real app (waitress): with a recording's captions listed, after a refused file (400, the line named, the file
field marked) and after an upload, the page is axe-core clean (no serious or critical violations), fits the screen
and logs no errors, in Vietnamese and English."""
from __future__ import annotations

import pytest

from archive import accounts, editing
from ingest.pipeline import Ingest

from .live_server import live_app
from .media import make_wav
from .staff_client import PASSWORD
from .test_site_browser import DEVICES, Tab, _axe_source

CC_BY = "http://creativecommons.org/licenses/by/4.0/"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("captions-browser")
    media = root / "media"
    media.mkdir()
    make_wav(media / "a-recording-with-a-rather-long-file-name.wav", 1.0)
    (media / "a-recording-with-a-rather-long-file-name.vi.vtt").write_text(
        "WEBVTT\n\n00:00.000 --> 00:01.000\nXin chào\n", "utf-8")
    (media / "metadata.csv").write_text(
        "file,id,type,title_vi,title_en,community,rights,access\n"
        f"a-recording-with-a-rather-long-file-name.wav,song,audio,Bài hát,Song,khmer,{CC_BY},public\n", "utf-8")
    with live_app(root / "var") as live:
        summary = Ingest(live.archive, progress=False).run([media], media / "metadata.csv")
        assert not summary.rejected, summary.lines()
        accounts.create_user(live.archive, "contrib1", PASSWORD, "contributor")
        live.media = media
        yield live


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_captions_section_is_axe_clean_on_a_phone(browser, site, lang, tmp_path):
    context = browser.new_context(**DEVICES["phone"])
    try:
        tab = Tab(context.new_page(), site.url, "phone", lang, _axe_source())
        page = tab.page
        tab.goto("/{lang}/staff/login")
        page.fill("#username", "contrib1")
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click(".signin button[type=submit]")
        tab.goto("/{lang}/staff/items/song")
        assert page.locator(".caption-list li").count() >= 1
        tab.check("staff-captions")
        bad = tmp_path / "bad.vtt"
        bad.write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nfine\n\n00:01.000 -> 00:02.000\nbroken\n", "utf-8")
        page.select_option("#caption-language-1", "km")
        page.set_input_files("#caption-file-1", str(bad))
        with page.expect_navigation() as navigation:
            page.click(".caption-upload button[type=submit]")
        assert navigation.value.status == 400
        assert page.locator("#caption-file-1").get_attribute("aria-invalid") == "true"
        assert page.locator("#caption-errors li").inner_text().startswith("Dòng 6" if lang == "vi" else "Line 6")
        assert page.locator("#caption-language-1").input_value() == "km"  # the choice is kept
        tab.responses.clear()  # the 400 (and the console's note of it) is the answer expected here
        tab.errors = [e for e in tab.errors if "status of 400" not in e]
        tab.check("staff-captions-refused")
        good = tmp_path / f"song.{lang}.km.vtt"
        good.write_text(f"WEBVTT\n\n00:00.000 --> 00:01.000\nសួស្តី ({lang})\n", "utf-8")
        before = editing.item_for_edit(site.archive, "song").version
        page.goto(f"{site.url}/{lang}/staff/items/song")
        page.select_option("#caption-language-1", "km")
        page.set_input_files("#caption-file-1", str(good))
        with page.expect_navigation():
            page.click(".caption-upload button[type=submit]")
        assert editing.item_for_edit(site.archive, "song").version == before + 1
        assert good.name in page.locator(".caption-list").inner_text()
        tab.check("staff-captions-saved")
    finally:
        context.close()
