"""Users, API tokens and failed logins as stored: repositories over ``api_user``, ``api_token`` and
``login_throttle``.

What is stored is never a secret: a user's argon2 hash, a token's SHA-256 and its first characters.
The hashing itself is the account service's (``netatlas.jobs.accounts``); these repositories take
and return hashes, and views (frozen dataclasses) instead of rows.

``TokenRepo.find`` and ``UserRepo.session_of`` are what every API request costs: one lookup by a
unique index (the token hash) or the primary key (the user id of a login JWT).
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from netatlas.domain.accounts import Role
from netatlas.domain.errors import Conflict, NotFound
from netatlas.store.tables import LoginThrottleRow, TokenRow, UserRow, utcnow


@dataclass(frozen=True, slots=True)
class UserView:
    """A user as shown to an administrator (no hash)."""

    name: str
    role: Role
    disabled: bool
    created_at: datetime
    updated_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True, slots=True)
class UserLogin:
    """What a login checks: the stored hash (for the service only; never shown) and the JWT's claims."""

    id: int
    name: str
    role: Role
    disabled: bool
    token_version: int
    password_hash: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class UserSession:
    """What a login JWT is checked against on every request."""

    name: str
    role: Role
    disabled: bool
    token_version: int


@dataclass(frozen=True, slots=True)
class TokenView:
    """An API token as listed: its name and first characters, never the token or its hash."""

    name: str
    prefix: str
    role: Role
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True, slots=True)
class TokenMatch:
    """The token a request presented (found by its hash, not revoked)."""

    id: int
    name: str
    role: Role
    last_used_at: datetime | None
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class Throttle:
    """Failed logins for one name since ``window_start``; ``locked_until`` when the brake is on."""

    failures: int
    window_start: datetime
    locked_until: datetime | None


class UserRepo:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, name: str, password_hash: str, role: Role) -> None:
        """``Conflict`` when the name is taken (checked here; the unique index settles a race)."""
        if self._session.scalar(select(UserRow.id).where(UserRow.name == name)) is not None:
            raise Conflict(f"a user named {name!r} exists already")
        now = utcnow()
        self._session.add(UserRow(name=name, password_hash=password_hash, role=role.value, disabled=False,
                                  token_version=0, created_at=now, updated_at=now))
        self._session.flush()

    def count(self) -> int:
        return self._session.scalar(select(func.count()).select_from(UserRow)) or 0

    def get(self, name: str) -> UserView:
        return _user_view(self._row(name))

    def list(self) -> builtins.list[UserView]:
        return [_user_view(row) for row in self._session.scalars(select(UserRow).order_by(UserRow.name))]

    def login_of(self, name: str) -> UserLogin | None:
        row = self._session.scalar(select(UserRow).where(UserRow.name == name))
        if row is None:
            return None
        return UserLogin(row.id, row.name, Role(row.role), row.disabled, row.token_version, row.password_hash)

    def session_of(self, user_id: int) -> UserSession | None:
        """The user a JWT names (None: deleted): one primary-key lookup."""
        found = self._session.execute(
            select(UserRow.name, UserRow.role, UserRow.disabled, UserRow.token_version)
            .where(UserRow.id == user_id)).one_or_none()
        if found is None:
            return None
        return UserSession(found.name, Role(found.role), found.disabled, found.token_version)

    def update(self, name: str, *, password_hash: str | None = None, role: Role | None = None,
               disabled: bool | None = None, revoke_sessions: bool = True) -> UserView:
        """Change what is given; ``revoke_sessions`` (default) also voids every JWT issued so far."""
        row = self._row(name)
        if password_hash is not None:
            row.password_hash = password_hash
        if role is not None:
            row.role = role.value
        if disabled is not None:
            row.disabled = disabled
        if revoke_sessions:
            row.token_version += 1
        row.updated_at = utcnow()
        self._session.flush()
        return _user_view(row)

    def rehash(self, user_id: int, password_hash: str) -> None:
        """Store the same password hashed with today's parameters (JWTs stay valid)."""
        self._session.execute(update(UserRow).where(UserRow.id == user_id).values(password_hash=password_hash))

    def logged_in(self, user_id: int, when: datetime) -> None:
        self._session.execute(update(UserRow).where(UserRow.id == user_id).values(last_login_at=when))

    def delete(self, name: str) -> None:
        self._session.delete(self._row(name))
        self._session.flush()

    def admins(self, *, enabled_only: bool = True) -> int:
        """How many admins there are (enabled ones only by default): the last one may not go."""
        query = select(func.count()).select_from(UserRow).where(UserRow.role == Role.ADMIN.value)
        if enabled_only:
            query = query.where(UserRow.disabled.is_(False))
        return self._session.scalar(query) or 0

    def _row(self, name: str) -> UserRow:
        row = self._session.scalar(select(UserRow).where(UserRow.name == name))
        if row is None:
            raise NotFound(f"no user named {name!r}")
        return row


