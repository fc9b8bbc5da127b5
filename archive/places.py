"""The places that have coordinates as GeoJSON features (RFC 7946): one shape read by /api/places.geojson, the site's
maps and IIIF navPlace.

A feature's names are the place's language map (vi, en and the original script); its id is a URI (navPlace asks for
one) that resolves to the GeoJSON document holding it.
"""
from __future__ import annotations

from urllib.parse import quote, urlencode

from .labels import PLACE_KINDS, SITE_LANGS
from .vocabularies import Vocabularies

GEOJSON_PATH = "/api/places.geojson"


def place_feature(vocab: Vocabularies, term: dict, base_url: str) -> dict:
    """A place term as a GeoJSON Point feature ([longitude, latitude], WGS 84), with links to its pages and items."""
    community = vocab.get("communities", term["community"]) if term.get("community") else None
    place = quote(term["id"], safe="")
    return {
        "type": "Feature",
        "id": f"{base_url}{GEOJSON_PATH}#{place}",
        "geometry": {"type": "Point", "coordinates": [term["coordinates"]["lon"], term["coordinates"]["lat"]]},
        "properties": {
            "id": term["id"],
            "name": term["label"],
            "kind": term["kind"],
            "kind_name": PLACE_KINDS.get(term["kind"], {lang: term["kind"] for lang in SITE_LANGS}),
            "community": term.get("community"),
            "community_name": community["label"] if community else None,
            "address": term.get("address", {}),
            "coordinates_verified": bool(term.get("coordinates_verified")),
            "links": {
                "page": {lang: f"{base_url}/{lang}/places/{place}" for lang in SITE_LANGS},
                "items": {lang: f"{base_url}/{lang}/search?{urlencode({'place': term['id']})}" for lang in SITE_LANGS},
            },
        },
    }


def place_features(vocab: Vocabularies, base_url: str, ids: list[str] | None = None) -> list[dict]:
    """The features of the places with coordinates, in the vocabulary's order (only ``ids``, in their order, when
    given; a place without coordinates or unknown is left out)."""
    terms = vocab.terms("places") if ids is None else [t for i in dict.fromkeys(ids) if (t := vocab.get("places", i))]
    return [place_feature(vocab, t, base_url) for t in terms if t.get("coordinates")]


def feature_collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}
