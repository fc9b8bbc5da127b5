"""An OCR hit on the search page opens the item's deep-zoom viewer on the word (headless Chromium, on a phone and a
desktop, in Vietnamese and English, with tests/test_site_browser.py's checks: axe-core, no overflow, no console
error, no request to another host): the viewport's bounds, in the image's pixels, hold the word's box and are a small
part of the image. In an item mixing images and recordings, hits open the right page and the right player (the
manifest numbers its canvases across both)."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image, ImageDraw, ImageFont

from ingest import ocr
from ingest.pipeline import Ingest
from tests.conftest import SAMPLES
from tests.media import make_jpeg, make_wav
from tests.live_server import live_app
from tests.test_site_browser import DEVICES, LANGS, Tab, _axe_source

FONT = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"
KHMER_WORD = "វត្តចន្ទរង្សី"  # drawn centred at (800, 1680) on the 1600 × 2200 card
METADATA = ("file,type,title_vi,title_en,community,languages,scripts,rights,access\n"
            "in/khmer-new-year-greeting.png,document,Thiệp chúc,Greeting card,khmer,khm; vie; eng,Khmr; Latn,"
            "http://creativecommons.org/licenses/by/4.0/,public\n"  # a licence that lets the viewer zoom all the way
            "in/mixed/photo.jpg; in/mixed/speech-1.wav; in/mixed/notice.png; in/mixed/speech-2.wav,set,Lễ và lời,"
            "Rite and words,cham,vie,Latn,http://creativecommons.org/licenses/by/4.0/,public\n")
MIXED_WORD = "Palei"  # only on the notice, the mixed item's canvas 3 (its second image)
MIXED_CUE = "tiếng trống Ginăng"  # only in the second recording's captions, at 2.5 s: canvas 4


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("ocr-browser")
    (root / "in").mkdir()
    (root / "in" / "khmer-new-year-greeting.png").write_bytes((SAMPLES / "documents/khmer-new-year-greeting.png")
                                                               .read_bytes())
    mixed = root / "in" / "mixed"
    make_jpeg(mixed / "photo.jpg", (900, 600), seed=4)
    make_wav(mixed / "speech-1.wav", 4.0)
    make_wav(mixed / "speech-2.wav", 4.0, freq=330)
    notice = Image.new("RGB", (1200, 400), "white")
    ImageDraw.Draw(notice).text((60, 150), f"Làng {MIXED_WORD} mùa lễ", font=ImageFont.truetype(FONT, 64), fill="black")
    notice.save(mixed / "notice.png")
    (mixed / "speech-1.vi.vtt").write_text("WEBVTT\n\n00:00.500 --> 00:02.000\nLời chào mở đầu\n", "utf-8")
    (mixed / "speech-2.vi.vtt").write_text(f"WEBVTT\n\n00:00.000 --> 00:01.000\nPhần hai\n\n"
                                           f"00:02.500 --> 00:03.500\n{MIXED_CUE}\n", "utf-8")
    (root / "meta.csv").write_text(METADATA, "utf-8")
    with live_app(root / "var") as live:
        summary = Ingest(live.archive, progress=False).run([root / "in"], root / "meta.csv")
        assert not summary.rejected, summary.lines()
        assert ocr.run_pending(live.archive) == 3  # the card, and both images of the set (its record names a script)
        yield live, summary.new[0], summary.new[1]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("lang", LANGS)
def test_an_ocr_hit_opens_the_viewer_zoomed_on_the_word(browser, server, device, lang):
    live, item_id, _ = server
    context = browser.new_context(**DEVICES[device])
    page = context.new_page()
    page.set_default_timeout(15_000)
    tab = Tab(page, live.url, device, lang, _axe_source())
    tab.goto(f"/{{lang}}/search?q={KHMER_WORD}")
    link = page.locator("ol.hits a.ocr-hit")
    assert link.count() == 1 and link.locator("mark").inner_text() == KHMER_WORD
    tab.check("search-ocr")
    with page.expect_navigation():
        link.click()
    query = parse_qs(urlsplit(page.url).query)
    assert urlsplit(page.url).path == f"/{lang}/items/{item_id}" and query["canvas"] == ["1"]
    x, y, w, h = (int(n) for n in query["xywh"][0].split(","))
    assert x < 800 < x + w and y < 1680 < y + h  # the word's box
    page.wait_for_function("() => document.getElementById('viewer').getAttribute('data-state') === 'open'")
    bounds = page.evaluate("""() => { const viewer = document.getElementById('viewer').osdViewer;
        const r = viewer.viewport.viewportToImageRectangle(viewer.viewport.getBounds(true));
        return [r.x, r.y, r.width, r.height]; }""")
    bx, by, bw, bh = bounds
    assert bx <= x and by <= y and x + w <= bx + bw and y + h <= by + bh, (bounds, (x, y, w, h))
    assert bw * bh < 0.25 * 1600 * 2200, bounds  # zoomed in: a small part of the card
    assert page.locator(".viewer-mark").count() == 1
    tab.check("item-ocr-region")
    context.close()


def test_an_item_page_without_a_region_opens_the_whole_image(browser, server):
    live, item_id, _ = server
    context = browser.new_context(**DEVICES["desktop"])
    page = context.new_page()
    Tab(page, live.url, "desktop", "en", _axe_source()).goto(f"/en/items/{item_id}?xywh=nonsense")
    page.wait_for_function("() => document.getElementById('viewer').getAttribute('data-state') === 'open'")
    height = page.evaluate("""() => { const viewer = document.getElementById('viewer').osdViewer;
        return viewer.viewport.viewportToImageRectangle(viewer.viewport.getBounds(true)).height; }""")
    assert height >= 2200 * 0.99 and page.locator(".viewer-mark").count() == 0  # the whole card, unmarked
    context.close()


def test_in_an_item_mixing_images_and_recordings_hits_open_the_right_page_and_player(browser, server):
    live, _, item_id = server
    context = browser.new_context(**DEVICES["desktop"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    tab = Tab(page, live.url, "desktop", "vi", _axe_source())
    tab.goto(f"/{{lang}}/search?q={MIXED_WORD}")
    with page.expect_navigation():
        page.locator("ol.hits a.ocr-hit").first.click()
    assert parse_qs(urlsplit(page.url).query)["canvas"] == ["3"]
    page.wait_for_function("() => document.getElementById('viewer').getAttribute('data-state') === 'open'")
    shown = page.evaluate("() => document.getElementById('viewer').osdViewer.currentPage()")
    assert shown == 1 and page.locator(".viewer-mark").count() == 1  # the notice, the set's second image

    tab.goto(f"/{{lang}}/search?q={MIXED_CUE}")
    link = page.locator("ol.hits a.cue-hit")
    assert link.count() == 1
    with page.expect_navigation():
        link.click()
    assert parse_qs(urlsplit(page.url).query) == {"canvas": ["4"], "t": ["2.5"]}
    page.wait_for_function("() => [...document.querySelectorAll('audio')].every(a => a.readyState >= 1)")
    page.wait_for_function("() => Math.abs(document.querySelectorAll('audio')[1].currentTime - 2.5) < 1")
    assert page.evaluate("() => [...document.querySelectorAll('audio')].map(a => a.currentTime)")[0] == 0
    tab.assert_clean("item-mixed-at-time")
    context.close()
