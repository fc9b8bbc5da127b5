"""Home-page curation (archive.home_curation, the staff page /staff/home): editors choose the featured exhibits and
items and their order; every save is a numbered version, compare-and-set, audited and committed with a raised
generation, so the cached home page follows at once; bad entries are refused by name; entries the public may not
see are kept, flagged on the staff page and left off the public home page; contributors are refused."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from archive import audit, exhibit_store, generation, home_curation, publishing
from archive.access import Viewer
from archive.context import Archive
from archive.errors import Conflict, Forbidden, InvalidRecord
from archive.web import create_app
from tests.conftest import make_settings

from .staff_client import add_user, import_items, page_token, sign_in


def _exhibit(title: str) -> dict:
    return {"title": {"vi": f"{title} vi", "en": f"{title} en"}, "summary": {"vi": "Tóm tắt", "en": "Summary"},
            "community": "khmer", "blocks": [{"type": "text", "text": {"vi": "Đoạn.", "en": "Paragraph."}}]}


@pytest.fixture
def site(tmp_path: Path, data_dir):
    archive = Archive(make_settings(data_dir))
    ids = import_items(archive, tmp_path, [
        {"title": {"vi": f"Vật {word}", "en": f"Thing {word}"}, "community": "khmer"}
        for word in ("Alpha", "Bravo", "Secret")])
    users = {role: add_user(archive, role, role) for role in ("contributor", "editor", "admin", "researcher")}
    viewers = {role: Viewer(u.id, role, role) for role, u in users.items()}
    publishing.set_access(archive, ids[2], "restricted", viewers["editor"])
    for slug, status in (("first", "published"), ("second", "published"), ("hidden", "draft")):
        exhibit_store.create(archive, slug, _exhibit(slug.title()), None, status=status)
    yield archive, dict(zip(("alpha", "bravo", "secret"), ids)), viewers
    archive.catalog.dispose()


def _current(archive) -> home_curation.Curation:
    with archive.catalog.session() as s:
        return home_curation.current(s)


def test_a_save_keeps_the_order_given_and_each_save_is_a_new_version(site):
    archive, ids, viewers = site
    assert _current(archive) == home_curation.NOTHING
    assert home_curation.save(archive, viewers["editor"], ["second", "first"], [ids["bravo"], ids["alpha"]],
                              expected_version=0) == 1
    chosen = _current(archive)
    assert (chosen.exhibits, chosen.items, chosen.username) == (("second", "first"), (ids["bravo"], ids["alpha"]),
                                                                "editor")
    assert home_curation.save(archive, viewers["admin"], ["first", "second"], [ids["alpha"]], expected_version=1) == 2
    assert _current(archive).exhibits == ("first", "second")
    assert _current(archive).items == (ids["alpha"],)


def test_a_save_from_an_older_version_is_a_conflict_and_changes_nothing(site):
    archive, ids, viewers = site
    home_curation.save(archive, viewers["editor"], ["first"], [], expected_version=0)
    home_curation.save(archive, viewers["editor"], ["second"], [], expected_version=1)
    with pytest.raises(Conflict):
        home_curation.save(archive, viewers["admin"], ["first", "second"], [], expected_version=1)
    assert (_current(archive).version, _current(archive).exhibits) == (2, ("second",))


def test_every_bad_entry_is_named_and_nothing_is_saved(site):
    archive, ids, viewers = site
    before = generation.current(archive.catalog)
    with pytest.raises(InvalidRecord) as exc:
        home_curation.save(archive, viewers["editor"], ["nowhere", "first", "first"], ["ghost", 7, ids["alpha"]],
                           expected_version=0)
    problems = {p.field: p.reason for p in exc.value.problems}
    assert problems == {"exhibits[0]": "no exhibit 'nowhere' in the archive",
                        "exhibits[2]": "exhibit 'first' is already featured",
                        "items[0]": "no item 'ghost' in the archive",
                        "items[1]": "an item is named by a non-empty text, not 7"}
    with pytest.raises(InvalidRecord) as exc:
        home_curation.save(archive, viewers["editor"], [], [ids["alpha"]] * 13, expected_version=0)
    assert "items" in {p.field for p in exc.value.problems}
    assert _current(archive) == home_curation.NOTHING
    assert generation.current(archive.catalog) == before
    assert audit.entries(archive, action="home_curate") == []


def test_a_save_is_audited_with_before_and_after_and_raises_the_generation(site):
    archive, ids, viewers = site
    home_curation.save(archive, viewers["editor"], ["first"], [ids["alpha"]], expected_version=0)
    before = generation.current(archive.catalog)
    home_curation.save(archive, viewers["admin"], ["second", "first"], [], expected_version=1)
    assert generation.current(archive.catalog) == before + 1
    latest, first = audit.entries(archive, action="home_curate")
    assert (latest.username, latest.target) == ("admin", "home")
    assert latest.details == {"version": 2, "exhibits": ["second", "first"], "items": [],
                              "before": {"exhibits": ["first"], "items": [ids["alpha"]]}}
    assert first.details["before"] == {"exhibits": [], "items": []}


def test_saving_the_same_choice_again_writes_nothing(site):
    archive, ids, viewers = site
    home_curation.save(archive, viewers["editor"], ["first"], [ids["alpha"]], expected_version=0)
    before = generation.current(archive.catalog)
    assert home_curation.save(archive, viewers["editor"], ["first"], [ids["alpha"]], expected_version=1) == 1
    assert generation.current(archive.catalog) == before
    assert len(audit.entries(archive, action="home_curate")) == 1


@pytest.mark.parametrize("role", ["contributor", "researcher"])
def test_only_editors_and_admins_choose(site, role):
    archive, ids, viewers = site
    with pytest.raises(Forbidden):
        home_curation.save(archive, viewers[role], ["first"], [], expected_version=0)
    with pytest.raises(Forbidden):
        home_curation.save(archive, Viewer.ANONYMOUS, ["first"], [], expected_version=0)
    assert _current(archive) == home_curation.NOTHING


def test_entries_the_public_may_not_see_are_kept_flagged_and_shown_only_to_who_may_see_them(site):
    archive, ids, viewers = site
    home_curation.save(archive, viewers["editor"], ["hidden", "first"], [ids["secret"], ids["alpha"]],
                       expected_version=0)
    _, exhibits, items = home_curation.review(archive)
    assert [(e.key, e.public, e.status) for e in exhibits] == [("hidden", False, "draft"), ("first", True, "published")]
    assert [(e.key, e.public) for e in items] == [(ids["secret"], False), (ids["alpha"], True)]
    assert items[1].title == {"vi": "Vật Alpha", "en": "Thing Alpha"}
    with archive.catalog.session() as s:
        assert home_curation.featured(s, Viewer.ANONYMOUS)[1:] == (["first"], [ids["alpha"]])
        assert home_curation.featured(s, viewers["editor"])[1:] == (["hidden", "first"], [ids["secret"], ids["alpha"]])


# --- the web: the staff page and the home page -------------------------------------------------------------------


def _signed_in(archive, role: str):
    client = create_app(archive.settings, archive).test_client()
    assert sign_in(client, role).status_code == 302
    return client


def _post(client, token: str, **form):
    return client.post("/en/staff/home", data={"csrf_token": token, **{k: str(v) for k, v in form.items()}})


def _order(page: str, *needles: str) -> list[str]:
    """The needles found in the page, in the order the page shows them."""
    return sorted((n for n in needles if n in page), key=page.index)


def _section(page: str, heading_id: str) -> str:
    match = re.search(rf'<h2 id="{heading_id}">.*?</section>', page, re.S)
    return match.group(0) if match else ""


def test_the_home_page_follows_the_staff_page_at_once(site):
    archive, ids, viewers = site
    visitor = create_app(archive.settings, archive).test_client()
    home = visitor.get("/en/").get_data(as_text=True)  # nothing chosen: every exhibit (none is marked featured)
    assert _order(_section(home, "h-exhibits"), "First en", "Second en") == ["First en", "Second en"]
    assert 'id="h-featured-items"' not in home
    editor = _signed_in(archive, "editor")
    token = page_token(editor, "/en/staff/home")
    for value in ("second", "first"):
        assert _post(editor, token, list="exhibits", op="add", value=value,
                     version=_current(archive).version).status_code == 302
    for key in ("alpha", "secret", "bravo"):
        assert _post(editor, token, list="items", op="add", value=ids[key],
                     version=_current(archive).version).status_code == 302
    assert _post(editor, token, list="items", op="up", index=2, version=_current(archive).version).status_code == 302
    assert _current(archive).items == (ids["alpha"], ids["bravo"], ids["secret"])
    home = visitor.get("/en/").get_data(as_text=True)
    assert _order(_section(home, "h-exhibits"), "First en", "Second en") == ["Second en", "First en"]
    featured_items = _section(home, "h-featured-items")
    assert _order(featured_items, "Thing Alpha", "Thing Bravo", "Thing Secret") == ["Thing Alpha", "Thing Bravo"]
    assert _post(editor, token, list="exhibits", op="down", index=0,
                 version=_current(archive).version).status_code == 302
    assert _post(editor, token, list="items", op="remove", index=0,
                 version=_current(archive).version).status_code == 302
    home = visitor.get("/en/").get_data(as_text=True)
    assert _order(_section(home, "h-exhibits"), "First en", "Second en") == ["First en", "Second en"]
    assert _order(_section(home, "h-featured-items"), "Thing Alpha", "Thing Bravo") == ["Thing Bravo"]
    staff_page = editor.get("/en/staff/home").get_data(as_text=True)
    assert "Thing Secret" in staff_page and "not shown to the public" in staff_page


def test_the_staff_page_refuses_bad_changes_by_name(site):
    archive, ids, viewers = site
    editor = _signed_in(archive, "editor")
    token = page_token(editor, "/en/staff/home")
    answer = _post(editor, token, list="items", op="add", value="ghost", version=0)
    assert answer.status_code == 400 and "items[0]" in answer.get_data(as_text=True)
    assert "no item &#39;ghost&#39; in the archive" in answer.get_data(as_text=True)
    _post(editor, token, list="exhibits", op="add", value="first", version=0)
    answer = _post(editor, token, list="exhibits", op="add", value="first", version=1)
    assert answer.status_code == 400 and "already featured" in answer.get_data(as_text=True)
    for form, parameter in ((dict(list="exhibits", op="up", index=0, version=1), "index"),
                            (dict(list="exhibits", op="remove", index=5, version=1), "index"),
                            (dict(list="exhibits", op="sideways", index=0, version=1), "op"),
                            (dict(list="people", op="add", value="x", version=1), "list"),
                            (dict(list="exhibits", op="remove", index=0, version="one"), "version")):
        answer = _post(editor, token, **form)
        assert answer.status_code == 400, form
        assert parameter in answer.get_data(as_text=True), form
    answer = _post(editor, token, list="exhibits", op="remove", index=0, version=0)  # the page showed version 0
    assert answer.status_code == 409
    answer = editor.post("/en/staff/home", data={"list": "exhibits", "op": "remove", "index": "0", "version": "1"})
    assert answer.status_code == 400  # no CSRF token
    assert _current(archive).exhibits == ("first",)


def test_contributors_and_visitors_are_refused(site):
    archive, ids, viewers = site
    contributor = _signed_in(archive, "contributor")
    assert contributor.get("/en/staff/home").status_code == 403
    token = page_token(contributor, "/en/staff/")
    assert _post(contributor, token, list="exhibits", op="add", value="first", version=0).status_code == 403
    assert "/staff/home" not in contributor.get("/en/staff/").get_data(as_text=True)
    visitor = create_app(archive.settings, archive).test_client()
    answer = visitor.get("/en/staff/home")
    assert answer.status_code == 302 and "/staff/login" in answer.headers["Location"]
    assert _current(archive) == home_curation.NOTHING


def test_the_audit_log_names_a_curation_change(site):
    archive, ids, viewers = site
    home_curation.save(archive, viewers["editor"], ["first"], [], expected_version=0)
    admin = _signed_in(archive, "admin")
    page = admin.get("/vi/staff/admin/audit?action=home_curate").get_data(as_text=True)
    assert ">Đổi nội dung nổi bật trên trang chủ</td>" in page  # the entry's row, in the page's language
