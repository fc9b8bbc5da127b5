"""Staff and researcher accounts: roles, Argon2id password hashes, sign-in with throttling of password guessing.

Failed attempts are rows in the catalog, so the limits hold across server processes and restarts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select

from . import audit
from .access import Viewer
from .catalog.models import EndedSession, LoginAttempt, User
from .context import Archive
from .errors import BadCredentials, Conflict, Forbidden, InvalidRecord, LoginThrottled, NotFound, Problem
from .text import clean as nfc

ROLES = ("admin", "editor", "contributor", "researcher")
MIN_PASSWORD = 10


def viewer_of(user: User) -> Viewer:
    """The viewer a signed-in user is; a disabled account counts as anonymous."""
    return Viewer(user_id=user.id, role=user.role, username=user.username) if user.active else Viewer.ANONYMOUS


@dataclass(frozen=True)
class UserRow:
    """An account as the pages list it (no password hash)."""

    id: int
    username: str
    display_name: str | None
    role: str
    active: bool
    created_at: datetime
    last_login_at: datetime | None


def _hasher(archive: Archive) -> PasswordHasher:
    """Argon2id with the configured cost; a stored hash made with other parameters is redone at the next sign-in."""
    return PasswordHasher(time_cost=archive.settings.password_time_cost,
                          memory_cost=archive.settings.password_memory_kib)


def normalise_username(raw: str) -> str:
    return nfc(raw or "").lower()


def _check(username: str | None, password: str | None, role: str | None) -> None:
    problems = []
    if username is not None and not (0 < len(username) <= 64 and all(c.isalnum() or c in "._-@" for c in username)):
        problems.append(Problem("username", f"{username!r}: use 1 to 64 letters, digits and . _ - @"))
    if password is not None and len(password) < MIN_PASSWORD:
        problems.append(Problem("password", f"must have at least {MIN_PASSWORD} characters"))
    if role is not None and role not in ROLES:
        problems.append(Problem("role", f"unknown role {role!r} (allowed: {', '.join(ROLES)})"))
    if problems:
        raise InvalidRecord(problems)


def _require_admin(actor: Viewer | None) -> None:
    """Account changes are for administrators; ``None`` is the server's own command line."""
    if actor is not None and not actor.can_admin:
        raise Forbidden("only administrators can manage accounts")


def create_user(archive: Archive, username: str, password: str, role: str, display_name: str | None = None,
                actor: Viewer | None = None) -> User:
    _require_admin(actor)
    username = normalise_username(username)
    _check(username, password, role)
    with archive.catalog.writing() as s:
        if s.scalar(select(User.id).where(User.username == username)) is not None:
            raise InvalidRecord([Problem("username", f"{username!r} is taken")])
        user = User(username=username, display_name=nfc(display_name) if display_name else None, role=role,
                    password_hash=_hasher(archive).hash(password), active=True)
        s.add(user)
        s.flush()
        audit.record(archive, actor, "user_add", f"user:{user.username}", {"role": role}, session=s)
        s.expunge(user)
    return user


def get_user(archive: Archive, user_id: int) -> User:
    with archive.catalog.session() as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound(f"no user {user_id}")
        s.expunge(user)
        return user


def find_user(archive: Archive, username: str) -> User:
    with archive.catalog.session() as s:
        user = s.scalar(select(User).where(User.username == normalise_username(username)))
        if user is None:
            raise NotFound(f"no user {username!r}")
        s.expunge(user)
        return user


def list_users(archive: Archive) -> list[UserRow]:
    with archive.catalog.session() as s:
        return [UserRow(u.id, u.username, u.display_name, u.role, u.active, u.created_at, u.last_login_at)
                for u in s.scalars(select(User).order_by(User.username))]


def _change(archive: Archive, user_id: int, actor: Viewer | None, action: str, *, end_sessions: bool = False,
            **values) -> User:
    _require_admin(actor)
    with archive.catalog.writing() as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound(f"no user {user_id}")
        before = {k: getattr(user, k) for k in values}
        was_admin = user.role == "admin" and user.active
        for key, value in values.items():
            setattr(user, key, value)
        if end_sessions:
            user.session_generation += 1
        s.flush()
        admins = s.scalar(select(func.count()).select_from(User).where(User.role == "admin", User.active.is_(True)))
        if was_admin and not admins:  # raising rolls the change back
            raise Conflict(f"{user.username} is the last active administrator; make another one first")
        audit.record(archive, actor, action, f"user:{user.username}",
                     {k: {"from": before[k], "to": v} for k, v in values.items()}, session=s)
        s.expunge(user)
    return user


