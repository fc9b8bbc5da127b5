"""Staff manage the caption and transcript files of an item's recordings (archive.captions, the Captions section of
the item's staff page): upload, replace and remove one WebVTT file per language of the archive's list; a bad file is
refused naming its line and nothing changes; every change is a new version of the item (its history shows the
files), audited, committed with a raised generation, and the public page, the manifest and content search follow at
once; replaced and removed files stay in the store (fixity finds no orphan). Runs on PostgreSQL too."""
from __future__ import annotations

import hashlib
import re
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from archive import audit, editing, generation
from archive.context import Archive
from archive.fixity import check_fixity
from archive.web import create_app
from ingest.pipeline import Ingest
from tests.conftest import make_settings
from tests.media import make_jpeg, make_wav

from .staff_client import add_user, page_token, sign_in

CC_BY = "http://creativecommons.org/licenses/by/4.0/"
VI = "WEBVTT\n\n00:00.000 --> 00:01.000\nLời chào đầu tiên\n"
EN = "WEBVTT\n\n1\n00:00.000 --> 00:00.800\nA greeting in English\n"
VI_NEW = "WEBVTT\n\n00:00.000 --> 00:01.000\nLời chào đã sửa\n"


@pytest.fixture
def site(tmp_path: Path, data_dir):
    media = tmp_path / "media"
    media.mkdir()
    make_wav(media / "song.wav", 1.0)
    (media / "song.vi.vtt").write_text(VI, "utf-8")
    make_jpeg(media / "photo.jpg", (200, 150), seed=3)
    (media / "metadata.csv").write_text(
        "file,id,type,title_vi,title_en,community,rights,access\n"
        f"song.wav,song,audio,Bài hát,Song,khmer,{CC_BY},public\n"
        f"photo.jpg,photo,image,Ảnh,Photo,khmer,{CC_BY},public\n", "utf-8")
    archive = Archive(make_settings(data_dir))
    summary = Ingest(archive, progress=False).run([media], media / "metadata.csv")
    assert not summary.rejected, summary.lines()
    for role in ("contributor", "researcher", "admin"):
        add_user(archive, role, role)
    yield archive
    archive.catalog.dispose()


def _client(archive, role: str | None = "contributor"):
    client = create_app(archive.settings, archive).test_client()
    if role:
        assert sign_in(client, role).status_code == 302
    return client


def _sha(archive, item_id: str) -> str:
    return editing.item_for_edit(archive, item_id).media[0].sha256


