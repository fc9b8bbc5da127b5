"""The exhibit builder's staff pages (archive/web/staff_exhibits.py) through the real app (Flask test client, real
catalog, ingested media): create, save blocks of every kind, reorder and add without the script (the form posted
with an ``op``, nothing saved until Save), problems named beside their block and field (400, the form kept), a save
that lost the race (409, the form kept), contributors draft and editors publish, the preview shows the draft to staff
only, versions compared and restored, and every action in the audit log."""
from __future__ import annotations

import csv
import html
import re

import pytest

from archive import accounts, exhibit_store
from archive.context import Archive
from archive.web import create_app
from ingest.pipeline import Ingest
from tests.conftest import make_settings
from tests.media import make_jpeg, make_wav
from tests.staff_client import add_user, page_token, sign_in

LICENCE = "http://creativecommons.org/licenses/by/4.0/"
SECRET = "quackleberry"  # only the restricted item carries it


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("builder")
    media = root / "batch"
    make_jpeg(media / "picture.jpg", size=(640, 480))
    make_jpeg(media / "other.jpg", size=(400, 300), seed=2)
    make_jpeg(media / "secret.jpg", size=(320, 240), seed=3)
    make_wav(media / "song.wav", seconds=4.0)
    rows = [("picture.jpg", "bx-picture", "Bức ảnh", "A picture", "public"),
            ("other.jpg", "bx-other", "Ảnh khác", "Another picture", "public"),
            ("secret.jpg", "bx-secret", f"Bí mật {SECRET}", f"Secret {SECRET}", "restricted"),
            ("song.wav", "bx-song", "Bài hát", "A song", "public")]
    with open(media / "metadata.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "id", "title_vi", "title_en", "access", "community", "rights"])
        writer.writerows([*row, "khmer", LICENCE] for row in rows)
    archive = Archive(make_settings(root / "var"))
    summary = Ingest(archive, progress=False).run([media], media / "metadata.csv")
    assert not summary.rejected and len(summary.new) == 4, summary.lines()
    for role in ("contributor", "editor", "admin"):
        add_user(archive, f"{role}1", role)
    app = create_app(archive.settings, archive)
    app.config["TESTING"] = True
    yield archive, app
    archive.catalog.dispose()


def _client(app, username: str):
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    return client


def _text(response) -> str:
    return response.get_data(as_text=True)


def _post(client, path: str, data: dict, lang: str = "en"):
    token = page_token(client, f"/{lang}/staff/exhibits/")
    return client.post(f"/{lang}{path}", data={**data, "csrf_token": token})


def _create(client, slug: str, **extra):
    return _post(client, "/staff/exhibits/new", {"slug": slug, "title.vi": "Lễ hội", "title.en": "The festival",
                                                  "summary.vi": "Tóm tắt", "summary.en": "Summary",
                                                  "community": "khmer", "cover": "bx-picture", **extra})


def _form(version: int, blocks: list[dict], **top) -> dict:
    """The edit form as the browser posts it: ``block`` keys in page order, each block's fields under ``b<key>.``."""
    data = {"version": str(version), "title.vi": "Lễ hội", "title.en": "The festival", "summary.vi": "Tóm tắt",
            "summary.en": "Summary", "community": "khmer", "cover": "bx-picture", "block": [], **top}
    for key, block in blocks:
        data["block"].append(key)
        data.update({f"b{key}.{name}": value for name, value in block.items()})
    return data


BLOCKS = [
    ("0", {"type": "text", "text.vi": "Đoạn **một**.", "text.en": "Paragraph **one**."}),
    ("1", {"type": "item", "item": "bx-picture", "region": "10,20,300,200", "caption.vi": "Một phần",
           "caption.en": "A detail"}),
    ("2", {"type": "item", "item": "bx-song", "start": "0:01", "end": "3,5"}),
    ("3", {"type": "gallery", "items.item": ["bx-picture", "bx-secret", "bx-other", ""],
           "items.caption.vi": ["", "", "", ""], "items.caption.en": ["first", "", "third", ""]}),
    ("4", {"type": "quote", "text.vi": "Câu nói", "text.en": "A saying", "source": "An elder"}),
    ("5", {"type": "timeline", "items": "bx-song\nbx-picture\n"}),
]


def test_an_editor_creates_and_saves_every_kind_of_block(site):
    archive, app = site
    editor = _client(app, "editor1")
    created = _create(editor, "every-block")
    assert created.status_code == 302 and created.location.endswith("/en/staff/exhibits/every-block/edit")
    assert exhibit_store.get(archive, "every-block", _staff(archive)).status == "draft"
    page = _text(editor.get("/en/staff/exhibits/every-block/edit"))
    assert "No block yet" in page and 'name="version" value="1"' in page
    saved = _post(editor, "/staff/exhibits/every-block/edit", _form(1, BLOCKS, op="save", note="first blocks"))
    assert saved.status_code == 302, _text(saved)[:2000]
    stored = exhibit_store.get(archive, "every-block", _staff(archive))
    assert stored.version == 2
    assert stored.content["blocks"] == [
        {"type": "text", "text": {"vi": "Đoạn **một**.", "en": "Paragraph **one**."}},
        {"type": "item", "item": "bx-picture", "caption": {"vi": "Một phần", "en": "A detail"},
         "region": "10,20,300,200"},
        {"type": "item", "item": "bx-song", "caption": {"vi": "", "en": ""}, "start": 1.0, "end": 3.5},
        {"type": "gallery", "items": [{"item": "bx-picture", "caption": {"vi": "", "en": "first"}},
                                      {"item": "bx-secret", "caption": {"vi": "", "en": ""}},
                                      {"item": "bx-other", "caption": {"vi": "", "en": "third"}}]},
        {"type": "quote", "text": {"vi": "Câu nói", "en": "A saying"}, "source": "An elder"},
        {"type": "timeline", "items": ["bx-song", "bx-picture"]}]
    assert exhibit_store.versions(archive, "every-block")[-1].note == "first blocks"
    page = _text(editor.get("/en/staff/exhibits/every-block/edit"))
    # The page shows what was saved: the server's Markdown preview, the viewer of the image, the player of the audio.
    assert "Paragraph <strong>one</strong>." in page
    assert re.search(r'class="region-viewer" id="b1-viewer" data-info="[^"]+/info\.json"', page)
    assert re.search(r'<audio class="clip-player" id="b2-player"', page)
    assert 'value="10,20,300,200"' in page and 'id="b2-start" name="b2.start" value="1.0"' in page
    # The comparison reads as text: a gallery one entry per line with its captions, a clip in seconds.
    compared = _text(editor.get("/en/staff/exhibits/every-block/compare?from=1&to=2"))
    assert "Block 4 added: Gallery" in compared and "bx-other (en: third)" in compared
    assert "<ins>1 3.5</ins>" not in compared and "<ins>3.5</ins>" in compared


def _staff(archive):
    return accounts.viewer_of(accounts.find_user(archive, "editor1"))


def test_blocks_are_added_moved_and_removed_without_the_script_and_saved_only_on_save(site):
    archive, app = site
    editor = _client(app, "editor1")
    _create(editor, "reorder")
    two = [("0", {"type": "text", "text.vi": "Thứ nhất", "text.en": "First"}),
           ("1", {"type": "quote", "text.vi": "Thứ hai", "text.en": "Second", "source": ""})]
    added = _post(editor, "/staff/exhibits/reorder/edit", _form(1, two, op="add", add_type="timeline"))
    page = _text(added)
    assert added.status_code == 200 and "Not saved yet" in page
    assert re.findall(r'name="b(\d+)\.type" value="(\w+)"', page) == [("0", "text"), ("1", "quote"),
                                                                      ("2", "timeline")]
    assert exhibit_store.get(archive, "reorder", _staff(archive)).content["blocks"] == []  # nothing saved
    # "Move up" on the quote (key 1): it comes first, the text typed is kept, its button keeps the focus.
    moved = _text(_post(editor, "/staff/exhibits/reorder/edit", _form(1, two, op="up:1")))
    assert re.findall(r'name="b(\d+)\.type" value="(\w+)"', moved) == [("0", "quote"), ("1", "text")]
    assert re.search(r'value="down:0" class="secondary" data-move="down"[^>]* autofocus', moved)
    assert "Block moved: now 1 of 2." in moved and "Thứ hai" in moved and "Thứ nhất" in moved
    # The form as the browser would post it now (keys renumbered), then saved.
    swapped = [("0", two[1][1]), ("1", two[0][1])]
    assert _post(editor, "/staff/exhibits/reorder/edit", _form(1, swapped, op="save")).status_code == 302
    blocks = exhibit_store.get(archive, "reorder", _staff(archive)).content["blocks"]
    assert [b["type"] for b in blocks] == ["quote", "text"]
    # Blocks moved by the script keep their keys: the order posted is the order saved.
    scripted = [("1", two[0][1]), ("0", two[1][1])]
    assert _post(editor, "/staff/exhibits/reorder/edit", _form(2, scripted, op="save")).status_code == 302
    assert [b["type"] for b in exhibit_store.get(archive, "reorder", _staff(archive)).content["blocks"]] == [
        "text", "quote"]
    removed = _text(_post(editor, "/staff/exhibits/reorder/edit", _form(3, two, op="remove:0")))
    assert re.findall(r'name="b(\d+)\.type" value="(\w+)"', removed) == [("0", "quote")]
    assert "Block 1 was removed." in removed
    # A move past the end and an op naming no block change nothing and say so.
    edge = _text(_post(editor, "/staff/exhibits/reorder/edit", _form(3, two, op="up:0")))
    assert "This block cannot move further that way." in edge
    stale = _post(editor, "/staff/exhibits/reorder/edit", _form(3, two, op="remove:9"))
    assert stale.status_code == 200 and "no longer in the form" in _text(stale)


def test_problems_are_a_400_naming_the_block_and_field_and_the_form_is_kept(site):
    archive, app = site
    editor = _client(app, "editor1")
    _create(editor, "bad-input")
    blocks = [("0", {"type": "text", "text.vi": "Giữ lại chữ này", "text.en": ""}),
              ("1", {"type": "item", "item": "bx-picture", "region": "ten,20,30,40"}),
              ("2", {"type": "item", "item": "bx-song", "start": "5", "end": "2"}),
              ("3", {"type": "gallery", "items.item": ["bx-nothing"], "items.caption.vi": [""],
                     "items.caption.en": [""]})]
    response = _post(editor, "/staff/exhibits/bad-input/edit", _form(1, blocks, op="save", **{"title.vi": "",
                                                                                         "title.en": ""}))
    page = _text(response)
    assert response.status_code == 400
    assert "The exhibit was not saved" in page and "Giữ lại chữ này" in page
    # Each problem is beside its block and field, and the field is marked invalid.
    block1 = re.search(r'<li class="block block-item has-errors" id="block-1".*?</li>\s*\n', page, re.S).group(0)
    assert "is not x,y,w,h" in html.unescape(block1)
    assert 'id="err-b1-region"' in page and re.search(r'id="b1-region"[^>]*aria-invalid="true"', page)
    assert re.search(r'id="err-b2-end".*?must be after the start', page, re.S)
    assert re.search(r'id="err-b3-items".*?no item \'bx-nothing\'', html.unescape(page), re.S)
    assert re.search(r'id="err-f-title".*?give a title', page, re.S)
    assert exhibit_store.get(archive, "bad-input", _staff(archive)).version == 1
    # Malformed numbers and ids are named too, never a 500.
    assert _post(editor, "/staff/exhibits/bad-input/edit", {"version": "x"}).status_code == 400
    assert _post(editor, "/staff/exhibits/bad-input/edit", _form(1, [("0", {"type": "poster"})], op="save")
                 ).status_code == 400
    assert editor.get("/en/staff/exhibits/bad-input/compare?from=1&to=abc").status_code == 400
    assert editor.get("/en/staff/exhibits/bad-input/compare?from=1&to=7").status_code == 404
    assert editor.get("/en/staff/exhibits/no-such/edit").status_code == 404
    bad_slug = _create(editor, "Not A Slug")
    assert bad_slug.status_code == 400 and 'id="err-slug"' in _text(bad_slug)
    assert _create(editor, "bad-input").status_code == 409


def test_a_save_that_lost_the_race_is_a_409_and_keeps_the_form(site):
    archive, app = site
    editor = _client(app, "editor1")
    _create(editor, "race")
    other = [("0", {"type": "text", "text.vi": "Người khác", "text.en": "Someone else"})]
    assert _post(editor, "/staff/exhibits/race/edit", _form(1, other, op="save")).status_code == 302
    mine = [("0", {"type": "text", "text.vi": "Của tôi", "text.en": "Mine, not lost"})]
    response = _post(editor, "/staff/exhibits/race/edit", _form(1, mine, op="save"))
    page = _text(response)
    assert response.status_code == 409
    assert "Someone saved this exhibit (now version 2) after you opened version 1" in page
    assert "Mine, not lost" in page and 'name="version" value="1"' in page
    assert exhibit_store.get(archive, "race", _staff(archive)).content["blocks"][0]["text"]["en"] == "Someone else"
    stale_publish = _post(editor, "/staff/exhibits/race/publish", {"version": "1"})
    assert stale_publish.status_code == 409 and exhibit_store.get(archive, "race", _staff(archive)).status == "draft"


def test_contributors_draft_editors_publish_and_the_public_sees_only_the_published(site):
    archive, app = site
    contributor, editor, anonymous = _client(app, "contributor1"), _client(app, "editor1"), app.test_client()
    assert _create(contributor, "drafted").status_code == 302
    blocks = [("0", {"type": "text", "text.vi": "Bản nháp", "text.en": "A draft text"}),
              ("1", {"type": "gallery", "items.item": ["bx-picture", "bx-secret"], "items.caption.vi": ["", ""],
                     "items.caption.en": ["", ""]})]
    assert _post(contributor, "/staff/exhibits/drafted/edit", _form(1, blocks, op="save")).status_code == 302
    page = _text(contributor.get("/en/staff/exhibits/drafted/edit"))
    assert 'id="publish"' not in page and "Exhibits</a>" in page  # the staff navigation links the list
    assert _post(contributor, "/staff/exhibits/drafted/publish", {"version": "2"}).status_code == 403
    assert anonymous.get("/en/exhibits/drafted").status_code == 404
    assert anonymous.get("/en/staff/exhibits/drafted/preview").status_code == 302  # to the sign-in page
    preview = contributor.get("/vi/staff/exhibits/drafted/preview")
    text = _text(preview)
    assert preview.status_code == 200 and "Bản nháp" in text and "noindex" in text
    assert preview.headers["X-Robots-Tag"] == "noindex" and "no-store" in preview.headers["Cache-Control"]
    assert 'class="preview-banner"' in text and SECRET not in text and "bx-secret" not in text
    assert "A draft text" in _text(contributor.get("/en/staff/exhibits/drafted/preview"))
    assert 'id="publish"' in _text(editor.get("/en/staff/exhibits/drafted/edit"))
    assert _post(editor, "/staff/exhibits/drafted/publish", {"version": "2"}).status_code == 302
    public = anonymous.get("/en/exhibits/drafted")
    assert public.status_code == 200 and "A draft text" in _text(public) and SECRET not in _text(public)
    # A published exhibit is the editors' to change.
    assert _post(contributor, "/staff/exhibits/drafted/edit", _form(3, blocks, op="save")).status_code == 403
    assert "This exhibit is published" in _text(contributor.get("/en/staff/exhibits/drafted/edit"))
    assert _post(editor, "/staff/exhibits/drafted/unpublish", {"version": "3"}).status_code == 302
    assert anonymous.get("/en/exhibits/drafted").status_code == 404
    listing = _text(contributor.get("/en/staff/exhibits/"))
    assert re.search(r'data-slug="drafted" data-status="draft"', listing)


def test_versions_are_listed_compared_and_restored_and_audited(site):
    archive, app = site
    editor, admin = _client(app, "editor1"), _client(app, "admin1")
    _create(editor, "history")
    one = [("0", {"type": "text", "text.vi": "Chữ cũ", "text.en": "The old words here"})]
    two = [("0", {"type": "text", "text.vi": "Chữ mới", "text.en": "The new words here"}),
           ("1", {"type": "quote", "text.vi": "Trích", "text.en": "Quoted", "source": "Someone"})]
    _post(editor, "/staff/exhibits/history/edit", _form(1, one, op="save"))
    _post(editor, "/staff/exhibits/history/edit", _form(2, two, op="save", note="new words"))
    versions = _text(editor.get("/en/staff/exhibits/history/versions"))
    assert re.findall(r'data-version="(\d+)"', versions) == ["3", "2", "1"]
    assert "new words" in versions and "editor1" in versions and "Created" in versions
    compared = _text(editor.get("/en/staff/exhibits/history/compare?from=2&to=3"))
    assert "<del>old </del><ins>new </ins>" in compared
    assert "Block 2 added: Quotation" in compared and "Block 1 changed: Text" in compared
    restored = _post(editor, "/staff/exhibits/history/versions/2/restore", {})
    assert restored.status_code == 302
    stored = exhibit_store.get(archive, "history", _staff(archive))
    assert stored.version == 4 and stored.content["blocks"][0]["text"]["en"] == "The old words here"
    assert _post(editor, "/staff/exhibits/history/publish", {"version": "4"}).status_code == 302
    published = _text(editor.get("/vi/staff/exhibits/history/compare?from=4&to=5"))
    assert "<del>Bản nháp</del><ins>Đã công bố</ins>" in published
    audit = _text(admin.get("/en/staff/admin/audit"))
    actions = re.findall(r'<tr class="audit-(\w+)">(?:(?!</tr>).)*?<code>exhibit:history</code>', audit, re.S)
    assert sorted(actions) == ["create", "edit", "edit", "publish", "revert"]
    for label in ("Created", "Edit", "Revert", "Publish"):
        assert f'data-label="Action">{label}</td>' in audit
    assert '<a href="/en/staff/exhibits/history/versions"><code>exhibit:history</code></a>' in audit


def test_the_markdown_preview_and_the_item_finder(site):
    archive, app = site
    editor = _client(app, "editor1")
    rendered = _post(editor, "/staff/exhibits/markdown", {"text": "# Head\n\n**bold** <script>x()</script>"})
    assert rendered.status_code == 200
    assert rendered.json["html"].startswith("<h2>Head</h2>") and "<script>" not in rendered.json["html"]
    found = editor.get("/en/staff/exhibits/items.json?q=" + SECRET).json["items"]
    assert [(i["id"], i["access"]) for i in found] == [("bx-secret", "restricted")]
    assert editor.get("/en/staff/exhibits/items.json?q=").json == {"items": []}
    assert app.test_client().get("/en/staff/exhibits/items.json?q=secret").status_code == 302


@pytest.mark.parametrize("slug", ["new", "markdown"])
def test_an_exhibit_named_like_a_builder_page_is_still_edited(site, slug):
    """Slugs are free (archive.exhibit_model.SLUG): the edit page's address cannot be taken by the builder's own."""
    archive, app = site
    exhibit_store.create(archive, slug, {"title": {"vi": "Tên", "en": "Named"}, "blocks": []}, None)
    page = _text(_client(app, "editor1").get(f"/en/staff/exhibits/{slug}/edit"))
    assert f'<code>{slug}</code>' in page and 'id="add-block"' in page
