"""``netatlas jobs list``'s light path reads what the typer command reads (issue 11).

Its options are the typer command's own, its settings are what ``load_settings`` gives, its URLs are
what SQLAlchemy's ``make_url`` reads, its query is the Core read's columns; anything else it leaves
to the typer command. (Rows read both ways, on both databases: ``tests/integration/test_cli_jobs_list.py``.)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from netatlas.cli import main
from netatlas.cli.jobs_list import OPTIONS, ListArgs, parse
from netatlas.domain.records import JobStatus
from netatlas.settings import Settings, load_settings
from netatlas.settings_light import FIELDS, light_location
from netatlas.store import light
from netatlas.store.database import PG_CONNECT_TIMEOUT_S, SQLITE_BUSY_TIMEOUT_MS
from netatlas.store.schema import JOB_TABLE


def test_the_options_are_the_typer_commands() -> None:
    command = main.load("jobs").commands["list"]  # type: ignore[union-attr]
    params: dict[str | None, Any] = {param.name: param for param in command.params}
    assert set(params) == {option.parameter for option in OPTIONS.values()}
    for flag, option in OPTIONS.items():
        param = params[option.parameter]
        assert param.opts == [flag]
        assert param.default == option.default
        assert param.is_flag is not option.takes_value
        assert not option.help or param.help == option.help


@pytest.mark.parametrize(("argv", "parsed"), [
    ([], ListArgs(20, 0, None, None, json_output=False)),
    (["--json", "--limit=3", "--offset", "6", "--status", "failed", "--db=sqlite:///x.db"],
     ListArgs(3, 6, JobStatus.FAILED, "sqlite:///x.db", json_output=True)),
    (["--db", "postgresql://db/x"], ListArgs(20, 0, None, "postgresql://db/x", json_output=False)),
])
def test_plain_arguments_are_read(argv: list[str], parsed: ListArgs) -> None:
    assert parse(argv) == parsed


@pytest.mark.parametrize("argv", [
    ["--help"], ["--limit"], ["--limit", "-1"], ["--limit", "0"], ["--offset", "-1"], ["--limit", "007"],
    ["--limit", "1e3"], ["--limit", "²"], ["--limit", " 5"], ["--status", "done"], ["--status", "RUNNING"],
    ["--json=1"], ["--json", "--json"], ["--limit", "1", "--limit", "2"], ["--db", ""], ["--db", "--json"],
    ["extra"], ["--"], ["--lim", "3"], ["-h"],
])
def test_anything_else_is_left_to_typer(argv: list[str]) -> None:
    assert parse(argv) is None


def test_the_setting_names_are_the_settings() -> None:
    assert tuple(Settings.model_fields) == FIELDS


@pytest.mark.parametrize(("env", "db"), [
    ({}, None),
    ({"NETATLAS_DATABASE_URL": "postgres://ann@db:5433/netatlas"}, None),
    ({"NETATLAS_DATABASE_URL": "sqlite:////var/lib/other.db"}, "postgresql://db/x"),
    ({"NETATLAS_DATABASE_URL": "   "}, None),
    ({"netatlas_database_url": "sqlite:///relative.db"}, ""),
])
def test_the_light_location_is_the_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                            env: dict[str, str], db: str | None) -> None:
    for name in [n for n in os.environ if n.upper().startswith("NETATLAS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("NETATLAS_HOME", str(tmp_path / "home"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = load_settings(database_url=db)
    assert light_location(db) == (config.database_url, config.home)


def test_other_settings_are_validated_by_the_full_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETATLAS_CONCURRENCY", "many")
    assert light_location(None) is None


@pytest.mark.parametrize("url", [
    "sqlite:////srv/netatlas/netatlas.db", "sqlite:///relative/netatlas.db", "sqlite+pysqlite:////tmp/x.db",
    "postgresql+psycopg://postgres@127.0.0.1:5432/netatlas", "postgresql+psycopg://ann:s%40c%3Aret@db/netatlas",
    "postgresql+psycopg://db", "postgresql+psycopg:///netatlas", "postgresql+psycopg://ann@/netatlas",
    "postgresql+psycopg://ann:@db:6543/x_y-z",
])
def test_urls_read_light_are_read_as_sqlalchemy_reads_them(url: str) -> None:
    parsed, expected = light.parse_url(url), make_url(url)
    assert parsed is not None
    assert parsed.backend == expected.get_backend_name()
    assert (parsed.database or None, parsed.username, parsed.password, parsed.host, parsed.port) == (
        expected.database or None, expected.username, expected.password, expected.host, expected.port)


@pytest.mark.parametrize("url", [
    "sqlite://", "sqlite:///:memory:", "sqlite:///file:x.db?mode=ro&uri=true", "sqlite:///x.db?timeout=5",
    "sqlite:///~/x.db", "sqlite:///a%20b.db", "postgresql://db/x", "postgresql+psycopg2://db/x",
    "postgresql+asyncpg://db/x", "postgresql+psycopg://db/x?sslmode=require", "postgresql+psycopg://h1,h2/x",
    "postgresql+psycopg://[::1]/x", "postgresql+psycopg://ann:p@ss@db/x", "mysql://db/x", "not a url",
])
def test_other_urls_are_left_to_sqlalchemy(url: str) -> None:
    assert light.parse_url(url) is None


def test_the_query_is_the_core_tables() -> None:
    assert tuple(JOB_TABLE.c.keys()) == light.JOB_COLUMNS
    assert JOB_TABLE.name == light.JOB_TABLE_NAME
    assert light.SQLITE_BUSY_TIMEOUT_S * 1000 == SQLITE_BUSY_TIMEOUT_MS
    assert light.PG_CONNECT_TIMEOUT_S == PG_CONNECT_TIMEOUT_S
    assert set(light.FINAL_STATUSES) == {s.value for s in JobStatus if s.final}
