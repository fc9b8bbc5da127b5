"""The public site in a real headless browser (Debian's chromium, driven by Playwright) against the real app under
waitress on the ingested samples, at a 360×740 phone and a 1366×768 desktop, in Vietnamese and English.

Every page visited is checked the same way (``Tab.check``): a screenshot in tests/artifacts/screenshots/, axe-core
finds no serious or critical violation, nothing is wider than the screen, no console error, and no request leaves
the archive's own host. The last test holds the item page to its transfer budget (HTML + CSS + JS ≤ 300 KB).
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, Request, Response
from sqlalchemy import select

from archive.catalog.models import Item, MediaFile
from tests.live_server import live_app

REPO = Path(__file__).resolve().parent.parent
SCREENSHOTS = REPO / "tests" / "artifacts" / "screenshots"
AXE_PATHS = (REPO / "archive" / "web" / "static" / "vendor" / "axe.min.js", REPO / "node_modules" / "axe-core" / "axe.min.js")
LANGS = ("vi", "en")
DEVICES = {
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
    "desktop": {"viewport": {"width": 1366, "height": 768}},
}
EXHIBITS = ("kate-festival", "chantarangsay-pagoda")
# A deep-zoom tile: a region x,y,w,h of the image (not the whole-image previews) at some size.
TILE = re.compile(r"/iiif/3/image/[0-9a-f]{64}/\d+,\d+,\d+,\d+/\d*,\d*/0/default\.jpg$")
ITEM_BUDGET = 300_000  # bytes of HTML, CSS and JS (and other text: JSON, captions) an item page may transfer
NOT_IN_BUDGET = {"image", "media", "font"}  # image tiles and previews, audio/video streams, fonts


@cache
def _axe_source() -> str:
    for path in AXE_PATHS:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    pytest.fail(f"axe-core not found at {' or '.join(map(str, AXE_PATHS))}: run scripts/site_assets.sh (npm ci)")


@pytest.fixture(scope="module")
def server(sample_archive):
    with live_app(sample_archive.settings.data_path, threads=6) as live:
        yield live


@pytest.fixture(scope="module")
def samples(sample_archive) -> dict[str, str]:
    """Item ids: one per type, plus the largest image (deep zoom) and a video and an audio item with captions."""
    with sample_archive.catalog.session() as s:
        found = {}
        # Public items only: which random id a restricted sample gets must not decide what is tested.
        public = select(Item.id).where(Item.status == "published", Item.access == "public",
                                       Item.embargo_until.is_(None))
        for item in s.scalars(select(Item).where(Item.id.in_(public)).order_by(Item.id)):
            found.setdefault(item.type, item.id)
        captioned = select(MediaFile.item_id).where(MediaFile.kind == "caption")
        for kind in ("audio", "video"):
            found[f"captioned-{kind}"] = s.scalars(select(Item.id).where(Item.type == kind, Item.id.in_(captioned),
                                                                         Item.id.in_(public))
                                                   .order_by(Item.id)).first()
        found["zoom"] = s.scalars(select(MediaFile.item_id).where(MediaFile.kind == "image",
                                                                  MediaFile.item_id.in_(public))
                                  .order_by(MediaFile.size.desc())).first()
    missing = [key for key, value in found.items() if value is None]
    assert not missing, f"the samples have no item for {missing}"
    return found



@pytest.fixture(scope="module")
def contexts(browser):
    """One browser context per device, reused by every test (so its cache is warm after the first page)."""
    made = {name: browser.new_context(**options) for name, options in DEVICES.items()}
    yield made
    for context in made.values():
        context.close()


class Tab:
    """A page that records what would be a defect on any page: console errors, uncaught exceptions, requests to
    another host, failed responses of our own."""

    def __init__(self, page: Page, origin: str, device: str, lang: str, axe: str):
        self.page, self.origin, self.device, self.lang, self._axe = page, origin, device, lang, axe
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.responses: list[Response] = []
        page.on("console", lambda msg: self.errors.append(f"console: {msg.text} at {msg.location.get('url')}")
                if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        page.on("request", self._on_request)
        page.on("response", lambda response: self.responses.append(response))

    def _on_request(self, request: Request) -> None:
        url = request.url
        if not (url.startswith(self.origin + "/") or url.startswith(("data:", "blob:"))):
            self.foreign.append(url)

    def goto(self, path: str) -> Response:
        response = self.page.goto(self.origin + path.format(lang=self.lang), wait_until="load")
        assert response is not None and response.status == 200, f"{path}: status {response and response.status}"
        assert self.page.locator("html").get_attribute("lang") == self.lang
        return response

    def media_responses(self, path_end: str) -> list[Response]:
        return [r for r in self.responses if urlsplit(r.url).path.endswith(path_end)]

    def check(self, name: str) -> None:
        """Screenshot, then the checks every page must pass."""
        page = self.page
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{self.device}-{self.lang}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} ({self.device}): the page is {overflow}px wider than the screen"
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(self._axe)  # evaluated by the driver, so the page's CSP (no inline script) allows it
        violations = page.evaluate("""() => axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
            .filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => `${v.impact} ${v.id}: ${v.help} — ` + v.nodes.slice(0, 5).map(n => n.target.join(" ")).join("; ")))""")
        assert not violations, f"{name} ({self.device}, {self.lang}) axe:\n" + "\n".join(violations)
        self.assert_clean(name)

    def assert_clean(self, name: str) -> None:
        ours = [f"{r.status} {r.url}" for r in self.responses if r.status >= 400]
        assert not self.errors, f"{name} ({self.device}, {self.lang}):\n" + "\n".join(self.errors)
        assert not self.foreign, f"{name}: requests to other hosts: {self.foreign}"
        assert not ours, f"{name}: failed responses: {ours}"


@pytest.fixture(params=[(d, lang) for d in DEVICES for lang in LANGS], ids=lambda p: f"{p[0]}-{p[1]}")
def tab(request, contexts, server):
    device, lang = request.param
    page = contexts[device].new_page()
    page.set_default_timeout(15_000)
    yield Tab(page, server.url, device, lang, _axe_source())
    page.close()


def _count(text: str) -> int:
    found = re.search(r"\d+", text)
    assert found, f"no number in {text!r}"
    return int(found.group())


def test_home(tab):
    page = tab.page
    tab.goto("/{lang}/")
    for community in ("cham", "hoa", "khmer"):
        assert page.locator(f"main a[href='/{tab.lang}/communities/{community}']").count() >= 1, community
    assert page.locator(f"main a[href^='/{tab.lang}/exhibits/']").count() >= 2
    assert page.locator(f"main a[href^='/{tab.lang}/items/']").count() >= 3
    tab.check("home")


def test_search_facet_narrows_the_results(tab):
    page = tab.page
    tab.goto("/{lang}/search")
    total = _count(page.locator(".results-count").inner_text())
    assert total >= 10
    toggle = page.locator("details.facets-toggle")
    if tab.device == "phone":  # folded on a phone, so the results come first
        assert toggle.get_attribute("open") is None
        toggle.locator("summary").click()
    facet = page.locator("a[data-facet='community'][data-value='khmer']")
    expected = _count(facet.locator(".facet-count").inner_text())
    assert 0 < expected < total
    with page.expect_navigation():
        facet.click()
    query = parse_qs(urlsplit(page.url).query)
    assert query.get("community") == ["khmer"], page.url
    assert _count(page.locator(".results-count").inner_text()) == expected
    assert page.locator("ol.hits > li").count() == min(expected, 20)  # 20 a page
    assert page.locator("a[data-facet='community'][data-value='khmer'][aria-current='true']").count() == 1
    tab.check("search")


def test_deep_zoom_loads_tiles(tab, samples):
    page = tab.page
    tab.goto(f"/{{lang}}/items/{samples['zoom']}")
    page.wait_for_selector("#viewer[data-state='open'][data-tiles-loaded]")
    page.wait_for_load_state("networkidle")
    first = [r for r in tab.responses if TILE.search(urlsplit(r.url).path)]
    assert first and all(r.status == 200 and r.headers["content-type"] == "image/jpeg" for r in first), \
        [(r.status, r.url) for r in first]
    seen = {r.url for r in first}
    surface = page.locator(".openseadragon-canvas")
    assert surface.get_attribute("role") == "application"  # announced in the page's language
    assert surface.get_attribute("aria-roledescription") == {"vi": "ảnh phóng to được", "en": "zoomable image"}[tab.lang]
    assert surface.get_attribute("aria-label").startswith({"vi": "Ảnh", "en": "Zoomable image: "}[tab.lang])
    # Zoom with the keyboard (the viewer's help text promises it) until finer tiles come.
    surface.focus()
    for _ in range(12):
        page.keyboard.press("Equal", delay=120)
        page.wait_for_timeout(250)
        if any(TILE.search(urlsplit(r.url).path) and r.url not in seen for r in tab.responses):
            break
    page.wait_for_load_state("networkidle")
    tiles = [r for r in tab.responses if TILE.search(urlsplit(r.url).path)]
    assert len(tiles) > len(first), "zooming in with the keyboard loaded no finer tiles"
    assert all(r.status == 200 for r in tiles), [(r.status, r.url) for r in tiles]
    tab.check("item-image")


def test_video_plays_seeks_with_ranges_and_captions(tab, samples):
    page = tab.page
    tab.goto(f"/{{lang}}/items/{samples['captioned-video']}")
    video = page.locator("video")
    # Muted, as a page may start playback without a gesture; the point here is the stream, the seek and the track.
    state = video.evaluate("""async v => {
        v.muted = true;
        await v.play();
        await new Promise(done => { const t = () => v.currentTime > 0.5 ? done() : setTimeout(t, 50); t(); });
        const target = v.duration * 0.75;
        v.pause();  // paused, the position read after the seek is the seek's, however slow the machine is
        const seeked = new Promise(done => v.addEventListener("seeked", done, {once: true}));
        v.currentTime = target;
        await seeked;
        const after = v.currentTime;
        await v.play();
        await new Promise(done => { const t = () => v.currentTime > target + 0.3 ? done() : setTimeout(t, 50); t(); });
        v.pause();
        const track = v.querySelector("track[default]");
        if (track.readyState !== 2) { await new Promise(done => track.addEventListener("load", done, {once: true})); }
        return {target, after, playedOn: v.currentTime, duration: v.duration, trackLang: track.track.language,
                mode: track.track.mode, cues: track.track.cues.length, firstCue: track.track.cues[0].text};
    }""")
    assert abs(state["after"] - state["target"]) < 0.1, state
    assert state["playedOn"] > state["target"], state
    assert state["trackLang"] == tab.lang and state["mode"] == "showing" and state["cues"] >= 1 and state["firstCue"]
    streams = tab.media_responses("/video.mp4")
    assert streams, "no request for the video stream"
    for r in streams:
        assert r.status == 206 and r.request.headers.get("range", "").startswith("bytes="), (r.status, r.request.headers)
        assert re.fullmatch(r"bytes \d+-\d+/\d+", r.headers["content-range"]) and r.headers["content-type"] == "video/mp4"
    captions = tab.media_responses(f"/captions/{tab.lang}.vtt")
    assert captions and captions[0].status == 200 and captions[0].headers["content-type"].startswith("text/vtt")
    tab.check("item-video")


def test_audio_transcript_follows_playback_and_seeks(tab, samples):
    page = tab.page
    tab.goto(f"/{{lang}}/items/{samples['captioned-audio']}")
    cues = page.locator("details.transcript[open] button.cue")
    assert cues.count() >= 3
    chosen, following = cues.nth(1), cues.nth(2)
    start, end = float(chosen.get_attribute("data-start")), float(chosen.get_attribute("data-end"))
    chosen.click()  # a real click: playback starts from the line's start
    page.wait_for_function("el => el.getAttribute('aria-current') === 'true'", arg=chosen.element_handle())
    position = page.locator("audio").evaluate("a => a.currentTime")
    assert start <= position < end, (start, position, end)
    assert "is-current" in chosen.get_attribute("class")
    # Playing on, the highlight moves to the next line and leaves the previous one.
    page.wait_for_function("el => el.classList.contains('is-current')", arg=following.element_handle(),
                           timeout=(float(following.get_attribute("data-start")) - start + 5) * 1000)
    assert chosen.get_attribute("aria-current") is None
    page.locator("audio").evaluate("a => a.pause()")
    page.wait_for_selector("canvas.waveform[data-state='drawn']")
    streams = tab.media_responses("/audio.mp3")
    assert streams and all(r.status == 206 and "range" in r.request.headers for r in streams)
    tab.check("item-audio")


def test_a_transcript_hit_opens_the_player_at_the_cues_time(tab, samples):
    """"nhà sư" is only in the Khmer New Year recording's captions: the hit lists its cues, and the first cue's link
    opens the item with the player at the cue's start (?t=); a media fragment (#t=) does the same."""
    page = tab.page
    tab.goto("/{lang}/search?q=nh%C3%A0%20s%C6%B0")
    link = page.locator("ol.hits a.cue-hit").first
    start = float(link.get_attribute("data-start"))
    assert start == 15.62 and link.locator("mark").count() == 2
    tab.check("search-transcript")
    with page.expect_navigation():
        link.click()
    assert urlsplit(page.url).query == "canvas=1&t=15.62"
    page.wait_for_function("() => document.querySelector('audio').readyState >= 1")
    page.wait_for_function(f"() => Math.abs(document.querySelector('audio').currentTime - {start}) < 1")
    assert abs(page.locator("audio").evaluate("a => a.currentTime") - start) < 1
    tab.goto(f"/{{lang}}/items/{samples['captioned-video']}#t=5.867")
    page.wait_for_function("() => document.querySelector('video').readyState >= 1")
    page.wait_for_function("() => Math.abs(document.querySelector('video').currentTime - 5.867) < 1")
    tab.assert_clean("item-at-time")


