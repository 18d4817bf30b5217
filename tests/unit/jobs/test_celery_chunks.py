"""Chunked runs of a job (what each Celery task does), over SQLite with a fake collector.

No broker and no worker here: ``DiscoveryService.run_chunk`` is called as a task calls it, and the
tests check what the Celery semantics rest on: a job owned by the workers, started once and never
brought back once ended; whichever chunk finishes last ends the job, exactly once; a redelivered
chunk runs only what is unfinished (a device left ``running`` by a dead worker runs again) and
stores nothing twice; a cancelled job ends as soon as none of its devices runs; crawled neighbors
are in the job before the device that found them is final, and handed to ``dispatch``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from ipaddress import IPv4Network
from pathlib import Path

import pytest

from netatlas.domain.inventory import Credential, InventoryDevice
from netatlas.domain.records import DataType, DeviceResult, DeviceStatus, ErrorKind, Facts, JobStatus, Neighbor
from netatlas.inventory import Inventory
from netatlas.jobs import distributed
from netatlas.jobs.crawl import CrawlOptions
from netatlas.jobs.discovery import DiscoveryRequest, DiscoveryService
from netatlas.jobs.recovery import recover_jobs
from netatlas.secrets import SecretBox
from netatlas.settings import load_settings
from netatlas.store import Database, JobRepo, SnapshotRepo
from netatlas.store.tables import JobRow

TYPES = frozenset({DataType.CDP})
NX = ("cisco N9K-C93180YC-FX", "Router Switch")


@dataclass
class Collector:
    """Answers each device after ``delay`` s with its facts and the ``neighbors`` named for it."""

    delay: float = 0.0
    neighbors: dict[str, list[Neighbor]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    rows_seen: dict[str, list[str]] = field(default_factory=dict)  # names in the job when a device was done

    async def __call__(self, device: InventoryDevice, credential: Credential, wanted: frozenset[DataType], *,
                       should_stop: Callable[[], Awaitable[bool]],
                       on_step: Callable[[str], Awaitable[None]]) -> DeviceResult:
        self.calls.append(device.name)
        waited = 0.0
        while waited < self.delay:
            if await should_stop():
                return DeviceResult(device.name, ok=False, error_kind=ErrorKind.CANCELLED, error="stopped")
            await asyncio.sleep(0.01)
            waited += 0.01
        result = DeviceResult(device.name, ok=True)
        result.records.facts = Facts(device.name, model="fake")
        result.records.neighbors = list(self.neighbors.get(device.name, []))
        return result


@dataclass
class World:
    db: Database
    box: SecretBox
    devices: list[InventoryDevice]

    def service(self, collector: Collector) -> DiscoveryService:
        settings = load_settings(database_url=str(self.db.url), retries=1)
        return DiscoveryService(self.db, self.box, settings, collect=collector)

    def job(self, crawl: CrawlOptions | None = None, devices: list[InventoryDevice] | None = None) -> str:
        with self.db.session() as session:
            job_id = JobRepo(session).create(devices or self.devices,
                                             DiscoveryRequest(TYPES, 10, crawl).options(), owner_pid=os.getpid())
        distributed.hand_over(self.db, job_id)
        return job_id

    def detail(self, job_id: str) -> dict[str, DeviceStatus]:
        with self.db.session(readonly=True) as session:
            return {d.device_name: d.status for d in JobRepo(session).show(job_id).devices}

    def status(self, job_id: str) -> JobStatus:
        with self.db.session(readonly=True) as session:
            return JobRepo(session).get(job_id).status

    def snapshots(self, job_id: str) -> list[str]:
        with self.db.session(readonly=True) as session:
            return sorted(s.device_name for s in SnapshotRepo(session).of_job(job_id))


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


def test_the_job_is_owned_by_the_workers_so_its_creator_dying_does_not_interrupt_it(world: World) -> None:
    job_id = world.job()
    with world.db.session(readonly=True) as session:
        job = JobRepo(session).get(job_id)
    assert (job.owner_host, job.owner_pid, job.status) == ("celery", 0, JobStatus.PENDING)
    assert recover_jobs(world.db) == []  # queued: never abandoned
    assert distributed.begin(world.db, job_id) is True
    assert recover_jobs(world.db) == []  # running, with a fresh heartbeat from a chunk


def test_chunks_end_the_job_once_whichever_finishes_last(world: World) -> None:
    job_id = world.job()
    service = world.service(Collector(delay=0.05))
    names = [d.name for d in world.devices]

    async def run() -> list[JobStatus | None]:
        return await asyncio.gather(*(service.run_chunk(job_id, chunk) for chunk in distributed.split(names, 2)))

    ended = asyncio.run(run())
    assert [s for s in ended if s is not None] == [JobStatus.COMPLETED]  # exactly one chunk ended it
    assert world.status(job_id) is JobStatus.COMPLETED
    assert set(world.detail(job_id).values()) == {DeviceStatus.COMPLETED}
    assert world.snapshots(job_id) == sorted(names)


def test_a_chunk_that_is_not_the_last_leaves_the_job_running(world: World) -> None:
    job_id = world.job()
    assert asyncio.run(world.service(Collector()).run_chunk(job_id, ["sw0", "sw1"])) is None
    assert world.status(job_id) is JobStatus.RUNNING
    assert world.detail(job_id)["sw2"] is DeviceStatus.PENDING


def test_a_redelivered_chunk_reruns_what_its_dead_worker_left_running_and_stores_nothing_twice(world: World) -> None:
    job_id = world.job()
    first = Collector()
    asyncio.run(world.service(first).run_chunk(job_id, ["sw0"]))
    with world.db.session() as session:  # sw1 was running when its worker died
        JobRepo(session).update_device(job_id, "sw1", DeviceStatus.RUNNING, attempt=1)
    again = Collector()
    asyncio.run(world.service(again).run_chunk(job_id, ["sw0", "sw1"]))
    assert again.calls == ["sw1"]  # sw0 was final: skipped
    assert world.detail(job_id)["sw1"] is DeviceStatus.COMPLETED
    asyncio.run(world.service(again).run_chunk(job_id, ["sw0", "sw1"]))  # delivered a third time
    assert again.calls == ["sw1"] and world.snapshots(job_id) == ["sw0", "sw1"]


def test_a_chunk_of_an_ended_job_does_nothing_and_never_brings_it_back(world: World) -> None:
    job_id = world.job()
    with world.db.session() as session:
        JobRepo(session).finish(job_id, JobStatus.INTERRUPTED, "recovered")
    collector = Collector()
    assert asyncio.run(world.service(collector).run_chunk(job_id, ["sw0"])) is None
    assert collector.calls == [] and world.status(job_id) is JobStatus.INTERRUPTED
    assert distributed.begin(world.db, job_id) is False
    with world.db.session(readonly=True) as session:
        assert session.get(JobRow, job_id).status == JobStatus.INTERRUPTED.value  # type: ignore[union-attr]


def test_cancel_ends_the_job_when_nothing_runs_and_queued_chunks_then_run_nothing(world: World) -> None:
    job_id = world.job()
    asyncio.run(world.service(Collector()).run_chunk(job_id, ["sw0", "sw1"]))
    assert world.service(Collector()).cancel(job_id) is True
    assert distributed.end_if_done(world.db, job_id) is JobStatus.CANCELLED
    assert distributed.end_if_done(world.db, job_id) is None  # once
    late = Collector()
    asyncio.run(world.service(late).run_chunk(job_id, ["sw2", "sw3"]))  # a chunk that was not revoked in time
    assert late.calls == []
    states = world.detail(job_id)
    assert states["sw0"] is DeviceStatus.COMPLETED and states["sw2"] is DeviceStatus.CANCELLED


def test_a_cancel_while_a_chunk_runs_stops_it_and_the_chunk_ends_the_job(world: World) -> None:
    job_id = world.job()
    service = world.service(Collector(delay=5.0))

    async def run() -> JobStatus | None:
        chunk = asyncio.create_task(service.run_chunk(job_id, ["sw0", "sw1"]))
        while world.detail(job_id)["sw0"] is not DeviceStatus.RUNNING:
            await asyncio.sleep(0.01)
        assert await asyncio.to_thread(service.cancel, job_id)
        assert await asyncio.to_thread(distributed.end_if_done, world.db, job_id) is None  # sw0 still runs
        return await asyncio.wait_for(chunk, 4.0)

    assert asyncio.run(run()) is JobStatus.CANCELLED
    assert set(world.detail(job_id).values()) == {DeviceStatus.CANCELLED}


def test_a_crawl_chunk_adds_neighbors_before_its_device_is_final_and_dispatches_them(world: World) -> None:
    crawl = CrawlOptions(depth=2, allow=(IPv4Network("10.9.0.0/16"),), credentials="lab")
    job_id = world.job(crawl, devices=world.devices[:1])
    found = Neighbor("cdp", "Ethernet1/1", "edge1", "Ethernet1/2", mgmt_ip="10.9.0.1", remote_platform=NX[0],
                     capabilities=NX[1])
    collector = Collector(neighbors={"sw0": [found]})
    service = world.service(collector)
    dispatched: list[tuple[list[str], int]] = []

    def dispatch(names: list[str], depth: int) -> None:
        assert world.detail(job_id)["sw0"] is DeviceStatus.RUNNING  # queued before sw0 is final
        dispatched.append((names, depth))

    assert asyncio.run(service.run_chunk(job_id, ["sw0"], dispatch=dispatch)) is None  # edge1 is pending
    assert dispatched == [(["edge1"], 1)]
    assert world.detail(job_id) == {"sw0": DeviceStatus.COMPLETED, "edge1": DeviceStatus.PENDING}
    assert asyncio.run(service.run_chunk(job_id, ["edge1"], depth=1, dispatch=dispatch)) is JobStatus.COMPLETED
    assert dispatched == [(["edge1"], 1)]  # sw0, advertised back by nobody, is not added twice


def test_neighbors_that_cannot_be_queued_fail_with_why_so_the_job_still_ends(world: World) -> None:
    crawl = CrawlOptions(depth=2, allow=(IPv4Network("10.9.0.0/16"),), credentials="lab")
    job_id = world.job(crawl, devices=world.devices[:1])
    found = Neighbor("cdp", "Ethernet1/1", "edge1", "Ethernet1/2", mgmt_ip="10.9.0.1", remote_platform=NX[0],
                     capabilities=NX[1])
    service = world.service(Collector(neighbors={"sw0": [found]}))

    def broker_down(names: list[str], depth: int) -> None:
        from netatlas.domain.errors import NetatlasError

        raise NetatlasError("the broker did not take them")

    assert asyncio.run(service.run_chunk(job_id, ["sw0"], dispatch=broker_down)) is JobStatus.COMPLETED
    with world.db.session(readonly=True) as session:
        edge = {d.device_name: d for d in JobRepo(session).show(job_id).devices}["edge1"]
    assert edge.status is DeviceStatus.FAILED and edge.error_kind is ErrorKind.INTERNAL
    assert "could not be queued" in edge.error
