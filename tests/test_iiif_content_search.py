"""IIIF Content Search API 2.0 inside an item: the manifest announces the service, its answers have the shape of the
specification's own JSON examples (tests/fixtures/iiif_search, see NOTICE.txt there), cue hits target the canvas at
their time, matching is the site search's (Vietnamese unaccented and tone-exact, Khmer words, Han characters), and a
restricted item answers as its manifest does."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from archive.context import Archive
from archive.web import create_app
from ingest.pipeline import Ingest
from tests.conftest import make_settings
from tests.media import make_jpeg, make_mp4, make_wav
from tests.staff_client import add_user, sign_in

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = FIXTURES / "iiif_search"
SCHEMA = json.loads((FIXTURES / "iiif" / "iiif_3_0.json").read_text("utf-8"))
SAMPLES = Path(__file__).resolve().parent.parent / "media_samples"
SEARCH_CONTEXT = "http://iiif.io/api/search/2/context.json"
CC_BY = "http://creativecommons.org/licenses/by/4.0/"
TIME_FRAGMENT = re.compile(r"^(?P<canvas>[^#]+)#t=(?P<start>\d+(\.\d+)?),(?P<end>\d+(\.\d+)?)$")
METADATA = f"""file,id,type,title_vi,title_en,community,rights,access
clip.mp4,lantern,video,Đêm Nguyên Tiêu,Lantern night,hoa,{CC_BY},public
song.wav,newyear,audio,Chôl Chnăm Thmây,Khmer New Year,khmer,{CC_BY},public
secret.wav,secret,audio,Nghi lễ kín,Closed rite,cham,{CC_BY},restricted
photo.jpg,photo,image,Ảnh,Photo,hoa,{CC_BY},public
page.jpg,letter,document,Thư,Letter,hoa,{CC_BY},public
"""


def golden(name: str) -> dict:
    return json.loads((GOLDEN / f"{name}.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("content-search")
    media = root / "media"
    media.mkdir()
    make_mp4(media / "clip.mp4", 1.5)
    make_wav(media / "song.wav", 1.5)
    make_wav(media / "secret.wav", 1.0, freq=330)
    make_jpeg(media / "photo.jpg", (300, 200), seed=5)
    make_jpeg(media / "page.jpg", (200, 300), seed=6)
    for lang in ("vi", "en"):  # the project's own captions, on generated media of the same names
        shutil.copyfile(SAMPLES / "video" / f"tet-nguyen-tieu-pan.{lang}.vtt", media / f"clip.{lang}.vtt")
    for lang in ("vi", "en", "km"):
        shutil.copyfile(SAMPLES / "audio" / f"chol-chnam-thmay-bilingual.{lang}.vtt", media / f"song.{lang}.vtt")
    (media / "secret.vi.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nLời khấn bí mật\n", "utf-8")
    (media / "metadata.csv").write_text(METADATA, "utf-8")
    archive = Archive(make_settings(root / "var", base_url="https://archive.example"))
    summary = Ingest(archive, progress=False).run([media], media / "metadata.csv")
    assert not summary.rejected, summary.lines()
    yield archive
    archive.catalog.dispose()


@pytest.fixture(scope="module")
def client(site):
    return create_app(site.settings, site).test_client()


def get_json(client, path: str, status: int = 200) -> dict:
    response = client.get(path)
    assert response.status_code == status, (path, response.get_data(as_text=True))
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return response.get_json()


def search(client, item_id: str, query: str) -> dict:
    return get_json(client, f"/iiif/3/{item_id}/search?{query}")


def hits(page: dict) -> list[tuple[str, str, str]]:
    """(canvas#t=…, language, text) of each annotation, in answer order."""
    return [(a["target"], a["body"]["language"], a["body"]["value"]) for a in page["items"]]


def same_shape(ours, theirs, path="") -> list[str]:
    """Where ``ours`` differs in shape from the specification's example: a key it lacks, a value of another JSON
    type (lists compared item by item against the example's first item)."""
    if isinstance(theirs, dict):
        if not isinstance(ours, dict):
            return [f"{path}: {type(ours).__name__}, not an object"]
        problems = [f"{path}.{key}: missing" for key in theirs if key not in ours]
        return problems + [p for key in theirs if key in ours for p in same_shape(ours[key], theirs[key],
                                                                                  f"{path}.{key}")]
    if isinstance(theirs, list):
        if not isinstance(ours, list):
            return [f"{path}: {type(ours).__name__}, not an array"]
        return [p for n, item in enumerate(ours) for p in same_shape(item, theirs[0], f"{path}[{n}]")] if theirs else []
    if type(ours) is not type(theirs) and not {type(ours), type(theirs)} <= {int, float}:
        return [f"{path}: {type(ours).__name__}, the example has {type(theirs).__name__}"]
    return []


@pytest.mark.parametrize("item_id", ["lantern", "newyear", "letter"])
def test_the_manifest_announces_search_and_autocomplete_and_stays_valid_presentation_3(client, item_id):
    manifest = get_json(client, f"/iiif/3/{item_id}/manifest")
    assert not list(Draft7Validator(SCHEMA).iter_errors(manifest))
    services = manifest["service"]
    assert not same_shape(services, golden("service-with-autocomplete")["service"])
    assert services == [{"id": f"https://archive.example/iiif/3/{item_id}/search", "type": "SearchService2",
                         "service": [{"id": f"https://archive.example/iiif/3/{item_id}/autocomplete",
                                      "type": "AutoCompleteService2"}]}]


def test_a_document_without_text_yet_answers_an_empty_page(client):
    assert search(client, "letter", "q=anything")["items"] == []
    assert get_json(client, "/iiif/3/letter/autocomplete?q=a")["items"] == []


def test_an_image_item_announces_no_search(client):
    assert "service" not in get_json(client, "/iiif/3/photo/manifest")
    assert client.get("/iiif/3/photo/search?q=x").status_code == 404


def test_a_cue_hit_is_a_supplementing_annotation_on_the_canvas_at_its_time(client):
    page = search(client, "lantern", "q=Gi%C3%AAng")  # Giêng
    assert page["@context"] == SEARCH_CONTEXT and page["type"] == "AnnotationPage"
    assert page["id"] == "https://archive.example/iiif/3/lantern/search?q=Gi%C3%AAng"
    assert not same_shape(page, golden("simple-list")), same_shape(page, golden("simple-list"))
    assert not same_shape(page, golden("match-highlighting")), same_shape(page, golden("match-highlighting"))
    [annotation] = page["items"]
    assert annotation["motivation"] == "supplementing"
    assert annotation["body"] == {"type": "TextualBody", "format": "text/plain", "language": "vi",
                                  "value": "Đêm rằm tháng Giêng, đèn lồng đỏ thắp sáng Tuệ Thành Hội Quán."}
    fragment = TIME_FRAGMENT.match(annotation["target"])
    assert fragment, annotation["target"]
    canvases = [c["id"] for c in get_json(client, "/iiif/3/lantern/manifest")["items"]]
    assert fragment["canvas"] in canvases
    assert (float(fragment["start"]), float(fragment["end"])) == (0.8, 4.467)
    [match] = page["annotations"][0]["items"]
    assert match["motivation"] == "highlighting" and match["target"]["source"] == annotation["id"]
    assert match["target"]["selector"] == [{"type": "TextQuoteSelector", "prefix": "Đêm rằm tháng ",
                                            "exact": "Giêng", "suffix": ", đèn lồng đỏ thắp sáng Tuệ Thành Hội Qu"}]


def test_unaccented_vietnamese_finds_the_accented_cue(client):
    assert [text for _, _, text in hits(search(client, "lantern", "q=gieng"))] == [
        "Đêm rằm tháng Giêng, đèn lồng đỏ thắp sáng Tuệ Thành Hội Quán."]


def test_tone_exact_matches_rank_first(client):
    accented = hits(search(client, "lantern", "q=Th%C3%A0nh"))  # Thành: the Vietnamese cue first
    bare = hits(search(client, "lantern", "q=thanh"))  # thanh: the English cue (Tue Thanh) first
    assert [lang for _, lang, _ in accented] == ["vi", "en"]
    assert [lang for _, lang, _ in bare] == ["en", "vi"]
    assert {target for target, _, _ in accented} == {target for target, _, _ in bare}


def test_every_term_must_occur(client):
    assert len(search(client, "lantern", "q=Th%C3%A0nh+Gi%C3%AAng")["items"]) == 1
    assert search(client, "lantern", "q=Th%C3%A0nh+Khmer")["items"] == []


def test_a_khmer_word_finds_its_cues(client):
    page = search(client, "newyear", "q=%E1%9E%94%E1%9E%BB%E1%9E%8E%E1%9F%92%E1%9E%99")  # បុណ្យ
    found = hits(page)
    assert [lang for _, lang, _ in found] == ["km", "km"]  # the two cues that hold the word
    assert all("បុណ្យ" in text for _, _, text in found)
    assert {m["target"]["selector"][0]["exact"] for m in page["annotations"][0]["items"]} == {"បុណ្យ"}


@pytest.mark.parametrize("query", ["元宵", "元宵节"])  # the cue says 元宵節 (traditional)
def test_chinese_finds_the_cue_whatever_the_script(client, query):
    found = hits(search(client, "lantern", f"q={query}"))
    assert {(target.split("#")[1], lang) for target, lang, _ in found} == {("t=5.867,7.259", "vi"),
                                                                            ("t=5.867,7.259", "en")}


def test_a_query_with_no_match_is_an_empty_page(client):
    page = search(client, "lantern", "q=elephant")
    assert page["items"] == [] and "annotations" not in page


def test_motivation_filters_and_unimplemented_parameters_are_listed_as_ignored(client):
    assert search(client, "lantern", "q=gieng&motivation=painting")["items"] == []
    assert len(search(client, "lantern", "q=gieng&motivation=painting+supplementing")["items"]) == 1
    page = search(client, "lantern", "q=gieng&user=https%3A%2F%2Fexample.com%2Fu&date=x")
    assert page["ignored"] == ["date", "user"] and len(page["items"]) == 1
    assert not same_shape(page, golden("ignored"))


@pytest.mark.parametrize("query", ["", "q=", "q=+++", "q=%21%3F", "q=" + "a" * 1001])
@pytest.mark.parametrize("service", ["search", "autocomplete"])
def test_a_missing_or_unusable_q_is_a_400_naming_q(client, query, service):
    error = get_json(client, f"/iiif/3/lantern/{service}?{query}", 400)["error"]
    assert error["status"] == 400 and error["parameter"] == "q", error


def test_autocomplete_min_must_be_a_whole_number(client):
    assert get_json(client, "/iiif/3/lantern/autocomplete?q=t&min=many", 400)["error"]["parameter"] == "min"


def test_autocomplete_completes_words_of_the_cues_diacritics_aside(client):
    page = get_json(client, "/iiif/3/lantern/autocomplete?q=ti")
    assert page["@context"] == SEARCH_CONTEXT and page["type"] == "TermPage"
    assert not same_shape(page, golden("autocomplete"))
    assert [term["value"] for term in page["items"]] == ["tiếng", "tiêu"]
    assert {term["value"]: term["total"] for term in page["items"]} == {"tiêu": 1, "tiếng": 1}
    assert [t["value"] for t in get_json(client, "/iiif/3/lantern/autocomplete?q=th")["items"]] == [
        "tháng", "thanh", "thành", "thắp", "the"]
    assert [t["value"] for t in get_json(client, "/iiif/3/lantern/autocomplete?q=th&min=2")["items"]] == ["the"]
    assert [t["value"] for t in get_json(client, "/iiif/3/lantern/autocomplete?q=元")["items"]] == ["元宵節快樂"]


@pytest.fixture(scope="module")
def staff(site):
    staff = create_app(site.settings, site).test_client()
    add_user(site, "search-editor", "editor")
    assert sign_in(staff, "search-editor").status_code == 302
    return staff


@pytest.mark.parametrize("path, said", [("/iiif/3/secret/search?q=kh%E1%BA%A5n", "Lời khấn bí mật"),
                                        ("/iiif/3/secret/autocomplete?q=kh", '"value": "khấn"'),
                                        ("/iiif/3/secret/manifest", "SearchService2")])
def test_a_restricted_item_answers_404_to_anonymous_as_its_manifest_does_and_its_words_to_staff(client, staff, path,
                                                                                               said):
    error = get_json(client, path, 404)["error"]
    assert error["status"] == 404 and "khấn" not in json.dumps(error, ensure_ascii=False)
    response = staff.get(path)
    assert response.status_code == 200 and said in response.get_data(as_text=True)
