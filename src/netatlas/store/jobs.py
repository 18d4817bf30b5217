"""Jobs as rows: a ``job`` and one ``job_device`` per device, with status, step, attempt, error, timings.

Counts on the job row move atomically when a device reaches a final state (so concurrent
workers never lose an update); ``recount`` rebuilds them from the device rows. A running job
names its owner process and carries a heartbeat; ``finish`` ends a job with every device row
final, whoever calls it (the engine, a signal handler, recovery of an abandoned job). Every
device-controlled string (error messages, steps, warnings, neighbor names) is cleaned before
it is stored.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, literal, select, update

from netatlas.domain.errors import NotFound
from netatlas.domain.inventory import InventoryDevice
from netatlas.domain.records import DeviceStatus, ErrorKind, JobStatus, Unmanaged
from netatlas.domain.text import clean
from netatlas.store.light import FINAL_STATUSES, list_select, to_core, unfinished_select
from netatlas.store.light import job_view as _job_view
from netatlas.store.schema import JOB_DEVICE_TABLE, JOB_TABLE, UNMANAGED_NEIGHBOR_TABLE, utcnow
from netatlas.store.views import JobCounts, JobDetail, JobDeviceView, JobView

if TYPE_CHECKING:  # the ORM is imported by the methods that write (a session is open: it is loaded already)
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

    from netatlas.store.tables import JobDeviceRow, JobRow

_COUNTER = {DeviceStatus.COMPLETED: "completed", DeviceStatus.FAILED: "failed", DeviceStatus.CANCELLED: "cancelled",
            DeviceStatus.INTERRUPTED: "cancelled"}  # interrupted devices did not finish either
_JOB, _DEV, _UNM = JOB_TABLE.c, JOB_DEVICE_TABLE.c, UNMANAGED_NEIGHBOR_TABLE.c
_UNFINISHED = [s.value for s in DeviceStatus if not s.final]
_FINAL_JOB = FINAL_STATUSES
# How a job's unfinished devices end with it: cancelled with a cancelled job, interrupted otherwise.
_ENDED_AS = {JobStatus.CANCELLED: (DeviceStatus.CANCELLED, ErrorKind.CANCELLED)}
_INTERRUPTED = (DeviceStatus.INTERRUPTED, ErrorKind.INTERRUPTED)
_SECRET_WORDS = ("password", "secret", "passphrase", "private_key")


def check_no_secrets(options: Mapping[str, Any], where: str = "options") -> None:
    """Refuse job options that carry a secret: they are stored and shown in plain text.

    Examples:
        >>> check_no_secrets({"data_types": ["cdp"], "credentials": "lab"})
        >>> check_no_secrets({"seed": {"enable_secret": "x"}})
        Traceback (most recent call last):
        ValueError: options.seed.enable_secret looks like a secret; job options are stored in plain text
    """
    for key, value in options.items():
        path = f"{where}.{key}"
        if any(word in str(key).lower() for word in _SECRET_WORDS):
            raise ValueError(f"{path} looks like a secret; job options are stored in plain text")
        if isinstance(value, Mapping):
            check_no_secrets(value, path)


class JobRepo:
    def __init__(self, session: Session) -> None:
        self._session = session

    def create(self, devices: Iterable[InventoryDevice], options: Mapping[str, Any], *,
               kind: str = "discovery", requested_by: str = "", job_id: str | None = None,
               owner_host: str = "", owner_pid: int | None = None) -> str:
        """A pending job with a pending row per device; returns its id (a UUID string).

        ``owner_host``/``owner_pid``: the process that will run it, when known (the embedded executor).
        """
        from netatlas.store.tables import JobRow

        check_no_secrets(options)
        job_id = job_id or str(uuid.uuid4())
        unique = {d.name: d for d in devices}  # a new job: nothing to look up, the total is known
        self._session.add(JobRow(id=job_id, kind=kind, options=dict(options), status=JobStatus.PENDING.value,
                                 requested_by=requested_by, created_at=utcnow(), owner_host=owner_host,
                                 owner_pid=owner_pid, total=len(unique)))
        self._session.flush()
        self._session.add_all(_device_row(job_id, device) for device in unique.values())
        return job_id

    def add_devices(self, job_id: str, devices: Iterable[InventoryDevice]) -> list[str]:
        """Add devices found while the job runs (crawl); names already in the job are skipped."""
        from netatlas.store.tables import JobRow

        known = set(self._session.scalars(select(_DEV.device_name).where(_DEV.job_id == job_id)))
        new = {d.name: d for d in devices if d.name not in known}
        if new:
            self._session.add_all(_device_row(job_id, device) for device in new.values())
            self._session.execute(update(JobRow).where(_JOB.id == job_id).values(total=_JOB.total + len(new)))
        return builtins.list(new)

    def add_unmanaged(self, job_id: str, neighbors: Iterable[Unmanaged]) -> None:
        """Record the neighbors a crawl did not visit (one row per name and job)."""
        from netatlas.store.tables import UnmanagedRow

        known = set(self._session.scalars(select(_UNM.name).where(_UNM.job_id == job_id)))
        for n in neighbors:
            name = clean(n.name)
            if name not in known:
                known.add(name)
                self._session.add(UnmanagedRow(job_id=job_id, name=name, mgmt_ip=clean(n.mgmt_ip, 64),
                                               reason=clean(n.reason), seen_from=clean(n.seen_from)))

    def unmanaged(self, job_id: str) -> builtins.list[Unmanaged]:
        from netatlas.store.tables import UnmanagedRow

        rows = self._session.scalars(select(UnmanagedRow).where(_UNM.job_id == job_id)
                                     .order_by(_UNM.name))
        return [Unmanaged(r.name, r.mgmt_ip, r.reason, r.seen_from) for r in rows]

    def set_status(self, job_id: str, status: JobStatus) -> None:
        """Move the job; running stamps ``started_at`` once, a final status stamps ``finished_at``."""
        from netatlas.store.tables import JobRow

        values: dict[str, Any] = {"status": status.value}
        job = self._job_row(job_id)
        if status is JobStatus.RUNNING and job.started_at is None:
            values["started_at"] = utcnow()
        if status.final:
            values["finished_at"] = utcnow()
        self._session.execute(update(JobRow).where(_JOB.id == job_id).values(**values))

    def claim(self, job_id: str, host: str, pid: int) -> None:
        """The job runs now, in process ``pid`` on ``host``: status running, owner and a first heartbeat.

        A job already marked cancelling stays cancelling (a cancel that arrived before the run
        started is not lost: the engine then ends it cancelled)."""
        from netatlas.store.tables import JobRow

        if JobStatus(self._job_row(job_id).status) is JobStatus.CANCELLING:
            self._session.execute(update(JobRow).where(_JOB.id == job_id, _JOB.started_at.is_(None))
                                  .values(started_at=utcnow()))
        else:
            self.set_status(job_id, JobStatus.RUNNING)
        self._session.execute(update(JobRow).where(_JOB.id == job_id).values(
            owner_host=host, owner_pid=pid, heartbeat_at=utcnow()))

    def beat(self, job_id: str) -> bool:
        """Refresh the running job's heartbeat; False when the job already ended (e.g. recovered)."""
        from netatlas.store.tables import JobRow

        done = self._session.execute(update(JobRow).where(_JOB.id == job_id, _JOB.status.not_in(_FINAL_JOB))
                                     .values(heartbeat_at=utcnow()))
        return bool(getattr(done, "rowcount", 0))

    def finish(self, job_id: str, status: JobStatus, message: str = "") -> bool:
        """End the job with ``status`` and every device row final; False if it had already ended.

        Unfinished devices end ``cancelled`` with a cancelled job and ``interrupted`` otherwise,
        with ``message`` (why) as their error; counts are rebuilt from the device rows.
        """
        from netatlas.store.tables import JobRow

        message = clean(message)
        values: dict[str, Any] = {"status": status.value, "finished_at": utcnow(), "message": message}
        moved = self._session.execute(update(JobRow).where(_JOB.id == job_id, _JOB.status.not_in(_FINAL_JOB))
                                      .values(**values))
        if not getattr(moved, "rowcount", 0):
            self._job_row(job_id)  # NotFound when there is no such job
            return False
        self._end_unfinished(job_id, *_ENDED_AS.get(status, _INTERRUPTED), message)
        self.recount(job_id)
        return True

    def unfinished(self) -> builtins.list[JobView]:
        """Every job not in a final state (to look for abandoned ones)."""
        return unfinished_jobs(self._session)

    def _end_unfinished(self, job_id: str, status: DeviceStatus, kind: ErrorKind, message: str) -> None:
        from netatlas.store.tables import JobDeviceRow

        now = utcnow()
        rows = self._session.scalars(select(JobDeviceRow).where(_DEV.job_id == job_id,
                                                                _DEV.status.in_(_UNFINISHED))
                                     .with_for_update())
        for row in rows:
            row.status, row.step, row.error_kind, row.error = status.value, "", kind.value, message
            row.finished_at = now
            row.duration_s = (now - row.started_at).total_seconds() if row.started_at else 0.0
        self._session.flush()

    def request_cancel(self, job_id: str) -> bool:
        """Mark the job cancelling (workers look before each command); False if it already ended."""
        from netatlas.store.tables import JobRow

        job = self._job_row(job_id)
        if JobStatus(job.status).final:
            return False
        self._session.execute(update(JobRow).where(_JOB.id == job_id).values(status=JobStatus.CANCELLING.value))
        return True

    def is_cancelling(self, job_id: str) -> bool:
        status = self._session.scalar(select(_JOB.status).where(_JOB.id == job_id))
        if status is None:
            raise NotFound(f"no job {job_id}")
        return status in (JobStatus.CANCELLING.value, JobStatus.CANCELLED.value)

    def set_step(self, job_id: str, device_name: str, step: str | None) -> None:
        """The command a device is running now (one UPDATE; called before each command)."""
        from netatlas.store.tables import JobDeviceRow

        self._session.execute(update(JobDeviceRow).where(*_device_key(job_id, device_name)).values(step=step))

    def set_steps(self, job_id: str, steps: Mapping[str, str]) -> None:
        """The current step of several devices, each written only while its row is running (a step
        batch that lands after a device's final row leaves that row as it is): one Core UPDATE run
        for every device at once (executemany), no row read."""
        if not steps:
            return
        query = (update(JOB_DEVICE_TABLE)
                 .where(_DEV.job_id == job_id, _DEV.device_name == bindparam("device"),
                        _DEV.status == DeviceStatus.RUNNING.value)
                 .values(step=bindparam("new_step")))
        self._session.execute(query, [{"device": name, "new_step": clean(step)} for name, step in steps.items()])

    def update_device(self, job_id: str, device_name: str, status: DeviceStatus, *, step: str | None = None,
                      attempt: int | None = None, error_kind: ErrorKind | None = None,
                      error: str | None = None, warning: str | None = None) -> None:
        """Move one device. ``None`` leaves a field as it is; timings are stamped here.

        Running stamps ``started_at`` once and clears an earlier ``finished_at``; a final status
        stamps ``finished_at`` and ``duration_s`` and moves the job's counter (once).

        Core statements, no ORM object: a device that is not final moving to running (the common
        case) is one conditional UPDATE; otherwise its row is read ``FOR UPDATE`` (PostgreSQL: two
        workers moving one device take turns; SQLite: writers hold the database lock), updated, and
        the job's counter moved in the same transaction.
        """
        now = utcnow()
        values: dict[str, Any] = {"status": status.value}
        for name, value in (("step", step), ("error", error), ("warning", warning)):
            if value is not None:
                values[name] = clean(value)
        if attempt is not None:
            values["attempt"] = attempt
        if error_kind is not None:
            values["error_kind"] = error_kind.value
        key = _device_key(job_id, device_name)
        if status is DeviceStatus.RUNNING:
            started = func.coalesce(_DEV.started_at, literal(now, _DEV.started_at.type))  # stamped once
            values.update(started_at=started, finished_at=None, duration_s=None)
            moved = self._session.execute(update(JOB_DEVICE_TABLE).where(*key, _DEV.status.in_(_UNFINISHED))
                                          .values(**values))
            if getattr(moved, "rowcount", 0):
                return  # from a status that is not final to running: no counter moves
        before, started_at = self._locked(job_id, device_name)
        if status.final:
            values.update(finished_at=now, duration_s=(now - started_at).total_seconds() if started_at else 0.0)
        self._session.execute(update(JOB_DEVICE_TABLE).where(*key).values(**values))
        self._move_counter(job_id, before, status)

    def lock_device(self, job_id: str, device_name: str) -> DeviceStatus:
        """The device's status, its row locked until the unit of work ends (PostgreSQL: ``FOR UPDATE``;
        SQLite: writers hold the database lock), so two workers finishing one device take turns."""
        return self._locked(job_id, device_name)[0]

    def _locked(self, job_id: str, device_name: str) -> tuple[DeviceStatus, datetime | None]:
        """The device row's status and start, read ``FOR UPDATE`` (Core: one short SELECT)."""
        query = select(_DEV.status, _DEV.started_at).where(*_device_key(job_id, device_name)).with_for_update()
        found = self._session.execute(query).first()
        if found is None:
            raise NotFound(f"no device {device_name!r} in job {job_id}")
        return DeviceStatus(found[0]), found[1]

    def pending_devices(self, job_id: str) -> builtins.list[InventoryDevice]:
        """Devices of the job not yet final (pending, or running when a worker died): to run or resume."""
        from netatlas.store.tables import JobDeviceRow

        rows = self._session.scalars(select(JobDeviceRow).where(_DEV.job_id == job_id,
                                                                _DEV.status.in_(_UNFINISHED))
                                     .order_by(_DEV.id))
        return [InventoryDevice(name=r.device_name, host=r.host, platform=r.platform, credentials=r.credential,
                                port=r.port) for r in rows]

    def recount(self, job_id: str) -> JobCounts:
        """Rebuild the job's counts from its device rows, store and return them."""
        from netatlas.store.tables import JobRow

        query = (select(_DEV.status, func.count()).where(_DEV.job_id == job_id)
                 .group_by(_DEV.status))
        by_counter: dict[str, int] = {"total": 0, "completed": 0, "failed": 0, "cancelled": 0}
        for status, count in self._session.execute(query):
            by_counter["total"] += count
            counter = _COUNTER.get(DeviceStatus(status))
            if counter is not None:
                by_counter[counter] += count
        counts = JobCounts(**by_counter)
        self._session.execute(update(JobRow).where(_JOB.id == job_id).values(
            total=counts.total, completed=counts.completed, failed=counts.failed, cancelled=counts.cancelled))
        return counts

    def get(self, job_id: str) -> JobView:
        return _job_view(self._job_row(job_id))

    def show(self, job_id: str) -> JobDetail:
        """The job with every device row, in the order they were added."""
        return self.page(job_id)[0]

    def page(self, job_id: str, *, offset: int = 0, limit: int | None = None) -> tuple[JobDetail, bool]:
        """The job with its device rows from ``offset`` (at most ``limit``, in the order they were added)
        and whether more follow: one read of the job row and one of the page, whatever the job's size
        (a progress poll of a 10,000-device job reads the 50 rows it shows)."""
        return job_page(self._session, job_id, offset=offset, limit=limit)

    def list(self, limit: int = 50, status: JobStatus | None = None) -> builtins.list[JobView]:
        """Newest first."""
        return list_jobs(self._session, limit=limit, status=status)

    def _move_counter(self, job_id: str, before: DeviceStatus, after: DeviceStatus) -> None:
        values: dict[str, Any] = {}
        if before.final and before is not after:
            values[_COUNTER[before]] = _JOB[_COUNTER[before]] - 1
        if after.final and before is not after:
            values[_COUNTER[after]] = _JOB[_COUNTER[after]] + 1
        if values:
            self._session.execute(update(JOB_TABLE).where(_JOB.id == job_id).values(**values))

    def _job_row(self, job_id: str) -> JobRow:
        from netatlas.store.tables import JobRow

        row = self._session.get(JobRow, job_id)
        if row is None:
            raise NotFound(f"no job {job_id}")
        return row


