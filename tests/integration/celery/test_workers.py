"""Two real ``netatlas worker`` processes run a discovery job from a lab over SSH, on PostgreSQL.

First with no worker at all: health counts 0 workers, the job waits in the queue, and its task
messages (read raw from Redis) carry ids only. Then two workers start and run it: every device
ends final with data equal to the lab truth and one snapshot per device. Then a second job, during
which one worker is killed with SIGKILL: Redis delivers its unacknowledged chunks again (after the
visibility timeout, ~25 s with these settings) and the job still completes, no device lost and none
stored twice.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from ipaddress import IPv4Network
from pathlib import Path

import pytest
from sqlalchemy import func, select

from netatlas.domain.records import DeviceStatus, JobStatus
from netatlas.jobs.celery_app import QUEUE
from netatlas.jobs.celery_executor import CeleryExecutor
from netatlas.lab.background import BackgroundLab
from netatlas.lab.runtime import Lab
from netatlas.store import JobDetail
from netatlas.store.tables import SnapshotRow
from tests.integration.celery.conftest import RedisServer, Workers
from tests.integration.discovery.helpers import (
    ALL_TYPES,
    CLI,
    Discovery,
    free_port,
    make_lab,
    truth_mismatches,
    write_inventory,
)

pytestmark = pytest.mark.integration

NETWORK = IPv4Network("127.104.0.0/16")
DEVICES = 24
LATENCY_MS = 50  # per command: a job lasts several seconds, so a worker can be killed mid-way
JOB_S = 180.0  # a loaded machine


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    prepared = make_lab("mixed", DEVICES, NETWORK)
    with BackgroundLab(prepared, latency_ms=LATENCY_MS):
        yield prepared


@pytest.fixture(scope="module")
def inventory(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_inventory(lab.inventory(), tmp_path_factory.mktemp("inv") / "lab.yaml")


def wait_final(discovery: Discovery, job_id: str, timeout: float = JOB_S, workers: Workers | None = None) -> JobDetail:
    deadline = time.monotonic() + timeout
    while True:
        detail = discovery.detail(job_id)
        if detail.job.status.final:
            return detail
        if time.monotonic() >= deadline:  # say where each device stands and what the workers logged
            rows = [(d.device_name, d.status.value, d.step, d.error) for d in detail.devices if not d.status.final]
            pytest.fail(f"job {job_id} still {detail.job.status} after {timeout:.0f} s; unfinished: {rows}\n"
                        + (workers.log_tail() if workers is not None else ""))
        time.sleep(0.2)


def snapshots_per_device(discovery: Discovery, job_id: str) -> dict[str, int]:
    with discovery.db.session(readonly=True) as session:
        rows = session.execute(select(SnapshotRow.device_name, func.count()).where(SnapshotRow.job_id == job_id)
                               .group_by(SnapshotRow.device_name))
        return {name: count for name, count in rows}


def queued_messages(broker: RedisServer) -> list[dict[str, object]]:
    client = broker.client()
    try:
        return [json.loads(raw) for raw in client.lrange(QUEUE, 0, -1)]
    finally:
        client.close()


def test_no_worker_the_job_waits_and_its_tasks_carry_ids_only(
        discovery: Discovery, executor: CeleryExecutor, broker: RedisServer, inventory: Path, lab: Lab,
        workers: Workers) -> None:
    health = executor.health(fresh=True)
    assert health["ok"] is True and health["workers"] == 0
    devices = discovery.import_file(inventory)
    job_id, _ = discovery.start(devices)
    executor.submit(job_id)
    time.sleep(1.0)
    assert discovery.detail(job_id).job.status is JobStatus.PENDING  # no one consumes it
    messages = queued_messages(broker)
    assert messages, "nothing queued"
    secrets = (lab.credentials.password, lab.credentials.enable_secret)
    names: list[str] = []
    for message in messages:
        raw = json.dumps(message)
        assert not any(s in raw for s in secrets), "a credential went into a task message"
        args, kwargs, _ = json.loads(base64.b64decode(str(message["body"])))
        assert message["headers"]["task"] == "netatlas.discovery.chunk"  # type: ignore[index]
        assert kwargs == {} and args[0] == job_id and args[2] == 0
        assert all(isinstance(n, str) for n in args[1])
        names += args[1]
    assert sorted(names) == sorted(d.name for d in devices)  # every device queued once
    assert len(messages) > 2  # in chunks, so several workers share the job

    workers.start(2)
    workers.wait_ready(executor, 2)
    detail = wait_final(discovery, job_id)
    assert detail.job.status is JobStatus.COMPLETED, workers.log_tail()
    assert {d.status for d in detail.devices} == {DeviceStatus.COMPLETED}, \
        [(d.device_name, d.status, d.error) for d in detail.devices if d.status is not DeviceStatus.COMPLETED]
    assert detail.job.owner_host == "celery"  # owned by the workers, not by the process that created it
    problems = [p for d in lab.devices for p in truth_mismatches(discovery.db, d, ALL_TYPES, job_id=job_id)]
    assert not problems, "\n".join(problems[:10])
    assert snapshots_per_device(discovery, job_id) == {d.name: 1 for d in devices}


def test_a_worker_killed_mid_job_loses_nothing_and_stores_nothing_twice(
        discovery: Discovery, executor: CeleryExecutor, workers: Workers, lab: Lab) -> None:
    if len([p for p in workers.processes if p.poll() is None]) < 2:
        workers.start(2 - len(workers.processes))
        workers.wait_ready(executor, 2)
    devices = discovery.service.devices()
    job_id, _ = discovery.start(devices)
    executor.submit(job_id)
    deadline = time.monotonic() + JOB_S
    while discovery.detail(job_id).job.counts.completed < 2:
        assert time.monotonic() < deadline, workers.log_tail()
        time.sleep(0.05)
    victim = workers.processes[0]
    workers.kill(victim)
    running = [d.device_name for d in discovery.detail(job_id).devices if d.status is DeviceStatus.RUNNING]
    detail = wait_final(discovery, job_id, workers=workers)
    assert detail.job.status is JobStatus.COMPLETED, workers.log_tail()
    assert {d.status for d in detail.devices} == {DeviceStatus.COMPLETED}, \
        [(d.device_name, d.status, d.error) for d in detail.devices if d.status is not DeviceStatus.COMPLETED]
    assert running, "no device was running when the worker was killed"
    assert snapshots_per_device(discovery, job_id) == {d.name: 1 for d in devices}
    problems = [p for d in lab.devices for p in truth_mismatches(discovery.db, d, ALL_TYPES, job_id=job_id)]
    assert not problems, "\n".join(problems[:10])


def test_netatlas_discover_with_a_broker_runs_on_the_workers(
        discovery: Discovery, executor: CeleryExecutor, workers: Workers, inventory: Path) -> None:
    if len([p for p in workers.processes if p.poll() is None]) < 2:
        workers.start(1)
        workers.wait_ready(executor, 2)
    done = subprocess.run([*CLI, "discover", "--inventory", str(inventory), "--only", "cdp,lldp", "--json"],
                          env=workers.env, capture_output=True, text=True, timeout=JOB_S, check=False)
    assert done.returncode == 0, done.stderr + workers.log_tail()
    report = json.loads(done.stdout)
    assert report["status"] == "completed" and report["counts"]["completed"] == DEVICES
    assert discovery.detail(report["job_id"]).job.owner_host == "celery"  # run by the workers, not the CLI


def test_flower_shows_the_workers(executor: CeleryExecutor, workers: Workers) -> None:
    """The documented command: ``celery -A netatlas.jobs.celery_app flower --address=127.0.0.1``."""
    if not [p for p in workers.processes if p.poll() is None]:
        workers.start(1)
        workers.wait_ready(executor, 1)
    port = free_port(IPv4Network("127.0.0.0/8"))
    env = workers.env | {"FLOWER_UNAUTHENTICATED_API": "true"}
    flower = subprocess.Popen([sys.executable, "-m", "celery", "-A", "netatlas.jobs.celery_app", "flower",
                               "--address=127.0.0.1", f"--port={port}"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline, shown = time.monotonic() + 60, {}
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/workers?refresh=1", timeout=10) as answer:
                    shown = json.loads(answer.read())
            except OSError:
                shown = {}
            if any(name.startswith("test") for name in shown):
                break
            time.sleep(0.5)
        assert any(name.startswith("test") for name in shown), shown
    finally:
        flower.terminate()
        flower.wait(20)
