"""Vocabulary terms managed in the catalog (archive.terms): an admin adds a historic site and a subject, an editor
describes an item with them, and search and the item page show them at once; merges re-point items and search;
versions, restore, audit, refused deletes, field-named errors, proposals, and the export → seed round trip."""
from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import delete

from archive import accounts, audit, editing, terms
from archive.access import EVERYTHING
from archive.catalog import Catalog
from archive.catalog.models import VocabularyVersion
from archive.errors import BadParameter, Conflict, Forbidden, InvalidRecord
from archive.importer import import_records
from archive.vocabularies import Vocabularies, read_documents
from archive.web import create_app
from search.request import SearchRequest
from tests.catalogs import database_url

PASSWORD = "correct horse battery"
SITE = {"id": "nha-tho-duc-ba", "kind": "historic-site", "community": "hoa",
        "label": {"vi": "Nhà thờ Đức Bà Sài Gòn", "en": "Saigon Notre-Dame Cathedral"},
        "address": {"vi": "01 Công xã Paris, Quận 1", "en": "01 Paris Commune Street, District 1"},
        "coordinates": {"lat": 10.77978, "lon": 106.69902}, "map_icon": "cathedral"}  # a field the store must keep
BELLS = {"id": "bells", "label": {"vi": "chuông", "en": "bells"}}


@pytest.fixture
def people(archive):
    return {role: accounts.viewer_of(accounts.create_user(archive, role[:4] + "1", PASSWORD, role))
            for role in ("admin", "editor", "contributor")}


