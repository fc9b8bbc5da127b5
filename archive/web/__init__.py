"""The Flask app factory. Views parse the request, call the domain and render; no SQL, ES DSL or Pillow here."""
from __future__ import annotations

from flask import Flask, g
from werkzeug.middleware.proxy_fix import ProxyFix

from ..context import Archive
from ..settings import Settings
from . import (api, auth, errors, iiif, oai, open_data, pages, site, staff, staff_admin, staff_exhibits, staff_home,
               staff_ocr, staff_terms, staff_uploads)

# The staff blueprints live under the pages' /{lang}/ prefix (sharing its language handling and error pages).
for _staff_bp in (auth.bp, staff.bp, staff_uploads.bp, staff_uploads.api, staff_admin.bp, staff_terms.bp,
                  staff_home.bp, staff_exhibits.bp, staff_ocr.bp):
    _staff_bp.after_request(auth.no_store)
    pages.bp.register_blueprint(_staff_bp)


def create_app(settings: Settings, archive: Archive | None = None) -> Flask:
    app = Flask(__name__)
    app.config["ARCHIVE"] = archive or Archive(settings)
    app.json.ensure_ascii = False
    errors.register(app)
    _pin_vocabularies(app)
    auth.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(iiif.bp)
    app.register_blueprint(oai.bp)
    app.register_blueprint(open_data.bp)
    site.init_app(app)
    if app.config["ARCHIVE"].settings.proxies:  # behind nginx: the client is who the proxies say
        hops = app.config["ARCHIVE"].settings.proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    return app


def _pin_vocabularies(app: Flask) -> None:
    """A request sees one state of the vocabulary terms, checked once (archive.vocabularies.CatalogVocabularies)."""
    def pin() -> None:
        g.vocabulary_pin = app.config["ARCHIVE"].vocab.pinned()
        g.vocabulary_pin.__enter__()

    def unpin(_exc) -> None:
        if (held := g.pop("vocabulary_pin", None)) is not None:
            held.__exit__(None, None, None)

    app.before_request(pin)
    app.teardown_request(unpin)
