"""The describe form ↔ an exchange-format record (PRODUCT.md §3), the field errors beside each field, and the
word-level differences the version history shows. Validation itself is the domain's (archive.records)."""
from __future__ import annotations

import difflib
import re

from flask_babel import gettext as _
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from ..errors import Problem
from ..labels import SITE_LANGS
from .present import pick

LANGUAGE_MAPS = ("title", "description", "attribution", "provenance")  # sensitivity_note: the access section
SCALARS = ("type", "community", "festival", "place", "date", "lunar_date", "rights")
TERM_LISTS = ("languages", "scripts", "collections")
DESCRIBED = (*LANGUAGE_MAPS, *SCALARS, *TERM_LISTS, "subjects", "creators")
ORIGINAL_TAGS = ("km", "cjm-Cham", "cjm-Latn", "zh-Hant", "zh-Hans", "yue", "ar")
TYPES = ("image", "audio", "video", "document", "set")
_REQUIRED = re.compile(r"^'(\w+)' is a required property$")


def field_labels() -> dict[str, str]:
    return {
        "title": _("Title"), "description": _("Description"), "attribution": _("Attribution"),
        "provenance": _("Provenance"), "type": _("Type"), "community": _("Community"), "festival": _("Festival"),
        "place": _("Place"), "date": _("Date"), "lunar_date": _("Lunar date"), "rights": _("Rights (licence)"),
        "languages": _("Languages"), "scripts": _("Scripts"), "collections": _("Collections"),
        "subjects": _("Subjects"), "creators": _("Creators and contributors"), "access": _("Access level"),
        "sensitivity_note": _("Cultural sensitivity note"), "embargo_until": _("Embargo until"),
        "status": _("State"), "captions": _("Captions and transcripts"),
    }


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def language_map(form: MultiDict, name: str) -> dict[str, str]:
    """``name.vi``, ``name.en`` and the rows of (``name.tag``, ``name.text``) for original scripts."""
    values: dict[str, str] = {}
    for tag, text in zip(form.getlist(f"{name}.tag"), form.getlist(f"{name}.text")):
        if text.strip():
            values[tag.strip()] = text.strip()  # an empty tag stays, so the domain names the problem
    for lang in SITE_LANGS:
        if form.get(f"{name}.{lang}", "").strip():
            values[lang] = form[f"{name}.{lang}"].strip()
    return values


def record_from_form(form: MultiDict, current: dict) -> dict:
    """The record the form describes. What the form does not show (access, sensitivity note…) is kept as it was."""
    record = {k: v for k, v in current.items() if k not in DESCRIBED and k != "id"}
    for name in LANGUAGE_MAPS:
        if values := language_map(form, name):
            record[name] = values
    for name in SCALARS:
        if value := form.get(name, "").strip():
            record[name] = value
    for name in TERM_LISTS:
        if values := list(dict.fromkeys(v for v in form.getlist(name) if v.strip())):
            record[name] = values
    if subjects := list(dict.fromkeys(_lines(form.get("subjects", "")))):
        record["subjects"] = subjects
    creators = []
    for name, role in zip(form.getlist("creator.name"), form.getlist("creator.role")):
        if name.strip():
            creators.append({"name": name.strip(), **({"role": role.strip()} if role.strip() else {})})
    if creators:
        record["creators"] = creators
    return record


def field_of(problem: Problem) -> str:
    """The form field a problem belongs beside ('' for the form as a whole)."""
    if not problem.field and (m := _REQUIRED.match(problem.reason)):
        return m.group(1)
    head = problem.field.split(".", 1)[0]
    return head if head in field_labels() else ""


def explain(problem: Problem) -> str | None:
    """A translated explanation of the problems the form can produce; None where the domain's words must do."""
    field, reason = field_of(problem), problem.reason
    if field == "title" and ("needs" in reason or "required" in reason):
        return _("Give a title in Vietnamese or in English (or both).")
    if field == "community" and "required" in reason:
        return _("Choose the community.")
    if field == "sensitivity_note" and "needs a note" in reason:
        return _("Restricted material needs a note saying why, in Vietnamese or English.")
    if field == "date":
        return _("Write the date in EDTF, e.g. 2019-10, 196X, 1975~ or 2001/2005.")
    if "BCP 47" in reason:
        return _("Not a language tag: use e.g. km, cjm-Cham, zh-Hant or yue.")
    if reason.startswith("unknown"):
        return _("Choose a value from the list.")
    return None


def errors_by_field(problems: list[Problem]) -> dict[str, list[tuple[str | None, str]]]:
    """Field → [(translated explanation or None, the domain's reason)]."""
    found: dict[str, list[tuple[str | None, str]]] = {}
    for problem in problems:
        found.setdefault(field_of(problem), []).append((explain(problem), problem.reason))
    return found


TERM_VOCABULARIES = {"community": "communities", "festival": "festivals", "place": "places",
                     "languages": "languages", "scripts": "scripts"}


def term_text(vocab, field: str, value: str) -> str:
    """A vocabulary term's label in the page language (the identifier itself when the term is unknown)."""
    if field == "rights":
        term = vocab.licence(value)
    elif field in TERM_VOCABULARIES or field == "roles":
        term = vocab.get(TERM_VOCABULARIES.get(field, field), value)
    else:
        return value
    label = pick(term["label"]) if term else None
    return label.text if label else value


