"""Describing items (archive.editing) on a real catalog and search index: numbered versions with who and what,
revert back to earlier values in the catalog and in search results, field-level errors, conflicts, the staff
listing, and the CSV batch edit round trip."""
from __future__ import annotations

import csv
import io
import json

import pytest

from archive import accounts, audit, editing, publishing
from archive.access import EVERYTHING
from archive.catalog.service import get_item
from archive.errors import Conflict, Forbidden, InvalidRecord
from archive.importer import import_records
from search.request import SearchRequest

PASSWORD = "correct horse battery"
KATE = {"title": {"vi": "Lễ hội Katê", "en": "Katê festival", "cjm-Cham": "ꨆꨓꨬ"},
        "description": {"vi": "Mô tả ban đầu.", "en": "First description."}, "community": "cham"}
LANTERN = {"title": {"vi": "Đêm hoa đăng", "en": "Lantern night"}, "community": "hoa", "access": "staff"}



@pytest.fixture
def people(archive):
    return {role: accounts.viewer_of(accounts.create_user(archive, role[:4] + "1", PASSWORD, role))
            for role in ("editor", "contributor", "researcher")}


@pytest.fixture
def items(archive, tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in (KATE, LANTERN)), "utf-8")
    summary = import_records(archive, path)
    assert not summary.rejected
    return summary.new


def record_of(archive, item_id: str) -> dict:
    with archive.catalog.session() as s:
        return dict(get_item(s, item_id).record)


def found(archive, q: str, scope=None) -> list[str]:
    request = SearchRequest(q=q, lang="en", **({"scope": scope} if scope else {}))
    return [h.id for h in archive.search.search(request).hits]


def test_each_edit_is_a_numbered_version_with_who_and_what(archive, items, people):
    kate = items[0]
    assert editing.item_for_edit(archive, kate).version == 1
    first = editing.history(archive, kate)
    assert [(v.number, v.action, v.username) for v in first] == [(1, "create", None)]
    two = editing.update_item(archive, kate, {**KATE, "title": {**KATE["title"], "en": "Katê at Po Klong Garai"}},
                              people["contributor"])
    three = editing.update_item(archive, kate, {**record_of(archive, kate), "date": "2019-10", "festival": "kate"},
                                people["editor"])
    assert (two.version, two.new, three.version, three.new) == (2, True, 3, True)
    versions = editing.history(archive, kate)
    assert [(v.number, v.action, v.username, v.changed) for v in versions] == [
        (1, "create", None, ()), (2, "edit", "cont1", ("title",)), (3, "edit", "edit1", ("date", "festival"))]
    assert versions[0].record["title"]["en"] == "Katê festival" and versions[2].record["date"] == "2019-10"
    unchanged = editing.update_item(archive, kate, record_of(archive, kate), people["editor"])
    assert (unchanged.version, unchanged.new) == (3, False)  # nothing changed
    edits = audit.entries(archive, action="edit")
    assert [(e.username, e.target, e.details["version"], e.details["fields"]) for e in edits] == [
        ("edit1", f"item:{kate}", 3, ["date", "festival"]), ("cont1", f"item:{kate}", 2, ["title"])]


def test_revert_restores_earlier_values_in_the_catalog_and_in_search(archive, items, people):
    kate = items[0]
    editor = people["editor"]
    editing.update_item(archive, kate, {**KATE, "title": {"vi": "Đèn tháp Chăm", "en": "Offerings at the tower"}},
                        editor)
    assert found(archive, "offerings tower") == [kate] and found(archive, "Katê festival") == []
    assert editing.revert(archive, kate, 1, editor).version == 3
    assert record_of(archive, kate)["title"] == KATE["title"]
    assert found(archive, "Katê festival") == [kate]
    assert found(archive, "offerings tower") == []
    versions = editing.history(archive, kate)
    assert versions[-1].action == "revert" and versions[-1].record == versions[0].record
    assert audit.entries(archive, action="revert")[0].details["restored"] == 1


