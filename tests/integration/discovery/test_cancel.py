"""Cancelling a running job: it ends ``cancelled``, what finished is kept, nothing starts afterwards.

The lab answers every command 200 ms late and the job reads 5 devices at a time, so a job lasts
seconds. Once a few devices completed (and the next ones are a few commands in), cancel is
requested: through ``JobRepo`` in process, and through ``netatlas jobs cancel`` against a
``netatlas discover`` subprocess.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Network
from pathlib import Path

import pytest

from netatlas.domain.records import DataType, DeviceStatus, ErrorKind, JobStatus
from netatlas.jobs.discovery import DiscoveryRequest
from netatlas.jobs.engine import CANCEL_POLL_S
from netatlas.lab.background import BackgroundLab
from netatlas.lab.runtime import Lab
from netatlas.store import JobDetail, JobRepo, SnapshotRepo
from tests.integration.discovery.helpers import (
    CLI,
    Discovery,
    cli,
    cli_env,
    make_lab,
    truth_mismatches,
    write_inventory,
)

pytestmark = pytest.mark.integration

NETWORK = IPv4Network("127.66.0.0/16")
DEVICES = 20
CONCURRENCY = 5
LATENCY_MS = 200
CANCEL_AFTER = 3  # devices completed
MID_RUN_S = 1.0  # then wait so that the next devices are a few commands in when the cancel comes
# A device may start while the engine's cached cancel flag is still fresh (it is re-read every
# CANCEL_POLL_S), plus the database round trips.
STALE = timedelta(seconds=CANCEL_POLL_S + 0.3)


@dataclass(frozen=True, slots=True)
class Cancelled:
    discovery: Discovery
    job_id: str
    cancel_at: datetime
    accepted: bool
    status: JobStatus
    detail: JobDetail


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    prepared = make_lab("mixed", DEVICES, NETWORK)
    with BackgroundLab(prepared, latency_ms=LATENCY_MS):
        yield prepared


@pytest.fixture(scope="module")
def inventory(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_inventory(lab.inventory(), tmp_path_factory.mktemp("inv") / "lab.yaml")


def _completed(discovery: Discovery, job_id: str) -> int:
    with discovery.db.session(readonly=True) as session:
        return JobRepo(session).get(job_id).counts.completed


async def _run_and_cancel(discovery: Discovery, job_id: str,
                          request: DiscoveryRequest) -> tuple[datetime, bool, JobStatus]:
    job = asyncio.create_task(discovery.service.run(job_id, request))
    while await asyncio.to_thread(_completed, discovery, job_id) < CANCEL_AFTER:
        assert not job.done(), "the job ended before it could be cancelled"
        await asyncio.sleep(0.05)
    await asyncio.sleep(MID_RUN_S)
    assert not job.done(), "the job ended before it could be cancelled"
    cancel_at = datetime.now(UTC)
    accepted = await asyncio.to_thread(discovery.service.cancel, job_id)
    return cancel_at, accepted, await job


@pytest.fixture(scope="module")
def cancelled(inventory: Path, db_url: str, home: Path) -> Iterator[Cancelled]:
    discovery = Discovery.open(db_url, home)
    job_id, request = discovery.start(discovery.import_file(inventory), concurrency=CONCURRENCY)
    cancel_at, accepted, status = asyncio.run(_run_and_cancel(discovery, job_id, request))
    try:
        yield Cancelled(discovery, job_id, cancel_at, accepted, status, discovery.detail(job_id))
    finally:
        discovery.close()


def test_the_job_ends_cancelled(cancelled: Cancelled) -> None:
    job = cancelled.detail.job
    assert cancelled.accepted and cancelled.status is JobStatus.CANCELLED and job.status is JobStatus.CANCELLED
    assert job.finished_at is not None and job.finished_at >= cancelled.cancel_at
    counts = job.counts
    assert CANCEL_AFTER <= counts.completed < DEVICES - CONCURRENCY
    assert (counts.completed + counts.cancelled, counts.failed, counts.total) == (DEVICES, 0, DEVICES)


def test_finished_devices_keep_their_snapshots(cancelled: Cancelled, lab: Lab) -> None:
    done = {d.device_name for d in cancelled.detail.devices if d.status is DeviceStatus.COMPLETED}
    assert len(done) >= CANCEL_AFTER
    problems = [p for d in lab.devices if d.state.hostname in done
                for p in truth_mismatches(cancelled.discovery.db, d, job_id=cancelled.job_id)]
    assert not problems, "\n".join(problems[:10])


def test_the_rest_are_cancelled_and_none_started_after_the_cancel(cancelled: Cancelled) -> None:
    rest = [d for d in cancelled.detail.devices if d.status is not DeviceStatus.COMPLETED]
    assert rest and all(d.status is DeviceStatus.CANCELLED and d.error_kind is ErrorKind.CANCELLED for d in rest)
    late = [(d.device_name, d.started_at) for d in cancelled.detail.devices
            if d.started_at is not None and d.started_at > cancelled.cancel_at + STALE]
    assert late == []
    never = [d.device_name for d in rest if d.started_at is None]
    assert len(never) >= DEVICES - 3 * CONCURRENCY, "devices still queued at the cancel never start"
    assert all(d.started_at is None or d.started_at <= cancelled.cancel_at
               for d in cancelled.detail.devices if d.status is DeviceStatus.COMPLETED)


def test_a_device_cancelled_mid_run_keeps_what_it_collected(cancelled: Cancelled) -> None:
    interrupted = [d.device_name for d in cancelled.detail.devices
                   if d.status is DeviceStatus.CANCELLED and d.started_at is not None]
    assert interrupted, "devices were running when the cancel came"
    with cancelled.discovery.db.session(readonly=True) as session:
        repo = SnapshotRepo(session)
        snapshots = [repo.history(name)[0] for name in interrupted]
        assert all(s.job_id == cancelled.job_id and not s.ok and s.error_kind is ErrorKind.CANCELLED
                   for s in snapshots)
        assert any(repo.raw(s.id) for s in snapshots), "commands finished before the cancel are kept"
        assert all(repo.latest(name, DataType.FACTS) is None for name in interrupted), "not a current state"


def test_cancel_through_the_cli(cancelled: Cancelled, inventory: Path, db_url: str, home: Path) -> None:
    args = [*CLI, "discover", "--inventory", str(inventory), "--concurrency", str(CONCURRENCY), "--db", db_url,
            "--json"]
    with subprocess.Popen(args, env=cli_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as process:
        job_id = _wait_for_completed(cancelled.discovery, cancelled.job_id, process)
        done = cli(["jobs", "cancel", job_id, "--db", db_url], home)
        stdout, stderr = process.communicate(timeout=60)
    assert done.returncode == 0 and f"job {job_id}: cancelling" in done.stdout, done.stderr
    assert process.returncode == 2, stderr
    summary = json.loads(stdout)
    assert summary["job_id"] == job_id and summary["status"] == "cancelled"
    statuses = {d["status"] for d in summary["devices"]}
    assert statuses == {"completed", "cancelled"}
    assert all(d["error_kind"] == "cancelled" for d in summary["devices"] if d["status"] == "cancelled")
    again = cli(["jobs", "cancel", job_id, "--db", db_url], home)
    assert again.returncode == 0 and "already finished" in again.stdout


def _wait_for_completed(discovery: Discovery, other: str, process: subprocess.Popen[str]) -> str:
    """The subprocess's job id, once it has CANCEL_AFTER completed devices."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "discover ended before it could be cancelled"
        with discovery.db.session(readonly=True) as session:
            jobs = [j for j in JobRepo(session).list(limit=5) if j.id != other]
        if jobs and jobs[0].counts.completed >= CANCEL_AFTER:
            return jobs[0].id
        time.sleep(0.05)
    raise AssertionError("the CLI job never completed a device")
