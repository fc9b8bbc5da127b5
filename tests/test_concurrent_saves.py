"""Two people saving the same version of an item at the same moment: exactly one save wins, the other gets a conflict
(409 on the web, with its own values kept and a diff against the winner), nothing is lost silently and nothing fails
with a 500 — in the domain (threads) and against a running `heritage serve` (two signed-in editors)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from archive import editing
from archive.access import Viewer
from archive.errors import Conflict
from tests.live_server import live_subprocess

from .staff_client import PASSWORD, add_user, describe_form, import_items, token_in

ROUNDS = 20
ORIGINAL = {"title": {"vi": "Lễ hội Katê", "en": "Katê festival"},
            "description": {"vi": "Mô tả ban đầu.", "en": "First description."}, "community": "cham"}


def _record(archive, item_id: str) -> dict:
    item = editing.item_for_edit(archive, item_id)
    return {**item.record, "version": item.version}


def _race(*calls):
    """Run the calls in threads released together; their results (or the exceptions they raised)."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        except Exception as exc:  # the race's outcome, inspected by the test
            return exc

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_two_saves_of_one_version_in_the_domain_one_wins_one_conflicts(archive, tmp_path):
    item_id = import_items(archive, tmp_path, [ORIGINAL])[0]
    lan, minh = add_user(archive, "lan", "editor"), add_user(archive, "minh", "editor")
    lan, minh = Viewer(lan.id, "editor", "lan"), Viewer(minh.id, "editor", "minh")
    for round_ in range(ROUNDS):
        before = _record(archive, item_id)
        version = before.pop("version")
        title = {**before["title"], "en": f"Katê festival, take {round_}"}
        description = {**before["description"], "en": f"Description, take {round_}"}
        results = _race(
            lambda: editing.update_item(archive, item_id, {**before, "title": title}, lan, expected_version=version),
            lambda: editing.update_item(archive, item_id, {**before, "description": description}, minh,
                                        expected_version=version))
        winners = [r for r in results if isinstance(r, editing.Saved)]
        losers = [r for r in results if isinstance(r, Conflict)]
        assert len(winners) == 1 and len(losers) == 1, results  # never two saves, never an IntegrityError
        assert winners[0].version == version + 1
        after = _record(archive, item_id)
        assert after["version"] == version + 1
        won_title = results[0] is winners[0]
        assert after["title"] == (title if won_title else before["title"])
        assert after["description"] == (before["description"] if won_title else description)
    assert [v.number for v in editing.history(archive, item_id)] == list(range(1, ROUNDS + 2))


def _editor_session(url: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{url}/en/staff/login").text
    signed_in = session.post(f"{url}/en/staff/login", allow_redirects=False, data={
        "username": username, "password": PASSWORD, "csrf_token": token_in(page)})
    assert signed_in.status_code == 302, signed_in.text[:500]
    return session


def test_two_editors_saving_at_once_against_a_live_server_get_one_302_and_one_409(archive, data_dir, tmp_path):
    item_id = import_items(archive, tmp_path, [ORIGINAL])[0]
    add_user(archive, "lan", "editor")
    add_user(archive, "minh", "editor")
    archive.catalog.dispose()
    with live_subprocess(data_dir) as live:
        lan, minh = _editor_session(live.url, "lan"), _editor_session(live.url, "minh")
        edit_url = f"{live.url}/en/staff/items/{item_id}"
        for round_ in range(ROUNDS):
            lan_page, minh_page = lan.get(edit_url).text, minh.get(edit_url).text  # both open version N
            version = int(describe_form(lan_page, item_id, "en")["version"][0])
            assert int(describe_form(minh_page, item_id, "en")["version"][0]) == version
            title, description = f"Katê festival, take {round_}", f"Description, take {round_}"
            lan_form = describe_form(lan_page, item_id, "en", title__en=title)
            minh_form = describe_form(minh_page, item_id, "en", description__en=description)
            lan_answer, minh_answer = _race(
                lambda: lan.post(edit_url, data=lan_form, allow_redirects=False),
                lambda: minh.post(edit_url, data=minh_form, allow_redirects=False))
            assert sorted([lan_answer.status_code, minh_answer.status_code]) == [302, 409], \
                (lan_answer.status_code, minh_answer.status_code)
            record = _record(archive, item_id)
            assert record["version"] == version + 1
            if lan_answer.status_code == 302:
                winner_title, winner_description, loser, loser_value = title, None, minh_answer, description
            else:
                winner_title, winner_description, loser, loser_value = None, description, lan_answer, title
            if winner_title:
                assert record["title"]["en"] == winner_title and not record["description"]["en"].startswith(
                    f"Description, take {round_}")
            else:
                assert record["description"]["en"] == winner_description and not record["title"]["en"].startswith(
                    f"Katê festival, take {round_}")
            # The loser's form keeps the loser's values, and says how they differ from the winner's version.
            kept = describe_form(loser.text, item_id, "en")
            assert loser_value in (kept["title.en"][0], kept["description.en"][0])
            assert 'id="conflict-diff"' in loser.text and f"compared with version {version + 1}" in loser.text
        archive.catalog.dispose()
        assert _record(archive, item_id)["version"] == ROUNDS + 1
