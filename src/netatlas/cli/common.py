"""What every command shares: settings, the database, output (rich or JSON), exit codes.

Output is :mod:`netatlas.cli.output` (re-exported here): text is never markup, JSON escapes every
control character. Commands print with :func:`say`, :func:`print_table` and :func:`fail`.

Only typer, rich and the domain's text helpers are imported here: every command module imports this
one, and the settings, the store (SQLAlchemy, Alembic) and the key (cryptography) are loaded by the
functions below when a command runs, not when its help is shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.text import Text

from netatlas.cli.output import err, line, out, print_json, print_table, say, text, warn_storage
from netatlas.domain.errors import NetatlasError

if TYPE_CHECKING:  # the settings, the store and the key are imported by the functions that use them
    from netatlas.secrets import SecretBox
    from netatlas.settings import Settings
    from netatlas.store import Database, InventoryConflict

EXIT_OK, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default: NETATLAS_DATABASE_URL or "
                                                           "the SQLite file under NETATLAS_HOME).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]

__all__ = ["EXIT_OK", "EXIT_PARTIAL", "EXIT_USAGE", "DbOption", "JsonOption", "conflict_line", "coverage_lines",
           "coverage_summary", "database", "err", "fail", "line", "out", "print_json", "print_table", "say",
           "secret_box", "settings", "text"]


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
        # NETATLAS_HOME 0700, the SQLite file 0600 (warnings once: ``jobs list`` may have printed them already)
        warn_storage(prepare_storage(config), console=err)
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
