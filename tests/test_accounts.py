"""Accounts on a real SQLite catalog: roles, Argon2id hashes, sign-in, throttling that survives a restart, rehash when
the cost changes, every attempt audited, and the guards on who may change accounts."""
from __future__ import annotations

import unicodedata
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from archive import accounts, audit
from archive.access import Viewer
from archive.catalog.models import LoginAttempt, User
from archive.context import Archive
from archive.errors import BadCredentials, Conflict, Forbidden, InvalidRecord, LoginThrottled
from archive.settings import load_settings

PASSWORD = "correct horse battery"
CHEAP = {"password_time_cost": 1, "password_memory_kib": 1024}  # Argon2id at a test cost, through settings only


@pytest.fixture
def settings(data_dir):
    return load_settings(environ={}, data_dir=str(data_dir), workers=2, **CHEAP)


@pytest.fixture
def admin(archive):
    return accounts.viewer_of(accounts.create_user(archive, "root", PASSWORD, "admin"))


def test_a_new_account_is_normalised_and_its_password_hashed_with_argon2id(archive):
    decomposed = unicodedata.normalize("NFD", "Hương.Nguyễn")
    user = accounts.create_user(archive, f"  {decomposed} ", PASSWORD, "editor", display_name="Nguyễn Thị Hương")
    assert user.username == unicodedata.normalize("NFC", "hương.nguyễn")
    assert user.password_hash.startswith("$argon2id$v=19$m=1024,t=1,") and PASSWORD not in user.password_hash
    assert user.active and user.created_at is not None and user.last_login_at is None
    assert accounts.find_user(archive, "HƯƠNG.NGUYỄN").id == user.id
    rows = accounts.list_users(archive)
    assert [(r.username, r.role, r.display_name) for r in rows] == [(user.username, "editor", "Nguyễn Thị Hương")]
    assert not hasattr(rows[0], "password_hash")


def test_every_problem_with_a_new_account_is_named_by_its_field(archive):
    with pytest.raises(InvalidRecord) as err:
        accounts.create_user(archive, "bad name!", "short", "janitor")
    assert {p.field for p in err.value.problems} == {"username", "password", "role"}
    assert "at least 10 characters" in str(err.value) and "'janitor'" in str(err.value)
    accounts.create_user(archive, "Lan", PASSWORD, "contributor")
    with pytest.raises(InvalidRecord) as err:
        accounts.create_user(archive, "LAN", PASSWORD, "editor")
    assert [p.field for p in err.value.problems] == ["username"] and "taken" in str(err.value)


@pytest.mark.parametrize("role, staff, publish, admin_", [
    ("admin", True, True, True), ("editor", True, True, False), ("contributor", True, False, False),
    ("researcher", False, False, False), (None, False, False, False)])
def test_what_each_role_may_do(role, staff, publish, admin_):
    viewer = Viewer(user_id=None if role is None else 7, role=role, username=role)
    assert (viewer.is_staff, viewer.can_publish, viewer.can_admin) == (staff, publish, admin_)


def test_sign_in_succeeds_and_the_failures_cannot_be_told_apart(archive, admin):
    user = accounts.create_user(archive, "lan", PASSWORD, "editor", actor=admin)
    signed_in = accounts.authenticate(archive, " LAN ", PASSWORD, "10.0.0.1")
    assert signed_in.id == user.id and signed_in.last_login_at is not None
    assert accounts.viewer_of(signed_in) == Viewer(user.id, "editor", "lan")
    messages = set()
    for username, password in (("lan", "wrong password!"), ("nobody", PASSWORD)):
        with pytest.raises(BadCredentials) as err:
            accounts.authenticate(archive, username, password, "10.0.0.1")
        messages.add(str(err.value))
    accounts.disable_user(archive, user.id, actor=admin)
    with pytest.raises(BadCredentials) as err:
        accounts.authenticate(archive, "lan", PASSWORD, "10.0.0.1")  # the right password of a disabled account
    messages.add(str(err.value))
    assert messages == {"wrong username or password"}
    assert accounts.viewer_of(accounts.get_user(archive, user.id)) == Viewer.ANONYMOUS


def test_every_attempt_is_audited_with_its_address(archive, admin):
    accounts.create_user(archive, "lan", PASSWORD, "editor", actor=admin)
    accounts.authenticate(archive, "lan", PASSWORD, "192.0.2.7")
    with pytest.raises(BadCredentials):
        accounts.authenticate(archive, "lan", "not the password", "192.0.2.8")
    logged = audit.entries(archive, limit=10)
    assert [(e.action, e.target, e.remote_addr, e.username) for e in logged[:2]] == [
        ("login_failed", "user:lan", "192.0.2.8", None), ("login", "user:lan", "192.0.2.7", "lan")]