def test_every_field_error_is_named_and_nothing_is_saved(archive, items, people):
    kate = items[0]
    bad = {**KATE, "title": {"en": ""}, "community": "atlantis", "date": "hôm qua", "colour": "red",
           "languages": ["vie", "klingon"]}
    with pytest.raises(InvalidRecord) as err:
        editing.update_item(archive, kate, bad, people["editor"])
    assert {p.field for p in err.value.problems} == {"title", "community", "date", "languages", "colour"}
    assert "atlantis" in str(err.value) and "klingon" in str(err.value) and "EDTF" in str(err.value)
    assert record_of(archive, kate) == {**KATE, "access": "public"}
    assert editing.item_for_edit(archive, kate).version == 1


def test_a_save_over_someone_elses_is_a_conflict(archive, items, people):
    kate = items[0]
    opened = editing.item_for_edit(archive, kate).version
    editing.update_item(archive, kate, {**KATE, "lunar_date": "15/1 âm lịch"}, people["editor"],
                        expected_version=opened)
    with pytest.raises(Conflict, match="version 2"):
        editing.update_item(archive, kate, {**KATE, "lunar_date": "16/1"}, people["contributor"],
                            expected_version=opened)
    assert record_of(archive, kate)["lunar_date"] == "15/1 âm lịch"


def test_access_fields_are_for_editors_and_leaving_them_out_keeps_them(archive, items, people):
    kate, lantern = items
    with pytest.raises(InvalidRecord) as err:
        editing.update_item(archive, kate, {**KATE, "access": "restricted", "sensitivity_note": {"en": "Sacred."}},
                            people["contributor"])
    assert {p.field for p in err.value.problems} == {"access", "sensitivity_note"}
    described = {k: v for k, v in LANTERN.items() if k != "access"}
    editing.update_item(archive, lantern, {**described, "date": "2020"}, people["contributor"])
    assert record_of(archive, lantern)["access"] == "staff"  # not made public by leaving the level out
    assert found(archive, "lantern") == [] and found(archive, "lantern", EVERYTHING) == [lantern]
    editing.update_item(archive, kate, {**KATE, "access": "researchers"}, people["editor"])
    assert record_of(archive, kate)["access"] == "researchers"
    with pytest.raises(Forbidden):
        editing.update_item(archive, kate, KATE, people["researcher"])


def test_the_staff_list_filters_by_state_author_and_a_diacritic_free_query(archive, items, people):
    kate, lantern = items
    publishing.unpublish(archive, lantern, people["editor"])
    editing.update_item(archive, kate, {**KATE, "date": "2019"}, people["contributor"])
    everything = editing.list_items(archive, people["editor"])
    assert everything.total == 2 and everything.rows[0].id == kate  # the last changed first
    drafts = editing.list_items(archive, people["editor"], status="draft")
    assert [(r.id, r.status, r.access, r.title["en"]) for r in drafts.rows] == [(lantern, "draft", "staff",
                                                                                  "Lantern night")]
    assert [r.id for r in editing.list_items(archive, people["editor"], actor_id=people["contributor"].user_id)
            .rows] == [kate]
    assert [r.id for r in editing.list_items(archive, people["editor"], q="le hoi kate").rows] == [kate]
    assert [r.id for r in editing.list_items(archive, people["editor"], q="HOA ĐĂNG").rows] == [lantern]
    assert [r.id for r in editing.list_items(archive, people["editor"], q=kate).rows] == [kate]
    assert [r.id for r in editing.list_items(archive, people["researcher"]).rows] == [kate]
    paged = editing.list_items(archive, people["editor"], page=2, per_page=1)
    assert (paged.total, paged.pages, [r.id for r in paged.rows]) == (2, 2, [lantern])
    assert editing.list_item_ids(archive, people["editor"]) == sorted(items)


