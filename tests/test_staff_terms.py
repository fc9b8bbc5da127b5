"""The staff vocabulary pages (archive/web/staff_terms.py) through the real app (Flask test client, real SQLite
catalog and search): an admin adds a historic site with coordinates and a subject through the forms and the public
pages show them; a bad coordinate is a 400 form naming the field; merge with its confirmation; delete refused while
in use; versions and restore; editors propose and admins approve; contributors see none of it."""
from __future__ import annotations

import re
from datetime import date

import pytest

from archive import accounts, audit, editing, terms
from archive.errors import NotFound
from archive.web import create_app

from .staff_client import add_user, import_items, page_token, sign_in

SITE_FORM = {"id": "nha-tho-duc-ba", "label.vi": "Nhà thờ Đức Bà Sài Gòn", "label.en": "Saigon Notre-Dame Cathedral",
             "label.tag": ["zh-Hant", ""], "label.text": ["西貢聖母聖殿主教座堂", ""], "kind": "historic-site",
             "community": "", "address.vi": "01 Công xã Paris, Quận 1",
             "address.en": "01 Paris Commune Street, District 1", "coordinates.lat": "10.77978",
             "coordinates.lon": "106.69902"}


@pytest.fixture
def app(archive):
    app = create_app(archive.settings, archive)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def users(archive):
    return {role: add_user(archive, role + "1", role) for role in ("admin", "editor", "contributor")}


def _client(app, username: str):
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    return client


def _post(client, path: str, data: dict, lang: str = "en"):
    token = page_token(client, f"/{lang}/staff/terms/")
    return client.post(f"/{lang}{path}", data={**data, "csrf_token": token})


def _text(response) -> str:
    return response.get_data(as_text=True)


