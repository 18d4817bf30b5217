"""The API server's remembered authentication (``AccountService(cache_ttl=...)``): a valid token costs
no database read for a couple of seconds, and revocation still takes effect.

Two services over one database file stand for two processes (an API process and ``netatlas token
revoke``, or two API processes): a change made through the same service is seen at once, one made
by the other within the TTL. Expiry is checked against the clock at each use. Time is moved by hand
(the service's clock, the cache's monotonic clock), never slept.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event

from netatlas.domain.accounts import Principal, Role
from netatlas.jobs.accounts import AUTH_CACHE_TTL_S, AccountService, AuthCache, token_digest
from netatlas.settings import Settings, load_settings
from netatlas.store import Database
from tests.unit.jobs.test_accounts import PASSWORD, Clock, cheap_hasher

TTL = AUTH_CACHE_TTL_S


class Ticks:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("auth-cache") / "template.db"
    Database.open(f"sqlite:///{path}", upgrade=True).close()
    return path


@pytest.fixture
def settings(tmp_path: Path, migrated: Path) -> Settings:
    shutil.copyfile(migrated, tmp_path / "netatlas.db")
    return load_settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'netatlas.db'}")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def server(settings: Settings, clock: Clock, ticks: Ticks) -> Iterator[AccountService]:
    """The API process's service: it remembers (TTL) on a monotonic clock the test moves."""
    with Database.open(settings.database_url) as db:
        service = AccountService(db, settings, clock=clock, hasher=cheap_hasher(), cache_ttl=TTL)
        service.cache = AuthCache(TTL, monotonic=ticks)
        yield service


@pytest.fixture
def other(settings: Settings, clock: Clock) -> Iterator[AccountService]:
    """Another process over the same database (the CLI, another API process): remembers nothing."""
    with Database.open(settings.database_url) as db:
        yield AccountService(db, settings, clock=clock, hasher=cheap_hasher())


def reads(service: AccountService) -> list[str]:
    """Every statement the service's database runs from now on (appended as they run)."""
    seen: list[str] = []
    event.listen(service.db.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_: seen.append(statement))
    return seen


def test_a_remembered_token_costs_no_read(server: AccountService) -> None:
    token = server.create_token("ci", Role.OPERATOR)
    assert server.remembered(token) is None  # nothing asked yet
    statements = reads(server)
    assert server.authenticate(token) == Principal("ci", Role.OPERATOR, "token")
    looked_up = len(statements)
    assert looked_up >= 1
    for _ in range(5):
        assert server.remembered(token) == Principal("ci", Role.OPERATOR, "token")
    assert len(statements) == looked_up
    assert token not in str(server.cache._entries) and token_digest(token) in server.cache._entries


def test_a_service_without_a_ttl_remembers_nothing(other: AccountService) -> None:
    token = other.create_token("ci", Role.VIEWER)
    assert other.authenticate(token) is not None
    assert other.remembered(token) is None and len(other.cache) == 0


def test_refused_tokens_are_not_remembered(server: AccountService) -> None:
    assert server.authenticate("nat_" + "A" * 43) is None
    assert server.authenticate("not.a.jwt") is None
    assert len(server.cache) == 0


def test_revoked_here_is_refused_at_once(server: AccountService) -> None:
    token = server.create_token("ci", Role.OPERATOR)
    assert server.authenticate(token) is not None and server.remembered(token) is not None
    server.revoke_token("ci")
    assert server.remembered(token) is None
    assert server.authenticate(token) is None


def test_revoked_by_another_process_is_refused_within_the_ttl(server: AccountService, other: AccountService,
                                                              ticks: Ticks) -> None:
    token = server.create_token("ci", Role.OPERATOR)
    assert server.authenticate(token) is not None
    other.revoke_token("ci")
    ticks.now += TTL * 0.9
    assert server.remembered(token) is not None  # this process has not looked again yet
    ticks.now += TTL * 0.1
    assert server.remembered(token) is None  # the TTL is over: the next request reads the database
    assert server.authenticate(token) is None
    assert server.remembered(token) is None


def test_an_expiring_token_is_refused_the_moment_it_expires(server: AccountService, clock: Clock) -> None:
    token = server.create_token("short", Role.VIEWER, expires_at=clock.now.replace(second=30))
    assert server.authenticate(token) is not None
    clock.advance(seconds=29.9)
    assert server.remembered(token) is not None
    clock.advance(seconds=0.1)
    assert server.remembered(token) is None and server.authenticate(token) is None


def test_jwt_changes_here_apply_at_once_and_elsewhere_within_the_ttl(
        server: AccountService, other: AccountService, ticks: Ticks, clock: Clock) -> None:
    server.create_user("admin", PASSWORD, Role.ADMIN)
    server.create_user("bob", PASSWORD, Role.VIEWER)
    token = server.login("bob", PASSWORD)
    assert server.authenticate(token) == Principal("bob", Role.VIEWER, "user")
    server.update_user("bob", role=Role.OPERATOR)  # here: every earlier login ends at once
    assert server.remembered(token) is None and server.authenticate(token) is None

    token = server.login("bob", PASSWORD)
    assert server.authenticate(token) == Principal("bob", Role.OPERATOR, "user")
    other.update_user("bob", disabled=True)  # elsewhere
    ticks.now += TTL
    assert server.remembered(token) is None and server.authenticate(token) is None

    other.update_user("bob", disabled=False)
    token = server.login("bob", PASSWORD)
    assert server.authenticate(token) is not None
    server.delete_user("bob")
    assert server.remembered(token) is None and server.authenticate(token) is None

    token = server.login("admin", PASSWORD)
    assert server.authenticate(token) is not None
    clock.advance(seconds=server.settings.api_token_ttl + 5)  # past exp and the leeway
    assert server.remembered(token) is None and server.authenticate(token) is None


def test_the_cache_is_bounded() -> None:
    ticks = Ticks()
    cache = AuthCache(TTL, monotonic=ticks, size=3)
    someone = Principal("x", Role.VIEWER, "token")
    for key in "abcd":
        cache.put(key, someone)
    assert len(cache) <= 3
    assert cache.get("d", datetime.now(UTC)) == someone
