"""Vocabulary pages under /{lang}/staff/terms/: the terms of each managed vocabulary, the add/edit form, approval of
proposals, delete, merge (with a confirmation) and the versions with restore; collections too (add, edit, delete,
versions, restore: admins only, never merged).

Views parse the form, call archive.terms with the signed-in viewer as actor, and render; the store validates,
versions, audits and reindexes, and says who may do what (admins change terms, editors propose them; contributors
see none of these pages). A term keeps every field the form does not show: the form edits a copy of the stored JSON.
"""
from __future__ import annotations

import json
import math

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from .. import labels, terms
from ..errors import BadParameter, Conflict, InvalidRecord, NotFound
from . import staff_forms
from .auth import current_viewer, publisher, require
from .params import MAX_ID, number_arg

bp = Blueprint("terms", __name__, url_prefix="/staff/terms")

COLLECTIONS = terms.COLLECTIONS
LANGUAGE_FIELDS = {"places": ("address",), "festivals": ("date_rule",),  # language maps the form shows, besides
                   COLLECTIONS: ("description",)}                          # the label (a collection's title)


@bp.before_request
@require(publisher)
def _editors_only():
    """Editors (who propose) and admins (who change) only."""


def _archive():
    return current_app.config["ARCHIVE"]


def _vocabulary(name: str) -> str:
    if name not in terms.MANAGED and name != COLLECTIONS:
        raise NotFound(f"no managed vocabulary {name!r}")
    return name


def _term(vocabulary: str, term_id: str) -> terms.Term:
    if vocabulary == COLLECTIONS:
        return terms.get_collection(_archive(), term_id)
    return terms.get_term(_archive(), vocabulary, term_id)


def _terms(vocabulary: str) -> list[terms.Term]:
    if vocabulary == COLLECTIONS:
        return terms.list_collections(_archive())
    return terms.list_terms(_archive(), vocabulary)


def _merged_or_approved(vocabulary: str) -> str:
    """Collections are neither proposed nor merged."""
    if _vocabulary(vocabulary) == COLLECTIONS:
        raise NotFound("collections are not merged or approved; take the items out of one instead")
    return vocabulary


def vocabulary_names() -> dict[str, str]:
    return {"communities": _("Communities"), "festivals": _("Festivals"), "places": _("Places"),
            "languages": _("Languages"), "roles": _("Contributor roles"), "subjects": _("Subjects"),
            COLLECTIONS: _("Collections")}


def field_labels() -> dict[str, str]:
    return {"id": _("Identifier"), "label": _("Name"), "kind": _("Kind of place"), "community": _("Community"),
            "address": _("Address"), "coordinates": _("Coordinates"), "coordinates.lat": _("Latitude"),
            "coordinates.lon": _("Longitude"), "date_rule": _("Date rule"), "alt_labels": _("Other names"),
            "into": _("Merge into"), "title": _("Title"), "description": _("Description"),
            "calendar_rule": _("Dates on the calendar"), "calendar_rule.calendar": _("Calendar"),
            "calendar_rule.month": _("Month"), "calendar_rule.day": _("Day"),
            "calendar_rule.starts_days_before": _("Starts this many days before"),
            "calendar_rule.duration_days": _("Lasts (days)"), "calendar_rule.until": _("Season ends on (âm lịch)"),
            "calendar_rule.until.month": _("Season ends: month"), "calendar_rule.until.day": _("Season ends: day"),
            "calendar_rule.announced": _("Announced dates only"),
            "calendar_rule.confirm": _("Computed dates to be confirmed"),
            "calendar_rule.approximate": _("Approximate date"),
            "calendar_rule.season": _("A season (each place picks a day)"),
            "announced_dates": _("Announced dates"), "announced_dates.start": _("First day"),
            "announced_dates.end": _("Last day"), "announced_dates.source": _("Announced by (source or URL)")}


def calendar_names() -> dict[str, str]:
    return {"amlich": _("Vietnamese lunar calendar (âm lịch)"), "gregorian": _("Gregorian calendar"),
            "cham": _("Cham calendar (announced dates)"), "cham-bani": _("Cham Bani calendar (announced dates)"),
            "hijri": _("Islamic calendar (announced dates)")}


