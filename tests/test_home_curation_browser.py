"""The home-page curation staff page in headless Chromium on a phone (tests/test_site_browser.py's Tab: axe-core, no
overflow, no console error, no request to another host), in Vietnamese and English: an editor adds two exhibits and
an item and swaps the exhibits with the keyboard alone; an anonymous visitor's home page shows them in that order."""
from __future__ import annotations

import re

import pytest

from archive import accounts, exhibit_store
from tests.live_server import live_app
from tests.staff_client import import_items
from tests.test_site_browser import DEVICES, LANGS, Tab, _axe_source

PASSWORD = "a long staff password"


@pytest.fixture
def server(tmp_path):
    with live_app(tmp_path / "var") as live:
        accounts.create_user(live.archive, "editor", PASSWORD, "editor", display_name="Lan Editor")
        ids = import_items(live.archive, tmp_path,
                           [{"title": {"vi": "Đèn lồng", "en": "Lanterns"}, "community": "hoa"}])
        for slug, word in (("tet", "Tết"), ("kate", "Katê")):
            exhibit_store.create(live.archive, slug, {
                "title": {"vi": f"Chuyên đề {word}", "en": f"Exhibit {word}"},
                "summary": {"vi": "Tóm tắt", "en": "Summary"}, "community": "cham",
                "blocks": [{"type": "text", "text": {"vi": "Đoạn.", "en": "Paragraph."}}]}, None, status="published")
        yield live, ids[0]


@pytest.mark.parametrize("lang", LANGS)
def test_an_editor_orders_the_home_page_with_the_keyboard_on_a_phone(browser, server, lang):
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
    tab.goto("/{lang}/staff/home")
    tab.check("staff-home-empty")
    for slug in ("kate", "tet"):
        page.select_option("#add-exhibit", slug)
        page.focus("#add-exhibit")
        page.keyboard.press("Tab")  # to "Add the exhibit"
        with page.expect_navigation():
            page.keyboard.press("Enter")
    page.focus("#add-item")
    page.keyboard.type(item_id)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#items-0 code").inner_text() == item_id
    exhibit = "Chuyên đề" if lang == "vi" else "Exhibit"
    assert page.locator("#exhibits li .staff-list-title").all_inner_texts() == [f"{exhibit} Katê", f"{exhibit} Tết"]
    page.locator("#exhibits-0 button").first.focus()  # "Move down" (the first entry has no "Move up")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#exhibits li .staff-list-title").all_inner_texts() == [f"{exhibit} Tết", f"{exhibit} Katê"]
    tab.check("staff-home-chosen")
    context.close()
    _visitor_sees(browser, live, lang)


def _visitor_sees(browser, live, lang: str) -> None:
    context = browser.new_context(**DEVICES["phone"])
    page = context.new_page()
    page.goto(f"{live.url}/{lang}/")
    exhibit = "Chuyên đề" if lang == "vi" else "Exhibit"
    assert page.locator("section[aria-labelledby=h-exhibits] .cards li h3").all_inner_texts() == [
        f"{exhibit} Tết", f"{exhibit} Katê"]
    assert page.locator("section[aria-labelledby=h-featured-items]").inner_text().count(
        "Đèn lồng" if lang == "vi" else "Lanterns") == 1
    context.close()
