"""Authentication through the real app: API tokens, login JWTs, users, the login brake, roles.

One app per backend (SQLite, PostgreSQL) for the module; each test uses names of its own. Time is
moved with the account service's clock (JWT expiry, the brake's lockout), never by sleeping.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
import schemathesis
from argon2 import PasswordHasher
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text

from netatlas.domain.accounts import Role
from netatlas.jobs.accounts import token_digest
from netatlas.store import TokenRepo
from tests.integration.api.harness import Api, open_api

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
PASSWORD = "correct horse battery"


class Clock:
    """The real time moved by ``offset`` (the service reads it for iat/exp and the brake)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@pytest.fixture(scope="module")
def api(db_url: str, home: Path) -> Iterator[Api]:
    """The app, its argon2 made cheap (the server's parameters cost a second a hash on this loaded
    machine; :func:`test_passwords_are_stored_as_argon2_hashes` checks those)."""
    with open_api(db_url, home) as opened:
        opened.accounts.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        yield opened


@pytest.fixture
def clock(api: Api) -> Iterator[Clock]:
    moved = Clock()
    before, api.accounts.clock = api.accounts.clock, moved
    try:
        yield moved
    finally:
        api.accounts.clock = before


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def make_user(api: Api, name: str, role: Role = Role.VIEWER, password: str = PASSWORD) -> None:
    done = api.client.post("/api/users", headers=api.auth(Role.ADMIN),
                           json={"name": name, "password": password, "role": role.value})
    assert done.status_code == 201, done.text


def login(api: Api, name: str, password: str = PASSWORD) -> Any:
    return api.client.post("/api/auth/login", json={"username": name, "password": password})


def jwt_of(api: Api, name: str, password: str = PASSWORD) -> str:
    done = login(api, name, password)
    assert done.status_code == 200, done.text
    token: str = done.json()["access_token"]
    return token


def me(api: Api, token: str) -> Any:
    return api.client.get("/api/auth/me", headers=bearer(token))


def rows(api: Api, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with api.ctx.db.session(readonly=True) as session:
        return [tuple(row) for row in session.execute(text(sql), params)]


# ---- API tokens ----------------------------------------------------------------------------------


def test_token_create_authenticate_revoke(api: Api) -> None:
    created = api.post("/api/tokens", Role.ADMIN, json={"name": "ci-build", "role": "operator"})
    assert created.status_code == 201, created.text
    body = created.json()
    token = body["token"]
    assert token.startswith("nat_") and len(token) >= 40
    assert body["prefix"] == token[:len(body["prefix"])] and len(body["prefix"]) < len(token) // 2
    assert body["created_by"] == "token:test-admin" and body["role"] == "operator" and not body["revoked"]
    assert "cannot be shown again" in body["warning"]
    assert created.headers["cache-control"] == "no-store"

    who = me(api, token)
    assert who.status_code == 200
    assert who.json() == {"name": "ci-build", "role": "operator", "kind": "token", "label": "token:ci-build"}

    listed = api.get("/api/tokens", Role.ADMIN)
    assert listed.status_code == 200
    assert token not in listed.text and "token_hash" not in listed.text
    entry = next(t for t in listed.json() if t["name"] == "ci-build")
    assert set(entry) == {"name", "prefix", "role", "created_by", "created_at", "last_used_at", "expires_at",
                          "revoked"}
    assert entry["last_used_at"] is not None  # the request above used it

    assert api.post("/api/tokens", Role.ADMIN, json={"name": "ci-build"}).status_code == 409

    assert api.delete("/api/tokens/ci-build", Role.ADMIN).status_code == 204
    refused = me(api, token)
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    assert api.delete("/api/tokens/ci-build", Role.ADMIN).status_code == 404
    assert all(t["name"] != "ci-build" for t in api.get("/api/tokens", Role.ADMIN).json())
    revoked = [t for t in api.get("/api/tokens?include_revoked=true", Role.ADMIN).json() if t["name"] == "ci-build"]
    assert [t["revoked"] for t in revoked] == [True]
    # the name is free again, and the new token is not the old one
    again = api.post("/api/tokens", Role.ADMIN, json={"name": "ci-build", "role": "viewer"}).json()
    assert again["token"] != token and me(api, again["token"]).json()["role"] == "viewer"
    assert me(api, token).status_code == 401


def test_the_database_holds_only_the_token_hash(api: Api) -> None:
    token = api.post("/api/tokens", Role.ADMIN, json={"name": "stored-hash"}).json()["token"]
    stored = rows(api, "SELECT * FROM api_token WHERE name = :name", name="stored-hash")
    assert len(stored) == 1
    values = [str(value) for value in stored[0]]
    assert hashlib.sha256(token.encode()).hexdigest() in values
    assert not any(token in value for value in values)
    assert not any(token[len("nat_") + 8:][:16] in value for value in values)  # not even a long piece


def test_expiring_token(api: Api, clock: Clock) -> None:
    token = api.post("/api/tokens", Role.ADMIN, json={"name": "short-lived", "expires_in_days": 1}).json()["token"]
    assert me(api, token).status_code == 200
    clock.offset = timedelta(days=1, seconds=1)
    assert me(api, token).status_code == 401


def test_no_or_bad_token_is_401_with_www_authenticate(api: Api) -> None:
    for headers in ({}, bearer("nat_" + "A" * 43), bearer("not-a-token"), bearer("a.b.c"),
                    {"Authorization": "Basic dXNlcjpwYXNz"}):
        refused = api.client.get("/api/auth/me", headers=headers)
        assert refused.status_code == 401, headers
        assert refused.headers["www-authenticate"] == "Bearer"


ADMIN_ONLY = [("GET", "/api/tokens", None), ("POST", "/api/tokens", {"name": "nope"}),
              ("DELETE", "/api/tokens/test-viewer", None), ("GET", "/api/users", None),
              ("POST", "/api/users", {"name": "nope", "password": PASSWORD}), ("GET", "/api/users/nope", None),
              ("PATCH", "/api/users/nope", {"role": "admin"}), ("DELETE", "/api/users/nope", None)]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ONLY)
