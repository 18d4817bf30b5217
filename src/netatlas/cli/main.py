"""Entry point: ``netatlas <command>``. Usage errors exit 1, partial discovery 2."""

from __future__ import annotations

import sys

import typer
from typer.exceptions import TyperException

from netatlas.cli import accounts, db, devices, jobs, lab, secrets, topology
from netatlas.cli.discover import discover
from netatlas.cli.serve import serve
from netatlas.cli.worker import worker

app = typer.Typer(help="netatlas: network topology discovery.", no_args_is_help=True, add_completion=False)
app.add_typer(lab.app, name="lab")
app.add_typer(jobs.app, name="jobs")
app.add_typer(devices.app, name="devices")
app.add_typer(secrets.app, name="secrets")
app.add_typer(topology.app, name="topology")
app.add_typer(db.app, name="db")
app.add_typer(accounts.users, name="user")
app.add_typer(accounts.tokens, name="token")
app.command()(discover)
app.command()(serve)
app.command()(worker)


def main() -> None:
    """Console script: like ``app()``, but a usage error exits 1 (not click's 2)."""
    try:
        code = app(standalone_mode=False)
    except TyperException as exc:  # a usage error: unknown option, bad value, missing argument
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            sys.stderr.write(f"error: {exc}\n")
        sys.exit(1)
    except typer.Abort:
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
