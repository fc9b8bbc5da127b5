"""Citations of an item: APA (7th edition, archival digital item) and BibTeX.

Creators' names are written as recorded (the archive cannot tell a family name from a given name across Vietnamese,
Khmer, Cham and Chinese naming), so both formats treat each name as a whole.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from babel.dates import get_month_names

_EDTF_DAY = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_BIBTEX_SPECIAL = re.compile(r"([\\{}%&$#_^~])")
_BIBTEX_REPLACEMENT = {"\\": r"\textbackslash{}", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}"}
BIBTEX_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True)
class Apa:
    """An APA reference in three parts, so the title can be set in italics: ``before *title* after``."""

    before: str
    title: str
    after: str

    def __str__(self) -> str:
        return f"{self.before}{self.title}{self.after}"


def _date_parts(edtf: str | None) -> tuple[str, str, str] | None:
    """(year, month, day) of a plain EDTF date (``2019``, ``2019-10``, ``2019-10-05``); None for anything vaguer."""
    m = _EDTF_DAY.match(edtf or "")
    return (m.group(1), m.group(2) or "", m.group(3) or "") if m else None


def _names(creators: list[dict]) -> list[str]:
    return list(dict.fromkeys(c["name"].strip() for c in creators if c.get("name", "").strip()))


def apa(record: dict, *, title: str, kind: str, archive_name: str, url: str, locale: str, no_date: str) -> Apa:
    """``kind`` is the bracketed description (e.g. "Image"); ``no_date`` the locale's "n.d."."""
    names = _names(record.get("creators", []))
    if len(names) > 1:
        author = ", ".join(names[:-1]) + ", & " + names[-1]
    else:
        author = names[0] if names else ""
    parts = _date_parts(record.get("date"))
    if parts:
        year, month, day = parts
        when = year
        if month:
            when += ", " + get_month_names("wide", locale=locale)[int(month)]
            if day:
                when += f" {int(day)}"
    else:
        when = record["date"] if record.get("date") else no_date
    title = title.rstrip(".")
    lead = f"{author.rstrip('.')}. ({when}). " if author else ""
    after = f" [{kind}]. {archive_name}. {url}"
    if not author:
        return Apa("", title, f" [{kind}]. ({when}). {archive_name}. {url}")
    return Apa(lead, title, after)


def bibtex_escape(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_REPLACEMENT.get(m.group(1), "\\" + m.group(1)), text)


def bibtex(record: dict, *, item_id: str, title: str, kind: str, archive_name: str, url: str) -> str:
    names = _names(record.get("creators", []))
    fields = []
    if names:
        # Double braces: each name is one unit, never split into first and last names.
        fields.append(("author", " and ".join("{" + bibtex_escape(n) + "}" for n in names)))
    fields.append(("title", "{" + bibtex_escape(title) + "}"))
    parts = _date_parts(record.get("date"))
    if parts:
        fields.append(("year", parts[0]))
        if parts[1]:
            fields.append(("month", BIBTEX_MONTHS[int(parts[1]) - 1]))
    elif record.get("date"):
        fields.append(("date", bibtex_escape(record["date"])))
    fields += [("howpublished", bibtex_escape(f"{archive_name} ({kind})")), ("url", url)]
    body = ",\n".join(f"  {key} = {value if key == 'month' else '{' + value + '}'}" for key, value in fields)
    key = re.sub(r"[^A-Za-z0-9_-]", "", item_id)
    return f"@misc{{heritage-{key},\n{body}\n}}"
