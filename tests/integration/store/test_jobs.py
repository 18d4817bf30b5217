"""Job and job_device lifecycle, counts, cancel flag and resumable pending devices."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from netatlas.domain.errors import NotFound
from netatlas.domain.inventory import InventoryDevice
from netatlas.domain.records import DeviceStatus, ErrorKind, JobStatus
from netatlas.jobs.liveness import STALE_S, this_process
from netatlas.jobs.recovery import recover_jobs
from netatlas.store import Database, JobCounts, JobRepo
from netatlas.store.tables import JobRow
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


# ---- owners, heartbeats, finishing and recovering abandoned jobs ---------------------------------


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_claim_records_the_owner_and_beats_refresh_the_heartbeat(db: Database) -> None:
    job_id = _create(db)
    with db.session() as session:
        JobRepo(session).claim(job_id, "host-a", 4242)
    with db.session() as session:
        repo = JobRepo(session)
        first = repo.get(job_id)
        assert (first.status, first.owner_host, first.owner_pid) == (JobStatus.RUNNING, "host-a", 4242)
        assert first.heartbeat_at is not None and first.started_at is not None
        time.sleep(0.01)
        assert repo.beat(job_id)
    with db.session() as session:
        repo = JobRepo(session)
        beat = repo.get(job_id).heartbeat_at
        assert beat is not None and beat > first.heartbeat_at
        assert repo.finish(job_id, JobStatus.COMPLETED)
        assert not repo.beat(job_id), "a job that ended takes no heartbeat: its owner learns it was ended"


def test_a_cancel_that_arrives_before_the_run_starts_is_not_lost(db: Database) -> None:
    job_id = _create(db)
    with db.session() as session:
        assert JobRepo(session).request_cancel(job_id)
    with db.session() as session:
        JobRepo(session).claim(job_id, "host-a", 4242)
    with db.session() as session:
        claimed = JobRepo(session).get(job_id)
    assert (claimed.status, claimed.owner_pid) == (JobStatus.CANCELLING, 4242)
    assert claimed.started_at is not None


@pytest.mark.parametrize(("status", "device_status", "kind"), [
    (JobStatus.INTERRUPTED, DeviceStatus.INTERRUPTED, ErrorKind.INTERRUPTED),
    (JobStatus.FAILED, DeviceStatus.INTERRUPTED, ErrorKind.INTERRUPTED),
    (JobStatus.CANCELLED, DeviceStatus.CANCELLED, ErrorKind.CANCELLED),
])
def test_finish_makes_every_unfinished_row_final(db: Database, status: JobStatus, device_status: DeviceStatus,
                                                 kind: ErrorKind) -> None:
    job_id = _create(db, 4)
    with db.session() as session:
        repo = JobRepo(session)
        repo.claim(job_id, "host-a", 1)
        repo.update_device(job_id, "sw1", DeviceStatus.COMPLETED)
        repo.update_device(job_id, "sw2", DeviceStatus.FAILED, error_kind=ErrorKind.AUTH_FAILED, error="denied")
        repo.update_device(job_id, "sw3", DeviceStatus.RUNNING, attempt=1)
    with db.session() as session:
        assert JobRepo(session).finish(job_id, status, "why \x1b[2J it ended")
    with db.session() as session:
        repo = JobRepo(session)
        detail = repo.show(job_id)
        assert not repo.finish(job_id, JobStatus.COMPLETED), "a final job is never moved again"
    by_name = {d.device_name: d for d in detail.devices}
    assert (by_name["sw1"].status, by_name["sw2"].status, by_name["sw2"].error) == (
        DeviceStatus.COMPLETED, DeviceStatus.FAILED, "denied")
    for name in ("sw3", "sw4"):
        row = by_name[name]
        assert (row.status, row.error_kind, row.error) == (device_status, kind, "why \\x1b[2J it ended")
        assert row.finished_at is not None and row.duration_s is not None and row.step == ""
    assert (detail.job.status, detail.job.message) == (status, "why \\x1b[2J it ended")
    assert detail.job.finished_at is not None
    assert detail.job.counts == JobCounts(total=4, completed=1, failed=1, cancelled=2)
    with db.session() as session:
        assert JobRepo(session).recount(job_id) == detail.job.counts


def test_recover_marks_only_jobs_whose_owner_is_gone(db: Database) -> None:
    here = this_process().host
    dead, alive, remote_stale, remote_fresh, queued, legacy = (_create(db, 2) for _ in range(6))
    with db.session() as session:
        repo = JobRepo(session)
        repo.claim(dead, here, _dead_pid())
        repo.claim(alive, here, os.getpid())
        repo.claim(remote_stale, "elsewhere", 1)
        repo.claim(remote_fresh, "elsewhere", 1)
        repo.set_status(legacy, JobStatus.RUNNING)  # no owner recorded (rows from before migration 0003)
    now = datetime.now(UTC)
    with db.session() as session:
        session.execute(update(JobRow).where(JobRow.id == remote_stale)
                        .values(heartbeat_at=now - timedelta(seconds=STALE_S + 5)))
        session.execute(update(JobRow).where(JobRow.id == legacy)
                        .values(started_at=now - timedelta(seconds=STALE_S + 5)))
    found = {r.job_id: r.message for r in recover_jobs(db)}
    assert set(found) == {dead, remote_stale, legacy}
    assert "is gone" in found[dead] and "no heartbeat from pid 1 on elsewhere" in found[remote_stale]
    with db.session(readonly=True) as session:
        repo = JobRepo(session)
        statuses = {job: repo.get(job).status for job in (dead, alive, remote_stale, remote_fresh, queued, legacy)}
        rows = [d for job in found for d in repo.show(job).devices]
    assert statuses == {dead: JobStatus.INTERRUPTED, alive: JobStatus.RUNNING, remote_stale: JobStatus.INTERRUPTED,
                        remote_fresh: JobStatus.RUNNING, queued: JobStatus.PENDING, legacy: JobStatus.INTERRUPTED}
    assert rows and all(d.status is DeviceStatus.INTERRUPTED and d.error_kind is ErrorKind.INTERRUPTED for d in rows)
    assert recover_jobs(db) == [], "recovering twice changes nothing"
    assert [r.job_id for r in recover_jobs(db, stale_s=0.0, job_ids=[remote_fresh])] == [remote_fresh]


def test_a_step_batch_writes_running_rows_only(db: Database) -> None:
    """A batch of steps that lands after a device's final row (its result stored on another thread)
    leaves that row final, its counter unmoved; running rows get their step, escaped."""
    job_id = _create(db)
    with db.session() as session:
        repo = JobRepo(session)
        for name in ("sw1", "sw2"):
            repo.update_device(job_id, name, DeviceStatus.RUNNING, attempt=1)
        repo.update_device(job_id, "sw1", DeviceStatus.COMPLETED, step="")
    with db.session() as session:
        JobRepo(session).set_steps(job_id, {"sw1": "show late", "sw2": "show x\x1b[2J", "sw3": "show y"})
    with db.session(readonly=True) as session:
        detail = JobRepo(session).show(job_id)
    devices = {d.device_name: d for d in detail.devices}
    assert (devices["sw1"].status, devices["sw1"].step) == (DeviceStatus.COMPLETED, "")
    assert devices["sw1"].finished_at is not None
    assert (devices["sw2"].status, devices["sw2"].step) == (DeviceStatus.RUNNING, "show x\\x1b[2J")
    assert (devices["sw3"].status, devices["sw3"].step) == (DeviceStatus.PENDING, None)
    assert detail.job.counts == JobCounts(total=3, completed=1)


def test_running_again_after_a_final_status_moves_the_counter_back(db: Database) -> None:
    """A retried row (final, then running: a resumed job) leaves its counter and clears its end."""
    job_id = _create(db)
    with db.session() as session:
        repo = JobRepo(session)
        repo.update_device(job_id, "sw1", DeviceStatus.RUNNING, attempt=1)
        first_start = repo.show(job_id).devices[0].started_at
        repo.update_device(job_id, "sw1", DeviceStatus.FAILED, error_kind=ErrorKind.TIMEOUT, error="slow")
        assert repo.get(job_id).counts == JobCounts(total=3, failed=1)
        repo.update_device(job_id, "sw1", DeviceStatus.RUNNING, attempt=2)
    with db.session(readonly=True) as session:
        detail = JobRepo(session).show(job_id)
    row = detail.devices[0]
    assert detail.job.counts == JobCounts(total=3)
    assert (row.status, row.attempt, row.error, row.finished_at, row.duration_s) == (
        DeviceStatus.RUNNING, 2, "slow", None, None)
    assert row.started_at == first_start  # stamped once


def test_two_writers_moving_one_device_take_turns(db: Database) -> None:
    """The row is locked from the first write to the commit (PostgreSQL: the UPDATE's and FOR UPDATE's
    row lock; SQLite: the writer's database lock): a second worker's final update waits, then moves the
    counter from the first one's status, so the counts stay exact."""
    job_id = _create(db)
    with db.session() as session:
        JobRepo(session).update_device(job_id, "sw1", DeviceStatus.RUNNING, attempt=1)
    first_wrote, waited = threading.Event(), []

    def second() -> None:
        first_wrote.wait(10)
        began = time.monotonic()
        with db.session() as session:
            JobRepo(session).update_device(job_id, "sw1", DeviceStatus.COMPLETED, step="")
        waited.append(time.monotonic() - began)

    thread = threading.Thread(target=second)
    thread.start()
    with db.session() as session:
        JobRepo(session).update_device(job_id, "sw1", DeviceStatus.FAILED, error_kind=ErrorKind.TIMEOUT, error="x")
        first_wrote.set()
        time.sleep(0.5)
    thread.join(20)
    assert waited and waited[0] >= 0.4
    with db.session(readonly=True) as session:
        detail = JobRepo(session).show(job_id)
    assert detail.devices[0].status is DeviceStatus.COMPLETED
    assert detail.job.counts == JobCounts(total=3, completed=1)
