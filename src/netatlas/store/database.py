"""The database handle: engine, sessions, migrations to head, errors translated to ``StoreError``.

``Database.open(url)`` is the one entry point: it connects, runs the packaged Alembic scripts to
head (the same scripts on SQLite and PostgreSQL) and fails with a ``StoreError`` that names the
URL, password masked, when the database cannot be reached or the URL is malformed. A unit of
work is ``with db.session() as session:``; repositories receive that session.

A SQLite file removed or replaced while in use would otherwise swallow writes silently (open
connections keep writing to the unlinked file): every session first checks that the file is the
one opened, and fails with a ``StoreError`` when it is not.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from netatlas.domain.errors import StoreError
from netatlas.domain.text import mask_url, scrub

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
PG_CONNECT_TIMEOUT_S = 10  # a server that does not answer fails the session instead of hanging it


def alembic_config(connection: Connection) -> Config:
    """An Alembic config over the packaged scripts, bound to ``connection`` (no alembic.ini)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


class Database:
    def __init__(self, url: str | URL, **engine_options: Any) -> None:
        self.url = _parse(url)
        self.shown_url = mask_url(self.url.render_as_string(hide_password=False))
        self.engine = _engine(self.url, self.shown_url, engine_options)
        self._writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._sessions = sessionmaker(self._writer, expire_on_commit=False)
        self._readers = sessionmaker(self.engine, expire_on_commit=False)
        self._path = _sqlite_file(self.url)
        self._file_id: tuple[int, int] | None = None

    @classmethod
    def open(cls, url: str | URL, **engine_options: Any) -> Database:
        """Connect and migrate to head; ``StoreError`` if the database cannot be used."""
        database = cls(url, **engine_options)
        try:
            database.migrate()
        except BaseException:
            database.close()
            raise
        return database

    def migrate(self, revision: str = "head") -> None:
        with self._translated("cannot open database"), self._writer.begin() as connection:
            _lock_for_migration(connection)
            command.upgrade(alembic_config(connection), revision)
        self.check()

    @contextmanager
    def session(self, *, readonly: bool = False) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back if it raises.

        On SQLite a session takes the write lock when it begins (writers queue instead of
        failing halfway), so do not open one inside another; ``readonly=True`` sessions never
        wait for writers.
        """
        self.check()
        sessions = self._readers if readonly else self._sessions
        with self._translated("database error on"), sessions.begin() as session:
            yield session

    def check(self) -> None:
        """``StoreError`` when the SQLite file was removed or replaced since it was first used."""
        if self._path is None:
            return
        try:
            stat = os.stat(self._path)
        except OSError as exc:
            if self._file_id is None:
                return  # not created yet: the first connection creates it
            raise StoreError(f"database file {self._path} was removed while in use ({exc.strerror})") from exc
        identity = (stat.st_dev, stat.st_ino)
        if self._file_id is None:
            self._file_id = identity
        elif identity != self._file_id:
            raise StoreError(f"database file {self._path} was replaced while in use")

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Database({self.shown_url!r})"

    @contextmanager
    def _translated(self, doing: str) -> Iterator[None]:
        try:
            yield
        except (SQLAlchemyError, CommandError, OSError, sqlite3.Error) as exc:
            raise StoreError(f"{doing} {self.shown_url}: {_reason(exc, self.url)}") from exc


def _parse(url: str | URL) -> URL:
    try:
        return make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise StoreError(f"malformed database URL {mask_url(str(url))}: expected dialect+driver://...") from exc


def _engine(url: URL, shown: str, options: dict[str, Any]) -> Engine:
    try:
        if url.get_backend_name() == "sqlite":
            return _sqlite_engine(url, options)
        if url.get_backend_name() == "postgresql":
            connect_args = {"connect_timeout": PG_CONNECT_TIMEOUT_S, **options.get("connect_args", {})}
            options = {**options, "connect_args": connect_args}
        return create_engine(url, pool_pre_ping=True, **options)
    except (ArgumentError, ImportError, OSError) as exc:
        raise StoreError(f"cannot open database {shown}: {_reason(exc, url)}") from exc


def _sqlite_engine(url: URL, options: dict[str, Any]) -> Engine:
    """SQLite with foreign keys, WAL, a busy timeout, and writers that take the lock up front."""
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    if url.database in (None, "", ":memory:"):  # one shared connection, or each would see its own empty database
        options = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}, **options}
    engine = create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # IMMEDIATE for writers: wait for the lock at BEGIN instead of failing when upgrading later.
        mode = connection.get_execution_options().get("sqlite_begin")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")

    return engine


def _sqlite_file(url: URL) -> Path | None:
    """The database file of a SQLite URL (None for memory databases and other backends)."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if url.database.startswith("file:"):
        return None
    return Path(url.database).expanduser().absolute()


def _lock_for_migration(connection: Connection) -> None:
    """Two processes opening a fresh PostgreSQL database migrate one after the other."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7242011)")


def _reason(exc: BaseException, url: URL) -> str:
    """The driver's first line, without the SQL statement and never with the password."""
    cause = getattr(exc, "orig", None) or exc
    text = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    return scrub(text, [str(url.password) if url.password else None]) or type(cause).__name__
