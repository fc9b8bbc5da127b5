"""iCalendar feeds (RFC 5545) of the festivals' dates, built with the icalendar library: all-day events a phone
calendar can subscribe to, one feed per community and one for all."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from icalendar import Calendar, Event

from .calendar import Occurrence
from .vocabularies import Vocabularies


def feed(occurrences: list[Occurrence], vocab: Vocabularies, *, lang: str, name: str, base_url: str) -> bytes:
    """The feed of ``occurrences``, labelled in ``lang``; ``base_url`` gives the events' UIDs and links."""
    cal = Calendar()
    cal.add("prodid", "-//heritage archive//festival calendar//" + lang.upper())
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    host = base_url.split("://", 1)[-1].split("/", 1)[0]
    stamp = datetime.now(timezone.utc).replace(microsecond=0)
    for occ in occurrences:
        term = vocab.get("festivals", occ.festival)
        event = Event()
        event.add("uid", f"{occ.festival}-{occ.start.isoformat()}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", occ.start)
        event.add("dtend", occ.end + timedelta(days=1))  # all-day: DTEND is the day after
        event.add("summary", term["label"].get(lang) or term["label"]["en"])
        if rule := term.get("date_rule", {}).get(lang):
            event.add("description", rule)
        event.add("categories", [term["community"]])
        event.add("url", f"{base_url}/{lang}/festivals/{occ.festival}")
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
