"""Item-type labels and the site's languages are declared once (archive/labels.py) and every door says the same:
search facets, IIIF manifests and the site's pages."""
from __future__ import annotations

from flask import g

from archive.labels import ITEM_TYPES, SITE_LANGS
from archive.web import create_app
from iiif import labels as iiif_labels
from search.labels import FacetLabels
from tests.conftest import make_settings


def test_every_door_names_every_type_the_same_in_every_language(tmp_path):
    facets = FacetLabels(vocab=None, collections={})
    app = create_app(make_settings(tmp_path / "var", workers=1))
    type_name = app.jinja_env.globals["type_name"]
    for type_, label in ITEM_TYPES.items():
        assert set(label) == set(SITE_LANGS)
        assert facets.label("type", type_) == label
        assert iiif_labels.TYPES[type_] == {lang: [text] for lang, text in label.items()}
        for lang in SITE_LANGS:
            with app.test_request_context(f"/{lang}/"):
                g.lang = lang
                assert type_name(type_) == label[lang]
    assert ITEM_TYPES["set"]["vi"] == "Bộ tư liệu"  # once "Nhóm tư liệu" in IIIF


def test_the_site_serves_exactly_its_languages(tmp_path):
    client = create_app(make_settings(tmp_path / "var", workers=1)).test_client()
    for lang in SITE_LANGS:
        assert client.get(f"/{lang}/").status_code == 200
    assert client.get("/fr/").status_code == 404
