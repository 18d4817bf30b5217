"""The job engine with a fake store and a fake collector: retries, cancel, isolation, bounds."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from netatlas.domain.errors import NotFound
from netatlas.domain.inventory import Credential, InventoryDevice
from netatlas.domain.records import DataType, DeviceResult, DeviceStatus, ErrorKind, Facts, JobStatus
from netatlas.jobs.engine import DiscoveryEngine, RetryPolicy
from netatlas.jobs.ports import Collect, DeviceUpdate

WANTED = frozenset({DataType.FACTS})
FAST = RetryPolicy(attempts=3, base_s=0.001, jitter=0.0)


@dataclass
class FakeStore:
    devices: list[InventoryDevice]
    cancelling: bool = False
    updates: dict[str, list[DeviceUpdate]] = field(default_factory=lambda: defaultdict(list))
    results: dict[str, DeviceResult] = field(default_factory=dict)
    statuses: list[JobStatus] = field(default_factory=list)

    def pending_devices(self, job_id: str) -> list[InventoryDevice]:
        return list(self.devices)

    def credential(self, name: str) -> Credential:
        if name != "lab":
            raise NotFound(f"no credential set {name!r}")
        return Credential("lab", "u", "p")

    def update_device(self, job_id: str, device: str, update: DeviceUpdate) -> None:
        self.updates[device].append(update)

    def save_result(self, job_id: str, result: DeviceResult) -> None:
        self.results[result.name] = result

    def add_devices(self, job_id: str, devices: list[InventoryDevice]) -> None:
        self.devices += devices

    def is_cancelling(self, job_id: str) -> bool:
        return self.cancelling

    def set_job_status(self, job_id: str, status: JobStatus) -> None:
        self.statuses.append(status)


def counter() -> defaultdict[str, int]:
    return defaultdict(int)


def dev(name: str, credentials: str = "lab") -> InventoryDevice:
    return InventoryDevice(name, "127.0.0.1", "cisco_ios", credentials)


Script = dict[str, list[ErrorKind | None]]  # per device: outcome of each attempt (None: ok)


def scripted(script: Script, calls: dict[str, int], delay: float = 0.0) -> Collect:
    async def collect(device: InventoryDevice, credential: Credential, wanted: frozenset[DataType], *,
                      should_stop: Callable[[], Awaitable[bool]],
                      on_step: Callable[[str], Awaitable[None]]) -> DeviceResult:
        calls[device.name] += 1
        await on_step("show version")
        await asyncio.sleep(delay)
        if await should_stop():
            return DeviceResult(device.name, ok=False, error_kind=ErrorKind.CANCELLED, error="cancelled")
        outcomes = script.get(device.name, [None])
        kind = outcomes[min(calls[device.name], len(outcomes)) - 1]
        if kind is None:
            result = DeviceResult(device.name, ok=True)
            result.records.facts = Facts(device.name)
            return result
        return DeviceResult(device.name, ok=False, error_kind=kind, error=f"{kind} on {device.name}")

    return collect


def run(store: FakeStore, script: Script, calls: dict[str, int], delay: float = 0.0) -> JobStatus:
    engine = DiscoveryEngine(store, scripted(script, calls, delay), concurrency=10, retry=FAST)
    return asyncio.run(engine.run("job1", WANTED))


def test_transient_failures_are_retried_then_succeed() -> None:
    store, calls = FakeStore([dev("a")]), counter()
    status = run(store, {"a": [ErrorKind.TIMEOUT, ErrorKind.DISCONNECTED, None]}, calls)
    assert status == JobStatus.COMPLETED and calls["a"] == 3
    assert store.results["a"].ok
    assert store.updates["a"][-1].status == DeviceStatus.COMPLETED
    assert [u.attempt for u in store.updates["a"] if u.attempt and u.step is None] == [1, 2, 3]


def test_transient_failures_stop_after_three_attempts() -> None:
    store, calls = FakeStore([dev("a")]), counter()
    run(store, {"a": [ErrorKind.UNREACHABLE] * 5}, calls)
    assert calls["a"] == 3
    assert store.updates["a"][-1] == DeviceUpdate(DeviceStatus.FAILED, step="", error_kind=ErrorKind.UNREACHABLE,
                                                  error="unreachable on a")


def test_permanent_failures_are_never_retried() -> None:
    store, calls = FakeStore([dev("a"), dev("b")]), counter()
    run(store, {"a": [ErrorKind.AUTH_FAILED, None], "b": [ErrorKind.COMMAND_REJECTED, None]}, calls)
    assert calls == {"a": 1, "b": 1}
    assert store.results["a"].error_kind == ErrorKind.AUTH_FAILED


def test_one_device_failing_does_not_affect_the_others() -> None:
    devices = [dev(f"sw{i}") for i in range(20)]
    store, calls = FakeStore(devices), counter()
    status = run(store, {"sw3": [ErrorKind.AUTH_FAILED]}, calls)
    assert status == JobStatus.COMPLETED
    assert sum(r.ok for r in store.results.values()) == 19
    assert len(store.results) == 20


def test_missing_credentials_fail_the_device_not_the_job() -> None:
    store, calls = FakeStore([dev("a", credentials="nope"), dev("b")]), counter()
    assert run(store, {}, calls) == JobStatus.COMPLETED
    assert calls == {"b": 1}
    assert store.results["a"].error_kind == ErrorKind.AUTH_FAILED and "nope" in store.results["a"].error


def test_cancel_ends_the_job_cancelled_and_keeps_what_finished() -> None:
    devices = [dev(f"sw{i}") for i in range(30)]
    store, calls = FakeStore(devices), counter()

    async def scenario() -> JobStatus:
        engine = DiscoveryEngine(store, scripted({}, calls, delay=0.05), concurrency=5, retry=FAST, cancel_poll_s=0)
        task = asyncio.create_task(engine.run("job1", WANTED))
        while sum(r.ok for r in store.results.values()) < 5:
            await asyncio.sleep(0.01)
        store.cancelling = True
        return await task

    assert asyncio.run(scenario()) == JobStatus.CANCELLED
    finals = [store.updates[d.name][-1].status for d in devices]
    assert finals.count(DeviceStatus.COMPLETED) >= 5
    assert finals.count(DeviceStatus.CANCELLED) >= 10
    assert set(finals) <= {DeviceStatus.COMPLETED, DeviceStatus.CANCELLED}
    assert len(store.results) == 30  # every device has a recorded result
    assert store.statuses[-1] == JobStatus.CANCELLED


def test_concurrency_is_bounded() -> None:
    devices = [dev(f"sw{i}") for i in range(40)]
    store, running, peak = FakeStore(devices), [0], [0]

    async def collect(device: InventoryDevice, credential: Credential, wanted: frozenset[DataType], *,
                      should_stop: Callable[[], Awaitable[bool]],
                      on_step: Callable[[str], Awaitable[None]]) -> DeviceResult:
        running[0] += 1
        peak[0] = max(peak[0], running[0])
        await asyncio.sleep(0.01)
        running[0] -= 1
        return DeviceResult(device.name, ok=True)

    asyncio.run(DiscoveryEngine(store, collect, concurrency=7).run("job1", WANTED))
    assert peak[0] == 7


def test_crawl_callback_adds_devices_to_the_same_job() -> None:
    store, calls = FakeStore([dev("seed")]), counter()

    async def on_result(device: InventoryDevice, result: DeviceResult) -> list[InventoryDevice]:
        return [dev("n1"), dev("n2")] if device.name == "seed" else []

    engine = DiscoveryEngine(store, scripted({}, calls), retry=FAST)
    assert asyncio.run(engine.run("job1", WANTED, on_result)) == JobStatus.COMPLETED
    assert set(store.results) == {"seed", "n1", "n2"}
