"""Vocabulary terms managed in the catalog: seeded from the shipped data files, added and edited by admins (editors
propose), every save a numbered version with an audit entry, compare-and-set like item saves (archive.editing),
merged rather than deleted when in use, and exported back in the data files' format.

Seeding rule (``seed``, at every start and by ``heritage import-vocabularies``): a term of the data files that the
catalog lacks is added; a term staff never changed (all its versions are seeds) follows the data files; a term staff
changed, deleted or merged away is left as staff left it; terms staff added are kept. Vocabulary descriptions follow
the data files, keeping sources the catalog cites that the files lack.

A record names a subject by one of its labels (``subjects: ["đèn lồng", "lanterns"]``), not by id: records,
imports, CSV batch edits and exports keep the words they have always held, free keywords stay allowed, and a term's
labels (and, after a merge, the merged-away term's, as ``alt_labels``) tie them to it.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import access, generation
from .catalog import service, versioning
from .catalog.models import Collection, Item, VocabularyDocument, VocabularyTerm, VocabularyVersion
from .editing import ensure_first_version, save_version
from .errors import BadParameter, Conflict, Forbidden, InvalidRecord, NotFound, Problem
from .params import iso_date
from .text import BCP47, clean, clean_language_map
from .uow import unit_of_work
from .vocabularies import NAMES, SINGULAR, Vocabularies, read_documents, subject_key, subject_words

MANAGED = ("communities", "festivals", "places", "languages", "roles", "subjects")  # licences and scripts: files only
PLACE_KINDS = ("temple", "pagoda", "mosque", "assembly-hall", "historic-site", "museum", "church", "market",
               "district")
TERM_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Festival date rules (archive.calendar): âm lịch and Gregorian rules are computed; the other calendars have no
# trustworthy algorithm, so their festivals take announced dates only.
COMPUTED_CALENDARS = ("amlich", "gregorian")
CALENDARS = (*COMPUTED_CALENDARS, "cham", "cham-bani", "hijri")
RULE_FLAGS = ("announced", "confirm", "approximate", "season")
REQUIRED_LABELS = ("vi", "en")
ITEM_KEYS = {"communities": "community", "festivals": "festival", "places": "place"}  # Item columns
LIST_KEYS = {"languages": "languages"}
COLLECTIONS = "collections"  # the ``vocabulary`` of collections' versions


class TermInUse(Conflict):
    """A term items still refer to cannot be deleted; ``count`` says how many items."""

    def __init__(self, vocabulary: str, term_id: str, count: int):
        self.count = count
        if vocabulary == "collections":
            super().__init__(f"collection {term_id!r} holds {count} item(s); take them out of it first")
        else:
            super().__init__(f"{SINGULAR[vocabulary]} {term_id!r} is used by {count} item(s); merge it into "
                             "another term instead")


@dataclass(frozen=True)
class Term:
    vocabulary: str
    id: str
    data: dict
    status: str
    version: int


@dataclass(frozen=True)
class TermVersion:
    number: int
    data: dict | None  # None: deleted or merged away
    status: str
    action: str
    username: str | None
    at: datetime


# --- seeding and export ---------------------------------------------------------------------------------------


def seed(catalog, source: Vocabularies) -> int:
    """Bring the catalog's terms in line with the data files of ``source`` by the rule in the module docstring;
    returns the number of terms added or updated. When nothing differs (every start but the first after an upgrade)
    it only reads, so a starting process never waits for a writer."""
    with catalog.session() as s:
        if not _seed(s, source, dry=True):
            return 0
    with catalog.writing() as s:
        return _seed(s, source, dry=False)


def _seed(s: Session, source: Vocabularies, *, dry: bool) -> int:
    """The number of terms (and, counted as one, vocabulary descriptions) ``seed`` changes; ``dry``: change none."""
    rows = {(t.vocabulary, t.id): t for t in s.scalars(select(VocabularyTerm))}
    versioned = set(s.execute(select(VocabularyVersion.vocabulary, VocabularyVersion.term_id).distinct()))
    staff = set(s.execute(select(VocabularyVersion.vocabulary, VocabularyVersion.term_id)
                          .where(VocabularyVersion.action != "seed").distinct()))
    terms_changed = headers_changed = 0
    for name in NAMES:
        document = source.document(name)
        headers_changed += _seed_header(s, name, document, dry)
        for position, term in enumerate(document["terms"]):
            key = (name, term["id"])
            row = rows.get(key)
            if key in staff and row is not None and (missing := _added_since(name, row.data, term)):
                terms_changed += 1  # a field the data files gained since staff changed the term: added to it
                if not dry:
                    row.version += 1
                    row.data = {**row.data, **missing}
                    s.add(_version(row, "seed", None))
                continue
            if key in staff or (row is None and key in versioned):
                continue
            if row is not None and row.data == term:
                if row.position != position:  # the files' order changed: a write, though no term did
                    headers_changed += 1
                    if not dry:
                        row.position = position
                continue
            terms_changed += 1
            if dry:
                continue
            if row is None:
                row = VocabularyTerm(vocabulary=name, id=term["id"], label=term["label"], data=term,
                                     status="active", position=position, version=1)
                s.add(row)
            else:
                row.version += 1 if key in versioned else 0  # rows copied before 0012 start their history
                row.data, row.label, row.position = term, term["label"], position
            s.add(_version(row, "seed", None))
    if (terms_changed or headers_changed) and not dry:
        generation.bump(s)
    return terms_changed if not dry else terms_changed + headers_changed


ADDED_SINCE = {"festivals": ("announced_dates",)}  # fields the data files gained after staff could change terms


def _added_since(vocabulary: str, data: dict, shipped: dict) -> dict:
    """The fields of ``ADDED_SINCE`` the shipped term has and the catalog's never had (an upgraded archive: the
    announced dates were a file of their own before), so a term staff changed does not lose them."""
    return {k: shipped[k] for k in ADDED_SINCE.get(vocabulary, ()) if k in shipped and k not in data}


def _seed_header(s: Session, name: str, document: dict, dry: bool) -> int:
    header = {k: v for k, v in document.items() if k != "terms"}
    row = s.get(VocabularyDocument, name)
    if row is not None:
        shipped = {src["id"] for src in header.get("sources", [])}
        kept = [src for src in row.document.get("sources", []) if src["id"] not in shipped]
        header = {**header, "sources": [*header.get("sources", []), *kept]}
        if row.document == header:
            return 0
        if not dry:
            row.document = header
    elif not dry:
        s.add(VocabularyDocument(name=name, document=header))
    return 1


def export(archive, directory: Path) -> list[Path]:
    """Write the active terms as the shipped data files (``<name>.json``, same keys, sources kept)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, document in read_documents(archive.catalog).items():
        path = directory / f"{name}.json"
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", "utf-8")
        written.append(path)
    return written


