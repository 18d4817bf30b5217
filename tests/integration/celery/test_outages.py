"""Cancel, a broker outage and an API restart while two real workers run a job (PostgreSQL, a lab over SSH).

- cancel mid-job: the job ends ``cancelled`` within seconds; devices that completed keep their data;
- Redis stopped mid-job: the API stays up and says why (health: broker down; discover-async: 503
  "Background job service is not available"), progress still reads from the rows; Redis comes back
  (with its append-only file, as a production broker keeps its queue) and the job completes, one
  snapshot per device, equal to the lab truth;
- the API process replaced mid-job: the new one reads the same progress (rows), and the job ends.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import pytest

from netatlas.domain.accounts import Role
from netatlas.domain.records import DeviceStatus, JobStatus
from netatlas.jobs.celery_executor import CeleryExecutor
from netatlas.lab.background import BackgroundLab
from netatlas.lab.runtime import Lab
from tests.integration.api.harness import Api, open_api
from tests.integration.celery.conftest import SETTINGS, RedisServer, Workers
from tests.integration.celery.test_workers import snapshots_per_device, wait_final
from tests.integration.discovery.helpers import ALL_TYPES, Discovery, make_lab, truth_mismatches, write_inventory

pytestmark = pytest.mark.integration

NETWORK = IPv4Network("127.105.0.0/16")
DEVICES = 24
LATENCY_MS = 80
WAIT_S = 180.0  # a loaded machine
CANCEL_WITHIN = timedelta(seconds=8)  # the engine's cancel poll, the stop grace, a loaded machine


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """This module's Redis keeps an append-only file, so its queue survives the restart under test."""
    server = RedisServer(tmp_path_factory.mktemp("redis"), persistent=True).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    prepared = make_lab("mixed", DEVICES, NETWORK)
    with BackgroundLab(prepared, latency_ms=LATENCY_MS):
        yield prepared