def _number(text: str):
    """A typed coordinate: a finite number, else the text itself, so the store names the field it rejects."""
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def _whole(text: str):
    """A typed whole number, else the text itself, so the store names the field it rejects."""
    return int(text) if text.isdigit() else text


RULE_NUMBERS = ("month", "day", "duration_days", "starts_days_before")


def calendar_rule_from_form(form: MultiDict, current: dict | None) -> dict | None:
    """The festival's date rule the form describes (None: no calendar chosen), keeping what the form does not show
    (``leap_month``)."""
    calendar = form.get("calendar_rule.calendar", "").strip()
    if not calendar:
        return None
    shown = {*RULE_NUMBERS, *terms.RULE_FLAGS, "calendar", "until"}
    rule = {k: v for k, v in (current or {}).items() if k not in shown}
    rule["calendar"] = calendar
    for name in RULE_NUMBERS:
        if text := form.get(f"calendar_rule.{name}", "").strip():
            rule[name] = _whole(text)
    until = {k: form.get(f"calendar_rule.until.{k}", "").strip() for k in ("month", "day")}
    if any(until.values()):
        rule["until"] = {k: _whole(v) for k, v in until.items() if v}
    for flag in terms.RULE_FLAGS:
        if form.get(f"calendar_rule.{flag}"):
            rule[flag] = True
    return rule


def announced_dates_from_form(form: MultiDict) -> list[dict]:
    """The rows of (start, end, source) given; the year is the start's (a start that is no date: the store names
    it)."""
    rows = []
    for start, end, source in zip(form.getlist("announced_dates.start"), form.getlist("announced_dates.end"),
                                  form.getlist("announced_dates.source")):
        start, end, source = start.strip(), end.strip(), source.strip()
        if start or end or source:
            year = {"year": int(start[:4])} if start[:4].isdigit() else {}
            rows.append({**year, "start": start, "end": end, "source": source})
    return rows


def term_from_form(vocabulary: str, form: MultiDict, current: dict) -> dict:
    """The term the form describes: a copy of ``current`` with the shown fields replaced (emptied ones removed)."""
    data = dict(current)
    if "id" not in current:
        data["id"] = form.get("id", "").strip()
    if vocabulary == COLLECTIONS:
        return {**data, "title": staff_forms.language_map(form, "title"),
                "description": staff_forms.language_map(form, "description"),
                "community": form.get("community", "").strip() or None}
    data["label"] = staff_forms.language_map(form, "label")
    for name in LANGUAGE_FIELDS.get(vocabulary, ()):
        data.pop(name, None)
        if values := staff_forms.language_map(form, name):
            data[name] = values
    if vocabulary in ("places", "festivals"):
        data.pop("community", None)
        if community := form.get("community", "").strip():
            data["community"] = community
    if vocabulary == "places":
        data["kind"] = form.get("kind", "").strip()
        lat, lon = form.get("coordinates.lat", "").strip(), form.get("coordinates.lon", "").strip()
        data.pop("coordinates", None)
        if lat or lon:
            data["coordinates"] = {"lat": _number(lat), "lon": _number(lon)}
    if vocabulary == "festivals":
        rule = calendar_rule_from_form(form, current.get("calendar_rule"))
        data.pop("calendar_rule", None)
        if rule is not None:
            data["calendar_rule"] = rule
        if (rows := announced_dates_from_form(form)) or "announced_dates" in current:
            data["announced_dates"] = rows  # kept even empty (staff removed them): the next seed adds none back
    if vocabulary == "subjects":
        data.pop("alt_labels", None)
        if words := list(dict.fromkeys(w.strip() for w in form.get("alt_labels", "").splitlines() if w.strip())):
            data["alt_labels"] = words
    return data


