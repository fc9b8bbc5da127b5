"""Staff pages under /{lang}/staff/: dashboard, items, the describe form, versions, preview, publishing, batch CSV.

Views parse the form, call the domain (archive.editing, archive.publishing) with the signed-in viewer as actor, and
render; the domain validates, versions, audits and reindexes. Every view here needs a staff role; publishing and
access levels need an editor (or admin).
"""
from __future__ import annotations

from datetime import date
from pathlib import PurePath

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _

from .. import browse, captions, editing, jobs, publishing
from ..access import LEVELS
from ..errors import BadParameter, Conflict, InvalidRecord, Problem
from ..reasons import Reason
from . import staff_forms
from .params import MAX_ID, date_arg, number_arg, page_number
from .auth import current_viewer, publisher, require, staff
from .pages import item_context
from .reasons import say, say_all

ACCESS_LEVELS = LEVELS
MAX_CSV_BYTES = 20 * 1024 * 1024

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.before_request
@require(staff)
def _staff_only():
    """Every page of this blueprint needs a staff role (views needing more say so themselves)."""


def _archive():
    return current_app.config["ARCHIVE"]


@bp.get("/")
def dashboard():
    archive, viewer = _archive(), current_viewer()
    mine = editing.list_items(archive, viewer, actor_id=viewer.user_id, status="draft", per_page=8)
    recent_jobs = jobs.list_jobs(archive, actor_id=viewer.user_id, limit=8)
    drafts = editing.list_items(archive, viewer, status="draft", per_page=1)
    return render_template("staff/dashboard.html", mine=mine, recent_jobs=recent_jobs, drafts_total=drafts.total)


@bp.get("/items/")
def items():
    archive, viewer = _archive(), current_viewer()
    status = request.args.get("status") if request.args.get("status") in ("draft", "published") else None
    mine = request.args.get("mine") == "1"
    q = request.args.get("q", "").strip()
    found = editing.list_items(archive, viewer, status=status, actor_id=viewer.user_id if mine else None, q=q or None,
                               page=page_number())
    return render_template("staff/items.html", found=found, status=status, mine=mine, q=q)


def _edit_page(item_id: str, *, record: dict | None = None, problems=None, conflict: str | None = None,
               caption_problems: list[str] | None = None, caption_form: dict | None = None, status: int = 200):
    """The describe form; after a lost race (``conflict``: the version the editor had opened) it keeps the editor's
    values and shows how they differ from the version saved in between. ``caption_problems``: why a caption file
    was refused (in the page's language), with the choices that came with it (``caption_form``)."""
    archive = _archive()
    item = editing.item_for_edit(archive, item_id)
    conflict_diff = staff_forms.changes(item.record, record, archive.vocab) if conflict and record else []
    with archive.catalog.session() as s:
        collections = browse.collections(s)
    errors = staff_forms.errors_by_field(problems or [])
    return render_template("staff/edit.html", item=item, record=record if record is not None else item.record,
                           errors=errors, conflict=conflict, conflict_diff=conflict_diff, collections=collections,
                           vocab=archive.vocab,
                           types=staff_forms.TYPES, original_tags=staff_forms.ORIGINAL_TAGS,
                           labels=staff_forms.field_labels(), access_levels=ACCESS_LEVELS,
                           av_files=captions.av_files(archive, item_id),
                           caption_languages=captions.languages(archive.vocab),
                           caption_problems=caption_problems or [], caption_form=caption_form or {}), status


@bp.get("/items/<item_id>")
def edit(item_id: str):
    return _edit_page(item_id)


@bp.post("/items/<item_id>")
def save(item_id: str):
    archive = _archive()
    item = editing.item_for_edit(archive, item_id)
    record = staff_forms.record_from_form(request.form, item.record)
    expected = number_arg("version", request.form, default=0, maximum=MAX_ID) or None
    try:
        saved = editing.update_item(archive, item_id, record, current_viewer(), expected_version=expected)
    except InvalidRecord as exc:
        return _edit_page(item_id, record=record, problems=exc.problems, status=400)
    except Conflict:
        return _edit_page(item_id, record=record, conflict=expected, status=409)
    if not saved.new:
        flash(_("Nothing changed."), "info")
    else:
        flash(_("Saved as version %(number)s.", number=saved.version), "success")
    if saved.ocr_queued:
        jobs.read_text_soon(archive)
    return redirect(url_for(".edit", item_id=item_id))


def _caption_refused(item_id: str, problems: list[str], status: int = 400):
    form = {"media": request.form.get("media", ""), "language": request.form.get("language", "")}
    return _edit_page(item_id, caption_problems=problems, caption_form=form, status=status)


def _problem_text(problem: Problem) -> str:
    return say(problem.reason) if isinstance(problem.reason, Reason) else str(problem)


@bp.post("/items/<item_id>/captions")
def put_caption(item_id: str):
    """Upload a caption or transcript file for one audio or video file and language (replacing the one there)."""
    archive = _archive()
    expected = number_arg("version", request.form, default=0, maximum=MAX_ID) or None
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _caption_refused(item_id, [_("Choose a WebVTT file (.vtt) to upload.")])
    data = upload.stream.read(captions.MAX_CAPTION_BYTES + 1)
    name = PurePath(upload.filename.replace("\\", "/")).name[:200] or "captions.vtt"
    try:
        number = captions.put_caption(archive, item_id, request.form.get("media", ""),
                                      request.form.get("language", ""), data, name, current_viewer(),
                                      expected_version=expected)
    except InvalidRecord as exc:
        return _caption_refused(item_id, [_problem_text(p) for p in exc.problems])
    except BadParameter as exc:
        return _caption_refused(item_id, [str(exc)])
    except Conflict:
        return _caption_refused(item_id, [_("Someone else saved this item after you opened it; the file was not "
                                            "saved. Choose it again.")], status=409)
    if expected is not None and number == expected:
        flash(_("Nothing changed: this file is already there."), "info")
    else:
        flash(_("Captions saved as version %(number)s.", number=number), "success")
    return redirect(url_for(".edit", item_id=item_id, _anchor="h-captions"))


