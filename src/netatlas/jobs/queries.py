"""Read-only services the CLI and the API share: jobs, devices, each device's current data.

Thin over the store's repositories: one short read-only session per call, and store views or
domain records back (rows never leave ``netatlas.store``). Everything a run found is read here
from the database, never from a service that ran it, so it reads the same whichever process or
executor ran the job. Lists come as a :class:`Page`.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from netatlas.domain.errors import NotFound
from netatlas.domain.records import Coverage, DataType, JobStatus, Unmanaged
from netatlas.store.views import TypeCoverage

if TYPE_CHECKING:  # the repositories (and the ORM they use) are imported by the queries that need them
    from netatlas.domain.datatypes import RecordKind
    from netatlas.domain.inventory import InventoryDevice
    from netatlas.store import (
        Database,
        InventoryConflict,
        JobDetail,
        JobView,
        Latest,
        StoredDevice,
        StoredHostKey,
    )

T = TypeVar("T")
DEFAULT_LIMIT = 50


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list: ``items`` from ``offset`` on, and whether more follow.

    Examples:
        >>> Page.of(list(range(10)), offset=4, limit=3)
        Page(items=(4, 5, 6), offset=4, limit=3, more=True)
        >>> Page.of([1, 2], offset=0, limit=None).more
        False
    """

    items: tuple[T, ...]
    offset: int
    limit: int | None  # None: everything from ``offset`` on
    more: bool

    @classmethod
    def of(cls, items: Sequence[T], *, offset: int, limit: int | None) -> Page[T]:
        """The page of ``items`` (everything there is) from ``offset``, at most ``limit`` long."""
        _check_page(offset, limit)
        end = len(items) if limit is None else offset + limit
        return cls(tuple(items[offset:end]), offset, limit, end < len(items))


def _check_page(offset: int, limit: int | None) -> None:
    if offset < 0:
        raise ValueError(f"offset {offset} is negative")
    if limit is not None and limit < 1:
        raise ValueError(f"limit {limit} is not positive")


@dataclass(frozen=True, slots=True)
class JobReport:
    """A job as its readers see it: every device row, the neighbors its crawl did not visit, what it
    was told that contradicts the inventory, and the data types read incompletely (per device)."""

    detail: JobDetail
    unmanaged: tuple[Unmanaged, ...]
    conflicts: tuple[InventoryConflict, ...]
    coverage: dict[str, dict[DataType, TypeCoverage]]  # device -> partial / feature_off types, by name


class JobQueries:
    def __init__(self, db: Database) -> None:
        self._db = db

    def list(self, *, status: JobStatus | None = None, offset: int = 0, limit: int = DEFAULT_LIMIT) -> Page[JobView]:
        """Newest first, of one status when given (read with Core: no ORM imported)."""
        from netatlas.store.jobs import list_jobs

        _check_page(offset, limit)
        with self._db.connection(readonly=True) as connection:
            jobs = list_jobs(connection, limit=offset + limit + 1, status=status)
        return Page.of(jobs, offset=offset, limit=limit)

    def get(self, job_id: str) -> JobView:
        """The job row (status, counts, options...); ``NotFound`` when there is none."""
        from netatlas.store import JobRepo

        with self._db.session(readonly=True) as session:
            return JobRepo(session).get(job_id)

    def detail(self, job_id: str) -> JobReport:
        from netatlas.store import DeviceRepo, JobRepo, SnapshotRepo

        with self._db.session(readonly=True) as session:
            detail = JobRepo(session).show(job_id)
            unmanaged = JobRepo(session).unmanaged(job_id)
            conflicts = DeviceRepo(session).conflicts(job_id)
            coverage = SnapshotRepo(session).incomplete_of_job(job_id)
        return JobReport(detail, tuple(unmanaged), tuple(conflicts), coverage)