def _form(vocabulary: str, term: terms.Term | None, data: dict, *, problems=(), message: str | None = None,
          status: int = 200):
    archive = _archive()
    others = [t for t in _terms(vocabulary) if term is not None and t.id != term.id and t.status == "active"]
    return render_template("staff/term.html", vocabulary=vocabulary, names=vocabulary_names(), term=term, data=data,
                           problems=list(problems), errors=_by_field(problems), message=message,
                           labels=field_labels(), kinds=terms.PLACE_KINDS, calendars=calendar_names(),
                           communities=archive.vocab.terms("communities"),
                           merge_targets=others if vocabulary not in ("communities", COLLECTIONS) else [],
                           language_fields=LANGUAGE_FIELDS.get(vocabulary, ())), status


def _by_field(problems) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for problem in problems:
        found.setdefault(problem.field, []).append(problem.reason)
    return found


@bp.get("/")
def index():
    archive = _archive()
    counts = {name: len(_terms(name)) for name in (*terms.MANAGED, COLLECTIONS)}
    return render_template("staff/terms.html", names=vocabulary_names(), counts=counts,
                           proposals=terms.proposals(archive))


@bp.get("/<vocabulary>/")
def vocabulary_page(vocabulary: str):
    vocabulary = _vocabulary(vocabulary)
    return render_template("staff/term_list.html", vocabulary=vocabulary, names=vocabulary_names(),
                           rows=_terms(vocabulary))


@bp.get("/<vocabulary>/new")
def new(vocabulary: str):
    return _form(_vocabulary(vocabulary), None, {})


@bp.post("/<vocabulary>/new")
def add(vocabulary: str):
    vocabulary = _vocabulary(vocabulary)
    data = term_from_form(vocabulary, request.form, {})
    try:
        if vocabulary == COLLECTIONS:
            terms.save_collection(_archive(), current_viewer(), data, new=True)
            term = terms.get_collection(_archive(), data["id"])
        else:
            term = terms.add_term(_archive(), current_viewer(), vocabulary, data)
    except InvalidRecord as exc:
        return _form(vocabulary, None, data, problems=exc.problems, status=400)
    if term.status == "proposed":
        flash(_("Proposed: an administrator will review it."), "success")
    else:
        flash(_("Added."), "success")
    return redirect(url_for(".edit", vocabulary=vocabulary, term_id=term.id))


@bp.get("/<vocabulary>/<term_id>")
def edit(vocabulary: str, term_id: str):
    term = _term(_vocabulary(vocabulary), term_id)
    return _form(vocabulary, term, term.data)


@bp.post("/<vocabulary>/<term_id>")
def save(vocabulary: str, term_id: str):
    archive = _archive()
    term = _term(_vocabulary(vocabulary), term_id)
    data = term_from_form(vocabulary, request.form, term.data)
    expected = _version_field()
    try:
        if vocabulary == COLLECTIONS:
            number = terms.save_collection(archive, current_viewer(), data, expected_version=expected)
        else:
            number = terms.edit_term(archive, current_viewer(), vocabulary, term_id, data, expected_version=expected)
    except InvalidRecord as exc:
        return _form(vocabulary, term, data, problems=exc.problems, status=400)
    except Conflict as exc:
        return _form(vocabulary, term, data, message=str(exc), status=409)
    flash(_("Saved as version %(number)s.", number=number) if number != term.version else _("Nothing changed."),
          "success" if number != term.version else "info")
    return redirect(url_for(".edit", vocabulary=vocabulary, term_id=term_id))


def _version_field() -> int | None:
    return number_arg("version", request.form, default=0, maximum=MAX_ID) or None


def _refused(vocabulary: str, term_id: str, reason, status: int):
    """The term's page again, saying why the store refused (a term in use, a lost race, a bad merge)."""
    term = _term(vocabulary, term_id)
    return _form(vocabulary, term, term.data, message=str(reason), status=status)


@bp.post("/<vocabulary>/<term_id>/approve")
def approve(vocabulary: str, term_id: str):
    try:
        terms.approve_term(_archive(), current_viewer(), _merged_or_approved(vocabulary), term_id,
                           expected_version=_version_field())
    except Conflict as exc:
        return _refused(vocabulary, term_id, exc, 409)
    flash(_("Approved: the term can now be used."), "success")
    return redirect(url_for(".edit", vocabulary=vocabulary, term_id=term_id))


