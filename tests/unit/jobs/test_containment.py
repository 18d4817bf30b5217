"""One device's unexpected exception is that device's ``internal`` failure, at every stage of its
run: collecting, parsing (a crashing parser), progress writes, reading its credentials, storing its
result, following its neighbors. The job completes, the other devices complete, secrets stay hidden."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial

import pytest

from netatlas.collect.collector import collect_device
from netatlas.collect.fake import FakeConnector, FakeTransport
from netatlas.collect.platforms import PLATFORMS
from netatlas.collect.transport import Timeouts
from netatlas.domain.inventory import Credential, InventoryDevice
from netatlas.domain.records import (
    DataType,
    DeviceRecords,
    DeviceResult,
    DeviceStatus,
    ErrorKind,
    Facts,
    JobStatus,
    ParseOutcome,
)
from netatlas.jobs.engine import DiscoveryEngine
from netatlas.jobs.ports import Collect, DeviceUpdate
from tests.unit.jobs.test_engine import ENABLE, FAST, PASSWORD, WANTED, FakeStore, counter, dev, scripted

NAMES = ("a", "boom", "c")


def devices() -> list[InventoryDevice]:
    return [dev(name) for name in NAMES]


def run(store: FakeStore, collect: Collect, on_result: Callable[..., Awaitable[list[InventoryDevice]]] | None = None
        ) -> JobStatus:
    engine = DiscoveryEngine(store, collect, concurrency=10, retry=FAST)
    return asyncio.run(engine.run("job1", WANTED, on_result))


def assert_only_boom_failed(store: FakeStore, status: JobStatus, *words: str) -> DeviceUpdate:
    """The job completed, ``boom`` ended failed/internal with ``words`` in its error, the others completed."""
    assert status is JobStatus.COMPLETED
    finals = {d.name: store.updates[d.name][-1] for d in store.devices}
    assert {name: u.status for name, u in finals.items()} == {
        name: DeviceStatus.FAILED if name == "boom" else DeviceStatus.COMPLETED for name in finals}
    boom = finals["boom"]
    assert boom.error_kind is ErrorKind.INTERNAL
    assert boom.error is not None and all(word in boom.error for word in words), boom.error
    assert PASSWORD not in boom.error and ENABLE not in boom.error
    return boom


def test_collecting(caplog: pytest.LogCaptureFixture) -> None:
    store, inner = FakeStore(devices()), scripted({}, counter())

    async def collect(device: InventoryDevice, credential: Credential, wanted: frozenset[DataType], *,
                      should_stop: Callable[[], Awaitable[bool]],
                      on_step: Callable[[str], Awaitable[None]]) -> DeviceResult:
        if device.name == "boom":
            raise RuntimeError(f"login echoed {credential.password} and {credential.enable_secret}")
        return await inner(device, credential, wanted, should_stop=should_stop, on_step=on_step)

    with caplog.at_level("ERROR", logger="netatlas.jobs.engine"):
        boom = assert_only_boom_failed(store, run(store, collect), "collecting", "RuntimeError", "login echoed ***")
    assert store.results["boom"].error == boom.error  # the stored snapshot says the same
    assert "Traceback" in caplog.text and "login echoed ***" in caplog.text
    assert PASSWORD not in caplog.text and ENABLE not in caplog.text


def test_parsing_a_crashing_parser_through_the_real_collector() -> None:
    """The collector's parser (the process pool in production) raising something other than ParseError."""
    store = FakeStore([InventoryDevice(name, f"192.0.2.{i}", "cisco_ios", "lab") for i, name in enumerate(NAMES, 1)])
    plan = [command for command, _ in PLATFORMS["cisco_ios"].plan(WANTED | {DataType.FACTS})]
    transports = {f"192.0.2.{i}": FakeTransport({c: f"{name} {c}\n" for c in plan})
                  for i, name in enumerate(NAMES, 1)}

    async def parse(platform: str, command: str, text: str, types: frozenset[DataType]) -> ParseOutcome:
        if text.startswith("boom"):
            raise MemoryError(f"worker died on {len(text)} characters")
        return ParseOutcome(DeviceRecords(facts=Facts(text.split(maxsplit=1)[0])))

    collect = partial(collect_device, timeouts=Timeouts(connect=1.0, command=1.0, device=5.0), parse=parse,
                      connect=FakeConnector(transports))
    assert_only_boom_failed(store, run(store, collect), "parser crashed", "MemoryError", "worker died")
    assert store.results["a"].records.facts == Facts("a")


