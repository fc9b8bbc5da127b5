"""One handler per exception type, registered once for the whole app: domain errors map to a status in one table, and
each answer is JSON (the API, IIIF, media and the upload API; one shape) or the friendly HTML page in the page's
language (everything under /{lang}/).

JSON shape: ``{"error": {"status": 404, "title": "Not Found", "detail": "…", "parameter": "…"?}}``
"""
from __future__ import annotations

from flask import Flask, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException

from search.errors import SearchUnavailable

from ..errors import (ArchiveError, BadCredentials, BadParameter, Conflict, Forbidden, InvalidRecord, LoginThrottled,
                      NotFound, UnsafePath, UploadRejected)
from ..reasons import Refused
from .reasons import say

STATUS_OF = {NotFound: 404, UnsafePath: 404, BadParameter: 400, InvalidRecord: 400, SearchUnavailable: 503,
             Forbidden: 403, Conflict: 409, UploadRejected: 422, BadCredentials: 401, LoginThrottled: 429,
             ArchiveError: 400}
TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
          409: "Conflict", 413: "Content Too Large", 416: "Range Not Satisfiable", 422: "Unprocessable Content",
          429: "Too Many Requests", 500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable"}
JSON_BLUEPRINTS = ("api", "iiif", "open_data", "pages.staff_api")


def error_response(status: int, detail: str, **extra):
    body = {"status": status, "title": TITLES.get(status, "Error"), "detail": detail, **extra}
    response = jsonify(error=body)
    response.status_code = status
    return response


def detail_of(exc: Exception) -> str:
    """What the error says to the reader: a refusal's reason in the page's language, other errors as they are."""
    return say(exc.reason) if isinstance(exc, Refused) else str(exc)


def _json_wanted() -> bool:
    """JSON for the machine doors; the HTML page where a page language is known (every /{lang}/ page)."""
    return request.blueprint in JSON_BLUEPRINTS or not g.get("lang")


def _page(status: int, detail: str | None):
    return render_template("error.html", status=status, detail=detail), status


def _domain_error(status: int, exc: ArchiveError):
    status = getattr(exc, "status", status)  # an IIIF image request error carries its own (400 or 501)
    extra = {}
    if isinstance(exc, BadParameter):
        extra["parameter"] = exc.parameter
    if hasattr(exc, "received"):  # an upload chunk at the wrong offset: where to resume
        extra["received"] = exc.received
    if _json_wanted():
        return error_response(status, detail_of(exc), **extra)
    if isinstance(exc, Forbidden):
        return render_template("staff/denied.html"), 403
    return _page(status, None if status == 404 else detail_of(exc))  # a 404 page says nothing of what exists


def _csrf_error(_exc: CSRFError):
    detail = _("This form has expired or did not come from this site. Reload the page and try again.")
    if _json_wanted() or request.is_json:
        return error_response(400, detail)
    return render_template("staff/denied.html", csrf_failed=True, detail=detail), 400


def _http_error(exc: HTTPException):
    if exc.code and exc.code < 400:  # a redirect raised as an exception (e.g. a missing trailing slash)
        return exc
    if _json_wanted():
        response = error_response(exc.code or 500, exc.description or "")
    else:
        response = make_response(_page(exc.code or 500, exc.description if isinstance(exc, BadRequest) else None))
    # the exception's own headers: Allow on a 405 (RFC 9110), WWW-Authenticate, Retry-After…
    response.headers.extend((k, v) for k, v in exc.get_headers() if k.lower() != "content-type")
    return response


def register(app: Flask) -> None:
    for exc_type, status in STATUS_OF.items():
        app.register_error_handler(exc_type, lambda exc, status=status: _domain_error(status, exc))
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
