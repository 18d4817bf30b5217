"""The local executor: jobs run by id on a given or its own event loop, once each; cancel marks the job
in the database and stops it here; the discovery service keeps nothing of a run (a fake runner, then the
real service and engine over SQLite with a fake collector)."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from netatlas.domain.errors import NotFound, StoreError
from netatlas.domain.inventory import Credential, InventoryDevice
from netatlas.domain.records import DataType, DeviceResult, DeviceStatus, ErrorKind, Facts, JobStatus
from netatlas.inventory import Inventory
from netatlas.jobs.discovery import DiscoveryRequest, DiscoveryService, JobOptionsError
from netatlas.jobs.engine import Stop
from netatlas.jobs.executor import CANCEL_MESSAGE, SHUTDOWN_MESSAGE, Executor, LocalExecutor
from netatlas.jobs.queries import JobQueries
from netatlas.secrets import SecretBox
from netatlas.settings import load_settings
from netatlas.store import Database, JobRepo, SnapshotRepo

# ---- a fake runner: what the executor does with ids ----------------------------------------------


@dataclass
class FakeRunner:
    """Runs a job until its stop is requested (or ``finish`` is set); remembers every call."""

    started: list[str] = field(default_factory=list)
    cancelled_in_db: list[str] = field(default_factory=list)
    stops: dict[str, Stop] = field(default_factory=dict)
    ended: set[str] = field(default_factory=set)  # jobs the "database" holds as final
    finish: asyncio.Event | None = None

    async def run_job(self, job_id: str, stop: Stop | None = None) -> JobStatus:
        assert stop is not None
        self.started.append(job_id)
        self.stops[job_id] = stop
        await stop.wait()
        assert stop.status is not None
        self.ended.add(job_id)
        return stop.status

    def cancel(self, job_id: str) -> bool:
        if job_id == "missing":
            raise NotFound(f"no job {job_id}")
        self.cancelled_in_db.append(job_id)
        return job_id not in self.ended


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_the_local_executor_is_an_executor() -> None:
    executor: Executor = LocalExecutor(FakeRunner())
    assert executor.health()["executor"] == "local"


def test_submit_runs_the_job_by_id_once_and_cancel_stops_it() -> None:
    runner = FakeRunner()

    async def scenario() -> tuple[JobStatus, dict[str, object], dict[str, object]]:
        executor = LocalExecutor(runner, asyncio.get_running_loop())
        executor.submit("j1")
        executor.submit("j1")  # a redelivery while it runs: still one run
        await settle()
        during = executor.health()
        assert executor.cancel("j1") is True
        status = await executor.wait("j1")
        await settle()
        return status, during, executor.health()

    status, during, after = asyncio.run(scenario())
    assert runner.started == ["j1"]
    assert runner.cancelled_in_db == ["j1"]
    assert status is JobStatus.CANCELLED and runner.stops["j1"].message == CANCEL_MESSAGE
    assert during["running_jobs"] == ["j1"] and during["ok"] is True and during["loop"] == "running"
    assert after["running_jobs"] == []


def test_cancel_of_a_job_not_running_here_only_marks_the_database() -> None:
    runner = FakeRunner(ended={"old"})

    async def scenario() -> tuple[bool, bool]:
        executor = LocalExecutor(runner, asyncio.get_running_loop())
        return executor.cancel("elsewhere"), executor.cancel("old")

    assert asyncio.run(scenario()) == (True, False)
    assert runner.cancelled_in_db == ["elsewhere", "old"] and runner.started == []
    with pytest.raises(NotFound):
        asyncio.run(_cancel_missing(runner))


async def _cancel_missing(runner: FakeRunner) -> bool:
    return LocalExecutor(runner, asyncio.get_running_loop()).cancel("missing")


def test_a_stop_request_reaches_the_running_job_with_its_status() -> None:
    runner = FakeRunner()

    async def scenario() -> tuple[bool, bool, JobStatus]:
        executor = LocalExecutor(runner, asyncio.get_running_loop())
        executor.submit("j1")
        await settle()
        unknown = executor.stop("nope", JobStatus.INTERRUPTED, "stopped by SIGTERM")
        known = executor.stop("j1", JobStatus.INTERRUPTED, "stopped by SIGTERM")
        return unknown, known, await executor.wait("j1")

    assert asyncio.run(scenario()) == (False, True, JobStatus.INTERRUPTED)
    assert runner.cancelled_in_db == []  # a signal is not a cancel


def test_wait_for_a_job_that_does_not_run_here_is_not_found() -> None:
    async def scenario() -> JobStatus:
        return await LocalExecutor(FakeRunner(), asyncio.get_running_loop()).wait("j9")

    with pytest.raises(NotFound):
        asyncio.run(scenario())


def test_an_own_loop_runs_jobs_submitted_from_other_threads_and_shutdown_interrupts_them() -> None:
    runner = FakeRunner()
    executor = LocalExecutor(runner)
    assert executor.health()["loop"] == "not started"
    callers = [threading.Thread(target=executor.submit, args=(f"j{n}",)) for n in range(3)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    deadline = time.monotonic() + 5
    while len(runner.started) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    health = executor.health()
    assert sorted(runner.started) == ["j0", "j1", "j2"]
    assert health["own_loop"] is True and health["running_jobs"] == ["j0", "j1", "j2"]
    assert executor.cancel("j1") is True
    executor.shutdown(timeout=5)
    assert runner.ended == {"j0", "j1", "j2"}
    assert runner.stops["j1"].status is JobStatus.CANCELLED
    assert {runner.stops[j].message for j in ("j0", "j2")} == {SHUTDOWN_MESSAGE}
    assert executor.health()["loop"] == "closed" and executor.health()["ok"] is False


# ---- the real service and engine over SQLite, with a fake collector --------------------------------


@dataclass
class SlowCollector:
    """Answers every device after ``delay`` s with its facts, ending early when the job stops it."""

    delay: float
    calls: list[str] = field(default_factory=list)

    async def __call__(self, device: InventoryDevice, credential: Credential, wanted: frozenset[DataType], *,
                       should_stop: Callable[[], Awaitable[bool]],
                       on_step: Callable[[str], Awaitable[None]]) -> DeviceResult:
        self.calls.append(device.name)
        await on_step("show version")
        deadline = time.monotonic() + self.delay
        while time.monotonic() < deadline:
            if await should_stop():
                return DeviceResult(device.name, ok=False, error_kind=ErrorKind.CANCELLED, error="stopped")
            await asyncio.sleep(0.01)
        result = DeviceResult(device.name, ok=True)
        result.records.facts = Facts(device.name, model="fake")
        return result


@dataclass
class World:
    db: Database
    box: SecretBox
    devices: list[InventoryDevice]

    def service(self, collector: SlowCollector) -> DiscoveryService:
        settings = load_settings(database_url=str(self.db.url), retries=1)
        return DiscoveryService(self.db, self.box, settings, collect=collector)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    for name in [n for n in os.environ if n.startswith("NETATLAS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("NETATLAS_HOME", str(tmp_path / "home"))
    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'netatlas.db'}")
    db = Database.open(settings.database_url, upgrade=True)
    box = SecretBox.for_database(settings, db)
    devices = [InventoryDevice(f"sw{n}", f"127.0.0.{n + 1}", "cisco_ios", "lab") for n in range(6)]
    DiscoveryService(db, box, settings).import_inventory(Inventory(devices, {"lab": Credential("lab", "u", "p")}))
    yield World(db, box, devices)
    db.close()


def state(service: DiscoveryService) -> dict[str, object]:
    return {name: getattr(service, name) for name in type(service).__slots__}


def test_the_real_engine_runs_a_job_submitted_by_id_and_the_service_keeps_nothing(world: World) -> None:
    collector = SlowCollector(delay=0.01)
    service = world.service(collector)
    job_id = service.start(world.devices, DiscoveryRequest(frozenset({DataType.CDP}), 3))
    before = state(service)

    async def scenario() -> JobStatus:
        executor = LocalExecutor(service, asyncio.get_running_loop())
        executor.submit(job_id)
        return await executor.wait(job_id)

    assert asyncio.run(scenario()) is JobStatus.COMPLETED
    after = state(service)
    assert after.keys() == before.keys() and all(after[k] is before[k] for k in before)
    assert not hasattr(service, "unmanaged") and not hasattr(service, "__dict__")
    detail = JobQueries(world.db).detail(job_id).detail
    assert detail.job.status is JobStatus.COMPLETED and detail.job.counts.completed == len(world.devices)
    assert sorted(collector.calls) == sorted(d.name for d in world.devices)
    with world.db.session(readonly=True) as session:
        assert {s.device_name for s in SnapshotRepo(session).of_job(job_id)} == {d.name for d in world.devices}


def test_cancel_through_the_executor_marks_the_job_and_stops_the_real_engine(world: World) -> None:
    collector = SlowCollector(delay=0.3)
    service = world.service(collector)
    job_id = service.start(world.devices, DiscoveryRequest(frozenset({DataType.CDP}), 2))

    async def scenario() -> tuple[bool, JobStatus]:
        executor = LocalExecutor(service, asyncio.get_running_loop())
        executor.submit(job_id)
        while await asyncio.to_thread(lambda: JobQueries(world.db).get(job_id).counts.completed) < 2:
            await asyncio.sleep(0.02)
        accepted = await asyncio.to_thread(executor.cancel, job_id)
        return accepted, await executor.wait(job_id)

    accepted, status = asyncio.run(scenario())
    assert accepted and status is JobStatus.CANCELLED
    detail = JobQueries(world.db).detail(job_id).detail
    assert detail.job.status is JobStatus.CANCELLED
    statuses = [d.status for d in detail.devices]
    assert all(s.final for s in statuses)
    assert 2 <= statuses.count(DeviceStatus.COMPLETED) < len(world.devices)
    assert DeviceStatus.CANCELLED in statuses
    assert len(collector.calls) < len(world.devices)  # nothing started after the cancel


def test_a_job_cancelled_before_it_ran_ends_cancelled_without_running(world: World) -> None:
    collector = SlowCollector(delay=0.01)
    service = world.service(collector)
    job_id = service.start(world.devices, DiscoveryRequest(frozenset({DataType.CDP}), 2))
    assert service.cancel(job_id) is True
    assert asyncio.run(service.run_job(job_id)) is JobStatus.CANCELLED
    assert collector.calls == []
    detail = JobQueries(world.db).detail(job_id).detail
    assert detail.job.status is JobStatus.CANCELLED
    assert {d.status for d in detail.devices} == {DeviceStatus.CANCELLED}
    assert asyncio.run(service.run_job(job_id)) is JobStatus.CANCELLED  # redelivered: nothing runs
    assert collector.calls == []


def test_a_finished_job_submitted_again_is_not_run_again(world: World) -> None:
    collector = SlowCollector(delay=0.0)
    service = world.service(collector)
    job_id = service.start(world.devices[:2], DiscoveryRequest(frozenset({DataType.CDP}), 2))
    assert asyncio.run(service.run_job(job_id)) is JobStatus.COMPLETED
    assert asyncio.run(service.run_job(job_id)) is JobStatus.COMPLETED
    assert sorted(collector.calls) == ["sw0", "sw1"]
    with world.db.session(readonly=True) as session:
        assert len(SnapshotRepo(session).of_job(job_id)) == 2


def test_malformed_stored_options_fail_the_run_naming_the_field_and_leave_the_job(world: World) -> None:
    collector = SlowCollector(delay=0.0)
    service = world.service(collector)
    with world.db.session() as session:
        job_id = JobRepo(session).create(world.devices[:1], {"data_types": ["cdp"], "concurrency": "many"})
    with pytest.raises(JobOptionsError, match=r"options\.concurrency: expected an integer"):
        asyncio.run(service.run_job(job_id))
    assert collector.calls == [] and JobQueries(world.db).get(job_id).status is JobStatus.PENDING


@dataclass
class BrokenRunner(FakeRunner):
    async def run_job(self, job_id: str, stop: Stop | None = None) -> JobStatus:
        self.started.append(job_id)
        raise StoreError(f"database error on sqlite:///x.db while running {job_id}")


def test_a_run_error_reaches_whoever_waits_and_is_logged_when_nobody_does(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        executor = LocalExecutor(BrokenRunner(), asyncio.get_running_loop())
        executor.submit("waited")
        executor.submit("unwatched")
        with pytest.raises(StoreError, match="while running waited"):
            await executor.wait("waited")
        await settle()
        assert executor.health()["running_jobs"] == []

    with caplog.at_level(logging.ERROR, logger="netatlas.jobs.executor"):
        asyncio.run(scenario())
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == 1 and "job unwatched ended with an error" in logged[0]
