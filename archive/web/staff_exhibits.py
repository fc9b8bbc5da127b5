"""The exhibit builder under /{lang}/staff/exhibits/: the list, a new exhibit, the edit page (blocks with their
Vietnamese and English side by side), the preview of the public page, publish and unpublish, the versions with
compare and restore.

The edit page is one form. Its blocks are posted in page order (the hidden ``block`` fields, each naming the prefix
of its block's fields), so a block moved in the page by the script is saved where it is shown. Without the script,
the buttons that add, move, remove or preview a block post the whole form with an ``op``: the page comes back with
that change made and nothing saved, so unsaved edits are never lost. Saving calls archive.exhibit_store, which
validates, versions (compare-and-set on the version the page showed), audits and says who may do what.
"""
from __future__ import annotations

import json
import re

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from .. import editing, exhibit_pages, exhibit_store
from ..access import Viewer, can_change_exhibit, can_draft_exhibit, can_publish_exhibit
from ..errors import Conflict, InvalidRecord, Problem
from ..exhibit_model import BLOCK_TYPES, TOP_FIELDS
from ..exhibits import render_markdown
from ..labels import SITE_LANGS
from . import staff_forms
from .auth import current_viewer, require
from .params import MAX_ID, number_arg

bp = Blueprint("exhibit_builder", __name__, url_prefix="/staff/exhibits")

FORM_FIELDS = ("title", "summary", "community", "cover")  # the rest of the top level is kept as stored
_OP = re.compile(r"^(up|down|remove|show):(\w{1,12})$")
_BLOCK_FIELD = re.compile(r"^blocks\[(\d+)\] \(\w+\)\.?(.*)$")
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")
SEARCH_RESULTS = 10


@bp.before_request
@require(can_draft_exhibit)
def _staff_only():
    """Any staff member drafts (archive.access.can_draft_exhibit); the store refuses the rest to contributors."""


def _archive():
    return current_app.config["ARCHIVE"]


def block_names() -> dict[str, str]:
    return {"text": _("Text"), "item": _("Item"), "gallery": _("Gallery"), "quote": _("Quotation"),
            "map": _("Map of places"), "timeline": _("Timeline")}


def field_labels() -> dict[str, str]:
    return {"slug": _("Address (slug)"), "title": _("Title"), "summary": _("Summary"), "community": _("Community"),
            "cover": _("Cover item"), "festival": _("Festival"), "featured": _("Featured"), "order": _("Order"),
            "blocks": _("Blocks"), "status": _("State"), "text": _("Text"), "item": _("Item"),
            "caption": _("Caption"), "region": _("Image region"), "start": _("Clip start"), "end": _("Clip end"),
            "items": _("Items"), "source": _("Source"), "places": _("Places"), "type": _("Type of block")}


# ---- the form ↔ the content -------------------------------------------------------------------------------------

def _languages(form: MultiDict, name: str) -> dict[str, str]:
    return {lang: form.get(f"{name}.{lang}", "").strip() for lang in SITE_LANGS}


def _seconds(text: str):
    """A typed time: seconds (``12.5``, ``12,5``) or a clock (``1:05``, ``0:01:05.5``); else the text itself, so
    the store names the field it rejects."""
    text = text.strip()
    if not text:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        pass
    if m := _CLOCK.match(text):
        return int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    return text


def _block(form: MultiDict, key: str) -> dict:
    p = f"b{key}."
    kind = form.get(p + "type", "")
    block: dict = {"type": kind}
    if kind in ("text", "quote"):
        block["text"] = _languages(form, p + "text")
    if kind == "quote":
        block["source"] = form.get(p + "source", "").strip()
    elif kind == "item":
        block["item"] = form.get(p + "item", "").strip()
        block["caption"] = _languages(form, p + "caption")
        if region := form.get(p + "region", "").strip():
            block["region"] = region
        for name in ("start", "end"):
            if (value := _seconds(form.get(p + name, ""))) is not None:
                block[name] = value
    elif kind == "gallery":
        rows = zip(form.getlist(p + "items.item"), form.getlist(p + "items.caption.vi"),
                   form.getlist(p + "items.caption.en"))
        block["items"] = [{"item": ref.strip(), "caption": {"vi": vi.strip(), "en": en.strip()}}
                          for ref, vi, en in rows if ref.strip()]
    elif kind == "map":
        block["places"] = [p for p in form.getlist(p + "places") if p]
    elif kind == "timeline":
        block["items"] = [line.strip() for line in form.get(p + "items", "").splitlines() if line.strip()]
    return block


