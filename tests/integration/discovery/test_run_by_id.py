"""A job is rows, not a process: one ``DiscoveryService`` starts it, ANOTHER (its own database handle,
as another process or a worker has) runs it to the end knowing only the job id, the request read back
from the job row; a job whose runner died is resumed where it stopped; no service keeps a result.

Over the campus lab (real SSH, ntc-templates) on SQLite and PostgreSQL: an inventory job checked
against the lab's truth, and a crawl from one seed address whose allowed ranges, depth, credential set
and requester come back from the row.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Network
from pathlib import Path

import pytest

from netatlas.domain.errors import NetatlasError
from netatlas.domain.records import DataType, DeviceStatus, JobStatus
from netatlas.jobs.crawl import CrawlOptions
from netatlas.jobs.discovery import DiscoveryRequest, DiscoveryService, JobBusy
from netatlas.jobs.liveness import this_process
from netatlas.lab.background import BackgroundLab
from netatlas.lab.runtime import CREDENTIALS_NAME, Lab
from netatlas.store import JobRepo, SnapshotRepo
from tests.integration.discovery.helpers import ALL_TYPES, Discovery, make_lab, truth_mismatches, write_inventory

pytestmark = pytest.mark.integration

NETWORK = IPv4Network("127.75.0.0/16")
DEVICES = 14
SEED_NAME = "core1"


@dataclass(frozen=True, slots=True)
class Two:
    """Two services over the same database, each with its own handle: one starts, the other runs."""

    lab: Lab
    starter: Discovery
    runner: Discovery
    inventory: Path


@pytest.fixture(scope="module")
def two(db_url: str, home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Two]:
    lab = make_lab("campus", DEVICES, NETWORK)
    inventory = write_inventory(lab.inventory(), tmp_path_factory.mktemp("inv") / "lab.yaml")
    starter, runner = Discovery.open(db_url, home), Discovery.open(db_url, home)
    try:
        with BackgroundLab(lab):
            yield Two(lab, starter, runner, inventory)
    finally:
        starter.close()
        runner.close()


def state(service: DiscoveryService) -> dict[str, object]:
    """Everything a service instance holds (it has slots and no ``__dict__``)."""
    return {name: getattr(service, name) for name in type(service).__slots__}


def unmanaged_truth(lab: Lab) -> set[str]:
    return {n["id"] for n in lab.truth()["nodes"] if n["kind"] == "unmanaged"}


def test_a_job_started_by_one_service_is_run_to_the_end_by_another_knowing_only_its_id(two: Two) -> None:
    devices = two.starter.import_file(two.inventory)
    request = DiscoveryRequest(ALL_TYPES, 6, requested_by="alice")
    job_id = two.starter.service.start(devices, request)
    held_by = state(two.runner.service), state(two.starter.service)
    assert two.runner.run_job(job_id) is JobStatus.COMPLETED
    assert (state(two.runner.service), state(two.starter.service)) == held_by, "no service keeps a result"
    detail = two.runner.detail(job_id)
    assert detail.job.status is JobStatus.COMPLETED and detail.job.requested_by == "alice"
    assert detail.job.counts.completed == detail.job.counts.total == DEVICES
    assert DiscoveryRequest.from_options(two.starter.detail(job_id).job.options) == request
    owner = this_process()
    assert (detail.job.owner_host, detail.job.owner_pid) == (owner.host, owner.pid)
    for device in two.lab.devices:
        assert truth_mismatches(two.starter.db, device, frozenset(ALL_TYPES), job_id) == []


def test_a_crawl_is_rebuilt_from_the_row_and_its_unmanaged_neighbors_are_read_from_the_store(two: Two) -> None:
    crawl = CrawlOptions(depth=10, allow=(NETWORK,), credentials=CREDENTIALS_NAME, port=two.lab.port)

    def refuse(seed: str, exc: NetatlasError) -> None:
        raise AssertionError(f"seed {seed}: {exc}")

    address = next(d.address for d in two.lab.devices if d.state.hostname == SEED_NAME)
    seeds = asyncio.run(two.starter.service.resolve_seeds([address], crawl, refuse))
    request = DiscoveryRequest(frozenset({DataType.CDP, DataType.LLDP}), 8, crawl, "bob")
    job_id = two.starter.service.start(seeds, request)
    assert [d.device_name for d in two.starter.detail(job_id).devices] == [SEED_NAME]
    assert two.runner.run_job(job_id) is JobStatus.COMPLETED
    detail = two.runner.detail(job_id)
    assert sorted(d.device_name for d in detail.devices) == sorted(d.state.hostname for d in two.lab.devices)
    assert detail.job.counts.completed == DEVICES
    unmanaged = two.starter.unmanaged(job_id)  # read by the other service's database handle
    assert {u.name for u in unmanaged} == unmanaged_truth(two.lab)
    assert {u.reason for u in unmanaged} == {"outside --allow"}
    assert not hasattr(two.runner.service, "unmanaged") and not hasattr(two.starter.service, "unmanaged")


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    return done.pid


def test_a_job_whose_runner_died_is_resumed_by_another_service_without_reading_a_device_twice(two: Two) -> None:
    devices = two.starter.import_file(two.inventory)
    request = DiscoveryRequest(frozenset({DataType.CDP, DataType.MAC}), 4)
    job_id = two.starter.service.start(devices, request)
    finished, interrupted = devices[:5], devices[5]
    with two.starter.db.session() as session:  # a runner that read five devices, was mid-way on one, and died
        jobs = JobRepo(session)
        jobs.claim(job_id, this_process().host, dead_pid())
        for device in finished:
            jobs.update_device(job_id, device.name, DeviceStatus.RUNNING, attempt=1)
            jobs.update_device(job_id, device.name, DeviceStatus.COMPLETED, step="")
        jobs.update_device(job_id, interrupted.name, DeviceStatus.RUNNING, attempt=1, step="show mac address-table")
    assert two.runner.run_job(job_id) is JobStatus.COMPLETED
    detail = two.runner.detail(job_id)
    assert detail.job.status is JobStatus.COMPLETED and detail.job.counts.completed == DEVICES
    assert (detail.job.owner_host, detail.job.owner_pid) == (this_process().host, this_process().pid)
    with two.runner.db.session(readonly=True) as session:
        read = [s.device_name for s in SnapshotRepo(session).of_job(job_id)]
    assert sorted(read) == sorted(d.name for d in devices[5:]), "the five finished devices were not read again"


def test_a_job_running_in_a_live_process_is_not_run_twice(two: Two) -> None:
    devices = two.starter.import_file(two.inventory)
    job_id = two.starter.service.start(devices[:2], DiscoveryRequest(frozenset({DataType.CDP}), 2))
    with two.starter.db.session() as session:
        JobRepo(session).claim(job_id, this_process().host, this_process().pid)  # this process runs it
    with pytest.raises(JobBusy, match=f"job {job_id} is already running"):
        two.runner.run_job(job_id)
    detail = two.runner.detail(job_id)
    assert detail.job.status is JobStatus.RUNNING
    assert {d.status for d in detail.devices} == {DeviceStatus.PENDING}
    with two.starter.db.session() as session:
        JobRepo(session).finish(job_id, JobStatus.CANCELLED, "test over")
