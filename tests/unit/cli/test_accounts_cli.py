"""``netatlas user ...`` and ``netatlas token ...`` in process (typer's runner) over a SQLite file: the
messages, exit codes and JSON. ``tests/integration/api/test_accounts_cli.py`` runs the real entry
point as a subprocess against the API on both backends."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from netatlas.cli.main import app
from netatlas.domain.accounts import Principal, Role
from netatlas.jobs.accounts import AccountService
from netatlas.settings import load_settings
from netatlas.store import Database

PASSWORD = "first admin password"


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-accounts") / "template.db"
    Database.open(f"sqlite:///{path}", upgrade=True).close()
    return path


@pytest.fixture
def home(tmp_path: Path, migrated: Path) -> Path:
    shutil.copyfile(migrated, tmp_path / "netatlas.db")  # the embedded default: NETATLAS_HOME/netatlas.db
    return tmp_path


def run(home: Path, *args: str, stdin: str | None = None) -> Result:
    env = {"NETATLAS_HOME": str(home), "NETATLAS_DATABASE_URL": "", "COLUMNS": "200"}
    return CliRunner().invoke(app, list(args), input=stdin, env=env)


@pytest.fixture
def accounts(home: Path) -> Iterator[AccountService]:
    """The service over the same database, to check what the commands did."""
    settings = load_settings(home=home, database_url=f"sqlite:///{home / 'netatlas.db'}")
    with Database.open(settings.database_url) as db:
        yield AccountService(db, settings)


def test_first_admin(home: Path, accounts: AccountService) -> None:
    empty = run(home, "user", "list")
    assert empty.exit_code == 0 and "user create NAME --role admin" in empty.stdout
    made = run(home, "user", "create", "root", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    assert made.exit_code == 0, made.output
    assert made.stdout.strip() == "user root created with role admin" and PASSWORD not in made.output
    assert accounts.login("root", PASSWORD)
    listed = json.loads(run(home, "user", "list", "--json").stdout)
    assert [(u["name"], u["role"], u["disabled"], u["last_login_at"] is not None) for u in listed] == [
        ("root", "admin", False, True)]
    assert set(listed[0]) == {"name", "role", "disabled", "created_at", "last_login_at"}
    table = run(home, "user", "list").stdout
    assert "root" in table and "admin" in table


def test_first_user_not_an_admin_is_warned_about(home: Path) -> None:
    made = run(home, "user", "create", "viewer1", "--password-stdin", stdin=PASSWORD + "\n")
    assert made.exit_code == 0 and "not an admin" in made.stderr


def test_password_input(home: Path, accounts: AccountService) -> None:
    short = run(home, "user", "create", "bob", "--password-stdin", stdin="short\n")
    assert short.exit_code == 1 and "password: too short: use at least 8 characters" in short.stderr
    no_terminal = run(home, "user", "create", "bob", stdin="")
    assert no_terminal.exit_code == 1 and "--password-stdin" in no_terminal.stderr
    spaces = run(home, "user", "create", "bob", "--password-stdin", stdin="  spaced out  \r\n")
    assert spaces.exit_code == 0
    assert accounts.login("bob", "  spaced out  ")  # only the line ending is taken off
    assert run(home, "user", "create", "bad name", "--password-stdin", stdin=PASSWORD + "\n").exit_code == 1


def test_user_changes(home: Path, accounts: AccountService) -> None:
    for name, role in (("root", "admin"), ("bob", "viewer")):
        assert run(home, "user", "create", name, "--role", role, "--password-stdin",
                   stdin=PASSWORD + "\n").exit_code == 0
    token = accounts.login("bob", PASSWORD)

    assert run(home, "user", "set-role", "bob", "OPERATOR").exit_code == 0
    assert accounts.authenticate(token) is None
    token = accounts.login("bob", PASSWORD)
    assert accounts.authenticate(token) == Principal("bob", Role.OPERATOR, "user")

    changed = run(home, "user", "passwd", "bob", "--password-stdin", stdin="bob's new password\n")
    assert changed.exit_code == 0 and "logins have ended" in changed.stdout
    assert accounts.authenticate(token) is None
    token = accounts.login("bob", "bob's new password")

    assert run(home, "user", "disable", "bob").exit_code == 0
    assert accounts.authenticate(token) is None
    assert json.loads(run(home, "user", "list", "--json").stdout)[0]["disabled"] is True
    assert run(home, "user", "enable", "bob").exit_code == 0
    assert accounts.login("bob", "bob's new password")

    for args in (("set-role", "root", "viewer"), ("disable", "root"), ("delete", "root")):
        refused = run(home, "user", *args)
        assert refused.exit_code == 1 and "last enabled admin" in refused.stderr, args
    assert run(home, "user", "set-role", "bob", "superuser").exit_code == 1
    assert run(home, "user", "delete", "bob").exit_code == 0
    missing = run(home, "user", "delete", "bob")
    assert missing.exit_code == 1 and "no user named 'bob'" in missing.stderr
    taken = run(home, "user", "create", "root", "--password-stdin", stdin=PASSWORD + "\n")
    assert taken.exit_code == 1 and "exists already" in taken.stderr


def test_tokens(home: Path, accounts: AccountService) -> None:
    made = run(home, "token", "create", "--name", "ci", "--role", "operator")
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert made.stdout == token + "\n" and token.startswith("nat_")
    assert "only time" in made.stderr and token not in made.stderr
    assert accounts.authenticate(token) == Principal("ci", Role.OPERATOR, "token")

    as_json = run(home, "token", "create", "--name", "expiring", "--expires-in-days", "7", "--json")
    created = json.loads(as_json.stdout)
    assert created["role"] == "viewer" and created["expires_at"] and created["created_by"].startswith("cli")
    assert accounts.authenticate(created["token"]) is not None

    listed = run(home, "token", "list", "--json").stdout
    assert token not in listed and created["token"] not in listed
    assert {t["name"]: t["prefix"] for t in json.loads(listed)} == {"ci": token[:12],
                                                                    "expiring": created["token"][:12]}
    table = run(home, "token", "list").stdout
    assert "ci" in table and token not in table

    assert run(home, "token", "create", "--name", "ci").exit_code == 1
    assert run(home, "token", "create", "--name", "x", "--role", "root").exit_code == 1
    assert run(home, "token", "create", "--name", "x", "--expires-in-days", "0").exit_code != 0
    assert run(home, "token", "revoke", "ci").exit_code == 0
    assert accounts.authenticate(token) is None
    again = run(home, "token", "revoke", "ci")
    assert again.exit_code == 1 and "no token named 'ci'" in again.stderr
    everything = json.loads(run(home, "token", "list", "--all", "--json").stdout)
    assert [(t["name"], t["revoked"]) for t in everything] == [("ci", True), ("expiring", False)]
