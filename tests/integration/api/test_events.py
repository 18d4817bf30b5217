"""Live progress over Server-Sent Events, served by a real uvicorn on a loopback port.

The stream is driven by the engine's events (the in-process bus): it starts with the job's
progress, carries every device transition in batches, and ends after the job's final status. A
client that goes away leaves no subscription behind. A lab of 5 devices, one of them ``slow`` (it
keeps a job running while it retries), answers every command 100 ms late so that a job lasts long
enough to be watched from its start.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import aclosing, asynccontextmanager, contextmanager
from dataclasses import dataclass
from ipaddress import IPv4Network
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from netatlas.api.app import create_app
from netatlas.api.routes import discovery as routes
from netatlas.domain.accounts import Role
from netatlas.domain.errors import Unavailable
from netatlas.inventory import load_inventory
from netatlas.jobs.discovery import DiscoveryService
from netatlas.jobs.events import LocalBus, ProgressEvent
from netatlas.lab.background import BackgroundLab
from netatlas.lab.runtime import Lab
from tests.integration.api.harness import Api, open_api
from tests.integration.discovery.helpers import FAST_FAILURE, make_lab, write_inventory

pytestmark = pytest.mark.integration

NETWORK = IPv4Network("127.102.0.0/16")
DEVICES = 5
LATENCY_MS = 100  # a healthy device takes over a second: its steps after "connect" are written too
SETTINGS = {**FAST_FAILURE, "retries": 10}


@dataclass
class Served:
    api: Api
    base: str  # http://127.0.0.1:PORT
    lab: Lab

    @property
    def bus(self) -> LocalBus:
        bus = self.api.ctx.bus
        assert isinstance(bus, LocalBus)
        return bus

    @property
    def slow(self) -> str:
        return next(iter(self.lab.faults))

    @property
    def healthy(self) -> list[str]:
        return [d.state.hostname for d in self.lab.devices if d.state.hostname not in self.lab.faults]

    def start(self, names: list[str]) -> str:
        answer = httpx.post(f"{self.base}/api/topology/discover-async", json={"device_ids": names},
                            headers=self.api.auth(Role.OPERATOR), timeout=30)
        assert answer.status_code == 202, answer.text
        job_id: str = answer.json()["job_id"]
        return job_id

    def events_url(self, job_id: str) -> str:
        return f"{self.base}/api/topology/discover/{job_id}/events"


@dataclass(frozen=True)
class Message:
    event: str  # "" for a comment
    data: Any
    at: float


@contextmanager
def uvicorn_on_loopback(app: Any) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # lifespan off: the harness's TestClient owns the context's lifetime
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)


@pytest.fixture(scope="module")
def served(db_url: str, home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    lab = make_lab("mixed", DEVICES, NETWORK, faults="slow:1")
    path = write_inventory(lab.inventory(), tmp_path_factory.mktemp("inv") / "lab.yaml")
    with BackgroundLab(lab, latency_ms=LATENCY_MS), open_api(db_url, home, **SETTINGS) as api:
        ctx = api.ctx
        DiscoveryService(ctx.db, ctx.box, ctx.settings).import_inventory(load_inventory(path))
        with uvicorn_on_loopback(api.app) as base:
            yield Served(api, base, lab)


def messages(lines: Iterator[str]) -> Iterator[Message]:
    """Parse an event stream: one Message per event (data decoded) or comment."""
    event, data = "", []
    for line in lines:
        if line.startswith(":"):
            yield Message("", line[1:].strip(), time.monotonic())
        elif line.startswith("event:"):
            event = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            data.append(line.removeprefix("data:").strip())
        elif not line and (event or data):
            yield Message(event, json.loads("\n".join(data)) if data else None, time.monotonic())
            event, data = "", []


def read_stream(served: Served, job_id: str, timeout: float = 90) -> list[Message]:
    with httpx.stream("GET", served.events_url(job_id), headers=served.api.auth(Role.VIEWER),
                      timeout=timeout) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        return list(messages(response.iter_lines()))


def wait_unsubscribed(served: Served, job_id: str, within: float = 5.0) -> int:
    deadline = time.monotonic() + within
    while served.bus.subscribers(job_id) and time.monotonic() < deadline:
        time.sleep(0.05)
    return served.bus.subscribers(job_id)


@pytest.fixture(scope="module")
def followed(served: Served) -> tuple[str, list[Message]]:
    """A job over the healthy devices, watched from its start to its end."""
    job_id = served.start(served.healthy)
    return job_id, read_stream(served, job_id)


def test_the_stream_starts_with_the_progress_and_ends_with_the_final_status(
        followed: tuple[str, list[Message]], served: Served) -> None:
    job_id, stream = followed
    first, last = stream[0], stream[-1]
    assert first.event == "progress" and first.data["job_id"] == job_id
    assert first.data["status"] in ("pending", "running")
    assert last.event == "end" and last.data["status"] == "completed"
    assert last.data["completed_devices"] == len(served.healthy) and last.data["progress_percentage"] == 100.0
    assert [m.event for m in stream].count("end") == 1


def test_device_transitions_arrive_as_they_happen(followed: tuple[str, list[Message]], served: Served) -> None:
    _, stream = followed
    events = [e for m in stream if m.event == "update" for e in m.data["events"]]
    finals = {e["device"]: e["status"] for e in events if e["kind"] == "device" and e["status"] == "completed"}
    assert finals == dict.fromkeys(served.healthy, "completed")
    steps = {e["step"] for e in events if e["kind"] == "device" and e["status"] == "running"}
    # steps after "connect" (written at most once a second per device; earlier ones may precede the subscription)
    assert steps - {"", "connect"}
    job_events = [e["status"] for e in events if e["kind"] == "job"]
    assert job_events[-1] == "completed"


def test_events_arriving_together_are_batched_at_most_ten_times_a_second() -> None:
    """The server side of the stream, timed on its own event loop (a client's arrival times jitter on a
    loaded machine): 200 events published in bursts over ~1 s come as a few batches, 100 ms apart."""

    async def run() -> list[tuple[float, int]]:
        bus, loop = LocalBus(), asyncio.get_running_loop()
        got: list[tuple[float, int]] = []
        async with bus.subscribe("j1") as events, aclosing(routes._batches(events)) as batches:
            async def publish() -> None:
                for burst in range(20):
                    for n in range(10):
                        bus.publish(ProgressEvent("j1", "device", "running", device=f"d{burst}-{n}"))
                    await asyncio.sleep(0.05)

            task = asyncio.create_task(publish())
            async for batch in batches:
                got.append((loop.time(), len(batch)))
                if sum(n for _, n in got) == 200:
                    break
            await task
        return got

    got = asyncio.run(run())
    gaps = [b - a for (a, _), (b, _) in pairwise(got)]
    assert sum(n for _, n in got) == 200 and len(got) <= 12, got
    assert all(gap >= routes.MIN_INTERVAL_S * 0.95 for gap in gaps), gaps


def test_the_subscription_is_gone_after_the_end(followed: tuple[str, list[Message]], served: Served) -> None:
    assert wait_unsubscribed(served, followed[0]) == 0


def test_a_finished_job_streams_its_state_and_ends(followed: tuple[str, list[Message]], served: Served) -> None:
    job_id = followed[0]
    stream = read_stream(served, job_id, timeout=10)
    assert [m.event for m in stream] == ["progress", "end"]
    assert stream[1].data["status"] == "completed"
    assert wait_unsubscribed(served, job_id) == 0


def test_an_unknown_job_is_404_and_a_token_is_needed(served: Served) -> None:
    url = served.events_url(str(uuid.uuid4()))
    assert httpx.get(url, headers=served.api.auth(Role.VIEWER), timeout=10).status_code == 404
    assert httpx.get(url, timeout=10).status_code == 401


def test_a_client_that_goes_away_leaves_no_subscription(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routes, "HEARTBEAT_S", 0.3)
    job_id = served.start([served.slow])
    seen: list[Message] = []
    try:
        with httpx.stream("GET", served.events_url(job_id), headers=served.api.auth(Role.VIEWER),
                          timeout=30) as response:
            stream = messages(response.iter_lines())  # held: dropping it would close the connection now
            while not seen or seen[-1].data != "keep-alive":
                seen.append(next(stream))  # until a quiet spell is marked: the job is running
            assert seen[0].event == "progress" and served.bus.subscribers(job_id) == 1
        # the client went away mid-job (the connection is closed): the server lets go of the subscription
        assert wait_unsubscribed(served, job_id) == 0
    finally:
        cancel = httpx.delete(f"{served.base}/api/topology/discover/{job_id}",
                              headers=served.api.auth(Role.OPERATOR), timeout=30)
        assert cancel.status_code == 202, cancel.text


class _RedisGone:
    """A stand-in for the Redis bus when Redis cannot be reached (the real one raises ``Unavailable``
    on subscribe, or ends its iterator when Redis goes away mid-stream: ``ended``)."""

    def __init__(self, *, ended: bool) -> None:
        self.ended = ended

    def publish(self, event: ProgressEvent) -> None:
        return None

    @asynccontextmanager
    async def subscribe(self, job_id: str) -> AsyncIterator[AsyncIterator[ProgressEvent]]:
        if not self.ended:
            raise Unavailable("Background job service is not available", hint="is Redis running?")
        yield _nothing()


async def _nothing() -> AsyncIterator[ProgressEvent]:
    none: tuple[ProgressEvent, ...] = ()
    for event in none:
        yield event


def test_without_a_bus_the_stream_follows_the_rows(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routes, "HEARTBEAT_S", 0.3)
    job_id = served.start(served.healthy[:2])
    app = create_app(dataclasses.replace(served.api.ctx, bus=_RedisGone(ended=False), extras={}))
    with TestClient(app) as client:
        body = client.get(served.events_url(job_id).removeprefix(served.base), headers=served.api.auth(Role.VIEWER))
    stream = list(messages(iter(body.text.splitlines())))
    assert stream[0].event == "progress" and stream[-1].event == "end"
    assert stream[-1].data["status"] == "completed" and not [m for m in stream if m.event == "update"]


def test_discover_sync_ends_on_the_rows_when_the_bus_ends(served: Served) -> None:
    app = create_app(dataclasses.replace(served.api.ctx, bus=_RedisGone(ended=True), extras={}))
    with TestClient(app) as client:
        answer = client.post("/api/topology/discover-sync", json={"device_ids": served.healthy[:1]},
                             headers=served.api.auth(Role.OPERATOR))
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "completed"
