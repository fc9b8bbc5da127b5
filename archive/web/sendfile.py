"""Files of the data directory, sent once archive.access has said yes: by nginx when HERITAGE_ACCEL_REDIRECT names
its internal location for DATA_DIR (the app answers with an empty body and an ``X-Accel-Redirect`` header; nginx
then serves the file with ranges, conditional requests and sendfile), else by the app itself."""
from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from urllib.parse import quote

from flask import Response, current_app, request, send_file
from werkzeug.wsgi import wrap_file

from ..text import without_controls


def attachment(name: str) -> str:
    """A Content-Disposition for a download under that name: ASCII for old clients, UTF-8 (RFC 6266) for the rest."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    value = 'attachment; filename="%s"' % ascii_name.replace("\\", "\\\\").replace('"', '\\"')
    if ascii_name != name:
        value += "; filename*=UTF-8''" + quote(name, safe="!#$&+^`|~")
    return value


def send_stored(path: Path, mimetype: str, *, max_age: int, download_name: str | None = None,
                whole: bool = False) -> Response:
    """A stored file, publicly cacheable for ``max_age`` seconds (archive/web/site.py makes it private for a signed-in
    viewer); ``download_name`` makes it an attachment; ``whole`` skips range handling (tiles and thumbnails, whose
    many requests are leaner without it)."""
    settings = current_app.config["ARCHIVE"].settings
    if settings.accel_redirect:
        response = Response(mimetype=mimetype)
        response.headers["X-Accel-Redirect"] = settings.accel_redirect + quote(
            path.relative_to(settings.data_path).as_posix())
    elif whole:
        fh = open(path, "rb")
        stat = os.fstat(fh.fileno())
        response = Response(wrap_file(request.environ, fh), mimetype=mimetype, direct_passthrough=True)
        response.content_length = stat.st_size
        response.set_etag(f"{stat.st_mtime_ns:x}-{stat.st_size:x}")
    else:
        response = send_file(path, mimetype=mimetype, conditional=True)  # ranges and conditional requests
    if download_name is not None:
        response.headers["Content-Disposition"] = attachment(without_controls(download_name))
    response.cache_control.public, response.cache_control.max_age = True, max_age
    return response.make_conditional(request) if whole and not settings.accel_redirect else response
