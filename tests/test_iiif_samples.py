"""Every sample item's manifest and every collection validates against the Presentation 3 schema, served live."""
from __future__ import annotations

import json
import re
from pathlib import Path

import requests
from jsonschema import Draft7Validator
from sqlalchemy import select

from archive.access import visible_to_public
from archive.catalog.models import Collection, Item
from tests.live_server import live_app

SCHEMA = json.loads((Path(__file__).resolve().parent / "fixtures" / "iiif" / "iiif_3_0.json").read_text("utf-8"))
BODY_TYPES = {"image": "Image", "audio": "Sound", "video": "Video"}
LANGUAGE_TAG = re.compile(r"^(none|[a-z]{2,3}(-(Cham|Khmr|Hani|Hant|Hans|Latn|Arab))?(-([A-Z]{2}|[0-9]{3}))?)$")


def language_tags(node):
    """Every key of every language map (label, summary, metadata value…) and every ``language`` value."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("label", "summary", "value") and isinstance(value, dict):
                yield from value
            elif key == "language":
                yield from (value if isinstance(value, list) else [value])
            else:
                yield from language_tags(value)
    elif isinstance(node, list):
        for value in node:
            yield from language_tags(value)


def test_every_sample_manifest_and_collection_validates(sample_archive):
    validator = Draft7Validator(SCHEMA)
    with sample_archive.catalog.session() as s:
        items = {i.id: ([m.kind for m in i.media], visible_to_public(i)) for i in s.scalars(select(Item))}
        collections = list(s.scalars(select(Collection.id)))
    assert items and collections
    with live_app(sample_archive.settings.data_path) as live:
        for item_id, (kinds, public) in items.items():
            response = requests.get(f"{live.url}/iiif/3/{item_id}/manifest", timeout=60)
            if not public:
                assert response.status_code == 404, item_id
                continue
            assert response.status_code == 200, (item_id, response.text)
            manifest = response.json()
            assert [e.message for e in validator.iter_errors(manifest)] == [], item_id
            assert all(LANGUAGE_TAG.match(tag) for tag in language_tags(manifest)), item_id
            bodies = [a["body"] for c in manifest["items"] for p in c["items"] for a in p["items"]]
            assert [b["type"] for b in bodies] == [BODY_TYPES[k] for k in kinds], item_id
            for canvas, body in zip(manifest["items"], bodies):
                assert ("duration" in canvas) == (body["type"] in ("Sound", "Video")), item_id
        for collection_id in ["top", "cham", "hoa", "khmer", *collections]:
            response = requests.get(f"{live.url}/iiif/3/collection/{collection_id}", timeout=60)
            assert response.status_code == 200, (collection_id, response.text)
            assert [e.message for e in validator.iter_errors(response.json())] == [], collection_id