def test_exhibits(tab):
    page = tab.page
    for slug in EXHIBITS:
        tab.goto(f"/{{lang}}/exhibits/{slug}")
        assert page.locator("h1").inner_text().strip()
        assert page.locator(f".exhibit-item a[href^='/{tab.lang}/items/']").count() >= 2
        # Scroll through so the lazy images load, then every image must have decoded.
        page.evaluate("""async () => { for (let y = 0; y < document.body.scrollHeight; y += innerHeight) {
            scrollTo(0, y); await new Promise(r => setTimeout(r, 60)); } }""")
        page.wait_for_load_state("networkidle")
        broken = page.evaluate("[...document.images].filter(i => !i.complete || !i.naturalWidth).map(i => i.src)")
        assert not broken, broken
        tab.check(f"exhibit-{slug}")


def test_language_switch_stays_on_the_page(tab, samples):
    page = tab.page
    other = "en" if tab.lang == "vi" else "vi"
    for path in ("/{lang}/search?q=lantern&community=hoa", f"/{{lang}}/items/{samples['captioned-audio']}"):
        tab.goto(path)
        before = urlsplit(page.url)
        with page.expect_navigation():
            page.locator("a.lang-switch").click()
        after = urlsplit(page.url)
        assert after.path == before.path.replace(f"/{tab.lang}/", f"/{other}/", 1), (before, after)
        assert parse_qs(after.query) == parse_qs(before.query)
        assert page.locator("html").get_attribute("lang") == other
        assert page.locator(f"a.lang-switch[hreflang='{tab.lang}']").count() == 1
    tab.check("switched")


