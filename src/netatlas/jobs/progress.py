"""A job's progress as its readers see it, built from its rows (``JobDetail``) alone.

The API's progress endpoint, its event stream and the CLI read the same document, whichever
executor ran the job, because it is computed from the ``job`` and ``job_device`` rows:

- the job's ``progress_percentage`` is the share of its devices in a final state (completed,
  failed, cancelled or interrupted), one decimal;
- a device's ``progress_percentage`` is 100 once final and 0 while pending; while it runs it is
  the position of its current step in its platform's command plan for the job's data types
  (``connect`` first, then each planned command: the k-th of n steps is ``100*k/n``), so it
  moves as commands are sent. Steps outside the plan (per-VRF and per-interface follow-up
  commands, whose number depends on what the device said) read 50; a device waiting to retry
  reads 0 (it starts again);
- a Celery job still pending after ``NETATLAS_WORKER_WAIT`` seconds while no worker answers is
  reported ``waiting_for_worker`` (:func:`waiting_for_worker`); the row itself stays pending.

Examples:
    >>> device_percentage(DeviceStatus.RUNNING, "show version", ("connect", "show version", "show cdp"))
    33
    >>> device_percentage(DeviceStatus.RUNNING, "show ip route vrf red", ("connect", "show version"))
    50
    >>> device_percentage(DeviceStatus.FAILED, None, ()), device_percentage(DeviceStatus.PENDING, None, ())
    (100, 0)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from netatlas.collect.collector import CONNECT_STEP
from netatlas.collect.platforms import spec_for
from netatlas.domain.datatypes import select, spec_of
from netatlas.domain.records import DataType, DeviceStatus, JobStatus
from netatlas.jobs.request import DiscoveryRequest, JobOptionsError
from netatlas.store import Database, JobDetail, JobDeviceView, JobRepo, JobView, SnapshotRepo
from netatlas.store.jobs import job_page

WAITING_FOR_WORKER = "waiting_for_worker"
UNPLANNED_STEP_PERCENT = 50


@dataclass(frozen=True, slots=True)
class DeviceProgress:
    device_id: str  # a device's id is its name (see netatlas.jobs.selection)
    device_name: str
    status: str
    progress_percentage: int
    current_task: str | None
    error: str | None
    error_kind: str | None
    attempt: int
    started_at: datetime | None
    completed_at: datetime | None


@dataclass(frozen=True, slots=True)
class JobProgress:
    job_id: str
    status: str  # a JobStatus value, or ``waiting_for_worker``
    total_devices: int
    completed_devices: int
    failed_devices: int
    cancelled_devices: int  # cancelled or interrupted with their job
    progress_percentage: float
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    error: str | None  # why the job ended as it did (interrupted, failed, cancelled)
    requested_by: str
    final: bool
    devices: tuple[DeviceProgress, ...]  # the page asked for
    offset: int
    limit: int | None
    more: bool  # devices follow the page


def job_progress(detail: JobDetail, *, offset: int = 0, limit: int | None = None,
                 waiting: bool = False) -> JobProgress:
    """The progress document of ``detail``, its devices from ``offset`` (at most ``limit``);
    ``waiting``: report the pending job ``waiting_for_worker``."""
    end = len(detail.devices) if limit is None else offset + limit
    page = JobDetail(detail.job, detail.devices[offset:end])
    return page_progress(page, offset=offset, limit=limit, more=end < len(detail.devices), waiting=waiting)


def page_progress(page: JobDetail, *, offset: int, limit: int | None, more: bool,
                  waiting: bool = False) -> JobProgress:
    """The progress document of a job whose ``page`` of devices (from ``offset``) alone was read
    (:func:`read_page`); ``more``: devices follow it."""
    job, counts = page.job, page.job.counts
    steps = _steps_by_platform(job, page.devices)
    devices = tuple(_device(row, steps.get(row.platform, ())) for row in page.devices)
    status = WAITING_FOR_WORKER if waiting and job.status is JobStatus.PENDING else job.status.value
    return JobProgress(job_id=job.id, status=status, total_devices=counts.total, completed_devices=counts.completed,
                       failed_devices=counts.failed, cancelled_devices=counts.cancelled,
                       progress_percentage=job_percentage(counts.done, counts.total, final=job.status.final),
                       created_at=job.created_at, started_at=job.started_at, completed_at=job.finished_at,
                       error=job.message or None, requested_by=job.requested_by, final=job.status.final,
                       devices=devices, offset=offset, limit=limit, more=more)


def job_percentage(done: int, total: int, *, final: bool = False) -> float:
    """The share of final devices, one decimal (a job with no device: 100 once it ended).

    Examples:
        >>> job_percentage(1, 3), job_percentage(0, 0), job_percentage(0, 0, final=True)
        (33.3, 0.0, 100.0)
    """
    if total <= 0:
        return 100.0 if final else 0.0
    return round(100.0 * min(done, total) / total, 1)


def device_percentage(status: DeviceStatus, step: str | None, steps: Sequence[str]) -> int:
    """How far one device is (see the module docstring for the rule)."""
    if status.final:
        return 100
    if status is DeviceStatus.PENDING or not step:
        return 0
    if step in steps:
        return min(99, 100 * steps.index(step) // len(steps))
    return 0 if step.startswith("retrying") else UNPLANNED_STEP_PERCENT


@lru_cache(maxsize=256)
def command_steps(platform: str, data_types: frozenset[DataType]) -> tuple[str, ...]:
    """``connect`` and the commands the collector plans for ``data_types`` on ``platform``, in order.

    Examples:
        >>> command_steps("cisco_ios", frozenset({DataType.ARP}))
        ('connect', 'show version', 'show ip arp', 'show vrf')
        >>> command_steps("no_such_platform", frozenset({DataType.ARP}))
        ('connect',)
    """
    spec = spec_for(platform)
    if spec is None:
        return (CONNECT_STEP,)
    return (CONNECT_STEP, *(command for command, _ in spec.plan(data_types | {DataType.FACTS})))


def waiting_for_worker(job: JobView, *, now: datetime, wait_s: float, workers: int | None) -> bool:
    """True when the job is still pending ``wait_s`` seconds after it was created and the executor
    says no worker is live (``workers`` is None for executors that have no workers: never waiting).

    Examples:
        >>> from datetime import UTC
        >>> from netatlas.store import JobCounts
        >>> t0 = datetime(2026, 1, 1, tzinfo=UTC)
        >>> job = JobView("j", "discovery", JobStatus.PENDING, {}, JobCounts(), "", t0, None, None)
        >>> later = t0 + timedelta(seconds=31)
        >>> [waiting_for_worker(job, now=later, wait_s=30, workers=w) for w in (0, 1, None)]
        [True, False, False]
        >>> waiting_for_worker(job, now=t0 + timedelta(seconds=5), wait_s=30, workers=0)
        False
    """
    if job.status is not JobStatus.PENDING or workers is None or workers > 0:
        return False
    return now - job.created_at >= timedelta(seconds=wait_s)


def collected_counts(db: Database, job_id: str) -> dict[str, dict[str, int]]:
    """Per device, the records the job stored per data type it collected (facts: 1 when read).

    One read of the job's snapshots and of each snapshot's records: meant for the small jobs
    ``discover-sync`` runs, not for a 10,000-device report.
    """
    counts: dict[str, dict[str, int]] = {}
    with db.session(readonly=True) as session:
        repo = SnapshotRepo(session)
        for snapshot in repo.of_job(job_id):
            records = repo.records(snapshot.id)
            counts[snapshot.device_name] = {t.value: _count(select(records, {t}), t)
                                            for t in sorted(snapshot.data_types)}
    return counts


def _count(records: object, data_type: DataType) -> int:
    total = 0
    for one in spec_of(data_type).fields:
        held = getattr(records, one.attribute)
        total += len(held) if isinstance(held, list) else int(held is not None)
    return total


def _steps_by_platform(job: JobView, rows: Iterable[JobDeviceView]) -> dict[str, tuple[str, ...]]:
    """Each platform's command steps for the job's data types (none when its options cannot be read)."""
    try:
        types = DiscoveryRequest.from_options(job.options).data_types
    except JobOptionsError:
        return {}
    return {platform: command_steps(platform, types) for platform in {r.platform for r in rows}}


def _device(row: JobDeviceView, steps: Sequence[str]) -> DeviceProgress:
    return DeviceProgress(device_id=row.device_name, device_name=row.device_name, status=row.status.value,
                          progress_percentage=device_percentage(row.status, row.step, steps),
                          current_task=row.step or None, error=row.error or None,
                          error_kind=row.error_kind.value if row.error_kind else None, attempt=row.attempt,
                          started_at=row.started_at, completed_at=row.finished_at)


def read_page(db: Database, job_id: str, *, offset: int = 0, limit: int | None = None) -> tuple[JobDetail, bool]:
    """The job and one page of its device rows (and whether more follow), in one read-only session:
    what a progress poll reads, whatever the job's size; ``NotFound`` when there is no such job.
    Core alone (``job_page``): no ORM session per poll."""
    with db.connection(readonly=True) as connection:
        return job_page(connection, job_id, offset=offset, limit=limit)


def read_job(db: Database, job_id: str) -> JobDetail:
    """The job and every device row, in one read-only session; ``NotFound`` when there is no such job."""
    with db.session(readonly=True) as session:
        return JobRepo(session).show(job_id)