# --- reading --------------------------------------------------------------------------------------------------


def _row(s: Session, vocabulary: str, term_id: str) -> VocabularyTerm:
    row = s.get(VocabularyTerm, (vocabulary, term_id))
    if row is None:
        raise NotFound(f"no {SINGULAR.get(vocabulary, 'term')} {term_id!r}")
    return row


def get_term(archive, vocabulary: str, term_id: str) -> Term:
    _check_vocabulary(vocabulary, managed=False)
    with archive.catalog.session() as s:
        row = _row(s, vocabulary, term_id)
        return Term(row.vocabulary, row.id, dict(row.data), row.status, row.version)


def list_terms(archive, vocabulary: str) -> list[Term]:
    """The vocabulary's terms, active and proposed, in the data files' order (terms added later at the end)."""
    _check_vocabulary(vocabulary, managed=False)
    with archive.catalog.session() as s:
        rows = s.scalars(select(VocabularyTerm).where(VocabularyTerm.vocabulary == vocabulary)
                         .order_by(VocabularyTerm.position, VocabularyTerm.id))
        return [Term(r.vocabulary, r.id, dict(r.data), r.status, r.version) for r in rows]


def proposals(archive) -> list[Term]:
    """Terms editors proposed that no admin has approved yet."""
    with archive.catalog.session() as s:
        rows = s.scalars(select(VocabularyTerm).where(VocabularyTerm.status == "proposed")
                         .order_by(VocabularyTerm.vocabulary, VocabularyTerm.id))
        return [Term(r.vocabulary, r.id, dict(r.data), r.status, r.version) for r in rows]


def history(archive, vocabulary: str, term_id: str) -> list[TermVersion]:
    """Oldest first, including a deletion or merge (``data`` None); ``vocabulary`` "collections": a collection's."""
    with archive.catalog.session() as s:
        rows = list(s.scalars(select(VocabularyVersion).where(VocabularyVersion.vocabulary == vocabulary,
                                                              VocabularyVersion.term_id == term_id)
                              .order_by(VocabularyVersion.number)))
        if not rows and vocabulary == COLLECTIONS:
            if (collection := s.get(Collection, term_id)) is None:
                raise NotFound(f"no collection {term_id!r}")
            return [TermVersion(collection.version, _collection_data(collection), "active", "seed", None,
                                collection.updated_at)]
        if not rows:
            row = _row(s, vocabulary, term_id)
            return [TermVersion(row.version, dict(row.data), row.status, "seed", None, datetime.min)]
        return [TermVersion(v.number, v.data, v.status, v.action, v.username, v.at) for v in rows]


