"""The map of places in headless Chromium (tests/test_site_browser.py's Tab: axe-core, no overflow, no console error,
no request to another host), at a phone and a desktop, in Vietnamese and English: every place with coordinates is on
the map (alone or counted in a group), a marker opens the place's card by pointer and by keyboard, the place and
item pages draw their small map, and HERITAGE_MAP_TILES switches the base layer to the agency's tile server."""
from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from PIL import Image
from sqlalchemy import select

from archive.catalog.models import Item
from archive.vocabularies import Vocabularies
from tests.live_server import live_app
from tests.test_site_browser import DEVICES, LANGS, Tab, _axe_source

PLACES = {t["id"]: t for t in Vocabularies().terms("places") if t.get("coordinates")}
READY = "[data-map][data-state='ready']"


@pytest.fixture(scope="module")
def server(sample_archive):
    with live_app(sample_archive.settings.data_path, threads=6) as live:
        yield live


@pytest.fixture(params=[(d, lang) for d in DEVICES for lang in LANGS], ids=lambda p: f"{p[0]}-{p[1]}")
def tab(request, browser, server):
    device, lang = request.param
    context = browser.new_context(**DEVICES[device])
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield Tab(page, server.url, device, lang, _axe_source())
    context.close()


def _shown(page) -> dict:
    """What the map shows: the titles of the markers standing alone and the counts of the groups."""
    return page.evaluate("""() => ({
        alone: [...document.querySelectorAll('.leaflet-marker-icon:not(.marker-cluster)')].map(m => m.title),
        grouped: [...document.querySelectorAll('.leaflet-marker-icon.marker-cluster')]
            .map(c => Number(c.querySelector('[aria-hidden]').textContent))})""")


def _name(term: dict, lang: str) -> str:
    return term["label"].get(lang) or term["label"]["vi"]


def test_every_place_is_on_the_map_and_a_marker_opens_its_card(tab):
    page = tab.page
    tab.goto("/{lang}/map")
    page.wait_for_selector(f"{READY}[data-base='outlines'] svg path", state="attached")
    basemap = [r for r in tab.responses if urlsplit(r.url).path == "/assets/vendor/map/basemap.json"]
    assert basemap and basemap[0].status == 200, "the offline base layer was not loaded from the archive"
    shown = _shown(page)
    assert len(shown["alone"]) + sum(shown["grouped"]) == len(PLACES) == page.locator("#map-places > li").count()
    assert set(shown["alone"]) <= {_name(t, tab.lang) for t in PLACES.values()}
    assert shown["grouped"], "the places of District 5 are close together: they should be grouped"

    # The group holding a place opens into its markers (Enter on a focused group, as a click zooms in); a marker
    # opens its card (names in every script, kind, community, links).
    term = PLACES["tue-thanh-hoi-quan"]
    for _ in range(8):
        if page.locator(f".leaflet-marker-icon[title=\"{_name(term, tab.lang)}\"]").count():
            break
        # (a group zoomed past fades out while the next draws: only the one now holding the place is marked)
        page.evaluate("""place => { const group = document.querySelector('[data-map]').mapGroup;
            const marker = group.getLayers().find(m => m.placeId === place);
            document.querySelectorAll('[data-holds]').forEach(e => e.removeAttribute('data-holds'));
            group.getVisibleParent(marker).getElement().setAttribute('data-holds', place); }""", "tue-thanh-hoi-quan")
        page.locator("[data-holds='tue-thanh-hoi-quan']").focus()
        page.keyboard.press("Enter")
        page.wait_for_timeout(600)  # the zoom animation
    assert len(_shown(page)["alone"]) > len(shown["alone"])
    page.locator(f".leaflet-marker-icon[title=\"{_name(term, tab.lang)}\"]").click()
    card = page.locator(".leaflet-popup-content .place-card")
    card.wait_for()
    assert card.locator("h3").inner_text() == _name(term, tab.lang)
    assert card.locator("[lang='zh-Hant']").inner_text() == "穗城會館"
    assert card.locator(f"a[href='/{tab.lang}/communities/hoa']").count() == 1
    assert card.locator(f"a[href='/{tab.lang}/search?place=tue-thanh-hoi-quan']").count() == 1
    # Followed with the keyboard: a mouse click could land while the popup still pans into view on a busy machine
    # (seen in CI on a phone); the place page's own small map may still be loading: its HTML is what this checks.
    with page.expect_navigation(url=f"**/{tab.lang}/places/tue-thanh-hoi-quan", wait_until="domcontentloaded",
                                timeout=60_000):
        card.locator(f"a[href='/{tab.lang}/places/tue-thanh-hoi-quan']").first.press("Enter")
    assert page.locator("h1").inner_text() == _name(term, tab.lang)
    page.go_back()
    page.wait_for_selector(READY)
    tab.check("map")


