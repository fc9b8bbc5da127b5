"""The publication workflow (archive.publishing) on a real catalog and search index: only editors and administrators
publish, unpublish and set access levels, notes and embargoes; each change is a version, audited and searchable at
once for exactly the viewers archive.access allows."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from archive import accounts, audit, editing, publishing
from archive.access import can_view, scope
from archive.access import Viewer
from archive.catalog.service import get_item
from archive.errors import Forbidden, InvalidRecord
from archive.importer import import_records
from search.request import SearchRequest

PASSWORD = "correct horse battery"



@pytest.fixture
def people(archive):
    return {role: accounts.viewer_of(accounts.create_user(archive, f"{role}1", PASSWORD, role))
            for role in ("admin", "editor", "contributor", "researcher")}


@pytest.fixture
def item_id(archive, tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"title": {"vi": "Trống Ginăng", "en": "Ginang drums"}, "community": "cham"},
                               ensure_ascii=False), "utf-8")
    return import_records(archive, path).new[0]


def state(archive, item_id: str) -> tuple:
    with archive.catalog.session() as s:
        item = get_item(s, item_id)
        return item.status, item.access, item.embargo_until, item.record.get("sensitivity_note")


def visible(archive, item_id: str, viewer: Viewer) -> tuple[bool, bool]:
    """(the catalog's answer, whether search finds it) for this viewer."""
    with archive.catalog.session() as s:
        in_catalog = can_view(get_item(s, item_id), viewer)
    hits = archive.search.search(SearchRequest(q="ginang", scope=scope(viewer))).hits
    return in_catalog, [h.id for h in hits] == [item_id]


def test_unpublish_and_publish_change_who_sees_the_item(archive, item_id, people):
    assert visible(archive, item_id, Viewer.ANONYMOUS) == (True, True)
    publishing.unpublish(archive, item_id, people["editor"])
    assert state(archive, item_id)[0] == "draft"
    assert visible(archive, item_id, Viewer.ANONYMOUS) == (False, False)
    assert visible(archive, item_id, people["researcher"]) == (False, False)
    assert visible(archive, item_id, people["contributor"]) == (True, True)
    publishing.publish(archive, item_id, people["admin"])
    assert visible(archive, item_id, Viewer.ANONYMOUS) == (True, True)
    versions = editing.history(archive, item_id)
    assert [(v.number, v.action, v.status, v.username) for v in versions] == [
        (1, "create", "published", None), (2, "unpublish", "draft", "editor1"), (3, "publish", "published", "admin1")]
    assert [(e.action, e.username) for e in audit.entries(archive, target=f"item:{item_id}")] == [
        ("publish", "admin1"), ("unpublish", "editor1")]


@pytest.mark.parametrize("role", ["contributor", "researcher"])
def test_only_editors_and_administrators_publish_or_change_access(archive, item_id, people, role):
    before = state(archive, item_id)
    for change in (lambda: publishing.unpublish(archive, item_id, people[role]),
                   lambda: publishing.set_access(archive, item_id, "restricted", people[role]),
                   lambda: publishing.publish(archive, item_id, Viewer.ANONYMOUS)):
        with pytest.raises(Forbidden):
            change()
    assert state(archive, item_id) == before
    assert audit.entries(archive, target=f"item:{item_id}") == []


def test_access_levels_decide_between_the_public_researchers_and_staff(archive, item_id, people):
    publishing.set_access(archive, item_id, "researchers", people["editor"])
    assert visible(archive, item_id, Viewer.ANONYMOUS) == (False, False)
    assert visible(archive, item_id, people["researcher"]) == (True, True)
    note = {"vi": "Nghi lễ thiêng, chỉ dùng trong cộng đồng.", "en": "A sacred rite, for the community."}
    publishing.set_access(archive, item_id, "restricted", people["editor"], sensitivity_note=note)
    assert state(archive, item_id) == ("published", "restricted", None, note)
    assert visible(archive, item_id, people["researcher"]) == (False, False)
    assert visible(archive, item_id, people["contributor"]) == (True, True)
    change = audit.entries(archive, action="access_change")[0]
    assert (change.details["from"], change.details["to"]) == ("researchers", "restricted")
    assert editing.history(archive, item_id)[-1].record["sensitivity_note"] == note


def test_bad_access_settings_are_named(archive, item_id, people):
    with pytest.raises(InvalidRecord) as err:
        publishing.set_access(archive, item_id, "secret", people["editor"])
    assert err.value.problems[0].field == "access" and "'secret'" in str(err.value)
    with pytest.raises(InvalidRecord) as err:
        publishing.set_access(archive, item_id, "restricted", people["editor"], sensitivity_note={"": "Sacred."})
    assert err.value.problems[0].field == "sensitivity_note" and "BCP 47" in str(err.value)
    assert state(archive, item_id) == ("published", "public", None, None)


def test_the_access_form_sets_level_note_and_embargo_together(archive, item_id, people):
    note = {"en": "Recorded with the family's consent."}
    publishing.set_access(archive, item_id, "restricted", people["editor"], sensitivity_note=note)
    assert state(archive, item_id)[3] == note
    publishing.set_access(archive, item_id, "staff", people["editor"], sensitivity_note={"vi": "  "})  # emptied
    assert state(archive, item_id) == ("published", "staff", None, None)
    versions = editing.history(archive, item_id)
    assert [(v.action, v.access, v.changed) for v in versions[1:]] == [
        ("access_change", "restricted", ("access", "sensitivity_note")),
        ("access_change", "staff", ("access", "sensitivity_note"))]


def test_an_embargo_hides_the_item_from_all_but_staff_until_its_day(archive, item_id, people):
    until = date.today() + timedelta(days=3)
    publishing.set_access(archive, item_id, "public", people["editor"], embargo_until=until)
    assert state(archive, item_id)[2] == until
    for viewer in (Viewer.ANONYMOUS, people["researcher"]):
        assert visible(archive, item_id, viewer) == (False, False)
    assert visible(archive, item_id, people["editor"]) == (True, True)
    after = scope(Viewer.ANONYMOUS, today=until + timedelta(days=1))
    assert [h.id for h in archive.search.search(SearchRequest(q="ginang", scope=after)).hits] == [item_id]
    assert editing.history(archive, item_id)[-1].embargo_until == until
    publishing.set_access(archive, item_id, "public", people["editor"], embargo_until=None)
    assert visible(archive, item_id, Viewer.ANONYMOUS) == (True, True)