def _refers(record: dict, vocabulary: str, term: dict) -> bool:
    if vocabulary in ITEM_KEYS:
        return record.get(ITEM_KEYS[vocabulary]) == term["id"]
    if vocabulary in LIST_KEYS:
        return term["id"] in record.get(LIST_KEYS[vocabulary], [])
    if vocabulary == "roles":
        return any(c.get("role") == term["id"] for c in record.get("creators", []))
    if vocabulary == "subjects":
        words = {subject_key(w) for w in subject_words(term)}
        return any(subject_key(v) in words for v in record.get("subjects", []))
    return False


def _users(s: Session, vocabulary: str, term: dict) -> list[Item]:
    """The items that refer to the term (a column look-up, or a scan of the records for list fields)."""
    query = select(Item)
    if vocabulary in ITEM_KEYS:
        query = query.where(getattr(Item, ITEM_KEYS[vocabulary]) == term["id"])
    return [item for item in s.scalars(query.order_by(Item.id).execution_options(yield_per=500))
            if _refers(item.record, vocabulary, term)]


def usage(archive, vocabulary: str, term_id: str) -> list[str]:
    """The ids of the items that refer to the term."""
    with archive.catalog.session() as s:
        return [item.id for item in _users(s, vocabulary, _row(s, vocabulary, term_id).data)]


# --- validation -----------------------------------------------------------------------------------------------


def _check_vocabulary(vocabulary: str, *, managed: bool = True) -> None:
    allowed = MANAGED if managed else NAMES
    if vocabulary not in allowed:
        raise BadParameter("vocabulary", f"unknown or read-only vocabulary {vocabulary!r}; allowed: "
                                         f"{', '.join(allowed)}")


def _language_map(problems: list[Problem], field: str, value, required: tuple[str, ...] = ()) -> None:
    if not isinstance(value, dict):
        problems.append(Problem(field, "must map language tags to text"))
        return
    for tag, text in value.items():
        if not isinstance(tag, str) or not BCP47.match(tag):
            problems.append(Problem(f"{field}.{tag}", "not a language tag (e.g. vi, en, zh-Hant, cjm-Cham)"))
        elif not isinstance(text, str) or not clean(text):
            problems.append(Problem(f"{field}.{tag}", "must be non-empty text"))
    for tag in required:
        if not (isinstance(value.get(tag), str) and clean(value[tag])):
            problems.append(Problem(f"{field}.{tag}", "required"))


def _coordinates(problems: list[Problem], value) -> None:
    if not isinstance(value, dict):
        problems.append(Problem("coordinates", "must be {\"lat\": …, \"lon\": …}"))
        return
    for axis, limit in (("lat", 90), ("lon", 180)):
        number = value.get(axis)
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
            problems.append(Problem(f"coordinates.{axis}", "required, a number"))
        elif not -limit <= number <= limit:
            problems.append(Problem(f"coordinates.{axis}", f"{number} is outside -{limit}…{limit}"))


def _whole(problems: list[Problem], field: str, value, low: int, high: int) -> bool:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(Problem(field, "required, a whole number"))
    elif not low <= value <= high:
        problems.append(Problem(field, f"{value} is outside {low}…{high}"))
    else:
        return True
    return False


def _day_of(problems: list[Problem], field: str, calendar: str, rule: dict) -> None:
    """A month and day that exist every year: âm lịch months have 29 or 30 days, so the 30th is refused."""
    last = 31
    if _whole(problems, f"{field}.month", rule.get("month"), 1, 12):
        if calendar == "amlich":
            last = 29
        elif calendar == "gregorian":  # the month's length in a common year (29 February is not every year)
            last = (date(2001, rule["month"] % 12 + 1, 1) - timedelta(days=1)).day
    _whole(problems, f"{field}.day", rule.get("day"), 1, last)


