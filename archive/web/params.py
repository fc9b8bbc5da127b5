"""Numbers and dates from the request, read the one way (archive.params): ASCII digits, bounded, and a BadParameter
naming the parameter (a 400 in the page's language or the JSON error shape) when they can't be used."""
from __future__ import annotations

from datetime import date, datetime

from flask import request
from flask_babel import gettext as _

from ..calendar import FIRST_YEAR, LAST_YEAR
from ..errors import BadParameter
from ..params import iso_date, iso_datetime, whole_number

MAX_PAGE = 100_000  # far past the last page of any list; keeps offsets small
MAX_ID = 2**31 - 1  # accounts and versions: ids in routes (<int(max=…)>) beyond it are no route at all


def page_number() -> int:
    return number_arg("page", default=1, minimum=1, maximum=MAX_PAGE,
                      reason=_("The page number must be a whole number from 1."))


def calendar_year() -> int:
    """The ``year`` of the festival calendar (this year when absent), within the years its tables cover."""
    return number_arg("year", default=date.today().year, minimum=FIRST_YEAR, maximum=LAST_YEAR,
                      reason=_("The year must be a whole number from %(first)s to %(last)s.",
                               first=FIRST_YEAR, last=LAST_YEAR))


def number_arg(name: str, source=None, *, reason: str | None = None, **bounds) -> int:
    """The whole number ``name`` of ``source`` (the query string by default); ``reason``: what a refusal says, in
    the reader's language."""
    try:
        return whole_number(name, (source if source is not None else request.args).get(name), **bounds)
    except BadParameter as exc:
        raise BadParameter(name, reason or exc.reason) from None


def date_arg(name: str, source=None) -> date | None:
    return iso_date(name, (source if source is not None else request.args).get(name))


def datetime_arg(name: str, source=None) -> datetime | None:
    return iso_datetime(name, (source if source is not None else request.args).get(name))
