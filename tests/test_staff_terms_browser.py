"""The staff vocabulary pages in headless Chromium at phone size (360×740), against the real app (waitress): each new
page — the vocabularies, a vocabulary's terms, the add form (also refused with field errors), a term's form, the
merge confirmation, the versions, a festival's date rule, the collections — is axe-core clean (no serious or
critical violations), fits the screen and logs no errors, in Vietnamese and English; an admin picks a place's
coordinates on the form's map."""
from __future__ import annotations

import re

import pytest

from playwright.sync_api import expect

from archive import accounts, terms

from .live_server import live_app
from .staff_client import PASSWORD, import_items
from .test_site_browser import DEVICES, Tab, _axe_source


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("terms-browser") / "var"
    with live_app(data_dir) as live:
        accounts.create_user(live.archive, "admin1", PASSWORD, "admin")
        import_items(live.archive, data_dir.parent, [{"title": {"vi": "Lồng đèn", "en": "Lanterns"},
                                                      "community": "hoa", "subjects": ["lanterns"]}])
        yield live


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_each_vocabulary_page_is_axe_clean_on_a_phone(browser, site, lang):
    context = browser.new_context(**DEVICES["phone"])
    try:
        tab = Tab(context.new_page(), site.url, "phone", lang, _axe_source())
        page = tab.page
        tab.goto("/{lang}/staff/login")
        page.fill("#username", "admin1")
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click(".signin button[type=submit]")
        tab.goto("/{lang}/staff/terms/")
        tab.check("staff-terms")
        tab.goto("/{lang}/staff/terms/places/")
        tab.check("staff-terms-places")
        tab.goto("/{lang}/staff/terms/places/new")
        tab.check("staff-term-new")
        # A coordinate that is no number: the form comes back (400) with the field marked and named.
        page.fill("#f-id", f"dinh-{lang}")
        page.fill("#f-label-vi", "Đình thử")
        page.fill("#f-label-en", "A test hall")
        page.select_option("#f-kind", "historic-site")
        page.fill("#f-coordinates-lat", "north")
        page.fill("#f-coordinates-lon", "106.7")
        with page.expect_navigation() as navigation:
            page.click(".term-form button[type=submit]")
        assert navigation.value.status == 400
        assert page.locator("#f-coordinates-lat").get_attribute("aria-invalid") == "true"
        assert page.locator(".error-summary li[data-field='coordinates.lat']").count() == 1
        tab.responses.clear()  # the 400 (and the console's note of it) is the answer expected here
        tab.errors = [e for e in tab.errors if "status of 400" not in e]
        tab.check("staff-term-refused")
        page.fill("#f-coordinates-lat", "10.76")
        with page.expect_navigation():
            page.click(".term-form button[type=submit]")
        assert re.search(rf"/{lang}/staff/terms/places/dinh-{lang}$", page.url)
        # The saved point on the small map the public place page uses.
        assert page.locator("[data-map]").get_attribute("data-lat") == "10.76"
        expect(page.locator("[data-map] .leaflet-marker-icon")).to_have_count(1)
        tab.check("staff-term-edit")
        tab.goto("/{lang}/staff/terms/subjects/lanterns")
        page.select_option("#f-into", "worship")
        with page.expect_navigation():
            page.click(".merge-form button[type=submit]")
        assert page.locator("input[name=confirm]").count() == 1
        tab.check("staff-term-merge")
        tab.goto(f"/{{lang}}/staff/terms/places/dinh-{lang}/history")
        tab.check("staff-term-history")
        tab.goto("/{lang}/staff/terms/festivals/kate")  # the date rule and announced dates
        tab.check("staff-term-festival")
        tab.goto("/{lang}/staff/terms/collections/")
        tab.check("staff-collections")
        tab.goto("/{lang}/staff/terms/collections/new")
        page.fill("#f-id", f"bo-{lang}")
        page.fill("#f-title-vi", "Bộ thử")
        page.fill("#f-title-en", "A test set")
        with page.expect_navigation():
            page.click(".term-form button[type=submit]")
        assert re.search(rf"/{lang}/staff/terms/collections/bo-{lang}$", page.url)
        tab.check("staff-collection")
    finally:
        context.close()


