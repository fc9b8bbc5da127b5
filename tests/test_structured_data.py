"""schema.org JSON-LD on every kind of public page, expanded with a JSON-LD processor (PyLD) offline against the
vendored schema.org context (tests/fixtures/schemaorg), each node checked against the properties schema.org defines for
its type; and the pages' ARIA naming valid (no aria-labelledby on an element without a role)."""
from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pyld import jsonld
from sqlalchemy import select

from archive.catalog.models import Item
from archive.context import Archive
from archive.web import create_app

from .conftest import make_settings
from .staff_client import import_items

FIXTURES = Path(__file__).parent / "fixtures" / "schemaorg"
CONTEXT = json.loads((FIXTURES / "context.jsonld").read_text("utf-8"))
ALLOWED = json.loads((FIXTURES / "properties.json").read_text("utf-8"))
SCHEMA = "http://schema.org/"
SCHEMA_ORG = {"https://schema.org", "https://schema.org/", "http://schema.org", "http://schema.org/"}
LANGS = ("vi", "en")


def offline_loader(url: str, options=None) -> dict:
    """PyLD's document loader: the vendored schema.org context for schema.org, nothing else (no network)."""
    if url in SCHEMA_ORG:
        return {"contextUrl": None, "documentUrl": url, "document": CONTEXT}
    raise jsonld.JsonLdError(f"offline: no document for {url}", "jsonld.LoadDocumentError",
                             code="loading document failed")


def expand(doc: dict) -> list[dict]:
    return jsonld.expand(doc, {"documentLoader": offline_loader})


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.jsonld: list[str] = []
        self._in_jsonld = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_jsonld = tag == "script" and dict(attrs).get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_jsonld:
            self.jsonld.append(data)

    def handle_endtag(self, tag):
        self._in_jsonld = False


def page_of(client, path: str) -> _Page:
    response = client.get(path)
    assert response.status_code == 200, path
    page = _Page()
    page.feed(response.get_data(as_text=True))
    return page


def data_of(client, path: str) -> dict:
    page = page_of(client, path)
    assert len(page.jsonld) == 1, f"{path}: {len(page.jsonld)} JSON-LD scripts"
    return json.loads(page.jsonld[0])


def nodes(expanded) -> list[dict]:
    """Every node object (one with an @type) in an expanded document, nested ones included."""
    found = []
    for value in expanded if isinstance(expanded, list) else [expanded]:
        if isinstance(value, dict) and "@value" not in value:
            if "@type" in value:
                found.append(value)
            for key, inner in value.items():
                if not key.startswith("@"):
                    found += nodes(inner)
    return found


def assert_valid(doc: dict, where: str) -> list[dict]:
    """Expand ``doc``; every property must be schema.org's and allowed on each type of its node. Returns the nodes."""
    expanded = expand(doc)
    assert expanded, where
    found = nodes(expanded)
    for node in found:
        types = [t.removeprefix(SCHEMA) for t in node["@type"]]
        for key in node:
            if key.startswith("@"):
                continue
            assert key.startswith(SCHEMA), f"{where}: {key} is not a schema.org property"
            prop = key.removeprefix(SCHEMA)
            for type_ in types:
                assert prop in ALLOWED[type_], f"{where}: {prop} is not a property of {type_}"
    return found


def values(node: dict, prop: str) -> list:
    return [v.get("@value", v.get("@id", v)) for v in node.get(SCHEMA + prop, [])]


def of_type(found: list[dict], type_: str) -> list[dict]:
    return [n for n in found if SCHEMA + type_ in n["@type"]]


@pytest.fixture(scope="module")
def items(sample_archive) -> dict[str, Item]:
    """One public sample item per type, detached with its record and media."""
    with sample_archive.catalog.session() as s:
        public = select(Item).where(Item.status == "published", Item.access == "public",
                                    Item.embargo_until.is_(None)).order_by(Item.id)
        found: dict[str, tuple] = {}
        for item in s.scalars(public):
            found.setdefault(item.type, (item.id, item.record, [m.kind for m in item.media], item.created_at))
        return found