def _device_key(job_id: str, device_name: str) -> tuple[Any, Any]:
    return _DEV.job_id == job_id, _DEV.device_name == device_name


def _device_row(job_id: str, device: InventoryDevice) -> JobDeviceRow:
    from netatlas.store.tables import JobDeviceRow

    return JobDeviceRow(job_id=job_id, device_name=device.name, host=device.host, port=device.port,
                        platform=device.platform, credential=device.credentials,
                        status=DeviceStatus.PENDING.value, attempt=0, error="")


def list_jobs(unit: Connection | Session, *, limit: int = 50, status: JobStatus | None = None) -> list[JobView]:
    """The newest jobs (of ``status`` when given), newest first. Core alone: a ``Database.connection()``
    is enough, so ``netatlas jobs list`` never imports the ORM; a session works as well. The query is
    ``store.light``'s one definition, which the light ``jobs list`` also renders as driver SQL."""
    return [_job_view(row) for row in unit.execute(to_core(list_select(limit=limit, status=status)))]


def job_page(unit: Connection | Session, job_id: str, *, offset: int = 0,
             limit: int | None = None) -> tuple[JobDetail, bool]:
    """:meth:`JobRepo.page` with Core alone (a ``Database.connection()`` is enough: no ORM object, no
    session): the job row and one page of its device rows as positional rows, two SELECTs. What a
    progress poll reads; ``NotFound`` when there is no such job."""
    found = unit.execute(select(JOB_TABLE).where(_JOB.id == job_id)).first()
    if found is None:
        raise NotFound(f"no job {job_id}")
    query = select(*_DEVICE_COLUMNS).where(_DEV.job_id == job_id).order_by(_DEV.id).offset(offset)
    if limit is not None:
        query = query.limit(limit + 1)
    rows = unit.execute(query).all()
    more = limit is not None and len(rows) > limit
    return JobDetail(_job_view(found), tuple(_device_view(row) for row in rows[:limit])), more


