"""A device's snapshot and its final status are one transaction (``DatabaseJobStore.finish_device``):
a crash between the two commits neither, and the resumed job runs that device again cleanly."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from cryptography.fernet import Fernet

from netatlas.domain.inventory import Credential, InventoryDevice
from netatlas.domain.records import DataType, DeviceResult, DeviceStatus, ErrorKind, JobStatus, MacEntry
from netatlas.jobs.engine import DiscoveryEngine, RetryPolicy
from netatlas.jobs.ports import DeviceUpdate
from netatlas.jobs.storeport import DatabaseJobStore
from netatlas.secrets import SecretBox
from netatlas.store import Database, JobRepo, SnapshotRepo
from tests.integration.store import factories

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]
DONE = DeviceUpdate(DeviceStatus.COMPLETED, step="")


class Store(DatabaseJobStore):
    def credential(self, name: str) -> Credential:
        return Credential(name, "netops", "pw-lab-1")


def _store(db: Database, *, in_pool: bool = True) -> Store:
    """``in_pool=False``: ``finish`` in this process, where a crash can be injected (the pool worker, used
    whenever it can open the database, runs the same ``storeport.finish`` on its own connection)."""
    return Store(db, SecretBox(Fernet.generate_key()), in_pool=in_pool)


def _job(db: Database, running: tuple[str, ...] = ()) -> str:
    """A job of sw1..sw3, with ``running`` devices left running (as a worker that died leaves them)."""
    with db.session() as session:
        jobs = JobRepo(session)
        job_id = jobs.create([factories.device(f"sw{i}", i) for i in (1, 2, 3)], {"data_types": ["cdp"]})
        for name in running:
            jobs.update_device(job_id, name, DeviceStatus.RUNNING, attempt=1)
    return job_id


def _state(db: Database, job_id: str) -> tuple[dict[str, DeviceStatus], list[str], tuple[int, int]]:
    """Device statuses, the devices holding a snapshot in the job, and the job's (completed, failed) counts."""
    with db.session(readonly=True) as session:
        detail = JobRepo(session).show(job_id)
        snapshots = [s.device_name for s in SnapshotRepo(session).of_job(job_id)]
    counts = (detail.job.counts.completed, detail.job.counts.failed)
    return {d.device_name: d.status for d in detail.devices}, snapshots, counts


def test_the_snapshot_and_the_final_status_commit_together(db: Database) -> None:
    job_id = _job(db, running=("sw1",))
    _store(db).finish_device(job_id, factories.result("sw1"), DONE)
    statuses, snapshots, counts = _state(db, job_id)
    assert statuses["sw1"] is DeviceStatus.COMPLETED and snapshots == ["sw1"] and counts == (1, 0)


