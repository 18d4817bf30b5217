"""What every command shares: settings, the database, output (rich or JSON), exit codes."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from netatlas.domain.errors import NetatlasError
from netatlas.secrets import SecretBox
from netatlas.settings import Settings, load_settings, prepare_storage
from netatlas.store import Database

EXIT_OK, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default: NETATLAS_DATABASE_URL or "
                                                           "the SQLite file under NETATLAS_HOME).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]

out = Console()
err = Console(stderr=True)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def settings(db: str | None = None, **overrides: Any) -> Settings:
    try:
        return load_settings(database_url=db, **overrides)
    except NetatlasError as exc:
        fail(str(exc))


@contextmanager
def database(config: Settings) -> Iterator[Database]:
    try:
        for warning in prepare_storage(config):  # NETATLAS_HOME 0700, the SQLite file 0600
            err.print(f"warning: {warning}", markup=False, highlight=False, soft_wrap=True)
        db = Database.open(config.database_url)
    except NetatlasError as exc:
        fail(str(exc))
    try:
        yield db
    finally:
        db.close()


def secret_box(config: Settings, db: Database) -> SecretBox:
    """The deployment's box, its key verified: a wrong key stops the command before any job exists."""
    try:
        return SecretBox.for_database(config, db)
    except NetatlasError as exc:
        fail(str(exc))


def to_jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [to_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(value), indent=1) + "\n")
