"""The Presentation 3 manifest of an item: one canvas per media file (image, audio or video), in file order."""
from __future__ import annotations

from datetime import datetime, timezone

from archive.catalog.models import Item, MediaFile
from archive.labels import SITE_LANGS
from archive.vocabularies import Vocabularies

from . import labels
from .image_info import limits_for, whole_sizes
from .image_request import max_size
from .labels import LangMap
from .navplace import nav_place
from .content_search import offers_search
from .presentation import (Agent, CanvasSpec, Content, ImageService, Link, ManifestSpec, SearchService, TextTrack,
                           build_manifest)
from .published import allows_download, presented_media
from .urls import Urls

THUMBNAIL_WIDTH = 400
_KIND_TYPES = {"image": "Image", "audio": "Sound", "video": "Video"}
_PART_LABEL = {"document": {"vi": "Trang {n}", "en": "Page {n}"}, "set": {"vi": "Phần {n}", "en": "Part {n}"}}
_BEHAVIOR = {"document": ["paged"], "set": ["individuals"]}


def item_manifest(item: Item, vocab: Vocabularies, urls: Urls) -> dict:
    return build_manifest(item_spec(item, vocab, urls))


def item_spec(item: Item, vocab: Vocabularies, urls: Urls) -> ManifestSpec:
    record = item.record
    media = presented_media(item)
    canvases = [_canvas(item, m, n, len(media), vocab, urls) for n, m in enumerate(media, 1)]
    title = labels.lang_map(record.get("title"))
    return ManifestSpec(
        id=urls.manifest(item.id), label=title, canvases=canvases,
        summary=labels.lang_map(record.get("description")) or None,
        metadata=_metadata(item, vocab),
        rights=record.get("rights"),
        required_statement=(labels.FIELDS["attribution"],
                            labels.lang_map(record.get("attribution")) or labels.ARCHIVE_NAME),
        provider=[provider(urls)],
        thumbnail=next((c.thumbnail for c in canvases if c.thumbnail), []),
        homepage=[Link(urls.page(lang, "items", item.id), "Text", title, "text/html", [lang])
                  for lang in SITE_LANGS],
        see_also=[Link(urls.record(item.id), "Dataset", labels.RECORD_LABEL, "application/json")],
        rendering=([Link(urls.original(m.sha256), _KIND_TYPES[m.kind], labels.download_label(m.original_name),
                         m.mime) for m in media] if allows_download(item, vocab) else []),
        part_of=[Link(urls.collection(c.id), "Collection", labels.lang_map(c.title)) for c in item.collections],
        nav_date=_nav_date(item),
        nav_place=nav_place(vocab, urls.base, urls.manifest(item.id), [record.get("place")]),
        behavior=_BEHAVIOR.get(item.type, []) if len(canvases) > 1 else [],
        search=SearchService(urls.search(item.id), urls.autocomplete(item.id)) if offers_search(item) else None)


def provider(urls: Urls) -> Agent:
    return Agent(urls.page("vi"), labels.ARCHIVE_NAME,
                 [Link(urls.page(lang), "Text", labels.ARCHIVE_NAME, "text/html", [lang]) for lang in SITE_LANGS])


def thumbnail(media: MediaFile, urls: Urls) -> list[Content]:
    """A small image standing for a media file: a stored image size (a file read) or a video's poster."""
    summary = media.derivatives
    if media.kind == "image":
        width, height = min(whole_sizes(summary), key=lambda s: (s[0] < THUMBNAIL_WIDTH, abs(s[0] - THUMBNAIL_WIDTH)))
        service = urls.image_service(media.sha256)
        return [Content(f"{service}/full/{width},{height}/0/default.jpg", "Image", "image/jpeg", width, height,
                        service=ImageService(service))]
    if media.kind == "video" and summary.get("poster"):
        return [Content(urls.media(media.sha256, summary["poster"]), "Image", "image/jpeg")]
    if media.kind == "audio" and summary.get("waveform"):
        return [Content(urls.media(media.sha256, summary["waveform"]), "Image", "image/png",
                        summary.get("waveform_width"), summary.get("waveform_height"))]
    return []


def _canvas(item: Item, media: MediaFile, number: int, count: int, vocab: Vocabularies, urls: Urls) -> CanvasSpec:
    summary = media.derivatives
    canvas_id = urls.canvas(item.id, number)
    # Every canvas has a label (viewers show the canvas id otherwise): the item's title, or the part of a set.
    label = labels.lang_map(item.record.get("title"))
    if count > 1:
        pattern = _PART_LABEL.get(item.type, _PART_LABEL["set"])
        label = {tag: [text.format(n=number)] for tag, text in pattern.items()}
    tracks = [TextTrack(urls.captions(media.sha256, c.language), c.language, labels.caption_label(vocab, c.language))
              for c in media.captions if c.language]
    if media.kind == "image":
        service = urls.image_service(media.sha256)
        width, height = max_size(summary["width"], summary["height"], limits_for(summary, allows_download(item, vocab)))
        body = Content(f"{service}/full/max/0/default.jpg", "Image", "image/jpeg", width, height,
                       service=ImageService(service))
        return CanvasSpec(canvas_id, body, summary["width"], summary["height"], label=label,
                          thumbnail=thumbnail(media, urls), tracks=tracks)
    url = urls.media(media.sha256, summary["path"])
    if media.kind == "audio":
        body = Content(url, "Sound", summary["format"], duration=summary["duration"])
        return CanvasSpec(canvas_id, body, duration=summary["duration"], label=label,
                          thumbnail=thumbnail(media, urls), tracks=tracks)
    body = Content(url, "Video", summary["format"], summary["width"], summary["height"], summary["duration"])
    return CanvasSpec(canvas_id, body, summary["width"], summary["height"], summary["duration"], label=label,
                      thumbnail=thumbnail(media, urls), tracks=tracks)


def _metadata(item: Item, vocab: Vocabularies) -> list[tuple[LangMap, LangMap]]:
    record = item.record
    fields = labels.FIELDS
    pairs = [(fields["identifier"], labels.none_map([item.id])), (fields["type"], labels.TYPES[item.type])]
    for key, vocabulary in (("community", "communities"), ("festival", "festivals"), ("place", "places")):
        if record.get(key):
            pairs.append((fields[key], labels.term(vocab, vocabulary, record[key])))
    if record.get("date"):
        pairs.append((fields["date"], labels.none_map([record["date"]])))
    if record.get("lunar_date"):
        pairs.append((fields["lunar_date"], {"vi": [record["lunar_date"]]}))
    for key in ("languages", "scripts"):
        if record.get(key):
            pairs.append((fields[key], labels.terms(vocab, key, record[key])))
    if record.get("creators"):
        pairs.append((fields["creators"], labels.creators(vocab, record["creators"])))
    if record.get("subjects"):
        pairs.append((fields["subjects"], labels.none_map(record["subjects"])))
    for key in ("provenance", "sensitivity_note"):
        if record.get(key):
            pairs.append((fields[key], labels.lang_map(record[key])))
    return pairs


def _nav_date(item: Item) -> datetime | None:
    """The earliest day the item's EDTF date can mean (navDate cannot express years before 1)."""
    if not item.date_start or item.date_start.startswith(("-", "0000")):
        return None
    return datetime.fromisoformat(item.date_start).replace(tzinfo=timezone.utc)
