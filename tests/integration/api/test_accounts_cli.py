"""``netatlas user`` and ``netatlas token`` as a user runs them (real subprocesses of the entry point),
checked against the API they are for (the app in process over the same database, SQLite and
PostgreSQL). Every subprocess costs seconds of imports on a loaded machine, so only what needs the
real entry point runs here; messages and exit codes of every command are in
``tests/unit/cli/test_accounts_cli.py``."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from netatlas.domain.accounts import Role
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


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def me(api: Api, token: str) -> Any:
    return api.client.get("/api/auth/me", headers=bearer(token))


def test_the_first_admin_logs_in_to_the_api(api: Api, home: Path, db_url: str) -> None:
    made = netatlas(["user", "create", "root", "--role", "admin", "--password-stdin"], home, db_url, PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    assert "root" in made.stdout and PASSWORD not in made.stdout + made.stderr
    login = api.client.post("/api/auth/login", json={"username": "root", "password": PASSWORD})
    assert login.status_code == 200 and login.json()["role"] == "admin"
    jwt = login.json()["access_token"]
    assert me(api, jwt).json() == {"name": "root", "role": "admin", "kind": "user", "label": "root"}
    assert api.client.get("/api/users", headers=bearer(jwt)).status_code == 200


def test_a_token_created_by_the_cli_works_against_the_api(api: Api, home: Path, db_url: str) -> None:
    made = netatlas(["token", "create", "--name", "ci", "--role", "operator"], home, db_url)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()  # stdout is the token alone: TOKEN=$(netatlas token create ...)
    assert token.startswith("nat_") and made.stdout == token + "\n"
    assert "only time" in made.stderr and token not in made.stderr
    who = me(api, token)
    assert who.status_code == 200
    assert who.json() == {"name": "ci", "role": "operator", "kind": "token", "label": "token:ci"}

    listed = netatlas(["token", "list", "--json"], home, db_url)
    assert listed.returncode == 0 and token not in listed.stdout
    assert [(t["name"], t["prefix"], t["last_used_at"] is not None) for t in json.loads(listed.stdout)] == [
        ("ci", token[:12], True)]

    assert api.client.delete("/api/tokens/ci", headers=api.auth(Role.ADMIN)).status_code == 204
    assert me(api, token).status_code == 401