def _csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_list_values_may_hold_semicolons_and_backslashes(archive, items, people):
    kate, _lantern = items
    editing.update_item(archive, kate, {**record_of(archive, kate),
                                         "subjects": ["Katê; Chăm Bà-la-môn", "C:\\ảnh\\", "lễ hội"],
                                         "creators": [{"name": "Trần; Lê", "role": "photographer"}]},
                        people["editor"])
    exported = editing.export_csv(archive, [kate])
    assert _csv_rows(exported)[0]["subjects"] == "Katê\\; Chăm Bà-la-môn; C:\\\\ảnh\\\\; lễ hội"
    before = record_of(archive, kate)
    unchanged = editing.import_csv(archive, exported.encode("utf-8"), people["editor"], source="same.csv")
    assert (unchanged.updated, unchanged.unchanged) == ([], [kate]) and record_of(archive, kate) == before
    by_hand = f"id,title_vi,community,subjects\n{kate},Lễ hội Katê,cham,\"Katê\\; Ramưwan; a\\b\"\n"
    summary = editing.import_csv(archive, by_hand.encode("utf-8"), people["editor"], source="hand.csv")
    assert summary.updated == [kate] and record_of(archive, kate)["subjects"] == ["Katê; Ramưwan", "a\\b"]


def test_a_csv_batch_edit_round_trips(archive, items, people):
    kate, lantern = items
    exported = editing.export_csv(archive, [kate, lantern])
    rows = _csv_rows(exported)
    assert [r["id"] for r in rows] == sorted(items)
    by_id = {r["id"]: r for r in rows}
    assert by_id[kate]["title_cjm-Cham"] == "ꨆꨓꨬ" and by_id[lantern]["access"] == "staff"
    by_id[kate]["title_en"] = "Katê festival, edited in a spreadsheet"
    by_id[kate]["description_en"] = ""  # an emptied cell clears the value
    by_id[kate]["subjects"] = "Katê; lễ hội"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    summary = editing.import_csv(archive, out.getvalue().encode("utf-8"), people["editor"], source="items.csv")
    assert (summary.updated, summary.unchanged, summary.rejected) == ([kate], [lantern], [])
    record = record_of(archive, kate)
    assert record["title"]["en"] == "Katê festival, edited in a spreadsheet"
    assert record["description"] == {"vi": "Mô tả ban đầu."} and record["subjects"] == ["Katê", "lễ hội"]
    assert found(archive, "spreadsheet") == [kate]
    assert [v.number for v in editing.history(archive, kate)] == [1, 2]
    assert audit.entries(archive, action="edit")[0].details["source"] == "items.csv"
    again = {r["id"]: r for r in _csv_rows(editing.export_csv(archive, [kate, lantern]))}
    for item_id in items:  # what was imported is what is exported
        assert {k: v for k, v in again[item_id].items() if v} == {k: v for k, v in by_id[item_id].items() if v}


def test_a_bad_batch_row_is_named_and_the_others_still_go_through(archive, items, people):
    kate, lantern = items
    text = ("id,title_vi,title_en,community,date\n"
            f"{kate},Lễ hội Katê,Katê festival,cham,2019-10\n"
            f"{lantern},Đêm hoa đăng,Lantern night,atlantis,\n"
            "no-such-item,Không,Nothing,hoa,\n"
            ",Không id,No id,hoa,\n")
    summary = editing.import_csv(archive, text, people["editor"], source="batch.csv")
    assert summary.updated == [kate]
    reasons = {r.source: " ".join(r.reasons) for r in summary.rejected}
    assert set(reasons) == {"batch.csv line 3", "batch.csv line 4", "batch.csv line 5"}
    assert "community" in reasons["batch.csv line 3"] and "atlantis" in reasons["batch.csv line 3"]
    assert "no-such-item" in reasons["batch.csv line 4"] and "id" in reasons["batch.csv line 5"]
    assert record_of(archive, kate)["date"] == "2019-10" and record_of(archive, lantern)["community"] == "hoa"


def test_a_batch_file_that_cannot_be_read_is_refused_whole(archive, items, people):
    legacy = "id,title_vi,community\nx,Chùa Bà,cham\n".encode("cp1258")
    summary = editing.import_csv(archive, legacy, people["editor"], source="export.csv")
    assert summary.updated == [] and len(summary.rejected) == 1
    assert summary.rejected[0].source == "export.csv" and "not UTF-8" in summary.rejected[0].reasons[0]
    unknown = editing.import_csv(archive, "id,title_vi,community,colour\n", people["editor"])
    assert "unknown column 'colour'" in unknown.rejected[0].reasons[0]
    with pytest.raises(Forbidden):
        editing.import_csv(archive, "id,title_vi,community\n", people["researcher"])
