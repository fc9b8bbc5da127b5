"""/api/places.geojson: every place of archive/vocabularies/places.json with coordinates, as RFC 7946 GeoJSON that the
`geojson` library validates, in [longitude, latitude] order, names as language maps, links that answer."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

import geojson
import pytest

from archive.labels import PLACE_KINDS
from archive.vocabularies import Vocabularies

PLACES = [t for t in Vocabularies().terms("places") if t.get("coordinates")]


@pytest.fixture(scope="module")
def document(client) -> dict:
    response = client.get("/api/places.geojson")
    assert response.status_code == 200, response.text
    assert response.mimetype == "application/geo+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return json.loads(response.text)


def test_the_geojson_library_finds_a_valid_feature_collection(client, document):
    parsed = geojson.loads(client.get("/api/places.geojson").text)
    assert isinstance(parsed, geojson.FeatureCollection)
    assert parsed.is_valid, parsed.errors()
    assert all(isinstance(f, geojson.Feature) and isinstance(f.geometry, geojson.Point) for f in parsed.features)
    assert "crs" not in document  # RFC 7946 §4: WGS 84 only, no crs member


def test_every_place_with_coordinates_is_a_point_in_longitude_latitude_order(document):
    assert PLACES and len(document["features"]) == len(PLACES)
    by_id = {f["properties"]["id"]: f for f in document["features"]}
    for term in PLACES:
        lon, lat = by_id[term["id"]]["geometry"]["coordinates"]
        assert (lon, lat) == (term["coordinates"]["lon"], term["coordinates"]["lat"]), term["id"]
        assert 106 < lon < 107 and 10 < lat < 12, (term["id"], lon, lat)  # Ho Chi Minh City: x is longitude


def test_names_are_language_maps_in_every_script_with_kind_and_community(document):
    by_id = {f["properties"]["id"]: f["properties"] for f in document["features"]}
    assert by_id["tue-thanh-hoi-quan"]["name"]["zh-Hant"] == "穗城會館"
    assert by_id["chua-chantarangsay"]["name"]["km"] == "វត្តចន្ទរង្សី"
    for term in PLACES:
        props = by_id[term["id"]]
        assert props["name"] == term["label"] and {"vi", "en"} <= set(props["name"])
        assert props["kind"] == term["kind"] and props["kind_name"] == PLACE_KINDS[term["kind"]]
        assert props["community"] == term["community"]
        assert (props["community_name"] is None) == (term["community"] is None)
    assert by_id["chua-chantarangsay"]["community_name"]["vi"] == "Khmer"


def test_every_place_kind_has_a_name():
    assert {t["kind"] for t in Vocabularies().terms("places")} <= set(PLACE_KINDS)


def test_links_lead_to_the_place_page_and_its_items(client, document):
    for feature in document["features"]:
        place = feature["properties"]["id"]
        assert urlsplit(feature["id"]).path == "/api/places.geojson" and urlsplit(feature["id"]).fragment == place
        for lang in ("vi", "en"):
            page = urlsplit(feature["properties"]["links"]["page"][lang])
            assert page.path == f"/{lang}/places/{place}" and client.get(page.path).status_code == 200
            items = urlsplit(feature["properties"]["links"]["items"][lang])
            assert items.path == f"/{lang}/search" and items.query == f"place={place}"
            assert client.get(f"{items.path}?{items.query}").status_code == 200


def test_a_phone_coming_back_gets_a_304(client):
    first = client.get("/api/places.geojson")
    assert first.headers.get("ETag") and "no-cache" in first.headers["Cache-Control"]
    again = client.get("/api/places.geojson", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data
