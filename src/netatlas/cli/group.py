"""The typer application behind ``netatlas``: a root group whose commands load lazily.

Every command of :data:`netatlas.cli.main.COMMANDS` is a :class:`StandIn` (a name and a help
line) until it is the command being run, or whose own ``--help`` is asked for; then its module is
imported (:func:`netatlas.cli.main.load`) and the real command replaces it. ``netatlas.cli.main``
imports this module only when typer has work to do: the root help is drawn without it.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from netatlas.cli.main import COMMANDS, ROOT_HELP, load


class StandIn(TyperCommand):
    """A table command before its module is imported: a name and a help line, enough for a listing."""


class LazyGroup(TyperGroup):
    """The root group: every table command is a :class:`StandIn` until it is the command being run."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for name, entry in COMMANDS.items():
            self.commands.setdefault(name, StandIn(name, help=entry.help))

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        if args and isinstance(self.commands.get(args[0]), StandIn):
            self.commands[args[0]] = load(args[0])
        return super().resolve_command(ctx, args)


app = typer.Typer(cls=LazyGroup, help=ROOT_HELP, no_args_is_help=True, add_completion=False)


@app.callback()
def _root() -> None:
    """(A callback makes ``app`` a group even though its commands are registered by :class:`LazyGroup`.)"""