def _calendar_rule(problems: list[Problem], rule) -> None:
    """How archive.calendar computes a festival's dates: a computed calendar's month and day (with the days it
    starts early, lasts, or the âm lịch day its season ends), or announced dates."""
    field = "calendar_rule"
    if not isinstance(rule, dict):
        problems.append(Problem(field, "must be an object"))
        return
    calendar = rule.get("calendar")
    if calendar not in CALENDARS:
        problems.append(Problem(f"{field}.calendar", f"unknown calendar {calendar!r}; allowed: {', '.join(CALENDARS)}"))
        return
    _day_of(problems, field, calendar, rule)
    if calendar not in COMPUTED_CALENDARS and rule.get("announced") is not True:
        problems.append(Problem(f"{field}.announced", f"the {calendar} calendar has no algorithm here: its dates "
                                                      "must be announced"))
    for flag in RULE_FLAGS:
        if flag in rule and not isinstance(rule[flag], bool):
            problems.append(Problem(f"{field}.{flag}", "must be true or false"))
    if "duration_days" in rule:
        _whole(problems, f"{field}.duration_days", rule["duration_days"], 1, 366)
    if "starts_days_before" in rule:
        _whole(problems, f"{field}.starts_days_before", rule["starts_days_before"], 0, 60)
    if "until" in rule:
        until = rule["until"]
        if calendar != "amlich":
            problems.append(Problem(f"{field}.until", "a season's end is an âm lịch day: only with the âm lịch "
                                                      "calendar"))
        elif "duration_days" in rule:
            problems.append(Problem(f"{field}.until", "give a season's end or a number of days, not both"))
        elif not isinstance(until, dict) or not isinstance(until.get("month"), int) \
                or not isinstance(until.get("day"), int):
            problems.append(Problem(f"{field}.until", "needs both a month and a day"))
        else:
            _day_of(problems, f"{field}.until", calendar, until)


def _day(problems: list[Problem], field: str, value) -> date | None:
    try:
        day = iso_date(field, value) if isinstance(value, str) else None
    except BadParameter as exc:
        problems.append(Problem(field, exc.reason))
        return None
    if day is None:
        problems.append(Problem(field, "required, a date (YYYY-MM-DD)"))
    return day


def _announced_dates(problems: list[Problem], rows) -> None:
    """A festival's announced days (archive.calendar): each {year, start, end, source}, the year the start's."""
    if not isinstance(rows, list):
        problems.append(Problem("announced_dates", "must be a list of {year, start, end, source}"))
        return
    for number, row in enumerate(rows):
        field = f"announced_dates.{number}"
        if not isinstance(row, dict):
            problems.append(Problem(field, "must be {year, start, end, source}"))
            continue
        start, end = _day(problems, f"{field}.start", row.get("start")), _day(problems, f"{field}.end", row.get("end"))
        if start and end and end < start:
            problems.append(Problem(f"{field}.end", f"{end} is before the start, {start}"))
        if start and row.get("year") != start.year:
            problems.append(Problem(f"{field}.year", f"must be the start's year, {start.year}"))
        if not (isinstance(row.get("source"), str) and clean(row["source"])):
            problems.append(Problem(f"{field}.source", "required: where the date was announced (a source of the "
                                                       "festivals vocabulary, or a URL)"))


def validate(s: Session, vocabulary: str, data: dict, *, term_id: str | None = None) -> list[Problem]:
    """Every problem of the term, each naming its field. ``term_id``: the term being edited (its id is fixed)."""
    if not isinstance(data, dict):
        return [Problem("", "a term is a JSON object")]
    problems: list[Problem] = []
    new_id = data.get("id")
    if term_id is not None and new_id != term_id:
        problems.append(Problem("id", f"a term keeps its id {term_id!r}; merge it into another term instead"))
    elif not isinstance(new_id, str) or not TERM_ID.match(new_id) or len(new_id) > 64:
        problems.append(Problem("id", "required: lower-case letters, digits and single hyphens, at most 64"))
    elif term_id is None and s.get(VocabularyTerm, (vocabulary, new_id)) is not None:
        problems.append(Problem("id", f"{SINGULAR[vocabulary]} {new_id!r} exists already"))
    _language_map(problems, "label", data.get("label"), REQUIRED_LABELS)
    communities = set(s.scalars(select(VocabularyTerm.id).where(VocabularyTerm.vocabulary == "communities",
                                                                 VocabularyTerm.status == "active")))
    if data.get("community") is not None or vocabulary == "festivals":  # places may belong to no community
        if not isinstance(data.get("community"), str) or data["community"] not in communities:
            problems.append(Problem("community", f"unknown community {data.get('community')!r}; allowed: "
                                                 f"{', '.join(sorted(communities))}"))
    if vocabulary == "places":
        if data.get("kind") not in PLACE_KINDS:
            problems.append(Problem("kind", f"unknown kind {data.get('kind')!r}; allowed: {', '.join(PLACE_KINDS)}"))
        if "coordinates" in data:
            _coordinates(problems, data["coordinates"])
        if "address" in data:
            _language_map(problems, "address", data["address"])
    if vocabulary == "festivals" and "date_rule" in data:
        _language_map(problems, "date_rule", data["date_rule"])
    if vocabulary == "festivals" and "calendar_rule" in data:
        _calendar_rule(problems, data["calendar_rule"])
    if vocabulary == "festivals" and "announced_dates" in data:
        _announced_dates(problems, data["announced_dates"])
    if vocabulary == "subjects" and not problems:
        problems += _subject_clashes(s, data, term_id)
    return problems