def content_from_form(form: MultiDict, current: dict) -> dict:
    """The content the form describes: a copy of ``current`` with the shown fields replaced, the blocks in the
    order they were posted."""
    content = {k: v for k, v in current.items() if k in TOP_FIELDS and k not in FORM_FIELDS}
    content["title"] = _languages(form, "title")
    content["summary"] = _languages(form, "summary")
    content["community"] = form.get("community", "").strip() or None
    content["cover"] = form.get("cover", "").strip() or None
    content["blocks"] = [_block(form, key) for key in form.getlist("block")]
    return content


def new_block(kind: str) -> dict:
    return {"text": {"type": "text", "text": {}}, "item": {"type": "item", "item": "", "caption": {}},
            "gallery": {"type": "gallery", "items": []}, "quote": {"type": "quote", "text": {}, "source": ""},
            "map": {"type": "map", "places": []}, "timeline": {"type": "timeline", "items": []}}[kind]


# ---- the edit page ------------------------------------------------------------------------------------------------

def _problems_by_place(problems) -> tuple[dict, dict]:
    """(top field → reasons, block index → {block field → reasons}) for the form's error messages."""
    top: dict[str, list[str]] = {}
    blocks: dict[int, dict[str, list[str]]] = {}
    for problem in problems:
        if m := _BLOCK_FIELD.match(problem.field):
            head = re.split(r"[.\[]", m.group(2), maxsplit=1)[0]
            blocks.setdefault(int(m.group(1)), {}).setdefault(head, []).append(problem.reason)
        else:
            top.setdefault(re.split(r"[.\[]", problem.field, maxsplit=1)[0], []).append(problem.reason)
    return top, blocks


def _edit_page(stored: exhibit_store.StoredExhibit, content: dict, *, version: int, problems=(), message=None,
               announce=None, focus=None, status: int = 200, unsaved: bool = False):
    archive, viewer = _archive(), current_viewer()
    with archive.catalog.session() as s:
        shown = exhibit_pages.chosen_items(s, content, viewer)
    top, per_block = _problems_by_place(problems)
    previews = {n: {lang: render_markdown(b["text"].get(lang, "")) for lang in SITE_LANGS}
                for n, b in enumerate(content.get("blocks", [])) if b.get("type") == "text"
                and isinstance(b.get("text"), dict)}
    return render_template("staff/exhibit_edit.html", exhibit=stored, content=content, version=version,
                           problems=list(problems), top_errors=top, block_errors=per_block, message=message,
                           announce=announce, focus=focus, unsaved=unsaved, shown=shown, previews=previews,
                           names=block_names(), labels=field_labels(), types=BLOCK_TYPES,
                           communities=archive.vocab.terms("communities"), places=archive.vocab.terms("places"),
                           may_publish=can_publish_exhibit(viewer),
                           may_change=can_change_exhibit(viewer, stored.status)), status


def _op(content: dict, keys: list[str], op: str):
    """Make the form's one change to ``content`` (in place); returns (what to announce, the key to focus)."""
    blocks = content["blocks"]
    if op == "add":
        kind = request.form.get("add_type", "")
        if kind not in BLOCK_TYPES:
            return _("Choose the type of block to add."), None
        blocks.append(new_block(kind))
        return _("A block was added at the end: %(type)s, block %(number)s of %(count)s.",
                 type=block_names()[kind], number=len(blocks), count=len(blocks)), f"{len(blocks) - 1}"
    if op == "preview":
        return _("The previews show the text as written now."), None
    m = _OP.match(op)
    if not m or m.group(2) not in keys:
        return _("That block is no longer in the form: nothing was changed."), None
    action, index = m.group(1), keys.index(m.group(2))
    if action == "show":
        return _("Block %(number)s shows the item chosen.", number=index + 1), f"{index}"
    if action == "remove":
        del blocks[index]
        return _("Block %(number)s was removed.", number=index + 1), None
    other = index - 1 if action == "up" else index + 1
    if not 0 <= other < len(blocks):
        return _("This block cannot move further that way."), f"{index}"
    blocks[index], blocks[other] = blocks[other], blocks[index]
    return _("Block moved: now %(number)s of %(count)s.", number=other + 1, count=len(blocks)), f"{other}"


