"""The progress document built from a job's rows: counts, percentages, pages, waiting_for_worker."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from netatlas.domain.inventory import InventoryDevice
from netatlas.domain.records import (
    DataType,
    DeviceRecords,
    DeviceResult,
    DeviceStatus,
    ErrorKind,
    Facts,
    JobStatus,
    MacEntry,
    Neighbor,
)
from netatlas.jobs.progress import (
    UNPLANNED_STEP_PERCENT,
    WAITING_FOR_WORKER,
    collected_counts,
    command_steps,
    device_percentage,
    job_progress,
    page_progress,
    read_job,
    read_page,
    waiting_for_worker,
)
from netatlas.jobs.request import DiscoveryRequest
from netatlas.store import Database, JobCounts, JobDetail, JobDeviceView, JobRepo, JobView, SnapshotRepo

T0 = datetime(2026, 1, 1, tzinfo=UTC)
RUNNING_COUNTS = JobCounts(4, 1, 1, 0)
TYPES = frozenset({DataType.ARP, DataType.CDP})


def job(status: JobStatus = JobStatus.RUNNING, counts: JobCounts = RUNNING_COUNTS, message: str = "",
        options: dict[str, object] | None = None) -> JobView:
    options = DiscoveryRequest(TYPES, 5, requested_by="token:ci").options() if options is None else options
    return JobView("j1", "discovery", status, options, counts, "token:ci", T0, T0 + timedelta(seconds=1),
                   T0 + timedelta(seconds=9) if status.final else None, message=message)


def row(name: str, status: DeviceStatus, step: str | None = None, kind: ErrorKind | None = None,
        error: str = "") -> JobDeviceView:
    return JobDeviceView("j1", name, "127.101.0.1", 22, "cisco_ios", "lab", status, step, 1, kind, error,
                         T0 if status is not DeviceStatus.PENDING else None, T0 if status.final else None, None)


ROWS = (row("a", DeviceStatus.COMPLETED), row("b", DeviceStatus.FAILED, kind=ErrorKind.TIMEOUT, error="timed out"),
        row("c", DeviceStatus.RUNNING, step="show ip arp"), row("d", DeviceStatus.PENDING))


def test_the_job_counts_and_percentage_come_from_its_row() -> None:
    progress = job_progress(JobDetail(job(), ROWS))
    assert (progress.status, progress.total_devices, progress.completed_devices, progress.failed_devices) == (
        "running", 4, 1, 1)
    assert progress.progress_percentage == 50.0 and progress.error is None and progress.requested_by == "token:ci"
    assert progress.completed_at is None and not progress.final


def test_each_device_reports_its_state() -> None:
    devices = {d.device_name: d for d in job_progress(JobDetail(job(), ROWS)).devices}
    steps = command_steps("cisco_ios", TYPES)
    assert devices["a"].progress_percentage == 100 and devices["a"].error is None
    assert (devices["b"].progress_percentage, devices["b"].error_kind, devices["b"].error) == (
        100, "timeout", "timed out")
    assert devices["c"].progress_percentage == 100 * steps.index("show ip arp") // len(steps)
    assert 0 < devices["c"].progress_percentage < 100 and devices["c"].current_task == "show ip arp"
    assert (devices["d"].progress_percentage, devices["d"].current_task, devices["d"].started_at) == (0, None, None)
    assert all(d.device_id == d.device_name for d in devices.values())


def test_the_devices_are_paged() -> None:
    detail = JobDetail(job(), ROWS)
    first, last = job_progress(detail, offset=0, limit=3), job_progress(detail, offset=3, limit=3)
    assert [d.device_name for d in first.devices] == ["a", "b", "c"] and first.more
    assert [d.device_name for d in last.devices] == ["d"] and not last.more
    assert job_progress(detail, offset=10, limit=3).devices == ()


def test_an_ended_job_says_why() -> None:
    ended = job(JobStatus.INTERRUPTED, JobCounts(4, 1, 1, 2), message="the executor shut down")
    progress = job_progress(JobDetail(ended, ROWS[:2]))
    assert (progress.status, progress.error, progress.final, progress.progress_percentage) == (
        "interrupted", "the executor shut down", True, 100.0)


def test_waiting_is_reported_for_a_pending_job_only() -> None:
    pending = job(JobStatus.PENDING, JobCounts(4, 0, 0, 0))
    assert job_progress(JobDetail(pending, ROWS), waiting=True).status == WAITING_FOR_WORKER
    assert job_progress(JobDetail(job(), ROWS), waiting=True).status == "running"


@pytest.mark.parametrize(("status", "age_s", "workers", "waiting"), [
    (JobStatus.PENDING, 31, 0, True), (JobStatus.PENDING, 29, 0, False), (JobStatus.PENDING, 31, 2, False),
    (JobStatus.PENDING, 31, None, False), (JobStatus.RUNNING, 31, 0, False)])
def test_waiting_for_worker(status: JobStatus, age_s: float, workers: int | None, waiting: bool) -> None:
    view = job(status, JobCounts(1, 0, 0, 0))
    assert waiting_for_worker(view, now=T0 + timedelta(seconds=age_s), wait_s=30, workers=workers) is waiting


def test_device_percentage_rule() -> None:
    steps = ("connect", "show version", "show cdp neighbors detail", "show ip arp")
    assert [device_percentage(DeviceStatus.RUNNING, s, steps) for s in steps] == [0, 25, 50, 75]
    assert device_percentage(DeviceStatus.RUNNING, "show ip arp vrf RED", steps) == UNPLANNED_STEP_PERCENT
    assert device_percentage(DeviceStatus.RUNNING, "retrying in 1.0s after timeout: x", steps) == 0
    assert device_percentage(DeviceStatus.CANCELLED, "show ip arp", steps) == 100


def test_unreadable_options_still_give_a_document() -> None:
    detail = JobDetail(job(options={"bogus": 1}), ROWS)
    devices = {d.device_name: d for d in job_progress(detail).devices}
    assert devices["c"].progress_percentage == UNPLANNED_STEP_PERCENT


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(f"sqlite:///{tmp_path / 'netatlas.db'}", upgrade=True)
    yield database
    database.close()


def test_collected_counts_per_data_type(db: Database) -> None:
    devices = [InventoryDevice("sw1", "127.101.0.1", "cisco_ios", "lab")]
    records = DeviceRecords(facts=Facts("sw1"), mac_table=[MacEntry("0000.0000.0001", 10, "Gi1"),
                                                           MacEntry("0000.0000.0002", 10, "Gi2")],
                            neighbors=[Neighbor("cdp", "Gi1", "sw2", "Gi2"), Neighbor("lldp", "Gi3", "sw3", "Gi4")])
    asked = frozenset({DataType.FACTS, DataType.MAC, DataType.CDP})
    with db.session() as session:
        job_id = JobRepo(session).create(devices, DiscoveryRequest(asked, 1).options())
        SnapshotRepo(session).save(job_id, "sw1", DeviceResult("sw1", True, records=records, asked=asked))
    assert collected_counts(db, job_id) == {"sw1": {"cdp": 1, "facts": 1, "mac": 2}}


@pytest.mark.parametrize(("offset", "limit"), [(0, 2), (1, 2), (2, 2), (3, 5), (9, 1), (0, None), (2, None)])
def test_a_page_read_alone_gives_the_same_document_as_the_whole_job(db: Database, offset: int,
                                                                      limit: int | None) -> None:
    devices = [InventoryDevice(n, f"127.131.0.{i + 1}", "cisco_ios", "lab") for i, n in enumerate("abcd")]
    with db.session() as session:
        repo = JobRepo(session)
        job_id = repo.create(devices, DiscoveryRequest(TYPES, 5).options())
        repo.update_device(job_id, "b", DeviceStatus.RUNNING, step="show ip arp", attempt=2)
        repo.update_device(job_id, "c", DeviceStatus.FAILED, error_kind=ErrorKind.TIMEOUT, error="timed out")
    page, more = read_page(db, job_id, offset=offset, limit=limit)
    whole = job_progress(read_job(db, job_id), offset=offset, limit=limit)
    assert page_progress(page, offset=offset, limit=limit, more=more) == whole
    assert [d.device_name for d in whole.devices] == list("abcd")[offset:None if limit is None else offset + limit]
    assert (whole.total_devices, whole.failed_devices) == (4, 1)