def test_a_progress_write() -> None:
    """The row's running update (``attempt``) cannot be written."""

    class Store(FakeStore):
        def update_device(self, job_id: str, device: str, update: DeviceUpdate) -> None:
            if device == "boom" and update.attempt is not None:
                raise LookupError("attempt write refused")
            super().update_device(job_id, device, update)

    store = Store(devices())
    assert_only_boom_failed(store, run(store, scripted({}, counter())), "LookupError", "attempt write refused")


def test_a_progress_step_write_that_fails_is_logged_and_fails_no_device(caplog: pytest.LogCaptureFixture) -> None:
    """Steps are progress hints written in batches: a batch refused is a warning, every device completes."""

    class Store(FakeStore):
        def update_device(self, job_id: str, device: str, update: DeviceUpdate) -> None:
            if device == "boom" and update.step == "show version":
                raise LookupError("step write refused")
            super().update_device(job_id, device, update)

    store = Store(devices())
    engine = DiscoveryEngine(store, scripted({}, counter(), delay=0.2), concurrency=10, retry=FAST,
                             step_write_s=0.02)
    with caplog.at_level("WARNING", logger="netatlas.jobs.engine"):
        status = asyncio.run(engine.run("job1", WANTED))
    assert status is JobStatus.COMPLETED
    assert {name: store.updates[name][-1].status for name in NAMES} == dict.fromkeys(NAMES, DeviceStatus.COMPLETED)
    assert "step write refused" in caplog.text


def test_reading_its_credentials() -> None:
    class Store(FakeStore):
        def credential(self, name: str) -> Credential:
            if name == "broken":
                raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "sealed credential is garbage")
            return super().credential(name)

    store = Store([dev("a"), dev("boom", credentials="broken"), dev("c")])
    assert_only_boom_failed(store, run(store, scripted({}, counter())), "UnicodeDecodeError")


def test_storing_its_result_stores_the_internal_failure_instead() -> None:
    class Store(FakeStore):
        def finish_device(self, job_id: str, result: DeviceResult, final: DeviceUpdate) -> None:
            if result.name == "boom" and result.ok:
                raise ValueError(f"cannot store records holding {PASSWORD}")
            super().finish_device(job_id, result, final)

    store = Store(devices())
    boom = assert_only_boom_failed(store, run(store, scripted({}, counter())), "storing its result", "ValueError")
    assert "***" in (boom.error or "")
    assert store.results["boom"].error_kind is ErrorKind.INTERNAL and not store.results["boom"].ok


def test_storing_nothing_at_all_still_ends_the_row() -> None:
    class Store(FakeStore):
        def finish_device(self, job_id: str, result: DeviceResult, final: DeviceUpdate) -> None:
            if result.name == "boom":
                raise TypeError("unstorable")
            super().finish_device(job_id, result, final)

    store = Store(devices())
    assert_only_boom_failed(store, run(store, scripted({}, counter())), "storing its result", "TypeError")
    assert set(store.results) == {"a", "c"}


@pytest.mark.parametrize("where", ["callback", "add_devices"])
def test_following_its_neighbors(where: str) -> None:
    """The crawl callback, or adding what it found to the job, fails for one device: that device fails,
    the devices found from the others are still run."""

    class Store(FakeStore):
        def add_devices(self, job_id: str, found: list[InventoryDevice]) -> None:
            if where == "add_devices" and found[0].name == "from-boom":
                raise AttributeError("bad neighbor row")
            super().add_devices(job_id, found)

    async def on_result(device: InventoryDevice, result: DeviceResult) -> list[InventoryDevice]:
        if device.name == "boom" and where == "callback":
            raise IndexError("neighbor table ended early")
        return [dev(f"from-{device.name}")] if not device.name.startswith("from-") else []

    store = Store(devices())
    status = run(store, scripted({}, counter()), on_result)
    assert {d.name for d in store.devices} == {*NAMES, "from-a", "from-c"}  # nothing added from boom
    store.devices = [d for d in store.devices if not d.name.startswith("from-")]
    assert_only_boom_failed(store, status, "following its neighbors")
    assert store.updates["from-a"][-1].status is DeviceStatus.COMPLETED
