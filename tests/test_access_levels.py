"""The one access decision, three ways: ``can_view`` (one item), ``visible_condition`` (SQL lists) and ``scope``
(search, on both backends: hits, totals, facet counts and spelling suggestions) agree for every access level ×
status × embargo × role, today and on a later day (an embargo ends in search without a reindex).

The expected answers are written out here from the rule in staff.md, not computed by archive.access."""
from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from archive import accounts, publishing
from archive.access import EVERYTHING, can_view, scope, visible_condition
from archive.access import Viewer
from archive.catalog.models import Item
from archive.context import Archive
from archive.importer import import_records
from search.elasticsearch_backend import ElasticsearchBackend
from archive.indexing import reindex
from search.request import SearchRequest
from search.whoosh_backend import WhooshBackend
from tests.conftest import make_settings

TODAY = date.today()
LATER = TODAY + timedelta(days=11)  # after the active embargo
LEVELS = ("public", "researchers", "staff", "restricted")
STATUSES = ("published", "draft")
EMBARGOES = {"none": None, "ended": TODAY - timedelta(days=1), "endstoday": TODAY,
             "active": TODAY + timedelta(days=10)}
COMMUNITIES = ("cham", "hoa", "khmer")
ROLES = (None, "researcher", "contributor", "editor", "admin")
SECRET = "snollygoster"  # only in the title of a public item under an active embargo


def item_id(level: str, status: str, embargo: str) -> str:
    return f"al-{level}-{status}-{embargo}"


CASES = [(level, status, embargo) for level in LEVELS for status in STATUSES for embargo in EMBARGOES]


def sees(role: str | None, level: str, status: str, embargo: str, day: date) -> bool:
    if role in ("contributor", "editor", "admin"):
        return True
    levels = ("public", "researchers") if role == "researcher" else ("public",)
    until = EMBARGOES[embargo]
    return status == "published" and level in levels and (until is None or until < day)


def expected(role: str | None, day: date) -> set[str]:
    return {item_id(*case) for case in CASES if sees(role, *case, day)}


def viewer(role: str | None) -> Viewer:
    return Viewer.ANONYMOUS if role is None else Viewer(user_id=ROLES.index(role), role=role, username=role)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("access-levels")
    archive = Archive(make_settings(root / "var"))
    records = []
    for n, (level, status, embargo) in enumerate(CASES):
        word = SECRET if (level, status, embargo) == ("public", "published", "active") else f"word{'abcdefgh'[n % 8]}"
        records.append({"id": item_id(level, status, embargo), "community": COMMUNITIES[n % 3], "access": level,
                        "title": {"vi": f"Đèn lồng {word}", "en": f"Lantern {word}"}})
    path = root / "records.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
    assert not import_records(archive, path).rejected
    editor = accounts.viewer_of(accounts.create_user(archive, "editor", "correct horse battery", "editor"))
    for level, status, embargo in CASES:
        if status == "draft":
            publishing.unpublish(archive, item_id(level, status, embargo), editor)
        if EMBARGOES[embargo] is not None:
            publishing.set_access(archive, item_id(level, status, embargo), level, editor,
                                  embargo_until=EMBARGOES[embargo])
    yield archive
    archive.catalog.dispose()


@pytest.fixture(scope="module", params=["whoosh", "elasticsearch"])
def backend(request, archive, tmp_path_factory):
    """The catalog indexed (once, today) into each backend."""
    if request.param == "whoosh":
        backend = WhooshBackend(tmp_path_factory.mktemp("whoosh") / "ix", archive.vocab)
    else:
        node = request.getfixturevalue("elasticsearch_node")
        backend = ElasticsearchBackend(node.url, archive.vocab, index=f"access-{uuid.uuid4().hex[:12]}")
    assert reindex(archive, progress=False, backend=backend) == len(CASES)
    yield backend
    if isinstance(backend, ElasticsearchBackend):
        backend.drop()
    backend.close()


def test_the_catalog_holds_every_case(archive):
    with archive.catalog.session() as s:
        found = {i.id: (i.access, i.status, i.embargo_until) for i in s.scalars(select(Item))}
    assert found == {item_id(*c): (c[0], c[1], EMBARGOES[c[2]]) for c in CASES}


@pytest.mark.parametrize("day", [TODAY, LATER], ids=["today", "later"])
@pytest.mark.parametrize("role", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_the_item_check_and_the_sql_condition_agree_with_the_rule(archive, role, day):
    want = expected(role, day)
    with archive.catalog.session() as s:
        items = list(s.scalars(select(Item)))
        assert {i.id for i in items if can_view(i, viewer(role), today=day)} == want
        assert set(s.scalars(select(Item.id).where(visible_condition(viewer(role), today=day)))) == want


@pytest.mark.parametrize("day", [TODAY, LATER], ids=["today", "later"])
@pytest.mark.parametrize("role", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_search_hits_totals_and_facets_agree_with_the_rule(backend, role, day):
    want = expected(role, day)
    rule = scope(viewer(role), today=day)
    result = backend.search(SearchRequest(q="lantern", scope=rule, per_page=100, lang="en"))
    assert {h.id for h in result.hits} == want and result.total == len(want)
    assert all("<mark>Lantern</mark>" in h.highlight["title"] for h in result.hits)
    assert backend.count(SearchRequest(scope=rule)) == len(want)
    communities = dict(backend.facets(SearchRequest(scope=rule))["community"])
    assert communities == {c: n for c in COMMUNITIES
                           if (n := sum(1 for k, case in enumerate(CASES)
                                        if COMMUNITIES[k % 3] == c and item_id(*case) in want))}


def test_a_search_without_a_scope_is_an_anonymous_search_of_today(backend):
    assert {h.id for h in backend.search(SearchRequest(q="lantern", per_page=100)).hits} == expected(None, TODAY)
    assert backend.count(SearchRequest(scope=EVERYTHING)) == len(CASES)


@pytest.mark.parametrize("role, suggested", [(None, None), ("researcher", None), ("contributor", SECRET)])
def test_spelling_suggestions_only_come_from_what_the_viewer_may_see(backend, role, suggested):
    rule = scope(viewer(role), today=TODAY)
    assert backend.suggest(SearchRequest(q="snollygostr", scope=rule)) == suggested
    assert backend.suggest(SearchRequest(q="snollygostr", scope=scope(viewer(role), today=LATER))) == SECRET
