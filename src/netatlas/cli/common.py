"""What every command shares: settings, the database, output (rich or JSON), exit codes.

Terminal output is safe by construction: everything a device or an inventory file controls
(names, ports, descriptions, error messages) reaches rich only as :class:`rich.text.Text` made by
:func:`text` (cleaned by ``domain.text.clean``: escape sequences, control and bidi characters
shown as ``\\x1b``, ``\\u202e``), never as a markup string. Commands print with :func:`say`
(a line of parts), :func:`print_table` and :func:`fail`; our own words are passed as parts too
and are never parsed as markup either. JSON output escapes every control character itself.

Only typer, rich and the domain's text helpers are imported here: every command module imports this
one, and the settings, the store (SQLAlchemy, Alembic) and the key (cryptography) are loaded by the
functions below when a command runs, not when its help is shown.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from netatlas.domain.errors import NetatlasError
from netatlas.domain.jsonable import to_jsonable
from netatlas.domain.text import clean

if TYPE_CHECKING:  # the settings, the store and the key are imported by the functions that use them
    from netatlas.secrets import SecretBox
    from netatlas.settings import Settings
    from netatlas.store import Database, InventoryConflict

EXIT_OK, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default: NETATLAS_DATABASE_URL or "
                                                           "the SQLite file under NETATLAS_HOME).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]

out = Console()
err = Console(stderr=True)


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


def fail(message: object, code: int = EXIT_USAGE) -> NoReturn:
    say(text("error:", "red"), " ", message, console=err)
    raise typer.Exit(code)


def settings(db: str | None = None, **overrides: Any) -> Settings:
    """The settings, ``--db`` applied; a password written in ``--db`` is warned about (once per command)."""
    from netatlas.settings import database_url_warnings, load_settings

    try:
        config = load_settings(database_url=db, **overrides)
    except NetatlasError as exc:
        fail(str(exc))
    for warning in database_url_warnings(db or ""):
        say("warning: ", warning, console=err)
    return config


@contextmanager
def database(config: Settings, *, schema_check: bool = True) -> Iterator[Database]:
    """The configured database, its schema checked (``netatlas db upgrade`` named when it is behind); the
    embedded default (a SQLite file under NETATLAS_HOME) is upgraded on first use. ``schema_check=False``:
    as it is (``netatlas db``)."""
    from netatlas.settings import prepare_storage
    from netatlas.store import Database
    from netatlas.store.database import is_embedded

    try:
        for warning in prepare_storage(config):  # NETATLAS_HOME 0700, the SQLite file 0600
            say("warning: ", warning, console=err)
        url = config.database_url
        db = Database.open(url, upgrade=is_embedded(url, config.home)) if schema_check else Database(url)
    except NetatlasError as exc:
        fail(str(exc))
    try:
        yield db
    finally:
        db.close()


def secret_box(config: Settings, db: Database) -> SecretBox:
    """The deployment's box, its key verified: a wrong key stops the command before any job exists."""
    from netatlas.secrets import SecretBox

    try:
        return SecretBox.for_database(config, db)
    except NetatlasError as exc:
        fail(str(exc))


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(value), indent=1) + "\n")


def coverage_lines(coverage: dict[str, dict[str, dict[str, str]]]) -> list[Text]:
    """One line per device and incompletely held data type, for the tables' readers.

    Examples:
        >>> off = {"sw1": {"cdp": {"status": "feature_off", "note": "% CDP is not enabled"}}}
        >>> [t.plain for t in coverage_lines(off)]
        ['sw1 cdp feature_off: % CDP is not enabled']
    """
    return [line(device, " ", data_type, " ", text(held["status"], "yellow"), ": ", held["note"] or "(no detail)")
            for device, types in coverage.items() for data_type, held in types.items()]


def coverage_summary(coverage: dict[str, dict[str, dict[str, str]]], shown: int = 8) -> list[Text]:
    """The end-of-discovery view: every ``partial`` read on its own line (rows may be missing), and
    features that are off grouped per data type (normal on many devices: BGP off on access switches).

    Examples:
        >>> held = {"sw1": {"cdp": {"status": "feature_off", "note": "% CDP is not enabled"}},
        ...         "sw2": {"cdp": {"status": "feature_off", "note": "% CDP is not enabled"},
        ...                 "mac": {"status": "partial", "note": "show mac address-table: 2 line(s) not understood"}}}
        >>> for shown in coverage_summary(held):
        ...     print(shown.plain)
        partial: sw2 mac: show mac address-table: 2 line(s) not understood
        feature off: cdp on 2 device(s): sw1, sw2
    """
    partial = [line(text("partial:", "yellow"), " ", device, " ", data_type, ": ", held["note"] or "(no detail)")
               for device, types in coverage.items() for data_type, held in types.items()
               if held["status"] == "partial"]
    off: dict[str, list[str]] = {}
    for device, types in coverage.items():
        for data_type, held in types.items():
            if held["status"] == "feature_off":
                off.setdefault(data_type, []).append(device)
    grouped = []
    for data_type, devices in sorted(off.items()):
        more = f" and {len(devices) - shown} more" if len(devices) > shown else ""
        names = ", ".join(sorted(devices)[:shown]) + more
        grouped.append(line(text("feature off:", "cyan"), " ", f"{data_type} on {len(devices)} device(s): ", names))
    return [*partial, *grouped]


def conflict_line(conflict: InventoryConflict) -> Text:
    """
    Examples:
        >>> from netatlas.store import InventoryConflict
        >>> conflict_line(InventoryConflict("core1", "10.0.0.1", "10.9.9.9", "sw2", "name stored at 10.0.0.1")).plain
        'inventory conflict (not applied): core1 advertised at 10.9.9.9 by sw2: name stored at 10.0.0.1'
    """
    c = conflict
    return line(text("inventory conflict (not applied):", "red"), " ",
                f"{c.name} advertised at {c.advertised_host} by {c.advertised_by}: {c.reason}")
