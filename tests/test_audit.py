"""The audit log on a real catalog: what the services write, newest first, filtered by action, user, target and time,
paged, and exported as CSV that reads back to the same values."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from archive import accounts, audit, editing, publishing
from archive.access import Viewer
from archive.catalog.models import AuditEntry, Item
from archive.errors import BadCredentials
from archive.importer import import_records

PASSWORD = "correct horse battery"



def test_the_services_leave_a_trail_newest_first(archive, tmp_path):
    admin = accounts.create_user(archive, "root", PASSWORD, "admin")
    editor = accounts.viewer_of(accounts.create_user(archive, "lan", PASSWORD, "editor",
                                                     actor=accounts.viewer_of(admin)))
    accounts.authenticate(archive, "lan", PASSWORD, "198.51.100.4")
    with pytest.raises(BadCredentials):
        accounts.authenticate(archive, "lan", "not my password", "198.51.100.4")
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"title": {"vi": "Chùa", "en": "Pagoda"}, "community": "khmer"}), "utf-8")
    item_id = import_records(archive, path).new[0]
    editing.update_item(archive, item_id, {"title": {"vi": "Chùa Chantarangsay", "en": "Pagoda"},
                                           "community": "khmer"}, editor)
    publishing.unpublish(archive, item_id, editor)
    publishing.set_access(archive, item_id, "staff", editor)
    trail = [(e.action, e.username, e.target) for e in audit.entries(archive)]
    assert trail == [
        ("access_change", "lan", f"item:{item_id}"), ("unpublish", "lan", f"item:{item_id}"),
        ("edit", "lan", f"item:{item_id}"), ("login_failed", None, "user:lan"), ("login", "lan", "user:lan"),
        ("user_add", "root", "user:lan"), ("user_add", None, "user:root")]
    assert {e.action for e in audit.entries(archive)} <= set(audit.ACTIONS)


def test_a_change_and_its_entry_commit_together(archive, tmp_path, monkeypatch):
    """A fault while writing the entry (injected: the action is refused) leaves the change undone too."""
    admin = accounts.viewer_of(accounts.create_user(archive, "root", PASSWORD, "admin"))
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"title": {"vi": "Chùa", "en": "Pagoda"}, "community": "khmer"}), "utf-8")
    item_id = import_records(archive, path).new[0]
    monkeypatch.setattr(audit, "ACTIONS", tuple(a for a in audit.ACTIONS if a not in ("unpublish", "role_change")))
    with pytest.raises(ValueError, match="unknown audit action 'unpublish'"):
        publishing.unpublish(archive, item_id, admin)
    editor = accounts.create_user(archive, "lan", PASSWORD, "editor", actor=admin)
    with pytest.raises(ValueError, match="unknown audit action 'role_change'"):
        accounts.set_role(archive, editor.id, "researcher", actor=admin)
    with archive.catalog.session() as s:
        assert s.scalars(select(Item.status).where(Item.id == item_id)).one() == "published"
    assert editing.history(archive, item_id)[-1].action == "create"
    assert accounts.get_user(archive, editor.id).role == "editor"
    assert [e.action for e in audit.entries(archive)] == ["user_add", "user_add"]


def test_filters_and_paging(archive):
    alice, bob = Viewer(1, "admin", "alice"), Viewer(2, "editor", "bob")
    for n in range(5):
        audit.record(archive, alice if n % 2 else bob, "edit", f"item:i{n}", {"version": n + 2})
    audit.record(archive, None, "login_failed", "user:mallory", remote_addr="192.0.2.1")
    with archive.catalog.session() as s:  # the first three happened two days ago
        for entry in s.scalars(select(AuditEntry).where(AuditEntry.id <= 3)):
            entry.at -= timedelta(days=2)
    assert [e.target for e in audit.entries(archive, action="edit", actor="alice")] == ["item:i3", "item:i1"]
    since = datetime.now(timezone.utc) - timedelta(days=1)
    assert [e.target for e in audit.entries(archive, since=since)] == ["user:mallory", "item:i4", "item:i3"]
    assert [e.target for e in audit.entries(archive, target="item:i2")] == ["item:i2"]
    pages = [[e.id for e in audit.entries(archive, limit=2, offset=o)] for o in (0, 2, 4)]
    assert pages == [[6, 5], [4, 3], [2, 1]]
    with pytest.raises(ValueError, match="unknown audit action 'hack'"):
        audit.record(archive, alice, "hack")


def test_the_csv_export_reads_back_to_the_same_values(archive):
    tricky = {"title": 'Lễ "Katê", ngày 1\nvà 2', "fields": ["title", "date"]}
    audit.record(archive, Viewer(1, "editor", "lan"), "edit", "item:abc", tricky, remote_addr="2001:db8::1")
    audit.record(archive, Viewer(1, "editor", "lan"), "publish", "item:abc")
    rows = list(csv.DictReader(io.StringIO(audit.export_csv(archive))))
    assert [r["action"] for r in rows] == ["publish", "edit"]
    edit = rows[1]
    assert (edit["username"], edit["target"], edit["remote_addr"]) == ("lan", "item:abc", "2001:db8::1")
    assert json.loads(edit["details"]) == tricky
    assert datetime.fromisoformat(edit["at"]) <= datetime.now(timezone.utc)
    only = list(csv.DictReader(io.StringIO(audit.export_csv(archive, action="publish"))))
    assert [r["action"] for r in only] == ["publish"]


def test_an_uploaded_file_and_its_ingest_entry_commit_together(archive, tmp_path, monkeypatch):
    """The upload job's item and its "ingest_done" entry are one transaction: with the entry refused (the injected
    fault), no item is left behind, and the job says it failed."""
    from archive import jobs, uploads
    from archive.catalog.models import MediaFile
    from tests.media import make_jpeg

    contributor = accounts.viewer_of(accounts.create_user(archive, "minh", PASSWORD, "contributor"))
    data = make_jpeg(tmp_path / "đình.jpg").read_bytes()
    upload_id = uploads.start_upload(archive, contributor, "đình.jpg", len(data))
    uploads.append_chunk(archive, upload_id, 0, data, contributor)
    job_id = uploads.finish_upload(archive, upload_id, contributor)
    monkeypatch.setattr(audit, "ACTIONS", tuple(a for a in audit.ACTIONS if a != "ingest_done"))
    jobs.run_job(archive, job_id)
    with archive.catalog.session() as s:
        assert s.scalars(select(Item)).all() == [] and s.scalars(select(MediaFile)).all() == []
    assert jobs.list_jobs(archive, ids=[job_id])[0].state == "failed"
    monkeypatch.undo()
    entries = [e for e in audit.entries(archive) if e.action == "ingest_done"]
    assert entries == []
