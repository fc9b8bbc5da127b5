"""The JSON API: /api/items/{id}, /api/search."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from search.request import request_from_params
from search.service import search_json

from ..access import visible_to_public
from ..catalog import service
from ..errors import NotFound

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/items/<item_id>")
def item(item_id: str):
    archive = current_app.config["ARCHIVE"]
    with archive.catalog.session() as s:
        found = service.get_item(s, item_id)
        if not visible_to_public(found):
            raise NotFound(f"no item {item_id!r}")
        return jsonify(service.item_record(found))


@bp.get("/search")
def search():
    archive = current_app.config["ARCHIVE"]
    return jsonify(search_json(archive, request_from_params(request.args.to_dict(flat=False))))