def _subject_clashes(s: Session, data: dict, term_id: str | None) -> list[Problem]:
    """A subject's labels name it in records, so no label may be another subject's."""
    alt = data.get("alt_labels", [])
    if not isinstance(alt, list) or not all(isinstance(w, str) and clean(w) for w in alt):
        return [Problem("alt_labels", "must be a list of non-empty texts")]
    others = {subject_key(w): row.id
              for row in s.scalars(select(VocabularyTerm).where(VocabularyTerm.vocabulary == "subjects",
                                                                VocabularyTerm.id != (term_id or data["id"])))
              for w in subject_words(row.data)}
    return [Problem(f"label.{tag}", f"{text!r} is already a label of subject {others[subject_key(text)]!r}")
            for tag, text in [*data["label"].items(), *(("alt_labels", w) for w in alt)]
            if subject_key(text) in others]


def _checked(s: Session, vocabulary: str, data: dict, term_id: str | None = None) -> dict:
    if problems := validate(s, vocabulary, data, term_id=term_id):
        given = data.get("id") if isinstance(data, dict) else None
        raise InvalidRecord(problems, f"{vocabulary}/{term_id or given or ''}")
    cleaned = dict(data)
    cleaned["label"] = {tag: clean(text) for tag, text in data["label"].items()}
    return cleaned


# --- changes --------------------------------------------------------------------------------------------------


def _version(row: VocabularyTerm, action: str, actor, *, data: dict | None | bool = True) -> VocabularyVersion:
    return VocabularyVersion(vocabulary=row.vocabulary, term_id=row.id, number=row.version,
                             data=dict(row.data) if data is True else data, status=row.status, action=action,
                             user_id=getattr(actor, "user_id", None), username=getattr(actor, "username", None))


def _next_number(s: Session, vocabulary: str, term_id: str) -> int:
    last = s.scalar(select(func.max(VocabularyVersion.number)).where(VocabularyVersion.vocabulary == vocabulary,
                                                                     VocabularyVersion.term_id == term_id))
    return (last or 0) + 1


def _ensure_first_version(s: Session, row: VocabularyTerm) -> None:
    """Terms copied in before migration 0012 get their version (their state as found) when first changed."""
    if _next_number(s, row.vocabulary, row.id) == 1:
        s.add(_version(row, "seed", None))
        s.flush()


def _bump(s: Session, row: VocabularyTerm, expected: int | None) -> None:
    """Move the term to its next version, compare-and-set: Conflict if it is no longer at ``expected``."""
    versioning.advance(s, row, f"{SINGULAR[row.vocabulary]} {row.id}", expected)


def _require(actor, allowed: bool, what: str) -> None:
    if not allowed:
        raise Forbidden(f"your role cannot {what}")


def add_term(archive, actor, vocabulary: str, data: dict) -> Term:
    """Add a term: active when an admin adds it, ``proposed`` (unused until an admin approves) from an editor."""
    _check_vocabulary(vocabulary)
    _require(actor, access.can_propose_terms(actor), "add vocabulary terms")
    status, action = ("active", "create") if access.can_change_terms(actor) else ("proposed", "propose")
    with unit_of_work(archive) as work:
        s = work.session
        data = _checked(s, vocabulary, data)
        number = _next_number(s, vocabulary, data["id"])  # a deleted term's id continues its history
        position = (s.scalar(select(func.max(VocabularyTerm.position))
                             .where(VocabularyTerm.vocabulary == vocabulary)) or 0) + 1
        row = VocabularyTerm(vocabulary=vocabulary, id=data["id"], label=data["label"], data=data, status=status,
                             position=position, version=number)
        s.add(row)
        s.add(_version(row, action, actor))
        work.audit(actor, f"term_{action}", f"{vocabulary}:{row.id}", {"version": number})
        if status == "active":  # items already holding its words (a subject) are counted under it at once
            work.reindex(*(item.id for item in _users(s, vocabulary, data)))
    return Term(vocabulary, row.id, data, status, number)


