"""The Flask app factory. Views parse the request, call the domain and render; no SQL, ES DSL or Pillow here."""
from __future__ import annotations

from flask import Flask

from ..context import Archive
from ..settings import Settings
from . import api, errors, iiif, site


def create_app(settings: Settings, archive: Archive | None = None) -> Flask:
    app = Flask(__name__)
    app.config["ARCHIVE"] = archive or Archive(settings)
    app.json.ensure_ascii = False
    errors.register(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(iiif.bp)
    site.init_app(app)
    return app
