"""Restricted, researcher-only, draft and embargoed items never leak: every door (pages, search hits, facet counts,
snippets and spelling suggestions, the JSON API, IIIF manifests and collections, image info, tiles and sizes,
AV files and captions, downloads, lists, exhibits, the site map) is asked as an anonymous visitor, a researcher and a
member of staff, and must answer exactly what archive.access allows."""
from __future__ import annotations

import csv
import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from archive import accounts, exhibit_store, publishing
from archive.access import Viewer
from archive.catalog.models import Item, MediaFile
from archive.context import Archive
from archive.web import create_app
from ingest.pipeline import Ingest
from tests.conftest import make_settings
from tests.staff_client import PASSWORD, sign_in

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "media_samples"
LICENCE = "http://creativecommons.org/licenses/by/4.0/"
# Words only the hidden items carry, so any page, hit, count, snippet or suggestion that shows one has leaked.
SECRET = {"restricted": "quackleberry", "researchers": "zemblanity", "draft": "frumious", "embargoed": "snollygoster"}
ITEMS = {  # key: (file, community, access)
    "public": ("images/kate-offerings.jpg", "cham", "public"),
    "restricted": ("audio/kate-narration.flac", "khmer", "restricted"),
    "researchers": ("images/saigon-central-mosque.jpg", "hoa", "researchers"),
    "draft": ("images/ok-om-bok-boat-race.jpg", "hoa", "public"),
    "embargoed": ("images/chantarangsay-pagoda-dusk.jpg", "hoa", "public"),
}
# Who sees what (archive.access): the public item everyone; the rest only as listed.
SEES = {
    "anonymous": {"public"},
    "researcher": {"public", "researchers"},
    "staff": {"public", "researchers", "restricted", "draft", "embargoed"},
}


def _write_batch(root: Path) -> Path:
    media = root / "batch"
    media.mkdir()
    for file, *_ in ITEMS.values():
        shutil.copy(SAMPLES / file, media / Path(file).name)
    for vtt in (SAMPLES / "audio").glob("kate-narration.*.vtt"):
        shutil.copy(vtt, media / vtt.name)
    with open(media / "metadata.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, ["file", "id", "title_vi", "title_en", "description_vi", "description_en",
                                     "community", "rights", "access", "sensitivity_note_vi", "sensitivity_note_en",
                                     "collections"])
        writer.writeheader()
        for key, (file, community, access) in ITEMS.items():
            word = SECRET.get(key, "")
            writer.writerow({
                "file": Path(file).name, "id": f"leak-{key}", "title_vi": f"Tư liệu {key} {word}".strip(),
                "title_en": f"Item {key} {word}".strip(), "description_vi": f"Mô tả {word}".strip(),
                "description_en": f"About {word}".strip(), "community": community, "rights": LICENCE,
                "access": access, "collections": "leak-col",
                "sensitivity_note_vi": "Cộng đồng yêu cầu hạn chế" if access == "restricted" else "",
                "sensitivity_note_en": "Restricted at the community's request" if access == "restricted" else ""})
    (root / "collections.json").write_text(json.dumps([{"id": "leak-col", "title": {"vi": "Thử", "en": "Test"}}]),
                                           "utf-8")
    return media


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("leaks")
    media = _write_batch(root)
    settings = make_settings(root / "var")
    archive = Archive(settings)
    from archive.importer import import_collections
    assert not import_collections(archive, root / "collections.json").rejected
    summary = Ingest(archive, progress=False).run([media], media / "metadata.csv")
    assert not summary.rejected and len(summary.new) == len(ITEMS), summary.lines()
    editor = accounts.create_user(archive, "editor", PASSWORD, "editor")
    accounts.create_user(archive, "reader", PASSWORD, "researcher")
    publishing.unpublish(archive, "leak-draft", accounts.viewer_of(editor))
    publishing.set_access(archive, "leak-embargoed", "public", accounts.viewer_of(editor),
                          embargo_until=date.today() + timedelta(days=30))
    # Its photo carries a GPS position: published, so that its original is offered like the others (the default,
    # hidden, is tested in tests/test_privacy.py).
    publishing.set_access(archive, "leak-researchers", "researchers", accounts.viewer_of(editor), location_public=True)
    exhibits = settings.data_path / "exhibits"
    exhibits.mkdir()
    (exhibits / "leaks.vi.md").write_text("---\ntitle: Thử\n---\n\n" + "".join(
        f"{{{{item:leak-{key}}}}}\n\n" for key in ITEMS), "utf-8")
    assert exhibit_store.import_directory(archive, exhibits).created == ["leaks"]
    app = create_app(settings, archive)
    clients = {"anonymous": app.test_client(), "researcher": app.test_client(), "staff": app.test_client()}
    assert sign_in(clients["researcher"], "reader").status_code == 302
    assert sign_in(clients["staff"], "editor").status_code == 302
    with archive.catalog.session() as s:
        shas = {}
        for key in ITEMS:
            media_file = s.query(MediaFile).filter_by(item_id=f"leak-{key}", parent_id=None).one()
            shas[key] = (media_file.sha256, media_file.kind, media_file.derivatives)
    yield archive, clients, shas
    archive.catalog.dispose()


