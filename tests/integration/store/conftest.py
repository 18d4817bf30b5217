"""A ``db`` fixture over both backends: a SQLite file per test, one PostgreSQL database per session.

The PostgreSQL database gets a unique name, is created through psycopg on the server at
127.0.0.1:5432 (user postgres, trust auth) and dropped when the session ends; tables are
emptied between tests.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from netatlas.store import Database
from netatlas.store.tables import Base

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
BACKENDS = ["sqlite", "postgresql"]


@contextmanager
def pg_database(purpose: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for the duration of the block; yields its URL."""
    name = f"netatlas_{purpose}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_URL.format(name=name)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    with pg_database("test") as url:
        yield url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'netatlas.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def empty_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database nothing has touched (a SQLite file in directories that do not exist yet)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'sub' / 'dir' / 'fresh.db'}"
        return
    with pg_database("empty") as url:
        yield url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database.open(db_url, upgrade=True)
    try:
        yield database
    finally:
        if database.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
            with database.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        database.close()