def edit_term(archive, actor, vocabulary: str, term_id: str, data: dict, *,
              expected_version: int | None = None) -> int:
    """Save a new state of the term (every field as given, known or not); returns its version number. Items that
    refer to it are reindexed, as search holds its labels."""
    _check_vocabulary(vocabulary)
    _require(actor, access.can_change_terms(actor), "change vocabulary terms")
    with unit_of_work(archive) as work:
        s = work.session
        row = _row(s, vocabulary, term_id)
        data = _checked(s, vocabulary, data, term_id)
        versioning.check(f"{SINGULAR[vocabulary]} {term_id}", row, expected_version)
        if data == row.data:
            return row.version
        _ensure_first_version(s, row)
        _bump(s, row, expected_version)
        changed = sorted(k for k in {*data, *row.data} if data.get(k) != row.data.get(k))
        renamed = _rename_subject(s, actor, row.data, data) if vocabulary == "subjects" else []
        row.data, row.label = data, data["label"]
        s.add(_version(row, "edit", actor))
        work.audit(actor, "term_edit", f"{vocabulary}:{term_id}",
                   {"version": row.version, "fields": changed, **({"items": renamed} if renamed else {})})
        work.reindex(*(item.id for item in _users(s, vocabulary, data)), *renamed)
    return row.version


def _rename_subject(s: Session, actor, before: dict, after: dict) -> list[str]:
    """Items name a subject by its words: those holding a word the edit removes are given the new labels (a new
    item version each). Returns their ids."""
    kept = {subject_key(w) for w in subject_words(after)}
    removed = {**before, "label": {k: w for k, w in before["label"].items() if subject_key(w) not in kept},
               "alt_labels": [w for w in before.get("alt_labels", []) if subject_key(w) not in kept]}
    if not subject_words(removed):
        return []
    return _repoint_items(s, actor, "subjects", _users(s, "subjects", removed), removed, after, "term_edit")


def _repoint_items(s: Session, actor, vocabulary: str, items: list[Item], source: dict, target: dict,
                   action: str = "term_merge") -> list[str]:
    for item in items:
        seen = item.version
        ensure_first_version(s, item)
        service.apply_record(s, item, _repointed(item.record, vocabulary, source, target))
        save_version(s, item, action, actor, expected=seen)
    return [item.id for item in items]


def approve_term(archive, actor, vocabulary: str, term_id: str, *, expected_version: int | None = None) -> int:
    """Make a proposed term usable."""
    _require(actor, access.can_change_terms(actor), "approve vocabulary terms")
    with unit_of_work(archive) as work:
        row = _row(work.session, vocabulary, term_id)
        if row.status != "proposed":
            raise Conflict(f"{SINGULAR[vocabulary]} {term_id!r} is not a proposal")
        _bump(work.session, row, expected_version)
        row.status = "active"
        work.session.add(_version(row, "approve", actor))
        work.audit(actor, "term_approve", f"{vocabulary}:{term_id}", {"version": row.version})
        work.reindex(*(item.id for item in _users(work.session, vocabulary, row.data)))
    return row.version


def delete_term(archive, actor, vocabulary: str, term_id: str, *, expected_version: int | None = None) -> None:
    """Remove a term no item refers to (TermInUse otherwise); its history stays, and ``restore`` brings it back."""
    _check_vocabulary(vocabulary)
    _require(actor, access.can_change_terms(actor), "delete vocabulary terms")
    with unit_of_work(archive) as work:
        s = work.session
        row = _row(s, vocabulary, term_id)
        if users := _users(s, vocabulary, row.data):
            raise TermInUse(vocabulary, term_id, len(users))
        _ensure_first_version(s, row)
        _bump(s, row, expected_version)
        s.add(_version(row, "delete", actor, data=None))
        s.delete(row)
        work.audit(actor, "term_delete", f"{vocabulary}:{term_id}", {"version": row.version})


def restore_term(archive, actor, vocabulary: str, term_id: str, number: int) -> int:
    """Bring back the term as it was at version ``number`` (also after a deletion), as a new version."""
    _check_vocabulary(vocabulary)
    _require(actor, access.can_change_terms(actor), "restore vocabulary terms")
    with unit_of_work(archive) as work:
        s = work.session
        old = s.scalar(select(VocabularyVersion).where(VocabularyVersion.vocabulary == vocabulary,
                                                       VocabularyVersion.term_id == term_id,
                                                       VocabularyVersion.number == number))
        if old is None or old.data is None:
            raise NotFound(f"{SINGULAR[vocabulary]} {term_id!r} has no saved state {number}")
        row = s.get(VocabularyTerm, (vocabulary, term_id))
        data = _checked(s, vocabulary, dict(old.data), term_id)
        if row is None:
            position = (s.scalar(select(func.max(VocabularyTerm.position))
                                 .where(VocabularyTerm.vocabulary == vocabulary)) or 0) + 1
            row = VocabularyTerm(vocabulary=vocabulary, id=term_id, label=data["label"], data=data,
                                 status="active", position=position, version=_next_number(s, vocabulary, term_id))
            s.add(row)
        else:
            _ensure_first_version(s, row)
            _bump(s, row, None)
            row.data, row.label = data, data["label"]
        s.add(_version(row, "restore", actor))
        work.audit(actor, "term_restore", f"{vocabulary}:{term_id}", {"version": row.version, "restored": number})
        work.reindex(*(item.id for item in _users(s, vocabulary, data)))
    return row.version