def _upload(client, archive, language: str, text: str | bytes, *, item_id: str = "song", name: str = "c.vtt",
            version: int | None = None, media: str | None = None, lang: str = "en"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    form = {"csrf_token": page_token(client, f"/{lang}/staff/items/{item_id}"), "language": language,
            "media": media or _sha(archive, item_id), "file": (BytesIO(data), name),
            "version": str(version if version is not None else editing.item_for_edit(archive, item_id).version)}
    return client.post(f"/{lang}/staff/items/{item_id}/captions", data=form, content_type="multipart/form-data")


def _remove(client, archive, language: str, *, version: int | None = None):
    form = {"csrf_token": page_token(client, "/vi/staff/items/song"), "language": language,
            "media": _sha(archive, "song"),
            "version": str(version if version is not None else editing.item_for_edit(archive, "song").version)}
    return client.post("/vi/staff/items/song/captions/remove", data=form)


def _tracks(client) -> dict[str, str]:
    """Caption tracks of the public item page and of the manifest, by language: the text of each file."""
    page = client.get("/en/items/song").get_data(as_text=True)
    page_langs = set(re.findall(r'<track kind="captions" srclang="([^"]+)"', page))
    canvas = client.get("/iiif/3/song/manifest").get_json()["items"][0]
    manifest = {a["body"]["language"]: a["body"]["id"] for a in canvas.get("annotations", [{}])[0].get("items", [])}
    assert page_langs == set(manifest), (page_langs, manifest)
    return {lang: client.get(urlsplit(url).path).get_data(as_text=True) for lang, url in manifest.items()}


def _search(client, q: str) -> list[str]:
    return [a["body"]["value"] for a in client.get(f"/iiif/3/song/search?q={q}").get_json()["items"]]


def test_a_caption_file_is_added_in_a_new_version_audited_and_shown_at_once(site):
    client, public = _client(site), _client(site, None)
    assert set(_tracks(public)) == {"vi"}
    before = generation.current(site.catalog)
    response = _upload(client, site, "en", EN, name="song.en.vtt")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert generation.current(site.catalog) > before
    assert _tracks(public) == {"vi": VI, "en": EN}
    assert _search(public, "greeting") == ["A greeting in English"]
    versions = editing.history(site, "song")
    assert [v.action for v in versions] == ["create", "caption_add"]
    assert versions[-1].changed == ("captions",)
    assert [c["language"] for c in versions[-1].captions] == ["en", "vi"]
    [entry] = audit.entries(site, action="caption_add")
    assert (entry.username, entry.target, entry.details["language"], entry.details["version"]) == (
        "contributor", "item:song", "en", 2)
    history = client.get("/en/staff/items/song/history").get_data(as_text=True)
    assert "Captions added" in history and "song.en.vtt" in history
    assert "Đã thêm phụ đề" in _client(site).get("/vi/staff/items/song/history").get_data(as_text=True)


def test_replacing_keeps_the_earlier_file_in_the_store_and_its_version(site):
    client, public = _client(site), _client(site, None)
    old = hashlib.sha256(VI.encode()).hexdigest()
    assert _upload(client, site, "vi", VI_NEW, name="song.vi.vtt").status_code == 302
    assert _tracks(public) == {"vi": VI_NEW}
    assert _search(public, "sua") == ["Lời chào đã sửa"] and _search(public, "dau") == []
    assert site.store.has_original(old)
    versions = editing.history(site, "song")
    assert [v.action for v in versions] == ["create", "caption_replace"]
    assert versions[0].captions[0]["sha256"] == old
    assert versions[1].captions[0]["sha256"] == hashlib.sha256(VI_NEW.encode()).hexdigest()
    assert audit.entries(site, action="caption_replace")[0].details["replaced"] == old
    checked, problems = check_fixity(site, progress=False)
    assert not problems and checked == 4  # the recording, the photo, both caption files


def test_removing_takes_the_track_off_everywhere_and_keeps_the_file(site):
    client, public = _client(site), _client(site, None)
    old = hashlib.sha256(VI.encode()).hexdigest()
    assert _remove(client, site, "vi").status_code == 302
    assert _tracks(public) == {}
    assert public.get("/iiif/3/song/search?q=chao").get_json()["items"] == []
    assert site.store.has_original(old)
    assert [v.action for v in editing.history(site, "song")] == ["create", "caption_remove"]
    assert audit.entries(site, action="caption_remove")[0].details["sha256"] == old
    assert not check_fixity(site, progress=False)[1]
    audit_page = _client(site, "admin").get("/en/staff/admin/audit").get_data(as_text=True)
    assert "Captions removed" in audit_page


def _revert(client, number: int):
    token = page_token(client, "/en/staff/items/song/history")
    response = client.post(f"/en/staff/items/song/history/{number}/revert", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_revert_brings_back_the_versions_caption_files(site):
    client, public = _client(site), _client(site, None)
    assert _upload(client, site, "en", EN, name="song.en.vtt").status_code == 302  # version 2: vi, en
    assert _upload(client, site, "vi", VI_NEW, name="song.vi.vtt").status_code == 302  # 3: a new vi, en
    assert _remove(client, site, "en").status_code == 302  # 4: the new vi alone
    assert _tracks(public) == {"vi": VI_NEW}
    page = _revert(client, 2)
    assert "Version 2 restored as version 5." in page and "could not be restored" not in page
    assert _tracks(public) == {"vi": VI, "en": EN}
    assert _search(public, "greeting") == ["A greeting in English"] and _search(public, "sua") == []
    versions = editing.history(site, "song")
    assert versions[-1].action == "revert" and versions[-1].changed == ("captions",)
    assert versions[-1].captions == versions[1].captions
    [entry] = audit.entries(site, action="revert")
    assert entry.details["captions_not_restored"] == [] and entry.details["restored"] == 2
    checked, problems = check_fixity(site, progress=False)
    assert not problems and checked == 5  # the recording, the photo, three caption files


def test_a_caption_file_that_cannot_come_back_is_named_and_the_rest_is_restored(site):
    client, public = _client(site), _client(site, None)
    assert _upload(client, site, "en", EN, name="song.en.vtt").status_code == 302  # version 2: vi, en
    assert _remove(client, site, "vi").status_code == 302
    assert _remove(client, site, "en").status_code == 302
    site.store.original_path(hashlib.sha256(VI.encode()).hexdigest()).unlink()  # the fault: a file lost
    page = _revert(client, 2)
    assert "These caption files could not be restored: song.vi.vtt." in page
    assert _tracks(public) == {"en": EN}
    assert audit.entries(site, action="revert")[0].details["captions_not_restored"] == ["song.vi.vtt"]


BAD = [
    ("WEBVTT\n\n00:00.000 --> 00:01.000\nfine\n\n00:01.000 -> 00:02.000\nbroken arrow\n", "Line 6"),
    ("WEBVTT\n\n00:00.000 --> 00:01.000\nfine\n\n00:01.000 --> 00:61.000\nbad seconds\n", "Line 6"),
    ("WEBVTT\n\n00:05.000 --> 00:01.000\nbackwards\n", "Line 3: the cue ends (00:00:01.000) before it starts"),
    ("WEBVTT\n\n00:00.000 --> 00:01.000\n\n", "Line 3: the cue has no text"),
    ("00:00.000 --> 00:01.000\nno header\n", "Line 1"),
    (b"WEBVTT\n\n00:00.000 --> 00:01.000\n\xff\xfe\n", "Line 4: the file is not UTF-8"),
    ("WEBVTT\n", "The WebVTT file has no cues."),
]


@pytest.mark.parametrize("text, said", BAD)
def test_a_bad_file_is_refused_naming_its_line_and_nothing_changes(site, text, said):
    client = _client(site)
    stored = set(site.store.iter_originals())
    response = _upload(client, site, "en", text)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="caption-errors"' in page and said in page.replace("&#34;", '"').replace("&#39;", "'"), page
    assert editing.item_for_edit(site, "song").version == 1 and set(site.store.iter_originals()) == stored
    assert not audit.entries(site, action="caption_add")


def test_the_error_is_in_the_page_language(site):
    response = _upload(_client(site), site, "en", "WEBVTT\n\n00:05.000 --> 00:01.000\nx\n", lang="vi")
    assert response.status_code == 400 and "Dòng 3" in response.get_data(as_text=True)


@pytest.mark.parametrize("form, said", [({"language": "xx"}, "language"), ({"media": "0" * 64}, "media")])
def test_an_unknown_language_or_file_is_refused_by_name(site, form, said):
    response = _upload(_client(site), site, text=EN, **{"language": "en", **form})
    assert response.status_code == 400 and said in response.get_data(as_text=True)
    assert editing.item_for_edit(site, "song").version == 1


def test_an_image_has_no_captions(site):
    response = _upload(_client(site), site, "en", EN, item_id="photo")
    assert response.status_code == 400 and "media" in response.get_data(as_text=True)
    assert 'id="h-captions"' not in _client(site).get("/vi/staff/items/photo").get_data(as_text=True)


def test_a_change_from_an_older_version_is_a_conflict(site):
    client = _client(site)
    assert _upload(client, site, "en", EN).status_code == 302
    assert _upload(client, site, "km", EN.replace("English", "Khmer"), version=1).status_code == 409
    assert _remove(client, site, "en", version=1).status_code == 409
    assert editing.item_for_edit(site, "song").version == 2


def test_only_staff_manage_captions(site):
    anonymous = _client(site, None)
    assert anonymous.post("/vi/staff/items/song/captions", data={}).status_code in (302, 400)
    researcher = _client(site, "researcher")
    assert researcher.get("/vi/staff/items/song").status_code == 403
    assert editing.item_for_edit(site, "song").version == 1


def test_the_languages_offered_are_the_archive_language_list_with_its_labels(site):
    page = _client(site).get("/en/staff/items/song").get_data(as_text=True)
    offered = re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>',
                         page.split('id="caption-language-1"')[1].split("</select>")[0])
    tags = [tag for tag, _ in offered]
    assert tags[:3] == ["vi", "en", "km"] and "yue" in tags and "cjm" in tags
    assert dict(offered)["km"].startswith("Khmer")