@pytest.fixture(scope="module")
def names(discovery: Discovery, lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    path = write_inventory(lab.inventory(), tmp_path_factory.mktemp("inv") / "lab.yaml")
    return [d.name for d in discovery.import_file(path)]


@pytest.fixture(scope="module")
def running(workers: Workers, executor: CeleryExecutor) -> Workers:
    workers.start(2)
    workers.wait_ready(executor, 2)
    return workers


def wait_completed(discovery: Discovery, job_id: str, count: int, workers: Workers) -> None:
    deadline = time.monotonic() + WAIT_S
    while discovery.detail(job_id).job.counts.completed < count:
        assert time.monotonic() < deadline, workers.log_tail()
        time.sleep(0.05)


def test_cancel_mid_job_stops_within_seconds_and_keeps_what_finished(
        discovery: Discovery, executor: CeleryExecutor, running: Workers, names: list[str], lab: Lab) -> None:
    job_id, _ = discovery.start(discovery.service.devices(names))
    executor.submit(job_id)
    wait_completed(discovery, job_id, 2, running)
    cancel_at = datetime.now(UTC)
    assert executor.cancel(job_id) is True
    detail = wait_final(discovery, job_id, timeout=30)
    job = detail.job
    assert job.status is JobStatus.CANCELLED, running.log_tail()
    assert job.finished_at is not None and job.finished_at - cancel_at < CANCEL_WITHIN
    assert 2 <= job.counts.completed < DEVICES and job.counts.failed == 0
    assert job.counts.completed + job.counts.cancelled == DEVICES
    done = {d.device_name for d in detail.devices if d.status is DeviceStatus.COMPLETED}
    stored = snapshots_per_device(discovery, job_id)  # a device cancelled mid-way keeps what it had read
    assert done <= set(stored) and set(stored.values()) == {1}
    problems = [p for d in lab.devices if d.state.hostname in done
                for p in truth_mismatches(discovery.db, d, ALL_TYPES, job_id=job_id)]
    assert not problems, "\n".join(problems[:10])
    assert executor.cancel(job_id) is False  # already ended


@contextmanager
def api_process(db_url: str, home: Path, broker: RedisServer, tokens: dict[Role, str]) -> Iterator[Api]:
    """An API process's app over the module's database and broker; the module's tokens are created
    once (stored hashed in the database) and valid in every API process, as in production."""
    with open_api(db_url, home, broker_url=broker.url, **SETTINGS) as api:
        api._tokens.update(tokens)
        try:
            yield api
        finally:
            tokens.update(api._tokens)


@pytest.fixture(scope="module")
def tokens() -> dict[Role, str]:
    return {}


def _start(api: Api, names: list[str]) -> str:
    answer = api.post("/api/topology/discover-async", json={"device_ids": names})
    assert answer.status_code == 202, answer.text
    job_id: str = answer.json()["job_id"]
    return job_id


def _progress(api: Api, job_id: str) -> dict[str, Any]:
    answer = api.get(f"/api/topology/discover/progress/{job_id}", params={"limit": 100})
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def test_redis_stopped_mid_job_the_api_says_why_and_the_job_completes_once_it_is_back(
        discovery: Discovery, broker: RedisServer, running: Workers, names: list[str], db_url: str, home: Path,
        lab: Lab, tokens: dict[Role, str]) -> None:
    with api_process(db_url, home, broker, tokens) as api:
        job_id = _start(api, names)
        wait_completed(discovery, job_id, 2, running)
        broker.stop()
        try:
            deadline = time.monotonic() + 20  # the executor's health is cached for a few seconds
            while True:
                health = api.client.get("/api/health")
                assert health.status_code in (200, 503)
                body = health.json()
                if body["status"] != "ok" or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            assert body["status"] != "ok" and body["broker"]["ok"] is False, body
            assert any("broker" in reason for reason in body["reasons"]), body
            refused = api.post("/api/topology/discover-async", json={"device_ids": names[:1]})
            assert refused.status_code == 503, refused.text
            assert "Background job service is not available" in refused.text
            assert _progress(api, job_id)["total_devices"] == DEVICES  # the rows still answer
        finally:
            broker.start()
        detail = wait_final(discovery, job_id, timeout=WAIT_S)
        assert detail.job.status is JobStatus.COMPLETED, running.log_tail()
        assert {d.status for d in detail.devices} == {DeviceStatus.COMPLETED}, \
            [(d.device_name, d.status, d.error) for d in detail.devices if d.status is not DeviceStatus.COMPLETED]
        assert snapshots_per_device(discovery, job_id) == dict.fromkeys(names, 1)
        problems = [p for d in lab.devices for p in truth_mismatches(discovery.db, d, ALL_TYPES, job_id=job_id)]
        assert not problems, "\n".join(problems[:10])
        final = _progress(api, job_id)
        assert final["status"] == "completed" and final["completed_devices"] == DEVICES


def test_the_api_restarted_mid_job_reads_the_same_progress(
        discovery: Discovery, broker: RedisServer, running: Workers, names: list[str], db_url: str,
        home: Path, tokens: dict[Role, str]) -> None:
    with api_process(db_url, home, broker, tokens) as first:
        job_id = _start(first, names)
        wait_completed(discovery, job_id, 2, running)
        before = _progress(first, job_id)
    with api_process(db_url, home, broker, tokens) as second:
        after = _progress(second, job_id)
        assert after["job_id"] == job_id and after["total_devices"] == before["total_devices"]
        assert after["status"] in ("running", "completed")
        finished_before = {d["device_name"]: d["status"] for d in before["devices"] if d["status"] == "completed"}
        now = {d["device_name"]: d["status"] for d in after["devices"]}
        assert all(now[name] == status for name, status in finished_before.items())
        assert after["completed_devices"] >= before["completed_devices"]
        detail = wait_final(discovery, job_id, timeout=WAIT_S)
        assert detail.job.status is JobStatus.COMPLETED, running.log_tail()
        final = _progress(second, job_id)
        rows = {d.device_name: str(d.status) for d in detail.devices}
        assert {d["device_name"]: d["status"] for d in final["devices"]} == rows
        assert final["completed_devices"] == detail.job.counts.completed == DEVICES