def test_media_items_are_media_objects_with_their_files_and_upload_date(client, items):
    for kind, type_ in (("image", "ImageObject"), ("audio", "AudioObject"), ("video", "VideoObject")):
        item_id, record, _, created = items[kind]
        for lang in LANGS:
            found = assert_valid(data_of(client, f"/{lang}/items/{item_id}"), f"{kind} {lang}")
            node = found[0]
            assert node["@type"] == [SCHEMA + type_]
            assert values(node, "uploadDate") == [created.date().isoformat()]
            assert values(node, "encodingFormat") and values(node, "width") or kind == "audio"
            if kind != "image":
                assert values(node, "contentUrl")[0].startswith("http") and values(node, "duration")[0].startswith("PT")


@pytest.mark.parametrize("kind, type_, files", [("document", "DigitalDocument", "associatedMedia"),
                                                ("set", "CreativeWork", "hasPart")])
def test_documents_and_sets_list_their_files_as_media_objects(client, items, kind, type_, files):
    item_id, _, media_kinds, created = items[kind]
    found = assert_valid(data_of(client, f"/en/items/{item_id}"), kind)
    node = found[0]
    assert node["@type"] == [SCHEMA + type_]
    for prop in ("contentUrl", "width", "height", "encodingFormat", "uploadDate"):
        assert SCHEMA + prop not in node, f"{kind}: {prop} on a {type_}"
    parts = node[SCHEMA + files]
    assert len(parts) == len(media_kinds)
    for part, media_kind in zip(parts, media_kinds):
        assert part["@type"] == [SCHEMA + {"image": "ImageObject"}.get(media_kind, "MediaObject")]
        assert values(part, "uploadDate") == [created.date().isoformat()] and values(part, "width")


def test_in_language_is_the_items_own_languages(client, items, sample_archive):
    seen = 0
    for item_id, record, _, _ in items.values():
        for lang in LANGS:
            node = assert_valid(data_of(client, f"/{lang}/items/{item_id}"), item_id)[0]
            expected = {"vie": "vi", "eng": "en", "khm": "km"}
            languages = [expected.get(code, code) for code in record.get("languages", [])]
            assert values(node, "inLanguage") == languages, (item_id, lang)
            seen += bool(languages)
    assert seen, "no sample item with languages"


CREATED = {"id": "jsonld-oral-history", "type": "audio", "community": "khmer", "collections": [],
           "title": {"vi": "Phỏng vấn nghệ nhân Rô-băm", "en": "Interview with a Robam dancer", "km": "របាំ"},
           "languages": ["khm", "vie", "cja", "cmn", "yue"],
           "creators": [{"name": "Thạch Thị Sa Rươne", "role": "interviewee"},
                        {"name": "Lê Minh Đức", "role": "interviewer"},
                        {"name": "Sơn Ngọc Hoàng", "role": "photographer"},
                        {"name": "Chùa Chantarangsay", "role": "depositor"},
                        {"name": "Dự án Lưu trữ Di sản", "role": "creator"},
                        {"name": "Kim Thị Huỳnh", "role": "translator"}]}


@pytest.fixture(scope="module")
def own_client(tmp_path_factory):
    root = tmp_path_factory.mktemp("jsonld")
    archive = Archive(make_settings(root / "var"))
    import_items(archive, root, [CREATED])
    yield create_app(archive.settings, archive).test_client()
    archive.catalog.dispose()


def test_creators_are_typed_people_or_organisations_and_languages_are_bcp47(own_client):
    node = assert_valid(data_of(own_client, "/en/items/jsonld-oral-history"), "oral history")[0]
    creators = {values(c, "name")[0]: [t.removeprefix(SCHEMA) for t in c["@type"]] for c in node[SCHEMA + "creator"]}
    assert creators == {"Thạch Thị Sa Rươne": ["Person"], "Lê Minh Đức": ["Person"], "Sơn Ngọc Hoàng": ["Person"],
                        "Chùa Chantarangsay": ["Organization"], "Dự án Lưu trữ Di sản": ["Organization"]}
    [translator] = node[SCHEMA + "translator"]
    assert values(translator, "name") == ["Kim Thị Huỳnh"]
    # The item's languages (ISO 639-3 in the record) as BCP 47: two letters where ISO 639-1 has a code.
    assert values(node, "inLanguage") == ["km", "vi", "cja", "zh", "yue"]
    assert values(node, "alternateName") == ["Phỏng vấn nghệ nhân Rô-băm", "របាំ"]


