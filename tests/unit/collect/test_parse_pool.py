"""The parse pool belongs to the process: started once and shared, replaced when a worker dies, and a
shutdown under a waiting parse is an error for that parse, never a cancel of the task waiting on it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import time
from collections.abc import Iterator

import pytest

from netatlas.collect.parsers import POOL_THRESHOLD, parse_output, parse_output_async, pool, shutdown_pool, start_pool
from netatlas.domain.records import ROUTE_TYPES
from tests.support.parser_fixtures import FIXTURES

ROUTES = frozenset(ROUTE_TYPES)
COMMAND = "show ip route vrf *"


@pytest.fixture(autouse=True)
def _no_pool_left() -> Iterator[None]:
    shutdown_pool()
    yield
    shutdown_pool()


def _routes() -> str:
    text = (FIXTURES / "cisco_ios/show_ip_route_vrf_star/lab_rtr1.raw").read_text()
    assert len(text) > POOL_THRESHOLD
    return text


def _workers() -> set[int]:
    assert pool._pool is not None
    return set(pool._pool._processes or {})


def test_start_pool_is_idempotent_and_keeps_the_same_workers() -> None:
    start_pool()
    first, workers = pool._pool, _workers()
    assert len(workers) == pool.POOL_WORKERS
    start_pool()
    asyncio.run(parse_output_async("cisco_ios", COMMAND, _routes(), ROUTES))
    assert pool._pool is first and _workers() == workers


def test_a_dead_worker_is_replaced_and_the_output_parsed_again() -> None:
    text = _routes()
    start_pool()
    broken = pool._pool
    assert broken is not None
    os.kill(next(iter(_workers())), signal.SIGKILL)
    deadline = time.monotonic() + 10
    while not broken._broken and time.monotonic() < deadline:  # the pool notices the death on its own thread
        time.sleep(0.02)
    assert broken._broken, "the pool did not notice its dead worker"
    got = asyncio.run(parse_output_async("cisco_ios", COMMAND, text, ROUTES))
    assert got == parse_output("cisco_ios", COMMAND, text, ROUTES)
    assert pool._pool is not None and pool._pool is not broken


def test_a_parse_the_pool_cancels_fails_without_cancelling_its_task() -> None:
    """What a shutdown does to a queued parse: the waiting task gets an error, and is not cancelled."""

    async def waiting() -> tuple[str, bool]:
        queued: concurrent.futures.Future[str] = concurrent.futures.Future()
        call = asyncio.ensure_future(pool._awaited(asyncio.wrap_future(queued)))
        await asyncio.sleep(0)
        queued.cancel()  # as ProcessPoolExecutor.shutdown(cancel_futures=True) does
        try:
            await call
        except RuntimeError as exc:
            return str(exc), call.cancelled()
        return "", call.cancelled()

    message, cancelled = asyncio.run(waiting())
    assert "shut down" in message and not cancelled


def test_a_cancelled_task_still_cancels() -> None:
    async def cancelled() -> bool:
        queued: concurrent.futures.Future[str] = concurrent.futures.Future()
        call = asyncio.ensure_future(pool._awaited(asyncio.wrap_future(queued)))
        await asyncio.sleep(0)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        return queued.cancelled()

    assert asyncio.run(cancelled())


def test_a_forked_child_starts_its_own_pool() -> None:
    start_pool()
    parent_pool = pool._pool
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe and exits at once
        ok = pool._pool is None
        if ok:
            records = asyncio.run(parse_output_async("cisco_ios", COMMAND, _routes(), ROUTES))
            ok = records == parse_output("cisco_ios", COMMAND, _routes(), ROUTES) and pool._pool is not None
            shutdown_pool()
        os.write(write, b"1" if ok else b"0")
        os._exit(0)
    os.close(write)
    answer = os.read(read, 1)
    os.waitpid(child, 0)
    os.close(read)
    assert answer == b"1", "the child must not use its parent's workers"
    assert pool._pool is parent_pool


def test_records_cross_the_pool_as_constructor_and_values() -> None:
    """The compact pickling gives back equal records (a big routing table, every field)."""
    import copyreg
    import pickle

    from netatlas.collect.parsers import parse_command

    outcome = parse_command("cisco_ios", COMMAND, _routes(), ROUTES)
    route = outcome.records.routes[0]
    reduce = copyreg.dispatch_table[type(route)]  # (class, values): not the dataclass's __getstate__
    assert reduce(route) == (type(route), tuple(getattr(route, name) for name in route.__slots__))
    assert pickle.loads(pickle.dumps(outcome, protocol=5)) == outcome
    assert len(outcome.records.routes) > 10


def test_a_large_structured_output_parses_in_the_pool_like_text() -> None:
    """The main process runs every SSH session: a large document is read in a worker, as text is, and
    gives the text form's records (see the module docstring for the measurement)."""
    text = (FIXTURES / "cisco_nxos/show_ip_route_vrf_all_json/lab_spine1.raw").read_text()
    assert len(text) > pool.POOL_THRESHOLD
    outcome = asyncio.run(pool.parse_command_async("cisco_nxos", "show ip route vrf all | json", text, ROUTES))
    assert outcome.records.routes and pool._pool is not None  # a worker read it
    plain = (FIXTURES / "cisco_nxos/show_ip_route_vrf_all/lab_spine1.raw").read_text()
    text_outcome = asyncio.run(pool.parse_command_async("cisco_nxos", "show ip route vrf all", plain, ROUTES))
    assert sorted(text_outcome.records.routes, key=repr) == sorted(outcome.records.routes, key=repr)


def test_a_packed_output_parses_as_its_text() -> None:
    """The collector holds a long output packed: a large one crosses to a worker packed, a small one is
    unpacked and parsed inline; either way the outcome is the text's."""
    from netatlas.collect.parsers import parse_command
    from netatlas.domain.records import pack_text

    text = _routes()
    outcome = asyncio.run(pool.parse_packed_async("cisco_ios", COMMAND, pack_text(text), ROUTES))
    assert pool._pool is not None  # a worker read it
    assert outcome == parse_command("cisco_ios", COMMAND, text, ROUTES) and outcome.records.routes
    small = text[: POOL_THRESHOLD // 2]
    assert asyncio.run(pool.parse_packed_async("cisco_ios", COMMAND, pack_text(small), ROUTES)) == parse_command(
        "cisco_ios", COMMAND, small, ROUTES)
