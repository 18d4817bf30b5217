"""The job engine with a fake store and a fake collector: retries, cancel, isolation, bounds,
unexpected exceptions, storage failures, stop requests (signals) and the heartbeat."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from netatlas.domain.errors import NotFound, StoreError
from netatlas.domain.inventory import Credential, InventoryDevice
from netatlas.domain.records import DataType, DeviceResult, DeviceStatus, ErrorKind, Facts, JobStatus
from netatlas.jobs.engine import DiscoveryEngine, RetryPolicy, Stop
from netatlas.jobs.ports import Collect, DeviceUpdate

WANTED = frozenset({DataType.FACTS})
FAST = RetryPolicy(attempts=3, base_s=0.001, jitter=0.0)
PASSWORD, ENABLE = "hunter2-lab", "en4ble-lab"


@dataclass
class FakeStore:
    devices: list[InventoryDevice]
    cancelling: bool = False
    updates: dict[str, list[DeviceUpdate]] = field(default_factory=lambda: defaultdict(list))
    results: dict[str, DeviceResult] = field(default_factory=dict)
    statuses: list[JobStatus] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    beats: int = 0
    ended_elsewhere: bool = False

    def pending_devices(self, job_id: str) -> list[InventoryDevice]:
        return list(self.devices)

    def credential(self, name: str) -> Credential:
        if name != "lab":
            raise NotFound(f"no credential set {name!r}")
        return Credential("lab", "u", PASSWORD, ENABLE)

    def update_device(self, job_id: str, device: str, update: DeviceUpdate) -> None:
        self.updates[device].append(update)

    def update_steps(self, job_id: str, steps: dict[str, str]) -> None:
        for device, step in steps.items():  # through update_device: a subclass refusing a step refuses the batch
            self.update_device(job_id, device, DeviceUpdate(DeviceStatus.RUNNING, step=step))

    def finish_device(self, job_id: str, result: DeviceResult, final: DeviceUpdate) -> None:
        self.results[result.name] = result
        self.updates[result.name].append(final)

    def add_devices(self, job_id: str, devices: list[InventoryDevice]) -> None:
        self.devices += devices

    def is_cancelling(self, job_id: str) -> bool:
        return self.cancelling

    def start_job(self, job_id: str) -> None:
        self.statuses.append(JobStatus.RUNNING)

    def heartbeat(self, job_id: str) -> bool:
        self.beats += 1
        return not self.ended_elsewhere

    def end_job(self, job_id: str, status: JobStatus, message: str) -> bool:
        self.statuses.append(status)
        self.messages.append(message)
        for device in self.devices:  # as the database does: every unfinished row made final
            if not self.updates[device.name] or not self.updates[device.name][-1].status.final:
                self.updates[device.name].append(DeviceUpdate(DeviceStatus.INTERRUPTED, step="",
                                                              error_kind=ErrorKind.INTERRUPTED, error=message))
        return True


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


def test_waiting_for_devices_costs_the_same_whatever_the_job_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each wake-up of the engine waits on a fixed number of futures, not on every device task left:
    asyncio.wait registers and removes a callback on each future it is given, so waiting on every
    task per finished device made a job's CPU quadratic in its size (linearity, issue 11)."""
    sizes: list[int] = []
    real_wait = asyncio.wait

    async def wait(fs: Any, **kwargs: Any) -> Any:
        sizes.append(len(fs))
        return await real_wait(fs, **kwargs)

    monkeypatch.setattr(asyncio, "wait", wait)
    store, calls = FakeStore([dev(f"sw{i}") for i in range(300)]), counter()
    assert run(store, {}, calls) == JobStatus.COMPLETED
    assert len(store.results) == 300 and all(calls[f"sw{i}"] == 1 for i in range(300))
    assert sizes and max(sizes) <= 3


def test_crawl_callback_adds_devices_to_the_same_job() -> None:
    store, calls = FakeStore([dev("seed")]), counter()

    async def on_result(device: InventoryDevice, result: DeviceResult) -> list[InventoryDevice]:
        return [dev("n1"), dev("n2")] if device.name == "seed" else []

    engine = DiscoveryEngine(store, scripted({}, calls), retry=FAST)
    assert asyncio.run(engine.run("job1", WANTED, on_result)) == JobStatus.COMPLETED
    assert set(store.results) == {"seed", "n1", "n2"}


def final_statuses(store: FakeStore) -> dict[str, DeviceStatus]:
    return {d.name: store.updates[d.name][-1].status for d in store.devices}


