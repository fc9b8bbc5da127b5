"""Festival dates: âm lịch conversion against a published table, each festival's 2024–2030 dates against dated
sources, announced Cham/Islamic dates, and the lunar date expressions written on items."""
from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest

from archive.calendar import FestivalCalendar, UnreadableLunarDate, lunar_to_solar, parse_lunar_date
from archive.errors import InvalidRecord
from archive.records import validate_record
from archive.vocabularies import Vocabularies

TABLE = Path(__file__).parent / "fixtures" / "vietnamese_lunar_dates_1901_2100.csv"
VOCAB = Vocabularies()
CALENDAR = FestivalCalendar(VOCAB)


def _table() -> list[dict]:
    with open(TABLE, encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


# Hồ Ngọc Đức's tables (vnlunar's) follow the calendar in use before 1968, which the UTC+7 table of python-holidays
# does not; these are the only years the two disagree on, by one day each.
BEFORE_1968 = {"tet": {1903, 1925, 1935, 1965}, "hung_kings": {1916, 1917, 1939}}


@pytest.mark.parametrize("column,lunar_day,lunar_month", [("tet", 1, 1), ("hung_kings", 10, 3)])
def test_conversion_agrees_with_the_published_table_1901_2100(column, lunar_day, lunar_month):
    rows = _table()
    assert [int(r["year"]) for r in rows] == list(range(1901, 2101))
    differ = {int(r["year"]) for r in rows
              if lunar_to_solar(lunar_day, lunar_month, int(r["year"])) != date.fromisoformat(r[column])}
    assert differ == BEFORE_1968[column]


def test_vietnamese_not_chinese_calendar():
    """Tết 1985 and 2007 are where Vietnam's UTC+7 calendar and the Chinese UTC+8 one part."""
    assert lunar_to_solar(1, 1, 1985) == date(1985, 1, 21)  # China: 20 February 1985
    assert lunar_to_solar(1, 1, 2007) == date(2007, 2, 17)  # China: 18 February 2007
    assert lunar_to_solar(1, 1, 1900) == date(1900, 1, 31)


def test_leap_months_and_missing_days():
    assert lunar_to_solar(1, 6, 2025, leap=True) == date(2025, 7, 25)  # 2025 (Ất Tỵ) has a leap 6th month
    assert lunar_to_solar(1, 6, 2026, leap=True) is None
    assert lunar_to_solar(15, 8, 2025) == date(2025, 10, 6)  # Trung Thu in the regular 8th month after the leap


def _dates(festival: str) -> dict[int, tuple[date, date]]:
    return {y: (o.start, o.end) for y in range(2024, 2031) for o in CALENDAR.occurrences(y, festival)}


def test_hoa_festivals_2024_2030():
    nguyen_tieu = _dates("tet-nguyen-tieu")
    # quochoitv-nguyen-tieu-2024 (Truyền hình Quốc hội, 24/02/2024): the Nguyên Tiêu festival that day
    assert nguyen_tieu[2024] == (date(2024, 2, 24),) * 2
    # kenh14-nguyen-tieu-2026 (Kenh14, 04/03/2026) and vnexpress-nguyen-tieu-2026 (01/03/2026): Nguyên Tiêu 2026
    # on 3 March 2026, the parade two days ahead
    assert nguyen_tieu[2026] == (date(2026, 3, 3),) * 2
    # issue 13: Tết Nguyên Tiêu on 20 February 2027
    assert nguyen_tieu[2027] == (date(2027, 2, 20),) * 2
    tet = _dates("tet-nguyen-dan")
    # vnexpress-khai-an-2026 (VnExpress, 15/02/2026): queues for the seal two days before Tết 2026 (17 February)
    # python-holidays' table (tests/fixtures) for the rest
    assert {y: s for y, (s, _) in tet.items()} == {
        2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6),
        2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 2)}
    # dantri-trung-thu-2025 (Dân trí, 15/09/2025): "Trung thu sớm", three weeks ahead of 6 October 2025
    assert _dates("trung-thu")[2025] == (date(2025, 10, 6),) * 2
    assert _dates("via-ba-thien-hau")[2027] == (date(2027, 4, 29),) * 2