@pytest.fixture
def item_ids(archive, tmp_path):
    path = tmp_path / "records.jsonl"
    records = [{"title": {"vi": "Lồng đèn trung thu", "en": "Mid-autumn lanterns"}, "community": "hoa",
                "subjects": ["đèn lồng", "lanterns"]},
               {"title": {"vi": "Đêm hội", "en": "Festival night"}, "community": "hoa", "subjects": ["lanterns"]}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
    summary = import_records(archive, path)
    assert not summary.rejected
    return summary.new


def _ids(archive, q: str = "", **filters) -> set[str]:
    request = SearchRequest(q=q, scope=EVERYTHING, filters={k: (v,) for k, v in filters.items()}, per_page=50)
    return {hit.id for hit in archive.search.search(request).hits}


def _facet(archive, facet: str) -> dict[str, int]:
    return dict(archive.search.facets(SearchRequest(scope=EVERYTHING)).get(facet, []))


def test_new_site_and_subject_show_at_once_in_search_and_the_item_page(archive, people, item_ids):
    admin, editor = people["admin"], people["editor"]
    terms.add_term(archive, admin, "places", SITE)
    terms.add_term(archive, admin, "subjects", BELLS)
    assert archive.vocab.get("places", "nha-tho-duc-ba") == SITE  # every field kept, unknown ones too
    item = editing.item_for_edit(archive, item_ids[0])
    editing.update_item(archive, item.id, {**item.record, "place": "nha-tho-duc-ba",
                                           "subjects": [*item.record["subjects"], "chuông"]},
                        editor, expected_version=item.version)
    assert _facet(archive, "place") == {"nha-tho-duc-ba": 1}
    assert _ids(archive, place="nha-tho-duc-ba") == {item.id}
    assert _facet(archive, "subject") == {"lanterns": 2, "bells": 1}  # the new subject, counted at once
    assert _ids(archive, subject="bells") == {item.id}
    assert _ids(archive, "bells") == {item.id}  # the subject's English label finds the item described in Vietnamese
    client = create_app(archive.settings, archive).test_client()
    page = client.get(f"/en/items/{item.id}").get_data(as_text=True)
    assert "Saigon Notre-Dame Cathedral" in page and "01 Paris Commune Street" in page and "chuông" in page
    found = client.get("/en/search?q=bells").get_data(as_text=True)
    assert "Mid-autumn lanterns" in found and "Saigon Notre-Dame Cathedral" in found  # the hit and its place facet
    assert 'data-facet="subject" data-value="bells"' in found  # and its subject facet, labelled
    filtered = client.get("/vi/search?subject=bells").get_data(as_text=True)
    assert "Lồng đèn trung thu" in filtered and "Đêm hội" not in filtered and "Chủ đề: chuông" in filtered
    api = client.get("/api/search?q=bells").get_json()["facets"]["subject"]
    assert {"value": "bells", "count": 1, "label": {"vi": "chuông", "en": "bells"}} in api


def test_a_second_process_sees_a_new_term_at_its_next_look_up(archive, people, settings):
    from archive.context import Archive

    other = Archive(settings)
    assert other.vocab.get("subjects", "bells") is None
    terms.add_term(archive, people["admin"], "subjects", BELLS)
    assert other.vocab.get("subjects", "bells") == BELLS
    other.catalog.dispose()


def test_merging_subjects_repoints_items_and_search(archive, people, item_ids):
    admin = people["admin"]
    terms.add_term(archive, admin, "subjects", {"id": "paper-lanterns", "label": {"vi": "đèn giấy",
                                                                                  "en": "paper lanterns"}})
    assert _facet(archive, "subject") == {"lanterns": 2}
    moved = terms.merge_terms(archive, admin, "subjects", "lanterns", "paper-lanterns")
    assert _facet(archive, "subject") == {"paper-lanterns": 2}  # only the survivor, at once
    assert _ids(archive, subject="paper-lanterns") == set(item_ids) and _ids(archive, subject="lanterns") == set()
    assert sorted(moved) == sorted(item_ids)
    for item_id in item_ids:
        record = editing.item_for_edit(archive, item_id).record
        assert record["subjects"] == ["đèn giấy", "paper lanterns"]
        assert editing.history(archive, item_id)[-1].action == "term_merge"
    assert _ids(archive, "subject:lanterns") == set(item_ids)  # the merged-away word finds them under the survivor
    assert archive.vocab.get("subjects", "lanterns") is None
    assert archive.vocab.subject("lồng đèn")["id"] == "paper-lanterns"  # its words are the survivor's now
    [entry] = audit.entries(archive, action="term_merge")
    assert entry.target == "subjects:lanterns" and entry.details["into"] == "paper-lanterns"


def test_merging_places_leaves_only_the_survivor_in_the_facet(archive, people, item_ids):
    admin = people["admin"]
    for item_id, place in zip(item_ids, ("tue-thanh-hoi-quan", "nghia-an-hoi-quan")):
        item = editing.item_for_edit(archive, item_id)
        editing.update_item(archive, item_id, {**item.record, "place": place}, admin)
    assert _facet(archive, "place") == {"tue-thanh-hoi-quan": 1, "nghia-an-hoi-quan": 1}
    terms.merge_terms(archive, admin, "places", "nghia-an-hoi-quan", "tue-thanh-hoi-quan")
    assert _facet(archive, "place") == {"tue-thanh-hoi-quan": 2}
    assert "nghia-an-hoi-quan" in archive.vocab.unknown("places", "nghia-an-hoi-quan")


def test_versions_restore_and_audit(archive, people):
    admin = people["admin"]
    terms.add_term(archive, admin, "places", SITE)
    number = terms.edit_term(archive, admin, "places", SITE["id"],
                             {**SITE, "label": {**SITE["label"], "en": "Notre-Dame Basilica"}}, expected_version=1)
    assert number == 2 and archive.vocab.get("places", SITE["id"])["label"]["en"] == "Notre-Dame Basilica"
    for stale in (SITE, {**SITE, "label": {**SITE["label"], "en": "Notre-Dame Basilica"}}):  # even unchanged
        with pytest.raises(Conflict, match="since version 1"):
            terms.edit_term(archive, admin, "places", SITE["id"], stale, expected_version=1)
    terms.delete_term(archive, admin, "places", SITE["id"])
    assert archive.vocab.get("places", SITE["id"]) is None
    assert terms.restore_term(archive, admin, "places", SITE["id"], 1) == 4
    assert archive.vocab.get("places", SITE["id"]) == SITE
    assert [(v.number, v.action) for v in terms.history(archive, "places", SITE["id"])] == \
        [(1, "create"), (2, "edit"), (3, "delete"), (4, "restore")]
    actions = [e.action for e in audit.entries(archive, target=f"places:{SITE['id']}")]
    assert actions == ["term_restore", "term_delete", "term_edit", "term_create"]


def test_a_term_in_use_cannot_be_deleted(archive, people, item_ids):
    with pytest.raises(terms.TermInUse, match="used by 2 item"):
        terms.delete_term(archive, people["admin"], "subjects", "lanterns")
    assert archive.vocab.get("subjects", "lanterns") is not None


def test_bad_terms_name_every_field(archive, people):
    bad = {"id": "Bad Id", "kind": "castle", "community": "viking", "label": {"vi": ""},
           "coordinates": {"lat": 91, "lon": "east"}}
    with pytest.raises(InvalidRecord) as caught:
        terms.add_term(archive, people["admin"], "places", bad)
    fields = {p.field for p in caught.value.problems}
    assert fields == {"id", "kind", "community", "label.vi", "label.en", "coordinates.lat", "coordinates.lon"}
    with pytest.raises(BadParameter, match="read-only vocabulary 'licences'") as refused:
        terms.add_term(archive, people["admin"], "licences", BELLS)
    assert refused.value.parameter == "vocabulary"
    with pytest.raises(InvalidRecord, match="a term is a JSON object"):
        terms.add_term(archive, people["admin"], "subjects", ["bells"])
    with pytest.raises(InvalidRecord) as caught:  # values of the wrong JSON type are named, never a crash
        terms.add_term(archive, people["admin"], "festivals", {"id": ["x"], "label": "Tết", "community": ["hoa"]})
    assert {p.field for p in caught.value.problems} == {"id", "label", "community"}
    with pytest.raises(InvalidRecord) as caught:
        terms.save_collection(archive, people["admin"], {"id": ["x"], "title": {"vi": "a", "en": "b"},
                                                         "community": {"hoa": 1}})
    assert {p.field for p in caught.value.problems} == {"id", "community"}
    with pytest.raises(InvalidRecord, match="already a label of subject 'lanterns'"):
        terms.add_term(archive, people["admin"], "subjects", {"id": "lamps", "label": {"vi": "đèn lồng",
                                                                                        "en": "lamps"}})


def test_editors_propose_and_admins_approve(archive, people):
    editor, admin = people["editor"], people["admin"]
    assert terms.add_term(archive, editor, "subjects", BELLS).status == "proposed"
    assert archive.vocab.get("subjects", "bells") is None  # not usable until approved
    with pytest.raises(Forbidden):
        terms.edit_term(archive, editor, "subjects", "bells", BELLS)
    with pytest.raises(Forbidden):
        terms.add_term(archive, people["contributor"], "subjects", {**BELLS, "id": "drums"})
    terms.approve_term(archive, admin, "subjects", "bells")
    assert archive.vocab.get("subjects", "bells") == BELLS


def test_export_seeds_another_archive_with_the_same_terms(archive, people, heritage, tmp_path):
    admin = people["admin"]
    terms.add_term(archive, admin, "places", SITE)
    terms.edit_term(archive, admin, "subjects", "lanterns", {"id": "lanterns", "label": {"vi": "đèn lồng",
                                                                                         "en": "lanterns (lamps)"}})
    result = heritage("export-vocabularies", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "out" / "places.json").read_text("utf-8"))["sources"]  # sources kept
    fresh = Catalog(database_url(tmp_path / "fresh") or f"sqlite:///{tmp_path / 'fresh' / 'catalog.db'}")
    fresh.upgrade()
    terms.seed(fresh, Vocabularies(tmp_path / "out"))
    assert read_documents(fresh) == read_documents(archive.catalog)
    fresh.dispose()


