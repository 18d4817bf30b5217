"""``netatlas user ...`` and ``netatlas token ...``: accounts for the API, made on the database directly.

The CLI needs no API account: whoever can reach the database (and its settings) administers
accounts, which is how the first admin is made on a fresh deployment::

    netatlas user create admin --role admin          # asks for the password twice
    netatlas token create --name ci --role operator  # prints the token once

Passwords come from a hidden prompt with confirmation, or from the first line of standard input
(``--password-stdin``, for scripts), never from an argument (other users see the process list).
A token is printed once, on stdout (the warning goes to stderr, so ``$(netatlas token create ...)``
captures the token alone); only its hash is stored.

Only typer and the standard library are imported at module level (``netatlas --help`` stays fast).
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from netatlas.domain.accounts import Role
    from netatlas.jobs.accounts import AccountService

users = typer.Typer(help="API users (login with a password; the web UI).", no_args_is_help=True)
tokens = typer.Typer(help="API tokens (for scripts and CI): printed once, stored hashed.", no_args_is_help=True)

Db = Annotated[str | None, typer.Option("--db", help="Database URL (default: NETATLAS_DATABASE_URL or the SQLite "
                                                     "file under NETATLAS_HOME).")]
Json = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]
PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="Read the password from the first line of "
                                                                      "standard input instead of a prompt.")]
RoleName = Annotated[str, typer.Option("--role", help="viewer (reads), operator (also runs discovery) or admin "
                                                      "(also manages devices, credentials, tokens and users).")]
MAX_PASSWORD_INPUT = 4096


@contextmanager
def _service(db: str | None) -> Iterator[AccountService]:
    """The account service over the configured database; domain errors end the command (exit 1)."""
    from netatlas.cli.common import database, fail, settings
    from netatlas.domain.errors import NetatlasError
    from netatlas.jobs.accounts import AccountService

    config = settings(db)
    with database(config) as handle:
        try:
            yield AccountService(handle, config)
        except NetatlasError as exc:
            fail(str(exc))


def _role(name: str) -> Role:
    from netatlas.cli.common import fail
    from netatlas.domain.accounts import Role

    try:
        return Role(name.strip().lower())
    except ValueError:
        fail(f"--role: {name!r} is not a role: use one of {', '.join(r.value for r in Role)}")


def _password(from_stdin: bool) -> str:
    """A new password: the first line of stdin, or typed twice at a hidden prompt; checked for length."""
    from netatlas.cli.common import fail
    from netatlas.jobs.accounts import AccountInputError, check_password

    if from_stdin:
        password = sys.stdin.readline(MAX_PASSWORD_INPUT).rstrip("\r\n")
    elif not sys.stdin.isatty():
        fail("no terminal to ask for the password: pass it on standard input with --password-stdin")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        return check_password(password)
    except AccountInputError as exc:
        fail(str(exc))


def _who() -> str:
    """Who made a token from the CLI, for the record: ``cli:<login name>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


# ---- users ---------------------------------------------------------------------------------------


@users.command("create")
def create_user(name: Annotated[str, typer.Argument(help="The user's login name.")], role: RoleName = "viewer",
                password_stdin: PasswordStdin = False, db: Db = None) -> None:
    """Create a user. On a fresh deployment this is how the first admin is made: --role admin."""
    from netatlas.cli.common import err, say
    from netatlas.domain.accounts import Role

    chosen = _role(role)
    password = _password(password_stdin)
    with _service(db) as service:
        first = not service.has_users()
        service.create_user(name, password, chosen)
    say("user ", name, " created with role ", chosen.value)
    if first and chosen is not Role.ADMIN:
        say("warning: this is the first user and it is not an admin: make one with "
            "`netatlas user create NAME --role admin`", console=err)


@users.command("list")
def list_users(db: Db = None, json_output: Json = False) -> None:
    """List users (never their passwords)."""
    from netatlas.cli.common import print_json, print_table, say

    with _service(db) as service:
        found = service.list_users()
    if json_output:
        print_json([{"name": u.name, "role": u.role, "disabled": u.disabled, "created_at": u.created_at,
                     "last_login_at": u.last_login_at} for u in found])
        return
    if not found:
        say("no users yet: make the first admin with `netatlas user create NAME --role admin`")
        return
    print_table(["name", "role", "disabled", "created", "last login"],
                [(u.name, u.role, "yes" if u.disabled else "", _when(u.created_at), _when(u.last_login_at))
                 for u in found])