def test_an_unexpected_exception_fails_that_device_only() -> None:
    store, calls = FakeStore([dev("a"), dev("boom"), dev("c")]), counter()
    inner = scripted({}, calls)

    async def collect(device: InventoryDevice, credential: Credential, wanted: frozenset[DataType], *,
                      should_stop: Callable[[], Awaitable[bool]],
                      on_step: Callable[[str], Awaitable[None]]) -> DeviceResult:
        if device.name == "boom":
            raise KeyError("surprise")
        return await inner(device, credential, wanted, should_stop=should_stop, on_step=on_step)

    assert asyncio.run(DiscoveryEngine(store, collect, retry=FAST).run("job1", WANTED)) == JobStatus.COMPLETED
    assert final_statuses(store) == {"a": DeviceStatus.COMPLETED, "boom": DeviceStatus.FAILED,
                                     "c": DeviceStatus.COMPLETED}
    boom = store.results["boom"]
    assert boom.error_kind is ErrorKind.INTERNAL and "KeyError" in boom.error and "surprise" in boom.error


def test_a_cancel_during_the_retry_backoff_ends_the_device_with_its_real_error() -> None:
    store, calls = FakeStore([dev("a")]), counter()
    slow_retry = RetryPolicy(attempts=3, base_s=30.0, jitter=0.0)

    async def scenario() -> JobStatus:
        engine = DiscoveryEngine(store, scripted({"a": [ErrorKind.TIMEOUT] * 3}, calls), retry=slow_retry,
                                 cancel_poll_s=0)
        task = asyncio.create_task(engine.run("job1", WANTED))
        while not any(u.step and u.step.startswith("retrying") for u in store.updates["a"]):
            await asyncio.sleep(0.01)
        store.cancelling = True
        return await task

    started = time.monotonic()
    assert asyncio.run(scenario()) is JobStatus.CANCELLED
    assert time.monotonic() - started < 5, "the backoff sleep was not interrupted by the cancel"
    assert calls["a"] == 1
    last = store.updates["a"][-1]
    assert (last.status, last.error_kind, last.error) == (DeviceStatus.CANCELLED, ErrorKind.TIMEOUT, "timeout on a")


def test_a_cancel_before_the_backoff_starts_no_retry() -> None:
    store, calls = FakeStore([dev("a")]), counter()
    store.cancelling = False

    async def collect(device: InventoryDevice, credential: Credential, wanted: frozenset[DataType], *,
                      should_stop: Callable[[], Awaitable[bool]],
                      on_step: Callable[[str], Awaitable[None]]) -> DeviceResult:
        calls[device.name] += 1
        store.cancelling = True  # the cancel arrives while the first attempt runs
        return DeviceResult(device.name, ok=False, error_kind=ErrorKind.UNREACHABLE, error="refused")

    engine = DiscoveryEngine(store, collect, retry=RetryPolicy(attempts=3, base_s=30.0), cancel_poll_s=0)
    assert asyncio.run(engine.run("job1", WANTED)) is JobStatus.CANCELLED
    assert calls["a"] == 1 and not any(u.step and "retrying" in u.step for u in store.updates["a"])
    assert store.updates["a"][-1].error_kind is ErrorKind.UNREACHABLE


def test_warnings_are_written_on_the_device_row() -> None:
    store = FakeStore([dev("a")])

    async def collect(device: InventoryDevice, credential: Credential, wanted: frozenset[DataType], *,
                      should_stop: Callable[[], Awaitable[bool]],
                      on_step: Callable[[str], Awaitable[None]]) -> DeviceResult:
        return DeviceResult(device.name, ok=True, warnings=("legacy kex diffie-hellman-group14-sha1", "aes128-cbc"))

    asyncio.run(DiscoveryEngine(store, collect).run("job1", WANTED))
    assert store.updates["a"][-1].warning == "legacy kex diffie-hellman-group14-sha1; aes128-cbc"


def hanging(calls: dict[str, int], honour_stop: bool) -> Collect:
    """A device that never finishes; with ``honour_stop`` it ends at its next "command" once stopped."""

    async def collect(device: InventoryDevice, credential: Credential, wanted: frozenset[DataType], *,
                      should_stop: Callable[[], Awaitable[bool]],
                      on_step: Callable[[str], Awaitable[None]]) -> DeviceResult:
        calls[device.name] += 1
        while not (honour_stop and await should_stop()):
            await asyncio.sleep(0.01)
        return DeviceResult(device.name, ok=False, error_kind=ErrorKind.CANCELLED, error="cancelled before 'x'")

    return collect


