"""Alembic scripts, shipped inside the package and run by ``Database.migrate`` (no alembic.ini).

``HEAD`` is the last script's revision: the schema this netatlas needs. Processes compare it with
the database's ``alembic_version`` without importing Alembic (``netatlas jobs list`` stays light);
``tests/integration/store/test_migrations.py`` keeps it equal to the scripts' own head. Adding a
script means updating it.

New revision during development::

    from alembic import command
    from netatlas.store.database import Database, alembic_config
    with Database("sqlite:///dev.db").engine.begin() as conn:
        command.revision(alembic_config(conn), "what changed", autogenerate=True)

Review the result: replace ``UtcDateTime`` with ``sa.DateTime(timezone=True)`` and keep the
constraint names ``op.f(...)`` produced from the naming convention.
"""

HEAD = "0008"