class DeviceQueries:
    def __init__(self, db: Database) -> None:
        self._db = db

    def list(self, *, offset: int = 0, limit: int | None = None) -> Page[StoredDevice]:
        """Stored devices by name, with where each came from (inventory, crawled, seed)."""
        from netatlas.store import DeviceRepo

        with self._db.session(readonly=True) as session:
            return Page.of(DeviceRepo(session).list(), offset=offset, limit=limit)

    def get(self, name: str) -> StoredDevice:
        from netatlas.store import DeviceRepo

        with self._db.session(readonly=True) as session:
            return DeviceRepo(session).get(name)

    def named(self, names: Sequence[str]) -> builtins.list[InventoryDevice]:
        """The devices ``names`` name, once each in that order; ``NotFound`` names every missing one."""
        from netatlas.store import DeviceRepo

        with self._db.session(readonly=True) as session:
            stored = {d.name: d for d in DeviceRepo(session).named(names)}
        missing = [n for n in names if n not in stored]
        if missing:
            raise NotFound(f"no device named {', '.join(repr(n) for n in missing)} in the database")
        return [stored[n] for n in dict.fromkeys(names)]

    def host_keys(self) -> builtins.list[tuple[StoredHostKey, str]]:
        """Every trusted host key with the device it belongs to (the stored device at its address when
        the key names none)."""
        from netatlas.store import DeviceRepo, HostKeyRepo

        with self._db.session(readonly=True) as session:
            keys = HostKeyRepo(session).list()
            names = {(s.device.host, s.device.port): s.device.name for s in DeviceRepo(session).list()}
        return [(key, key.entry.device_name or names.get((key.entry.host, key.entry.port), "")) for key in keys]

    def credential_names(self) -> builtins.list[str]:
        """The stored credential sets' names (never their secrets)."""
        from netatlas.store import CredentialRepo

        with self._db.session(readonly=True) as session:
            return CredentialRepo(session).names()


@dataclass(frozen=True, slots=True)
class HeldType:
    """One data type of a device's current state: how completely it is held, and from which run."""

    data_type: DataType
    coverage: TypeCoverage
    job_id: str
    collected_at: datetime


@dataclass(frozen=True, slots=True)
class DeviceData:
    """A device's current records of one kind (``devices data --kind``) and the data types they come from."""

    device: str
    kind: str
    held: tuple[HeldType, ...]  # in the kind's data type order; a type never collected is absent
    records: Page[Any]


class DataQueries:
    def __init__(self, db: Database) -> None:
        self._db = db

    def current(self, device: str, kind: str, *, offset: int = 0, limit: int | None = None) -> DeviceData:
        """The device's current records of ``kind`` (a ``RECORD_KINDS`` name), from its latest
        successful collection of each of the kind's data types; nothing held is an empty page."""
        from netatlas.store import SnapshotRepo

        chosen = _kind(kind)
        with self._db.session(readonly=True) as session:
            repo = SnapshotRepo(session)
            current = {t: latest for t in chosen.data_types if (latest := repo.latest(device, t)) is not None}
            coverage = repo.coverage({latest.snapshot.id for latest in current.values()})
        held = tuple(HeldType(t, coverage.get(latest.snapshot.id, {}).get(t, TypeCoverage(Coverage.COMPLETE)),
                              latest.snapshot.job_id, latest.snapshot.collected_at) for t, latest in current.items())
        records = _records(list(current.values()), chosen.field.attribute)
        return DeviceData(device, kind, held, Page.of(records, offset=offset, limit=limit))


def _kind(kind: str) -> RecordKind:
    from netatlas.domain.datatypes import RECORD_KINDS

    if kind not in RECORD_KINDS:
        raise NotFound(f"no record kind {kind!r} (choose from {', '.join(RECORD_KINDS)})")
    return RECORD_KINDS[kind]


def _records(current: list[Latest], attribute: str) -> list[Any]:
    """The records of ``attribute`` in the current states read, each once (a connected route comes
    with every route type whose command printed it)."""
    if len(current) == 1:
        return list(getattr(current[0].records, attribute))
    seen: list[Any] = []
    for latest in current:
        seen += [r for r in getattr(latest.records, attribute) if r not in seen]
    return seen