def _repointed(record: dict, vocabulary: str, source: dict, target: dict) -> dict:
    record = json.loads(json.dumps(record))  # a deep copy: the item's stored record is compared with it
    if vocabulary in ITEM_KEYS:
        record[ITEM_KEYS[vocabulary]] = target["id"]
    elif vocabulary in LIST_KEYS:
        key = LIST_KEYS[vocabulary]
        record[key] = list(dict.fromkeys(target["id"] if v == source["id"] else v for v in record[key]))
    elif vocabulary == "roles":
        for creator in record.get("creators", []):
            if creator.get("role") == source["id"]:
                creator["role"] = target["id"]
    elif vocabulary == "subjects":
        words, new = {subject_key(w) for w in subject_words(source)}, list(target["label"].values())
        subjects = []
        for value in record["subjects"]:
            subjects += new if subject_key(value) in words else [value]
        record["subjects"] = list(dict.fromkeys(subjects))
    return record


def merge_terms(archive, actor, vocabulary: str, source_id: str, target_id: str) -> list[str]:
    """Merge term ``source_id`` into ``target_id`` in one unit of work: every item that refers to the source refers
    to the target instead (a new item version each, reindexed), the source is removed (a version says into what)
    and, for subjects, its labels become the target's ``alt_labels`` so the old words still find the items. Returns
    the ids of the items re-pointed."""
    _check_vocabulary(vocabulary)
    _require(actor, access.can_change_terms(actor), "merge vocabulary terms")
    if vocabulary == "communities":
        raise BadParameter("vocabulary", "communities are not merged (places, festivals and collections name them)")
    if source_id == target_id:
        raise BadParameter("into", "a term cannot be merged into itself")
    with unit_of_work(archive) as work:
        s = work.session
        source, target = _row(s, vocabulary, source_id), _row(s, vocabulary, target_id)
        if target.status != "active":
            raise Conflict(f"{SINGULAR[vocabulary]} {target_id!r} is a proposal; approve it first")
        ids = _repoint_items(s, actor, vocabulary, _users(s, vocabulary, source.data), source.data, target.data)
        if vocabulary == "subjects":
            kept = {subject_key(w) for w in subject_words(target.data)}
            extra = [w for w in subject_words(source.data) if subject_key(w) not in kept]
            if extra:
                _ensure_first_version(s, target)
                _bump(s, target, None)
                target.data = {**target.data, "alt_labels": [*target.data.get("alt_labels", []), *extra]}
                s.add(_version(target, "merge", actor))
        _ensure_first_version(s, source)
        _bump(s, source, None)
        s.add(_version(source, "merge", actor, data=None))
        s.delete(source)
        work.audit(actor, "term_merge", f"{vocabulary}:{source_id}", {"into": target_id, "items": ids})
        work.reindex(*ids)
    return ids


# --- collections: the same versions, audit and compare-and-set, in the collections table -------------------------

def _collection_data(collection: Collection) -> dict:
    return {"id": collection.id, "title": dict(collection.title), "description": dict(collection.description or {}),
            "community": collection.community}


def _collection_version(collection: Collection, action: str, actor, data: dict | None) -> VocabularyVersion:
    return VocabularyVersion(vocabulary=COLLECTIONS, term_id=collection.id, number=collection.version, data=data,
                             status="active", action=action, user_id=getattr(actor, "user_id", None),
                             username=getattr(actor, "username", None))


def _check_collection(s: Session, data: dict, existing: Collection | None) -> dict:
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise InvalidRecord([Problem("", "a collection is a JSON object")], COLLECTIONS)
    if existing is None and (not isinstance(data.get("id"), str) or not TERM_ID.match(data["id"])
                             or len(data["id"]) > 64):
        problems.append(Problem("id", "required: lower-case letters, digits and single hyphens, at most 64"))
    _language_map(problems, "title", data.get("title"), REQUIRED_LABELS)
    _language_map(problems, "description", data.get("description", {}))
    if data.get("community") is not None:
        communities = set(s.scalars(select(VocabularyTerm.id).where(VocabularyTerm.vocabulary == "communities",
                                                                     VocabularyTerm.status == "active")))
        if not isinstance(data["community"], str) or data["community"] not in communities:
            problems.append(Problem("community", f"unknown community {data['community']!r}; allowed: "
                                                 f"{', '.join(sorted(communities))}"))
    if problems:
        raise InvalidRecord(problems, f"{COLLECTIONS}/{data.get('id', '')}")
    return {"id": data["id"], "title": clean_language_map(data["title"]),
            "description": clean_language_map(data.get("description", {})), "community": data.get("community")}


