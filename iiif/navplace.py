"""IIIF navPlace (https://iiif.io/api/extension/navplace/): where a manifest's or collection's items were made or
show, as a FeatureCollection of the archive's place features (archive.places) with IIIF labels."""
from __future__ import annotations

from archive.places import place_features
from archive.vocabularies import Vocabularies

from .labels import lang_map

NAVPLACE_CONTEXT = "http://iiif.io/api/extension/navplace/context.json"


def nav_place(vocab: Vocabularies, base_url: str, resource_id: str, place_ids: list[str]) -> dict | None:
    """The navPlace of a resource whose items are at ``place_ids`` (each place once; None when none has coordinates)."""
    features = place_features(vocab, base_url, [p for p in place_ids if p])
    if not features:
        return None
    return {"id": f"{resource_id}/feature-collection", "type": "FeatureCollection",
            "features": [{"id": f["id"], "type": "Feature", "properties": {"label": lang_map(f["properties"]["name"])},
                          "geometry": f["geometry"]} for f in features]}
