"""The OAI-PMH endpoint: GET or POST (form-encoded) /oai; the protocol itself is archive.oai."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from ..labels import ARCHIVE_NAME
from ..oai import Repository, respond
from .auth import csrf
from .cors import open_to_every_origin

bp = Blueprint("oai", __name__)
open_to_every_origin(bp)  # browser-based harvesting and validation tools read it too


@bp.route("/oai", methods=["GET", "POST"])
@csrf.exempt  # harvesters POST the same arguments as a GET: a read, signed in as nobody
def endpoint():
    archive = current_app.config["ARCHIVE"]
    repo = Repository(archive, archive.settings.base_url, ARCHIVE_NAME["en"], ARCHIVE_NAME)
    args = request.form if request.method == "POST" else request.args
    return Response(respond(repo, args.lists()), content_type="text/xml; charset=utf-8")
