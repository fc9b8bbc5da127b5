"""Text found by OCR in document images, searched on both backends as the item's text (never its description): a
Khmer and a Chinese word that only OCR read find their item, the hit locating the word's box on its canvas; a staff
correction is its page's text (no box); IIIF Content Search answers OCR lines on the canvas at the matched words'
box (#xywh=); and a restricted document's words are found by nobody who may not see it."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import event

from archive import indexing, ocr_changes, ocr_text
from archive.access import EVERYTHING, Viewer
from archive.context import Archive
from archive.vocabularies import Vocabularies
from archive.web import create_app
from ingest import ocr
from ingest.pipeline import Ingest
from search.labels import FacetLabels
from search.request import SearchRequest
from tests.conftest import SAMPLES, make_settings
from tests.test_iiif_content_search import golden, same_shape
from search.whoosh_backend import WhooshBackend
from tests.test_search_contract import BACKENDS, VOCAB, dispose, make_backend

OPENAPI = Path(__file__).resolve().parent.parent / "archive" / "web" / "openapi.yaml"
CC_BY = "http://creativecommons.org/licenses/by/4.0/"
FONT = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"
KHMER_WORD = "វត្តចន្ទរង្សី"  # the pagoda's name on the greeting card, drawn centred at (800, 1680)
CHINESE_WORD = "元宵"  # in the Lantern Festival card's line "元宵節快樂 — Nguyên Tiêu …" (its page 3, here canvas 2)
METADATA = f"""file,id,type,title_vi,title_en,community,languages,scripts,rights,access
khmer-new-year-greeting.png,greeting,document,Thiệp chúc,Greeting card,khmer,khm; vie; eng,Khmr; Latn,{CC_BY},public
hoa-calligraphy-1.png; hoa-calligraphy-3.png,lantern,set,Hai trang,Two pages,hoa,yue; vie,Hant; Latn,{CC_BY},public
leaflet.png,leaflet,document,Tờ rơi,Leaflet,cham,vie,,{CC_BY},public
secret.png,secret,document,Thư riêng,Private letter,khmer,vie,,{CC_BY},restricted
"""
CORRECTION = "Lễ hội Katê ở làng Pajau"  # staff's correction of the leaflet ("Pajau" is not in the image)
XYWH = re.compile(r"^(?P<canvas>[^#]+)#xywh=(?P<x>\d+),(?P<y>\d+),(?P<w>\d+),(?P<h>\d+)$")


def _draw(path, text: str) -> None:
    image = Image.new("RGB", (1200, 400), "white")
    ImageDraw.Draw(image).text((40, 150), text, font=ImageFont.truetype(FONT, 60), fill="black")
    image.save(path)


@pytest.fixture(scope="module")
def read(tmp_path_factory):
    """Two sample documents, a leaflet staff corrected and a restricted letter, ingested and read by OCR (as the
    worker reads them), with titles that name none of the words OCR finds."""
    root = tmp_path_factory.mktemp("search-ocr")
    media = root / "in"
    media.mkdir()
    for name in ("khmer-new-year-greeting.png", "hoa-calligraphy-1.png", "hoa-calligraphy-3.png"):
        (media / name).write_bytes((SAMPLES / "documents" / name).read_bytes())
    _draw(media / "leaflet.png", "Lễ hội Katê")
    _draw(media / "secret.png", "Lời nguyện của sư Sophal")
    (media / "metadata.csv").write_text(METADATA, "utf-8")
    archive = Archive(make_settings(root / "var", base_url="https://archive.example"))
    summary = Ingest(archive, progress=False).run([media], media / "metadata.csv")
    assert not summary.rejected, summary.lines()
    assert ocr.run_pending(archive) == 5
    with archive.catalog.session() as s:
        [leaflet] = ocr_text.pages(s, "leaflet")
    ocr_changes.correct(archive, "leaflet", leaflet.id, CORRECTION, Viewer(1, "editor", "ed"), expected_version=None)
    yield archive
    archive.catalog.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request, tmp_path_factory, read):
    backend = make_backend(request.param, tmp_path_factory.mktemp("ocr-index"), request)
    assert indexing.reindex(read, progress=False, backend=backend) == 4
    yield backend
    dispose(backend)


def search(backend, q: str = "", **options):
    return backend.search(SearchRequest(q=q, per_page=100, **options))


def box(xywh: str) -> tuple[int, ...]:
    return tuple(int(n) for n in xywh.split(","))


def test_a_reindex_reads_the_ocr_pages_of_a_chunk_of_items_in_one_query(read, tmp_path):
    """Not one query per item with images (three of the four here have OCR pages)."""
    statements = []

    def seen(_conn, _cursor, statement, *_):
        statements.append(statement)
    event.listen(read.catalog.engine, "before_cursor_execute", seen)
    backend = WhooshBackend(tmp_path / "ix", VOCAB)
    try:
        assert indexing.reindex(read, progress=False, backend=backend) == 4
    finally:
        event.remove(read.catalog.engine, "before_cursor_execute", seen)
        backend.close()
    assert sum("FROM ocr_pages" in statement for statement in statements) == 1, statements


def test_the_words_are_in_no_record():
    assert not {KHMER_WORD, CHINESE_WORD, "Pajau", "Sophal"} & set(re.findall(r"\w+", METADATA))
    assert all(word not in METADATA for word in (KHMER_WORD, CHINESE_WORD, "Pajau", "Sophal"))


def test_a_khmer_word_only_ocr_read_finds_the_document_with_the_words_box(loaded):
    [hit] = search(loaded, KHMER_WORD).hits
    assert hit.id == "greeting"
    [passage] = hit.passages
    assert passage["kind"] == "ocr" and f"<mark>{KHMER_WORD}</mark>" in passage["text"]
    assert passage["locator"]["canvas"] == 1 and "words" not in passage["locator"]
    x, y, w, h = box(passage["locator"]["xywh"])
    assert x < 800 < x + w and y < 1680 < y + h and w < 400 and h < 150  # the word, not the page
    assert KHMER_WORD not in json.dumps(hit.highlight, ensure_ascii=False)  # not in the description snippet
    assert hit.as_json()["passages"] == [passage]


def test_a_chinese_word_only_ocr_read_finds_the_set_on_its_page_at_the_words_box(loaded):
    [hit] = search(loaded, CHINESE_WORD).hits
    assert hit.id == "lantern"
    [passage] = hit.passages
    assert passage["text"].startswith("<mark>元宵</mark>節快樂")
    assert passage["locator"]["canvas"] == 2  # hoa-calligraphy-3.png, the set's second page
    with_words = {p["locator"]["xywh"] for p in search(loaded, "元宵 Nguyên Tiêu").hits[0].passages}
    x, y, w, h = box(passage["locator"]["xywh"])
    assert 1350 < y < y + h < 1420 and w < 200  # the two characters of the line at y ≈ 1373, not the line
    assert passage["locator"]["xywh"] not in with_words  # more words matched, a larger box


def test_a_staff_correction_is_the_text_of_its_page_without_a_box(loaded):
    [hit] = search(loaded, "Pajau").hits
    assert hit.id == "leaflet"
    assert hit.passages == [{"kind": "ocr", "lang": None, "locator": {"canvas": 1},
                             "text": "Lễ hội Katê ở làng <mark>Pajau</mark>"}]


def test_the_text_in_images_facet(loaded):
    assert search(loaded).facets["image_text"] == [("yes", 3)]
    assert search(loaded, scope=EVERYTHING).facets["image_text"] == [("yes", 4)]
    assert {hit.id for hit in search(loaded, filters={"image_text": ("yes",)}).hits} == {
        "greeting", "lantern", "leaflet"}
    assert FacetLabels(Vocabularies(), {}).label("image_text", "yes") == {
        "vi": "Có văn bản tìm thấy trong ảnh", "en": "Has text found in its images"}


def test_a_restricted_documents_words_are_never_found_by_an_anonymous_visitor(loaded):
    staff = search(loaded, "Sophal", scope=EVERYTHING)
    assert [hit.id for hit in staff.hits] == ["secret"] and staff.hits[0].passages[0]["kind"] == "ocr"
    for q in ("Sophal", "sophal", '"su sophal"'):
        result = search(loaded, q)
        assert (result.total, result.hits, result.did_you_mean) == (0, [], None)
        assert all(values == [] for values in result.facets.values())
    assert all("Sophal" not in str(hit.as_json()) for hit in search(loaded).hits)


@pytest.fixture(scope="module")
def client(read):
    return create_app(read.settings, read).test_client()


def test_api_and_search_page_show_the_ocr_hit_linking_to_the_viewer_on_the_word(client):
    body = client.get("/api/search", query_string={"q": KHMER_WORD, "lang": "en"}).get_json()
    [hit] = body["hits"]
    [passage] = hit["passages"]
    assert (hit["id"], passage["kind"], passage["locator"]["canvas"]) == ("greeting", "ocr", 1)
    document = yaml.safe_load(OPENAPI.read_text("utf-8"))
    for schema, value in (("SearchResult", body), ("ImageTextLocator", passage["locator"])):
        validator = Draft202012Validator({"components": document["components"],
                                          "$ref": f"#/components/schemas/{schema}"})
        assert not list(validator.iter_errors(value)), list(validator.iter_errors(value))
    pajau = client.get("/api/search", query_string={"q": "Pajau"}).get_json()
    assert pajau["hits"][0]["passages"][0]["locator"] == {"canvas": 1}
    assert not list(Draft202012Validator({"components": document["components"],
                                          "$ref": "#/components/schemas/SearchResult"}).iter_errors(pajau))
    page = client.get("/en/search", query_string={"q": KHMER_WORD}).get_data(as_text=True)
    link = re.search(r'<a class="ocr-hit" href="/en/items/greeting\?canvas=1&amp;xywh=([\d,]+)"', page)
    assert link and link[1] == passage["locator"]["xywh"], page
    assert "Text in the image" in page and f"<mark>{KHMER_WORD}</mark>" in page
    assert client.get("/api/search", query_string={"q": "Sophal"}).get_json()["hits"] == []
    corrected = client.get("/vi/search", query_string={"q": "Pajau"}).get_data(as_text=True)
    assert '<a class="ocr-hit" href="/vi/items/leaflet?canvas=1">' in corrected  # the page, no box


def test_content_search_answers_the_words_box_on_the_canvas(client):
    page = client.get(f"/iiif/3/greeting/search?q={KHMER_WORD}").get_json()
    assert not same_shape(page, golden("simple-list")), same_shape(page, golden("simple-list"))
    [annotation] = page["items"]
    assert annotation["motivation"] == "supplementing" and KHMER_WORD in annotation["body"]["value"]
    target = XYWH.match(annotation["target"])
    assert target, annotation["target"]
    canvases = [c["id"] for c in client.get("/iiif/3/greeting/manifest").get_json()["items"]]
    assert target["canvas"] == canvases[0]
    x, y, w, h = (int(target[k]) for k in "xywh")
    assert x < 800 < x + w and y < 1680 < y + h and w < 400
    [match] = page["annotations"][0]["items"]
    assert match["target"]["source"] == annotation["id"]
    assert match["target"]["selector"][0]["exact"] == KHMER_WORD


def test_content_search_finds_the_chinese_word_on_the_sets_second_canvas(client):
    [annotation] = client.get(f"/iiif/3/lantern/search?q={CHINESE_WORD}").get_json()["items"]
    canvases = [c["id"] for c in client.get("/iiif/3/lantern/manifest").get_json()["items"]]
    target = XYWH.match(annotation["target"])
    assert target and target["canvas"] == canvases[1]
    assert 1350 < int(target["y"]) and int(target["w"]) < 200
    completed = client.get("/iiif/3/lantern/autocomplete?q=元").get_json()["items"]
    assert "元宵節快樂" in [t["value"] for t in completed]
    page = client.get("/iiif/3/lantern/search?q=khoai").get_json()  # "… Nguyên Tiêu tiết khoái lạc — …"
    assert not same_shape(page, golden("match-highlighting")), same_shape(page, golden("match-highlighting"))
    [match] = page["annotations"][0]["items"]
    assert match["target"]["selector"][0]["exact"] == "khoái"
    assert int(XYWH.match(page["items"][0]["target"])["w"]) < 100  # the one word


def test_content_search_answers_a_correction_on_the_whole_canvas(client):
    [annotation] = client.get("/iiif/3/leaflet/search?q=pajau").get_json()["items"]
    canvas = client.get("/iiif/3/leaflet/manifest").get_json()["items"][0]["id"]
    assert annotation["target"] == canvas and annotation["body"]["value"] == CORRECTION
    assert [t["value"] for t in client.get("/iiif/3/leaflet/autocomplete?q=paj").get_json()["items"]] == ["pajau"]


def test_content_search_of_a_restricted_document_is_404_to_an_anonymous_visitor(client):
    for path in ("/iiif/3/secret/search?q=Sophal", "/iiif/3/secret/autocomplete?q=Soph", "/iiif/3/secret/manifest"):
        response = client.get(path)
        assert response.status_code == 404 and "Sophal" not in response.get_data(as_text=True)
