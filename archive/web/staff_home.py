"""The staff page /{lang}/staff/home: editors and administrators choose the home page's featured exhibits and items
and their order (archive.home_curation). Every button is its own small form, so each works with a keyboard and a
tap; each posts one change against the version the page showed, and a change saved in between is a 409."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import home_curation
from ..access import can_curate_home
from ..errors import BadParameter, Conflict, InvalidRecord
from .auth import current_viewer, require
from .params import MAX_ID, number_arg

OPS = ("add", "up", "down", "remove")

bp = Blueprint("curation", __name__, url_prefix="/staff/home")


@bp.before_request
@require(can_curate_home)
def _curators_only():
    """Editors and administrators only (archive.access.can_curate_home)."""


def _archive():
    return current_app.config["ARCHIVE"]


def _page(problems=(), conflict: bool = False, status: int = 200):
    archive = _archive()
    chosen, exhibits, items = home_curation.review(archive)
    return render_template("staff/home.html", chosen=chosen, exhibits=exhibits, items=items,
                           choices=[e for e in home_curation.choices(archive) if e.key not in chosen.exhibits],
                           problems=problems, conflict=conflict, most=home_curation.MAX_ENTRIES), status


def _choice(name: str, allowed: tuple[str, ...]) -> str:
    value = request.form.get(name, "")
    if value not in allowed:
        raise BadParameter(name, _("%(value)s is not one of: %(allowed)s", value=repr(value)[:40],
                                   allowed=", ".join(allowed)))
    return value


def _changed(entries: list[str], op: str) -> list[str]:
    """``entries`` after the form's one change."""
    if op == "add":
        value = request.form.get("value", "").strip()
        if not value:
            raise BadParameter("value", _("Choose or type what to add."))
        return [*entries, value]
    index = number_arg("index", request.form, maximum=max(len(entries) - 1, 0),
                       reason=_("There is no such entry: reload the page."))
    if index >= len(entries):
        raise BadParameter("index", _("There is no such entry: reload the page."))
    if op == "remove":
        return entries[:index] + entries[index + 1:]
    other = index - 1 if op == "up" else index + 1
    if not 0 <= other < len(entries):
        raise BadParameter("index", _("This entry cannot move further that way."))
    entries = list(entries)
    entries[index], entries[other] = entries[other], entries[index]
    return entries


@bp.get("")
def page():
    return _page()


@bp.post("")
def change():
    archive = _archive()
    which, op = _choice("list", home_curation.LISTS), _choice("op", OPS)
    version = number_arg("version", request.form, maximum=MAX_ID)
    with archive.catalog.session() as s:
        chosen = home_curation.current(s)
    if chosen.version != version:
        return _page(conflict=True, status=409)
    lists = {name: list(getattr(chosen, name)) for name in home_curation.LISTS}
    lists[which] = _changed(lists[which], op)
    try:
        home_curation.save(archive, current_viewer(), lists["exhibits"], lists["items"], expected_version=version)
    except InvalidRecord as exc:
        return _page(problems=exc.problems, status=400)
    except Conflict:
        return _page(conflict=True, status=409)
    flash(_("The home page is updated."), "success")
    return redirect(url_for(".page", _anchor=which))
