"""The JSON API: /api/items/{id}, /api/search."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from search.request import request_from_params

from ..access import can_view, visible_techmd
from ..access import scope as access_scope
from ..catalog import service
from ..searching import search_json
from ..errors import NotFound
from .auth import current_viewer
from .cors import open_to_every_origin

bp = Blueprint("api", __name__, url_prefix="/api")


open_to_every_origin(bp)


@bp.get("/items/<item_id>")
def item(item_id: str):
    archive = current_app.config["ARCHIVE"]
    with archive.catalog.session() as s:
        found = service.get_item(s, item_id)
        viewer = current_viewer()
        if not can_view(found, viewer):
            raise NotFound(f"no item {item_id!r}")
        return jsonify(service.item_record(found, lambda techmd: visible_techmd(techmd, found, viewer)))


@bp.get("/search")
def search():
    archive = current_app.config["ARCHIVE"]
    params = request_from_params(request.args.to_dict(flat=False), scope=access_scope(current_viewer()))
    return jsonify(search_json(archive, params))