@pytest.mark.parametrize("honour_stop", [True, False])
def test_a_stop_request_ends_the_job_with_every_row_final(honour_stop: bool) -> None:
    store, calls = FakeStore([dev(f"sw{i}") for i in range(6)]), counter()

    async def scenario() -> JobStatus:
        stop = Stop()
        engine = DiscoveryEngine(store, hanging(calls, honour_stop), concurrency=2, stop_grace_s=0.2)
        task = asyncio.create_task(engine.run("job1", WANTED, stop=stop))
        while sum(calls.values()) < 2:
            await asyncio.sleep(0.01)
        stop.request(JobStatus.CANCELLED, "cancelled by Ctrl-C (SIGINT)")
        return await asyncio.wait_for(task, 5)

    assert asyncio.run(scenario()) is JobStatus.CANCELLED
    assert sum(calls.values()) == 2, "nothing starts after a stop"
    assert store.messages[-1] == "cancelled by Ctrl-C (SIGINT)"
    assert all(status.final for status in final_statuses(store).values())
    if honour_stop:  # ended at their next command, with a result of their own
        assert set(final_statuses(store).values()) == {DeviceStatus.CANCELLED}


def test_a_sigterm_stop_interrupts_the_devices_it_stops() -> None:
    store, calls = FakeStore([dev("a")]), counter()

    async def scenario() -> JobStatus:
        stop = Stop()
        task = asyncio.create_task(DiscoveryEngine(store, hanging(calls, True)).run("job1", WANTED, stop=stop))
        while not calls:
            await asyncio.sleep(0.01)
        stop.request(JobStatus.INTERRUPTED, "stopped by SIGTERM")
        return await asyncio.wait_for(task, 5)

    assert asyncio.run(scenario()) is JobStatus.INTERRUPTED
    last = store.updates["a"][-1]
    assert (last.status, last.error_kind) == (DeviceStatus.INTERRUPTED, ErrorKind.INTERRUPTED)
    assert last.error is not None and last.error.startswith("stopped by SIGTERM")


class FailingStore(FakeStore):
    def finish_device(self, job_id: str, result: DeviceResult, final: DeviceUpdate) -> None:
        if result.name == "sw3":
            raise StoreError("database error on sqlite:///x.db: database or disk is full")
        super().finish_device(job_id, result, final)


def test_a_storage_failure_stops_the_job_failed_with_the_reason() -> None:
    store, calls = FailingStore([dev(f"sw{i}") for i in range(10)]), counter()
    engine = DiscoveryEngine(store, scripted({}, calls, delay=0.02), concurrency=2, retry=FAST)
    with pytest.raises(StoreError, match="disk is full"):
        asyncio.run(engine.run("job1", WANTED))
    assert store.statuses[-1] is JobStatus.FAILED and "storage failed mid-run" in store.messages[-1]
    assert sum(calls.values()) < 10, "no device starts after the storage failure"
    assert all(status.final for status in final_statuses(store).values())
    assert DeviceStatus.COMPLETED not in {final_statuses(store)[n] for n in ("sw3",)}


def test_the_heartbeat_beats_and_a_job_ended_elsewhere_stops() -> None:
    store, calls = FakeStore([dev("a"), dev("b")]), counter()
    store.ended_elsewhere = True
    engine = DiscoveryEngine(store, hanging(calls, True), heartbeat_s=0.05)
    assert asyncio.run(asyncio.wait_for(engine.run("job1", WANTED), 5)) is JobStatus.INTERRUPTED
    assert store.beats >= 1


def test_a_torn_down_run_ends_the_job_interrupted() -> None:
    store, calls = FakeStore([dev("a")]), counter()

    async def scenario() -> None:
        task = asyncio.create_task(DiscoveryEngine(store, hanging(calls, False)).run("job1", WANTED))
        while not calls:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert store.statuses[-1] is JobStatus.INTERRUPTED and "interrupted" in store.messages[-1]
    assert final_statuses(store)["a"] is DeviceStatus.INTERRUPTED