def _doors(key: str, sha: str, kind: str, derivatives: dict) -> dict[str, str]:
    """Every URL that serves something of the item (its own pages and files)."""
    item = f"leak-{key}"
    doors = {"page vi": f"/vi/items/{item}", "page en": f"/en/items/{item}", "api": f"/api/items/{item}",
             "manifest": f"/iiif/3/{item}/manifest", "download": f"/media/{sha}/original"}
    if kind == "image":
        doors |= {"info.json": f"/iiif/3/image/{sha}/info.json", "tile": f"/iiif/3/image/{sha}/0,0,512,512/512,/0/default.jpg",
                  "size": f"/iiif/3/image/{sha}/full/200,/0/default.jpg",
                  "region": f"/iiif/3/image/{sha}/10,10,300,300/150,/0/default.jpg",
                  "base": f"/iiif/3/image/{sha}"}
    else:
        doors |= {"web audio": f"/media/{sha}/{derivatives['path']}", "peaks": f"/media/{sha}/{derivatives['peaks']}",
                  "waveform": f"/media/{sha}/{derivatives['waveform']}",
                  "captions vi": f"/media/{sha}/captions/vi.vtt", "captions en": f"/media/{sha}/captions/en.vtt"}
    return doors


@pytest.mark.parametrize("viewer", list(SEES))
@pytest.mark.parametrize("key", list(ITEMS))
def test_each_door_of_each_item_answers_exactly_who_may_see_it(site, viewer, key):
    _, clients, shas = site
    sha, kind, derivatives = shas[key]
    allowed = key in SEES[viewer]
    for door, url in _doors(key, sha, kind, derivatives).items():
        response = clients[viewer].get(url)
        expected = {200, 303} if allowed else {404}
        assert response.status_code in expected, f"{viewer} → {key} via {door} ({url}): {response.status_code}"
        if not allowed and response.status_code == 404:
            assert SECRET.get(key, "@") not in response.get_data(as_text=True)
        if allowed and viewer != "anonymous":
            assert "public" not in response.headers.get("Cache-Control", ""), f"{door} cached publicly"


def test_restricted_material_shows_its_sensitivity_note_to_staff(site):
    _, clients, _ = site
    page = clients["staff"].get("/en/items/leak-restricted").get_data(as_text=True)
    assert "Restricted at the community&#39;s request" in page or "Restricted at the community's request" in page


def _search(client, **params) -> dict:
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


@pytest.mark.parametrize("viewer", list(SEES))
def test_search_hits_counts_snippets_and_suggestions(site, viewer):
    _, clients, _ = site
    client = clients[viewer]
    for key, word in SECRET.items():
        found = _search(client, q=word, lang="en")
        ids = [h["id"] for h in found["hits"]]
        if key in SEES[viewer]:
            assert ids == [f"leak-{key}"], (viewer, word, found)
            assert word in json.dumps(found["hits"][0]["highlight"])
        else:
            assert found["total"] == 0 and ids == [], (viewer, word, found)
            assert word not in json.dumps({k: v for k, v in found.items() if k != "query"}), (viewer, word)
        misspelt = _search(client, q=word[:-1] + ("x" if word[-1] != "x" else "y"))
        if key in SEES[viewer]:
            assert misspelt.get("did_you_mean") == word, (viewer, misspelt)
        else:
            assert word not in json.dumps(misspelt), f"{viewer}: a suggestion reveals {word!r}"
    everything = _search(client, per_page=100)
    assert {h["id"] for h in everything["hits"]} == {f"leak-{k}" for k in SEES[viewer]}
    assert everything["total"] == len(SEES[viewer])
    community = {f["value"]: f["count"] for f in everything["facets"]["community"]}
    expected: dict[str, int] = {}
    for key in SEES[viewer]:
        expected[ITEMS[key][1]] = expected.get(ITEMS[key][1], 0) + 1
    assert community == expected, (viewer, community)
    html = client.get("/vi/search", query_string={"q": ""}).get_data(as_text=True)
    for key, word in SECRET.items():
        assert (word in html) == (key in SEES[viewer]), (viewer, word)


