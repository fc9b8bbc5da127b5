"""Wiring of the public site: Flask-Babel (vi, en), the page and asset blueprints, security and cache
headers."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, g, request
from flask_babel import Babel

from ..labels import SITE_LANGS
from . import assets, page_cache, pages, present
from .auth import current_viewer

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def _locale() -> str:
    return g.get("lang") or request.accept_languages.best_match(SITE_LANGS, default="vi")


# OpenSeadragon (6.x) adds one <style> of its own when a viewer opens (hiding the focus ring on touch screens); its
# hash lets exactly that text through. A new version that changes it shows as a CSP error in tests/test_site_browser.py.
OPENSEADRAGON_STYLE = "'sha256-9xTiqzfwFaL2SGb1rmr8gysEwVVjIvqWAgmZgqFqpEE='"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(base_url: str, map_tiles: str = "") -> str:
    """No inline script or style of ours anywhere; everything from this host (and the public base URL, which IIIF ids
    and so the deep-zoom tiles use, when it names another origin for the same server); map tiles from the tile server
    only when HERITAGE_MAP_TILES names one."""
    own = f"'self' {_origin(base_url)}"
    tiles = f" {_origin(map_tiles)}" if map_tiles else ""
    return "; ".join((
        "default-src 'self'", "script-src 'self'", f"style-src 'self' {OPENSEADRAGON_STYLE}",
        f"img-src {own}{tiles} data: blob:",
        f"media-src {own}", f"connect-src {own}", "font-src 'self'", "object-src 'none'", "base-uri 'none'",
        "form-action 'self'", "frame-ancestors 'self'",
    ))


def init_app(app: Flask) -> None:
    archive = app.config["ARCHIVE"]
    Babel(app, locale_selector=_locale, default_locale="vi", default_translation_directories=str(TRANSLATIONS))
    page_cache.init_app(app)
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["asset"] = assets.asset_url
    present.register(app)
    app.register_blueprint(assets.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(pages.root)
    policy = content_security_policy(archive.settings.base_url, archive.settings.map_tiles)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if current_viewer().user_id is not None:  # what a signed-in user sees may be hidden from others
            response.cache_control.public = False
            response.cache_control.private = True
            response.vary.add("Cookie")
        if response.mimetype == "text/html":
            response.headers["Content-Security-Policy"] = policy
        return response

    @app.after_request
    def _revalidated(response: Response) -> Response:
        """Pages and API answers for anonymous visitors carry an ETag and are checked again at each visit, so a phone
        coming back to a page that has not changed gets a 304 and downloads nothing."""
        if (request.method in ("GET", "HEAD") and response.status_code == 200 and not response.is_streamed
                and response.mimetype in ("text/html", "application/json", "application/geo+json")
                and "ETag" not in response.headers
                and not response.cache_control.no_store and current_viewer().user_id is None):
            response.cache_control.no_cache = True
            response.add_etag()
            return response.make_conditional(request)
        return response