def _fail(archive, username: str, address: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(BadCredentials):
            accounts.authenticate(archive, username, "wrong password!", address)


def test_five_failures_for_a_username_make_it_wait_even_after_a_restart(settings, archive, admin):
    accounts.create_user(archive, "lan", PASSWORD, "editor", actor=admin)
    _fail(archive, "lan", "10.0.0.1", 5)
    with pytest.raises(LoginThrottled) as err:
        accounts.authenticate(archive, "lan", PASSWORD, "10.0.0.2")  # the right password, from elsewhere
    assert 0 < err.value.retry_after_seconds <= 15 * 60
    restarted = Archive(settings)  # another process: a new engine on the same catalog file
    try:
        with pytest.raises(LoginThrottled):
            accounts.authenticate(restarted, "lan", PASSWORD, "10.0.0.3")
        assert accounts.authenticate(restarted, "root", PASSWORD, "10.0.0.1").username == "root"  # others unaffected
    finally:
        restarted.catalog.dispose()
    assert [e.action for e in audit.entries(archive, action="login_throttled")] == ["login_throttled"] * 2
    with archive.catalog.session() as s:  # fifteen minutes pass
        for attempt in s.scalars(select(LoginAttempt)):
            attempt.at -= timedelta(minutes=16)
    assert accounts.authenticate(archive, "lan", PASSWORD, "10.0.0.1").username == "lan"


def test_twenty_failures_from_one_address_make_it_wait_for_every_username(archive, admin):
    accounts.create_user(archive, "lan", PASSWORD, "editor", actor=admin)
    for n in range(5):
        _fail(archive, f"guess{n}", "203.0.113.9", 4)
    with pytest.raises(LoginThrottled):
        accounts.authenticate(archive, "lan", PASSWORD, "203.0.113.9")
    assert accounts.authenticate(archive, "lan", PASSWORD, "203.0.113.10").username == "lan"


def test_a_hash_made_with_old_parameters_is_redone_at_sign_in(settings, archive, admin):
    user = accounts.create_user(archive, "lan", PASSWORD, "editor", actor=admin)
    stronger = Archive(load_settings(environ={}, data_dir=settings.data_dir, workers=2, password_time_cost=2,
                                     password_memory_kib=2048))
    try:
        accounts.authenticate(stronger, "lan", PASSWORD, "10.0.0.1")
        with stronger.catalog.session() as s:
            stored = s.scalar(select(User.password_hash).where(User.id == user.id))
    finally:
        stronger.catalog.dispose()
    assert stored != user.password_hash and "$m=2048,t=2," in stored
    assert PasswordHasher().verify(stored, PASSWORD)
    assert accounts.authenticate(archive, "lan", PASSWORD, "10.0.0.1").id == user.id


def test_only_administrators_manage_accounts_and_the_last_one_stays(archive, admin):
    editor = accounts.viewer_of(accounts.create_user(archive, "ed", PASSWORD, "editor", actor=admin))
    with pytest.raises(Forbidden):
        accounts.create_user(archive, "sneaky", PASSWORD, "admin", actor=editor)
    with pytest.raises(Forbidden):
        accounts.set_role(archive, editor.user_id, "admin", actor=editor)
    with pytest.raises(Conflict, match="last active administrator"):
        accounts.disable_user(archive, admin.user_id, actor=admin)
    with pytest.raises(Conflict):
        accounts.set_role(archive, admin.user_id, "editor", actor=admin)
    assert accounts.get_user(archive, admin.user_id).active
    promoted = accounts.viewer_of(accounts.set_role(archive, editor.user_id, "admin", actor=admin))
    assert accounts.set_role(archive, admin.user_id, "editor", actor=promoted).role == "editor"
    demoted = accounts.viewer_of(accounts.get_user(archive, admin.user_id))
    with pytest.raises(Forbidden):
        accounts.enable_user(archive, editor.user_id, actor=demoted)
    changes = audit.entries(archive, action="role_change")
    assert [(e.username, e.target, e.details) for e in changes] == [
        ("ed", "user:root", {"role": {"from": "admin", "to": "editor"}}),
        ("root", "user:ed", {"role": {"from": "editor", "to": "admin"}})]


def test_a_new_password_replaces_the_old_one(archive, admin):
    lan = accounts.viewer_of(accounts.create_user(archive, "lan", PASSWORD, "contributor", actor=admin))
    other = accounts.viewer_of(accounts.create_user(archive, "mai", PASSWORD, "contributor", actor=admin))
    with pytest.raises(Forbidden):
        accounts.set_password(archive, lan.user_id, "a brand new secret", actor=other)
    with pytest.raises(InvalidRecord) as err:
        accounts.set_password(archive, lan.user_id, "short", actor=lan)
    assert err.value.problems[0].field == "password"
    accounts.set_password(archive, lan.user_id, "a brand new secret", actor=lan)
    assert accounts.authenticate(archive, "lan", "a brand new secret", "10.0.0.1").id == lan.user_id
    with pytest.raises(BadCredentials):
        accounts.authenticate(archive, "lan", PASSWORD, "10.0.0.1")


def test_a_sign_in_survives_a_commit_made_elsewhere_between_its_read_and_its_write(settings, archive, admin):
    """SQLite refuses a write from a transaction whose read snapshot another process has moved past (not waiting, as
    for a lock): the sign-in's read-then-write must hold the write lock from its start. The other process's commit
    is injected, from another thread, right after the sign-in reads the user it will update."""
    import threading

    from sqlalchemy import event

    other = Archive(settings)
    committed = threading.Event()
    injected: list[threading.Thread] = []

    def commit_elsewhere():
        audit.record(other, None, "login_failed", "user:someone-else", {})
        committed.set()

    def after_read(conn, cursor, statement, parameters, context, executemany):
        if not injected and statement.lstrip().upper().startswith("SELECT") and "WHERE users.id = " in statement:
            thread = threading.Thread(target=commit_elsewhere)
            injected.append(thread)
            thread.start()
            committed.wait(1)  # before: commits at once; after: waits for the sign-in's lock

    event.listen(archive.catalog.engine, "after_cursor_execute", after_read)
    try:
        user = accounts.authenticate(archive, "root", PASSWORD, "192.0.2.1")
    finally:
        event.remove(archive.catalog.engine, "after_cursor_execute", after_read)
    injected[0].join(30)
    assert user.username == "root" and user.last_login_at is not None and committed.is_set()
    assert [e.action for e in audit.entries(archive, target="user:someone-else")] == ["login_failed"]
    other.catalog.dispose()
