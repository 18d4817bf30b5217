"""Alembic scripts, shipped inside the package and run by ``Database.migrate`` (no alembic.ini).

New revision during development::

    from alembic import command
    from netatlas.store.database import Database, alembic_config
    with Database("sqlite:///dev.db").engine.begin() as conn:
        command.revision(alembic_config(conn), "what changed", autogenerate=True)

Review the result: replace ``UtcDateTime`` with ``sa.DateTime(timezone=True)`` and keep the
constraint names ``op.f(...)`` produced from the naming convention.
"""
