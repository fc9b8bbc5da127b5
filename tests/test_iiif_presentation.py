"""IIIF Presentation 3: manifests of every item type and the collections, served by the real app.

Every document is checked against the official Presentation 3 JSON Schema, and against what the schema misses.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path

import geojson
import pytest
import requests
from jsonschema import Draft7Validator
from PIL import Image

from archive.importer import import_collections
from archive.web import create_app
from ingest.pipeline import Ingest
from tests.live_server import live_app
from tests.staff_client import add_user, sign_in
from tests.media import make_jpeg, make_mp4, make_wav

SHARED = Path(__file__).resolve().parent / "fixtures" / "iiif"
SCHEMA = json.loads((SHARED / "iiif_3_0.json").read_text("utf-8"))
COOKBOOK = sorted((SHARED / "cookbook").glob("*.json"))
SCRIPTS = {"Cham", "Khmr", "Hani", "Hant", "Hans", "Latn", "Arab"}
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-(?P<script>[A-Z][a-z]{3}))?(-([A-Z]{2}|[0-9]{3}))?$")
CC_BY = "http://creativecommons.org/licenses/by/4.0/"
IN_COPYRIGHT = "http://rightsstatements.org/vocab/InC/1.0/"

COLUMNS = ["file", "id", "type", "title_vi", "title_en", "title_zh-Hant", "title_km", "title_cjm-Cham",
           "description_vi", "description_en", "community", "festival", "place", "date", "lunar_date", "languages",
           "scripts", "subjects", "creators", "rights", "attribution_vi", "attribution_en", "access", "collections"]
ROWS = [
    dict(file="photo.jpg", id="photo", type="image", title_vi="Chùa Bà Thiên Hậu", title_en="Thien Hau temple",
         **{"title_zh-Hant": "穗城會館"}, description_vi="Lễ vía Bà", description_en="Lady Thien Hau's festival",
         community="hoa", festival="via-ba-thien-hau", place="tue-thanh-hoi-quan", date="2019-03",
         lunar_date="23/3 âm lịch", languages="yue;vie", scripts="Hant", subjects="temple;incense",
         creators="Lâm Minh (photographer)", rights=CC_BY, attribution_vi="Lâm Minh", attribution_en="Lam Minh",
         access="public", collections="hoa-festivals"),
    dict(file="page1.jpg;page2.jpg", id="book", type="document", title_vi="Kinh lá buông", title_en="Palm-leaf book",
         title_km="សាស្ត្រាស្លឹករឹត", community="khmer", place="chua-chantarangsay", date="196X", languages="khm;pli",
         scripts="Khmr", rights=IN_COPYRIGHT, attribution_vi="Chùa Chantarangsay",
         attribution_en="Chantarangsay pagoda", access="public"),
    dict(file="song.wav", id="song", type="audio", title_vi="Bài hát Katê", title_en="Katê song",
         **{"title_cjm-Cham": "ꨌꩌ"}, community="cham", festival="kate", date="2020-10-01", languages="cjm",
         scripts="Cham", creators="Thuận (performer)", rights=CC_BY, attribution_vi="Thuận", attribution_en="Thuan",
         access="public"),
    dict(file="clip.mp4", id="clip", type="video", title_vi="Múa lân", title_en="Lion dance", community="hoa",
         festival="tet-nguyen-tieu", date="2021-02-26", languages="yue", rights=CC_BY, attribution_vi="Hội quán",
         attribution_en="Assembly hall", access="public", collections="hoa-festivals"),
    dict(file="secret.jpg", id="secret", type="image", title_vi="Nghi lễ kín", title_en="Closed rite",
         community="cham", rights=CC_BY, access="restricted", collections="hoa-festivals"),
]
COLLECTIONS = [{"id": "hoa-festivals", "title": {"vi": "Lễ hội người Hoa", "en": "Hoa festivals"},
                "description": {"vi": "Lễ hội ở Chợ Lớn", "en": "Festivals in Chợ Lớn"}, "community": "hoa"}]


def write_csv(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("iiif-presentation")
    media = root / "media"
    make_jpeg(media / "photo.jpg", (900, 600), seed=1)
    make_jpeg(media / "page1.jpg", (300, 420), seed=2)
    make_jpeg(media / "page2.jpg", (300, 420), seed=3)
    make_jpeg(media / "secret.jpg", (300, 200), seed=4)
    make_wav(media / "song.wav", 1.5)
    (media / "song.vi.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nXin chào\n", "utf-8")
    make_mp4(media / "clip.mp4", 1.5)
    (media / "clip.vi.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nMúa lân\n", "utf-8")
    (media / "clip.en.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nLion dance\n", "utf-8")
    write_csv(media / "metadata.csv", ROWS)
    (root / "collections.json").write_text(json.dumps(COLLECTIONS, ensure_ascii=False), "utf-8")
    with live_app(root / "var") as live:
        assert not import_collections(live.archive, root / "collections.json").rejected
        summary = Ingest(live.archive, progress=False).run([media], media / "metadata.csv")
        assert not summary.rejected, summary.lines()
        live.media = media
        yield live


def get_json(live, path: str) -> dict:
    response = requests.get(live.url + path, timeout=30)
    assert response.status_code == 200, (path, response.text)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return response.json()


def manifest(live, item_id: str) -> dict:
    return get_json(live, f"/iiif/3/{item_id}/manifest")


def schema_errors(document: dict) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message[:300]}" for e in Draft7Validator(SCHEMA).iter_errors(document)]


def painting_bodies(document: dict) -> list[tuple[dict, dict]]:
    return [(canvas, anno["body"]) for canvas in document["items"] for page in canvas["items"]
            for anno in page["items"]]


PUBLIC = ["photo", "book", "song", "clip"]
COLLECTION_IDS = ["top", "cham", "hoa", "khmer", "hoa-festivals"]


@pytest.mark.parametrize("item_id", PUBLIC)
def test_manifest_validates_against_the_presentation_schema(site, item_id):
    document = manifest(site, item_id)
    assert document["id"] == f"{site.url}/iiif/3/{item_id}/manifest"
    assert schema_errors(document) == []


@pytest.mark.parametrize("collection_id", COLLECTION_IDS)
def test_collection_validates_against_the_presentation_schema(site, collection_id):
    document = get_json(site, f"/iiif/3/collection/{collection_id}")
    assert document["type"] == "Collection"
    assert schema_errors(document) == []


@pytest.mark.parametrize("path", COOKBOOK, ids=lambda p: p.stem)
def test_cookbook_manifest_validates(path):
    assert len(COOKBOOK) == 8
    assert schema_errors(json.loads(path.read_text("utf-8"))) == []


def test_the_schema_catches_a_broken_manifest(site):
    document = manifest(site, "photo")
    del document["label"]
    document["rights"] = "https://creativecommons.org/licenses/by/4.0/"
    assert schema_errors(document)


def test_image_manifest_has_every_descriptive_property(site):
    m = manifest(site, "photo")
    assert m["label"] == {"vi": ["Chùa Bà Thiên Hậu"], "en": ["Thien Hau temple"], "zh-Hant": ["穗城會館"]}
    assert m["summary"] == {"vi": ["Lễ vía Bà"], "en": ["Lady Thien Hau's festival"]}
    assert m["rights"] == CC_BY
    assert m["requiredStatement"] == {"label": {"vi": ["Ghi công"], "en": ["Attribution"]},
                                      "value": {"vi": ["Lâm Minh"], "en": ["Lam Minh"]}}
    assert m["navDate"] == "2019-03-01T00:00:00Z"
    assert [h["id"] for h in m["homepage"]] == [f"{site.url}/vi/items/photo", f"{site.url}/en/items/photo"]
    assert [h["language"] for h in m["homepage"]] == [["vi"], ["en"]]
    assert m["seeAlso"][0]["id"] == f"{site.url}/api/items/photo"
    assert m["provider"][0]["type"] == "Agent" and {"vi", "en"} <= set(m["provider"][0]["label"])
    assert m["partOf"] == [{"id": f"{site.url}/iiif/3/collection/hoa-festivals", "type": "Collection",
                            "label": {"vi": ["Lễ hội người Hoa"], "en": ["Hoa festivals"]}}]
    pairs = {pair["label"]["en"][0]: pair["value"] for pair in m["metadata"]}
    assert pairs["Community"] == {"vi": ["Hoa"], "en": ["Hoa (ethnic Chinese)"], "zh-Hant": ["華人"]}
    assert pairs["Place"]["zh-Hant"] == ["穗城會館"] and pairs["Place"]["vi"] and pairs["Place"]["en"]
    assert pairs["Festival"]["vi"] and pairs["Festival"]["en"]
    assert pairs["Languages"]["en"] == ["Yue Chinese (Cantonese)", "Vietnamese"]
    assert pairs["Creators"] == {"vi": ["Lâm Minh (Nhiếp ảnh gia)"], "en": ["Lâm Minh (Photographer)"]}
    assert pairs["Date (EDTF)"] == {"none": ["2019-03"]}
    assert pairs["Lunar date"] == {"vi": ["23/3 âm lịch"]}


def test_image_bodies_carry_an_image_service_that_answers(site):
    for item_id in ("photo", "book"):
        m = manifest(site, item_id)
        bodies = painting_bodies(m)
        assert len(bodies) == (2 if item_id == "book" else 1)
        thumbnails = [t for canvas, _ in bodies for t in canvas["thumbnail"]] + m["thumbnail"]
        for image in [body for _, body in bodies] + thumbnails:
            assert image["type"] == "Image" and image["format"] == "image/jpeg"
            (service,) = image["service"]
            assert service["type"] == "ImageService3" and service["profile"] == "level2"
            assert re.fullmatch(rf"{re.escape(site.url)}/iiif/3/image/[0-9a-f]{{64}}", service["id"])
            assert get_json(site, service["id"][len(site.url):] + "/info.json")["id"] == service["id"]
            response = requests.get(image["id"], timeout=30)
            assert response.status_code == 200 and response.headers["Content-Type"] == "image/jpeg"
            with Image.open(io.BytesIO(response.content)) as im:
                assert im.size == (image["width"], image["height"])


def test_multi_image_item_has_one_canvas_per_file(site):
    m = manifest(site, "book")
    assert [c["label"] for c in m["items"]] == [{"vi": ["Trang 1"], "en": ["Page 1"]},
                                               {"vi": ["Trang 2"], "en": ["Page 2"]}]
    assert m["behavior"] == ["paged"]
    assert all((c["width"], c["height"]) == (300, 420) for c in m["items"])
    assert len({body["id"] for _, body in painting_bodies(m)}) == 2


def test_audio_canvas_has_a_duration_and_a_sound_body(site):
    m = manifest(site, "song")
    ((canvas, body),) = painting_bodies(m)
    assert body["type"] == "Sound" and body["format"] == "audio/mpeg"
    assert canvas["duration"] == body["duration"] and 1.3 < canvas["duration"] < 1.8
    assert not {"width", "height"} & (set(canvas) | set(body))
    audio = requests.get(body["id"], headers={"Range": "bytes=0-99"}, timeout=30)
    assert audio.status_code == 206 and len(audio.content) == 100


def test_video_canvas_has_duration_size_and_a_video_body(site):
    m = manifest(site, "clip")
    ((canvas, body),) = painting_bodies(m)
    assert body["type"] == "Video" and body["format"] == "video/mp4"
    assert (canvas["width"], canvas["height"]) == (body["width"], body["height"]) == (320, 240)
    assert canvas["duration"] == body["duration"] and 1.3 < canvas["duration"] < 1.8
    video = requests.get(body["id"], headers={"Range": "bytes=100-199"}, timeout=30)
    assert video.status_code == 206 and video.headers["Content-Range"].startswith("bytes 100-199/")
    poster = requests.get(m["thumbnail"][0]["id"], timeout=30)
    assert poster.status_code == 200 and poster.content[:2] == b"\xff\xd8"


@pytest.mark.parametrize("item_id, languages", [("clip", ["en", "vi"]), ("song", ["vi"])])
def test_captions_are_supplementing_webvtt_annotations(site, item_id, languages):
    (canvas,) = manifest(site, item_id)["items"]
    (page,) = canvas["annotations"]
    annotations = page["items"]
    assert [a["motivation"] for a in annotations] == ["supplementing"] * len(languages)
    assert [a["body"]["language"] for a in annotations] == languages
    for annotation in annotations:
        body = annotation["body"]
        assert annotation["target"] == canvas["id"]
        assert body["type"] == "Text" and body["format"] == "text/vtt" and {"vi", "en"} <= set(body["label"])
        vtt = requests.get(body["id"], timeout=30)
        assert vtt.status_code == 200 and vtt.headers["Content-Type"].startswith("text/vtt")
        stem = Path(ROWS[[r["id"] for r in ROWS].index(item_id)]["file"]).stem
        assert vtt.content == (site.media / f"{stem}.{body['language']}.vtt").read_bytes()


def _language_maps(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("label", "summary", "value") and isinstance(value, dict):
                yield f"{path}.{key}", value
            else:
                yield from _language_maps(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _language_maps(value, f"{path}[{i}]")


def _language_values(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "language":
                yield from (value if isinstance(value, list) else [value])
            else:
                yield from _language_values(value)
    elif isinstance(node, list):
        for value in node:
            yield from _language_values(value)


def test_language_tags_are_well_formed(site):
    documents = [manifest(site, i) for i in PUBLIC] + [get_json(site, f"/iiif/3/collection/{c}") for c in
                                                       COLLECTION_IDS]
    tags = set()
    for document in documents:
        for where, language_map in _language_maps(document):
            assert language_map, where
            for tag, values in language_map.items():
                assert isinstance(values, list) and all(isinstance(v, str) and v for v in values), where
                tags.add(tag)
        tags |= set(_language_values(document))
    tags.discard("none")
    for tag in tags:
        match = LANGUAGE_TAG.match(tag)
        assert match, tag
        assert match["script"] is None or match["script"] in SCRIPTS, tag
    assert {"vi", "en", "zh-Hant", "km", "cjm-Cham"} <= tags


def test_rendering_offers_the_original_only_where_the_licence_allows(site):
    m = manifest(site, "photo")
    (rendering,) = m["rendering"]
    assert rendering["format"] == "image/jpeg" and rendering["type"] == "Image"
    original = requests.get(rendering["id"], timeout=30)
    assert original.status_code == 200
    assert original.content == (site.media / "photo.jpg").read_bytes()
    assert "attachment" in original.headers["Content-Disposition"]

    book = manifest(site, "book")
    assert "rendering" not in book
    sha = hashlib.sha256((site.media / "page1.jpg").read_bytes()).hexdigest()
    refused = requests.get(f"{site.url}/media/{sha}/original", timeout=30)
    assert refused.status_code == 404 and refused.json()["error"]["status"] == 404


def test_see_also_is_the_json_record(site):
    (see_also,) = manifest(site, "song")["seeAlso"]
    assert see_also["type"] == "Dataset" and see_also["format"] == "application/json"
    record = requests.get(see_also["id"], timeout=30).json()
    assert record["id"] == "song" and record["title"]["cjm-Cham"] == "ꨌꩌ"


def test_json_ld_is_negotiated(site):
    response = requests.get(f"{site.url}/iiif/3/photo/manifest", headers={"Accept": "application/ld+json"},
                            timeout=30)
    assert response.headers["Content-Type"] == \
        'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'
    plain = requests.get(f"{site.url}/iiif/3/photo/manifest", timeout=30)
    assert plain.headers["Content-Type"] == "application/json" and plain.json() == response.json()


def _entries(collection: dict) -> list[tuple[str, str]]:
    return [(entry["type"], entry["id"].rsplit("/iiif/3/", 1)[1]) for entry in collection["items"]]


def test_top_collection_lists_communities_and_collections(site):
    top = get_json(site, "/iiif/3/collection/top")
    assert _entries(top) == [("Collection", "collection/cham"), ("Collection", "collection/hoa"),
                             ("Collection", "collection/khmer"), ("Collection", "collection/hoa-festivals")]
    assert all({"vi", "en"} <= set(entry["label"]) for entry in top["items"])


def test_community_and_archive_collections_list_public_items(site):
    hoa = get_json(site, "/iiif/3/collection/hoa")
    assert _entries(hoa) == [("Collection", "collection/hoa-festivals"), ("Manifest", "photo/manifest"),
                             ("Manifest", "clip/manifest")]
    assert hoa["label"]["vi"] == ["Hoa"]
    festivals = get_json(site, "/iiif/3/collection/hoa-festivals")
    assert _entries(festivals) == [("Manifest", "photo/manifest"), ("Manifest", "clip/manifest")]
    assert festivals["summary"] == {"vi": ["Lễ hội ở Chợ Lớn"], "en": ["Festivals in Chợ Lớn"]}
    photo = festivals["items"][0]
    assert photo["label"]["zh-Hant"] == ["穗城會館"] and photo["thumbnail"][0]["service"]
    assert _entries(get_json(site, "/iiif/3/collection/cham")) == [("Manifest", "song/manifest")]


def test_non_public_item_is_not_published(site):
    sha = hashlib.sha256((site.media / "secret.jpg").read_bytes()).hexdigest()
    for path in ["/iiif/3/secret/manifest", f"/iiif/3/image/{sha}", f"/iiif/3/image/{sha}/info.json",
                 f"/iiif/3/image/{sha}/full/max/0/default.jpg", f"/media/{sha}/original",
                 "/iiif/3/collection/unknown", "/iiif/3/nothing/manifest"]:
        response = requests.get(site.url + path, allow_redirects=False, timeout=30)
        assert response.status_code == 404, path
        assert response.json()["error"]["status"] == 404
    listed = {entry["id"] for c in COLLECTION_IDS for entry in get_json(site, f"/iiif/3/collection/{c}")["items"]}
    assert not any("secret" in entry for entry in listed)


PRESENTATION_ACCEPT = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'
IMAGE_ACCEPT = 'application/ld+json;profile="http://iiif.io/api/image/3/context.json"'


@pytest.mark.parametrize("item_id", PUBLIC)
def test_every_canvas_has_a_label(site, item_id):
    """Viewers show a canvas's label, or its URI when it has none: a single canvas is the item's title, the canvases
    of a many-part item its parts."""
    document = manifest(site, item_id)
    labels = [canvas.get("label") for canvas in document["items"]]
    assert all(label and all(label.values()) for label in labels), labels
    if len(labels) == 1:
        assert labels == [document["label"]]
    else:
        assert [label["en"] for label in labels] == [[f"Page {n}"] for n in range(1, len(labels) + 1)]


def test_an_audio_manifest_has_a_waveform_thumbnail(site):
    document = manifest(site, "song")
    (canvas,) = document["items"]
    (thumb,) = canvas["thumbnail"]
    assert document["thumbnail"] == canvas["thumbnail"]
    assert thumb["type"] == "Image" and thumb["format"] == "image/png"
    response = requests.get(thumb["id"], timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/png"
    picture = Image.open(io.BytesIO(response.content))
    assert picture.size == (thumb["width"], thumb["height"])
    assert len(set(picture.getdata())) > 1  # a wave is drawn, not an empty picture


@pytest.mark.parametrize("item_id, languages", [("clip", ["en", "vi"]), ("song", ["vi"])])
def test_captions_are_also_canvas_renderings_for_universal_viewer(site, item_id, languages):
    (canvas,) = manifest(site, item_id)["items"]
    bodies = [a["body"] for a in canvas["annotations"][0]["items"]]
    assert [(r["id"], r["type"], r["format"], r["label"], r["language"]) for r in canvas["rendering"]] == [
        (b["id"], "Text", "text/vtt", b["label"], [b["language"]]) for b in bodies]
    assert schema_errors(manifest(site, item_id)) == []
    assert [b["language"] for b in bodies] == languages


@pytest.mark.parametrize("path, accept", [
    ("/iiif/3/photo/manifest", PRESENTATION_ACCEPT), ("/iiif/3/collection/top", PRESENTATION_ACCEPT),
    ("/iiif/3/collection/hoa-festivals", PRESENTATION_ACCEPT), ("info.json", IMAGE_ACCEPT)])
def test_caching_and_types_do_not_depend_on_accept(site, path, accept):
    if path == "info.json":
        service = manifest(site, "photo")["items"][0]["items"][0]["items"][0]["body"]["service"][0]["id"]
        path = service.removeprefix(site.url) + "/info.json"
    answers = {}
    for header in (accept, "application/ld+json", "application/json", "*/*", None):
        response = requests.get(site.url + path, headers={"Accept": header} if header else {}, timeout=30)
        assert response.status_code == 200
        answers[header] = response
        assert "Accept" in response.headers["Vary"]
        again = requests.get(site.url + path, timeout=30, headers={
            **({"Accept": header} if header else {}), "If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
    assert len({r.headers["Cache-Control"] for r in answers.values()}) == 1, \
        {h: r.headers["Cache-Control"] for h, r in answers.items()}
    expected = "public, max-age=3600" if path.endswith("info.json") else "public, no-cache"
    assert set(answers[None].headers["Cache-Control"].split(", ")) == set(expected.split(", "))
    assert answers[accept].headers["Content-Type"] == accept  # the profile the client named, as the spec shows
    assert answers["application/ld+json"].headers["Content-Type"] == accept
    for header in ("application/json", "*/*", None):
        assert answers[header].headers["Content-Type"] == "application/json"
    assert len({r.content for r in answers.values()}) == 1


def test_a_restricted_item_shown_to_staff_is_never_cached_publicly(site):
    """(From a helper session's branch: it passed on the old code too; it guards that the shared caching above does
    not make what staff see of a restricted item publicly cacheable.)"""
    client = create_app(site.archive.settings, site.archive).test_client()
    add_user(site.archive, "iiif-editor", "editor")
    assert sign_in(client, "iiif-editor").status_code == 302
    sha = hashlib.sha256((site.media / "secret.jpg").read_bytes()).hexdigest()
    for path, profile in [("/iiif/3/secret/manifest", PRESENTATION_ACCEPT),
                          (f"/iiif/3/image/{sha}/info.json", IMAGE_ACCEPT)]:
        for headers in ({}, {"Accept": profile}):
            response = client.get(path, headers=headers)
            assert response.status_code == 200, path
            assert response.cache_control.private and not response.cache_control.public, (path, headers)


NAVPLACE_CONTEXT = "http://iiif.io/api/extension/navplace/context.json"
PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"


def _nav_place_points(document: dict) -> dict[str, list[float]]:
    """navPlace's features by label (en), after checking it is GeoJSON the geojson library accepts and that the
    extension's context comes before Presentation 3's."""
    assert document["@context"] == [NAVPLACE_CONTEXT, PRESENTATION_CONTEXT]
    nav_place = document["navPlace"]
    assert nav_place["type"] == "FeatureCollection" and nav_place["id"].startswith(document["id"])
    parsed = geojson.loads(json.dumps(nav_place))
    assert parsed.is_valid, parsed.errors()
    assert all(f["id"].startswith("http") and f["type"] == "Feature" for f in nav_place["features"])
    return {f["properties"]["label"]["en"][0]: f["geometry"]["coordinates"] for f in nav_place["features"]}


def test_a_manifest_of_an_item_with_a_place_has_nav_place(site):
    document = manifest(site, "photo")  # place: tue-thanh-hoi-quan
    assert _nav_place_points(document) == {"Tuệ Thành Assembly Hall (Thiên Hậu Temple)": [106.66117, 10.75358]}
    assert document["navPlace"]["features"][0]["properties"]["label"]["zh-Hant"] == ["穗城會館"]
    assert schema_errors(document) == []


def test_a_manifest_without_a_place_has_no_nav_place_and_one_context(site):
    document = manifest(site, "song")
    assert "navPlace" not in document and document["@context"] == PRESENTATION_CONTEXT


@pytest.mark.parametrize("collection_id, places", [
    ("hoa-festivals", {"Tuệ Thành Assembly Hall (Thiên Hậu Temple)"}),
    ("hoa", {"Tuệ Thành Assembly Hall (Thiên Hậu Temple)"}),
    ("khmer", {"Chantarangsay Pagoda (Wat Candaransi)"}),
])
def test_collections_of_items_with_places_have_nav_place(site, collection_id, places):
    document = get_json(site, f"/iiif/3/collection/{collection_id}")
    assert set(_nav_place_points(document)) == places
    assert schema_errors(document) == []


def test_a_collection_without_places_has_no_nav_place(site):
    for collection_id in ("cham", "top"):
        document = get_json(site, f"/iiif/3/collection/{collection_id}")
        assert "navPlace" not in document and document["@context"] == PRESENTATION_CONTEXT
