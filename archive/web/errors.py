"""One table maps domain errors to HTTP responses; one JSON error shape for the API.

Shape: ``{"error": {"status": 404, "title": "Not Found", "detail": "…", "parameter": "…"?}}``
"""
from __future__ import annotations

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from search.errors import BadQuery, SearchUnavailable

from ..errors import (BadCredentials, Conflict, Forbidden, InvalidRecord, LoginThrottled, NotFound, UnsafePath,
                      UploadRejected)
from ..reasons import Refused
from .reasons import say

STATUS_OF = {NotFound: 404, UnsafePath: 404, InvalidRecord: 400, BadQuery: 400, SearchUnavailable: 503,
             Forbidden: 403, Conflict: 409, UploadRejected: 422, BadCredentials: 401, LoginThrottled: 429}
TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
          409: "Conflict", 413: "Content Too Large", 422: "Unprocessable Content", 429: "Too Many Requests",
          500: "Internal Server Error", 503: "Service Unavailable"}


def error_response(status: int, detail: str, **extra):
    body = {"status": status, "title": TITLES.get(status, "Error"), "detail": detail, **extra}
    response = jsonify(error=body)
    response.status_code = status
    return response


def detail_of(exc: Exception) -> str:
    """What the error says to the reader: a refusal's reason in the page's language, other errors as they are."""
    return say(exc.reason) if isinstance(exc, Refused) else str(exc)


def register(app: Flask) -> None:
    for exc_type, status in STATUS_OF.items():
        app.register_error_handler(exc_type, lambda exc, status=status: error_response(status, detail_of(exc), **(
            {"parameter": exc.parameter} if isinstance(exc, BadQuery) else {})))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return error_response(exc.code or 500, exc.description or "")