def test_an_admin_picks_a_place_s_coordinates_on_the_map(browser, site):
    """Clicking the place form's map sets the typed coordinates (and typing moves the marker); the point saved is the
    one clicked. The map is the shipped offline outline: no request leaves the site."""
    context = browser.new_context(**DEVICES["phone"])
    try:
        tab = Tab(context.new_page(), site.url, "phone", "en", _axe_source())
        page = tab.page
        tab.goto("/{lang}/staff/login")
        page.fill("#username", "admin1")
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click(".signin button[type=submit]")
        tab.goto("/{lang}/staff/terms/places/new")
        picker = page.locator("[data-map][data-pick-lat]")
        expect(picker).to_have_attribute("data-state", "ready")
        expect(picker).to_have_attribute("data-base", "outlines")
        page.fill("#f-id", "dinh-picked")
        page.fill("#f-label-vi", "Đình chọn trên bản đồ")
        page.fill("#f-label-en", "A hall picked on the map")
        page.select_option("#f-kind", "historic-site")
        picker.scroll_into_view_if_needed()
        box = picker.bounding_box()
        x, y = round(box["width"] * 0.3), round(box["height"] * 0.6)

        def click() -> tuple[tuple[float, float], float]:
            """Click the map; the point under the click and how far one pixel reaches there (a click lands on a
            whole pixel)."""
            under, pixel = page.evaluate("""([x, y]) => {
                const map = document.querySelector('[data-pick-lat]').leafletMap;
                const p = map.containerPointToLatLng([x, y]), q = map.containerPointToLatLng([x + 1, y + 1]);
                return [[p.lat, p.lng], Math.max(Math.abs(q.lat - p.lat), Math.abs(q.lng - p.lng))]; }""", [x, y])
            picker.click(position={"x": x, "y": y})
            return under, pixel

        clicked, pixel = click()
        assert 0 < pixel < 0.002  # the map opens on the city, close enough to pick a building
        lat, lon = float(page.input_value("#f-coordinates-lat")), float(page.input_value("#f-coordinates-lon"))
        assert abs(lat - clicked[0]) <= 1.5 * pixel and abs(lon - clicked[1]) <= 1.5 * pixel
        expect(picker.locator(".leaflet-marker-icon")).to_have_count(1)
        tab.check("staff-term-pick")
        # Typing moves the marker (and the map to it); a click then wins again.
        page.fill("#f-coordinates-lat", "10.75")
        page.fill("#f-coordinates-lon", "106.66")
        marker = page.evaluate("() => { const p = document.querySelector('[data-pick-lat]').pickMarker.getLatLng();"
                               " return [p.lat, p.lng]; }")
        assert marker == [10.75, 106.66]
        clicked, pixel = click()
        lat, lon = float(page.input_value("#f-coordinates-lat")), float(page.input_value("#f-coordinates-lon"))
        assert (lat, lon) != (10.75, 106.66)
        with page.expect_navigation():
            page.click(".term-form button[type=submit]")
        assert page.url.endswith("/en/staff/terms/places/dinh-picked")
        stored = terms.get_term(site.archive, "places", "dinh-picked").data["coordinates"]
        assert (stored["lat"], stored["lon"]) == (lat, lon)  # what the click typed, saved
        assert abs(stored["lat"] - clicked[0]) <= 1.5 * pixel and abs(stored["lon"] - clicked[1]) <= 1.5 * pixel
        expect(page.locator("[data-map] .leaflet-marker-icon")).to_have_count(1)
        tab.check("staff-term-picked")
    finally:
        context.close()
