"""Cross-origin reading of the machine doors (the JSON API, IIIF, media files): any site may read what an anonymous
visitor may read. A wildcard origin never carries credentials, so a signed-in user's cookie adds nothing there.

Preflights (OPTIONS) answer for the headers real clients send: IIIF viewers ask for
``Accept: application/ld+json;profile="…"``, which is not a CORS-safelisted value, and media players send Range."""
from __future__ import annotations

from flask import Blueprint, Response, request

ALLOW_HEADERS = "Accept, Accept-Language, Authorization, Content-Type, If-None-Match, If-Modified-Since, Range"
ALLOW_METHODS = "GET, HEAD, OPTIONS"
EXPOSE_HEADERS = "Link, Content-Range, Content-Length, Accept-Ranges, ETag, Last-Modified"
MAX_AGE_SECONDS = 86400


def open_to_every_origin(bp: Blueprint) -> None:
    """Every answer of ``bp`` (errors too) carries the CORS headers."""
    bp.after_request(_headers)


def _headers(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
        response.headers["Access-Control-Max-Age"] = str(MAX_AGE_SECONDS)
    return response