def test_place_pages_describe_a_place_with_its_position(client, sample_archive):
    place = sample_archive.vocab.get("places", "tue-thanh-hoi-quan")
    for lang in LANGS:
        found = assert_valid(data_of(client, f"/{lang}/places/tue-thanh-hoi-quan"), f"place {lang}")
        node = found[0]
        assert node["@type"] == [SCHEMA + "Place"]
        assert values(node, "name") == [place["label"][lang]] and "穗城會館" in values(node, "alternateName")
        assert values(node, "address") == [place["address"][lang]]
        [geo] = node[SCHEMA + "geo"]
        assert geo["@type"] == [SCHEMA + "GeoCoordinates"]
        assert values(geo, "latitude") == [place["coordinates"]["lat"]]
        assert values(geo, "longitude") == [place["coordinates"]["lon"]]


def test_festival_pages_describe_a_yearly_event(client, sample_archive):
    festival = sample_archive.vocab.get("festivals", "kate")
    for lang in LANGS:
        node = assert_valid(data_of(client, f"/{lang}/festivals/kate"), f"festival {lang}")[0]
        assert node["@type"] == [SCHEMA + "Event"] and values(node, "name") == [festival["label"][lang]]
        [schedule] = node[SCHEMA + "eventSchedule"]
        assert values(schedule, "repeatFrequency") == ["P1Y"]
        assert values(schedule, "description") == [festival["date_rule"][lang]]


def test_collection_pages_describe_a_collection_with_its_size_and_items(client, sample_archive):
    html_page = client.get("/en/collections/cham-heritage").get_data(as_text=True)
    for lang in LANGS:
        node = assert_valid(data_of(client, f"/{lang}/collections/cham-heritage"), f"collection {lang}")[0]
        assert node["@type"] == [SCHEMA + "Collection"]
        size = values(node, "collectionSize")[0]
        parts = node[SCHEMA + "hasPart"]
        assert size >= len(parts) >= 1
        for part in parts:
            assert part["@id"].startswith(sample_archive.settings.base_url + f"/{lang}/items/")
    assert f"{size} item" in html_page


def test_exhibit_pages_describe_a_creative_work_of_its_items(client):
    for lang in LANGS:
        node = assert_valid(data_of(client, f"/{lang}/exhibits/kate-festival"), f"exhibit {lang}")[0]
        assert node["@type"] == [SCHEMA + "CreativeWork"]
        assert values(node, "inLanguage") == [lang] and values(node, "name")
        assert node[SCHEMA + "hasPart"] and all("/items/" in part["@id"] for part in node[SCHEMA + "hasPart"])


def test_the_offline_loader_loads_nothing_else():
    with pytest.raises(jsonld.JsonLdError):
        expand({"@context": "https://example.org/context.jsonld", "name": "x"})


def test_no_page_names_a_plain_element_with_aria_labelledby(client, items):
    """ARIA 1.2 prohibits naming a generic element (a div or span without a role); the W3C checker reports it."""
    paths = ["/{lang}/", "/{lang}/search?q=kat%C3%AA", "/{lang}/browse", "/{lang}/places/tue-thanh-hoi-quan",
             "/{lang}/festivals/kate", "/{lang}/collections/cham-heritage", "/{lang}/exhibits/kate-festival",
             *(f"/{{lang}}/items/{item_id}" for item_id, *_ in items.values())]
    transcripts = 0
    for template in paths:
        for lang in LANGS:
            page = page_of(client, template.format(lang=lang))
            for tag, attrs in page.tags:
                if "aria-labelledby" in attrs:
                    assert tag not in ("div", "span") or attrs.get("role"), (template, tag, attrs)
                transcripts += tag == "section" and "transcripts" in attrs.get("class", "")
    assert transcripts, "no page with a transcript was checked"