def test_khmer_festivals_2024_2030():
    # issue 13: Ok Om Bok on 12 November 2027 (rằm tháng 10 âm lịch)
    assert _dates("ok-om-bok")[2027] == (date(2027, 11, 12),) * 2
    # vietnamnet-southwest-festivals: Sene Dolta 29/8 – 1/9 âm lịch (the last two days of the 8th month and the 1st)
    assert _dates("sene-dolta")[2027] == (date(2027, 9, 28), date(2027, 9, 30))
    # Kathina is a season: 15/9 to 15/10 âm lịch (soctrangtourism-kathina)
    assert _dates("kathina")[2027] == (date(2027, 10, 14), date(2027, 11, 12))
    assert _dates("chol-chnam-thmay")[2027] == (date(2027, 4, 14), date(2027, 4, 16))


# Dated sources for the Khmer festivals in other years. Where âm lịch and the Khmer calendar agree, the rule gives the
# announced days: angiang-sene-dolta-2023 (Cổng TTĐT An Giang, 03/10/2023: 13-15/10/2023, "29, 30/8 và 01/9 ÂL") and
# thoidai-sene-dolta-2022 (Thời Đại, 19/09/2022: "24, 25 và 26/9/2022"). Chôl Chnăm Thmây on its mid-April days:
# tayninh.dcs.vn (14/04/2023, after TTXVN: "từ ngày 14 đến 16/4/2023") and vietnamplus.vn/chol-chnam-thmay-tag16545
# ("Năm 2025, lễ hội Chôl Chnăm Thmây diễn ra từ 14-16/4"); 2020's four days (13-16/4) are an announced row.
RULE_AGREES = {("sene-dolta", 2023): (date(2023, 10, 13), date(2023, 10, 15)),
               ("sene-dolta", 2022): (date(2022, 9, 24), date(2022, 9, 26)),
               ("chol-chnam-thmay", 2023): (date(2023, 4, 14), date(2023, 4, 16)),
               ("chol-chnam-thmay", 2025): (date(2025, 4, 14), date(2025, 4, 16))}


@pytest.mark.parametrize("festival, year", sorted(RULE_AGREES))
def test_the_khmer_rule_gives_the_announced_days_when_the_calendars_agree(festival, year):
    occurrence, = CALENDAR.occurrences(year, festival)
    assert (occurrence.start, occurrence.end) == RULE_AGREES[festival, year] and occurrence.source is None


def test_an_announced_khmer_date_overrides_the_lunar_rule():
    """The Khmer calendar's leap months are not âm lịch's: in 2017 and 2025 the festivals came a month before the
    rule's date, so the announced days (festival_dates.json, with their sources) win, and the rest stay marked."""
    overridden = {("sene-dolta", 2017): ((date(2017, 9, 19), date(2017, 9, 21)), date(2017, 10, 18)),
                  ("sene-dolta", 2018): ((date(2018, 10, 8), date(2018, 10, 10)), date(2018, 10, 7)),
                  ("ok-om-bok", 2025): ((date(2025, 11, 4), date(2025, 11, 5)), date(2025, 12, 4))}
    for (festival, year), (announced, by_rule) in overridden.items():
        occurrence, = CALENDAR.occurrences(year, festival)
        assert (occurrence.start, occurrence.end) == announced and occurrence.source
        rule = VOCAB.get("festivals", festival)["calendar_rule"]
        assert lunar_to_solar(rule["day"], rule["month"], year) - timedelta(days=rule.get("starts_days_before", 0)) \
            == by_rule  # what the rule alone would have said
        assert rule["confirm"] is True
    assert CALENDAR.occurrences(2027, "ok-om-bok")[0].source is None  # 2027: calculated, to be confirmed
    new_year, = CALENDAR.occurrences(2020, "chol-chnam-thmay")  # four days that year, not the rule's three
    assert (new_year.start, new_year.end) == (date(2020, 4, 13), date(2020, 4, 16)) and new_year.source


def test_cham_and_islamic_festivals_use_announced_dates_only():
    # thanhnien-kate-2025 (Thanh Niên, 13/10/2025): Katê 2025 from 20 to 22 October, main rite on the 21st
    assert _dates("kate") == {2025: (date(2025, 10, 20), date(2025, 10, 22))}
    # dantocmiennui-ramadan-2024: Ramadan 1445 from 11 March to 9 April 2024
    assert _dates("ramadan") == {2024: (date(2024, 3, 11), date(2024, 4, 9))}
    # no announced date for Ramưwan: no occurrence at all, never a guessed one
    assert _dates("ramuwan") == {}
    assert CALENDAR.occurrences(2025, "kate")[0].source == "thanhnien-kate-2025"


