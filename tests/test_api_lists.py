"""The JSON API's lists (/api/items, /api/collections, /api/vocabularies/{name}): a walk through the next links returns
each public item exactly once and nothing hidden; changes during a walk skip or repeat no untouched item;
updated_since keeps what changed; bad parameters are a 400 naming the parameter, in the one error shape."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest

from archive import accounts, editing, publishing
from archive.context import Archive
from archive.importer import import_collections, import_records
from archive.web import create_app
from tests.conftest import make_settings
from tests.staff_client import PASSWORD, sign_in

PUBLIC = [f"pub-{n:02d}" for n in range(23)]
HIDDEN = {"hid-restricted": "restricted", "hid-staff": "staff", "hid-researchers": "researchers",
          "hid-draft": "draft", "hid-embargoed": "embargoed"}
COLLECTIONS = [{"id": "col-a", "title": {"vi": "Bộ A", "en": "Set A"}, "community": "hoa"},
               {"id": "col-b", "title": {"vi": "Bộ B", "en": "Set B"}}]


def _build(root) -> Archive:
    archive = Archive(make_settings(root / "var"))
    (root / "collections.json").write_text(json.dumps(COLLECTIONS), "utf-8")
    assert not import_collections(archive, root / "collections.json").rejected
    records = [{"id": i, "community": "hoa", "title": {"vi": f"Đèn lồng {i}", "en": f"Lantern {i}"},
                "collections": ["col-a"]} for i in PUBLIC]
    records += [{"id": i, "community": "cham", "access": kind if kind in ("restricted", "staff", "researchers")
                 else "public", "title": {"vi": f"Ẩn {i}", "en": f"Hidden {i}"}, "collections": ["col-a"]}
                for i, kind in HIDDEN.items()]
    (root / "records.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
    assert not import_records(archive, root / "records.jsonl").rejected
    editor = accounts.viewer_of(accounts.create_user(archive, "editor", PASSWORD, "editor"))
    publishing.unpublish(archive, "hid-draft", editor)
    publishing.set_access(archive, "hid-embargoed", "public", editor, embargo_until=date.today() + timedelta(days=30))
    return archive, editor


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One archive the read-only tests share."""
    archive, _ = _build(tmp_path_factory.mktemp("api-lists"))
    yield archive, create_app(archive.settings, archive).test_client()
    archive.catalog.dispose()


@pytest.fixture
def own(tmp_path):
    """An archive of the test's own, to change during a walk: (archive, test client, an editor)."""
    archive, editor = _build(tmp_path)
    yield archive, create_app(archive.settings, archive).test_client(), editor
    archive.catalog.dispose()


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def walk(client, url: str, key: str = "items", between=None) -> list[dict]:
    """Every entry of a list, following the next links; ``between(found)`` runs after each page but the last."""
    found, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        found += body[key]
        pages += 1
        if body["next"]:
            assert response.headers["Link"] == f'<{body["next"]}>; rel="next"'
            assert len(body[key]) == int(dict(p.split("=") for p in urlsplit(body["next"]).query.split("&"))["limit"])
        else:
            assert "Link" not in response.headers
        url = _path(body["next"]) if body["next"] else None
        if between and url:
            between(found)
    return found


def test_a_full_walk_returns_each_public_item_exactly_once_and_nothing_hidden(shared):
    _, client = shared
    ids = [item["id"] for item in walk(client, "/api/items?limit=5")]
    assert sorted(ids) == sorted(PUBLIC)
    assert len(ids) == len(set(ids))


def test_a_signed_in_editor_walks_what_staff_see_as_the_item_api_shows_them(shared):
    archive, _ = shared
    client = create_app(archive.settings, archive).test_client()
    assert sign_in(client, "editor").status_code == 302
    assert sorted(item["id"] for item in walk(client, "/api/items?limit=10")) == sorted([*PUBLIC, *HIDDEN])
    assert client.get("/api/items/hid-draft").status_code == 200


def test_items_in_lists_are_records_with_links(shared):
    _, client = shared
    item = walk(client, "/api/items?limit=100")[0]
    assert item["title"]["vi"].startswith("Đèn lồng") and item["status"] == "published" and item["media"] == []
    base = shared[0].settings.base_url
    assert item["links"] == {"self": f"{base}/api/items/{item['id']}",
                             "page": {"vi": f"{base}/vi/items/{item['id']}", "en": f"{base}/en/items/{item['id']}"},
                             "manifest": None, "images": []}
    assert client.get(f"/api/items/{item['id']}").get_json() == item


def test_a_change_during_the_walk_skips_and_repeats_no_untouched_item(own):
    archive, client, editor = own
    seen: list[str] = []

    def change(found: list[dict]) -> None:
        if seen:
            return
        seen.extend(item["id"] for item in found)
        # after the first page: an item already returned changes (so it moves to the end of the order), another one
        # is restricted, and a restricted one (not yet returned) is made public
        renamed = {**_record(archive, seen[0]), "title": {"vi": "Đổi tên", "en": "Renamed"}}
        editing.update_item(archive, seen[0], renamed, editor)
        publishing.set_access(archive, seen[1], "restricted", editor)
        publishing.set_access(archive, "hid-restricted", "public", editor)

    found = [item["id"] for item in walk(client, "/api/items?limit=5", between=change)]
    untouched = [i for i in PUBLIC if i not in seen[:2]]
    assert [i for i in found if i in untouched] == [i for i in found if i in untouched and found.count(i) == 1]
    assert sorted(set(found) & set(untouched)) == sorted(untouched)
    assert found.count(seen[1]) == 1  # returned before it was restricted, never after
    assert found[-2:] == [seen[0], "hid-restricted"] and found.count(seen[0]) == 2
    assert len(found) == len(untouched) + 4