def test_steps_of_every_running_device_are_written_together_and_never_after_the_final_row() -> None:
    """One ``update_steps`` call carries the latest step of each running device; a device's final
    row is its last write (a pending step is dropped when it finishes)."""

    @dataclass
    class BatchStore(FakeStore):
        batches: list[dict[str, str]] = field(default_factory=list)

        def update_steps(self, job_id: str, steps: dict[str, str]) -> None:
            self.batches.append(dict(steps))
            for device, step in steps.items():
                self.updates[device].append(DeviceUpdate(DeviceStatus.RUNNING, step=step))

    async def collect(device: InventoryDevice, credential: Credential, wanted: frozenset[DataType], *,
                      should_stop: Callable[[], Awaitable[bool]],
                      on_step: Callable[[str], Awaitable[None]]) -> DeviceResult:
        for command in ("show version", "show interfaces", "show cdp neighbors detail"):
            await on_step(command)
            await asyncio.sleep(0.05)
        await on_step("show lldp neighbors detail")  # the last step: pending when the device finishes
        return DeviceResult(device.name, ok=True)

    store = BatchStore([dev("a"), dev("b"), dev("c")])
    engine = DiscoveryEngine(store, collect, concurrency=10, retry=FAST, step_write_s=0.06)
    assert asyncio.run(engine.run("job1", WANTED)) is JobStatus.COMPLETED
    assert store.batches and any(set(batch) == {"a", "b", "c"} for batch in store.batches)
    assert len(store.batches) < 3 * 4  # fewer writes than steps
    for name in ("a", "b", "c"):
        assert store.updates[name][-1].status is DeviceStatus.COMPLETED
        assert all(u.step != "show lldp neighbors detail" for u in store.updates[name])


@dataclass
class SlowFinishStore(FakeStore):
    """A store whose finish of device ``a`` takes a while (as a snapshot waiting in the worker pool does)."""

    finished: list[str] = field(default_factory=list)

    def finish_device(self, job_id: str, result: DeviceResult, final: DeviceUpdate) -> None:
        if result.name == "a":
            time.sleep(0.5)
        super().finish_device(job_id, result, final)
        self.finished.append(result.name)


def _staggered(delays: dict[str, float]) -> Collect:
    async def collect(device: InventoryDevice, credential: Credential, wanted: frozenset[DataType], *,
                      should_stop: Callable[[], Awaitable[bool]],
                      on_step: Callable[[str], Awaitable[None]]) -> DeviceResult:
        await asyncio.sleep(delays[device.name])
        return DeviceResult(device.name, ok=True)

    return collect


@pytest.mark.parametrize(("threads", "order"), [(1, ["a", "b"]), (2, ["b", "a"])])
def test_finish_threads_keep_a_slow_store_off_the_database_thread(threads: int, order: list[str]) -> None:
    """With ``finish_threads`` > 1 a device's result is stored while other writes (and other devices'
    results) go on; with one, every write queues behind it on the database thread."""
    store = SlowFinishStore([dev("a"), dev("b")])
    engine = DiscoveryEngine(store, _staggered({"a": 0.0, "b": 0.1}), concurrency=2, retry=FAST,
                             finish_threads=threads)
    assert asyncio.run(engine.run("job1", WANTED)) is JobStatus.COMPLETED
    assert store.finished == order
    assert [store.updates[n][-1].status for n in "ab"] == [DeviceStatus.COMPLETED] * 2


def test_devices_start_with_their_platforms_spread_over_the_run() -> None:
    """An inventory grouped by platform starts interleaved (``jobs.order.spread``): a run of one
    platform at a time left the session process or the parse worker idle for half the run."""
    platforms = ["cisco_ios"] * 6 + ["arista_eos"] * 3 + ["juniper_junos"] * 3
    devices = [InventoryDevice(f"d{i}", "127.0.0.1", p, "lab") for i, p in enumerate(platforms)]
    store, started = FakeStore(devices), []

    async def collect(device: InventoryDevice, credential: Credential, wanted: frozenset[DataType], *,
                      should_stop: Callable[[], Awaitable[bool]],
                      on_step: Callable[[str], Awaitable[None]]) -> DeviceResult:
        started.append(device)
        await asyncio.sleep(0)
        return DeviceResult(device.name, ok=True)

    asyncio.run(DiscoveryEngine(store, collect, concurrency=1).run("job1", WANTED))
    # ios (6) at 1/12, 3/12...; eos and junos (3 each) at 1/6, 3/6, 5/6; ties in inventory order
    assert [d.name for d in started] == ["d0", "d6", "d9", "d1", "d2", "d7", "d10", "d3", "d4", "d8", "d11", "d5"]
