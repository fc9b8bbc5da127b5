"""A small description of Presentation 3 manifests and collections, built into JSON with iiif-prezi3.

The specs name only what a document holds; this module decides its shape (annotation pages, painting and
supplementing annotations, services), so every manifest the archive makes has the same structure as the IIIF
Cookbook's recipes. Optional parts left empty are left out of the document.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from iiif_prezi3 import (AnnotationBody, Annotation, AnnotationPage, Canvas, Collection, CollectionRef, Homepage,
                         KeyValueString, LinkedResource, Manifest, ManifestRef, NavPlace, Provider, ServiceV3)

from .labels import LangMap
from .navplace import NAVPLACE_CONTEXT

PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"


@dataclass
class Link:
    """A linked resource: homepage, seeAlso, rendering or partOf."""

    id: str
    type: str
    label: LangMap | None = None
    format: str | None = None
    language: list[str] | None = None


@dataclass
class ImageService:
    id: str
    profile: str = "level2"


@dataclass
class Content:
    """A content resource: the body painted on a canvas, or a thumbnail."""

    id: str
    type: str  # Image | Sound | Video
    format: str | None = None
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    service: ImageService | None = None


@dataclass
class TextTrack:
    """A WebVTT file (captions or transcript) supplementing a canvas."""

    id: str
    language: str
    label: LangMap
    format: str = "text/vtt"


@dataclass
class SearchService:
    """A Content Search 2 service and its autocomplete."""

    id: str
    autocomplete: str


@dataclass
class CanvasSpec:
    id: str
    body: Content
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    label: LangMap | None = None
    thumbnail: list[Content] = field(default_factory=list)
    tracks: list[TextTrack] = field(default_factory=list)


@dataclass
class Agent:
    id: str
    label: LangMap
    homepage: list[Link] = field(default_factory=list)


@dataclass
class ManifestSpec:
    id: str
    label: LangMap
    canvases: list[CanvasSpec]
    summary: LangMap | None = None
    metadata: list[tuple[LangMap, LangMap]] = field(default_factory=list)
    rights: str | None = None
    required_statement: tuple[LangMap, LangMap] | None = None
    provider: list[Agent] = field(default_factory=list)
    thumbnail: list[Content] = field(default_factory=list)
    homepage: list[Link] = field(default_factory=list)
    see_also: list[Link] = field(default_factory=list)
    rendering: list[Link] = field(default_factory=list)
    part_of: list[Link] = field(default_factory=list)
    nav_date: datetime | None = None
    nav_place: dict | None = None  # a navPlace FeatureCollection (iiif.navplace)
    behavior: list[str] = field(default_factory=list)
    search: SearchService | None = None


@dataclass
class Reference:
    """An entry of a collection: a manifest or another collection."""

    id: str
    type: str  # Manifest | Collection
    label: LangMap
    thumbnail: list[Content] = field(default_factory=list)


@dataclass
class CollectionSpec:
    id: str
    label: LangMap
    items: list[Reference]
    summary: LangMap | None = None
    provider: list[Agent] = field(default_factory=list)
    homepage: list[Link] = field(default_factory=list)
    thumbnail: list[Content] = field(default_factory=list)
    nav_place: dict | None = None


def _present(**values) -> dict:
    """Keyword arguments without the empty ones (prezi3 would otherwise write empty lists)."""
    return {k: v for k, v in values.items() if v not in (None, [], {})}


def _link(cls, link: Link):
    return cls(**_present(id=link.id, type=link.type, label=link.label, format=link.format, language=link.language))


def _content(c: Content) -> AnnotationBody:
    service = [ServiceV3(id=c.service.id, type="ImageService3", profile=c.service.profile)] if c.service else None
    return AnnotationBody(**_present(id=c.id, type=c.type, format=c.format, width=c.width, height=c.height,
                                     duration=None if c.duration is None else float(c.duration), service=service))


def _agent(a: Agent) -> Provider:
    return Provider(**_present(id=a.id, label=a.label, homepage=[_link(Homepage, h) for h in a.homepage]))


def _canvas(spec: CanvasSpec) -> Canvas:
    painting = Annotation(id=f"{spec.id}/page/painting", motivation="painting", target=spec.id,
                          body=_content(spec.body))
    tracks = [Annotation(id=f"{spec.id}/annotations/{n}", motivation="supplementing", target=spec.id,
                         body=AnnotationBody(id=t.id, type="Text", format=t.format, label=t.label,
                                             language=t.language))
              for n, t in enumerate(spec.tracks, 1)]
    # The same WebVTT files as the canvas's renderings too: Universal Viewer reads captions from there, Mirador and
    # the Cookbook (recipe 0219) from the supplementing annotations. (Their languages: _track_languages.)
    captions = [LinkedResource(id=t.id, type="Text", format=t.format, label=t.label) for t in spec.tracks]
    return Canvas(**_present(
        id=spec.id, label=spec.label, width=spec.width, height=spec.height,
        duration=None if spec.duration is None else float(spec.duration),
        thumbnail=[_content(t) for t in spec.thumbnail], rendering=captions,
        items=[AnnotationPage(id=f"{spec.id}/page", items=[painting])],
        annotations=[AnnotationPage(id=f"{spec.id}/annotations", items=tracks)] if tracks else None))


def _search_service(search: SearchService) -> ServiceV3:
    return ServiceV3(id=search.id, type="SearchService2",
                     service=[ServiceV3(id=search.autocomplete, type="AutoCompleteService2")])


def _dump(resource) -> dict:
    """The resource as JSON; with navPlace, its extension's context comes before Presentation 3's (the extension's
    rule: the Presentation context last)."""
    document = json.loads(resource.jsonld())
    if "navPlace" in document:
        document["@context"] = [NAVPLACE_CONTEXT, PRESENTATION_CONTEXT]
    return document


def _nav_place(value: dict | None) -> NavPlace | None:
    return NavPlace(**value) if value else None


def build_manifest(spec: ManifestSpec) -> dict:
    statement = spec.required_statement
    manifest = Manifest(**_present(
        id=spec.id, label=spec.label, summary=spec.summary,
        metadata=[KeyValueString(label=k, value=v) for k, v in spec.metadata],
        rights=spec.rights,
        requiredStatement=KeyValueString(label=statement[0], value=statement[1]) if statement else None,
        provider=[_agent(a) for a in spec.provider],
        thumbnail=[_content(t) for t in spec.thumbnail],
        homepage=[_link(Homepage, h) for h in spec.homepage],
        seeAlso=[_link(LinkedResource, s) for s in spec.see_also],
        rendering=[_link(LinkedResource, r) for r in spec.rendering],
        partOf=[_link(LinkedResource, p) for p in spec.part_of],
        navDate=spec.nav_date, navPlace=_nav_place(spec.nav_place), behavior=spec.behavior,
        service=[_search_service(spec.search)] if spec.search else None,
        items=[_canvas(c) for c in spec.canvases]))
    document = _dump(manifest)
    for canvas, canvas_spec in zip(document["items"], spec.canvases):
        _track_languages(canvas, canvas_spec.tracks)
    return document


def _track_languages(canvas: dict, tracks: list[TextTrack]) -> None:
    """iiif-prezi3's LinkedResource drops ``language``, which Presentation 3 allows on external resources and viewers
    use to name a caption track, so the canvas's caption renderings get theirs in the JSON."""
    for rendering, track in zip(canvas.get("rendering", []), tracks):
        rendering["language"] = [track.language]


def build_collection(spec: CollectionSpec) -> dict:
    refs = [(ManifestRef if r.type == "Manifest" else CollectionRef)(
        **_present(id=r.id, type=r.type, label=r.label, thumbnail=[_content(t) for t in r.thumbnail]))
        for r in spec.items]
    collection = Collection(**_present(
        id=spec.id, label=spec.label, summary=spec.summary, provider=[_agent(a) for a in spec.provider],
        homepage=[_link(Homepage, h) for h in spec.homepage], thumbnail=[_content(t) for t in spec.thumbnail],
        navPlace=_nav_place(spec.nav_place), items=refs))
    return _dump(collection)
