"""IIIF over HTTP: manifests, collections and the Image API 3 service, plus the media files manifests point at.

Ids in every document come from the ``base_url`` setting. Everything answers with CORS open to all origins.
"""
from __future__ import annotations

import json
import mimetypes
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, redirect, request

from iiif import content_search, image_render, image_request
from iiif.collections import collection_document
from iiif.image_info import IMAGE_CONTEXT, PROFILE_URI, Pyramid, info_json, limits_for
from iiif.image_request import Limits
from iiif.manifest import item_manifest
from iiif.presentation import PRESENTATION_CONTEXT
from iiif.published import allows_download, visible_caption, visible_image, visible_item, visible_media
from iiif.urls import Urls

from ..access import original_reveals_private
from ..errors import NotFound
from .auth import current_viewer
from .cors import open_to_every_origin
from .params import number_arg
from .sendfile import send_stored

bp = Blueprint("iiif", __name__)
MAX_AGE = 3600
DERIVATIVE_FILES = ("path", "poster", "peaks", "waveform")  # the keys of a derivative summary that name a file


def _archive():
    return current_app.config["ARCHIVE"]


def _urls() -> Urls:
    return Urls(_archive().settings.base_url)


open_to_every_origin(bp)


def _wants_json_ld() -> bool:
    """Whether the client prefers JSON-LD: it names application/ld+json (with or without the profile parameter the
    IIIF specifications recommend, which werkzeug's best_match does not see past) at least as high as JSON."""
    linked = max((quality for value, quality in request.accept_mimetypes
                  if value.split(";", 1)[0].strip().lower() == "application/ld+json"), default=0)
    return linked > 0 and linked >= request.accept_mimetypes["application/json"]


def _json_ld(document: dict, context: str, *, max_age: int | None = None) -> Response:
    """JSON, or JSON-LD with the context as profile when the client asks for application/ld+json; the same caching
    whatever the type: an ETag, and either ``max_age`` seconds or (manifests, collections, which follow the catalog)
    a check at each use."""
    content_type = f'application/ld+json;profile="{context}"' if _wants_json_ld() else "application/json"
    response = Response(json.dumps(document, ensure_ascii=False), content_type=content_type)
    response.vary.add("Accept")
    response.cache_control.public = True
    if max_age is None:
        response.cache_control.no_cache = True
    else:
        response.cache_control.max_age = max_age
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/iiif/3/<item_id>/manifest")
def manifest(item_id: str):
    archive = _archive()
    with archive.catalog.session() as s:
        document = item_manifest(visible_item(s, item_id, current_viewer()), archive.vocab, _urls())
    return _json_ld(document, PRESENTATION_CONTEXT)


def _texts(s, item_id: str) -> content_search.Texts:
    """The searchable texts of an item the viewer may see (the manifest's access answer), if it offers search."""
    item = visible_item(s, item_id, current_viewer())
    if not content_search.offers_search(item):
        raise NotFound(f"item {item_id!r} has no content search")
    return content_search.Texts(item, _archive().store, _urls())


def _page_id(service: str) -> str:
    """The page's id: the service URL with the query the client sent."""
    query = urlencode(list(request.args.items(multi=True)))
    return f"{service}?{query}" if query else service


@bp.get("/iiif/3/<item_id>/search")
def content_search_service(item_id: str):
    with _archive().catalog.session() as s:
        document = content_search.search(_texts(s, item_id), request.args.to_dict(),
                                         _page_id(_urls().search(item_id)))
    return _json_ld(document, content_search.SEARCH_CONTEXT)


@bp.get("/iiif/3/<item_id>/autocomplete")
def content_search_autocomplete(item_id: str):
    minimum = number_arg("min", default=1, minimum=1)
    with _archive().catalog.session() as s:
        document = content_search.autocomplete(_texts(s, item_id), request.args.to_dict(), minimum,
                                               _page_id(_urls().autocomplete(item_id)))
    return _json_ld(document, content_search.SEARCH_CONTEXT)