def _words(response) -> str:
    """The page's text without its tags (search marks the words it matched)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", _text(response)))


@pytest.fixture
def items(archive, tmp_path):
    return import_items(archive, tmp_path, [
        {"title": {"vi": "Lồng đèn trung thu", "en": "Mid-autumn lanterns"}, "community": "hoa",
         "subjects": ["lanterns"]},
        {"title": {"vi": "Chuông chùa", "en": "Temple bell"}, "community": "hoa", "subjects": ["bells"]}])


def test_admin_adds_a_site_and_a_subject_through_the_forms_and_the_public_pages_show_them(app, archive, users,
                                                                                           items):
    admin = _client(app, "admin1")
    assert "Saigon Notre-Dame" not in _text(admin.get("/en/staff/terms/places/"))
    added = _post(admin, "/staff/terms/places/new", SITE_FORM)
    assert added.status_code == 302 and added.location.endswith("/en/staff/terms/places/nha-tho-duc-ba")
    subject = _post(admin, "/staff/terms/subjects/new", {"id": "bells", "label.vi": "chuông", "label.en": "bells",
                                                           "alt_labels": "chuông đồng\n"})
    assert subject.status_code == 302
    # The item already described with the word "bells" is counted under the new subject at once, labelled.
    facet = _text(app.test_client().get("/vi/search"))
    assert re.search(r'data-facet="subject" data-value="bells">\s*<span class="facet-label">chuông</span> '
                     r'<span class="facet-count">1</span>', facet)
    stored = terms.get_term(archive, "places", "nha-tho-duc-ba")
    assert stored.status == "active"
    assert stored.data["coordinates"] == {"lat": 10.77978, "lon": 106.69902}
    assert stored.data["label"]["zh-Hant"] == "西貢聖母聖殿主教座堂" and "community" not in stored.data
    listed = _text(admin.get("/en/staff/terms/places/"))
    assert "Saigon Notre-Dame Cathedral" in listed and 'data-status="active"' in listed
    # An editor describes an item with them; the public place page, item page and search follow at once.
    editor = accounts.viewer_of(users["editor"])
    item = editing.item_for_edit(archive, items[1])
    editing.update_item(archive, item.id, {**item.record, "place": "nha-tho-duc-ba"}, editor,
                        expected_version=item.version)
    public = app.test_client()
    place = _text(public.get("/en/places/nha-tho-duc-ba"))
    assert "Saigon Notre-Dame Cathedral" in place and "01 Paris Commune Street" in place and "Temple bell" in place
    assert "10.77978" in place
    found = _words(public.get("/en/search?q=bells"))
    assert "Temple bell" in found and "Saigon Notre-Dame Cathedral" in found
    assert "Temple bell" in _words(public.get("/en/search?q=chuông+đồng"))  # the subject's other name finds it


def test_editing_keeps_the_fields_the_form_does_not_show(app, archive, users):
    admin = _client(app, "admin1")
    assert _post(admin, "/staff/terms/places/new", SITE_FORM).status_code == 302
    with archive.catalog.writing() as s:  # a field only the JSON files carry
        from archive.catalog.models import VocabularyTerm
        row = s.get(VocabularyTerm, ("places", "nha-tho-duc-ba"))
        row.data = {**row.data, "map_icon": "cathedral"}
    page = _text(admin.get("/en/staff/terms/places/nha-tho-duc-ba"))
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    form = {k: v for k, v in SITE_FORM.items() if k != "id"}
    saved = _post(admin, "/staff/terms/places/nha-tho-duc-ba",
                  {**form, "label.en": "Notre-Dame Cathedral Basilica of Saigon", "coordinates.lat": "",
                   "coordinates.lon": "", "version": version})
    assert saved.status_code == 302
    data = terms.get_term(archive, "places", "nha-tho-duc-ba").data
    assert data["label"]["en"] == "Notre-Dame Cathedral Basilica of Saigon"
    assert data["map_icon"] == "cathedral" and "coordinates" not in data


@pytest.mark.parametrize("lat, field", [("ten north", "coordinates.lat"), ("91", "coordinates.lat"),
                                        ("nan", "coordinates.lat")])
def test_a_bad_coordinate_is_a_400_form_naming_the_field(app, archive, users, lat, field):
    admin = _client(app, "admin1")
    response = _post(admin, "/staff/terms/places/new", {**SITE_FORM, "coordinates.lat": lat,
                                                        "coordinates.lon": "west"})
    page = _text(response)
    assert response.status_code == 400
    assert f'data-field="{field}"' in page and 'data-field="coordinates.lon"' in page
    assert re.search(r'id="f-coordinates-lat" name="coordinates.lat" value="[^"]*" aria-invalid="true"', page)
    assert 'value="Saigon Notre-Dame Cathedral"' in page  # what was typed stays in the form
    with pytest.raises(NotFound):
        terms.get_term(archive, "places", "nha-tho-duc-ba")


def test_missing_labels_and_a_taken_id_are_named(app, users):
    admin = _client(app, "admin1")
    response = _post(admin, "/staff/terms/subjects/new", {"id": "lanterns", "label.vi": "", "label.en": "x"})
    page = _text(response)
    assert response.status_code == 400
    assert 'data-field="label.vi"' in page and 'data-field="id"' in page and "exists already" in page


def test_merge_through_the_page_repoints_items_and_search(app, archive, users, items):
    admin = _client(app, "admin1")
    _post(admin, "/staff/terms/subjects/new", {"id": "bells", "label.vi": "chuông", "label.en": "bells"})
    form = _text(admin.get("/en/staff/terms/subjects/bells"))
    assert '<option value="lanterns">' in form  # the survivor is chosen from a select
    confirm = _post(admin, "/staff/terms/subjects/bells/merge", {"into": "lanterns"})
    assert confirm.status_code == 200 and 'name="confirm" value="1"' in _text(confirm)
    assert "1 item(s)" in _text(confirm)
    assert terms.get_term(archive, "subjects", "bells")  # nothing merged before the confirmation
    merged = _post(admin, "/staff/terms/subjects/bells/merge", {"into": "lanterns", "confirm": "1"})
    assert merged.status_code == 302 and merged.location.endswith("/staff/terms/subjects/lanterns")
    assert "bells" in terms.get_term(archive, "subjects", "lanterns").data["alt_labels"]
    assert "lanterns" in editing.item_for_edit(archive, items[1]).record["subjects"]
    found = _words(app.test_client().get("/en/search?subject=lanterns"))
    assert "Temple bell" in found and "Mid-autumn lanterns" in found
    history = _text(admin.get("/en/staff/terms/subjects/bells/history"))
    assert "Merged" in history and "Restore this version" in history


def test_a_bad_merge_is_a_400_on_the_term_page(app, users):
    admin = _client(app, "admin1")
    itself = _post(admin, "/staff/terms/subjects/lanterns/merge", {"into": "lanterns", "confirm": "1"})
    assert itself.status_code == 400 and "Merge into: a term cannot be merged into itself" in _text(itself)
    nowhere = _post(admin, "/staff/terms/subjects/lanterns/merge", {"into": "no-such-term"})
    assert nowhere.status_code == 400 and "no-such-term" in _text(nowhere)


def test_delete_in_use_is_refused_with_the_services_message_then_versions_restore(app, archive, users, items):
    admin = _client(app, "admin1")
    refused = _post(admin, "/staff/terms/subjects/lanterns/delete", {})
    assert refused.status_code == 409
    assert "is used by 1 item(s); merge it into another term instead" in _text(refused)
    assert terms.get_term(archive, "subjects", "lanterns")
    _post(admin, "/staff/terms/subjects/new", {"id": "gongs", "label.vi": "cồng", "label.en": "gongs"})
    assert _post(admin, "/staff/terms/subjects/gongs/delete", {}).status_code == 302
    history = _text(admin.get("/en/staff/terms/subjects/gongs/history"))
    assert "Deleted" in history
    first = re.search(r'action="(/en/staff/terms/subjects/gongs/history/1/restore)"', history).group(1)
    restored = _post(admin, first.removeprefix("/en"), {})
    assert restored.status_code == 302
    assert terms.get_term(archive, "subjects", "gongs").data["label"]["en"] == "gongs"


def test_editors_propose_and_admins_approve(app, archive, users):
    editor = _client(app, "editor1")
    form = _text(editor.get("/vi/staff/terms/festivals/new"))
    assert ">Đề xuất</button>" in form
    proposed = _post(editor, "/staff/terms/festivals/new",
                     {"id": "le-vu-lan", "label.vi": "Lễ Vu Lan", "label.en": "Vu Lan festival", "community": "hoa",
                      "date_rule.vi": "Rằm tháng 7 âm lịch", "date_rule.en": "15th day of the 7th lunar month"})
    assert proposed.status_code == 302
    assert terms.get_term(archive, "festivals", "le-vu-lan").status == "proposed"
    page = _text(editor.get("/en/staff/terms/festivals/le-vu-lan"))
    assert "<fieldset class=\"plain\" disabled>" in page and ">Approve</button>" not in page
    assert _post(editor, "/staff/terms/festivals/le-vu-lan/approve", {}).status_code == 403
    admin = _client(app, "admin1")
    assert "le-vu-lan" in _text(admin.get("/en/staff/terms/"))  # listed among the proposals
    assert _post(admin, "/staff/terms/festivals/le-vu-lan/approve", {"version": "1"}).status_code == 302
    assert terms.get_term(archive, "festivals", "le-vu-lan").status == "active"


def test_contributors_are_refused(app, users):
    contributor = _client(app, "contributor1")
    for path in ("/en/staff/terms/", "/en/staff/terms/places/", "/en/staff/terms/places/new",
                 "/en/staff/terms/subjects/lanterns", "/en/staff/terms/subjects/lanterns/history"):
        assert contributor.get(path).status_code == 403, path
    token = page_token(contributor, "/en/staff/")
    response = contributor.post("/en/staff/terms/subjects/new", data={"id": "x", "label.vi": "x", "label.en": "x",
                                                                      "csrf_token": token})
    assert response.status_code == 403
    assert "/staff/terms/" not in _text(contributor.get("/en/staff/"))  # no link to the vocabularies either


COLLECTION_FORM = {"id": "lantern-gifts", "title.vi": "Quà tặng đèn", "title.en": "Lantern gifts",
                   "description.en": "Lanterns given at Mid-Autumn", "community": "hoa"}


def test_collections_are_added_edited_deleted_and_restored_through_the_pages(app, archive, users, items):
    admin = _client(app, "admin1")
    assert 'href="/en/staff/terms/collections/"' in _text(admin.get("/en/staff/terms/"))
    added = _post(admin, "/staff/terms/collections/new", COLLECTION_FORM)
    assert added.status_code == 302 and added.location.endswith("/en/staff/terms/collections/lantern-gifts")
    assert "Lantern gifts" in _text(admin.get("/en/staff/terms/collections/"))
    again = _post(admin, "/staff/terms/collections/new", COLLECTION_FORM)  # a new collection never overwrites one
    assert again.status_code == 400 and "exists already" in _text(again)
    bad = _post(admin, "/staff/terms/collections/new", {"id": "x y", "title.vi": "Chỉ tiếng Việt", "community": ""})
    assert bad.status_code == 400
    assert {"id", "title.en"} <= set(re.findall(r'<li data-field="([^"]+)"', _text(bad)))
    item = editing.item_for_edit(archive, items[0])
    editing.update_item(archive, item.id, {**item.record, "collections": ["lantern-gifts"]},
                        accounts.viewer_of(users["editor"]))
    form = _text(admin.get("/en/staff/terms/collections/lantern-gifts"))
    assert 'value="Lantern gifts"' in form and 'name="version" value="1"' in form
    renamed = _post(admin, "/staff/terms/collections/lantern-gifts",
                    {**COLLECTION_FORM, "title.en": "Lantern presents", "version": "1"})
    assert renamed.status_code == 302
    stored = terms.get_collection(archive, "lantern-gifts")
    assert stored.version == 2 and stored.data["title"]["en"] == "Lantern presents"
    assert stored.data["description"] == {"en": "Lanterns given at Mid-Autumn"} and stored.data["community"] == "hoa"
    assert "Mid-autumn lanterns" in _words(app.test_client().get("/en/search?q=presents"))  # search follows
    stale = _post(admin, "/staff/terms/collections/lantern-gifts", {**COLLECTION_FORM, "version": "1"})
    assert stale.status_code == 409 and "was saved as version 2" in _text(stale)
    refused = _post(admin, "/staff/terms/collections/lantern-gifts/delete", {"version": "2"})
    assert refused.status_code == 409 and "holds 1 item(s)" in _text(refused)
    history = _text(admin.get("/en/staff/terms/collections/lantern-gifts/history"))
    assert "Added" in history and "Edited" in history
    assert _post(admin, "/staff/terms/collections/lantern-gifts/history/1/restore", {}).status_code == 302
    assert terms.get_collection(archive, "lantern-gifts").data["title"]["en"] == "Lantern gifts"
    assert [e.action for e in audit.entries(archive, target="collections:lantern-gifts")] == \
        ["term_restore", "term_edit", "term_create"]
    editor = _client(app, "editor1")
    page = _text(editor.get("/en/staff/terms/collections/lantern-gifts"))
    assert "<fieldset class=\"plain\" disabled>" in page and ">Delete</button>" not in page
    assert _post(editor, "/staff/terms/collections/new", {**COLLECTION_FORM, "id": "other"}).status_code == 403
    assert _post(admin, "/staff/terms/collections/lantern-gifts/merge", {"into": "x"}).status_code == 404


def _festival_form(term: terms.Term, **rule: str) -> dict:
    data = term.data
    form = {"label.vi": data["label"]["vi"], "label.en": data["label"]["en"], "community": data["community"],
            "date_rule.vi": data["date_rule"]["vi"], "date_rule.en": data["date_rule"]["en"],
            "version": str(term.version)}
    return {**form, **{f"calendar_rule.{k}": v for k, v in rule.items()}}


def test_a_festival_s_date_rule_is_edited_in_its_form_and_the_calendar_follows(app, archive, users):
    admin = _client(app, "admin1")
    form = _text(admin.get("/en/staff/terms/festivals/trung-thu"))
    assert re.search(r'<option value="amlich" selected>', form) and 'name="calendar_rule.day" value="15"' in form
    assert [o.start for o in archive.calendar.occurrences(2026, "trung-thu")] == [date(2026, 9, 25)]
    term = terms.get_term(archive, "festivals", "trung-thu")
    saved = _post(admin, "/staff/terms/festivals/trung-thu",
                  _festival_form(term, calendar="amlich", month="8", day="14", duration_days="2"))
    assert saved.status_code == 302
    rule = terms.get_term(archive, "festivals", "trung-thu").data["calendar_rule"]
    assert rule == {"calendar": "amlich", "month": 8, "day": 14, "duration_days": 2, "leap_month": "regular"}
    [moved] = archive.calendar.occurrences(2026, "trung-thu")  # the calendar reads the catalog's rule at once
    assert (moved.start, moved.end) == (date(2026, 9, 24), date(2026, 9, 25))
    term = terms.get_term(archive, "festivals", "trung-thu")
    bad = _post(admin, "/staff/terms/festivals/trung-thu",
                _festival_form(term, calendar="amlich", month="13", day="thirty", **{"until.month": "9"}))
    assert bad.status_code == 400
    assert {"calendar_rule.month", "calendar_rule.day", "calendar_rule.until"} <= set(
        re.findall(r'<li data-field="([^"]+)"', _text(bad)))
    announced = _post(admin, "/staff/terms/festivals/trung-thu",
                      _festival_form(term, calendar="hijri", month="9", day="1", announced="1"))
    assert announced.status_code == 302
    assert terms.get_term(archive, "festivals", "trung-thu").data["calendar_rule"] == {
        "calendar": "hijri", "month": 9, "day": 1, "announced": True, "leap_month": "regular"}
    assert archive.calendar.occurrences(2026, "trung-thu") == []  # announced only, and none announced


def test_every_audit_action_has_a_label_in_both_languages(app, users):
    """The audit page's action filter lists every action by its translated name, never its code."""
    from archive import audit as audit_log

    admin = _client(app, "admin1")
    shown = {}
    for lang in ("vi", "en"):
        page = _text(admin.get(f"/{lang}/staff/admin/audit"))
        shown[lang] = dict(re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]+)</option>', page))
        assert set(audit_log.ACTIONS) <= set(shown[lang])
        assert not [a for a in audit_log.ACTIONS if shown[lang][a] == a], lang
    assert shown["vi"]["term_merge"] != shown["en"]["term_merge"]