@bp.get("/")
def index():
    archive = _archive()
    rows = sorted(exhibit_store.listing(archive, current_viewer()), key=lambda e: e.updated_at, reverse=True)
    return render_template("staff/exhibits.html", rows=rows)


@bp.get("/new")
def new():
    return _new_page({"title": {}, "summary": {}, "blocks": []}, "")


def _new_page(content: dict, slug: str, problems=(), status: int = 200):
    archive = _archive()
    top, _blocks = _problems_by_place(problems)
    return render_template("staff/exhibit_new.html", content=content, slug=slug, problems=list(problems),
                           top_errors=top, labels=field_labels(),
                           communities=archive.vocab.terms("communities")), status


@bp.post("/new")
def create():
    slug = request.form.get("slug", "").strip()
    content = content_from_form(request.form, {})
    try:
        exhibit_store.create(_archive(), slug, content, current_viewer())
    except InvalidRecord as exc:
        return _new_page(content, slug, exc.problems, 400)
    except Conflict:
        return _new_page(content, slug, [Problem("slug", _("There is already an exhibit at this address."))], 409)
    flash(_("The exhibit is created as a draft. Add its blocks."), "success")
    return redirect(url_for(".edit", slug=slug))


@bp.get("/<slug>/edit")
def edit(slug: str):
    stored = exhibit_store.get(_archive(), slug, current_viewer())
    return _edit_page(stored, stored.content, version=stored.version)


@bp.post("/<slug>/edit")
def save(slug: str):
    archive, viewer = _archive(), current_viewer()
    stored = exhibit_store.get(archive, slug, viewer)
    version = number_arg("version", request.form, maximum=MAX_ID)
    keys = request.form.getlist("block")
    content = content_from_form(request.form, stored.content)
    op = request.form.get("op", "save")
    if op != "save":
        announce, focus = _op(content, keys, op)
        return _edit_page(stored, content, version=version, announce=announce, focus=focus, unsaved=True)
    try:
        number = exhibit_store.save(archive, slug, content, viewer, expected_version=version,
                                    note=request.form.get("note", "").strip()[:500] or None)
    except InvalidRecord as exc:
        return _edit_page(stored, content, version=version, problems=exc.problems, status=400, unsaved=True)
    except Conflict:
        return _edit_page(stored, content, version=version, status=409, unsaved=True, message=_(
            "Someone saved this exhibit (now version %(current)s) after you opened version %(opened)s. Nothing was "
            "saved; your changes are still in the form below. Open the versions to see what changed, then reload "
            "and make your changes again.", current=stored.version, opened=version))
    flash(_("Saved as version %(number)s.", number=number) if number != version else _("Nothing changed."),
          "success" if number != version else "info")
    return redirect(url_for(".edit", slug=slug))


def _status_change(slug: str, change, done: str):
    archive = _archive()
    version = number_arg("version", request.form, maximum=MAX_ID)
    try:
        change(archive, slug, current_viewer(), expected_version=version)
    except Conflict:
        stored = exhibit_store.get(archive, slug, current_viewer())
        return _edit_page(stored, stored.content, version=stored.version, status=409, message=_(
            "Someone saved this exhibit after you opened it: check this version, then try again."))
    flash(done, "success")
    return redirect(url_for(".edit", slug=slug))


@bp.post("/<slug>/publish")
def publish(slug: str):
    return _status_change(slug, exhibit_store.publish, _("Published: the public can see the exhibit."))


@bp.post("/<slug>/unpublish")
def unpublish(slug: str):
    return _status_change(slug, exhibit_store.unpublish, _("Unpublished: the exhibit is a draft again."))


@bp.get("/<slug>/preview")
def preview(slug: str):
    """The public page of the exhibit as it is now (a draft too), as an anonymous visitor would see it."""
    archive = _archive()
    stored = exhibit_store.get(archive, slug, current_viewer())
    with archive.catalog.session() as s:
        shown = exhibit_pages.page(s, stored, g.lang, Viewer.ANONYMOUS)
    return render_template("exhibit.html", exhibit=shown, jsonld={}, preview=stored), 200, {"X-Robots-Tag": "noindex"}


