"""Signing in: Flask-Login sessions over archive.accounts, CSRF on every state-changing request (Flask-WTF), the
session cookie's flags, role guards, and ``current_viewer()`` — the viewer every door hands to archive.access.

The user is reloaded from the catalog on every request, so disabling an account or changing its role takes effect at
once; the session id carries a digest of the password hash and the account's session generation, so a new password
signs out every other session and an account disabled then enabled again starts with none; and a nonce of its own,
which signing out ends on the server, so a copied cookie opens nothing afterwards.
"""
from __future__ import annotations

import hashlib
import os
import secrets
from datetime import timedelta
from functools import wraps
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from flask import (Blueprint, Flask, current_app, flash, g, make_response, redirect, render_template, request,
                   session, url_for)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect

from .. import accounts
from ..access import Viewer
from ..errors import BadCredentials, LoginThrottled, NotFound
from ..settings import Settings
from .errors import error_response

SESSION_HOURS = 12
MAX_REQUEST_BYTES = 32 * 1024 * 1024  # the largest body any request may carry: an upload chunk, a batch-edit CSV
bp = Blueprint("auth", __name__, url_prefix="/staff")
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.session_protection = "basic"  # "strong" would sign a phone out whenever it changes network


def _archive():
    return current_app.config["ARCHIVE"]


class SignedIn:
    """The signed-in user as Flask-Login sees it: plain values copied from archive.accounts.User."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user, nonce: str) -> None:
        self.id = user.id
        self.username = user.username
        self.display_name = user.display_name or user.username
        self.role = user.role
        self.viewer = accounts.viewer_of(user)
        self.nonce = nonce
        self._session_id = f"{user.id}.{_session_digest(user)}.{nonce}"

    def get_id(self) -> str:
        return self._session_id


def _session_digest(user) -> str:
    return hashlib.sha256(f"{user.session_generation}.{user.password_hash}".encode()).hexdigest()[:16]


@login_manager.user_loader
def _load_user(session_id: str) -> SignedIn | None:
    parts = session_id.split(".")
    if len(parts) != 3 or not parts[0].isascii() or not parts[0].isdigit() or len(parts[0]) > 18:
        return None
    user_id, digest, nonce = parts
    try:
        user = accounts.get_user(_archive(), int(user_id))
    except NotFound:
        return None
    if not user.active or not secrets.compare_digest(digest, _session_digest(user)):
        return None
    if accounts.session_ended(_archive(), nonce):
        return None
    return SignedIn(user, nonce)


def current_viewer() -> Viewer:
    """Who is asking: the signed-in user's viewer, else Viewer.ANONYMOUS."""
    if "viewer" not in g:
        g.viewer = current_user.viewer if current_user.is_authenticated else Viewer.ANONYMOUS
    return g.viewer


# Role checks for require(); each takes an archive.accounts.Viewer.
def staff(viewer: Viewer) -> bool:
    return viewer.is_staff


def publisher(viewer: Viewer) -> bool:
    return viewer.can_publish


def admin(viewer: Viewer) -> bool:
    return viewer.can_admin


def require(check: Callable[[Viewer], bool], *, json: bool = False):
    """Guard a view: anonymous visitors go to the sign-in page (JSON views answer 401); a signed-in user whom
    ``check`` refuses gets a 403 page (or JSON)."""
    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            viewer = current_viewer()
            if viewer.user_id is None:
                if json:
                    return _json_error(401, _("Your session has ended: sign in again."))
                return redirect(url_for("pages.auth.login", next=request.full_path.rstrip("?")))
            if not check(viewer):
                if json:
                    return _json_error(403, _("Your role does not allow this."))
                return render_template("staff/denied.html"), 403
            return view(*args, **kwargs)
        return guarded
    return decorator


def _json_error(status: int, detail: str):
    return error_response(status, detail)


def safe_next(target: str | None) -> str | None:
    """A path on this site to return to after signing in; anything else (another host, a scheme) is dropped."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _landing(viewer: Viewer) -> str:
    return url_for("pages.staff.dashboard") if viewer.is_staff else url_for("pages.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(next_url or _landing(current_viewer()))
        return render_template("staff/login.html", next_url=next_url, username="", error=None)
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    try:
        user = accounts.authenticate(_archive(), username, password, request.remote_addr or "")
    except LoginThrottled as exc:
        minutes = max(1, -(-exc.retry_after_seconds // 60))
        error = ngettext("Too many failed sign-ins. Wait %(num)d minute before trying again.",
                         "Too many failed sign-ins. Wait %(num)d minutes before trying again.", minutes)
        response = make_response(render_template("staff/login.html", next_url=next_url, username=username,
                                                 error=error), 429)
        response.headers["Retry-After"] = str(exc.retry_after_seconds)
        return response
    except BadCredentials:
        error = _("The username or the password is wrong.")
        return render_template("staff/login.html", next_url=next_url, username=username, error=error), 401
    session.clear()  # a fresh session at each sign-in
    login_user(SignedIn(user, secrets.token_hex(16)))
    session.permanent = True
    return redirect(next_url or _landing(accounts.viewer_of(user)))


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    if request.method == "GET":  # a page with the sign-out button: signing out is a POST, under CSRF protection
        if not current_user.is_authenticated:
            return redirect(url_for("pages.auth.login"))
        return render_template("staff/logout.html")
    if current_user.is_authenticated:
        accounts.end_session(_archive(), current_viewer(), current_user.nonce,
                             lifetime=current_app.permanent_session_lifetime, remote_addr=request.remote_addr)
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("pages.auth.login"))


def no_store(response):
    """Staff pages hold unpublished material: never kept by the browser's or a proxy's cache (a shared office
    computer's Back button must not show them after signing out)."""
    response.headers["Cache-Control"] = "no-store"
    return response


def secret_key(settings: Settings) -> str:
    """HERITAGE_SECRET_KEY, else a key generated once and kept (readable by the owner only) in the data dir."""
    if settings.secret_key:
        return settings.secret_key
    path: Path = settings.data_path / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text("ascii").strip()
        if not key:
            raise RuntimeError(f"{path} is empty: delete it (a new key is made) or set HERITAGE_SECRET_KEY")
        return key
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key


def init_app(app: Flask) -> None:
    settings: Settings = app.config["ARCHIVE"].settings
    app.config.update(
        SECRET_KEY=secret_key(settings),
        SESSION_COOKIE_NAME="heritage_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        WTF_CSRF_TIME_LIMIT=SESSION_HOURS * 3600,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    app.jinja_env.globals["current_viewer"] = current_viewer
