"""The database handle: engine, sessions, the schema revision, errors translated to ``StoreError``.

``Database.open(url)`` is the one entry point: it connects, checks that the schema is the revision
this netatlas needs, and fails with a ``StoreError`` that names the URL, password masked, when the
database cannot be reached or the URL is malformed. A unit of work is ``with db.session() as
session:``; repositories receive that session.

Migrations run once, as an explicit step (``netatlas db upgrade``: :meth:`Database.upgrade`), never
implicitly by every process that opens the database: an API server and its workers starting at
once must not all migrate. A schema behind (or ahead of) the packaged scripts is
:class:`SchemaOutOfDate`, whose message names the command. The upgrade runs behind a lock, so two
processes upgrading at once migrate one after the other (the second finds nothing to do):
PostgreSQL's advisory lock, SQLite's own write lock (``BEGIN IMMEDIATE``, held for the whole
migration, DDL included). ``Database.open(url, upgrade=True)`` upgrades first: for the embedded
default (:func:`is_embedded`: a SQLite file under ``NETATLAS_HOME`` that netatlas creates itself,
so ``netatlas discover`` works on a fresh machine in one command) and for tests.

A SQLite file removed or replaced while in use would otherwise swallow writes silently (open
connections keep writing to the unlinked file): every session first checks that the file is the
one opened, and fails with a ``StoreError`` when it is not.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DataError, IntegrityError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from netatlas.domain.errors import StoreError
from netatlas.domain.text import mask_url, scrub
from netatlas.store.migrations import HEAD
from netatlas.store.sqlite_gate import GatedConnection, gated_factory

if TYPE_CHECKING:  # Alembic (and the mako and pygments it loads) is imported only to migrate
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
PG_CONNECT_TIMEOUT_S = 10  # a server that does not answer fails the session instead of hanging it
# An API server's engine: no ``SELECT 1`` before each checkout (a round trip, and a wait for the GIL
# after it, on every request's path), connections renewed after half an hour instead (a firewall that
# drops idle ones). After a database restart one request of each process fails (503) and the pool is
# renewed; engines of workers and the CLI keep the ping (a unit of work there is a device's result).
SERVING_ENGINE = {"pool_pre_ping": False, "pool_recycle": 1800}
MIGRATION_LOCK = 7242011  # PostgreSQL advisory lock key held while the schema is upgraded
UPGRADE_COMMAND = "netatlas db upgrade"


class RecordRejected(StoreError):
    """The database refused the values of one unit of work (a constraint, a value it cannot hold); the
    database itself works, so a caller may record the failure and go on (one device, not the job)."""


class SchemaOutOfDate(StoreError):
    """The database schema is not the revision this netatlas needs (behind: run ``netatlas db upgrade``)."""


@dataclass(frozen=True, slots=True)
class Schema:
    """The database's schema revision (None: nothing migrated yet) and the one this netatlas needs."""

    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    def problem(self) -> str:
        """Why this netatlas cannot use the database, and what to do ("" when it can).

        Examples:
            >>> Schema("0003", "0004").problem()
            'database schema is at 0003, netatlas needs 0004: run `netatlas db upgrade`'
            >>> Schema(None, "0004").problem()
            'database schema is at nothing (an empty database), netatlas needs 0004: run `netatlas db upgrade`'
        """
        if self.up_to_date:
            return ""
        if self.current is not None and self.current not in known_revisions():
            return (f"database schema is at {self.current}, which this netatlas does not know (it needs "
                    f"{self.head}): a newer netatlas upgraded it; upgrade netatlas")
        shown = self.current or "nothing (an empty database)"
        return f"database schema is at {shown}, netatlas needs {self.head}: run `{UPGRADE_COMMAND}`"


@dataclass(frozen=True, slots=True)
class Upgrade:
    """What one upgrade did: the revision found (under the lock) and the one left."""

    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


@cache
def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS))


def head_revision() -> str:
    """The revision the packaged scripts end at: the schema this netatlas needs (``migrations.HEAD``,
    which a test keeps equal to the scripts' own head, so reading it imports no Alembic)."""
    return HEAD


def scripts_head() -> str | None:
    """The head as Alembic reads it from the scripts (what ``migrations.HEAD`` must equal)."""
    return _scripts().get_current_head()


def _stored_revision(connection: Connection) -> str | None:
    """The revision recorded in ``alembic_version`` (None: nothing migrated yet), read with plain SQL."""
    from sqlalchemy import inspect

    if not inspect(connection).has_table("alembic_version"):
        return None
    found = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return found[0] if len(found) == 1 else None


def known_revisions() -> frozenset[str]:
    return frozenset(script.revision for script in _scripts().walk_revisions())


def is_embedded(url: str | URL, home: Path) -> bool:
    """Whether ``url`` is the embedded default: a SQLite file inside ``home`` (``NETATLAS_HOME``),
    which netatlas creates and upgrades by itself on first use.

    Examples:
        >>> is_embedded("sqlite:////srv/netatlas/netatlas.db", Path("/srv/netatlas"))
        True
        >>> is_embedded("sqlite:////var/tmp/other.db", Path("/srv/netatlas"))
        False
        >>> is_embedded("postgresql+psycopg://netatlas@db/netatlas", Path("/srv/netatlas"))
        False
    """
    path = _sqlite_file(_parse(url))
    return path is not None and path.resolve().is_relative_to(home.expanduser().resolve())


