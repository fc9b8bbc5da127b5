"""The staff vocabulary pages in headless Chromium at phone size (360×740), against the real app (waitress): each new
page — the vocabularies, a vocabulary's terms, the add form (also refused with field errors), a term's form, the
merge confirmation and the versions — is axe-core clean (no serious or critical violations), fits the screen and
logs no errors, in Vietnamese and English."""
from __future__ import annotations

import re

import pytest

from playwright.sync_api import expect

from archive import accounts

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
    finally:
        context.close()