@users.command("passwd")
def passwd(name: Annotated[str, typer.Argument(help="The user's login name.")],
           password_stdin: PasswordStdin = False, db: Db = None) -> None:
    """Set a user's password; the user's current logins end."""
    from netatlas.cli.common import say

    password = _password(password_stdin)
    with _service(db) as service:
        service.update_user(name, password=password)
    say("password of ", name, " changed; the user's current logins have ended")


@users.command("set-role")
def set_role(name: Annotated[str, typer.Argument(help="The user's login name.")],
             role: Annotated[str, typer.Argument(help="viewer, operator or admin.")], db: Db = None) -> None:
    """Change a user's role; the user's current logins end (the last enabled admin stays one)."""
    from netatlas.cli.common import say

    chosen = _role(role)
    with _service(db) as service:
        service.update_user(name, role=chosen)
    say("user ", name, " now has role ", chosen.value)


@users.command("disable")
def disable(name: Annotated[str, typer.Argument(help="The user's login name.")], db: Db = None) -> None:
    """Refuse the user's logins from now on, current ones included."""
    from netatlas.cli.common import say

    with _service(db) as service:
        service.update_user(name, disabled=True)
    say("user ", name, " disabled")


@users.command("enable")
def enable(name: Annotated[str, typer.Argument(help="The user's login name.")], db: Db = None) -> None:
    """Let a disabled user log in again."""
    from netatlas.cli.common import say

    with _service(db) as service:
        service.update_user(name, disabled=False)
    say("user ", name, " enabled")


@users.command("delete")
def delete_user(name: Annotated[str, typer.Argument(help="The user's login name.")], db: Db = None) -> None:
    """Delete a user; their current logins end (the last enabled admin cannot be deleted)."""
    from netatlas.cli.common import say

    with _service(db) as service:
        service.delete_user(name)
    say("user ", name, " deleted")


# ---- tokens --------------------------------------------------------------------------------------


@tokens.command("create")
def create_token(name: Annotated[str, typer.Option("--name", help="A name to tell the token by (unique).")],
                 role: RoleName = "viewer",
                 expires_in_days: Annotated[int | None, typer.Option(
                     "--expires-in-days", min=1, max=3650, help="Days until it stops working (default: never).")]
                 = None,
                 db: Db = None, json_output: Json = False) -> None:
    """Create an API token and print it once: it is stored only as a hash and cannot be shown again."""
    from datetime import timedelta

    from netatlas.cli.common import err, print_json, say, text

    chosen = _role(role)
    with _service(db) as service:
        expires = None if expires_in_days is None else service.clock() + timedelta(days=expires_in_days)
        token, view = service.issue_token(name, chosen, created_by=_who(), expires_at=expires)
    if json_output:
        print_json({"name": view.name, "role": view.role, "prefix": view.prefix, "created_by": view.created_by,
                    "created_at": view.created_at, "expires_at": view.expires_at, "token": token})
    else:
        sys.stdout.write(token + "\n")
    say(text("warning:", "yellow"), " this is the only time the token of ", name, " (role ", chosen.value,
        ") is shown: store it now (send it as 'Authorization: Bearer <token>')", console=err)


@tokens.command("list")
def list_tokens(include_revoked: Annotated[bool, typer.Option("--all", help="Also list revoked tokens.")] = False,
                db: Db = None, json_output: Json = False) -> None:
    """List API tokens: name, first characters, role, who made them, last use (never the token)."""
    from netatlas.cli.common import print_json, print_table, say

    with _service(db) as service:
        found = service.list_tokens(include_revoked=include_revoked)
    if json_output:
        print_json([{"name": t.name, "prefix": t.prefix, "role": t.role, "created_by": t.created_by,
                     "created_at": t.created_at, "last_used_at": t.last_used_at, "expires_at": t.expires_at,
                     "revoked": t.revoked} for t in found])
        return
    if not found:
        say("no API tokens: make one with `netatlas token create --name NAME --role ROLE`")
        return
    print_table(["name", "starts with", "role", "created by", "created", "last used", "expires", "revoked"],
                [(t.name, t.prefix + "…", t.role, t.created_by, _when(t.created_at), _when(t.last_used_at),
                  _when(t.expires_at), _when(t.revoked_at)) for t in found])


@tokens.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="The token's name.")], db: Db = None) -> None:
    """Revoke a token: running API servers refuse it within 2 s (the name is free again)."""
    from netatlas.cli.common import say

    with _service(db) as service:
        service.revoke_token(name)
    say("token ", name, " revoked")


def _when(value: object) -> str:
    """A stored time for a table: minutes, UTC (or empty)."""
    from datetime import datetime

    return value.strftime("%Y-%m-%d %H:%M UTC") if isinstance(value, datetime) else ""