@pytest.mark.parametrize("kind", ["image", "document", "set", "audio", "video"])
def test_item_page_transfer_budget(browser, server, samples, kind):
    """What a phone with an empty cache downloads for an item page, leaving out tiles, AV streams and fonts."""
    context: BrowserContext = browser.new_context(**DEVICES["phone"])
    try:
        page = context.new_page()
        finished: list[Request] = []
        page.on("requestfinished", lambda request: finished.append(request))
        response = page.goto(f"{server.url}/en/items/{samples[kind]}", wait_until="load")
        assert response.status == 200
        page.wait_for_load_state("networkidle")
        counted = {}
        for request in finished:
            if request.resource_type in NOT_IN_BUDGET:
                continue
            sizes = request.sizes()
            counted[f"{request.resource_type} {urlsplit(request.url).path}"] = \
                sizes["responseBodySize"] + sizes["responseHeadersSize"]
        total = sum(counted.values())
        listing = "\n".join(f"{size:>8} {what}" for what, size in sorted(counted.items(), key=lambda kv: -kv[1]))
        print(f"\n{kind} item page: {total} bytes of HTML, CSS, JS and text\n{listing}")
        assert any(what.startswith("document ") for what in counted) and any(what.startswith("stylesheet ")
                                                                            for what in counted)
        assert total <= ITEM_BUDGET, f"{kind} item page transfers {total} bytes > {ITEM_BUDGET}:\n{listing}"
    finally:
        context.close()
