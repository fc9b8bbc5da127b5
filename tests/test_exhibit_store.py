"""Exhibits in the catalog (archive.exhibit_model, archive.exhibit_store, archive.exhibit_pages): validation that
names every problem, versions, compare and restore, audit entries and the generation, who may draft and publish,
what the public pages show (drafts never, restricted items nothing of them, image regions and AV clips), the
Markdown samples imported with the same public text, and export → import round trips."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

from archive import audit, exhibit_store, generation
from archive.access import Viewer
from archive.context import Archive
from archive.errors import Conflict, Forbidden, InvalidRecord, NotFound
from archive.exhibit_model import validate_content
from archive.vocabularies import Vocabularies
from archive.web import create_app
from ingest.pipeline import Ingest
from tests.conftest import make_settings
from tests.exhibit_text import article_text
from tests.media import make_jpeg, make_wav
from tests.staff_client import add_user, sign_in

FIXTURES = Path(__file__).parent / "fixtures" / "exhibits"
LICENCE = "http://creativecommons.org/licenses/by/4.0/"
SECRET = "quackleberry"  # only the restricted item carries it


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("exhibits")
    media = root / "batch"
    media.mkdir()
    make_jpeg(media / "picture.jpg", size=(640, 480))
    make_jpeg(media / "secret.jpg", size=(320, 240), seed=3)
    make_wav(media / "song.wav", seconds=4.0)
    rows = [("picture.jpg", "ex-picture", "Bức ảnh", "A picture", "public", "1998"),
            ("secret.jpg", "ex-secret", f"Bí mật {SECRET}", f"Secret {SECRET}", "restricted", "1990"),
            ("song.wav", "ex-song", "Bài hát", "A song", "public", "2001")]
    with open(media / "metadata.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "id", "title_vi", "title_en", "access", "date", "community", "rights"])
        writer.writerows([*row, "khmer", LICENCE] for row in rows)
    archive = Archive(make_settings(root / "var"))
    summary = Ingest(archive, progress=False).run([media], media / "metadata.csv")
    assert not summary.rejected and len(summary.new) == 3, summary.lines()
    users = {role: add_user(archive, role, role) for role in ("contributor", "editor", "researcher")}
    viewers = {role: Viewer(u.id, role, role) for role, u in users.items()}
    yield archive, create_app(archive.settings, archive), viewers
    archive.catalog.dispose()


def _content(title: str = "Mùa lễ", **extra) -> dict:
    return {"title": {"vi": title, "en": f"{title} (en)"}, "summary": {"vi": "Tóm tắt", "en": "Summary"},
            "community": "khmer", "cover": "ex-picture",
            "blocks": [{"type": "text", "text": {"vi": "Đoạn **một**.", "en": "Paragraph **one**."}}], **extra}


def _problems(exc: pytest.ExceptionInfo) -> dict[str, str]:
    return {p.field: p.reason for p in exc.value.problems}


def test_validation_lists_every_problem_naming_the_block_and_field():
    content = {"title": {"fr": "Titre"}, "community": "atlantis", "featured": "yes", "colour": "red",
               "blocks": [{"type": "text", "text": "no languages"},
                          {"type": "item", "item": "sha256=XYZ", "region": "1,2,0,4", "start": 3},
                          {"type": "item", "item": "ex-song", "start": 5, "end": 2},
                          {"type": "gallery", "items": []},
                          {"type": "quote", "text": {"vi": "Câu"}, "source": 7},
                          {"type": "map", "places": ["nowhere"]},
                          {"type": "timeline", "items": ["file="]},
                          {"type": "video-wall"},
                          {"type": "item", "item": "ex-picture", "region": "pct:50,0,60,10"}]}
    with pytest.raises(InvalidRecord) as exc:
        validate_content(content, Vocabularies(), slug="Bad Slug")
    problems = _problems(exc)
    assert set(problems) == {
        "slug", "title.fr", "title", "community", "featured", "colour", "blocks[0] (text).text",
        "blocks[1] (item).item", "blocks[1] (item).region", "blocks[2] (item).end", "blocks[3] (gallery).items",
        "blocks[4] (quote).source", "blocks[5] (map).places[0]", "blocks[6] (timeline).items[0]", "blocks[7].type",
        "blocks[8] (item).region"}, problems
    assert "unknown place 'nowhere'" in problems["blocks[5] (map).places[0]"]
    assert "must be after the start" in problems["blocks[2] (item).end"]
    assert "within the image" in problems["blocks[8] (item).region"]
    assert "video-wall" in problems["blocks[7].type"]


def test_the_catalog_checks_the_items_with_the_other_problems(site):
    archive, _app, viewers = site
    content = _content(community="nowhere", blocks=[
        {"type": "item", "item": "ex-song", "region": "0,0,10,10"},
        {"type": "item", "item": "ex-picture", "start": 1},
        {"type": "gallery", "items": [{"item": "ex-picture"}, {"item": "file=missing.jpg"}]},
        {"type": "timeline", "items": ["nope"]}])
    with pytest.raises(InvalidRecord) as exc:
        exhibit_store.create(archive, "checked", content, viewers["editor"])
    assert set(_problems(exc)) == {"community", "blocks[0] (item).region", "blocks[1] (item).start",
                                   "blocks[2] (gallery).items[1].item", "blocks[3] (timeline).items[0]"}
    with pytest.raises(NotFound):
        exhibit_store.versions(archive, "checked")


def test_versions_compare_restore_audit_and_the_generation(site):
    archive, _app, viewers = site
    contributor = viewers["contributor"]
    before = generation.current(archive.catalog)
    assert exhibit_store.create(archive, "seasons", _content(), contributor, note="first draft") == 1
    assert generation.current(archive.catalog) > before
    second = _content("Mùa lễ hội", blocks=[*_content()["blocks"],
                                            {"type": "quote", "text": {"vi": "Câu nói", "en": "A saying"},
                                             "source": "Ông Lâm"}])
    assert exhibit_store.save(archive, "seasons", second, contributor, expected_version=1, note="a quote") == 2
    assert exhibit_store.save(archive, "seasons", second, contributor, expected_version=2) == 2  # unchanged
    third = {**second, "blocks": [{"type": "item", "item": "ex-picture", "region": "pct:10,10,50,50"},
                                  *second["blocks"]]}
    assert exhibit_store.save(archive, "seasons", third, contributor, expected_version=2) == 3
    with pytest.raises(Conflict, match="version 3 since version 2"):
        exhibit_store.save(archive, "seasons", _content("Lost"), contributor, expected_version=2)

    versions = exhibit_store.versions(archive, "seasons")
    assert [(v.number, v.action, v.username, v.note) for v in versions] == [
        (1, "create", "contributor", "first draft"), (2, "edit", "contributor", "a quote"),
        (3, "edit", "contributor", None)]
    changes = exhibit_store.compare(archive, "seasons", 1, 3)
    assert changes["fields"] == {"title": {"before": _content()["title"], "after": second["title"]}}
    assert [(b["change"], b["index"], b["block"]["type"]) for b in changes["blocks"]] == [
        ("added", 0, "item"), ("added", 2, "quote")]
    edited = {**third, "blocks": [third["blocks"][0], {"type": "text", "text": {"vi": "Khác", "en": "Other"}},
                                  third["blocks"][2]]}
    assert exhibit_store.save(archive, "seasons", edited, contributor, expected_version=3) == 4
    assert exhibit_store.compare(archive, "seasons", 3, 4)["blocks"] == [
        {"change": "changed", "was": 1, "index": 1, "type": "text",
         "fields": {"text": {"before": third["blocks"][1]["text"], "after": {"vi": "Khác", "en": "Other"}}}}]
    with pytest.raises(NotFound, match="no version 9"):
        exhibit_store.compare(archive, "seasons", 1, 9)

    assert exhibit_store.restore(archive, "seasons", 1, contributor) == 5
    assert exhibit_store.get(archive, "seasons", contributor).content == versions[0].content
    assert exhibit_store.compare(archive, "seasons", 1, 5) == {"from": 1, "to": 5, "fields": {}, "blocks": []}
    assert exhibit_store.versions(archive, "seasons")[-1].action == "restore"

    exhibit_store.publish(archive, "seasons", viewers["editor"])
    assert exhibit_store.compare(archive, "seasons", 5, 6)["fields"] == {
        "status": {"before": "draft", "after": "published"}}
    entries = audit.entries(archive, target="exhibit:seasons")
    assert [(e.action, e.username, e.details.get("version")) for e in reversed(entries)] == [
        ("create", "contributor", 1), ("edit", "contributor", 2), ("edit", "contributor", 3),
        ("edit", "contributor", 4), ("revert", "contributor", 5), ("publish", "editor", 6)]
    assert reversed(entries).__next__().details["note"] == "first draft"
    assert entries[1].details["note"] == "restored version 1"


def test_contributors_draft_and_only_editors_publish(site):
    archive, _app, viewers = site
    contributor, editor = viewers["contributor"], viewers["editor"]
    with pytest.raises(Forbidden):
        exhibit_store.create(archive, "by-reader", _content(), viewers["researcher"])
    with pytest.raises(Forbidden):
        exhibit_store.create(archive, "straight-out", _content(), contributor, status="published")
    exhibit_store.create(archive, "drafted", _content(), contributor)
    with pytest.raises(Forbidden):
        exhibit_store.publish(archive, "drafted", contributor)
    assert exhibit_store.get(archive, "drafted", editor).status == "draft"
    exhibit_store.publish(archive, "drafted", editor)
    with pytest.raises(Forbidden, match="published"):  # a contributor's change would reach the public at once
        exhibit_store.save(archive, "drafted", _content("Đổi"), contributor, expected_version=2)
    with pytest.raises(Forbidden):
        exhibit_store.unpublish(archive, "drafted", contributor)
    assert exhibit_store.get(archive, "drafted", Viewer.ANONYMOUS).content == validate_content(
        _content(), archive.vocab)


def test_drafts_are_never_public(site):
    archive, app, viewers = site
    exhibit_store.create(archive, "hidden-draft", _content("Bản nháp kín", featured=True, order=0),
                         viewers["contributor"])
    client = app.test_client()
    for lang in ("vi", "en"):
        assert client.get(f"/{lang}/exhibits/hidden-draft").status_code == 404
        for path in (f"/{lang}/exhibits/", f"/{lang}/"):
            assert "hidden-draft" not in client.get(path).get_data(as_text=True)
    assert "hidden-draft" not in client.get("/sitemap.xml").get_data(as_text=True)
    researcher = app.test_client()
    assert sign_in(researcher, "researcher").status_code == 302
    assert researcher.get("/vi/exhibits/hidden-draft").status_code == 404
    exhibit_store.publish(archive, "hidden-draft", viewers["editor"])
    assert "Bản nháp kín" in client.get("/vi/exhibits/hidden-draft").get_data(as_text=True)
    assert "hidden-draft" in client.get("/vi/").get_data(as_text=True)  # featured, first in order
    assert "/vi/exhibits/hidden-draft" in client.get("/sitemap.xml").get_data(as_text=True)
    exhibit_store.unpublish(archive, "hidden-draft", viewers["editor"])
    assert client.get("/vi/exhibits/hidden-draft").status_code == 404


def _secret_sha(archive) -> str:
    from archive.catalog.models import MediaFile
    with archive.catalog.session() as s:
        return s.query(MediaFile).filter_by(item_id="ex-secret").one().sha256


def test_a_block_item_the_visitor_may_not_see_shows_nothing_of_it(site):
    archive, app, viewers = site
    content = _content(cover="ex-secret", blocks=[
        {"type": "item", "item": "ex-secret", "caption": {"vi": "Chú thích kín", "en": "Hidden caption"}},
        {"type": "gallery", "items": [{"item": "ex-picture", "caption": {"en": "Open caption"}},
                                      {"item": "ex-secret", "caption": {"en": "Gallery hidden caption"}},
                                      {"item": "ex-song"}]},
        {"type": "timeline", "items": ["ex-secret", "ex-song", "ex-picture"]}])
    exhibit_store.create(archive, "partly-hidden", content, viewers["editor"], status="published")
    sha = _secret_sha(archive)
    page = app.test_client().get("/en/exhibits/partly-hidden").get_data(as_text=True)
    for leak in (SECRET, "ex-secret", sha, "Hidden caption", "Gallery hidden caption"):
        assert leak not in page, leak
    assert "Open caption" in page and page.count('href="/en/items/ex-picture"') >= 2
    timeline = re.search(r'<ol class="exhibit-timeline">(.*?)</ol>', page, re.S).group(1)
    assert timeline.index("ex-picture") < timeline.index("ex-song")  # 1998 before 2001
    staff = app.test_client()
    assert sign_in(staff, "editor").status_code == 302
    shown = staff.get("/en/exhibits/partly-hidden").get_data(as_text=True)
    assert SECRET in shown and "Hidden caption" in shown and "Gallery hidden caption" in shown


def test_an_image_region_and_an_audio_clip_on_the_public_page(site):
    archive, app, viewers = site
    content = _content(blocks=[
        {"type": "item", "item": "ex-picture", "region": "100,50,300,200", "caption": {"en": "The left part"}},
        {"type": "item", "item": "ex-picture", "region": "pct:50,50,50,50"},
        {"type": "item", "item": "file=song.wav", "start": 1.5, "end": 3, "caption": {"en": "The chorus"}}])
    exhibit_store.create(archive, "parts", content, viewers["editor"], status="published")
    client = app.test_client()
    page = client.get("/en/exhibits/parts").get_data(as_text=True)
    regions = re.findall(r'<img class="exhibit-region" src="([^"]+)" width="(\d+)" height="(\d+)"', page)
    assert [(re.sub(r"^.*/[0-9a-f]{64}/", "", src), w, h) for src, w, h in regions] == [
        ("100,50,300,200/300,/0/default.jpg", "300", "200"), ("pct:50,50,50,50/320,/0/default.jpg", "320", "240")]
    for src, width, height in regions:
        answer = client.get(src)
        assert answer.status_code == 200 and answer.mimetype == "image/jpeg", src
        assert Image.open(io.BytesIO(answer.data)).size == (int(width), int(height))
    player = re.search(r'<div class="player" data-player data-start="1.5" data-end="3">(.*?)</div>', page, re.S)
    assert player, page
    source = re.search(r'<source src="([^"]+)"', player.group(1)).group(1)
    assert source.endswith("#t=1.5,3") and "<audio controls" in player.group(1)
    assert client.get(source.split("#")[0]).status_code == 200
    assert "js/player" in page and "The chorus" in page


def test_the_sample_exhibits_are_imported_with_the_same_public_text(client):
    """The pages rendered from the store against the text the Markdown-file pages showed (captured before the
    store replaced them: tests/fixtures/exhibits)."""
    for expected in sorted(FIXTURES.glob("*.txt")):
        slug, lang = expected.stem.rsplit(".", 1)
        answer = client.get(f"/{lang}/exhibits/{slug}")
        assert answer.status_code == 200
        assert article_text(answer.get_data(as_text=True)) == expected.read_text("utf-8").strip(), expected.name


def test_the_sample_exhibits_are_in_the_store_published_once(sample_archive):
    found = exhibit_store.listing(sample_archive, Viewer.ANONYMOUS)
    assert [e.slug for e in found] == ["kate-festival", "chantarangsay-pagoda"]
    assert all(e.status == "published" and e.version == 1 for e in found)
    assert "exhibits: 2 imported" in sample_archive.demo_output


def test_import_is_once_and_export_round_trips(site, tmp_path):
    archive, _app, viewers = site
    content = _content(blocks=[
        {"type": "text", "text": {"vi": "## Mở đầu\n\nVăn bản.", "en": "## Opening\n\nText."}},
        {"type": "item", "item": "file=picture.jpg", "caption": {"vi": "Ảnh", "en": "Photo"}},
        {"type": "item", "item": "ex-song", "start": 0.5, "end": 2},
        {"type": "gallery", "items": [{"item": "ex-picture", "caption": {"en": "Again"}}, {"item": "ex-song"}]},
        {"type": "quote", "text": {"vi": "Câu", "en": "Saying"}, "source": "Bà Ba"},
        {"type": "map", "places": [archive.vocab.terms("places")[0]["id"]]},
        {"type": "timeline", "items": ["ex-song", "ex-picture"]}])
    exhibit_store.create(archive, "round", content, viewers["editor"], status="published")
    out = tmp_path / "out"
    written = exhibit_store.export(archive, "round", out)
    assert sorted(p.name for p in written) == ["round.en.md", "round.json", "round.vi.md"]
    assert "{{item:file=picture.jpg | Photo}}" in (out / "round.en.md").read_text("utf-8")

    # The JSON: every block, the region and clip included, and the status.
    copy = tmp_path / "copy"
    copy.mkdir()
    data = json.loads((out / "round.json").read_text("utf-8"))
    (copy / "round-copy.json").write_text(json.dumps({**data, "slug": "round-copy"}), "utf-8")
    assert exhibit_store.import_directory(archive, copy).created == ["round-copy"]
    assert exhibit_store.get(archive, "round-copy", Viewer.ANONYMOUS).content == \
        exhibit_store.get(archive, "round", Viewer.ANONYMOUS).content
    again = exhibit_store.import_directory(archive, copy)
    assert again.created == [] and again.skipped == ["round-copy"]
    assert exhibit_store.versions(archive, "round-copy")[-1].number == 1

    # The Markdown: what the format holds (text and items with captions) comes back the same.
    plain = {**content, "blocks": content["blocks"][:2]}
    exhibit_store.create(archive, "plain", plain, viewers["editor"], status="published")
    md = tmp_path / "md"
    exhibit_store.export(archive, "plain", md)
    (md / "plain.json").unlink()
    for path in md.glob("plain.*.md"):
        path.rename(md / path.name.replace("plain.", "plain-copy."))
    assert exhibit_store.import_directory(archive, md).created == ["plain-copy"]
    assert exhibit_store.get(archive, "plain-copy", Viewer.ANONYMOUS).content == \
        exhibit_store.get(archive, "plain", Viewer.ANONYMOUS).content


def test_the_commands_import_and_export(heritage, data_dir, tmp_path):
    shutil.copytree(Path(__file__).parent.parent / "media_samples" / "exhibits", data_dir / "exhibits")
    (data_dir / "exhibits" / "broken.en.md").write_text("---\ntitle: Broken\n---\n\n{{item:nothing-here}}\n", "utf-8")
    result = heritage("import-exhibits")
    # The samples' items are not ingested in this archive: every exhibit is rejected, naming what is missing.
    assert result.exit_code == 1
    assert "no item 'nothing-here' in the archive" in result.output
    assert "no item 'file=kate-narration.flac' in the archive" in result.output
    missing = heritage("export-exhibit", "kate-festival", tmp_path / "out")
    assert missing.exit_code == 2 and "SLUG" in missing.output and "no exhibit 'kate-festival'" in missing.output
    not_dir = heritage("import-exhibits", tmp_path / "nowhere")
    assert not_dir.exit_code == 2 and "DIRECTORY" in not_dir.output


def test_the_site_search_lists_matching_published_exhibits(site):
    archive, app, viewers = site
    content = _content("Đêm trăng Ok Om Bok", blocks=[
        {"type": "text", "text": {"vi": "Đua ghe ngo trên sông.", "en": "Ngo boat races on the river."}},
        {"type": "item", "item": "ex-secret", "caption": {"en": "Whispered lullaby"}}])
    exhibit_store.create(archive, "moon-night", content, viewers["editor"], status="published")
    exhibit_store.create(archive, "moon-draft", _content("Trăng nháp"), viewers["contributor"])
    client = app.test_client()

    def listed(query: str, lang: str = "vi") -> list[str]:
        page = client.get(f"/{lang}/search", query_string={"q": query}).get_data(as_text=True)
        section = re.search(r'<section class="exhibit-hits".*?</section>', page, re.S)
        return re.findall(r'href="/\w\w/exhibits/([a-z0-9-]+)"', section.group(0)) if section else []

    assert listed("dua ghe ngo") == ["moon-night"]  # diacritics folded, as item search does
    assert listed("Boat RACES", "en") == ["moon-night"]
    assert listed("trang") == ["moon-night"]  # the draft's title has it too, but drafts are not public
    assert listed("ghe bicycle") == []  # every word must be there
    assert listed("lullaby", "en") == []  # the caption of a restricted item is not shown, so not searched
    assert listed("trang", "vi") == ["moon-night"] and "moon-draft" not in client.get(
        "/vi/search?q=nhap").get_data(as_text=True)
    assert listed("dua", "vi") and not re.search(r"exhibit-hits", client.get(
        "/vi/search?q=dua&community=khmer").get_data(as_text=True))  # filters are about items
    staff = app.test_client()
    assert sign_in(staff, "editor").status_code == 302
    page = staff.get("/en/search?q=lullaby").get_data(as_text=True)
    assert "/en/exhibits/moon-night" in page


def test_exhibit_words_are_kept_until_the_exhibit_or_the_catalog_changes(site, monkeypatch):
    from archive import exhibit_search

    archive, app, viewers = site
    exhibit_store.create(archive, "kept-words", _content("Thuyền rồng", blocks=[
        {"type": "text", "text": {"vi": "Thuyền rồng trên kênh.", "en": "Dragon boats on the canal."}}]),
        viewers["editor"], status="published")
    built = []
    real = exhibit_search.words
    monkeypatch.setattr(exhibit_search, "words", lambda s, e, v: built.append(e.slug) or real(s, e, v))
    client = app.test_client()

    def found(query: str) -> bool:
        return "/en/exhibits/kept-words" in client.get("/en/search", query_string={"q": query}).get_data(as_text=True)

    assert found("dragon canal")
    first = built.count("kept-words")
    assert first == 1 and found("boats") and built.count("kept-words") == first  # the second search reuses them
    stored = exhibit_store.get(archive, "kept-words", viewers["editor"])
    changed = json.loads(json.dumps(stored.content))
    changed["blocks"][0]["text"]["en"] = "Lion dancers in the courtyard."
    exhibit_store.save(archive, "kept-words", changed, viewers["editor"], expected_version=stored.version)
    assert found("lion courtyard") and not found("dragon canal")  # the new version's words at once
    assert built.count("kept-words") == 2