def test_announced_dates_are_edited_in_the_festival_form(app, archive, users):
    admin = _client(app, "admin1")
    form = _text(admin.get("/en/staff/terms/festivals/kate"))
    assert 'value="2025-10-20"' in form and 'value="thanhnien-kate-2025"' in form
    term = terms.get_term(archive, "festivals", "kate")
    shipped = term.data["announced_dates"]
    rows = {"announced_dates.start": [r["start"] for r in shipped] + ["2026-10-09"],
            "announced_dates.end": [r["end"] for r in shipped] + ["2026-10-11"],
            "announced_dates.source": [r["source"] for r in shipped] + ["https://example.org/kate-2026"]}
    rule = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in term.data["calendar_rule"].items()}
    saved = _post(admin, "/staff/terms/festivals/kate", {**_festival_form(term, **rule), **rows})
    assert saved.status_code == 302
    [occurrence] = archive.calendar.occurrences(2026, "kate")
    assert (occurrence.start, occurrence.end) == (date(2026, 10, 9), date(2026, 10, 11))
    assert terms.get_term(archive, "festivals", "kate").data["announced_dates"][-1] == {
        "year": 2026, "start": "2026-10-09", "end": "2026-10-11", "source": "https://example.org/kate-2026"}
    term = terms.get_term(archive, "festivals", "kate")
    bad = _post(admin, "/staff/terms/festivals/kate", {**_festival_form(term, **rule),
                                                       "announced_dates.start": ["2026-10-09"],
                                                       "announced_dates.end": ["9 October"],
                                                       "announced_dates.source": [""]})
    assert bad.status_code == 400
    assert {"announced_dates.0.end", "announced_dates.0.source"} <= set(
        re.findall(r'<li data-field="([^"]+)"', _text(bad)))
    emptied = _post(admin, "/staff/terms/festivals/kate", {**_festival_form(term, **rule),
                                                           "announced_dates.start": [""]})
    assert emptied.status_code == 302
    assert terms.get_term(archive, "festivals", "kate").data["announced_dates"] == []  # kept empty, not re-seeded
    assert archive.calendar.occurrences(2025, "kate") == []