def test_every_announced_date_names_a_listed_source():
    doc = CALENDAR.announced
    ids = {s["id"] for s in doc["sources"]}
    assert all(s["url"].startswith("http") and s["accessed"] for s in doc["sources"])
    for row in doc["dates"]:
        assert row["source"] in ids and VOCAB.get("festivals", row["festival"])
        assert date.fromisoformat(row["start"]) <= date.fromisoformat(row["end"])


def test_next_occurrence():
    assert CALENDAR.next_occurrence("ok-om-bok", date(2027, 11, 12)).start == date(2027, 11, 12)
    assert CALENDAR.next_occurrence("ok-om-bok", date(2027, 11, 13)).start == date(2028, 11, 30)
    assert CALENDAR.next_occurrence("kate", date(2025, 10, 22)).start == date(2025, 10, 20)
    assert CALENDAR.next_occurrence("kate", date(2025, 10, 23)) is None


@pytest.mark.parametrize("written,calendar,day,month,end", [
    ("15/1 âm lịch", "amlich", 15, 1, None),
    ("rằm tháng Giêng", "amlich", 15, 1, None),
    ("Rằm tháng Tám", "amlich", 15, 8, None),
    ("ngày 23 tháng 3 âm lịch", "amlich", 23, 3, None),
    ("mồng 1 tháng Chạp", "amlich", 1, 12, None),
    ("mùng 1 tháng 7 lịch Chăm", "cham", 1, 7, None),
    ("1/7 lịch Chăm", "cham", 1, 7, None),
    ("29/8 – 1/9 âm lịch", "amlich", 29, 8, (1, 9)),
    ("16/1", "amlich", 16, 1, None),
    ("15th day of the 1st lunar month", "amlich", 15, 1, None),
    ("Full moon of the 10th lunar month", "amlich", 15, 10, None),
    ("the 15th of the first lunar month", "amlich", 15, 1, None),
    ("1st day of the 7th month of the Cham calendar", "cham", 1, 7, None),
])
def test_lunar_dates_as_written(written, calendar, day, month, end):
    parsed = parse_lunar_date(written)
    assert (parsed.text, parsed.calendar, parsed.start.day, parsed.start.month) == (written, calendar, day, month)
    assert (parsed.end and (parsed.end.day, parsed.end.month)) == end


def test_lunar_date_in_gregorian():
    assert parse_lunar_date("rằm tháng Giêng").gregorian(2027) == (date(2027, 2, 20),) * 2
    assert parse_lunar_date("15th day of the 1st lunar month").gregorian(2027) == (date(2027, 2, 20),) * 2
    assert parse_lunar_date("29/8 – 1/9 âm lịch").gregorian(2027) == (date(2027, 9, 29), date(2027, 9, 30))
    assert parse_lunar_date("1/7 lịch Chăm").gregorian(2027) is None  # no algorithm for the Cham calendar


@pytest.mark.parametrize("bad", ["hôm qua", "32/1 âm lịch", "15/13", "rằm", "full moon", "<img src=x onerror=1>"])
def test_unreadable_lunar_date_is_an_error_naming_it(bad):
    with pytest.raises(UnreadableLunarDate, match="is not a lunar date"):
        parse_lunar_date(bad)
    with pytest.raises(InvalidRecord) as caught:
        validate_record({"title": {"vi": "x"}, "community": "hoa", "lunar_date": bad}, VOCAB)
    assert [p.field for p in caught.value.problems] == ["lunar_date"]
    assert repr(bad) in caught.value.problems[0].reason


def test_readable_lunar_date_is_kept_as_written():
    record = validate_record({"title": {"vi": "x"}, "community": "hoa", "lunar_date": "Rằm tháng Giêng"}, VOCAB)
    assert record["lunar_date"] == "Rằm tháng Giêng"


# --- /api/calendar and the iCalendar feeds ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from archive.context import Archive
    from archive.settings import load_settings
    from archive.web import create_app
    settings = load_settings(environ={}, data_dir=str(tmp_path_factory.mktemp("calendar") / "var"),
                             base_url="http://archive.test", workers=1)
    archive = Archive(settings)
    yield create_app(settings, archive).test_client()
    archive.catalog.dispose()