def test_admin_endpoints_refuse_viewers_and_operators(api: Api, method: str, path: str, body: Any) -> None:
    for role in (Role.VIEWER, Role.OPERATOR):
        refused = api.client.request(method, path, headers=api.auth(role), json=body)
        assert refused.status_code == 403, (role, refused.text)
        assert "admin" in refused.json()["detail"]
    assert api.client.request(method, path, json=body).status_code == 401


# ---- users and login -----------------------------------------------------------------------------


def test_login_and_me(api: Api) -> None:
    make_user(api, "alice", Role.OPERATOR)
    done = login(api, "alice")
    assert done.status_code == 200
    body = done.json()
    assert body["token_type"] == "bearer" and body["role"] == "operator"
    assert done.headers["cache-control"] == "no-store"
    assert body["expires_in"] == api.ctx.settings.api_token_ttl
    assert me(api, body["access_token"]).json() == {"name": "alice", "role": "operator", "kind": "user",
                                                   "label": "alice"}
    user = next(u for u in api.get("/api/users", Role.ADMIN).json() if u["name"] == "alice")
    assert user["last_login_at"] is not None and "password" not in str(user)


def test_wrong_password_and_unknown_user_get_the_same_answer(api: Api) -> None:
    make_user(api, "bob")
    wrong, unknown = login(api, "bob", "not the password"), login(api, "nobody-here", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.headers["www-authenticate"] == "Bearer"
    assert login(api, "bob", "").status_code == 422


def test_passwords_are_stored_as_argon2_hashes(api: Api) -> None:
    cheap, api.accounts.hasher = api.accounts.hasher, PasswordHasher()  # the server's parameters
    try:
        make_user(api, "carol", password="carol's own secret")
    finally:
        api.accounts.hasher = cheap
    stored = rows(api, "SELECT * FROM api_user WHERE name = 'carol'")[0]
    assert any(str(value).startswith("$argon2id$v=19$m=65536,t=3,p=4$") for value in stored)
    assert not any("carol's own secret" in str(value) for value in stored)


def test_jwt_expires(api: Api, clock: Clock) -> None:
    make_user(api, "dave")
    token = jwt_of(api, "dave")
    clock.offset = timedelta(seconds=api.ctx.settings.api_token_ttl - 30)
    assert me(api, token).status_code == 200
    clock.offset = timedelta(seconds=api.ctx.settings.api_token_ttl + 30)
    assert me(api, token).status_code == 401


def test_tampered_and_unsigned_jwts_are_refused(api: Api) -> None:
    make_user(api, "erin")
    token = jwt_of(api, "erin")
    claims = jwt.decode(token, options={"verify_signature": False})
    header, payload, signature = token.split(".")
    with warnings.catch_warnings():  # PyJWT warns that a 32-byte key is short for HS512
        warnings.simplefilter("ignore")
        hs512 = jwt.encode(claims, api.accounts._signing_key(), algorithm="HS512")
    other_payload = jwt.encode({**claims, "ver": claims["ver"] + 1}, "k" * 32, algorithm="HS256").split(".")[1]
    forged = [
        f"{header}.{other_payload}.{signature}",  # claims changed, signature kept
        f"{header}.{payload}.{signature[:-4]}AAAA",  # signature changed
        jwt.encode(claims, "", algorithm="none"),  # alg: none
        jwt.encode(claims, "x" * 32, algorithm="HS256"),  # another key
        hs512,  # the right key, another algorithm
        jwt.encode({k: v for k, v in claims.items() if k != "exp"}, api.accounts._signing_key(), algorithm="HS256"),
    ]
    assert me(api, token).status_code == 200
    for bad in forged:
        assert me(api, bad).status_code == 401, bad


def test_password_change_ends_earlier_logins(api: Api) -> None:
    make_user(api, "frank")
    old = jwt_of(api, "frank")
    assert api.patch("/api/users/frank", json={"password": "a new password"}).status_code == 200
    assert me(api, old).status_code == 401
    assert login(api, "frank").status_code == 401
    new = jwt_of(api, "frank", "a new password")
    # the user's own change: the current password is checked, and this login ends too
    wrong = api.client.post("/api/auth/password", headers=bearer(new),
                            json={"current_password": "not it", "new_password": "third password"})
    assert wrong.status_code == 401
    changed = api.client.post("/api/auth/password", headers=bearer(new),
                              json={"current_password": "a new password", "new_password": "third password"})
    assert changed.status_code == 204
    assert me(api, new).status_code == 401
    assert me(api, jwt_of(api, "frank", "third password")).status_code == 200
    token_change = api.client.post("/api/auth/password", headers=api.auth(Role.ADMIN),
                                   json={"current_password": "x", "new_password": "third password"})
    assert token_change.status_code == 403


def test_role_change_takes_effect_at_once(api: Api) -> None:
    make_user(api, "gina", Role.VIEWER)
    viewer = jwt_of(api, "gina")
    assert api.client.get("/api/users", headers=bearer(viewer)).status_code == 403
    assert api.patch("/api/users/gina", json={"role": "admin"}).json()["role"] == "admin"
    assert me(api, viewer).status_code == 401  # issued for the old role
    admin = jwt_of(api, "gina")
    assert api.client.get("/api/users", headers=bearer(admin)).status_code == 200
    make_user(api, "gina-peer", Role.ADMIN)  # gina is not the last admin
    assert api.patch("/api/users/gina", json={"role": "viewer"}).status_code == 200
    assert api.client.get("/api/users", headers=bearer(admin)).status_code == 401


def test_disabled_user_cannot_log_in(api: Api) -> None:
    make_user(api, "hank")
    token = jwt_of(api, "hank")
    assert api.patch("/api/users/hank", json={"disabled": True}).json()["disabled"] is True
    assert me(api, token).status_code == 401
    refused = login(api, "hank")
    assert refused.status_code == 401 and "disabled" in refused.json()["message"]
    assert api.patch("/api/users/hank", json={"disabled": False}).status_code == 200
    assert me(api, jwt_of(api, "hank")).status_code == 200


def test_deleted_user_loses_access(api: Api) -> None:
    make_user(api, "ivan")
    token = jwt_of(api, "ivan")
    assert api.delete("/api/users/ivan", Role.ADMIN).status_code == 204
    assert me(api, token).status_code == 401
    assert api.delete("/api/users/ivan", Role.ADMIN).status_code == 404
    make_user(api, "ivan")  # the same name again: the old JWT names the old user's id
    assert me(api, token).status_code == 401


def test_user_management_answers(api: Api) -> None:
    make_user(api, "judy")
    assert api.client.post("/api/users", headers=api.auth(Role.ADMIN),
                           json={"name": "judy", "password": PASSWORD}).status_code == 409
    short = api.client.post("/api/users", headers=api.auth(Role.ADMIN), json={"name": "kim", "password": "sh0rtpw"})
    assert short.status_code == 422 and "password" in short.json()["message"]
    assert "sh0rtpw" not in short.text  # the rejected input is not echoed
    bad_name = api.client.post("/api/users", headers=api.auth(Role.ADMIN),
                               json={"name": "bad name", "password": PASSWORD})
    assert bad_name.status_code == 422 and "name" in bad_name.json()["message"]
    assert api.patch("/api/users/judy", json={}).status_code == 422
    assert api.patch("/api/users/nobody", json={"role": "admin"}).status_code == 404
    assert api.get("/api/users/judy", Role.ADMIN).json()["role"] == "viewer"


def test_the_last_enabled_admin_stays(api: Api) -> None:
    make_user(api, "root", Role.ADMIN)
    for user in api.get("/api/users", Role.ADMIN).json():  # leave one admin user: root
        if user["role"] == "admin" and user["name"] != "root":
            assert api.patch(f"/api/users/{user['name']}", json={"role": "viewer"}).status_code == 200
    assert api.patch("/api/users/root", json={"role": "operator"}).status_code == 409
    assert api.patch("/api/users/root", json={"disabled": True}).status_code == 409
    assert api.delete("/api/users/root", Role.ADMIN).status_code == 409
    assert api.get("/api/users/root", Role.ADMIN).json()["role"] == "admin"


# ---- the login brake ------------------------------------------------------------------------------


def test_login_brake(api: Api, clock: Clock) -> None:
    make_user(api, "mallory-target")
    for _ in range(api.accounts.brake.failures):
        assert login(api, "mallory-target", "guess").status_code == 401
    braked = login(api, "mallory-target")  # even the right password
    assert braked.status_code == 429
    assert 0 < int(braked.headers["retry-after"]) <= api.accounts.brake.lockout.total_seconds()
    # a name that does not exist is braked alike: the brake does not tell who exists
    for _ in range(api.accounts.brake.failures):
        assert login(api, "no-such-user", "guess").status_code == 401
    assert login(api, "no-such-user", "guess").status_code == 429
    # other names are not affected
    make_user(api, "bystander")
    assert login(api, "bystander").status_code == 200
    clock.offset = api.accounts.brake.lockout + timedelta(seconds=1)
    assert login(api, "mallory-target").status_code == 200


def test_no_secret_in_the_logs(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    token = api.post("/api/tokens", Role.ADMIN, json={"name": "logged"}).json()["token"]
    make_user(api, "leo", password="leo's log secret")
    jwt_token = jwt_of(api, "leo", "leo's log secret")
    login(api, "leo", "leo's wrong guess")
    me(api, token)
    assert "leo's log secret" not in caplog.text and "leo's wrong guess" not in caplog.text
    assert token not in caplog.text and jwt_token not in caplog.text
    assert "logged" in caplog.text  # the log did record the events


# ---- the spec --------------------------------------------------------------------------------------

FUZZED = r"^/api/(auth|tokens|users)(/|$)"
FUZZ_EXAMPLES = 10
FUZZ_CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]


def test_auth_routes_keep_their_spec(api: Api, backend: str) -> None:
    """Schemathesis on the routes the app-wide run leaves out (they could revoke its token): here the
    run's admin token is named so that no path can address it (a space is outside the name rule)."""
    if backend != "sqlite":
        pytest.skip("request handling and schemas are the same on both backends")
    token = "nat_" + secrets.token_urlsafe(32)
    with api.ctx.db.session() as session:
        TokenRepo(session).add("fuzz admin", token_digest(token), token[:12], Role.ADMIN)
    headers = bearer(token)
    config = schemathesis.Config.from_dict({"seed": 2026, "generation": {
        "max-examples": FUZZ_EXAMPLES, "with-security-parameters": False}})
    spec = schemathesis.openapi.from_asgi("/openapi.json", api.app, config=config)
    operations = [result.ok() for result in spec.get_all_operations() if isinstance(result, Ok)]
    fuzzed = [operation for operation in operations if re.search(FUZZED, operation.path)]
    assert len(fuzzed) == 11, [operation.label for operation in fuzzed]
    failures = [f"{operation.label} ({mode.value}): {failure}" for operation in fuzzed
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
                if (failure := _fuzz(operation, mode, headers))]
    assert not failures, "\n\n".join(failures)
    assert me(api, token).status_code == 200


def _fuzz(operation: APIOperation[Any, Any, Any, Any], mode: GenerationMode, headers: dict[str, str]) -> str | None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def run(case: Case[Any]) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=FUZZ_CHECKS, headers=headers)

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
        return None
    except FailureGroup as exc:
        return "\n".join(str(f) for f in exc.exceptions)
    except AssertionError as exc:
        return str(exc)
    return None
