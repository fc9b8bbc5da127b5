"""The JSON API: items, collections and vocabularies (one item, or whole lists a page at a time), search, and the
OpenAPI document that describes every route here and under /iiif and /media (archive/web/openapi.yaml)."""
from __future__ import annotations

import json
from datetime import date
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import gettext as _

from iiif.urls import Urls
from search.request import request_from_params

from .. import lists, places
from ..access import can_view, visible_techmd
from ..access import scope as access_scope
from ..calendar_feed import feed
from ..catalog import service
from ..errors import BadParameter, NotFound
from ..labels import SITE_LANGS
from ..searching import search_json
from ..vocabularies import NAMES
from . import openapi
from .auth import current_viewer
from .cors import open_to_every_origin
from .params import calendar_year, datetime_arg, number_arg

bp = Blueprint("api", __name__, url_prefix="/api")


open_to_every_origin(bp)


def _archive():
    return current_app.config["ARCHIVE"]


def _urls() -> Urls:
    return Urls(_archive().settings.base_url)


def with_links(record: dict) -> dict:
    """An item as the API gives it: its record, plus where to read it, see it and open it in a IIIF viewer (the
    manifest when it has media to present, and the Image API's info.json of each image)."""
    urls = _urls()
    presented = [m for m in record["media"] if m["kind"] in service.PRESENTED_KINDS and m["derivatives"]]
    links = {"self": urls.record(record["id"]),
             "page": {lang: urls.page(lang, "items", record["id"]) for lang in SITE_LANGS},
             "manifest": urls.manifest(record["id"]) if presented else None,
             "images": [f"{urls.image_service(m['sha256'])}/info.json" for m in presented if m["kind"] == "image"]}
    return {**record, "links": links}


def _limit() -> int:
    return number_arg("limit", default=lists.DEFAULT_LIMIT, minimum=1, maximum=lists.MAX_LIMIT)


def _page(key: str, found: lists.Slice, extra: dict | None = None, params=("limit", "updated_since")) -> Response:
    """A page of a list: ``{key: […], "next": url | null}``, and the next page in a Link header too."""
    following = None
    if found.cursor is not None:
        query = {name: request.args[name] for name in params if request.args.get(name)}
        following = f"{_archive().settings.base_url}{request.path}?{urlencode({**query, 'cursor': found.cursor})}"
    response = jsonify({**(extra or {}), key: found.entries, "next": following})
    if following:
        response.headers["Link"] = f'<{following}>; rel="next"'
    return response


@bp.get("/items")
def items():
    limit, since, cursor = _limit(), datetime_arg("updated_since"), request.args.get("cursor")
    with _archive().catalog.session() as s:
        found = lists.items(s, current_viewer(), limit=limit, cursor=cursor, updated_since=since)
    return _page("items", lists.Slice([with_links(entry) for entry in found.entries], found.cursor))


@bp.get("/items/<item_id>")
def item(item_id: str):
    with _archive().catalog.session() as s:
        found = service.get_item(s, item_id)
        viewer = current_viewer()
        if not can_view(found, viewer):
            raise NotFound(f"no item {item_id!r}")
        record = service.item_record(found, lambda techmd: visible_techmd(techmd, found, viewer))
        return jsonify(with_links({**record, "updated_at": lists.stamp(found.updated_at)}))


@bp.get("/collections")
def collections():
    limit, since, cursor = _limit(), datetime_arg("updated_since"), request.args.get("cursor")
    urls = _urls()
    with _archive().catalog.session() as s:
        found = lists.collections(s, current_viewer(), limit=limit, cursor=cursor, updated_since=since)
    entries = [{**c, "links": {"page": {lang: urls.page(lang, "collections", c["id"]) for lang in SITE_LANGS},
                               "iiif": urls.collection(c["id"])}} for c in found.entries]
    return _page("collections", lists.Slice(entries, found.cursor))


@bp.get("/vocabularies")
def vocabularies():
    vocab, base = _archive().vocab, _archive().settings.base_url
    return jsonify(vocabularies=[{"name": name, "description": vocab.document(name).get("description", {}),
                                  "url": f"{base}/api/vocabularies/{name}"} for name in NAMES])


@bp.get("/vocabularies/<name>")
def vocabulary(name: str):
    vocab = _archive().vocab
    found = lists.terms(vocab, name, limit=_limit(), cursor=request.args.get("cursor"))
    document = vocab.document(name)
    return _page("terms", found, {"vocabulary": name, "description": document.get("description", {})},
                 params=("limit",))


@bp.get("/places.geojson")
def places_geojson():
    """Every place with coordinates, as an RFC 7946 FeatureCollection."""
    archive = _archive()
    document = places.feature_collection(places.place_features(archive.vocab, archive.settings.base_url))
    return Response(json.dumps(document, ensure_ascii=False), mimetype="application/geo+json")


@bp.get("/search")
def search():
    params = request_from_params(request.args.to_dict(flat=False), scope=access_scope(current_viewer()))
    return jsonify(search_json(_archive(), params))


FEED_NAME = {"vi": "Lễ hội Chăm, Hoa, Khmer", "en": "Cham, Hoa and Khmer festivals"}


@bp.get("/calendar")
def calendar():
    year = calendar_year()
    return jsonify(year=year, events=[o.as_json() for o in _archive().calendar.occurrences(year)])


@bp.get("/calendar.ics", defaults={"community": None})
@bp.get("/calendar/<community>.ics")
def calendar_feed(community: str | None):
    """Last year's, this year's and the next two years' festivals, for a phone calendar to subscribe to."""
    archive = _archive()
    if community is not None and archive.vocab.get("communities", community) is None:
        raise NotFound(f"no community {community!r}")
    lang = request.args.get("lang") or SITE_LANGS[0]
    if lang not in SITE_LANGS:
        raise BadParameter("lang", _("The language must be one of: %(langs)s.", langs=", ".join(SITE_LANGS)))
    this_year = date.today().year
    found = [o for year in range(this_year - 1, this_year + 3) for o in archive.calendar.occurrences(year)
             if community is None or archive.vocab.get("festivals", o.festival)["community"] == community]
    name = archive.vocab.get("communities", community)["label"][lang] if community else FEED_NAME[lang]
    body = feed(found, archive.vocab, lang=lang, name=name, base_url=archive.settings.base_url)
    return Response(body, mimetype="text/calendar", headers={"Content-Disposition": "inline; filename=calendar.ics"})


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document(_archive().settings.base_url))
