"""Festival dates: Vietnamese lunar (âm lịch) conversion, festivals' date rules, announced dates, and the lunar
date expressions people write on items.

Âm lịch is Vietnam's UTC+7 calendar (it differs from the Chinese UTC+8 one in some years, e.g. Tết 1985 and 2007);
conversion is vnlunar's, which reads Hồ Ngọc Đức's published tables for 1800–2199. Festival rules are the
``calendar_rule`` of each festival term (archive.terms, seeded from vocabularies/festivals.json). Festivals with no
trustworthy algorithm (the Cham and Islamic calendars) have announced dates per year, the term's
``announced_dates`` (seeded from vocabularies/festival_dates.json, then kept by staff); a year with no announced
date has no occurrence, never a guessed one. An announced date also overrides a rule: Vietnam's Khmer
follow the Khmer calendar, whose leap months do not always fall with âm lịch's, so in some years (2017, 2025) their
festivals came a month before the âm lịch rule's date; such rules carry ``confirm`` and the site says so.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from vnlunar import convert_lunar_to_solar

from .vocabularies import Vocabularies

FIRST_YEAR, LAST_YEAR = 1800, 2199  # the years of the published tables


def lunar_to_solar(day: int, month: int, year: int, leap: bool = False) -> date | None:
    """The Gregorian day of an âm lịch day, or None when that day does not exist (e.g. a 30th in a 29-day month,
    or a leap month the year doesn't have)."""
    solar = convert_lunar_to_solar(day, month, year, 1 if leap else 0)
    return date(solar[2], solar[1], solar[0]) if solar else None


def lunar_month_end(month: int, year: int) -> date:
    """The last day of the (regular) âm lịch month ``month`` of ``year``."""
    return lunar_to_solar(30, month, year) or lunar_to_solar(29, month, year)


@dataclass(frozen=True)
class Occurrence:
    festival: str
    start: date
    end: date
    calendar: str
    rule: dict
    source: str | None = None  # an announced date's source id

    def as_json(self) -> dict:
        out = {"festival": self.festival, "start": self.start.isoformat(), "end": self.end.isoformat(),
               "calendar": self.calendar, "rule": self.rule}
        if self.source:
            out["source"] = self.source
        return out


class FestivalCalendar:
    """The festivals' occurrences in Gregorian years."""

    def __init__(self, vocab: Vocabularies):
        self.vocab = vocab

    @property
    def announced(self) -> dict:
        """Every announced date (``dates``: rows with their festival) and the festivals' ``sources``."""
        return {"sources": self.vocab.document("festivals").get("sources", []),
                "dates": [{"festival": term["id"], **row} for term in self.vocab.terms("festivals")
                          for row in term.get("announced_dates", [])]}

    def occurrences(self, year: int, festival: str | None = None) -> list[Occurrence]:
        """Every festival's occurrences that start in ``year``, by start date."""
        terms = [self.vocab.get("festivals", festival)] if festival else self.vocab.terms("festivals")
        found = [o for term in terms for o in self._term_occurrences(term, year)]
        return sorted(found, key=lambda o: (o.start, o.festival))

    def next_occurrence(self, festival: str, today: date) -> Occurrence | None:
        """The first occurrence of ``festival`` that has not ended by ``today`` (None when none is known)."""
        for year in range(today.year - 1, min(today.year + 2, LAST_YEAR) + 1):
            for occ in self.occurrences(year, festival):
                if occ.end >= today:
                    return occ
        return None

    def _term_occurrences(self, term: dict, year: int) -> list[Occurrence]:
        rule = term.get("calendar_rule")
        if not rule or not FIRST_YEAR <= year <= LAST_YEAR:
            return []
        announced = [row for row in term.get("announced_dates", []) if row["year"] == year]
        if announced or rule.get("announced"):  # an announced date also overrides a rule (the Khmer calendar can
            return [Occurrence(term["id"], date.fromisoformat(row["start"]),  # fall a month before âm lịch)
                               date.fromisoformat(row["end"]), rule["calendar"], rule, row["source"])
                    for row in announced]
        if rule["calendar"] == "gregorian":
            start = date(year, rule["month"], rule["day"])
        elif rule["calendar"] == "amlich":
            # the regular month, not its leap repeat (leap_month: "regular")
            start = lunar_to_solar(rule["day"], rule["month"], year)
        else:
            raise ValueError(f"festival {term['id']!r}: unknown calendar {rule['calendar']!r}")
        start -= timedelta(days=rule.get("starts_days_before", 0))
        if "until" in rule:
            end = lunar_to_solar(rule["until"]["day"], rule["until"]["month"], year)
        else:
            end = start + timedelta(days=rule.get("duration_days", 1) - 1)
        return [Occurrence(term["id"], start, end, rule["calendar"], rule)]


# --- the lunar date expressions written on items ---------------------------------------------------------------

@dataclass(frozen=True)
class LunarDay:
    day: int
    month: int
    leap: bool = False


@dataclass(frozen=True)
class LunarExpression:
    """A parsed ``lunar_date``: the text as written, its calendar ("amlich" or "cham") and its day or days."""
    text: str
    calendar: str
    start: LunarDay
    end: LunarDay | None = None

    def gregorian(self, year: int) -> tuple[date, date] | None:
        """The Gregorian days in lunar year ``year`` (âm lịch only: there is no algorithm for the Cham calendar)."""
        if self.calendar != "amlich" or not FIRST_YEAR <= year <= LAST_YEAR:
            return None
        start = lunar_to_solar(self.start.day, self.start.month, year, self.start.leap)
        last = self.end or self.start
        end_year = year + 1 if (last.month, last.day) < (self.start.month, self.start.day) else year
        end = lunar_to_solar(last.day, last.month, end_year, last.leap)
        return (start, end) if start and end and end >= start else None


_VI_MONTHS = {"giêng": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9,
              "mười": 10, "mười một": 11, "một": 11, "chạp": 12}
_EN_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
                "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12}
_NUMBER = r"(\d{1,2})(?:st|nd|rd|th)?"
_ORDINAL = r"(\d{1,2}(?:st|nd|rd|th)?|" + "|".join(_EN_ORDINALS) + ")"
_CHAM = re.compile(r"\(?\s*(?:theo\s+)?lịch\s+chăm\s*\)?|\(?\s*(?:of\s+)?(?:the\s+)?cham\s+calendar\s*\)?")
_LUNAR = re.compile(r"\(?\s*(?:theo\s+)?(?:âm\s+lịch|âl|al)\s*\)?$|^\s*(?:âm\s+lịch|lunar)\s+|\s+lunar$")
_RANGE = re.compile(r"\s*[–—]\s*|\s+-\s+|\s+(?:đến|tới|to|until)\s+")
_FORMS = [
    # 15/1, 15/4 nhuận, 15/4 leap
    (re.compile(r"(\d{1,2})\s*/\s*(\d{1,2})(\s*(?:nhuận|leap))?"), "d/m"),
    # rằm tháng Giêng, mùng 1 tháng 7, ngày 23 tháng 3, mồng 1 tháng Chạp, 15 tháng 8 nhuận
    (re.compile(r"(?:ngày\s+)?(rằm|(?:mùng|mồng)\s*\d{1,2}|\d{1,2})\s+tháng\s+(\d{1,2}|" + "|".join(
        sorted(_VI_MONTHS, key=len, reverse=True)) + r")(\s+nhuận)?"), "vi"),
    # 15th day of the 1st lunar month, full moon of the 10th month, first day of the seventh month
    (re.compile(r"(?:the\s+)?(full\s+moon|" + _ORDINAL + r"(?:\s+day)?)(?:\s*\(15th(?:\s+day)?\))?\s+of\s+(?:the\s+)?"
                r"(leap\s+)?" + _ORDINAL + r"\s+(?:lunar\s+)?month(\s*\(leap\))?"), "en"),
]


class UnreadableLunarDate(ValueError):
    pass


def lunar_date_in_year(text: str, year: int | None) -> tuple[date, date] | None:
    """The Gregorian days an item's ``lunar_date`` meant in ``year`` (its date's year, when it has exactly one);
    None when the year is unknown, the value is unreadable (records from before it was checked) or has no
    algorithm."""
    if year is None:
        return None
    try:
        return parse_lunar_date(text).gregorian(year)
    except UnreadableLunarDate:
        return None


def _number(word: str) -> int:
    word = word.strip()
    if word in _EN_ORDINALS:
        return _EN_ORDINALS[word]
    return int(re.match(r"\d+", word).group())


def _one_day(text: str) -> LunarDay | None:
    for pattern, form in _FORMS:
        m = pattern.fullmatch(text)
        if not m:
            continue
        if form == "d/m":
            day, month, leap = int(m[1]), int(m[2]), bool(m[3])
        elif form == "vi":
            day = 15 if m[1] == "rằm" else _number(re.sub(r"mùng|mồng", "", m[1]))
            month = int(m[2]) if m[2].isdigit() else _VI_MONTHS[m[2]]
            leap = bool(m[3])
        else:
            day = 15 if m[1].startswith("full") else _number(m[2])
            month, leap = _number(m[4]), bool(m[3] or m[5])
        return LunarDay(day, month, leap) if 1 <= day <= 30 and 1 <= month <= 12 else None
    return None


def parse_lunar_date(text: str) -> LunarExpression:
    """Read a lunar date as people write it ("15/1 âm lịch", "rằm tháng Giêng", "mùng 1 tháng 7 lịch Chăm",
    "29/8 – 1/9 âm lịch", "15th day of the 1st lunar month", "1st day of the 7th month of the Cham calendar").
    UnreadableLunarDate names the value when it can't be read."""
    written = unicodedata.normalize("NFC", text).strip()
    folded = re.sub(r"\s+", " ", written.lower()).strip(" .,")
    calendar = "cham" if _CHAM.search(folded) else "amlich"
    folded = _LUNAR.sub("", _CHAM.sub("", folded)).strip(" ,")
    folded = re.sub(r"^(?:tết|tet)\s+", "", folded)
    parts = _RANGE.split(folded) if folded else []
    days = [_one_day(p.strip()) for p in parts]
    if len(days) not in (1, 2) or None in days:
        raise UnreadableLunarDate(
            f"{written!r} is not a lunar date the archive can read (e.g. 15/1 âm lịch, rằm tháng Giêng, "
            "mùng 1 tháng 7 lịch Chăm, 29/8 – 1/9 âm lịch, 15th day of the 1st lunar month)")
    return LunarExpression(written, calendar, days[0], days[1] if len(days) == 2 else None)