@bp.post("/items/<item_id>/captions/remove")
def remove_caption(item_id: str):
    archive = _archive()
    expected = number_arg("version", request.form, default=0, maximum=MAX_ID) or None
    try:
        number = captions.remove_caption(archive, item_id, request.form.get("media", ""),
                                         request.form.get("language", ""), current_viewer(),
                                         expected_version=expected)
    except BadParameter as exc:
        return _caption_refused(item_id, [str(exc)])
    except Conflict:
        return _caption_refused(item_id, [_("Someone else saved this item after you opened it; nothing was "
                                            "removed. Check the files below and try again.")], status=409)
    flash(_("Captions removed as version %(number)s; the file is kept with the earlier versions.", number=number),
          "success")
    return redirect(url_for(".edit", item_id=item_id, _anchor="h-captions"))


@bp.get("/items/<item_id>/history")
def history(item_id: str):
    archive = _archive()
    item = editing.item_for_edit(archive, item_id)
    versions = editing.history(archive, item_id)  # oldest first
    states = [staff_forms.version_state(v) for v in versions]
    for before, after in reversed(list(zip(states, states[1:]))):  # versions saved before captions were kept
        if "captions" not in before:
            before["captions"] = after.get("captions")
    diffs = {v.number: staff_forms.changes(before, after, archive.vocab)
             for v, before, after in zip(versions, [{}, *states], states)}
    return render_template("staff/history.html", item=item, versions=list(reversed(versions)), diffs=diffs,
                           labels=staff_forms.field_labels())


@bp.post(f"/items/<item_id>/history/<int(max={MAX_ID}):number>/revert")
def revert(item_id: str, number: int):
    saved = editing.revert(_archive(), item_id, number, current_viewer())
    flash(_("Version %(old)s restored as version %(new)s.", old=number, new=saved.version), "success")
    if saved.captions_not_restored:
        flash(_("These caption files could not be restored: %(names)s. Their recording is no longer the item's, "
                "another item has the same file, or the file is missing (run a fixity check).",
                names=", ".join(saved.captions_not_restored)), "error")
    return redirect(url_for(".history", item_id=item_id))


@bp.get("/items/<item_id>/preview")
def preview(item_id: str):
    """The public item page as it will look once published, marked as a preview and kept out of search engines."""
    archive = _archive()
    with archive.catalog.session() as s:
        page = browse.item_page(s, item_id, archive.vocab, archive.store, viewer=current_viewer())
    return render_template("staff/preview.html", **item_context(page), editable=editing.item_for_edit(archive, item_id))


@bp.post("/items/<item_id>/publish")
@require(publisher)
def publish(item_id: str):
    publishing.publish(_archive(), item_id, current_viewer())
    flash(_("Published: the item is now visible according to its access level."), "success")
    return redirect(url_for(".edit", item_id=item_id))


@bp.post("/items/<item_id>/unpublish")
@require(publisher)
def unpublish(item_id: str):
    publishing.unpublish(_archive(), item_id, current_viewer())
    flash(_("Unpublished: the item is a draft again, seen by staff only."), "success")
    return redirect(url_for(".edit", item_id=item_id))


@bp.post("/items/<item_id>/access")
@require(publisher)
def access(item_id: str):
    archive = _archive()
    level = request.form.get("access", "")
    note = staff_forms.language_map(request.form, "sensitivity_note")
    problems = []
    if level not in ACCESS_LEVELS:
        problems.append(Problem("access", f"unknown access level {level!r}"))
    try:
        embargo = date_arg("embargo_until", request.form)
    except BadParameter as exc:
        problems.append(Problem(exc.parameter, exc.reason))
        embargo = None
    try:
        if problems:
            raise InvalidRecord(problems)
        publishing.set_access(archive, item_id, level, current_viewer(), sensitivity_note=note,
                              embargo_until=embargo, location_public=request.form.get("location_public") == "1")
    except InvalidRecord as exc:
        return _edit_page(item_id, problems=exc.problems, status=400)
    flash(_("Access level saved."), "success")
    return redirect(url_for(".edit", item_id=item_id))


@bp.get("/batch")
def batch():
    return render_template("staff/batch.html", summary=None)


@bp.get("/batch/export.csv")
def export_csv():
    archive, viewer = _archive(), current_viewer()
    ids = request.args.getlist("id")
    if not ids:
        status = request.args.get("status") if request.args.get("status") in ("draft", "published") else None
        ids = editing.list_item_ids(archive, viewer, status=status)
    body = editing.export_csv(archive, ids)
    name = f"heritage-items-{date.today().isoformat()}.csv"
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/batch/import")
def import_csv():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a CSV file to import."), "error")
        return redirect(url_for(".batch"))
    data = upload.stream.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        abort(413)
    summary = editing.import_csv(_archive(), data, current_viewer(), source=upload.filename)
    status = 400 if summary.rejected and not summary.updated else 200
    return render_template("staff/batch.html", summary=summary, filename=upload.filename), status


@bp.app_template_global()
def staff_label(kind: str, value: str | None) -> str:
    """Translated names of roles, item states, access levels, job states and audit actions."""
    return staff_forms.labels(kind).get(value or "", value or "")


@bp.app_template_global()
def say_reasons(reasons) -> str | None:
    """Why a job's file was turned away, in the page's language."""
    return say_all(reasons)


@bp.app_template_global()
def today_iso() -> str:
    return date.today().isoformat()

