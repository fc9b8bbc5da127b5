"""The OAI-PMH endpoint: GET or POST (form-encoded) /oai; the protocol itself is archive.oai."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from flask_babel import force_locale, gettext as _

from ..labels import SITE_LANGS
from ..oai import Repository, respond
from .auth import csrf
from .cors import open_to_every_origin

bp = Blueprint("oai", __name__)
open_to_every_origin(bp)  # browser-based harvesting and validation tools read it too


def _archive_name() -> dict[str, str]:
    names = {}
    for lang in SITE_LANGS:
        with force_locale(lang):
            names[lang] = _("Heritage Archive of the Cham, Hoa and Khmer communities of Ho Chi Minh City")
    return names


@bp.route("/oai", methods=["GET", "POST"])
@csrf.exempt  # harvesters POST the same arguments as a GET: a read, signed in as nobody
def endpoint():
    archive = current_app.config["ARCHIVE"]
    names = _archive_name()
    repo = Repository(archive, archive.settings.base_url, names["en"], names)
    args = request.form if request.method == "POST" else request.args
    return Response(respond(repo, args.lists()), content_type="text/xml; charset=utf-8")