def alembic_config(connection: Connection) -> Config:
    """An Alembic config over the packaged scripts, bound to ``connection`` (no alembic.ini)."""
    from alembic.config import Config

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
        self._makers: tuple[sessionmaker[Session], sessionmaker[Session]] | None = None  # on first session()
        self._path = _sqlite_file(self.url)
        self._file_id: tuple[int, int] | None = None

    @classmethod
    def open(cls, url: str | URL, *, upgrade: bool = False, **engine_options: Any) -> Database:
        """Connect and check the schema (:class:`SchemaOutOfDate` when it is not the one this netatlas
        needs); ``upgrade=True`` upgrades it first, behind the migration lock (the embedded default,
        tests). ``StoreError`` if the database cannot be used."""
        database = cls(url, **engine_options)
        try:
            if upgrade:
                database.upgrade()
            else:
                database.require_current()
        except BaseException:
            database.close()
            raise
        return database

    def schema(self) -> Schema:
        """The stored revision and the one this netatlas needs (reads, never migrates)."""
        with self._translated("cannot open database"), self.engine.connect() as connection:
            current = _stored_revision(connection)
        self.check()
        return Schema(current, head_revision())

    def require_current(self) -> None:
        schema = self.schema()
        if not schema.up_to_date:
            raise SchemaOutOfDate(f"{schema.problem()} (database {self.shown_url})")

    def upgrade(self, revision: str = "head") -> Upgrade:
        """Migrate to ``revision`` behind the migration lock; a second process waits for the first,
        then finds the schema upgraded and does nothing. Returns the revisions before and after."""
        with self._translated("cannot upgrade database"), self._writer.begin() as connection:
            _lock_for_migration(connection)  # SQLite: BEGIN IMMEDIATE above already holds the write lock
            before = _stored_revision(connection)
            after: str | None = before
            if revision == "head" and before == HEAD:  # the usual case: nothing to do, no Alembic loaded
                pass
            else:
                from alembic import command
                from alembic.runtime.migration import MigrationContext

                command.upgrade(alembic_config(connection), revision)
                after = MigrationContext.configure(connection).get_current_revision()
        self.check()
        return Upgrade(before, after)

    def migrate(self, revision: str = "head") -> None:
        """:meth:`upgrade`, its report dropped."""
        self.upgrade(revision)

    @contextmanager
    def session(self, *, readonly: bool = False) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back if it raises.

        On SQLite a session takes the write lock when it begins (writers queue instead of
        failing halfway), so do not open one inside another; ``readonly=True`` sessions never
        wait for writers.
        """
        self.check()
        writers, readers = self._sessionmakers()
        with self._translated("database error on"), (readers if readonly else writers).begin() as session:
            yield session

    @contextmanager
    def connection(self, *, readonly: bool = False) -> Iterator[Connection]:
        """One unit of work on a Core connection (``select``/``insert`` on tables, no ORM imported):
        committed when the block ends, rolled back if it raises; the same locking as :meth:`session`."""
        self.check()
        with self._translated("database error on"), (self.engine if readonly else self._writer).begin() as conn:
            yield conn

    def _sessionmakers(self) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
        """The ORM's session factories (writers, readers), made (``sqlalchemy.orm`` imported) on first use."""
        if self._makers is None:
            from sqlalchemy.orm import sessionmaker

            self._makers = (sessionmaker(self._writer, expire_on_commit=False),
                            sessionmaker(self.engine, expire_on_commit=False))
        return self._makers

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
        except (IntegrityError, DataError) as exc:  # this unit of work's values, not the database
            raise RecordRejected(f"{doing} {self.shown_url}: {_reason(exc, self.url)}") from exc
        except (SQLAlchemyError, OSError, sqlite3.Error) as exc:
            raise StoreError(f"{doing} {self.shown_url}: {_reason(exc, self.url)}") from exc
        except Exception as exc:
            if type(exc).__module__.startswith("alembic."):  # its CommandError, without importing Alembic
                raise StoreError(f"{doing} {self.shown_url}: {_reason(exc, self.url)}") from exc
            raise


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
        return create_engine(url, **{"pool_pre_ping": True, **options})
    except (ArgumentError, ImportError, OSError) as exc:
        raise StoreError(f"cannot open database {shown}: {_reason(exc, url)}") from exc


def _sqlite_engine(url: URL, options: dict[str, Any]) -> Engine:
    """SQLite with foreign keys, WAL, a busy timeout, and writers that take the lock up front."""
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    if url.database in (None, "", ":memory:"):  # one shared connection, or each would see its own empty database
        options = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}, **options}
    elif (path := _sqlite_file(url)) is not None:  # writers queue at the file's gate (store.sqlite_gate)
        factory = gated_factory(path, SQLITE_BUSY_TIMEOUT_MS / 1000)
        options = {**options, "connect_args": {"factory": factory, **options.get("connect_args", {})}}
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
        if mode == "IMMEDIATE":
            dbapi = connection.connection.dbapi_connection
            if isinstance(dbapi, GatedConnection):
                dbapi.begin_writing()
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                if isinstance(dbapi, GatedConnection):
                    dbapi.done_writing()
                raise
        else:
            connection.exec_driver_sql("BEGIN")

    return engine


def _sqlite_file(url: URL) -> Path | None:
    """The database file of a SQLite URL (None for memory databases and other backends)."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if url.database.startswith("file:"):
        return None
    return Path(url.database).expanduser().absolute()


def _lock_for_migration(connection: Connection) -> None:
    """Two processes upgrading one PostgreSQL database migrate one after the other (the lock ends
    with the transaction)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")


def _reason(exc: BaseException, url: URL) -> str:
    """The driver's first line, without the SQL statement and never with the password."""
    cause = getattr(exc, "orig", None) or exc
    text = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    return scrub(text, [str(url.password) if url.password else None]) or type(cause).__name__
