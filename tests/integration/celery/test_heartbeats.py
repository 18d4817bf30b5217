"""Workers' heartbeats in Redis: how producers learn which site queues live workers consume.

A real ``netatlas worker --queues discovery,discovery.<site>`` beats its queues into the broker's
Redis; the executor reads them (no broadcast to the workers): the site's devices are routed to the
site's queue and ``health`` counts the worker. Killed with SIGKILL, the worker cannot remove its
beat: its queue disappears once the beat expires (``WORKER_TTL_S``), and the site's devices go to
``discovery`` again. Stopped cleanly (SIGTERM), a worker removes its beat at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from netatlas.domain.inventory import Credential, InventoryDevice
from netatlas.inventory import Inventory
from netatlas.jobs.celery_app import WORKER_BEAT_S, WORKER_KEY, WORKER_TTL_S, WORKERS_KEY
from netatlas.jobs.celery_executor import CeleryExecutor
from tests.integration.celery.conftest import RedisServer, Workers
from tests.integration.discovery.helpers import Discovery

pytestmark = pytest.mark.integration

SITE_QUEUE = "discovery.paris"
SLACK_S = 10.0  # a loaded machine: a beat may come late, a poll may be slow


def wait_for(executor: CeleryExecutor, predicate: str, check: Callable[[dict[str, Any]], bool],
             timeout: float) -> tuple[dict[str, Any], float]:
    """Poll fresh health until ``check(health)`` holds; the health and the seconds it took."""
    started = time.monotonic()
    while True:
        health = executor.health(fresh=True)
        if check(health):
            return health, time.monotonic() - started
        assert time.monotonic() - started < timeout, f"not {predicate} within {timeout:.0f} s: {health}"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def sited(discovery: Discovery) -> list[str]:
    devices = [InventoryDevice("hb-p1", "127.141.0.2", "cisco_ios", "lab", site="paris"),
               InventoryDevice("hb-x1", "127.141.0.3", "cisco_ios", "lab", site="lyon")]
    discovery.service.import_inventory(Inventory(devices, {"lab": Credential("lab", "u", "p")}))
    return [d.name for d in devices]


def test_a_site_queue_is_found_from_heartbeats_and_a_killed_workers_queue_expires(
        executor: CeleryExecutor, workers: Workers, broker: RedisServer, sited: list[str]) -> None:
    assert executor.health(fresh=True)["workers"] == 0
    assert executor._by_queue(sited) == {"discovery": sited}
    (process,) = workers.start(1, concurrency=1, queues=f"discovery,{SITE_QUEUE}")
    health, _ = wait_for(executor, "ready", lambda h: h.get("workers") == 1, 60.0)
    assert health["queues"] == ["discovery", SITE_QUEUE] and health["broker"] == "ok"
    executor._health = None  # routing reads the same cached view: no cache left from before the worker
    assert executor._by_queue(sited) == {SITE_QUEUE: ["hb-p1"], "discovery": ["hb-x1"]}
    client = broker.client()
    try:
        (name,) = [str(n, "ascii") for n in client.zrange(WORKERS_KEY, 0, -1)]  # type: ignore[arg-type]
        ttl_ms = client.pttl(WORKER_KEY.format(name=name))
        assert 0 < ttl_ms <= WORKER_TTL_S * 1000  # a beat that expires on its own
        workers.kill(process)
        killed = time.monotonic()
        _, waited = wait_for(executor, "gone", lambda h: h.get("workers") == 0, WORKER_TTL_S + SLACK_S)
        assert time.monotonic() - killed >= WORKER_TTL_S - WORKER_BEAT_S - 1.0  # it expired: nothing removed it
        assert waited <= WORKER_TTL_S + SLACK_S
        assert executor.health(fresh=True)["queues"] == []
        assert client.zrange(WORKERS_KEY, 0, -1) == []  # the expired name is dropped from the index
    finally:
        client.close()
    executor._health = None
    assert executor._by_queue(sited) == {"discovery": sited}


def test_a_worker_stopped_cleanly_removes_its_beat_at_once(executor: CeleryExecutor, workers: Workers,
                                                           broker: RedisServer) -> None:
    workers.start(1, concurrency=1, queues=f"discovery,{SITE_QUEUE}")
    wait_for(executor, "ready", lambda h: h.get("workers") == 1, 60.0)
    client = broker.client()
    try:
        assert len(client.zrange(WORKERS_KEY, 0, -1)) == 1
        workers.stop()  # SIGTERM: a warm shutdown
        assert client.zrange(WORKERS_KEY, 0, -1) == []  # removed by the worker (an expired beat leaves its name)
        assert client.keys(WORKER_KEY.format(name="*")) == []
    finally:
        client.close()
    health = executor.health(fresh=True)
    assert health["workers"] == 0 and health["queues"] == []
