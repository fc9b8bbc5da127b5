"""Our manifest builder, given the inputs of an IIIF Cookbook recipe, makes a manifest of the recipe's structure.

Compared key by key, recursively, in list order; id values and URL values are ignored, every other value counts.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from iiif.presentation import CanvasSpec, Content, ImageService, ManifestSpec, TextTrack, build_manifest

COOKBOOK = Path(__file__).resolve().parent / "fixtures" / "iiif" / "cookbook"
BASE = "https://example.org/iiif"
IMAGE_API = "https://iiif.io/api/image/3.0/example/reference"


def differences(ours, theirs, path="$") -> list[str]:
    if isinstance(theirs, dict):
        if not isinstance(ours, dict):
            return [f"{path}: {type(ours).__name__} instead of an object"]
        found = [f"{path}: keys {sorted(set(ours) ^ set(theirs))} differ"] if set(ours) != set(theirs) else []
        for key in set(ours) & set(theirs):
            if key != "id":
                found += differences(ours[key], theirs[key], f"{path}.{key}")
        return found
    if isinstance(theirs, list):
        if not isinstance(ours, list) or len(ours) != len(theirs):
            return [f"{path}: {ours!r} instead of a list of {len(theirs)}"]
        return [d for i, (a, b) in enumerate(zip(ours, theirs)) for d in differences(a, b, f"{path}[{i}]")]
    if isinstance(theirs, str) and theirs.startswith(("http://", "https://")):
        return [] if isinstance(ours, str) and ours.startswith(("http://", "https://")) else [f"{path}: not a URL"]
    return [] if ours == theirs and type(ours) is type(theirs) else [f"{path}: {ours!r} instead of {theirs!r}"]


def image_canvas(n: int, width: int, height: int, profile: str | None = "level1", label=None, name="image"):
    service = ImageService(f"{IMAGE_API}/{name}{n}", profile) if profile else None
    body = Content(f"{IMAGE_API}/{name}{n}/full/max/0/default.jpg", "Image", "image/jpeg", width, height,
                   service=service)
    return CanvasSpec(f"{BASE}/canvas/{n}", body, width, height, label=label)


RECIPES = {
    "0001-mvm-image": ManifestSpec(
        f"{BASE}/0001/manifest", {"en": ["Single Image Example"]},
        [CanvasSpec(f"{BASE}/canvas/1", Content(f"{BASE}/page1-full.png", "Image", "image/png", 1200, 1800),
                    1200, 1800)]),
    "0002-mvm-audio": ManifestSpec(
        f"{BASE}/0002/manifest", {"en": ["Simplest Audio Example 1"]},
        [CanvasSpec(f"{BASE}/canvas/1", Content(f"{BASE}/128Kbps.mp4", "Sound", "audio/mp4", duration=1985.024),
                    duration=1985.024)]),
    "0003-mvm-video": ManifestSpec(
        f"{BASE}/0003/manifest", {"en": ["Video Example 3"]},
        [CanvasSpec(f"{BASE}/canvas/1", Content(f"{BASE}/lunchroom.mp4", "Video", "video/mp4", 480, 360, 572.034),
                    480, 360, 572.034)]),
    "0006-text-language": ManifestSpec(
        f"{BASE}/0006/manifest", {"en": ["Whistler's Mother"], "fr": ["La Mère de Whistler"]},
        [image_canvas(1, 1114, 991, name="whistler")],
        summary={"en": ["Arrangement in Grey and Black No. 1, also called Portrait of the Artist's Mother."],
                 "fr": ["Arrangement en gris et noir n°1, also called Portrait de la mère de l'artiste."]},
        metadata=[({"en": ["Creator"], "fr": ["Auteur"]}, {"none": ["Whistler, James Abbott McNeill"]}),
                  ({"en": ["Subject"], "fr": ["Sujet"]},
                   {"en": ["McNeill Anna Matilda, mother of Whistler (1804-1881)"],
                    "fr": ["McNeill Anna Matilda, mère de Whistler (1804-1881)"]})],
        required_statement=({"en": ["Held By"], "fr": ["Détenu par"]}, {"none": ["Musée d'Orsay, Paris, France"]})),
    "0009-book-1": ManifestSpec(
        f"{BASE}/0009/manifest", {"en": ["Simple Manifest - Book"]},
        [image_canvas(n, w, h, label={"en": [label]}, name="gallica") for n, (label, w, h) in enumerate(
            [("Blank page", 3204, 4613), ("Frontispiece", 3186, 4612), ("Title page", 3204, 4613),
             ("Blank page", 3174, 4578), ("Bookplate", 3198, 4632)], 1)],
        behavior=["paged"]),
    "0219-using-caption-file": ManifestSpec(
        f"{BASE}/0219/manifest", {"en": ["Lunchroom Manners"]},
        [CanvasSpec(f"{BASE}/canvas/1", Content(f"{BASE}/lunchroom.mp4", "Video", "video/mp4", 480, 360, 572.034),
                    480, 360, 572.034,
                    tracks=[TextTrack(f"{BASE}/lunchroom.vtt", "en", {"en": ["Captions in WebVTT format"]})])]),
}


@pytest.mark.parametrize("recipe", sorted(RECIPES))
def test_builder_makes_the_recipe_structure(recipe):
    theirs = json.loads((COOKBOOK / f"{recipe}.json").read_text("utf-8"))
    ours = build_manifest(RECIPES[recipe])
    if recipe == "0219-using-caption-file":
        # One deliberate addition to the recipe: the caption file is the canvas's rendering too, where Universal
        # Viewer looks for captions; the recipe's supplementing annotation stays as it is, for Mirador.
        canvas = ours["items"][0]
        caption = canvas["annotations"][0]["items"][0]["body"]
        assert canvas["rendering"] == [{"id": caption["id"], "type": "Text", "format": "text/vtt",
                                        "label": caption["label"], "language": [caption["language"]]}]
        del canvas["rendering"]
    assert differences(ours, theirs) == []


def test_comparison_sees_a_structural_change():
    theirs = json.loads((COOKBOOK / "0219-using-caption-file.json").read_text("utf-8"))
    spec = RECIPES["0219-using-caption-file"]
    without_captions = ManifestSpec(spec.id, spec.label, [CanvasSpec(**{**vars(spec.canvases[0]), "tracks": []})])
    assert differences(build_manifest(without_captions), theirs) == ["$.items[0]: keys ['annotations'] differ"]
    video_as_image = ManifestSpec(spec.id, spec.label, [CanvasSpec(
        spec.canvases[0].id, Content(f"{BASE}/x.mp4", "Image", "video/mp4", 480, 360, 572.034), 480, 360, 572.034)])
    assert "$.items[0].items[0].items[0].body.type: 'Image' instead of 'Video'" in differences(
        build_manifest(video_as_image), {**theirs, "items": [{**theirs["items"][0], "annotations": []}]})
