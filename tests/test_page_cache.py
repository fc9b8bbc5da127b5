"""The page cache (archive/web/page_cache.py): anonymous visitors get a page kept since the catalog's last change; a
change through a unit of work (an exhibit's too), an index update or another process's change makes every process
build it again at once, and signed-in viewers never get a kept page.

A change written behind the units of work (which the archive itself never does) is how these tests see
that a page came from the cache: it shows the old text until the generation moves."""
from __future__ import annotations

from pathlib import Path

import pytest

from archive import editing, exhibit_store, publishing
from archive.access import Viewer
from archive.catalog.models import Item
from archive.context import Archive
from archive.web import create_app
from tests.conftest import make_settings

from .staff_client import add_user, import_items, sign_in


@pytest.fixture
def site(tmp_path: Path):
    archive = Archive(make_settings(tmp_path / "var"))
    ids = import_items(archive, tmp_path, [
        {"title": {"vi": f"Lễ hội {word}", "en": f"Festival {word}"}, "community": "khmer"} for word in ("alpha", "bravo")])
    editor = add_user(archive, "lan", "editor")
    return archive, create_app(archive.settings, archive), ids, Viewer(editor.id, "editor", "lan")


def _behind_the_units_of_work(archive: Archive, item_id: str, title: str) -> None:
    with archive.catalog.session() as s:
        item = s.get(Item, item_id)
        item.record = {**item.record, "title": {"vi": title, "en": title}}


PAGES = ("/en/", "/en/items/{id}", "/en/search?q=festival", "/en/communities/khmer")


def test_an_anonymous_page_is_kept_until_a_unit_of_work_changes_the_catalog(site):
    archive, app, (first, _), editor = site
    client = app.test_client()
    pages = [page.format(id=first) for page in PAGES]
    for page in pages:
        assert "alpha" in client.get(page).get_data(as_text=True), page
    _behind_the_units_of_work(archive, first, "Festival quietly")
    for page in pages:  # kept: the catalog's generation has not moved
        assert "alpha" in client.get(page).get_data(as_text=True), page
    record = editing.item_for_edit(archive, first).record
    record["title"] = {"vi": "Đổi tên", "en": "Festival openly"}
    editing.update_item(archive, first, record, editor)
    for page in pages:
        body = client.get(page).get_data(as_text=True)
        assert "alpha" not in body and "quietly" not in body, page
        assert "openly" in body, page


def test_an_item_restricted_leaves_every_kept_page_at_once(site):
    archive, app, (first, second), editor = site
    client = app.test_client()
    for page in PAGES:
        assert "bravo" in client.get(page.format(id=second)).get_data(as_text=True)
    publishing.set_access(archive, second, "restricted", editor)
    assert client.get(f"/en/items/{second}").status_code == 404
    for page in ("/en/", "/en/search?q=festival", "/en/communities/khmer"):
        body = client.get(page).get_data(as_text=True)
        assert "bravo" not in body and "alpha" in body, page


def test_a_change_made_by_another_process_is_seen_by_every_process(site, tmp_path):
    archive, app, (first, _), editor = site
    client = app.test_client()
    assert "alpha" in client.get(f"/en/items/{first}").get_data(as_text=True)
    _behind_the_units_of_work(archive, first, "Festival quietly")
    other = Archive(make_settings(tmp_path / "var"))  # its own engine, as another web process or machine has
    publishing.unpublish(other, first, editor)
    assert client.get(f"/en/items/{first}").status_code == 404


def test_an_index_update_alone_moves_the_generation(site):
    archive, app, (first, _), _editor = site
    client = app.test_client()
    assert "alpha" in client.get("/en/search?q=festival").get_data(as_text=True)
    _behind_the_units_of_work(archive, first, "Festival quietly")
    from archive.indexing import reindex
    reindex(archive, progress=False)
    assert "quietly" in client.get("/en/search?q=festival").get_data(as_text=True)


def test_an_exhibit_saved_or_unpublished_is_shown_at_once(site):
    archive, app, _ids, editor = site
    client = app.test_client()
    content = {"title": {"en": "A first title"}, "blocks": [{"type": "text", "text": {"en": "Body."}}]}
    exhibit_store.create(archive, "trial", content, editor, status="published")
    assert "A first title" in client.get("/en/exhibits/").get_data(as_text=True)
    exhibit_store.save(archive, "trial", {**content, "title": {"en": "A second, longer title"}}, editor,
                       expected_version=1)
    assert "A second, longer title" in client.get("/en/exhibits/").get_data(as_text=True)
    assert client.get("/en/exhibits/trial").status_code == 200
    exhibit_store.unpublish(archive, "trial", editor)
    assert "A second, longer title" not in client.get("/en/exhibits/").get_data(as_text=True)
    assert client.get("/en/exhibits/trial").status_code == 404


def test_signed_in_viewers_never_get_a_kept_page(site):
    archive, app, (first, _), _editor = site
    anonymous, staff = app.test_client(), app.test_client()
    assert sign_in(staff, "lan").status_code == 302
    for client in (anonymous, staff):
        assert "alpha" in client.get(f"/en/items/{first}").get_data(as_text=True)
    _behind_the_units_of_work(archive, first, "Festival quietly")
    assert "alpha" in anonymous.get(f"/en/items/{first}").get_data(as_text=True)
    assert "quietly" in staff.get(f"/en/items/{first}").get_data(as_text=True)


def test_no_cache_when_the_setting_says_none(tmp_path):
    archive = Archive(make_settings(tmp_path / "var", page_cache_entries=0))
    (first,) = import_items(archive, tmp_path, [{"title": {"vi": "Lễ hội", "en": "Festival alpha"},
                                                 "community": "cham"}])
    client = create_app(archive.settings, archive).test_client()
    assert "alpha" in client.get(f"/en/items/{first}").get_data(as_text=True)
    _behind_the_units_of_work(archive, first, "Festival quietly")
    assert "quietly" in client.get(f"/en/items/{first}").get_data(as_text=True)


def test_every_unit_of_work_raises_the_generation_in_its_own_transaction(site):
    archive, _app, _ids, editor = site
    from archive import generation
    from archive.uow import unit_of_work
    before = generation.current(archive.catalog)
    with unit_of_work(archive) as work:  # a change with no index update (e.g. an audit-only one) moves it too
        work.audit(editor, "edit", "collection:none")
    assert generation.current(archive.catalog) == before + 1
    with pytest.raises(RuntimeError), unit_of_work(archive) as work:
        work.audit(editor, "edit", "collection:none")
        raise RuntimeError("rolled back")
    assert generation.current(archive.catalog) == before + 1
