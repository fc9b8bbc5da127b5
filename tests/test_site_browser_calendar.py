"""The festival calendar page in headless Chromium at phone size (and desktop), in both languages: the 2027 page
shows Tết Nguyên Tiêu on 20 February 2027 and Ok Om Bok on 12 November 2027, links each festival to its items, and
passes the checks every page passes (axe-core, no overflow, no request to another host)."""
from __future__ import annotations

import pytest

from tests.test_site_browser import DEVICES, LANGS, Tab, _axe_source, contexts, server  # noqa: F401 (fixtures)

EXPECTED_2027 = {"tet-nguyen-tieu": ("2027-02-20", {"vi": "20 tháng 2, 2027", "en": "February 20, 2027"}),
                 "ok-om-bok": ("2027-11-12", {"vi": "12 tháng 11, 2027", "en": "November 12, 2027"})}


@pytest.fixture(params=[(d, lang) for d in DEVICES for lang in LANGS], ids=lambda p: f"{p[0]}-{p[1]}")
def tab(request, contexts, server):  # noqa: F811
    device, lang = request.param
    page = contexts[device].new_page()
    page.set_default_timeout(15_000)
    yield Tab(page, server.url, device, lang, _axe_source())
    page.close()


def test_calendar_2027(tab):
    page = tab.page
    tab.goto("/{lang}/calendar?year=2027")
    assert page.locator("h1").inner_text().endswith("2027")
    for festival, (iso, shown) in EXPECTED_2027.items():
        entry = page.locator(f"li.festival-date#{festival}")
        when = entry.locator("p.when time")
        assert when.count() == 1 and when.get_attribute("datetime") == iso, festival
        assert when.inner_text() == shown[tab.lang]
        assert entry.locator(f"a[href='/{tab.lang}/search?festival={festival}']").count() == 1
    assert page.locator("li.festival-date#ok-om-bok [lang='km']").inner_text() == "បុណ្យអកអំបុក"
    # Katê has no announced date for 2027: said so, not guessed
    assert page.locator("li.festival-date#kate p.when time").count() == 0
    # the Katê exhibit is linked from its festival
    assert page.locator(f"li.festival-date#kate a[href='/{tab.lang}/exhibits/kate-festival']").count() == 1
    assert page.locator(f"nav.site-nav a[href='/{tab.lang}/calendar']").count() == 1
    tab.check("calendar-2027")
