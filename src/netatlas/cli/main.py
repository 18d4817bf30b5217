"""Entry point: ``netatlas <command>``. Usage errors exit 1, partial discovery 2.

Commands are loaded lazily: :data:`COMMANDS` names each one's module, attribute and one-line help,
so ``netatlas --help`` lists them all without importing any (no SQLAlchemy, SSH or parsing
libraries), and ``netatlas jobs ...`` imports ``netatlas.cli.jobs`` alone. A unit test checks
that every line of the table is the real command's help, so the two never drift.

``netatlas --help`` and ``netatlas`` alone go further: :func:`fast_help` draws the panels typer
would draw (without colour) from the table, so they import neither typer nor rich (~0.03 s of
CPU instead of ~0.4 s). A unit test checks that its text equals typer's own at several widths.
Anything unusual takes typer's path (:mod:`netatlas.cli.group`): a terminal narrower than 60
columns, ``TERMINAL_WIDTH``, ``FORCE_COLOR`` or ``FORCE_TERMINAL`` set, or stdout a terminal
(where typer colours its help). ``netatlas jobs list`` answers without typer, pydantic or SQLAlchemy
when it can (:func:`netatlas.cli.jobs_list.answer`), else through typer. This module imports only
the standard library at load time.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
import textwrap
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from typer.core import TyperCommand, TyperGroup


class Lazy(NamedTuple):
    """Where a command lives (``module.attribute``: a ``typer.Typer`` or a command function) and the
    one line ``netatlas --help`` shows for it (the first paragraph of its help)."""

    module: str
    attribute: str
    help: str


ROOT_HELP = "netatlas: network topology discovery."
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
MIN_FAST_WIDTH = 60
_FORCING = ("TERMINAL_WIDTH", "FORCE_COLOR", "FORCE_TERMINAL")


def load(name: str) -> TyperCommand | TyperGroup:
    """The real click command of ``name`` (its module imported now), named ``name``."""
    import typer

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


def _panel(title: str, rows: list[str], width: int) -> list[str]:
    inner = width - 4
    top = f"╭─ {title} " + "─" * (width - len(title) - 5) + "╮"
    return [top, *(f"│ {row.ljust(inner)} │" for row in rows), "╰" + "─" * (width - 2) + "╯"]


def _wrap(text: str, width: int) -> list[str]:
    """``text`` broken into lines of ``width`` as rich breaks them (at spaces only, never at hyphens)."""
    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


def _draw(usage: str, about: str, commands: list[tuple[str, list[str]]], width: int) -> str:
    """A group's help as typer draws it (no colour): usage, one paragraph, the options and the commands
    (each command's help given as its lines: rich keeps the line breaks of a command's help)."""
    blank = " " * width
    lines = [blank, f" Usage: {usage}".ljust(width), blank,
             *(f" {part}".ljust(width) for part in _wrap(about, width - 2)), blank]
    lines += _panel("Options", ["--help        <bool>  Show this message and exit."], width)
    name_width = max(len(name) for name, _ in commands)
    help_width = width - 4 - name_width - 2
    rows = []
    for name, help_lines in commands:
        wrapped = [part for line in help_lines for part in _wrap(line, help_width)]
        rows.append(f"{name.ljust(name_width)}  {wrapped[0]}")
        rows += [" " * (name_width + 2) + more for more in wrapped[1:]]
    lines += _panel("Commands", rows, width)
    return "\n".join(lines) + "\n"


def fast_help(width: int) -> str:
    """The root help as typer draws it at ``width`` columns (no colour), from :data:`COMMANDS`.

    Examples:
        >>> print(fast_help(80).splitlines()[1].rstrip())
         Usage: netatlas [OPTIONS] COMMAND [ARGS]...
    """
    return _draw("netatlas [OPTIONS] COMMAND [ARGS]...", ROOT_HELP,
                 [(name, [entry.help]) for name, entry in COMMANDS.items()], width)


def fast_group_help(name: str, group: Any, width: int) -> str | None:
    """``netatlas NAME --help`` as typer draws it at ``width`` columns (no colour), from the loaded
    click group; None when the group uses what this drawing does not (options, help panels, hidden
    or deprecated commands, an epilog, rich markup, several paragraphs): typer draws those.

    Typer's own help imports ``rich.markdown`` (and pygments) whatever the text: ~0.3 s of CPU that a
    plain listing does not need. A unit test checks that the text equals typer's for every group.
    """
    about = _one_paragraph(group.help, join_lines=True)
    if (not hasattr(group, "commands") or group.params or group.epilog or group.deprecated or about is None
            or getattr(group, "rich_help_panel", None)):
        return None
    commands: list[tuple[str, list[str]]] = []
    for command_name, command in group.commands.items():
        text = _one_paragraph(command.short_help or command.help or "", join_lines=False)
        if (text is None or command.hidden or command.deprecated or getattr(command, "rich_help_panel", None)
                or command_name != command.name):
            return None
        commands.append((command_name, text.split("\n")))
    usage = f"netatlas {name} [OPTIONS] COMMAND [ARGS]..."
    if not commands or len(usage) + 8 > width:
        return None
    return _draw(usage, about, commands, width)


def _one_paragraph(help_text: str | None, *, join_lines: bool) -> str | None:
    """The first paragraph of a help text as typer shows it, or None when typer would show more or
    style it (markup, ANSI, click's ``\\b`` and ``\\f`` markers)."""
    import inspect  # loaded with typer anyway; the root help (drawn without typer) does not need it

    if not help_text:
        return None
    paragraphs = inspect.cleandoc(help_text).split("\n\n")
    first = paragraphs[0].strip()
    if any(mark in help_text for mark in ("[", "\x1b", "\b", "\f")) or (join_lines and len(paragraphs) > 1):
        return None
    return first.replace("\n", " ") if join_lines else first


def _fast_width() -> int | None:
    """The width typer's help would use when :func:`fast_help` can stand in for it, else None."""
    if any(os.environ.get(name) for name in _FORCING) or sys.stdout.isatty():
        return None
    width = shutil.get_terminal_size((80, 24)).columns  # COLUMNS, else the terminal, else 80: as rich
    return width if width >= MIN_FAST_WIDTH else None


def main() -> None:
    """Console script: like ``app()``, but a usage error exits 1 (not click's 2)."""
    args = sys.argv[1:]
    if args in ([], ["--help"]) and (width := _fast_width()) is not None:
        sys.stdout.write(fast_help(width) + ("\n" if args else ""))
        sys.exit(0 if args else 1)  # no arguments: typer's no_args_is_help, a usage error
    if len(args) == 2 and args[0] in COMMANDS and args[1] == "--help" and (width := _fast_width()) is not None:
        drawn = fast_group_help(args[0], load(args[0]), width)
        if drawn is not None:
            sys.stdout.write(drawn + "\n")
            sys.exit(0)
    if args[:2] == ["jobs", "list"] and not os.environ.get("_NETATLAS_COMPLETE"):
        from netatlas.cli.jobs_list import answer  # no typer, pydantic or SQLAlchemy when it can answer

        try:
            answered = answer(args[2:])
        except KeyboardInterrupt:  # as click ends an interrupted command: a new line, exit 130
            sys.stderr.write("\n")
            sys.exit(130)
        if answered:
            sys.exit(0)
    from netatlas.memory import cap_arenas

    cap_arenas()  # before the command starts any thread (netatlas.memory)
    _typer_main()


def _typer_main() -> None:
    import typer
    from typer.exceptions import TyperException

    from netatlas.cli.group import app

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


def __getattr__(name: str) -> Any:  # the typer application and its classes, built on first use
    if name in ("app", "LazyGroup", "StandIn"):
        return getattr(importlib.import_module("netatlas.cli.group"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":  # pragma: no cover
    main()
