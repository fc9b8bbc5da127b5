"""The staff page /{lang}/staff/items/<id>/text: the text OCR found in an item's images (archive.ocr_text), "Run OCR
again" (queues the item's images for the worker) and "Correct the text" per page, each correction a new version,
compare-and-set on the version the form showed."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import editing, jobs, ocr_changes, ocr_text
from ..errors import BadParameter, Conflict
from .auth import current_viewer, require, staff
from .params import MAX_ID, number_arg

bp = Blueprint("ocr", __name__, url_prefix="/staff/items/<item_id>/text")


@bp.before_request
@require(staff)
def _staff_only():
    """Every staff role may read, re-run and correct OCR text."""


def _archive():
    return current_app.config["ARCHIVE"]


def _page(item_id: str, *, conflict: int | None = None, drafts: dict[int, str] | None = None, status: int = 200):
    archive = _archive()
    item = editing.item_for_edit(archive, item_id)
    with archive.catalog.session() as s:
        pages = ocr_text.pages(s, item_id)
    return render_template("staff/ocr.html", item=item, pages=pages, conflict=conflict, drafts=drafts or {},
                           most=ocr_text.MAX_TEXT), status


@bp.get("/")
def show(item_id: str):
    return _page(item_id)


@bp.post("/run")
def run(item_id: str):
    count = ocr_changes.request_rerun(_archive(), item_id, current_viewer())
    jobs.read_text_soon(_archive())
    flash(_("%(count)s page(s) queued: the text is read again in the background.", count=count), "success")
    return redirect(url_for(".show", item_id=item_id))


@bp.post(f"/<int(max={MAX_ID}):page_id>")
def correct(item_id: str, page_id: int):
    if "text" not in request.form:
        raise BadParameter("text", _("The corrected text is missing."))
    text = request.form["text"]
    expected = number_arg("version", request.form, minimum=1, maximum=MAX_ID)
    try:
        number = ocr_changes.correct(_archive(), item_id, page_id, text, current_viewer(), expected_version=expected)
    except Conflict:
        return _page(item_id, conflict=page_id, drafts={page_id: text}, status=409)
    if number == expected:
        flash(_("Nothing changed."), "info")
    else:
        flash(_("Saved as version %(number)s.", number=number), "success")
    return redirect(url_for(".show", item_id=item_id) + f"#ocr-{page_id}")
