"""The Celery app's settings and the executor facing a broker that is down (a closed loopback port).

No Redis and no worker: these check the configuration the Celery semantics rely on (late acks,
redelivery on a lost worker, one message per slot, JSON only, the discovery queue, limits from the
settings), and that a broker that does not answer is reported quickly and clearly, never hangs the
caller and never leaves a job pending for ever.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from netatlas.domain.errors import StoreError, Unavailable
from netatlas.domain.inventory import Credential, InventoryDevice
from netatlas.domain.records import JobStatus
from netatlas.inventory import Inventory
from netatlas.jobs.celery_app import CHUNK_TASK, QUEUE, ChunkLimits, app, make_app
from netatlas.jobs.celery_executor import UNAVAILABLE, CeleryExecutor, RedisBus
from netatlas.jobs.discovery import DiscoveryRequest, DiscoveryService
from netatlas.jobs.events import ProgressEvent
from netatlas.secrets import SecretBox
from netatlas.settings import Settings, load_settings
from netatlas.store import Database, JobRepo

QUICK_S = 8.0  # "quickly": connect timeouts of 2 s and one retry, on a loaded machine


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends: nothing listens there


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in [n for n in os.environ if n.startswith("NETATLAS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("NETATLAS_HOME", str(tmp_path / "home"))
    return load_settings(database_url=f"sqlite:///{tmp_path / 'netatlas.db'}",
                         broker_url=f"redis://127.0.0.1:{closed_port()}/0", device_timeout=60, retries=2)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    opened = Database.open(settings.database_url, upgrade=True)
    yield opened
    opened.close()


def test_the_task_acks_late_is_redelivered_when_its_worker_is_lost_and_retries_storage_errors() -> None:
    task = app.tasks[CHUNK_TASK]
    assert task.acks_late is True and task.reject_on_worker_lost is True
    assert StoreError in task.autoretry_for and task.max_retries and task.retry_backoff


def test_the_app_speaks_json_only_prefetches_one_and_routes_discovery_to_its_queue(settings: Settings) -> None:
    conf = make_app(settings).conf
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert conf.worker_prefetch_multiplier == 1 and conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.task_routes["netatlas.discovery.*"] == {"queue": QUEUE} and conf.task_default_queue != QUEUE
    assert conf.task_ignore_result is True  # no task waits on another's result: there is no result backend


def test_time_limits_and_redelivery_follow_the_device_timeout(settings: Settings) -> None:
    limits = ChunkLimits.of(settings)
    assert settings.device_timeout * settings.retries < limits.soft_s < limits.hard_s < limits.visibility_s
    conf = make_app(settings, role="worker").conf
    assert conf.task_soft_time_limit == limits.soft_s and conf.task_time_limit > limits.hard_s
    assert conf.broker_transport_options["visibility_timeout"] == limits.visibility_s
    assert conf.broker_connection_max_retries is None  # a worker reconnects for ever
    assert make_app(settings).conf.broker_connection_max_retries == 1  # a producer gives up


def test_submit_with_the_broker_down_is_quick_clear_and_ends_the_job_failed(settings: Settings, db: Database) -> None:
    box = SecretBox.for_database(settings, db)
    device = InventoryDevice("sw1", "127.0.0.2", "cisco_ios", "lab")
    service = DiscoveryService(db, box, settings)
    service.import_inventory(Inventory([device], {"lab": Credential("lab", "u", "p")}))
    with db.session() as session:
        job_id = JobRepo(session).create([device], DiscoveryRequest(frozenset(), 5).options())
    executor = CeleryExecutor(settings, db)
    started = time.monotonic()
    with pytest.raises(Unavailable, match=UNAVAILABLE) as raised:
        executor.submit(job_id)
    assert time.monotonic() - started < QUICK_S
    assert "NETATLAS_BROKER_URL" in raised.value.hint
    with db.session(readonly=True) as session:
        job = JobRepo(session).get(job_id)
    assert job.status is JobStatus.FAILED and UNAVAILABLE in job.message


def test_health_with_the_broker_down_says_so_with_no_worker(settings: Settings, db: Database) -> None:
    started = time.monotonic()
    health = CeleryExecutor(settings, db).health()
    assert time.monotonic() - started < QUICK_S
    assert health["ok"] is False and health["workers"] == 0 and health["broker"] == "down"
    assert UNAVAILABLE in health["error"]


def test_the_bus_never_raises_nor_stalls_the_engine_when_redis_is_down(settings: Settings) -> None:
    bus = RedisBus(settings.broker_url)
    started = time.monotonic()
    for n in range(50):
        bus.publish(ProgressEvent("j1", "device", "running", device=f"sw{n}"))
    assert time.monotonic() - started < QUICK_S  # one failed attempt, then paused
    bus.close()


def test_a_broker_that_is_not_redis_carries_no_events() -> None:
    bus = RedisBus("amqp://guest@127.0.0.1:5672//")
    bus.publish(ProgressEvent("j1", "job", "running"))  # nothing to send it to; no error
    bus.close()


def test_a_sites_devices_go_to_its_queue_when_workers_consume_it(settings: Settings, db: Database) -> None:
    box = SecretBox.for_database(settings, db)
    devices = [InventoryDevice("p1", "127.0.0.2", "cisco_ios", "lab", site="paris"),
               InventoryDevice("l1", "127.0.0.3", "cisco_ios", "lab", site="lyon"),
               InventoryDevice("x1", "127.0.0.4", "cisco_ios", "lab")]
    DiscoveryService(db, box, settings).import_inventory(Inventory(devices, {"lab": Credential("lab", "u", "p")}))
    executor = CeleryExecutor(settings, db)
    executor._health = (time.monotonic(), {"queues": ["discovery", "discovery.paris"]})  # as workers beat
    assert executor._by_queue(["p1", "l1", "x1"]) == {"discovery.paris": ["p1"], "discovery": ["l1", "x1"]}
    executor._health = (time.monotonic(), {"queues": ["discovery"]})
    assert executor._by_queue(["p1", "l1"]) == {"discovery": ["p1", "l1"]}
