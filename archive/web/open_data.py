"""The open data package's files (archive.open_data), at /open-data/<file>: only the files the current package lists,
each with its SHA-256 as a strong ETag, so a harvester downloads a file again only when it changed."""
from __future__ import annotations

from flask import Blueprint, current_app, send_file

from .. import open_data
from ..errors import NotFound
from .cors import open_to_every_origin

bp = Blueprint("open_data", __name__, url_prefix="/open-data")
open_to_every_origin(bp)

MEDIA_TYPES = {"csv": "text/csv", "jsonl": "application/jsonl", "jsonld": "application/ld+json",
               "json": "application/json"}  # all UTF-8 (Flask names the charset of text/csv)
MAX_AGE = 300  # a rebuilt package is seen within five minutes; revalidation by ETag costs a 304


@bp.get("/<path:name>")
def download(name: str):
    package = open_data.current(current_app.config["ARCHIVE"])
    if package is None:
        raise NotFound("the open data package is being built; try again in a minute")
    listed = {r["path"]: r for r in package.files}
    if name == "datapackage.json":
        etag = None
    elif name in listed:
        etag = listed[name]["hash"].split(":", 1)[1]
    else:
        raise NotFound(f"no file {name!r} in the open data package")
    response = send_file(package.path / name, mimetype=MEDIA_TYPES[name.rsplit(".", 1)[1]], conditional=True,
                         etag=etag if etag else True, max_age=MAX_AGE, download_name=name.rsplit("/", 1)[-1])
    response.headers["Content-Disposition"] = "inline"
    return response
