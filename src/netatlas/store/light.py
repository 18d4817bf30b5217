"""Job rows read over the DB-API driver alone: ``netatlas jobs list`` without SQLAlchemy.

Importing SQLAlchemy costs ~0.2 s of CPU, most of a command that reads twenty rows. The reads of
``netatlas jobs list`` (the newest jobs, and the unfinished ones that recovery looks at) are defined
here once, as data (:class:`JobSelect`, :data:`JOB_COLUMNS`), and rendered two ways: as SQL for the
driver (:func:`to_sql`: stdlib ``sqlite3``, or ``psycopg``) and as a SQLAlchemy Core statement
(:func:`to_core`) for ``store.jobs``. Rows become :class:`~netatlas.store.views.JobView` through
:func:`job_view`, the same for a driver row, a Core row or an ORM row.

This path only reads, and only what it is sure to read as the full path would: :func:`parse_url`
returns None for a URL it does not handle (a query string, ``:memory:``, another driver...), and
:class:`LightUnavailable` means "take the full path" (no schema revision or an old one, any driver
error). The full path (``Database.open``) then creates, upgrades, or reports, exactly as before.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from netatlas.domain.errors import StoreError
from netatlas.domain.records import JobStatus
from netatlas.store.migrations import HEAD
from netatlas.store.views import JobCounts, JobView

if TYPE_CHECKING:
    from sqlalchemy import Select

JOB_TABLE_NAME = "job"
JOB_COLUMNS = ("id", "kind", "options", "status", "total", "completed", "failed", "cancelled", "requested_by",
               "created_at", "started_at", "finished_at", "owner_host", "owner_pid", "heartbeat_at", "message")
_DATETIMES = frozenset({"created_at", "started_at", "finished_at", "heartbeat_at"})
FINAL_STATUSES = tuple(s.value for s in JobStatus if s.final)
UNFINISHED_STATUSES = tuple(s.value for s in JobStatus if not s.final)  # IN, not NOT IN: ix_job_status serves it
SQLITE_BUSY_TIMEOUT_S = 30.0  # as ``store.database.SQLITE_BUSY_TIMEOUT_MS`` (a test keeps them equal)
PG_CONNECT_TIMEOUT_S = 10  # as ``store.database.PG_CONNECT_TIMEOUT_S``


class LightUnavailable(StoreError):
    """The light path cannot answer as the full path would: take the full path (never shown as such)."""


@dataclass(frozen=True, slots=True)
class JobSelect:
    """One read of job rows: every column, filtered by one status or to the unfinished jobs, in an order."""

    order: tuple[tuple[str, bool], ...]  # (column, descending)
    status: str | None = None
    unfinished: bool = False
    limit: int | None = None


def list_select(*, limit: int, status: JobStatus | None = None) -> JobSelect:
    """The newest jobs (of ``status`` when given), newest first (``netatlas jobs list``)."""
    return JobSelect((("created_at", True), ("id", False)), status=status.value if status else None, limit=limit)


def unfinished_select() -> JobSelect:
    """Every job not in a final state: what recovery looks at for abandoned ones."""
    return JobSelect((("id", False),), unfinished=True)


def to_sql(select: JobSelect, placeholder: str) -> tuple[str, list[Any]]:
    """The SQL text and parameters of ``select`` for a driver whose parameters are ``placeholder``.

    Examples:
        >>> to_sql(list_select(limit=21, status=JobStatus.RUNNING), "?")[0]  # doctest: +ELLIPSIS
        'SELECT id, kind, ..., message FROM job WHERE status = ? ORDER BY created_at DESC, id LIMIT ?'
        >>> to_sql(unfinished_select(), "%s")  # doctest: +ELLIPSIS
        ('SELECT ... FROM job WHERE status IN (%s, %s, %s) ORDER BY id', ['pending', 'running', 'cancelling'])
    """
    sql, params = [f"SELECT {', '.join(JOB_COLUMNS)} FROM {JOB_TABLE_NAME}"], list[Any]()  # noqa: S608 - constants
    if select.status is not None:
        sql.append(f"WHERE status = {placeholder}")
        params.append(select.status)
    if select.unfinished:
        sql.append(f"WHERE status IN ({', '.join(placeholder for _ in UNFINISHED_STATUSES)})")
        params += UNFINISHED_STATUSES
    sql.append("ORDER BY " + ", ".join(f"{column} DESC" if descending else column
                                       for column, descending in select.order))
    if select.limit is not None:
        sql.append(f"LIMIT {placeholder}")
        params.append(select.limit)
    return " ".join(sql), params


def to_core(select: JobSelect) -> Select[Any]:
    """``select`` as a SQLAlchemy Core statement over ``store.schema.JOB_TABLE`` (SQLAlchemy imported now)."""
    from sqlalchemy import select as core_select

    from netatlas.store.schema import JOB_TABLE

    columns = JOB_TABLE.c
    query = core_select(*(columns[name] for name in JOB_COLUMNS))
    if select.status is not None:
        query = query.where(columns.status == select.status)
    if select.unfinished:
        query = query.where(columns.status.in_(UNFINISHED_STATUSES))
    query = query.order_by(*(columns[name].desc() if descending else columns[name]
                             for name, descending in select.order))
    return query.limit(select.limit) if select.limit is not None else query


def job_view(row: Any) -> JobView:
    """A view of a job row: a Core row, an ORM object or a decoded driver row (the same attribute names)."""
    counts = JobCounts(row.total, row.completed, row.failed, row.cancelled)
    return JobView(row.id, row.kind, JobStatus(row.status), dict(row.options), counts, row.requested_by,
                   row.created_at, row.started_at, row.finished_at, owner_host=row.owner_host,
                   owner_pid=row.owner_pid, heartbeat_at=row.heartbeat_at, message=row.message)


@dataclass(frozen=True, slots=True)
class LightUrl:
    """The parts of a database URL the light path connects with (as SQLAlchemy's dialects pass them)."""

    backend: str  # "sqlite" or "postgresql"
    database: str  # SQLite: the file path
    username: str | None = None
    password: str | None = None
    host: str | None = None
    port: int | None = None

    def sqlite_file(self) -> str | None:
        return self.database if self.backend == "sqlite" else None


_SQLITE = re.compile(r"sqlite(?:\+pysqlite)?:///(?P<path>[^?#%~]+)")
_POSTGRES = re.compile(r"postgresql\+psycopg://(?:(?P<user>[^:/@?#\[\]]*)(?::(?P<password>[^/@?#\[\]]*))?@)?"
                       r"(?P<host>[A-Za-z0-9.\-_]+)?(?::(?P<port>[0-9]{1,5}))?(?:/(?P<database>[^/?#%]*))?")


def parse_url(url: str) -> LightUrl | None:
    """The URL's parts, or None when the light path does not read it (the full path does).

    Examples:
        >>> parse_url("sqlite:////srv/netatlas/netatlas.db").sqlite_file()
        '/srv/netatlas/netatlas.db'
        >>> parse_url("postgresql+psycopg://ann:s%40cret@db:5433/netatlas").password
        's@cret'
        >>> parse_url("sqlite://"), parse_url("sqlite:///x.db?mode=ro"), parse_url("postgresql://db/x")
        (None, None, None)
    """
    if (found := _SQLITE.fullmatch(url)) is not None:
        path = found["path"]
        return None if path in (":memory:",) or path.startswith("file:") else LightUrl("sqlite", path)
    if (found := _POSTGRES.fullmatch(url)) is None:
        return None
    user, password = found["user"], found["password"]
    return LightUrl("postgresql", found["database"] or "", unquote(user) if user else None,
                    unquote(password) if password is not None else None, found["host"] or None,
                    int(found["port"]) if found["port"] else None)


class LightReader:
    """Job reads on one driver connection, each statement its own read (autocommit)."""

    def __init__(self, connection: Any, backend: str) -> None:
        self._connection = connection
        self._backend = backend
        self._placeholder = "?" if backend == "sqlite" else "%s"

    def require_current(self) -> None:
        """:class:`LightUnavailable` unless the schema is the revision this netatlas needs."""
        found = [row[0] for row in self._execute("SELECT version_num FROM alembic_version", [])]
        if found != [HEAD]:
            raise LightUnavailable(f"schema revision {found}, not {HEAD}")

    def jobs(self, select: JobSelect) -> list[JobView]:
        sql, params = to_sql(select, self._placeholder)
        return [job_view(self._row(values)) for values in self._execute(sql, params)]

    def _execute(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        cursor = self._connection.cursor()
        try:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def _row(self, values: tuple[Any, ...]) -> SimpleNamespace:
        """The driver's values as the Core read gives them: JSON decoded, datetimes aware UTC (``UtcDateTime``)."""
        decoded = dict(zip(JOB_COLUMNS, values, strict=True))
        if isinstance(decoded["options"], str | bytes):
            decoded["options"] = json.loads(decoded["options"])
        for name in _DATETIMES:
            decoded[name] = _utc(decoded[name])
        return SimpleNamespace(**decoded)


def _utc(value: datetime | str | None) -> datetime | None:
    """As ``store.schema.UtcDateTime`` reads a value (SQLite keeps text without a zone: it is UTC)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)  # SQLAlchemy's SQLite format: "2026-01-01 10:00:00.000000"
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@contextmanager
def connect(url: LightUrl) -> Iterator[LightReader]:
    """A reader on ``url``; :class:`LightUnavailable` for any driver error (the full path reports it).

    SQLite: the file must exist (it is never created here); PostgreSQL: psycopg, as SQLAlchemy's
    ``postgresql+psycopg`` dialect connects (its ``PG*`` environment variables and pgpass included).
    """
    errors: tuple[type[BaseException], ...] = (sqlite3.Error, OSError, ValueError, UnicodeDecodeError)
    try:
        if url.backend == "sqlite":
            connection: Any = sqlite3.connect(f"file:{_uri_path(url.database)}?mode=rw", uri=True,
                                              timeout=SQLITE_BUSY_TIMEOUT_S, isolation_level=None)
        else:
            import psycopg

            errors += (psycopg.Error,)
            connection = psycopg.connect(autocommit=True, connect_timeout=PG_CONNECT_TIMEOUT_S, **_pg_args(url))
    except errors as exc:
        raise LightUnavailable(f"cannot connect: {exc}") from exc
    try:
        yield LightReader(connection, url.backend)
    except errors as exc:
        raise LightUnavailable(f"cannot read: {exc}") from exc
    finally:
        connection.close()


def _uri_path(path: str) -> str:
    """A file path as a SQLite URI path (``?`` and ``#`` would end it).

    Examples:
        >>> _uri_path("/tmp/a b?.db")
        '/tmp/a%20b%3F.db'
    """
    from urllib.parse import quote

    return quote(path)


def _pg_args(url: LightUrl) -> dict[str, Any]:
    given = {"user": url.username, "password": url.password, "host": url.host, "port": url.port,
             "dbname": url.database or None}
    return {name: value for name, value in given.items() if value is not None}
