"""The packaged Alembic scripts: empty database to head, idempotent re-open, models == migrations."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from netatlas.store import Database
from netatlas.store.database import MIGRATIONS, alembic_config, head_revision, scripts_head
from netatlas.store.light import UNFINISHED_STATUSES, to_core, to_sql, unfinished_select
from netatlas.store.schema import JOB_TABLE
from netatlas.store.tables import Base

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]
HEAD = ScriptDirectory(str(MIGRATIONS)).get_current_head()


def test_the_packaged_head_constant_is_the_scripts_head() -> None:
    """``migrations.HEAD`` (read without Alembic by every process) must name the last script."""
    assert head_revision() == scripts_head() == HEAD


def _revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_open_upgrades_an_empty_database_to_head_when_asked(empty_url: str) -> None:
    with Database.open(empty_url, upgrade=True) as database:
        tables = set(inspect(database.engine).get_table_names())
        assert _revision(database) == HEAD
    assert {table.name for table in Base.metadata.sorted_tables} | {"alembic_version"} == tables


def test_reopening_is_idempotent_and_keeps_data(empty_url: str) -> None:
    with Database.open(empty_url, upgrade=True) as database, database.session() as session:
        session.execute(text("INSERT INTO credential (name, username, secret, created_at, updated_at) "
                             "VALUES ('lab', 'netops', :s, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"s": b"x"})
    for _ in range(2):
        with Database.open(empty_url) as database, database.session() as session:
            assert session.execute(text("SELECT name FROM credential")).scalars().all() == ["lab"]
            assert _revision(database) == HEAD


def test_migrations_match_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_downgrade_to_base_and_back(empty_url: str) -> None:
    with Database.open(empty_url, upgrade=True) as database:
        with database.engine.begin() as connection:
            command.downgrade(alembic_config(connection), "base")
        assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
        database.migrate()
        assert _revision(database) == HEAD
        assert "snapshot" in inspect(database.engine).get_table_names()


def test_recovery_finds_unfinished_jobs_through_the_status_index(db: Database) -> None:
    """0008's ``ix_job_status`` exists on both backends, and the unfinished-jobs query (what recovery
    runs at every start) searches it instead of scanning the job table."""
    assert "ix_job_status" in {index["name"] for index in inspect(db.engine).get_indexes("job")}
    statuses = [*UNFINISHED_STATUSES, "completed", "failed", "cancelled", "interrupted"]
    with db.engine.begin() as connection:
        connection.execute(JOB_TABLE.insert(), [{"id": f"job-{n}", "kind": "discovery", "options": {},
                                                 "status": statuses[n % len(statuses)]} for n in range(70)])
        found = [row.id for row in connection.execute(to_core(unfinished_select()))]
        if db.engine.dialect.name == "sqlite":
            sql, params = to_sql(unfinished_select(), "?")
            plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}",
                                                                               tuple(params)))
            assert "USING INDEX ix_job_status" in plan, plan
    assert found == sorted(f"job-{n}" for n in range(70) if n % len(statuses) < len(UNFINISHED_STATUSES))
