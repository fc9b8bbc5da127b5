"""The audit log: who signed in, uploaded, edited, published or changed access, and when. Admins read and export it."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

from sqlalchemy import select

from .catalog.models import AuditEntry

ACTIONS = ("login", "login_failed", "login_throttled", "logout", "user_add", "user_disable", "user_enable",
           "role_change", "password_change", "upload", "ingest_done", "ingest_rejected", "create", "edit", "revert",
           "publish", "unpublish", "access_change", "term_create", "term_propose", "term_edit", "term_approve", "term_delete",
           "term_restore", "term_merge", "home_curate", "caption_add", "caption_replace", "caption_remove",
           "ocr_rerun", "ocr_correct")
CSV_COLUMNS = ("at", "username", "action", "target", "details", "remote_addr")


def record(archive, actor, action: str, target: str | None = None, details: dict | None = None, *,
           remote_addr: str | None = None, session=None) -> None:
    """Append one entry; ``actor`` is an accounts.Viewer, or None for the system and anonymous attempts.

    Given the ``session`` that makes the change, the entry commits with it or not at all."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(user_id=getattr(actor, "user_id", None), username=getattr(actor, "username", None),
                       action=action, target=target, details=details or {}, remote_addr=remote_addr)
    if session is not None:
        session.add(entry)
        return
    with archive.catalog.session() as s:
        s.add(entry)


def _query(action: str | None, actor: str | None, since: datetime | None, target: str | None):
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    if actor:
        query = query.where(AuditEntry.username == actor)
    if since:
        query = query.where(AuditEntry.at >= since)
    if target:
        query = query.where(AuditEntry.target == target)
    return query


def entries(archive, *, action: str | None = None, actor: str | None = None, since: datetime | None = None,
            target: str | None = None, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
    """Newest first."""
    with archive.catalog.session() as s:
        found = list(s.scalars(_query(action, actor, since, target).limit(limit).offset(offset)))
        s.expunge_all()
        return found


def export_csv(archive, *, action: str | None = None, actor: str | None = None,
               since: datetime | None = None, target: str | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    with archive.catalog.session() as s:
        for e in s.scalars(_query(action, actor, since, target).execution_options(yield_per=500)):
            at = e.at if e.at.tzinfo else e.at.replace(tzinfo=timezone.utc)  # SQLite keeps no zone; times are UTC
            writer.writerow((at.isoformat(), e.username or "", e.action, e.target or "",
                             json.dumps(e.details, ensure_ascii=False, sort_keys=True), e.remote_addr or ""))
    return out.getvalue()