def list_collections(archive) -> list[Term]:
    """Every collection, by id, as terms (``data`` as ``save_collection`` takes it)."""
    with archive.catalog.session() as s:
        return [Term(COLLECTIONS, c.id, _collection_data(c), "active", c.version)
                for c in s.scalars(select(Collection).order_by(Collection.id))]


def get_collection(archive, collection_id: str) -> Term:
    with archive.catalog.session() as s:
        if (collection := s.get(Collection, collection_id)) is None:
            raise NotFound(f"no collection {collection_id!r}")
        return Term(COLLECTIONS, collection.id, _collection_data(collection), "active", collection.version)


def save_collection(archive, actor, data: dict, *, expected_version: int | None = None, new: bool = False) -> int:
    """Add or change a collection (id, title, description, community) as a new version; its items are reindexed,
    as search holds its title. ``new``: only add (an existing id is a problem of the field ``id``). Returns the
    version number."""
    return _save_collection(archive, actor, data, expected_version, "edit", new=new)


def _save_collection(archive, actor, data: dict, expected_version: int | None, action: str, *,
                     new: bool = False) -> int:
    _require(actor, access.can_change_terms(actor), "change collections")
    with unit_of_work(archive) as work:
        s = work.session
        given = data.get("id") if isinstance(data, dict) else None
        existing = s.get(Collection, given) if isinstance(given, str) else None
        if new and existing is not None:
            raise InvalidRecord([Problem("id", f"collection {given!r} exists already")], f"{COLLECTIONS}/{given}")
        data = _check_collection(s, data, existing)
        if existing is None:
            collection = service.upsert_collection(s, data)
            collection.version = _next_number(s, COLLECTIONS, data["id"])
            action = "create" if action == "edit" else action
        else:
            collection = existing
            if _collection_data(collection) == data:
                return collection.version
            if _next_number(s, COLLECTIONS, collection.id) == 1:
                s.add(_collection_version(collection, "seed", None, _collection_data(collection)))
            versioning.advance(s, collection, f"collection {collection.id}", expected_version)
            service.upsert_collection(s, data)
        s.flush()
        s.add(_collection_version(collection, action, actor, _collection_data(collection)))
        work.audit(actor, f"term_{action}", f"{COLLECTIONS}:{collection.id}", {"version": collection.version})
        work.reindex(*(item.id for item in collection.items))
    return collection.version


def delete_collection(archive, actor, collection_id: str, *, expected_version: int | None = None) -> None:
    """Remove a collection that holds no item (TermInUse otherwise); ``restore_collection`` brings it back.
    ``expected_version``: the version the deleting page showed (Conflict when it moved since)."""
    _require(actor, access.can_change_terms(actor), "delete collections")
    with unit_of_work(archive) as work:
        s = work.session
        collection = s.get(Collection, collection_id)
        if collection is None:
            raise NotFound(f"no collection {collection_id!r}")
        if collection.items:
            raise TermInUse(COLLECTIONS, collection_id, len(collection.items))
        versioning.check(f"collection {collection_id}", collection, expected_version)
        if _next_number(s, COLLECTIONS, collection_id) == 1:
            s.add(_collection_version(collection, "seed", None, _collection_data(collection)))
        collection.version += 1
        s.add(_collection_version(collection, "delete", actor, None))
        s.delete(collection)
        work.audit(actor, "term_delete", f"{COLLECTIONS}:{collection_id}", {"version": collection.version})


def restore_collection(archive, actor, collection_id: str, number: int) -> int:
    """Bring back the collection as it was at version ``number`` (also after a deletion), as a new version."""
    with archive.catalog.session() as s:
        old = s.scalar(select(VocabularyVersion).where(VocabularyVersion.vocabulary == COLLECTIONS,
                                                       VocabularyVersion.term_id == collection_id,
                                                       VocabularyVersion.number == number))
        if old is None or old.data is None:
            raise NotFound(f"collection {collection_id!r} has no saved state {number}")
        data = dict(old.data)
    return _save_collection(archive, actor, data, None, "restore")