def disable_user(archive: Archive, user_id: int, actor: Viewer | None = None) -> User:
    return _change(archive, user_id, actor, "user_disable", end_sessions=True, active=False)


def enable_user(archive: Archive, user_id: int, actor: Viewer | None = None) -> User:
    return _change(archive, user_id, actor, "user_enable", active=True)


def set_role(archive: Archive, user_id: int, role: str, actor: Viewer | None = None) -> User:
    _check(None, None, role)
    return _change(archive, user_id, actor, "role_change", role=role)


def set_password(archive: Archive, user_id: int, password: str, actor: Viewer | None = None) -> None:
    """A new password (administrators for anyone, a user for themselves); signs out the user's other sessions."""
    if actor is not None and actor.user_id != user_id:
        _require_admin(actor)
    _check(None, password, None)
    with archive.catalog.writing() as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound(f"no user {user_id}")
        user.password_hash = _hasher(archive).hash(password)
        audit.record(archive, actor, "password_change", f"user:{user.username}", {}, session=s)


def end_session(archive: Archive, viewer: Viewer, nonce: str, *, lifetime: timedelta,
                remote_addr: str | None = None) -> None:
    """Sign one session out for good, on the server: its nonce is refused from now on, even in a copied cookie (the
    user's other sessions go on). Nonces older than a session can live are dropped; the sign-out is audited with
    it."""
    now = datetime.now(timezone.utc)
    with archive.catalog.session() as s:
        s.execute(delete(EndedSession).where(EndedSession.ended_at < now - lifetime))
        s.merge(EndedSession(nonce=nonce, user_id=viewer.user_id, ended_at=now))
        audit.record(archive, viewer, "logout", f"user:{viewer.user_id}", remote_addr=remote_addr, session=s)


def session_ended(archive: Archive, nonce: str) -> bool:
    with archive.catalog.session() as s:
        return s.get(EndedSession, nonce) is not None


def _throttle(archive: Archive, s, username: str, remote_addr: str, now: datetime) -> None:
    settings = archive.settings
    since = now - timedelta(seconds=settings.login_window_seconds)
    s.execute(delete(LoginAttempt).where(LoginAttempt.at < since))
    for column, value, limit in ((LoginAttempt.username, username, settings.login_failures_per_user),
                                 (LoginAttempt.remote_addr, remote_addr, settings.login_failures_per_address)):
        count, oldest = s.execute(select(func.count(), func.min(LoginAttempt.at))
                                  .where(column == value, LoginAttempt.at >= since)).one()
        if count >= limit:
            oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=timezone.utc)
            wait = (oldest + timedelta(seconds=settings.login_window_seconds) - now).total_seconds()
            raise LoginThrottled(max(1, int(wait) + 1))


def _verified(hasher: PasswordHasher, user: User | None, password: str) -> bool:
    if user is None:
        hasher.hash(password)  # the same work as a real check, so the time taken tells nothing
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    return user.active


def authenticate(archive: Archive, username: str, password: str, remote_addr: str) -> User:
    """The user whose password this is, or BadCredentials / LoginThrottled. Every attempt goes to the audit log.

    The password is checked outside any transaction: Argon2 takes a while, and SQLite has one writer at a time.
    """
    username = normalise_username(username)[:64]
    now = datetime.now(timezone.utc)
    try:
        with archive.catalog.session() as s:
            _throttle(archive, s, username, remote_addr, now)
            user = s.scalar(select(User).where(User.username == username))
            if user is not None:
                s.expunge(user)
    except LoginThrottled as exc:
        audit.record(archive, None, "login_throttled", f"user:{username}",
                     {"retry_after_seconds": exc.retry_after_seconds}, remote_addr=remote_addr)
        raise
    hasher = _hasher(archive)
    if not _verified(hasher, user, password):
        with archive.catalog.session() as s:
            s.add(LoginAttempt(username=username, remote_addr=remote_addr, at=now))
            audit.record(archive, None, "login_failed", f"user:{username}", {}, remote_addr=remote_addr, session=s)
        raise BadCredentials()
    rehashed = hasher.hash(password) if hasher.check_needs_rehash(user.password_hash) else None
    with archive.catalog.writing() as s:
        user = s.get(User, user.id)
        user.password_hash = rehashed or user.password_hash
        user.last_login_at = now
        s.flush()
        audit.record(archive, viewer_of(user), "login", f"user:{username}", {}, remote_addr=remote_addr, session=s)
        s.expunge(user)
    return user
