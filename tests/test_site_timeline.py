"""The timeline (/{lang}/timeline): decades and years with the counts of what the viewer may see, equal to what the
search page's date filter finds through the timeline's own links; approximate, uncertain, unspecified and ranged
dates said as such in both languages; restricted, draft and embargoed items never counted for the public; odd
``?decade=``/``?year=`` a 400 naming the parameter; the page in headless Chromium at phone size, checked with axe."""
from __future__ import annotations

import html
import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from archive import accounts, publishing
from archive.context import Archive
from archive.web import create_app
from tests.conftest import make_settings
from tests.live_server import live_app
from tests.staff_client import import_items, sign_in

SECRET = "quackleberry"  # only in the titles of the items the public may not see
PUBLIC = {  # id: recorded date
    "t-day": "1965-04-30", "t-sixties": "196X", "t-about": "1975~", "t-maybe": "1975?", "t-both": "1976%",
    "t-between": "1968/1975", "t-onwards": "1975/..", "t-upto": "../1962", "t-nineties": "1991-07", "t-undated": None,
}
HIDDEN = {"t-restricted": "1935", "t-draft": "1936", "t-embargoed": "1937", "t-researchers": "1965"}
# What the public sees, written out from the dates above (the rule: an item counts wherever its dates could fall).
PUBLIC_DECADES = {  # decade: (within, approximate or uncertain, reaching beyond)
    1960: (2, 0, 2),  # 1965-04-30, 196X | — | 1968/1975, ../1962
    1970: (0, 3, 2),  # — | 1975~, 1975?, 1976% | 1968/1975, 1975/..
    1980: (0, 0, 1),  # 1975/..
    1990: (1, 0, 1),  # 1991-07 | 1975/..
}
STAFF_DECADES = {1930: 4, 1940: 1, 1950: 1, 1960: 5, 1970: 5, 1980: 1, 1990: 2}  # ../1962 reaches back to them


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("timeline")
    settings = make_settings(root / "var")
    archive = Archive(settings)
    records = [{"id": item_id, "title": {"vi": f"Tư liệu {item_id}", "en": f"Item {item_id}"}, "community": "hoa",
                **({"date": when} if when else {})} for item_id, when in PUBLIC.items()]
    records += [{"id": item_id, "title": {"vi": f"Mật {SECRET}", "en": f"Secret {SECRET}"}, "community": "cham",
                 "date": when, "access": {"t-restricted": "restricted", "t-researchers": "researchers"}.get(
                     item_id, "public")} for item_id, when in HIDDEN.items()]
    import_items(archive, root, records)
    editor = accounts.viewer_of(accounts.create_user(archive, "editor", "correct horse battery", "editor"))
    publishing.unpublish(archive, "t-draft", editor)
    publishing.set_access(archive, "t-embargoed", "public", editor, embargo_until=date.today() + timedelta(days=30))
    app = create_app(settings, archive)
    staff = app.test_client()
    assert sign_in(staff, "editor").status_code == 302
    yield {"anonymous": app.test_client(), "staff": staff, "settings": settings}
    archive.catalog.dispose()


def _page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def _periods(page: str, attribute: str) -> dict[int, tuple[int, str]]:
    """Each period row of a timeline page: its count and the search link it offers."""
    found = {}
    for start, body in re.findall(rf'<li class="period" {attribute}="(\d+)">(.*?)</li>', page, re.S):
        link = re.search(r'<a class="search-range" href="([^"]+)">(\d+) ', body)
        if link:
            found[int(start)] = (int(link.group(2)), html.unescape(link.group(1)))
    return found


def _search_total(client, url: str) -> int:
    page = _page(client, url)
    return int(re.search(r'class="results-count"[^>]*>(\d+) ', page).group(1))


def test_the_public_sees_the_decades_of_the_public_items_only(site):
    page = _page(site["anonymous"], "/en/timeline")
    assert {d: n for d, (n, _) in _periods(page, "data-decade").items()} == {
        d: sum(parts) for d, parts in PUBLIC_DECADES.items()}
    for decade, (within, qualified, spanning) in PUBLIC_DECADES.items():
        row = re.search(rf'data-decade="{decade}">(.*?)</li>', page, re.S).group(1)
        for number, words in ((within, "dated within the decade"), (qualified, "approximate or uncertain"),
                              (spanning, "with a range of dates reaching beyond the decade")):
            assert (f"{number} {words}" in row) == bool(number), (decade, words, row)
    assert SECRET not in page and "1930s" not in page
    assert "1 item has no date." in page


