"""The site's own static files (CSS, JS, fonts, vendored libraries) at /assets/…

URLs carry a content hash (``?v=…``), so a versioned request may be cached for a year. Text files go out gzipped
when the client accepts it (compressed once, kept in memory): waitress does not compress, and OpenSeadragon alone
is 350 KB raw but under 90 KB gzipped. Other files (fonts) go through send_file, with range requests.
"""
from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from pathlib import Path

from flask import Blueprint, Response, abort, request, send_file
from werkzeug.security import safe_join

STATIC = Path(__file__).resolve().parent / "static"
COMPRESSIBLE = {".css", ".js", ".json", ".svg", ".txt", ".map"}
YEAR = 365 * 24 * 3600

bp = Blueprint("assets", __name__)


class _Cache:
    """Per file (keyed by path, mtime and size): its content hash and, for text files, its gzipped bytes."""

    def __init__(self) -> None:
        self._entries: dict[Path, tuple[tuple[int, int], str, bytes | None]] = {}
        self._lock = threading.Lock()

    def get(self, path: Path) -> tuple[str, bytes | None]:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            entry = self._entries.get(path)
        if entry is None or entry[0] != stamp:
            data = path.read_bytes()
            compressed = gzip.compress(data, 9, mtime=0) if path.suffix in COMPRESSIBLE else None
            entry = (stamp, hashlib.sha256(data).hexdigest()[:12], compressed)
            with self._lock:
                self._entries[path] = entry
        return entry[1], entry[2]


_cache = _Cache()


def _path(filename: str) -> Path | None:
    """The static file of that name, or None (also for a name no file system could hold)."""
    joined = safe_join(str(STATIC), filename)
    try:
        return Path(joined) if joined and Path(joined).is_file() else None
    except OSError:  # a name too long, or with a NUL
        return None


def asset_url(filename: str) -> str:
    """The URL of a static file, with its content hash."""
    path = _path(filename)
    if path is None:
        raise FileNotFoundError(f"no static file {filename!r} under {STATIC} (for vendor/…, run scripts/site_assets.sh)")
    return f"/assets/{filename}?v={_cache.get(path)[0]}"


def exists(filename: str) -> bool:
    return _path(filename) is not None


@bp.get("/assets/<path:filename>")
def asset(filename: str):
    path = _path(filename)
    if path is None:
        abort(404)
    version, compressed = _cache.get(path)
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if mimetype.startswith("text/") or mimetype in ("application/javascript", "application/json"):
        mimetype += "; charset=utf-8"
    if compressed is not None and "gzip" in request.accept_encodings:
        response = Response(compressed, mimetype=mimetype)
        response.content_encoding = "gzip"
        response.set_etag(version + "-gz")
        response = response.make_conditional(request)
    else:
        response = send_file(path, mimetype=mimetype, conditional=True, etag=version)
    if compressed is not None:
        response.vary.add("Accept-Encoding")
    versioned = request.args.get("v") == version
    response.cache_control.public = True
    response.cache_control.max_age = YEAR if versioned else 3600
    if versioned:
        response.cache_control.immutable = True
    return response
