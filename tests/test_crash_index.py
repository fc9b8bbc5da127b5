"""A crash between the catalog commit and the search update never leaves search showing what the catalog hides.

The fault: `heritage serve` SIGKILLs itself at the one point between a unit of work's commit and the application of
its index outbox rows (``archive.uow.after_commit``). An editor restricts a public item through the staff pages; the
server dies with the catalog saying "restricted" and the index still holding the public document. Before any restart
the site's search already drops the hit (checked against the catalog); after the restart the outbox is applied and
the index itself no longer has it. On Whoosh and on Elasticsearch.
"""
from __future__ import annotations

import subprocess
import sys

import pytest
import requests

from archive import indexing, searching
from archive.access import Viewer, scope
from archive.context import Archive
from archive.settings import load_settings
from search.request import SearchRequest
from tests.conftest import TEST_SETTINGS
from tests.catalogs import command_env, database_url
from tests.live_server import HOST, free_port, wait_for_port

from .staff_client import PASSWORD, add_user, import_items, token_in

TITLE = "Nghi lễ Rija Nưgar"

# `heritage web` (the web server that `heritage serve` runs), with the fault injected at the commit-to-index point
# (the only thing this wrapper changes): the web process dies there.
FAULTY_SERVE = """
import os, signal, sys
import archive.uow
archive.uow.after_commit = lambda archive, row_ids: os.kill(os.getpid(), signal.SIGKILL)
from archive.cli import main
main(sys.argv[1:])
"""


@pytest.fixture(params=["whoosh", "elasticsearch"])
def search_env(request) -> dict[str, str]:
    if request.param == "whoosh":
        return {}
    node = request.getfixturevalue("elasticsearch_node")
    return {"HERITAGE_SEARCH_BACKEND": "elasticsearch", "HERITAGE_ELASTICSEARCH_URL": node.url}


def _archive(data_dir, search_env) -> Archive:
    environ = {**search_env}
    return Archive(load_settings(environ=environ, data_dir=str(data_dir), database_url=database_url(data_dir),
                                 **TEST_SETTINGS))


def _serve(data_dir, search_env, port: int, *, faulty: bool) -> subprocess.Popen:
    env = command_env(data_dir, **search_env, HERITAGE_BASE_URL=f"http://{HOST}:{port}", HERITAGE_LOG_LEVEL="ERROR")
    args = ["--data-dir", str(data_dir), "web" if faulty else "serve", "--processes", "1", "--host", HOST, "--port",
            str(port)]
    command = [sys.executable, "-c", FAULTY_SERVE, *args] if faulty else [sys.executable, "-m", "archive.cli", *args,
                                                                          "--no-worker"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    wait_for_port(port, proc)
    return proc


def _anonymous_ids(archive) -> list[str]:
    return [hit.id for hit in archive.search.search(SearchRequest(q="Rija", scope=scope(Viewer.ANONYMOUS))).hits]


def test_a_server_killed_after_the_commit_leaves_no_restricted_item_in_search(data_dir, tmp_path, search_env):
    archive = _archive(data_dir, search_env)
    try:
        item_id = import_items(archive, tmp_path, [{"title": {"vi": TITLE, "en": "Rija Nưgar rite"},
                                                    "community": "cham"}])[0]
        add_user(archive, "editor1", "editor")
        assert _anonymous_ids(archive) == [item_id]

        port = free_port()
        server = _serve(data_dir, search_env, port, faulty=True)
        url = f"http://{HOST}:{port}"
        try:
            session = requests.Session()
            page = session.get(f"{url}/en/staff/login").text
            session.post(f"{url}/en/staff/login", data={"username": "editor1", "password": PASSWORD,
                                                         "csrf_token": token_in(page)})
            token = token_in(session.get(f"{url}/en/staff/items/{item_id}").text)
            with pytest.raises(requests.ConnectionError):  # the server dies inside the request
                session.post(f"{url}/en/staff/items/{item_id}/access",
                             data={"csrf_token": token, "access": "restricted"})
        finally:
            server.terminate()  # gunicorn would start another web process in place of the one killed
            server.wait(timeout=120)  # a graceful stop takes longer on a loaded machine (CI: > 30 s once)

        # The window the fault opened: the catalog committed the change, the index was never told.
        with archive.catalog.session() as s:
            from archive.catalog.models import Item
            assert s.get(Item, item_id).access == "restricted"
        assert indexing.pending(archive) == 1
        assert _anonymous_ids(archive) == [item_id]  # the index alone still has the public document
        # Even now, the site's search (hits re-checked against the catalog) shows nothing of it.
        found = searching.search_json(archive, SearchRequest(q="Rija", scope=scope(Viewer.ANONYMOUS)))
        assert found["total"] == 0 and found["hits"] == []
        everything = searching.search_json(archive, SearchRequest(scope=scope(Viewer.ANONYMOUS)))
        assert all(value["value"] != "cham" for value in everything["facets"]["community"])  # no count of it either

        port = free_port()
        server = _serve(data_dir, search_env, port, faulty=False)  # the restart applies the outbox first
        url = f"http://{HOST}:{port}"
        try:
            answer = requests.get(f"{url}/api/search", params={"q": "Rija"}).json()
            assert answer["total"] == 0 and answer["hits"] == []
            assert requests.get(f"{url}/en/items/{item_id}").status_code == 404
        finally:
            server.terminate()
            server.wait(timeout=120)  # a graceful stop takes longer on a loaded machine (CI: > 30 s once)
        assert indexing.pending(archive) == 0
        assert _anonymous_ids(archive) == []  # the index itself is reconciled, not just filtered
        staff = archive.search.search(SearchRequest(q="Rija", scope=scope(Viewer(1, "editor", "editor1"))))
        assert [hit.id for hit in staff.hits] == [item_id]  # staff still find it
    finally:
        if search_env:
            archive.search.drop()
            archive.search.close()
        archive.catalog.dispose()


def test_a_renamed_collection_is_found_by_its_new_name(heritage, archive, tmp_path):
    collections = tmp_path / "collections.json"
    collections.write_text('[{"id": "pagodas", "title": {"vi": "Chùa Khmer", "en": "Khmer pagodas"}}]', "utf-8")
    assert heritage("import-collections", collections).exit_code == 0
    import_items(archive, tmp_path, [{"title": {"vi": "Chánh điện", "en": "Main hall"}, "community": "khmer",
                                      "collections": ["pagodas"]}])
    renamed = tmp_path / "renamed.json"
    renamed.write_text('[{"id": "pagodas", "title": {"vi": "Chùa Nam tông", "en": "Theravada temples"}}]', "utf-8")
    assert heritage("import-collections", renamed).exit_code == 0
    anonymous = scope(Viewer.ANONYMOUS)
    assert archive.search.count(SearchRequest(q="Theravada", scope=anonymous)) == 1
    assert archive.search.count(SearchRequest(q="pagodas", scope=anonymous)) == 0