@bp.get("/iiif/3/collection/<collection_id>")
def collection(collection_id: str):
    archive = _archive()
    with archive.catalog.session() as s:
        document = collection_document(s, collection_id, archive.vocab, _urls(), current_viewer())
    return _json_ld(document, PRESENTATION_CONTEXT)


def _pyramid(sha: str) -> tuple[Pyramid, Limits]:
    """The image's pyramid, and the limits of what may be made from it for anyone (archive.access decides who sees
    it; the licence how large)."""
    archive = _archive()
    with archive.catalog.session() as s:
        item, summary = visible_image(s, sha, current_viewer())
        downloadable = allows_download(item, archive.vocab)
    pyramid = Pyramid.from_summary(archive.store.derivative_dir(sha), summary)
    return pyramid, limits_for(summary, downloadable)


@bp.get("/iiif/3/image/<sha>")
def image_base(sha: str):
    _pyramid(sha)
    return redirect(f"{_urls().image_service(sha)}/info.json", code=303)


@bp.get("/iiif/3/image/<sha>/info.json")
def image_info(sha: str):
    response = _json_ld(info_json(_urls().image_service(sha), *_pyramid(sha)), IMAGE_CONTEXT, max_age=MAX_AGE)
    response.headers["Link"] = f'<{PROFILE_URI}>;rel="profile"'
    return response


@bp.get("/iiif/3/image/<sha>/<region>/<size>/<rotation>/<quality_format>")
def image(sha: str, region: str, size: str, rotation: str, quality_format: str):
    req = image_request.parse(region, size, rotation, quality_format)
    pyramid, limits = _pyramid(sha)
    resolved = image_request.resolve(req, pyramid.width, pyramid.height, limits)
    stored = image_render.stored_file(pyramid, req, resolved)
    if stored is not None:
        response = send_stored(stored, req.mime, max_age=MAX_AGE, whole=True)
    else:
        response = Response(image_render.render(pyramid, req, resolved), mimetype=req.mime)
        response.cache_control.public, response.cache_control.max_age = True, MAX_AGE
    canonical = image_request.canonical(req, resolved, pyramid.width, pyramid.height, limits)
    response.headers["Link"] = (f'<{_urls().image_service(sha)}/{canonical}>;rel="canonical", '
                                f'<{PROFILE_URI}>;rel="profile"')
    return response


@bp.get("/media/<sha>/original")
def original(sha: str):
    archive = _archive()
    with archive.catalog.session() as s:
        media = visible_media(s, sha, current_viewer())
        if not allows_download(media.item, archive.vocab) or original_reveals_private(media.techmd, media.item,
                                                                                          current_viewer()):
            raise NotFound(f"the original of {sha} is not offered for download")
        mime, name = media.mime, media.original_name
    return send_stored(archive.store.original_path(sha), mime, max_age=MAX_AGE, download_name=name)


@bp.get("/media/<sha>/captions/<language>.vtt")
def captions(sha: str, language: str):
    archive = _archive()
    with archive.catalog.session() as s:
        caption_sha = visible_caption(s, sha, language, current_viewer()).sha256
    return send_stored(archive.store.original_path(caption_sha), "text/vtt; charset=utf-8", max_age=MAX_AGE)


@bp.get("/media/<sha>/<name>")
def derivative(sha: str, name: str):
    """A web derivative named in the file's summary (audio.mp3, video.mp4, poster.jpg, peaks.json, waveform.png),
    with ranges."""
    archive = _archive()
    with archive.catalog.session() as s:
        media = visible_media(s, sha, current_viewer())
        offered = {media.derivatives.get(key) for key in DERIVATIVE_FILES} if media.derivatives else set()
    if name not in offered - {None}:
        raise NotFound(f"no file {name!r} for {sha}")
    path = archive.store.derivative_dir(sha) / name
    return send_stored(path, mimetypes.guess_type(name)[0] or "application/octet-stream", max_age=MAX_AGE)
