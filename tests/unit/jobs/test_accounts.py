"""AccountService over a SQLite file, with a cheap argon2 hasher and a clock the tests move."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import jwt
import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from netatlas.domain.accounts import Principal, Role
from netatlas.domain.errors import ConfigError, Conflict, NotFound
from netatlas.jobs.accounts import (
    JWT_ISSUER,
    LOGIN_REFUSED,
    MAX_TOKEN_LENGTH,
    AccountInputError,
    AccountService,
    AuthError,
    LoginBrake,
    TooManyAttempts,
    check_name,
    check_password,
)
from netatlas.settings import Settings, load_settings
from netatlas.store import Database, UserRepo

PASSWORD = "a good password"
START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def cheap_hasher(time_cost: int = 1) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=8, parallelism=1)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class CountingHasher(PasswordHasher):
    """A real argon2 hasher that counts verifications (the timing guard for unknown users)."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'netatlas.db'}")


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file migrated once for the module; each test works on a copy (migrating is slow)."""
    path = tmp_path_factory.mktemp("accounts") / "template.db"
    Database.open(f"sqlite:///{path}", upgrade=True).close()
    return path


@pytest.fixture
def db(settings: Settings, migrated: Path, tmp_path: Path) -> Iterator[Database]:
    shutil.copyfile(migrated, tmp_path / "netatlas.db")
    with Database.open(settings.database_url) as database:
        yield database


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(db: Database, settings: Settings, clock: Clock) -> AccountService:
    return AccountService(db, settings, clock=clock, hasher=cheap_hasher())


def column(db: Database, sql: str, **params: Any) -> Any:
    with db.session(readonly=True) as session:
        return session.execute(text(sql), params).scalar_one()


# ---- names and passwords -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", " ", "-x", "a b", "a/b", "x" * 65, "é", "a\nb", "a\x00"])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(AccountInputError, match=r"^name: "):
        check_name(name)


def test_names_and_passwords_that_pass() -> None:
    assert check_name("x" * 64) == "x" * 64
    assert check_name("ops@site-1.example+ci_2") == "ops@site-1.example+ci_2"
    assert check_password("8 chars!") == "8 chars!"
    with pytest.raises(AccountInputError, match="at least 8"):
        check_password("7 chars")
    with pytest.raises(AccountInputError, match="too long"):
        check_password("x" * 1025)


# ---- API tokens ----------------------------------------------------------------------------------


def test_token_create_authenticate_revoke(service: AccountService, db: Database) -> None:
    token = service.create_token("ci", Role.OPERATOR, created_by="alice")
    assert token.startswith("nat_") and len(token) == 4 + 43
    assert service.authenticate(token) == Principal("ci", Role.OPERATOR, "token")
    assert service.authenticate(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert column(db, "SELECT token_hash FROM api_token") == hashlib.sha256(token.encode()).hexdigest()
    assert column(db, "SELECT prefix FROM api_token") == token[:12]
    [listed] = service.list_tokens()
    assert (listed.name, listed.role, listed.created_by, listed.revoked) == ("ci", Role.OPERATOR, "alice", False)
    with pytest.raises(Conflict):
        service.create_token("ci", Role.VIEWER)
    service.revoke_token("ci")
    assert service.authenticate(token) is None
    with pytest.raises(NotFound):
        service.revoke_token("ci")
    assert service.list_tokens() == [] and len(service.list_tokens(include_revoked=True)) == 1


def test_tokens_are_unique_and_random(service: AccountService) -> None:
    made = {service.create_token(f"t{i}", Role.VIEWER) for i in range(20)}
    assert len(made) == 20 and len({t[:12] for t in made}) == 20


def test_last_used_is_written_at_most_once_a_minute(service: AccountService, db: Database, clock: Clock) -> None:
    token = service.create_token("ci", Role.VIEWER)
    assert column(db, "SELECT last_used_at FROM api_token") is None
    service.authenticate(token)
    first = service.list_tokens()[0].last_used_at
    assert first == START
    clock.advance(seconds=59)
    service.authenticate(token)
    assert service.list_tokens()[0].last_used_at == first
    clock.advance(seconds=2)
    service.authenticate(token)
    assert service.list_tokens()[0].last_used_at == START + timedelta(seconds=61)


def test_token_expiry(service: AccountService, clock: Clock) -> None:
    token = service.create_token("temp", Role.VIEWER, expires_at=START + timedelta(hours=1))
    assert service.authenticate(token) is not None
    clock.advance(hours=1)
    assert service.authenticate(token) is None
    with pytest.raises(AccountInputError, match="expires_at"):
        service.create_token("past", Role.VIEWER, expires_at=START)


def test_malformed_bearer_values(service: AccountService) -> None:
    for value in ("", "nat_", "x" * (MAX_TOKEN_LENGTH + 1), "nat_" + "A" * MAX_TOKEN_LENGTH, "a.b.c", "...", "é"):
        assert service.authenticate(value) is None


# ---- login JWTs ----------------------------------------------------------------------------------


def test_login_returns_a_jwt_with_the_claims(service: AccountService, settings: Settings) -> None:
    service.create_user("alice", PASSWORD, Role.OPERATOR)
    done = service.login_for("alice", PASSWORD)
    assert (done.expires_in, done.role) == (settings.api_token_ttl, Role.OPERATOR)
    claims = jwt.decode(done.access_token, options={"verify_signature": False})
    assert set(claims) == {"sub", "ver", "iss", "iat", "exp"}  # no role: it is read from the database
    assert claims["iss"] == JWT_ISSUER and claims["exp"] - claims["iat"] == settings.api_token_ttl
    assert jwt.get_unverified_header(done.access_token)["alg"] == "HS256"
    assert service.authenticate(done.access_token) == Principal("alice", Role.OPERATOR, "user")
    assert service.get_user("alice").last_login_at == START


def test_jwt_expiry_and_leeway(service: AccountService, settings: Settings, clock: Clock) -> None:
    service.create_user("alice", PASSWORD, Role.VIEWER)
    token = service.login("alice", PASSWORD)
    clock.advance(seconds=settings.api_token_ttl + 4)  # within the 5 s leeway
    assert service.authenticate(token) is not None
    clock.advance(seconds=1)
    assert service.authenticate(token) is None


def test_jwt_from_the_future_is_refused(service: AccountService, clock: Clock) -> None:
    service.create_user("alice", PASSWORD, Role.VIEWER)
    clock.advance(minutes=10)
    token = service.login("alice", PASSWORD)
    clock.advance(minutes=-10)
    assert service.authenticate(token) is None


def test_jwt_needs_our_key_issuer_and_claims(service: AccountService) -> None:
    service.create_user("alice", PASSWORD, Role.VIEWER)
    claims = jwt.decode(service.login("alice", PASSWORD), options={"verify_signature": False})
    key = service._signing_key()
    forged = [
        jwt.encode({**claims, "iss": "someone-else"}, key, algorithm="HS256"),
        jwt.encode({**claims, "ver": str(claims["ver"])}, key, algorithm="HS256"),
        jwt.encode({**claims, "sub": "alice"}, key, algorithm="HS256"),
        jwt.encode({**claims, "sub": "9" * 30}, key, algorithm="HS256"),
        jwt.encode({k: v for k, v in claims.items() if k != "ver"}, key, algorithm="HS256"),
        jwt.encode(claims, "", algorithm="none"),
        jwt.encode(claims, "netatlas-development-only-api-secret", algorithm="HS256"),  # the raw secret: not the key
    ]
    assert service.authenticate(jwt.encode(claims, key, algorithm="HS256")) is not None
    assert [service.authenticate(token) for token in forged] == [None] * len(forged)


def test_another_secret_does_not_verify(db: Database, tmp_path: Path, clock: Clock) -> None:
    url = f"sqlite:///{tmp_path / 'netatlas.db'}"
    one = AccountService(db, load_settings(home=tmp_path, database_url=url, api_secret="one secret, long enough"),
                         clock=clock, hasher=cheap_hasher())
    two = AccountService(db, load_settings(home=tmp_path, database_url=url, api_secret="two secret, long enough"),
                         clock=clock, hasher=cheap_hasher())
    one.create_user("alice", PASSWORD, Role.VIEWER)
    token = one.login("alice", PASSWORD)
    assert one.authenticate(token) is not None and two.authenticate(token) is None


def test_production_needs_the_api_secret(db: Database, tmp_path: Path) -> None:
    (tmp_path / "secret.key").write_text("k" * 44)
    production = load_settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'netatlas.db'}",
                               environment="production")
    service = AccountService(db, production, hasher=cheap_hasher())
    service.create_user("alice", PASSWORD, Role.VIEWER)
    token = service.create_token("ci", Role.VIEWER)  # API tokens need no signing key
    assert service.authenticate(token) is not None
    with pytest.raises(ConfigError, match="NETATLAS_API_SECRET"):
        service.login("alice", PASSWORD)


def test_role_is_read_from_the_database(service: AccountService, db: Database) -> None:
    service.create_user("bob", PASSWORD, Role.VIEWER)
    token = service.login("bob", PASSWORD)
    with db.session() as session:  # a role change that leaves the JWT valid: the role still comes from here
        UserRepo(session).update("bob", role=Role.OPERATOR, revoke_sessions=False)
    assert service.authenticate(token) == Principal("bob", Role.OPERATOR, "user")


def test_each_change_ends_earlier_logins(service: AccountService) -> None:
    service.create_user("alice", PASSWORD, Role.ADMIN)
    service.create_user("bob", PASSWORD, Role.VIEWER)
    token = service.login("bob", PASSWORD)
    service.update_user("bob", role=Role.OPERATOR)
    assert service.authenticate(token) is None
    token = service.login("bob", PASSWORD)
    service.update_user("bob", password="another password")
    assert service.authenticate(token) is None
    token = service.login("bob", "another password")
    assert service.authenticate(token) == Principal("bob", Role.OPERATOR, "user")
    service.update_user("bob", disabled=True)
    assert service.authenticate(token) is None
    service.update_user("bob", disabled=False)
    assert service.authenticate(token) is None  # enabling again does not bring old logins back


def test_delete_ends_logins_and_ids_are_never_reused(service: AccountService) -> None:
    service.create_user("alice", PASSWORD, Role.ADMIN)
    service.create_user("bob", PASSWORD, Role.VIEWER)
    token = service.login("bob", PASSWORD)
    service.delete_user("bob")
    service.create_user("bob", PASSWORD, Role.VIEWER)  # same name, version 0 again: a new id
    assert service.authenticate(token) is None
    with pytest.raises(NotFound):
        service.delete_user("carol")


def test_wrong_password_unknown_user_and_disabled(service: AccountService) -> None:
    service.create_user("alice", PASSWORD, Role.ADMIN)
    service.create_user("bob", PASSWORD, Role.VIEWER)
    for name, password in (("bob", "wrong password"), ("nobody", PASSWORD), ("bad name", PASSWORD), ("bob", "")):
        with pytest.raises(AuthError) as refused:
            service.login(name, password)
        assert str(refused.value) == LOGIN_REFUSED and not isinstance(refused.value, TooManyAttempts)
    service.update_user("bob", disabled=True)
    with pytest.raises(AuthError, match="disabled"):
        service.login("bob", PASSWORD)
    with pytest.raises(AuthError, match=LOGIN_REFUSED):  # a wrong password does not learn it is disabled
        service.login("bob", "wrong password")


def test_unknown_user_costs_an_argon2_verification(db: Database, settings: Settings) -> None:
    hasher = CountingHasher()
    service = AccountService(db, settings, hasher=hasher)
    with pytest.raises(AuthError):
        service.login("nobody", PASSWORD)
    assert hasher.verified == 1


def test_password_is_rehashed_when_parameters_change(db: Database, settings: Settings, clock: Clock) -> None:
    AccountService(db, settings, clock=clock, hasher=cheap_hasher(1)).create_user("alice", PASSWORD, Role.VIEWER)
    before = column(db, "SELECT password_hash FROM api_user")
    assert before.startswith("$argon2id$") and ",t=1," in before
    stronger = AccountService(db, settings, clock=clock, hasher=cheap_hasher(2))
    token = stronger.login("alice", PASSWORD)
    after = column(db, "SELECT password_hash FROM api_user")
    assert ",t=2," in after and PASSWORD not in after
    assert stronger.authenticate(token) is not None  # a rehash is no password change
    stronger.login("alice", PASSWORD)


def test_change_password_checks_the_current_one(service: AccountService) -> None:
    service.create_user("alice", PASSWORD, Role.VIEWER)
    with pytest.raises(AuthError, match="current password"):
        service.change_password("alice", "not it", "new password")
    with pytest.raises(AccountInputError):
        service.change_password("alice", PASSWORD, "short")
    service.change_password("alice", PASSWORD, "new password")
    assert service.login("alice", "new password")


def test_users_conflict_and_the_last_admin(service: AccountService) -> None:
    service.create_user("alice", PASSWORD, Role.ADMIN)
    with pytest.raises(Conflict):
        service.create_user("alice", PASSWORD, Role.VIEWER)
    for attempt in ({"role": Role.OPERATOR}, {"disabled": True}):
        with pytest.raises(Conflict, match="last enabled admin"):
            service.update_user("alice", **attempt)
    with pytest.raises(Conflict, match="last enabled admin"):
        service.delete_user("alice")
    service.create_user("bob", PASSWORD, Role.ADMIN)
    service.update_user("alice", disabled=True)
    with pytest.raises(Conflict):  # bob is now the only enabled one
        service.update_user("bob", role=Role.VIEWER)
    service.delete_user("alice")
    assert [u.name for u in service.list_users()] == ["bob"]


# ---- the login brake ------------------------------------------------------------------------------


def test_brake_locks_after_failures_within_the_window(service: AccountService, clock: Clock) -> None:
    service.create_user("alice", PASSWORD, Role.VIEWER)
    brake = service.brake
    for _ in range(brake.failures - 1):
        with pytest.raises(AuthError):
            service.login("alice", "guess")
    clock.advance(seconds=brake.window.total_seconds() + 1)  # the window passed: counting starts again
    for _ in range(brake.failures - 1):
        with pytest.raises(AuthError) as refused:
            service.login("alice", "guess")
        assert not isinstance(refused.value, TooManyAttempts)
    with pytest.raises(AuthError):
        service.login("alice", "guess")  # the 5th in the window: refused, and the brake is on
    with pytest.raises(TooManyAttempts) as braked:
        service.login("alice", PASSWORD)
    assert braked.value.retry_after == int(brake.lockout.total_seconds())
    clock.advance(seconds=30)
    with pytest.raises(TooManyAttempts) as braked:
        service.login("alice", PASSWORD)
    assert braked.value.retry_after == int(brake.lockout.total_seconds()) - 30
    clock.advance(seconds=31)
    assert service.login("alice", PASSWORD)


def test_success_clears_the_count(service: AccountService) -> None:
    service.create_user("alice", PASSWORD, Role.VIEWER)
    for _ in range(2):
        for _ in range(service.brake.failures - 1):
            with pytest.raises(AuthError):
                service.login("alice", "guess")
        service.login("alice", PASSWORD)


def test_a_custom_brake(db: Database, settings: Settings, clock: Clock) -> None:
    service = AccountService(db, settings, clock=clock, hasher=cheap_hasher(),
                             brake=LoginBrake(failures=2, lockout=timedelta(seconds=5)))
    for _ in range(2):
        with pytest.raises(AuthError):
            service.login("ghost", "guess")
    with pytest.raises(TooManyAttempts) as braked:
        service.login("ghost", "guess")
    assert braked.value.retry_after == 5


def test_guessing_the_current_password_meets_the_brake(service: AccountService) -> None:
    service.create_user("alice", PASSWORD, Role.VIEWER)
    for _ in range(service.brake.failures):
        with pytest.raises(AuthError, match="current password"):
            service.change_password("alice", "guess", "new password")
    with pytest.raises(TooManyAttempts):
        service.change_password("alice", PASSWORD, "new password")
    with pytest.raises(TooManyAttempts):
        service.login("alice", PASSWORD)
