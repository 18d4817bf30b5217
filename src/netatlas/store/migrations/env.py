"""Alembic environment: migrate over the connection ``Database.migrate`` hands in.

Batch mode (``render_as_batch``) lets the same scripts alter tables on SQLite. Importing this
module outside Alembic (doctest collection) does nothing.
"""

from __future__ import annotations

from alembic import context
from alembic.config import Config
from sqlalchemy.engine import Connection

from netatlas.store.tables import Base


def run(config: Config) -> None:
    connection: Connection | None = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("netatlas migrations run through netatlas.store.Database.migrate()")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


_config: Config | None = getattr(context, "config", None)
if _config is not None:
    run(_config)