def test_import_vocabularies_brings_an_export_into_a_running_archive(archive, people, heritage, tmp_path):
    terms.add_term(archive, people["admin"], "places", SITE)
    terms.export(archive, tmp_path / "out")
    terms.delete_term(archive, people["admin"], "places", SITE["id"])
    result = heritage("import-vocabularies", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert archive.vocab.get("places", SITE["id"]) is None  # deleted by staff here: not brought back
    document = json.loads((tmp_path / "out" / "subjects.json").read_text("utf-8"))
    document["terms"].append({"id": "gongs", "label": {"vi": "cồng chiêng", "en": "gongs"}})
    (tmp_path / "out" / "subjects.json").write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    assert "1 term(s) added or updated" in heritage("import-vocabularies", tmp_path / "out").output
    assert archive.vocab.subject("cồng chiêng")["id"] == "gongs"


def test_a_term_copied_before_versions_existed_gets_its_first_version_when_changed(archive, people):
    with archive.catalog.session() as s:  # as migration 0012 finds the terms the old start-up copied in
        s.execute(delete(VocabularyVersion))
    edited = {"id": "music", "label": {"vi": "âm nhạc", "en": "music and song"}}
    assert terms.edit_term(archive, people["admin"], "subjects", "music", edited) == 2
    assert [(v.number, v.action, v.data["label"]["en"]) for v in terms.history(archive, "subjects", "music")] == \
        [(1, "seed", "music"), (2, "edit", "music and song")]


def test_seeding_adds_new_shipped_terms_without_overwriting_staff_edits(archive, people, tmp_path):
    edited = {"id": "lanterns", "label": {"vi": "đèn lồng", "en": "lantern"}}
    terms.edit_term(archive, people["admin"], "subjects", "lanterns", edited)
    terms.export(archive, tmp_path / "shipped")
    path = tmp_path / "shipped" / "subjects.json"
    document = json.loads(path.read_text("utf-8"))
    for term in document["terms"]:
        term["label"]["en"] += " (new)"
    document["terms"].append({"id": "gongs", "label": {"vi": "cồng chiêng", "en": "gongs"}})
    path.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    terms.seed(archive.catalog, Vocabularies(tmp_path / "shipped"))
    assert archive.vocab.get("subjects", "lanterns") == edited  # staff's edit kept
    assert archive.vocab.get("subjects", "music")["label"]["en"] == "music (new)"  # untouched terms follow the files
    assert archive.vocab.get("subjects", "gongs") is not None


def test_every_shipped_term_passes_the_checks_of_an_edit(archive):
    shipped = Vocabularies()
    with archive.catalog.session() as s:
        problems = {(name, t["id"]): terms.validate(s, name, t, term_id=t["id"])
                    for name in terms.MANAGED for t in shipped.terms(name)}
    assert {key: found for key, found in problems.items() if found} == {}


def test_relabelling_a_subject_gives_its_items_the_new_words(archive, people, item_ids):
    renamed = {"id": "lanterns", "label": {"vi": "đèn lồng giấy", "en": "paper lanterns"},
               "alt_labels": ["lồng đèn"]}
    terms.edit_term(archive, people["admin"], "subjects", "lanterns", renamed)
    for item_id in item_ids:
        assert editing.item_for_edit(archive, item_id).record["subjects"] == ["đèn lồng giấy", "paper lanterns"]
        assert editing.history(archive, item_id)[-1].action == "term_edit"
    assert _ids(archive, "subject:giấy") == set(item_ids)
    [entry] = audit.entries(archive, action="term_edit")
    assert sorted(entry.details["items"]) == sorted(item_ids)


def test_collections_are_versioned_audited_and_searched_under_their_new_title(archive, people, item_ids):
    admin = people["admin"]
    gifts = {"id": "lantern-gifts", "title": {"vi": "Quà tặng đèn", "en": "Lantern gifts"}, "community": "hoa"}
    assert terms.save_collection(archive, admin, gifts) == 1
    item = editing.item_for_edit(archive, item_ids[0])
    editing.update_item(archive, item.id, {**item.record, "collections": ["lantern-gifts"]}, admin)
    renamed = {**gifts, "title": {"vi": "Quà tặng đèn", "en": "Lantern presents"}}
    assert terms.save_collection(archive, admin, renamed, expected_version=1) == 2
    assert _ids(archive, "presents") == {item.id}
    with pytest.raises(Conflict):
        terms.save_collection(archive, admin, gifts, expected_version=1)
    with pytest.raises(terms.TermInUse, match="holds 1 item"):
        terms.delete_collection(archive, admin, "lantern-gifts")
    with pytest.raises(InvalidRecord) as caught:
        terms.save_collection(archive, admin, {"id": "x y", "title": {"vi": "Chỉ tiếng Việt"}, "community": "zz"})
    assert {p.field for p in caught.value.problems} == {"id", "title.en", "community"}
    assert terms.restore_collection(archive, admin, "lantern-gifts", 1) == 3
    assert [(v.number, v.action) for v in terms.history(archive, "collections", "lantern-gifts")] == \
        [(1, "create"), (2, "edit"), (3, "restore")]
    assert terms.history(archive, "collections", "lantern-gifts")[-1].data["title"]["en"] == "Lantern gifts"
    assert [e.action for e in audit.entries(archive, target="collections:lantern-gifts")] == \
        ["term_restore", "term_edit", "term_create"]


def test_a_start_with_nothing_to_seed_does_not_wait_for_a_writer(archive):
    outcome = []
    with archive.catalog.writing() as s:  # another process's long unit of work holds the write lock
        s.execute(delete(VocabularyVersion).where(VocabularyVersion.term_id == "no-such-term"))
        seeding = threading.Thread(target=lambda: outcome.append(terms.seed(archive.catalog, Vocabularies())))
        seeding.start()
        seeding.join(timeout=20)  # a seed that took the write lock would wait until this block ends
        finished_while_locked = not seeding.is_alive()
    seeding.join()
    assert finished_while_locked and outcome == [0]


def test_a_place_renamed_is_found_by_its_new_name(archive, people, item_ids):
    admin = people["admin"]
    item = editing.item_for_edit(archive, item_ids[0])
    editing.update_item(archive, item.id, {**item.record, "place": "tue-thanh-hoi-quan"}, admin)
    place = archive.vocab.get("places", "tue-thanh-hoi-quan")
    terms.edit_term(archive, admin, "places", place["id"],
                    {**place, "label": {**place["label"], "en": "Cantonese Hall"}})
    assert _ids(archive, "cantonese") == {item.id}  # its items were reindexed with the new label


def test_announced_festival_dates_are_part_of_the_festival_term(archive, people, tmp_path):
    """The shipped festival_dates.json seeds each festival's ``announced_dates``; staff add one as an edit (a version,
    restorable) and the calendar reads the catalog at once; an export carries them."""
    admin = people["admin"]
    kate = archive.vocab.get("festivals", "kate")
    assert {"year": 2025, "start": "2025-10-20", "end": "2025-10-22", "source": "thanhnien-kate-2025"} in \
        kate["announced_dates"]
    assert "thanhnien-kate-2025" in {s["id"] for s in archive.vocab.document("festivals")["sources"]}
    assert archive.calendar.occurrences(2026, "kate") == []
    added = {"year": 2026, "start": "2026-10-09", "end": "2026-10-11", "source": "https://example.org/kate-2026"}
    version = terms.edit_term(archive, admin, "festivals", "kate",
                              {**kate, "announced_dates": [*kate["announced_dates"], added]})
    [occurrence] = archive.calendar.occurrences(2026, "kate")
    assert (occurrence.start.isoformat(), occurrence.end.isoformat(), occurrence.source) == \
        ("2026-10-09", "2026-10-11", "https://example.org/kate-2026")
    terms.restore_term(archive, admin, "festivals", "kate", version - 1)
    assert archive.calendar.occurrences(2026, "kate") == []
    with pytest.raises(InvalidRecord) as caught:
        terms.edit_term(archive, admin, "festivals", "kate", {**kate, "announced_dates": [
            {"year": 2027, "start": "2026-10-09", "end": "2026-10-01", "source": ""}, {"start": "soon"}]})
    assert {p.field for p in caught.value.problems} == {
        "announced_dates.0.year", "announced_dates.0.end", "announced_dates.0.source", "announced_dates.1.start",
        "announced_dates.1.end", "announced_dates.1.source"}
    terms.export(archive, tmp_path / "out")
    exported = json.loads((tmp_path / "out" / "festivals.json").read_text("utf-8"))
    assert {t["id"]: t for t in exported["terms"]}["kate"]["announced_dates"] == kate["announced_dates"]


def test_a_festival_staff_changed_before_announced_dates_were_terms_gets_them_at_the_next_seed(archive, people):
    """An archive upgraded to this version: festival terms staff had changed keep their changes and gain the shipped
    announced dates (they were in a separate file before), so the calendar loses none."""
    kate = archive.vocab.get("festivals", "kate")
    older = {k: v for k, v in kate.items() if k != "announced_dates"}  # as staff saved it before this version
    terms.edit_term(archive, people["admin"], "festivals", "kate", {**older, "label": {**older["label"],
                                                                                        "en": "Katê"}})
    assert terms.seed(archive.catalog, Vocabularies()) == 1
    seeded = archive.vocab.get("festivals", "kate")
    assert seeded["label"]["en"] == "Katê" and seeded["announced_dates"] == kate["announced_dates"]
    assert terms.seed(archive.catalog, Vocabularies()) == 0