@pytest.mark.parametrize("crash", [RuntimeError("status write failed"), KeyboardInterrupt()], ids=type)
def test_a_crash_after_the_snapshot_insert_commits_neither(db: Database, crash: BaseException,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    job_id = _job(db, running=("sw1",))
    inserted: list[int] = []
    save = SnapshotRepo.save

    def save_then_remember(repo: SnapshotRepo, *args: Any, **kwargs: Any) -> int:
        inserted.append(save(repo, *args, **kwargs))
        return inserted[-1]

    def crash_on_status(*args: Any, **kwargs: Any) -> None:
        raise crash

    monkeypatch.setattr(SnapshotRepo, "save", save_then_remember)
    monkeypatch.setattr(JobRepo, "update_device", crash_on_status)
    with pytest.raises(type(crash)):
        _store(db, in_pool=False).finish_device(job_id, factories.result("sw1"), DONE)
    assert inserted, "the snapshot was inserted before the crash"
    statuses, snapshots, counts = _state(db, job_id)
    assert statuses["sw1"] is DeviceStatus.RUNNING and snapshots == [] and counts == (0, 0)


def _killed(*args: Any, **kwargs: Any) -> None:
    raise KeyboardInterrupt  # the process stopped right there


def test_a_resumed_job_runs_the_unfinished_device_again_cleanly(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    job_id = _job(db, running=("sw1",))
    with monkeypatch.context() as patch:  # the first run dies between sw1's snapshot and its status
        patch.setattr(JobRepo, "update_device", _killed)
        with pytest.raises(KeyboardInterrupt):
            _store(db, in_pool=False).finish_device(job_id, factories.result("sw1"), DONE)
    collected: list[str] = []

    async def collect(device: InventoryDevice, credential: Credential, wanted: frozenset[DataType], *,
                      should_stop: Callable[[], Awaitable[bool]],
                      on_step: Callable[[str], Awaitable[None]]) -> DeviceResult:
        collected.append(device.name)
        return factories.result(device.name)

    engine = DiscoveryEngine(_store(db), collect, retry=RetryPolicy(attempts=1))
    assert asyncio.run(engine.run(job_id, frozenset({DataType.CDP}))) is JobStatus.COMPLETED
    assert sorted(collected) == ["sw1", "sw2", "sw3"]
    statuses, snapshots, counts = _state(db, job_id)
    assert set(statuses.values()) == {DeviceStatus.COMPLETED} and counts == (3, 0)
    assert sorted(snapshots) == ["sw1", "sw2", "sw3"], "one snapshot per device, none left from the crash"


def test_finishing_a_device_twice_keeps_the_first(db: Database) -> None:
    """A repeated delivery (a task run twice) neither duplicates the snapshot nor moves the counts."""
    job_id = _job(db, running=("sw1",))
    store = _store(db)
    store.finish_device(job_id, factories.result("sw1"), DONE)
    store.finish_device(job_id, factories.failed("sw1"), DeviceUpdate(DeviceStatus.FAILED, step=""))
    statuses, snapshots, counts = _state(db, job_id)
    assert statuses["sw1"] is DeviceStatus.COMPLETED and snapshots == ["sw1"] and counts == (1, 0)
    with db.session(readonly=True) as session:
        assert SnapshotRepo(session).of_job(job_id)[0].ok


def test_a_result_the_database_refuses_fails_that_device_not_the_job(db: Database) -> None:
    """A value the database cannot hold (here a MAC entry without a VLAN, as a parser bug would give)
    is that device's ``internal`` failure; the job and the other devices complete."""
    job_id = _job(db)

    async def collect(device: InventoryDevice, credential: Credential, wanted: frozenset[DataType], *,
                      should_stop: Callable[[], Awaitable[bool]],
                      on_step: Callable[[str], Awaitable[None]]) -> DeviceResult:
        result = factories.result(device.name)
        if device.name == "sw2":
            result.records.mac_table.append(MacEntry("00:11:22:33:44:55", None, "Gi0/1"))  # type: ignore[arg-type]
        return result

    engine = DiscoveryEngine(_store(db), collect, retry=RetryPolicy(attempts=1))
    assert asyncio.run(engine.run(job_id, frozenset({DataType.MAC}))) is JobStatus.COMPLETED
    statuses, snapshots, counts = _state(db, job_id)
    assert statuses == {"sw1": DeviceStatus.COMPLETED, "sw2": DeviceStatus.FAILED, "sw3": DeviceStatus.COMPLETED}
    assert sorted(snapshots) == ["sw1", "sw2", "sw3"] and counts == (2, 1)
    with db.session(readonly=True) as session:
        sw2 = next(d for d in JobRepo(session).show(job_id).devices if d.device_name == "sw2")
        stored = {s.device_name: s for s in SnapshotRepo(session).of_job(job_id)}
    assert sw2.error_kind is ErrorKind.INTERNAL and "the database refused sw2's result" in sw2.error
    assert not stored["sw2"].ok and stored["sw2"].error == sw2.error  # the failure is stored, without the records