@bp.post("/<vocabulary>/<term_id>/delete")
def delete(vocabulary: str, term_id: str):
    try:
        if _vocabulary(vocabulary) == COLLECTIONS:
            terms.delete_collection(_archive(), current_viewer(), term_id, expected_version=_version_field())
        else:
            terms.delete_term(_archive(), current_viewer(), vocabulary, term_id, expected_version=_version_field())
    except Conflict as exc:
        return _refused(vocabulary, term_id, exc, 409)
    flash(_("Deleted. Its versions stay, and it can be restored from them."), "success")
    return redirect(url_for(".vocabulary_page", vocabulary=vocabulary))


@bp.post("/<vocabulary>/<term_id>/merge")
def merge(vocabulary: str, term_id: str):
    """Without ``confirm``: the confirmation page (what moves where); with it: the merge."""
    archive = _archive()
    vocabulary = _merged_or_approved(vocabulary)
    into = request.form.get("into", "").strip()
    try:
        if not into:
            raise BadParameter("into", "choose the term to merge into")
        target = terms.get_term(archive, vocabulary, into)
        if request.form.get("confirm") != "1":
            source = terms.get_term(archive, vocabulary, term_id)
            return render_template("staff/term_merge.html", vocabulary=vocabulary, names=vocabulary_names(),
                                   source=source, target=target, used=terms.usage(archive, vocabulary, term_id))
        moved = terms.merge_terms(archive, current_viewer(), vocabulary, term_id, into)
    except BadParameter as exc:
        return _refused(vocabulary, term_id, f"{field_labels().get(exc.parameter, exc.parameter)}: {exc.reason}", 400)
    except NotFound as exc:
        return _refused(vocabulary, term_id, f"{field_labels()['into']}: {exc}", 400)
    except Conflict as exc:
        return _refused(vocabulary, term_id, exc, 409)
    flash(_("Merged: %(count)s item(s) now refer to the term kept.", count=len(moved)), "success")
    return redirect(url_for(".edit", vocabulary=vocabulary, term_id=into))


@bp.get("/<vocabulary>/<term_id>/history")
def history(vocabulary: str, term_id: str):
    vocabulary = _vocabulary(vocabulary)
    archive = _archive()
    versions = terms.history(archive, vocabulary, term_id)
    try:
        current = _term(vocabulary, term_id)
    except NotFound:
        current = None  # deleted or merged away: its versions can still bring it back
    return render_template("staff/term_history.html", vocabulary=vocabulary, names=vocabulary_names(),
                           term_id=term_id, current=current, versions=list(reversed(versions)))


@bp.post(f"/<vocabulary>/<term_id>/history/<int(max={MAX_ID}):number>/restore")
def restore(vocabulary: str, term_id: str, number: int):
    vocabulary = _vocabulary(vocabulary)
    try:
        if vocabulary == COLLECTIONS:
            new_number = terms.restore_collection(_archive(), current_viewer(), term_id, number)
        else:
            new_number = terms.restore_term(_archive(), current_viewer(), vocabulary, term_id, number)
    except InvalidRecord as exc:
        flash(_("This version cannot be restored: %(reason)s",
                reason="; ".join(f"{p.field}: {p.reason}" for p in exc.problems)), "error")
        return redirect(url_for(".history", vocabulary=vocabulary, term_id=term_id))
    flash(_("Version %(old)s restored as version %(new)s.", old=number, new=new_number), "success")
    return redirect(url_for(".edit", vocabulary=vocabulary, term_id=term_id))


@bp.app_template_global()
def term_action(action: str) -> str:
    """A term version's action in the page's language."""
    return {"seed": _("From the data files"), "create": _("Added"), "propose": _("Proposed"),
            "edit": _("Edited"), "approve": _("Approved"), "delete": _("Deleted"), "restore": _("Restored"),
            "merge": _("Merged")}.get(action, action)


@bp.app_template_global()
def pretty_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


@bp.app_template_global()
def place_kind(kind: str) -> str:
    return labels.PLACE_KINDS.get(kind, {}).get(g.lang, kind)