def as_text(field: str, value, vocab) -> str:
    """A record value as plain text for the history: terms by their labels, language maps one ``tag: text`` per
    line, lists one value per line."""
    if value in (None, "", [], {}):
        return ""
    if field in ("status", "access"):
        return labels(field).get(value, value)
    if isinstance(value, dict):
        return "\n".join(f"{tag}: {text}" for tag, text in value.items())
    if field == "creators":
        return "\n".join(f"{c['name']} ({term_text(vocab, 'roles', c['role'])})" if c.get("role") else c["name"]
                         for c in value)
    if isinstance(value, list):
        return "\n".join(term_text(vocab, field, str(v)) for v in value)
    return term_text(vocab, field, str(value))


def word_diff(before: str, after: str) -> Markup:
    """``after`` against ``before`` word by word (each word with the space after it): removed words in <del>, added
    ones in <ins>, all escaped."""
    old, new = re.findall(r"\S+\s*|\s+", before), re.findall(r"\S+\s*|\s+", after)
    parts = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            parts.append(Markup("<del>{}</del>").format("".join(old[a1:a2])))
        if op in ("insert", "replace"):
            parts.append(Markup("<ins>{}</ins>").format("".join(new[b1:b2])))
        if op == "equal":
            parts.append(escape("".join(old[a1:a2])))
    return Markup("").join(parts)


def whole_diff(before: str, after: str) -> Markup:
    """A short value replaced as a whole: the old one struck out, then the new one."""
    parts = [Markup("<del>{}</del>").format(before)] if before else []
    parts += [Markup("<ins>{}</ins>").format(after)] if after else []
    return Markup(" → ").join(parts)


def version_state(version) -> dict:
    """What a version's history entry compares: the record plus the publication state, the embargo and (when the
    version kept them) its caption files, one "recording · language: file (checksum)" line each."""
    state = {**version.record, "status": version.status,
             "embargo_until": version.embargo_until.isoformat() if version.embargo_until else None}
    if version.captions is not None:
        state["captions"] = [f"{c['media_name']} · {c['language']}: {c['name']} ({c['sha256'][:12]})"
                             for c in version.captions]
    return state


def changes(before: dict, after: dict, vocab) -> list[tuple[str, Markup]]:
    """(field, difference) for each field that differs between two states of a record; free text word by word."""
    rows = []
    for field in dict.fromkeys([*before, *after]):
        if field == "id" or before.get(field) == after.get(field):
            continue
        old, new = as_text(field, before.get(field), vocab), as_text(field, after.get(field), vocab)
        free_text = field in LANGUAGE_MAPS or field in ("sensitivity_note", "subjects", "creators")
        rows.append((field, word_diff(old, new) if free_text else whole_diff(old, new)))
    return rows


def labels(kind: str) -> dict[str, str]:
    """Translated names: ``role``, ``status`` (of an item), ``access``, ``job`` (state), ``ocr`` (a page's state) and ``action`` (audit)."""
    if kind == "role":
        return {"admin": _("Administrator"), "editor": _("Editor"), "contributor": _("Contributor"),
                "researcher": _("Researcher")}
    if kind == "status":
        return {"draft": _("Draft"), "published": _("Published")}
    if kind == "access":
        return {"public": _("Public"), "researchers": _("Registered researchers"), "staff": _("Staff only"),
                "restricted": _("Restricted (community protocol)")}
    if kind == "job":
        return {"queued": _("Waiting"), "running": _("Processing"), "done": _("Done"), "rejected": _("Rejected"),
                "failed": _("Failed")}
    if kind == "ocr":
        return {"queued": _("Waiting"), "running": _("Processing"), "done": _("Done"),
                "no_model": _("No OCR model for the item's languages"), "failed": _("Failed")}
    if kind == "action":
        return {"login": _("Signed in"), "login_failed": _("Failed sign-in"),
                "login_throttled": _("Sign-in refused (too many failures)"), "logout": _("Signed out"),
                "user_add": _("Account created"), "user_disable": _("Account disabled"),
                "user_enable": _("Account enabled"),
                "role_change": _("Role change"), "password_change": _("Password change"), "upload": _("Upload"),
                "ingest_done": _("Ingest done"), "ingest_rejected": _("Ingest rejected"), "create": _("Created"),
                "edit": _("Edit"), "revert": _("Revert"), "publish": _("Publish"), "unpublish": _("Unpublish"),
                "access_change": _("Access change"), "term_create": _("Term or collection added"),
                "term_propose": _("Term proposed"), "term_edit": _("Term or collection changed"),
                "term_approve": _("Term approved"), "term_delete": _("Term or collection deleted"),
                "term_restore": _("Term or collection restored"), "term_merge": _("Terms merged"),
                "home_curate": _("Home page features changed"),
                "caption_add": _("Captions added"), "caption_replace": _("Captions replaced"),
                "caption_remove": _("Captions removed"), "ocr_rerun": _("OCR run again"),
                "ocr_correct": _("OCR text corrected")}
    raise KeyError(kind)