def test_staff_see_every_item_counted(site):
    page = _page(site["staff"], "/en/timeline")
    assert {d: n for d, (n, _) in _periods(page, "data-decade").items()} == STAFF_DECADES


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_each_count_is_what_its_search_link_finds(site, who):
    """Decades and the years of two decades: the count equals the total of the search the row links to, and that
    search carries the period as its date filter."""
    client = site[who]
    checked = 0
    for url, attribute, span in (("/en/timeline", "data-decade", 9), ("/vi/timeline?decade=1960", "data-year", 0),
                                 ("/en/timeline?decade=1970", "data-year", 0)):
        for start, (count, link) in _periods(_page(client, url), attribute).items():
            parts = urlsplit(link)
            assert parts.path.endswith("/search")
            assert parse_qs(parts.query) == {"date_from": [str(start)], "date_to": [str(start + span)]}
            assert _search_total(client, link) == count, (who, link)
            checked += 1
    assert checked >= 10


def test_restricted_items_are_never_counted_for_the_public(site):
    anonymous = site["anonymous"]
    for url in ("/en/timeline?decade=1930", "/vi/timeline?decade=1930", "/en/timeline?year=1935",
                "/en/timeline?decade=1960", "/en/timeline?year=1965"):
        page = _page(anonymous, url)
        assert SECRET not in page and "t-restricted" not in page and "t-researchers" not in page, url
    thirties = _page(anonymous, "/en/timeline?decade=1930")  # only ../1962 could date from then
    assert set(_dated_rows(thirties)) == {"t-upto"}
    assert {year: n for year, (n, _) in _periods(thirties, "data-year").items()} == {y: 1 for y in range(1930, 1940)}
    assert _periods(_page(anonymous, "/en/timeline?decade=1960"), "data-year")[1965][0] == 2  # not the researchers'
    assert _periods(_page(site["staff"], "/en/timeline?decade=1960"), "data-year")[1965][0] == 3
    assert _periods(_page(site["staff"], "/en/timeline?decade=1930"), "data-year")[1935][0] == 2  # and ../1962


LABELS = {  # item: (English, Vietnamese) words for its date
    "t-day": ("April 30, 1965", "30 tháng 4 1965"),  # archive.web.present.edtf_date
    "t-sixties": ("sometime between 1960 and 1969", "vào một thời điểm từ năm 1960 đến năm 1969"),
    "t-between": ("between 1968 and 1975", "trong khoảng từ năm 1968 đến năm 1975"),
    "t-upto": ("up to 1962, with no start", "cho đến năm 1962, không có điểm bắt đầu"),
    "t-about": ("about 1975 (approximate)", "khoảng 1975 (ước chừng)"),
    "t-maybe": ("1975, uncertain", "1975, chưa chắc chắn"),
    "t-both": ("about 1976, uncertain", "khoảng 1976, chưa chắc chắn"),
    "t-onwards": ("from 1975 on, with no end", "từ năm 1975 trở đi, không có điểm kết thúc"),
}


def _dated_rows(page: str) -> dict[str, tuple[str, str, str]]:
    """Item id: (class, kind, words of its date) in a decade page's list."""
    rows = re.findall(r'<li class="dated-item ([\w-]+)" data-kind="([\w-]+)">\s*<a class="dated-title" '
                      r'href="/\w\w/items/([\w-]+)".*?<span class="date-words">(.*?)</span>', page, re.S)
    return {item: (cls, kind, html.unescape(" ".join(words.split()))) for cls, kind, item, words in rows}


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_uncertain_approximate_and_ranged_dates_are_said_as_such(site, lang):
    rows = {**_dated_rows(_page(site["anonymous"], f"/{lang}/timeline?decade=1960")),
            **_dated_rows(_page(site["anonymous"], f"/{lang}/timeline?decade=1970"))}
    for item, words in LABELS.items():
        assert rows[item][2] == words[lang == "vi"], (item, rows[item])
    for item in ("t-about", "t-maybe", "t-both"):
        assert rows[item][:2] == ("dated-qualified", "date")
    assert rows["t-sixties"][:2] == ("dated-spanning", "unspecified")
    assert rows["t-between"][:2] == ("dated-spanning", "interval")
    assert rows["t-onwards"][:2] == ("dated-spanning", "from")
    assert rows["t-day"][:2] == ("dated-within", "date")
    page = _page(site["anonymous"], f"/{lang}/timeline?decade=1970")
    assert "1975~" in page and "1968/1975" in page  # the recorded value beside the words


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_item_pages_and_cards_say_uncertain_dates_as_the_timeline_does(site, lang):
    """One way to read a date in words (templates/macros.html date_words): item pages and result cards too."""
    for item, words in LABELS.items():
        expected = words[lang == "vi"]
        page = html.unescape(_page(site["anonymous"], f"/{lang}/items/{item}"))
        assert re.search(rf"<dd>{re.escape(expected)}( <span class=\"small\">\({re.escape(PUBLIC[item])}\)</span>)?</dd>",
                         page), (item, expected)
        if PUBLIC[item] != "1965-04-30":
            assert f"({PUBLIC[item]})" in page  # the recorded value beside the words
    cards = html.unescape(_page(site["anonymous"], f"/{lang}/search?q=&date_from=1970&date_to=1979"))
    for item in ("t-about", "t-maybe", "t-between"):
        assert f" · {LABELS[item][lang == 'vi']}" in cards, item