def test_api_calendar_year(client):
    body = client.get("/api/calendar?year=2027").get_json()
    assert body["year"] == 2027
    events = {e["festival"]: e for e in body["events"]}
    assert events["tet-nguyen-tieu"]["start"] == events["tet-nguyen-tieu"]["end"] == "2027-02-20"
    assert events["ok-om-bok"] == {"festival": "ok-om-bok", "start": "2027-11-12", "end": "2027-11-12",
                                   "calendar": "amlich", "rule": VOCAB.get("festivals", "ok-om-bok")["calendar_rule"]}
    assert "kate" not in events and "ramuwan" not in events  # no announced date for 2027
    assert [e["start"] for e in body["events"]] == sorted(e["start"] for e in body["events"])
    kate = {e["festival"]: e for e in client.get("/api/calendar?year=2025").get_json()["events"]}["kate"]
    assert (kate["start"], kate["end"], kate["source"]) == ("2025-10-20", "2025-10-22", "thanhnien-kate-2025")


@pytest.mark.parametrize("year", ["abc", "20x7", "1799", "2200", "-1", "²⁰²⁷", "9" * 40])
def test_api_calendar_bad_year_is_a_400_naming_it(client, year):
    response = client.get("/api/calendar", query_string={"year": year})
    assert response.status_code == 400 and response.get_json()["error"]["parameter"] == "year"


def test_the_page_says_which_khmer_dates_are_calculated(client):
    for year, calculated in ((2027, {"sene-dolta", "ok-om-bok", "kathina"}), (2025, {"sene-dolta", "kathina"})):
        page = client.get(f"/en/calendar?year={year}").get_data(as_text=True)
        rows = page.split('<li class="festival-date" id="')[1:]
        marked = {row.split('"', 1)[0] for row in rows if "to-confirm" in row}
        assert marked == calculated, year  # 2025's Ok Om Bok is the announced one


@pytest.mark.parametrize("path,communities", [("/api/calendar.ics", {"cham", "hoa", "khmer"}),
                                              ("/api/calendar/khmer.ics", {"khmer"}),
                                              ("/api/calendar/hoa.ics?lang=en", {"hoa"})])
def test_ics_feeds_parse(client, path, communities):
    from icalendar import Calendar
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    assert str(cal["VERSION"]) == "2.0" and cal["PRODID"]
    events = cal.walk("VEVENT")
    assert events and len({str(e["UID"]) for e in events}) == len(events)
    found = {str(e["CATEGORIES"].cats[0]) for e in events}
    assert found == communities or (communities == {"cham", "hoa", "khmer"} and found <= communities
                                    and {"hoa", "khmer"} <= found)
    for event in events:
        term = VOCAB.get("festivals", str(event["UID"]).rsplit("-", 3)[0])
        assert term["community"] in communities
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert isinstance(start, date) and end > start  # all-day, DTEND exclusive
    if "lang=en" in path:
        assert "Lantern Festival (Nguyên Tiêu)" in {str(e["SUMMARY"]) for e in events}


def test_ics_bad_community_or_lang(client):
    assert client.get("/api/calendar/kinh.ics").status_code == 404
    response = client.get("/api/calendar.ics?lang=fr")
    assert response.status_code == 400 and response.get_json()["error"]["parameter"] == "lang"


# --- the site: item pages show a lunar date's Gregorian days, festival pages their next date -----------------------

@pytest.fixture(scope="module")
def sample_client(sample_archive):
    from archive.web import create_app
    return create_app(sample_archive.settings, sample_archive).test_client()


def test_item_page_shows_the_lunar_date_with_its_gregorian_day(sample_archive, sample_client):
    from sqlalchemy import select

    from archive.catalog.models import Item
    with sample_archive.catalog.session() as s:
        item_id = next(i.id for i in s.scalars(select(Item).where(Item.status == "published", Item.access == "public"))
                       if (i.record or {}).get("lunar_date") == "15/1 âm lịch" and i.record.get("date") == "2026-11")
    for lang, shown in (("vi", "3 tháng 3, 2026"), ("en", "March 3, 2026")):
        html = sample_client.get(f"/{lang}/items/{item_id}").get_data(as_text=True)
        assert '<span lang="vi">15/1 âm lịch</span>' in html
        assert f'<time datetime="2026-03-03">{shown}</time>' in html


def test_festival_page_shows_its_next_date(sample_client):
    from archive.calendar import FestivalCalendar
    upcoming = FestivalCalendar(VOCAB).next_occurrence("ok-om-bok", date.today())
    html = sample_client.get("/en/festivals/ok-om-bok").get_data(as_text=True)
    assert f'<dt>Next date</dt><dd><time datetime="{upcoming.start.isoformat()}">' in html
    assert "No date announced yet." in sample_client.get("/en/festivals/ramuwan").get_data(as_text=True)
