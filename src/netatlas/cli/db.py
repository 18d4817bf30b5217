"""``netatlas db upgrade|current``: migrate the schema once, as an explicit step, or show its revision.

Processes that use the database (the CLI, the API, the workers) only check the revision and name
``netatlas db upgrade`` when it is behind; this command is the one that migrates (behind a lock: two
started at once migrate once). The embedded default (SQLite under NETATLAS_HOME) is also upgraded
by its first use, so a fresh machine needs no separate step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from netatlas.cli.common import DbOption, JsonOption, database, fail, print_json, say, settings, text
from netatlas.domain.errors import NetatlasError

if TYPE_CHECKING:
    from netatlas.store.database import Schema

app = typer.Typer(help="The database schema: upgrade it (once, explicitly) or show its revision.",
                  no_args_is_help=True)


@app.command("upgrade")
def upgrade(db: DbOption = None, json_output: JsonOption = False) -> None:
    """Migrate the database to the schema this netatlas needs (nothing to do when it is there already)."""
    config = settings(db)
    with database(config, schema_check=False) as handle:
        try:
            done = handle.upgrade()
        except NetatlasError as exc:
            fail(str(exc))
    if json_output:
        print_json({"before": done.before, "after": done.after, "changed": done.changed})
    elif done.changed:
        say("database schema upgraded from ", done.before or "nothing (an empty database)", " to ", done.after)
    else:
        say("database schema is at ", done.after, ": nothing to do")


@app.command("current")
def current(db: DbOption = None, json_output: JsonOption = False) -> None:
    """Show the database's schema revision and the one this netatlas needs (exit 1 when they differ)."""
    config = settings(db)
    with database(config, schema_check=False) as handle:
        try:
            schema = handle.schema()
        except NetatlasError as exc:
            fail(str(exc))
    if json_output:
        print_json({"current": schema.current, "head": schema.head, "up_to_date": schema.up_to_date})
    else:
        _show(schema)
    if not schema.up_to_date:
        raise typer.Exit(1)


def _show(schema: Schema) -> None:
    if schema.up_to_date:
        say("database schema is at ", schema.current, " (up to date)")
    else:
        say(text(schema.problem(), "yellow"))