def test_a_year_narrows_the_items_and_links_back(site):
    page = _page(site["anonymous"], "/en/timeline?year=1975")
    assert set(_dated_rows(page)) == {"t-about", "t-maybe", "t-between", "t-onwards"}
    assert 'href="/en/timeline?year=1975" aria-current="true"' in page
    assert _dated_rows(_page(site["anonymous"], "/en/timeline?decade=1970&year=1975")) == _dated_rows(page)
    assert 'href="/en/timeline?decade=1970">Show the whole decade</a>' in page


@pytest.mark.parametrize("query, parameter", [
    ("decade=1965", "decade"), ("decade=abc", "decade"), ("decade=%C2%B2", "decade"), ("decade=-10", "decade"),
    ("decade=99999", "decade"), ("decade=1e3", "decade"), ("year=0", "year"), ("year=19x5", "year"),
    ("year=10000", "year"), ("decade=1970&year=1985", "year"), ("decade=1970&page=0", "page"),
])
def test_odd_periods_are_a_400_naming_the_parameter(site, query, parameter):
    for lang in ("en", "vi"):
        page = _page(site["anonymous"], f"/{lang}/timeline?{query}", 400)
        assert f"{parameter}: " in page, (query, page[-1500:])


def test_the_timeline_is_linked_from_explore(site):
    assert 'href="/en/timeline"' in _page(site["anonymous"], "/en/browse")


# In a real browser, at phone size ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(site):
    with live_app(site["settings"].data_path, threads=4) as live:
        yield live


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_timeline_on_a_phone_by_keyboard_with_axe(browser, server, lang):
    from tests.test_site_browser import DEVICES, Tab, _axe_source

    context = browser.new_context(**DEVICES["phone"])
    try:
        tab = Tab(context.new_page(), server.url, "phone", lang, _axe_source())
        page = tab.page
        tab.goto("/{lang}/timeline")
        assert page.locator("li.period[data-decade]").count() == len(PUBLIC_DECADES)
        tab.check("timeline")
        # By keyboard: Tab until the 1970s link has the focus, Enter opens the decade.
        link = page.locator("li.period[data-decade='1970'] .period-name a")
        for _ in range(40):
            page.keyboard.press("Tab")
            if link.evaluate("a => a === document.activeElement"):
                break
        else:
            pytest.fail("the 1970s link never took the focus")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert parse_qs(urlsplit(page.url).query) == {"decade": ["1970"]}
        assert page.locator(".dated-item[data-kind='interval'] .date-words").inner_text().strip() == \
            {"en": "between 1968 and 1975", "vi": "trong khoảng từ năm 1968 đến năm 1975"}[lang]
        assert page.locator(".dated-qualified").count() == 3
        tab.check("timeline-decade")
        # A year's count leads to the search page with that year as the date filter.
        year = page.locator("li.period[data-year='1975'] a.search-range")
        expected = int(re.match(r"\d+", year.inner_text()).group())
        with page.expect_navigation():
            year.click()
        assert parse_qs(urlsplit(page.url).query) == {"date_from": ["1975"], "date_to": ["1975"]}
        assert int(re.match(r"\d+", page.locator(".results-count").inner_text()).group()) == expected == 4
        tab.assert_clean("timeline-search")
    finally:
        context.close()
