"""Entry point: ``netatlas <command>``. Usage errors exit 1, partial discovery 2.

Commands are loaded lazily: :data:`COMMANDS` names each one's module, attribute and one-line help,
so ``netatlas --help`` lists them all without importing any (no SQLAlchemy, SSH or parsing
libraries: it answers in a fraction of a second), and ``netatlas jobs ...`` imports
``netatlas.cli.jobs`` alone. A unit test checks that every line of the table is the real
command's help, so the two never drift.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup
from typer.exceptions import TyperException


@dataclass(frozen=True, slots=True)
class Lazy:
    """Where a command lives (``module.attribute``: a ``typer.Typer`` or a command function) and the
    one line ``netatlas --help`` shows for it (the first paragraph of its help)."""

    module: str
    attribute: str
    help: str


COMMANDS: dict[str, Lazy] = {  # in the order --help lists them
    "discover": Lazy("netatlas.cli.discover", "discover",
                     "Collect from every device in parallel and store one snapshot per device."),
    "serve": Lazy("netatlas.cli.serve", "serve",
                  "Serve the REST API (docs at /docs); without NETATLAS_BROKER_URL jobs run in this process."),
    "worker": Lazy("netatlas.cli.worker", "worker",
                   "Run a Celery worker for discovery jobs (the schema is upgraded first)."),
    "lab": Lazy("netatlas.cli.lab", "app", "The lab: a simulated multi-vendor network served over real SSH."),
    "jobs": Lazy("netatlas.cli.jobs", "app", "Discovery jobs and their per-device progress."),
    "devices": Lazy("netatlas.cli.devices", "app",
                    "The device inventory, each device's current data and trusted SSH host keys."),
    "secrets": Lazy("netatlas.cli.secrets", "app", "The key that encrypts stored credentials."),
    "topology": Lazy("netatlas.cli.topology", "app",
                     "The discovered topology: links, paths, where hosts are, changes, exports, overrides."),
    "db": Lazy("netatlas.cli.db", "app", "The database schema: upgrade it (once, explicitly) or show its revision."),
    "user": Lazy("netatlas.cli.accounts", "users", "API users (login with a password; the web UI)."),
    "token": Lazy("netatlas.cli.accounts", "tokens", "API tokens (for scripts and CI): printed once, stored hashed."),
}


def load(name: str) -> TyperCommand | TyperGroup:
    """The real click command of ``name`` (its module imported now), named ``name``."""
    entry = COMMANDS[name]
    target: Any = getattr(importlib.import_module(entry.module), entry.attribute)
    if isinstance(target, typer.Typer):
        command: Any = typer.main.get_group(target)  # as add_typer builds it: no completion options
    else:
        single = typer.Typer(add_completion=False)
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command  # type: ignore[no-any-return]


class StandIn(TyperCommand):
    """A table command before its module is imported: a name and a help line, enough for a listing."""


class LazyGroup(TyperGroup):
    """The root group: every table command is a :class:`StandIn` until it is the command being run (or
    whose own ``--help`` is asked for); then its module is imported and the real command replaces it."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for name, entry in COMMANDS.items():
            self.commands.setdefault(name, StandIn(name, help=entry.help))

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        if args and isinstance(self.commands.get(args[0]), StandIn):
            self.commands[args[0]] = load(args[0])
        return super().resolve_command(ctx, args)


app = typer.Typer(cls=LazyGroup, help="netatlas: network topology discovery.", no_args_is_help=True,
                  add_completion=False)


@app.callback()
def _root() -> None:
    """(A callback makes ``app`` a group even though its commands are registered by :class:`LazyGroup`.)"""


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
