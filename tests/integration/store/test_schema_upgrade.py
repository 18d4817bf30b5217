"""Migrations run once, as an explicit step: ``Database.open`` checks the revision and names
``netatlas db upgrade`` when the schema is behind; ``netatlas db upgrade`` migrates behind a lock (two
processes at once migrate once) and is a no-op the second time; the embedded default (SQLite under
NETATLAS_HOME) still upgrades itself on first use."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from netatlas.store import Database
from netatlas.store.database import SchemaOutOfDate, head_revision, known_revisions
from tests.integration.discovery.helpers import CLI, cli, cli_env, cli_json

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]
HEAD = head_revision()
UPGRADERS = 3  # processes started at once


def _tables(url: str) -> set[str]:
    database = Database(url)
    try:
        return set(inspect(database.engine).get_table_names())
    finally:
        database.close()


def _previous() -> str:
    """The revision just before head (the packaged scripts have several)."""
    earlier = sorted(known_revisions() - {HEAD})
    assert earlier, "the package ships more than one revision"
    return earlier[-1]


def test_an_empty_database_is_refused_with_the_command_to_run(empty_url: str) -> None:
    with pytest.raises(SchemaOutOfDate) as caught:
        Database.open(empty_url)
    message = str(caught.value)
    assert message.startswith(f"database schema is at nothing (an empty database), netatlas needs {HEAD}: "
                              "run `netatlas db upgrade`"), message
    assert "snapshot" not in _tables(empty_url), "a check never migrates"


def test_a_schema_behind_is_refused_and_names_both_revisions(empty_url: str) -> None:
    with Database(empty_url) as database:
        assert database.upgrade(_previous()).after == _previous()
    with pytest.raises(SchemaOutOfDate, match=f"database schema is at {_previous()}, netatlas needs {HEAD}: "
                                              r"run `netatlas db upgrade`"):
        Database.open(empty_url)


def test_a_schema_from_a_newer_netatlas_is_refused(empty_url: str) -> None:
    with Database.open(empty_url, upgrade=True) as database, database.session() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(SchemaOutOfDate, match=r"9999_future, which this netatlas does not know .*upgrade netatlas"):
        Database.open(empty_url)


def test_db_upgrade_then_again_is_a_no_op(empty_url: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    code, before = cli_json(["db", "current", "--db", empty_url], home)
    assert (code, before) == (1, {"current": None, "head": HEAD, "up_to_date": False})
    refused = cli(["jobs", "list", "--db", empty_url], home)
    assert refused.returncode == 1 and "run `netatlas db upgrade`" in refused.stderr, refused.stderr

    first = cli(["db", "upgrade", "--db", empty_url], home)
    assert first.returncode == 0 and f"upgraded from nothing (an empty database) to {HEAD}" in first.stdout
    code, again = cli_json(["db", "upgrade", "--db", empty_url], home)
    assert (code, again) == (0, {"before": HEAD, "after": HEAD, "changed": False})
    assert "nothing to do" in cli(["db", "upgrade", "--db", empty_url], home).stdout

    shown = cli(["db", "current", "--db", empty_url], home)
    assert shown.returncode == 0 and f"database schema is at {HEAD} (up to date)" in shown.stdout
    assert cli(["jobs", "list", "--db", empty_url], home).returncode == 0


def test_concurrent_upgrades_migrate_once(empty_url: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = cli_env(home)
    processes = [subprocess.Popen([*CLI, "db", "upgrade", "--db", empty_url, "--json"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(UPGRADERS)]
    reports = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        reports.append(json.loads(stdout))
    assert sorted(r["changed"] for r in reports) == [False] * (UPGRADERS - 1) + [True], reports
    assert [r["before"] for r in reports if r["changed"]] == [None]
    assert all(r["after"] == HEAD for r in reports)
    with Database.open(empty_url) as database, database.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    assert "snapshot" in _tables(empty_url)


def test_the_embedded_default_upgrades_itself_on_first_use(tmp_path: Path) -> None:
    home = tmp_path / "fresh-home"
    done = cli(["jobs", "list"], home)
    assert done.returncode == 0, done.stderr
    url = f"sqlite:///{home / 'netatlas.db'}"
    with Database.open(url) as database:
        assert database.schema().current == HEAD
