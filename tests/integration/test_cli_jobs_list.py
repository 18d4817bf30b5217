"""``netatlas jobs list`` on its light path answers what the typer command answers, on SQLite and PostgreSQL.

The driver read (:mod:`netatlas.store.light`) returns the rows the Core read (``store.jobs``) returns;
the command prints the same bytes and exit code either way (the typer command is run directly for the
comparison); a job whose process died still shows ``interrupted`` (the light path leaves it to the
recovery of the typer command), and a live one stays ``running`` without the typer command running.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text, update

from netatlas.domain.records import DeviceStatus, JobStatus
from netatlas.jobs.liveness import this_process
from netatlas.store import Database, JobRepo, light
from netatlas.store.jobs import list_jobs, unfinished_jobs
from netatlas.store.migrations import HEAD
from netatlas.store.schema import JOB_TABLE, METADATA
from tests.integration.store.conftest import pg_database
from tests.integration.store.factories import device

FAST = """
import json, sys
sys.argv = ["netatlas", *json.loads(sys.argv[1])]
from netatlas.cli.main import main
try:
    main()
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
light = not {"typer", "sqlalchemy"} & set(sys.modules)
sys.stderr.write("\\nRESULT " + json.dumps({"code": code, "light": light}) + "\\n")
"""
TYPER = """
import json, sys
sys.argv = ["netatlas", *json.loads(sys.argv[1])]
from netatlas.cli.main import _typer_main
try:
    _typer_main()
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
sys.stderr.write("\\nRESULT " + json.dumps({"code": code, "light": False}) + "\\n")
"""


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with pg_database("clilist") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'jobs.db'}"
        return
    url: str = request.getfixturevalue("pg_url")
    yield url
    with Database(url).engine.begin() as connection:
        names = ", ".join(f'"{table.name}"' for table in METADATA.sorted_tables)
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database.open(db_url, upgrade=True)
    try:
        yield database
    finally:
        database.close()


def _jobs(db: Database) -> list[str]:
    """Five jobs: completed, failed, pending, cancelled with a hostile message, running on a live process."""
    ids = []
    with db.session() as session:
        repo = JobRepo(session)
        for number in range(5):
            ids.append(repo.create([device(f"sw{number}", number + 1), device(f"r{number}", number + 10)],
                                   {"data_types": ["cdp"], "n": number, "nested": {"a": [1, None]}},
                                   requested_by="ann"))
    done, failed, _pending, cancelled, running = ids
    with db.session() as session:
        repo = JobRepo(session)
        repo.claim(done, "elsewhere", 4242)
        repo.update_device(done, "sw0", DeviceStatus.COMPLETED)
        repo.update_device(done, "r0", DeviceStatus.FAILED, error="timeout")
        repo.finish(done, JobStatus.COMPLETED)
        repo.finish(failed, JobStatus.FAILED, "the inventory vanished")
        repo.finish(cancelled, JobStatus.CANCELLED, "[bold]x\x1b]0;t\x07 \u202e")
        repo.claim(running, this_process().host, os.getpid())  # this test's process: alive
    return ids


def _read(url: str, select: light.JobSelect) -> list[object]:
    target = light.parse_url(url)
    assert target is not None
    with light.connect(target) as reader:
        reader.require_current()
        return list(reader.jobs(select))


def test_the_driver_read_returns_the_core_rows(db: Database, db_url: str) -> None:
    ids = _jobs(db)
    selects = [light.list_select(limit=limit, status=status) for limit in (1, 3, 50)
               for status in (None, *JobStatus)]
    with db.connection(readonly=True) as connection:
        for select in selects:
            status = JobStatus(select.status) if select.status else None
            assert select.limit is not None
            core = list_jobs(connection, limit=select.limit, status=status)
            assert _read(db_url, select) == core
            assert [light.job_view(row) for row in connection.execute(light.to_core(select))] == core
        assert _read(db_url, light.unfinished_select()) == unfinished_jobs(connection) != []
    listed = _read(db_url, light.list_select(limit=50))
    assert sorted(view.id for view in listed) == sorted(ids)  # type: ignore[attr-defined]


def _run(script: str, args: list[str], home: Path, **settings: str) -> tuple[int, str, str, bool]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("NETATLAS_")}
    env.update(NETATLAS_HOME=str(home / "home"), COLUMNS="120")  # the SQLite file is not the embedded default
    env.update({f"NETATLAS_{name.upper()}": value for name, value in settings.items()})
    done = subprocess.run([sys.executable, "-c", script, json.dumps(args)], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    marker = done.stderr.rindex("\nRESULT ")
    result = json.loads(done.stderr[marker + len("\nRESULT "):])
    return result["code"], done.stdout, done.stderr[:marker], result["light"]


ARGS = [[], ["--json"], ["--limit", "2"], ["--limit=2", "--offset", "2", "--json"], ["--status", "completed"],
        ["--status", "running", "--json"], ["--status", "bogus"], ["--limit", "0"], ["--limit", "many"], ["--nope"]]
LIGHT = 6  # the first ARGS are answered on the light path; the others are errors typer reports


def test_the_light_path_prints_what_the_typer_command_prints(db: Database, db_url: str, tmp_path: Path) -> None:
    _jobs(db)
    first = _run(FAST, ["jobs", "list", "--db", db_url], tmp_path)  # makes the SQLite files private, and says so
    assert first[0] == 0 and first[3]
    assert db_url.startswith("postgresql") or first[2].count("had mode 0644") == 3  # the file, -wal and -shm
    for number, args in enumerate(ARGS):
        argv = ["jobs", "list", *args, "--db", db_url]
        code, out, err, taken = _run(FAST, argv, tmp_path)
        assert (code, out, err) == _run(TYPER, argv, tmp_path)[:3], args
        assert taken is (number < LIGHT), args
        assert code == (0 if number < LIGHT else 1)


PRODUCTION = {"environment": "production", "secret_key": "a-real-passphrase-of-some-length", "concurrency": "50"}


def test_settings_beyond_the_database_are_validated_then_read_light(db: Database, db_url: str,
                                                                    tmp_path: Path) -> None:
    _jobs(db)
    argv = ["jobs", "list", "--json", "--db", db_url]
    _run(FAST, argv, tmp_path)  # the SQLite files made private, and said so
    code, out, err, taken = _run(FAST, argv, tmp_path, **PRODUCTION)
    assert (code, out, err) == _run(TYPER, argv, tmp_path, **PRODUCTION)[:3]
    assert code == 0 and taken and len(json.loads(out)) == 5
    bad = {**PRODUCTION, "concurrency": "many"}
    code, out, err, taken = _run(FAST, argv, tmp_path, **bad)
    assert (code, out, err) == _run(TYPER, argv, tmp_path, **bad)[:3]
    assert code == 1 and "NETATLAS_CONCURRENCY" in err and not taken


def test_a_job_whose_process_died_still_shows_interrupted(db: Database, db_url: str, tmp_path: Path) -> None:
    ids = _jobs(db)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    stale = ids[2]  # pending: claimed by the dead process
    with db.session() as session:
        JobRepo(session).claim(stale, this_process().host, gone.pid)
    code, out, _, taken = _run(FAST, ["jobs", "list", "--json", "--db", db_url], tmp_path)
    shown = {job["job_id"]: job for job in json.loads(out)}
    assert code == 0 and not taken  # the typer command recovered it
    assert shown[stale]["status"] == "interrupted" and "is gone" in shown[stale]["message"]
    assert shown[ids[4]]["status"] == "running"  # this test's process is alive
    code, out, _, taken = _run(FAST, ["jobs", "list", "--json", "--db", db_url], tmp_path)
    assert code == 0 and taken  # nothing left to recover: the light path
    assert {job["job_id"]: job for job in json.loads(out)} == shown


def test_a_silent_job_on_another_host_shows_interrupted(db: Database, db_url: str, tmp_path: Path) -> None:
    ids = _jobs(db)
    with db.session() as session:
        JobRepo(session).claim(ids[2], "elsewhere", 77)
    with db.connection() as connection:
        old = datetime.now(UTC) - timedelta(minutes=10)
        connection.execute(update(JOB_TABLE).where(JOB_TABLE.c.id == ids[2]).values(heartbeat_at=old))
    code, out, _, taken = _run(FAST, ["jobs", "list", "--status", "interrupted", "--json", "--db", db_url], tmp_path)
    assert code == 0 and not taken
    assert [job["job_id"] for job in json.loads(out)] == [ids[2]]


def test_a_schema_behind_is_reported_as_before(db: Database, db_url: str, tmp_path: Path) -> None:
    with db.connection() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    try:
        argv = ["jobs", "list", "--db", db_url]
        _run(FAST, argv, tmp_path)  # the SQLite files made private, and said so
        code, out, err, taken = _run(FAST, argv, tmp_path)
        assert (code, out, err) == _run(TYPER, argv, tmp_path)[:3]
        assert code == 1 and "netatlas db upgrade" in err and not taken
    finally:
        with db.connection() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": HEAD})
