"""How every command prints: rich text that is never markup, tables, JSON (no typer imported).

Terminal output is safe by construction: everything a device or an inventory file controls
(names, ports, descriptions, error messages) reaches rich only as :class:`rich.text.Text` made by
:func:`text` (cleaned by ``domain.text.clean``: escape sequences, control and bidi characters
shown as ``\\x1b``, ``\\u202e``), never as a markup string. Commands print with :func:`say`
(a line of parts) and :func:`print_table`; our own words are passed as parts too and are never
parsed as markup either. JSON output escapes every control character itself.

``netatlas.cli.common`` re-exports these for the typer commands; ``netatlas jobs list`` prints
through this module alone when it answers without typer (:mod:`netatlas.cli.jobs_list`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from netatlas.domain.jsonable import to_jsonable
from netatlas.domain.text import clean

out = Console()
err = Console(stderr=True)
# Storage warnings already printed by this process: when ``jobs list`` falls back from its light path to
# the typer command, the command's own storage preparation does not print them a second time.
SAID_WARNINGS: set[str] = set()


def text(value: object, style: str = "") -> Text:
    """A value as terminal text: cleaned and never read as markup.

    Examples:
        >>> text("[/]crash\\x1b]0;t\\x07").plain
        '[/]crash\\\\x1b]0;t\\\\x07'
        >>> text(None).plain, text(3).plain, text(["a", "b"]).plain
        ('', '3', 'a, b')
    """
    if isinstance(value, Text):
        return value
    return Text(clean(_plain(value)), style=style)


def _plain(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def line(*parts: object) -> Text:
    """Parts (text, numbers, styled :class:`Text`) joined into one line, none of them markup.

    Examples:
        >>> line(text("error:", "red"), " ", "[bold]x").plain
        'error: [bold]x'
    """
    return Text.assemble(*(text(part) for part in parts))


def say(*parts: object, console: Console | None = None) -> None:
    """Print one line of :func:`line` parts (stdout unless ``console`` is given)."""
    (console or out).print(line(*parts), highlight=False, soft_wrap=True)


def print_table(columns: Sequence[str], rows: Iterable[Sequence[object]], *, title: object = None,
                console: Console | None = None, max_width: int | None = None) -> None:
    """A table whose title, headers and cells are all :func:`text`."""
    table = Table(title=text(title) if title is not None else None)
    for column in columns:  # a width cap cuts long cells with an ellipsis; otherwise they fold
        table.add_column(text(column), overflow="ellipsis" if max_width else "fold", no_wrap=bool(max_width),
                         max_width=max_width)
    for row in rows:
        table.add_row(*(text(cell) for cell in row))
    (console or out).print(table)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(value), indent=1) + "\n")


def warn_storage(warnings: Iterable[str], console: Console | None = None) -> None:
    """Print each storage warning (``NETATLAS_HOME`` or the SQLite file not private) once per process."""
    for warning in warnings:
        if warning not in SAID_WARNINGS:
            SAID_WARNINGS.add(warning)
            say("warning: ", warning, console=console or err)