def _record(archive: Archive, item_id: str) -> dict:
    return {k: v for k, v in editing.item_for_edit(archive, item_id).record.items()}


def test_updated_since_keeps_what_changed_at_or_after_the_moment(own):
    archive, client, editor = own
    everything = walk(client, "/api/items?limit=100")
    newest = max(datetime.fromisoformat(i["updated_at"].replace("Z", "+00:00")) for i in everything)
    moment = newest + timedelta(microseconds=1)
    editing.update_item(archive, "pub-07", {**_record(archive, "pub-07"), "date": "1975"}, editor)
    editing.update_item(archive, "pub-03", {**_record(archive, "pub-03"), "date": "1976"}, editor)
    in_utc = moment.isoformat().replace("+00:00", "Z")
    in_hcmc = moment.astimezone(timezone(timedelta(hours=7))).isoformat()
    for since in (in_utc, in_hcmc):
        changed = walk(client, f"/api/items?limit=1&updated_since={since.replace('+', '%2B')}")
        assert [i["id"] for i in changed] == ["pub-07", "pub-03"]
    assert walk(client, f"/api/items?updated_since={everything[0]['updated_at']}") == \
        walk(client, "/api/items?limit=100")  # inclusive: the oldest change itself is kept
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert walk(client, f"/api/items?updated_since={tomorrow}") == []
    # before the first moment Python can hold in UTC: everything, not an error
    assert len(walk(client, "/api/items?updated_since=0001-01-01T00:00:00%2B01:00&limit=100")) == len(PUBLIC)


def test_collections_count_only_public_items_and_page_with_updated_since(own):
    archive, client, _ = own
    collections = walk(client, "/api/collections?limit=1", key="collections")
    assert [(c["id"], c["count"]) for c in collections] == [("col-a", len(PUBLIC)), ("col-b", 0)]
    base = archive.settings.base_url
    assert collections[0]["links"] == {"page": {"vi": f"{base}/vi/collections/col-a",
                                                "en": f"{base}/en/collections/col-a"},
                                       "iiif": f"{base}/iiif/3/collection/col-a"}
    since = collections[-1]["updated_at"]
    changed = [{**COLLECTIONS[0], "title": {"vi": "Bộ A mới", "en": "New set A"}}, COLLECTIONS[1]]
    path = archive.settings.data_path.parent / "changed.json"
    path.write_text(json.dumps(changed), "utf-8")
    assert not import_collections(archive, path).rejected
    later = walk(client, f"/api/collections?updated_since={since}", key="collections")
    assert [c["id"] for c in later] == ["col-b", "col-a"]  # col-b changed at `since`; col-a after (renamed)
    assert later[1]["title"]["en"] == "New set A"


def test_vocabularies_are_listed_and_paged_in_their_files_order(shared):
    archive, client = shared
    names = [v["name"] for v in client.get("/api/vocabularies").get_json()["vocabularies"]]
    assert names == ["communities", "festivals", "places", "languages", "scripts", "licences", "roles", "subjects"]
    for name in names:
        assert walk(client, f"/api/vocabularies/{name}?limit=4", key="terms") == archive.vocab.terms(name)
    missing = client.get("/api/vocabularies/colours")
    assert missing.status_code == 404 and "colours" in missing.get_json()["error"]["detail"]


@pytest.mark.parametrize("url, parameter", [
    ("/api/items?limit=0", "limit"), ("/api/items?limit=101", "limit"), ("/api/items?limit=ten", "limit"),
    ("/api/items?limit=%C2%B2", "limit"), ("/api/collections?limit=-1", "limit"),
    ("/api/vocabularies/places?limit=1e3", "limit"),
    ("/api/items?updated_since=yesterday", "updated_since"), ("/api/items?updated_since=2026-13-01", "updated_since"),
    ("/api/items?updated_since=2026-01-01T25:00Z", "updated_since"),
    ("/api/collections?updated_since=2026-01-01T08:30%2B07:00", "updated_since"),  # RFC 3339 wants the seconds
    ("/api/collections?updated_since=%202026-01-01", "updated_since"),
    ("/api/items?cursor=nonsense", "cursor"), ("/api/items?cursor=WyJob2EiXQ", "cursor"),  # a vocabulary's cursor
    ("/api/collections?cursor=WyJ4IiwgInkiXQ", "cursor"),  # ["x", "y"]: not a time
    ("/api/vocabularies/places?cursor=WyJuby1zdWNoLXRlcm0iXQ", "cursor"),  # a term that does not exist
])
def test_a_bad_parameter_is_a_400_naming_it(shared, url, parameter):
    """(A limit of ² is a digit to str.isdigit, not to archive.params.)"""
    response = shared[1].get(url)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400 and error["title"] == "Bad Request" and error["parameter"] == parameter
    assert error["detail"].startswith(f"{parameter}: ")


def test_a_method_the_api_does_not_offer_is_a_405_with_allow(shared):
    response = shared[1].post("/api/items")
    assert response.status_code == 405 and response.get_json()["error"]["status"] == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
