"""Uploading from a phone or a PC: the upload and jobs pages, and the JSON endpoints the page's script calls.

A file goes up in chunks (resumable: the server says how much it has, the page sends the rest), then becomes a
job that the background worker (archive.jobs, `heritage worker`) runs through the same ingest pipeline as
`heritage ingest`. The JSON endpoints answer errors in the API's one JSON shape.
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _

from ingest.plan import MEDIA_EXTENSIONS

from .. import jobs, uploads
from ..params import MAX_WHOLE, whole_number
from . import staff_forms
from .auth import current_viewer, require, staff
from .errors import error_response
from .params import MAX_ID, number_arg
from .reasons import say_all

CHUNK_BYTES = 8 * 1024 * 1024  # the largest chunk accepted; the page starts smaller and adapts to the network
FIRST_CHUNK_BYTES = 512 * 1024
TERMINAL = ("done", "rejected", "failed")

bp = Blueprint("uploads", __name__, url_prefix="/staff")
api = Blueprint("staff_api", __name__, url_prefix="/staff/api")


def _archive():
    return current_app.config["ARCHIVE"]


def accept_attribute() -> str:
    """What the file picker offers: media types (so phones offer camera and recorder) and the accepted extensions."""
    return ",".join(["image/*", "audio/*", "video/*", *sorted(MEDIA_EXTENSIONS)])


@bp.get("/upload")
@require(staff)
def upload_page():
    return render_template("staff/upload.html", accept=accept_attribute(), chunk_bytes=CHUNK_BYTES,
                           first_chunk_bytes=FIRST_CHUNK_BYTES, max_bytes=_archive().settings.max_upload_bytes)


@bp.get("/jobs")
@require(staff)
def jobs_page():
    viewer = current_viewer()
    everyone = request.args.get("all") == "1"
    found = jobs.list_jobs(_archive(), actor_id=None if everyone else viewer.user_id, limit=100)
    running = any(job.state not in TERMINAL for job in found)
    return render_template("staff/jobs.html", jobs=found, everyone=everyone, running=running)


def job_json(job) -> dict:
    return {"id": job.id, "filename": job.filename, "state": job.state,
            "label": staff_forms.labels("job").get(job.state, job.state), "reason": say_all(job.reasons),
            "item": job.item_id, "done": job.state in TERMINAL,
            "edit_url": url_for("pages.staff.edit", item_id=job.item_id) if job.item_id else None}


@api.post("/uploads")
@require(staff, json=True)
def start():
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}  # a list, a string or a number is no announcement
    filename, size = body.get("filename"), body.get("size")
    if not isinstance(filename, str) or not isinstance(size, int) or isinstance(size, bool) or size < 0 \
            or size > MAX_WHOLE:
        return error_response(400, _("Send the file's name and its size in bytes."))
    upload_id = uploads.start_upload(_archive(), current_viewer(), filename, size)
    response = jsonify(id=upload_id, received=0, chunk_bytes=CHUNK_BYTES)
    response.status_code = 201
    return response


@api.get("/uploads/<upload_id>")
@require(staff, json=True)
def status(upload_id: str):
    return jsonify(id=upload_id, received=uploads.upload_status(_archive(), upload_id, current_viewer()))


@api.patch("/uploads/<upload_id>")
@require(staff, json=True)
def append(upload_id: str):
    offset = number_arg("Upload-Offset", request.headers,
                        reason=_("The Upload-Offset header must give the chunk's offset in bytes."))
    if request.content_length is None or request.content_length > CHUNK_BYTES:
        return error_response(413, _("A chunk may be at most %(size)s bytes.", size=CHUNK_BYTES))
    received = uploads.append_chunk(_archive(), upload_id, offset, request.get_data(cache=False),
                                    actor=current_viewer())
    return jsonify(id=upload_id, received=received)


@api.post("/uploads/<upload_id>/finish")
@require(staff, json=True)
def finish(upload_id: str):
    job_id = uploads.finish_upload(_archive(), upload_id, current_viewer())
    job = jobs.list_jobs(_archive(), ids=[job_id])[0]
    return jsonify(job=job_json(job))


@api.get("/jobs")
@require(staff, json=True)
def job_states():
    ids = [whole_number("id", raw, maximum=MAX_ID) for raw in request.args.getlist("id")[:200]]
    found = jobs.list_jobs(_archive(), ids=ids) if ids else []
    return jsonify(jobs=[job_json(job) for job in found])