@pytest.mark.parametrize("viewer", list(SEES))
def test_a_restricted_recordings_transcript_is_found_only_by_who_may_see_it(site, viewer):
    """"Saranai" is only in the restricted recording's captions (kate-narration.*.vtt), not in its metadata: its
    hits, cue hits, suggestions and transcript facet counts reach only those who may see the item."""
    _, clients, _ = site
    client = clients[viewer]
    sees = "restricted" in SEES[viewer]
    found = _search(client, q="Saranai", lang="en")
    if sees:
        [hit] = found["hits"]
        assert hit["id"] == "leak-restricted"
        assert [(c["lang"], c["locator"]["start"]) for c in hit["passages"]] == [("en", 13.667), ("vi", 13.667)]
    else:
        assert found["total"] == 0 and found["hits"] == [], (viewer, found)
        assert "saranai" not in json.dumps({k: v for k, v in found.items() if k != "query"}).lower()
    misspelt = _search(client, q="Saranay")
    assert (misspelt.get("did_you_mean") == "saranai") == sees, (viewer, misspelt)
    if not sees:
        assert "saranai" not in json.dumps(misspelt).lower()
    facets = _search(client, per_page=100)["facets"]
    assert facets["transcript"] == ([{"value": "yes", "count": 1, "label": facets["transcript"][0]["label"]}]
                                    if sees else []), (viewer, facets["transcript"])
    assert {f["value"]: f["count"] for f in facets["transcript_language"]} == (
        {"en": 1, "vi": 1} if sees else {}), viewer
    html = client.get("/en/search", query_string={"q": "Saranai"}).get_data(as_text=True)
    assert ('class="cue-hit"' in html) == sees and ("oboe" in html) == sees, viewer


@pytest.mark.parametrize("viewer", list(SEES))
def test_lists_collections_exhibits_and_counts(site, viewer):
    _, clients, _ = site
    client = clients[viewer]
    pages = ["/vi/", "/vi/browse", "/vi/collections/", "/vi/collections/leak-col", "/vi/communities/hoa",
             "/vi/communities/khmer", "/vi/exhibits/leaks", "/iiif/3/collection/leak-col", "/iiif/3/collection/hoa",
             "/iiif/3/collection/khmer"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        for key in ITEMS:
            shown = f"leak-{key}" in body
            if key not in SEES[viewer]:
                assert not shown, f"{viewer} sees leak-{key} on {path}"
        assert "leak-public" in body or path in ("/vi/browse", "/vi/collections/", "/vi/communities/hoa",
                                                 "/vi/communities/khmer", "/iiif/3/collection/hoa",
                                                 "/iiif/3/collection/khmer"), path
    hoa = client.get("/vi/communities/hoa").get_data(as_text=True)
    assert ("leak-researchers" in hoa) == ("researchers" in SEES[viewer])
    assert ("leak-draft" in hoa) == ("draft" in SEES[viewer])


def test_the_site_map_lists_public_items_only_whoever_asks(site):
    _, clients, _ = site
    for client in clients.values():
        body = client.get("/sitemap.xml").get_data(as_text=True)
        listed = set(re.findall(r"/items/(leak-[a-z]+)<", body))
        assert listed == {"leak-public"}


def test_the_embargo_lifts_on_its_day(site):
    archive, _, _ = site
    from archive.access import can_view
    with archive.catalog.session() as s:
        item = s.get(Item, "leak-embargoed")
        day = item.embargo_until
        assert not can_view(item, Viewer.ANONYMOUS, today=day)
        assert can_view(item, Viewer.ANONYMOUS, today=day + timedelta(days=1))