class TokenRepo:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, name: str, token_hash: str, prefix: str, role: Role, *, created_by: str = "",
            expires_at: datetime | None = None) -> TokenView:
        """``Conflict`` when a token that is not revoked has the name."""
        if self._active(name) is not None:
            raise Conflict(f"a token named {name!r} exists already (revoke it first)")
        row = TokenRow(name=name, token_hash=token_hash, prefix=prefix, role=role.value, created_by=created_by,
                       created_at=utcnow(), expires_at=expires_at)
        self._session.add(row)
        self._session.flush()
        return _token_view(row)

    def find(self, token_hash: str) -> TokenMatch | None:
        """The token that hashes to ``token_hash`` unless revoked: one unique-index lookup."""
        found = self._session.execute(
            select(TokenRow.id, TokenRow.name, TokenRow.role, TokenRow.last_used_at, TokenRow.expires_at)
            .where(TokenRow.token_hash == token_hash, TokenRow.revoked_at.is_(None))).one_or_none()
        if found is None:
            return None
        return TokenMatch(found.id, found.name, Role(found.role), found.last_used_at, found.expires_at)

    def used(self, token_id: int, when: datetime, every: timedelta) -> None:
        """Record a use unless one was recorded less than ``every`` ago (one write per token per
        ``every``, not one per request; concurrent requests race harmlessly to the same value)."""
        self._session.execute(update(TokenRow).where(
            TokenRow.id == token_id,
            or_(TokenRow.last_used_at.is_(None), TokenRow.last_used_at < when - every)).values(last_used_at=when))

    def list(self, *, include_revoked: bool = False) -> builtins.list[TokenView]:
        query = select(TokenRow).order_by(TokenRow.name, TokenRow.created_at)
        if not include_revoked:
            query = query.where(TokenRow.revoked_at.is_(None))
        return [_token_view(row) for row in self._session.scalars(query)]

    def get(self, name: str) -> TokenView:
        row = self._active(name)
        if row is None:
            raise NotFound(f"no token named {name!r}")
        return _token_view(row)

    def revoke(self, name: str) -> TokenView:
        """Revoke the token named ``name`` (kept, marked revoked); ``NotFound`` when none is active."""
        row = self._active(name)
        if row is None:
            raise NotFound(f"no token named {name!r}")
        row.revoked_at = utcnow()
        self._session.flush()
        return _token_view(row)

    def _active(self, name: str) -> TokenRow | None:
        return self._session.scalar(select(TokenRow).where(TokenRow.name == name, TokenRow.revoked_at.is_(None)))


class ThrottleRepo:
    """Failed logins per name, kept in the database so every API process shares one brake."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, name: str) -> Throttle | None:
        row = self._session.get(LoginThrottleRow, name)
        return None if row is None else Throttle(row.failures, row.window_start, row.locked_until)

    def failed(self, name: str, now: datetime, *, window: timedelta, limit: int, lockout: timedelta) -> Throttle:
        """Count one failure for ``name``; the ``limit``-th within ``window`` locks it for ``lockout``.

        The row is created if missing (``ON CONFLICT DO NOTHING``) and then read locked (``FOR UPDATE``
        on PostgreSQL; SQLite's write sessions hold the database lock), so concurrent failures all count.
        """
        insert = (postgresql.insert if self._dialect == "postgresql" else sqlite.insert)(LoginThrottleRow)
        self._session.execute(insert.values(name=name, failures=0, window_start=now)
                              .on_conflict_do_nothing(index_elements=[LoginThrottleRow.name]))
        row = self._session.scalars(select(LoginThrottleRow).where(LoginThrottleRow.name == name)
                                    .with_for_update()).one()
        if row.window_start <= now - window:
            row.failures, row.window_start = 0, now
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + lockout
            row.failures, row.window_start = 0, now  # a fresh count once the lock ends
        self._session.flush()
        return Throttle(row.failures, row.window_start, row.locked_until)

    def clear(self, name: str) -> None:
        self._session.execute(delete(LoginThrottleRow).where(LoginThrottleRow.name == name))

    def prune(self, before: datetime) -> int:
        """Forget names whose window began before ``before`` and that are not locked (any name may be
        tried, so the table is kept small)."""
        result = cast(CursorResult[Any], self._session.execute(delete(LoginThrottleRow).where(
            LoginThrottleRow.window_start < before,
            or_(LoginThrottleRow.locked_until.is_(None), LoginThrottleRow.locked_until < before))))
        return result.rowcount

    @property
    def _dialect(self) -> str:
        return self._session.get_bind().dialect.name


def _user_view(row: UserRow) -> UserView:
    return UserView(row.name, Role(row.role), row.disabled, row.created_at, row.updated_at, row.last_login_at)


def _token_view(row: TokenRow) -> TokenView:
    return TokenView(row.name, row.prefix, Role(row.role), row.created_by, row.created_at, row.last_used_at,
                     row.expires_at, row.revoked_at)
