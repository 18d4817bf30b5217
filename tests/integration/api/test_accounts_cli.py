"""``netatlas user`` and ``netatlas token`` as a user runs them (real subprocesses of the CLI), checked
against the API they are for (the app in-process over the same database, SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.api.harness import Api, open_api
from tests.integration.discovery.helpers import CLI, cli_env

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
PASSWORD = "first admin password"


@pytest.fixture(scope="module")
def api(db_url: str, home: Path) -> Iterator[Api]:
    with open_api(db_url, home) as opened:
        yield opened


def netatlas(args: list[str], home: Path, db_url: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=cli_env(home, database_url=db_url), input=stdin, capture_output=True,
                          text=True, timeout=120, check=False)


def me(api: Api, token: str) -> Any:
    return api.client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})


def test_first_admin_and_password_change(api: Api, home: Path, db_url: str) -> None:
    made = netatlas(["user", "create", "root", "--role", "admin", "--password-stdin"], home, db_url, PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    assert "root" in made.stdout and PASSWORD not in made.stdout + made.stderr
    listed = netatlas(["user", "list", "--json"], home, db_url)
    assert [(u["name"], u["role"], u["disabled"]) for u in json.loads(listed.stdout)] == [("root", "admin", False)]

    login = api.client.post("/api/auth/login", json={"username": "root", "password": PASSWORD})
    assert login.status_code == 200 and login.json()["role"] == "admin"
    jwt = login.json()["access_token"]
    assert me(api, jwt).json()["name"] == "root"

    changed = netatlas(["user", "passwd", "root", "--password-stdin"], home, db_url, "the second password\n")
    assert changed.returncode == 0, changed.stderr
    assert me(api, jwt).status_code == 401  # logins made with the old password have ended
    assert api.client.post("/api/auth/login", json={"username": "root", "password": "the second password"}
                           ).status_code == 200

    last = netatlas(["user", "set-role", "root", "viewer"], home, db_url)
    assert last.returncode == 1 and "last enabled admin" in last.stderr


def test_bad_input_exits_1_with_a_message(backend: str, home: Path, db_url: str) -> None:
    if backend != "sqlite":
        pytest.skip("the checks come before the database: one backend is enough")
    short = netatlas(["user", "create", "shorty", "--password-stdin"], home, db_url, "short\n")
    assert short.returncode == 1 and "at least 8 characters" in short.stderr
    no_tty = netatlas(["user", "create", "shorty"], home, db_url, "")
    assert no_tty.returncode == 1 and "--password-stdin" in no_tty.stderr
    bad_role = netatlas(["token", "create", "--name", "x", "--role", "root"], home, db_url)
    assert bad_role.returncode == 1 and "viewer, operator, admin" in bad_role.stderr


def test_token_created_by_the_cli_works_against_the_api(api: Api, home: Path, db_url: str) -> None:
    made = netatlas(["token", "create", "--name", "ci", "--role", "operator"], home, db_url)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()  # stdout is the token alone; the warning is on stderr
    assert token.startswith("nat_") and "\n" not in token
    assert "only time" in made.stderr
    who = me(api, token)
    assert who.status_code == 200
    assert who.json() == {"name": "ci", "role": "operator", "kind": "token", "label": "token:ci"}

    as_json = netatlas(["token", "create", "--name", "ci-json", "--role", "viewer", "--json"], home, db_url)
    created = json.loads(as_json.stdout)
    assert created["role"] == "viewer" and created["created_by"].startswith("cli")
    assert me(api, created["token"]).json()["role"] == "viewer"

    listed = netatlas(["token", "list", "--json"], home, db_url)
    assert token not in listed.stdout and created["token"] not in listed.stdout
    shown = {t["name"]: t for t in json.loads(listed.stdout)}
    assert shown["ci"]["prefix"] == token[:len(shown["ci"]["prefix"])] and shown["ci"]["last_used_at"] is not None

    revoked = netatlas(["token", "revoke", "ci"], home, db_url)
    assert revoked.returncode == 0, revoked.stderr
    assert me(api, token).status_code == 401
    again = netatlas(["token", "revoke", "ci"], home, db_url)
    assert again.returncode == 1 and "no token named 'ci'" in again.stderr
    assert me(api, created["token"]).status_code == 200