def unfinished_jobs(unit: Connection | Session) -> list[JobView]:
    """Every job not in a final state (to look for abandoned ones), read with Core as :func:`list_jobs`."""
    return [_job_view(row) for row in unit.execute(to_core(unfinished_select()))]


_DEVICE_COLUMNS = (_DEV.job_id, _DEV.device_name, _DEV.host, _DEV.port,
                   _DEV.platform, _DEV.credential, _DEV.status, _DEV.step,
                   _DEV.attempt, _DEV.error_kind, _DEV.error, _DEV.started_at,
                   _DEV.finished_at, _DEV.duration_s, _DEV.warning)


def _device_view(row: Any) -> JobDeviceView:
    """A view from a row of :data:`_DEVICE_COLUMNS` (plain columns, read by position: no ORM object
    and no attribute lookup per column)."""
    (job_id, device_name, host, port, platform, credential, status, step, attempt, error_kind, error,
     started_at, finished_at, duration_s, warning) = row
    return JobDeviceView(
        job_id=job_id, device_name=device_name, host=host, port=port, platform=platform,
        credential=credential, status=DeviceStatus(status), step=step, attempt=attempt,
        error_kind=ErrorKind(error_kind) if error_kind else None, error=error,
        started_at=started_at, finished_at=finished_at, duration_s=duration_s, warning=warning)
