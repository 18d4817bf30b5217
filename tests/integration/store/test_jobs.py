"""Job and job_device lifecycle, counts, cancel flag and resumable pending devices."""

from __future__ import annotations

import pytest

from netatlas.domain.errors import NotFound
from netatlas.domain.inventory import InventoryDevice
from netatlas.domain.records import DeviceStatus, ErrorKind, JobStatus
from netatlas.store import Database, JobCounts, JobRepo
from tests.integration.store import factories

pytestmark = pytest.mark.integration
OPTIONS = {"data_types": ["cdp", "lldp"], "concurrency": 50, "seeds": ["127.30.0.1"], "credentials": "lab"}


def _create(db: Database, count: int = 3) -> str:
    with db.session() as session:
        return JobRepo(session).create([factories.device(f"sw{i}", i) for i in range(1, count + 1)], OPTIONS,
                                       requested_by="alice")


def test_create_and_show(db: Database) -> None:
    job_id = _create(db)
    with db.session(readonly=True) as session:
        detail = JobRepo(session).show(job_id)
    assert len(job_id) == 36 and detail.job.id == job_id
    assert (detail.job.kind, detail.job.status, detail.job.requested_by) == ("discovery", JobStatus.PENDING, "alice")
    assert detail.job.options == OPTIONS
    assert detail.job.counts == JobCounts(total=3)
    assert [(d.device_name, d.host, d.port, d.status, d.attempt) for d in detail.devices] == [
        (f"sw{i}", f"127.30.0.{i}", 22022, DeviceStatus.PENDING, 0) for i in range(1, 4)]
    assert detail.job.started_at is None and detail.job.created_at.tzinfo is not None


def test_device_lifecycle_moves_counts_and_timings(db: Database) -> None:
    job_id = _create(db)
    with db.session() as session:
        repo = JobRepo(session)
        repo.set_status(job_id, JobStatus.RUNNING)
        repo.update_device(job_id, "sw1", DeviceStatus.RUNNING, attempt=1)
        repo.set_step(job_id, "sw1", "show cdp neighbors detail")
        repo.update_device(job_id, "sw2", DeviceStatus.RUNNING, attempt=1)
        repo.update_device(job_id, "sw2", DeviceStatus.RUNNING, attempt=2, error_kind=ErrorKind.TIMEOUT,
                           error="no answer in 10 s")
    with db.session() as session:
        repo = JobRepo(session)
        running = {d.device_name: d for d in repo.show(job_id).devices}
        assert running["sw1"].step == "show cdp neighbors detail" and running["sw1"].started_at is not None
        assert (running["sw2"].attempt, running["sw2"].error_kind) == (2, ErrorKind.TIMEOUT)
        repo.update_device(job_id, "sw1", DeviceStatus.COMPLETED, step="")
        repo.update_device(job_id, "sw2", DeviceStatus.FAILED, error_kind=ErrorKind.AUTH_FAILED, error="denied")
        repo.update_device(job_id, "sw2", DeviceStatus.FAILED)  # a repeated final update counts once
        repo.set_status(job_id, JobStatus.COMPLETED)
    with db.session(readonly=True) as session:
        detail = JobRepo(session).show(job_id)
    devices = {d.device_name: d for d in detail.devices}
    assert detail.job.counts == JobCounts(total=3, completed=1, failed=1)
    assert detail.job.counts.remaining == 1
    assert devices["sw1"].finished_at is not None and devices["sw1"].duration_s is not None
    assert devices["sw1"].duration_s >= 0
    assert devices["sw2"].error == "denied" and devices["sw2"].attempt == 2
    assert detail.job.status is JobStatus.COMPLETED
    assert detail.job.started_at is not None and detail.job.finished_at is not None
    assert detail.job.finished_at >= detail.job.started_at


def test_recount_rebuilds_counts_from_device_rows(db: Database) -> None:
    job_id = _create(db, 4)
    with db.session() as session:
        repo = JobRepo(session)
        for name, status in (("sw1", DeviceStatus.COMPLETED), ("sw2", DeviceStatus.CANCELLED),
                             ("sw3", DeviceStatus.FAILED)):
            repo.update_device(job_id, name, status)
        repo.update_device(job_id, "sw3", DeviceStatus.COMPLETED)  # moved from failed to completed
    with db.session() as session:
        repo = JobRepo(session)
        assert repo.get(job_id).counts == JobCounts(4, 2, 0, 1)
        assert repo.recount(job_id) == JobCounts(4, 2, 0, 1)


def test_cancel_flag(db: Database) -> None:
    job_id = _create(db)
    with db.session() as session:
        repo = JobRepo(session)
        repo.set_status(job_id, JobStatus.RUNNING)
        assert not repo.is_cancelling(job_id)
        assert repo.request_cancel(job_id)
    with db.session() as session:
        repo = JobRepo(session)
        assert repo.is_cancelling(job_id)
        assert repo.get(job_id).status is JobStatus.CANCELLING
        repo.set_status(job_id, JobStatus.CANCELLED)
        assert not repo.request_cancel(job_id)  # already over
        assert repo.get(job_id).status is JobStatus.CANCELLED
        with pytest.raises(NotFound):
            repo.is_cancelling("no-such-job")


def test_pending_devices_and_crawl_additions(db: Database) -> None:
    job_id = _create(db, 2)
    with db.session() as session:
        repo = JobRepo(session)
        repo.update_device(job_id, "sw1", DeviceStatus.COMPLETED)
        added = repo.add_devices(job_id, [factories.device("sw2", 2), factories.device("core1", 50)])
    with db.session() as session:
        repo = JobRepo(session)
        assert added == ["core1"]
        assert [d.name for d in repo.pending_devices(job_id)] == ["sw2", "core1"]
        assert repo.pending_devices(job_id)[1] == InventoryDevice(
            name="core1", host="127.30.0.50", platform="cisco_ios", credentials="lab", port=22022)
        assert repo.get(job_id).counts.total == 3


def test_list_newest_first_and_by_status(db: Database) -> None:
    first, second = _create(db), _create(db)
    with db.session() as session:
        JobRepo(session).set_status(first, JobStatus.RUNNING)
    with db.session() as session:
        repo = JobRepo(session)
        assert [job.id for job in repo.list()] == [second, first]
        assert [job.id for job in repo.list(status=JobStatus.RUNNING)] == [first]
        assert len(repo.list(limit=1)) == 1


def test_options_with_a_secret_are_refused(db: Database) -> None:
    with db.session() as session, pytest.raises(ValueError, match=r"options\.auth\.password looks like a secret"):
        JobRepo(session).create([factories.device("sw1")], {"auth": {"password": "s3cret"}})
    with db.session() as session:
        assert JobRepo(session).list() == []


def test_unknown_job_and_device(db: Database) -> None:
    job_id = _create(db, 1)
    with db.session() as session:
        repo = JobRepo(session)
        with pytest.raises(NotFound, match="no job nope"):
            repo.show("nope")
        with pytest.raises(NotFound, match="no device 'ghost'"):
            repo.update_device(job_id, "ghost", DeviceStatus.RUNNING)
