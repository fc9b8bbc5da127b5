"""Administrators' pages under /{lang}/staff/admin/: the audit log (filters, CSV export) and the accounts."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import accounts, audit
from ..errors import BadParameter, InvalidRecord
from .auth import admin, current_viewer, require
from .params import MAX_ID, date_arg, page_number

PER_PAGE = 50

bp = Blueprint("admin", __name__, url_prefix="/staff/admin")


@bp.before_request
@require(admin)
def _admins_only():
    """Every page here is for administrators."""


def _archive():
    return current_app.config["ARCHIVE"]


def _filters() -> dict:
    """The audit filters from the query string; a malformed date is ignored (and shown as such)."""
    action = request.args.get("action") or None
    actor = request.args.get("actor", "").strip() or None
    try:
        day = date_arg("since")
    except BadParameter:
        day = None
    since = datetime.combine(day, time.min, tzinfo=timezone.utc) if day else None
    return {"action": action if action in audit.ACTIONS else None, "actor": actor, "since": since}


@bp.get("/audit")
def audit_log():
    filters = _filters()
    number = page_number()
    entries = audit.entries(_archive(), **filters, limit=PER_PAGE + 1, offset=(number - 1) * PER_PAGE)
    return render_template("staff/audit.html", entries=entries[:PER_PAGE], more=len(entries) > PER_PAGE,
                           number=number, filters=filters, actions=audit.ACTIONS,
                           bad_since=bool(request.args.get("since", "").strip()) and filters["since"] is None)


@bp.get("/audit.csv")
def audit_csv():
    body = audit.export_csv(_archive(), **_filters())
    name = f"heritage-audit-{date.today().isoformat()}.csv"
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/users")
def users():
    return render_template("staff/users.html", users=accounts.list_users(_archive()), roles=accounts.ROLES,
                           problems=[], form={})


@bp.post("/users")
def add_user():
    form = request.form
    try:
        user = accounts.create_user(_archive(), form.get("username", ""), form.get("password", ""),
                                    form.get("role", ""), display_name=form.get("display_name") or None,
                                    actor=current_viewer())
    except InvalidRecord as exc:
        return render_template("staff/users.html", users=accounts.list_users(_archive()), roles=accounts.ROLES,
                               problems=exc.problems, form=form), 400
    flash(_("Account %(name)s created.", name=user.username), "success")
    return redirect(url_for(".users"))


@bp.post(f"/users/<int(max={MAX_ID}):user_id>/role")
def change_role(user_id: int):
    accounts.set_role(_archive(), user_id, request.form.get("role", ""), actor=current_viewer())
    flash(_("Role changed."), "success")
    return redirect(url_for(".users"))


@bp.post(f"/users/<int(max={MAX_ID}):user_id>/disable")
def disable(user_id: int):
    accounts.disable_user(_archive(), user_id, actor=current_viewer())
    flash(_("Account disabled: it can no longer sign in."), "success")
    return redirect(url_for(".users"))


@bp.post(f"/users/<int(max={MAX_ID}):user_id>/enable")
def enable(user_id: int):
    accounts.enable_user(_archive(), user_id, actor=current_viewer())
    flash(_("Account enabled: it can sign in again."), "success")
    return redirect(url_for(".users"))