@bp.post("/markdown")
def markdown():
    """The safe rendering of a block's Markdown (the live preview of the edit page)."""
    text = request.form.get("text", "")
    return {"html": str(render_markdown(text[:200_000]))}


@bp.get("/items.json")
def find_items():
    """Items the signed-in staff member may see that match ``q`` (the site's search), for choosing a block's item."""
    q = request.args.get("q", "").strip()[:200]
    found = editing.list_items(_archive(), current_viewer(), q=q, per_page=SEARCH_RESULTS) if q else None
    rows = found.rows if found else []
    return {"items": [{"id": r.id, "type": r.type, "title": r.title, "access": r.access, "status": r.status}
                      for r in rows]}


@bp.get("/<slug>/versions")
def versions(slug: str):
    archive = _archive()
    stored = exhibit_store.get(archive, slug, current_viewer())
    found = list(reversed(exhibit_store.versions(archive, slug)))
    return render_template("staff/exhibit_versions.html", exhibit=stored, versions=found)


def _as_text(name: str, value) -> str:
    """A content value as lines of text for the comparison: a language map one ``lang: text`` per line, a list one
    entry per line (a gallery entry with its captions), a state by its translated name."""
    if value in (None, "", [], {}):
        return ""
    if name == "status":
        return staff_forms.labels("status").get(value, value)
    if isinstance(value, dict) and set(value) <= set(SITE_LANGS):
        return "\n".join(f"{lang}: {text}" for lang, text in value.items() if text)
    if isinstance(value, list):
        return "\n".join(_as_text(name, entry) for entry in value)
    if isinstance(value, dict) and "item" in value:
        caption = " / ".join(_as_text("caption", value.get("caption")).splitlines())
        return value["item"] + (f" ({caption})" if caption else "")
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _rows(pairs) -> list[tuple[str, Markup]]:
    """(field, word-level difference) for each (field, before, after) whose text differs."""
    rows = []
    for name, before, after in pairs:
        old, new = _as_text(name, before), _as_text(name, after)
        if old != new:
            rows.append((name, staff_forms.word_diff(old, new)))
    return rows


@bp.get("/<slug>/compare")
def compare(slug: str):
    archive = _archive()
    stored = exhibit_store.get(archive, slug, current_viewer())
    first = number_arg("from", request.args, maximum=MAX_ID)
    second = number_arg("to", request.args, maximum=MAX_ID)
    changes = exhibit_store.compare(archive, slug, first, second)
    fields = _rows((name, d["before"], d["after"]) for name, d in changes["fields"].items())
    blocks = []
    for b in changes["blocks"]:
        if b["change"] == "changed":
            rows = _rows((name, d["before"], d["after"]) for name, d in b["fields"].items())
            blocks.append({"change": b["change"], "number": b["index"] + 1, "was": b["was"] + 1, "type": b["type"],
                           "rows": rows})
        else:
            added = b["change"] == "added"
            block = b["block"]
            rows = _rows((name, None if added else value, value if added else None)
                         for name, value in block.items() if name != "type")
            blocks.append({"change": b["change"], "number": (b["index"] if added else b["was"]) + 1,
                           "type": block["type"], "rows": rows})
    return render_template("staff/exhibit_compare.html", exhibit=stored, first=first, second=second, fields=fields,
                           blocks=blocks, labels=field_labels(), names=block_names())


@bp.post(f"/<slug>/versions/<int(max={MAX_ID}):number>/restore")
def restore(slug: str, number: int):
    archive = _archive()
    try:
        new_number = exhibit_store.restore(archive, slug, number, current_viewer())
    except InvalidRecord as exc:
        flash(_("This version cannot be restored: %(reason)s",
                reason="; ".join(f"{p.field}: {p.reason}" for p in exc.problems)), "error")
        return redirect(url_for(".versions", slug=slug))
    flash(_("Version %(old)s restored as version %(new)s.", old=number, new=new_number), "success")
    return redirect(url_for(".edit", slug=slug))


@bp.app_template_global()
def exhibit_action(action: str) -> str:
    """An exhibit version's action in the page's language."""
    return {"create": _("Created"), "import": _("Imported"), "edit": _("Edited"), "publish": _("Published"),
            "unpublish": _("Unpublished"), "restore": _("Restored")}.get(action, action)