def test_a_marker_opens_its_card_from_the_keyboard(tab):
    page = tab.page
    tab.goto("/{lang}/map")
    page.wait_for_selector(READY)
    term = PLACES["dia-dao-cu-chi"]  # far from the city centre: a marker of its own
    marker = page.locator(f".leaflet-marker-icon[title=\"{_name(term, tab.lang)}\"]")
    assert marker.get_attribute("tabindex") == "0" and marker.get_attribute("role") == "button"
    marker.focus()
    page.keyboard.press("Enter")
    card = page.locator(".leaflet-popup-content .place-card")
    card.wait_for()
    assert card.locator("h3").inner_text() == _name(term, tab.lang)
    assert page.evaluate("document.activeElement.closest('.place-card h3') !== null"), "focus did not go to the card"
    page.keyboard.press("Escape")
    card.wait_for(state="detached")
    assert page.evaluate("document.activeElement.title") == _name(term, tab.lang), "focus did not come back"
    tab.check("map-keyboard")


def test_place_and_item_pages_draw_a_small_map(tab, sample_archive):
    page = tab.page
    tab.goto("/{lang}/places/chua-chantarangsay")
    page.wait_for_selector(".map-small .leaflet-marker-icon")
    assert page.locator(".map-small .leaflet-marker-icon").get_attribute("title") == \
        _name(PLACES["chua-chantarangsay"], tab.lang)
    tab.check("place-map")
    with sample_archive.catalog.session() as s:
        item_id = s.scalars(select(Item.id).where(Item.status == "published", Item.access == "public",
                                                  Item.embargo_until.is_(None), Item.place.is_not(None))
                            .order_by(Item.id)).first()
    assert item_id, "no public sample item has a place"
    tab.goto(f"/{{lang}}/items/{item_id}")
    page.wait_for_selector(".map-small .leaflet-marker-icon")
    tab.check("item-map")


class _Tiles(BaseHTTPRequestHandler):
    """A tile server of the agency's: the same 256×256 PNG for every /{z}/{x}/{y}.png."""

    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 220, 200)).save(buffer, "PNG")
    png = buffer.getvalue()

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.png)))
        self.end_headers()
        self.wfile.write(self.png)

    def log_message(self, *args):
        pass


def test_map_tiles_setting_draws_the_agencys_tiles(browser, sample_archive):
    tiles = ThreadingHTTPServer(("127.0.0.1", 0), _Tiles)
    threading.Thread(target=tiles.serve_forever, daemon=True).start()
    template = f"http://127.0.0.1:{tiles.server_port}/{{z}}/{{x}}/{{y}}.png"
    try:
        with live_app(sample_archive.settings.data_path, map_tiles=template, map_attribution="Sở Văn hóa") as live:
            context = browser.new_context(**DEVICES["phone"])
            page = context.new_page()
            requests, errors = [], []
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            response = page.goto(f"{live.url}/en/map", wait_until="load")
            assert f"img-src 'self' {live.url} http://127.0.0.1:{tiles.server_port} " in \
                response.headers["content-security-policy"]
            page.wait_for_selector(f"{READY} img.leaflet-tile-loaded")
            page.wait_for_load_state("networkidle")
            context.close()
    finally:
        tiles.shutdown()
    foreign = [u for u in requests if not u.startswith(live.url + "/") and not u.startswith("data:")]
    assert foreign and all(urlsplit(u).port == tiles.server_port and u.endswith(".png") for u in foreign), foreign
    assert not any(urlsplit(u).path == "/assets/vendor/map/basemap.json" for u in requests)
    assert not errors, errors


def test_without_map_tiles_pages_allow_images_from_the_archive_alone(client, sample_archive):
    csp = dict(d.strip().split(" ", 1) for d in client.get("/en/map").headers["Content-Security-Policy"].split(";"))
    assert csp["img-src"] == f"'self' {sample_archive.settings.base_url} data: blob:"
    assert csp["connect-src"] == f"'self' {sample_archive.settings.base_url}"
