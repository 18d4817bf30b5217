"""``Batched``: identical reads asked at once run once, and no answer was read before its request came."""

from __future__ import annotations

import asyncio

import pytest

from netatlas.api.batching import Batched
from netatlas.domain.errors import NotFound


class Store:
    """A value that changes, read by a slow read that records when it started."""

    def __init__(self) -> None:
        self.value = 0
        self.reads = 0
        self.gate = asyncio.Event()

    async def read(self) -> int:
        self.reads += 1
        seen = self.value  # read at the start of the run
        await self.gate.wait()
        return seen


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_callers_that_come_during_a_run_get_the_next_run_not_an_older_read() -> None:
    async def scenario() -> tuple[list[int], list[int], int]:
        store, batched = Store(), Batched()
        first = [asyncio.create_task(batched.run("k", store.read)) for _ in range(3)]
        await settle()  # the first run has started and read 0
        store.value = 1  # a change commits; a client that saw it asks now
        later = [asyncio.create_task(batched.run("k", store.read)) for _ in range(4)]
        await settle()
        store.gate.set()
        return list(await asyncio.gather(*first)), list(await asyncio.gather(*later)), store.reads

    first, later, reads = asyncio.run(scenario())
    assert first == [0, 0, 0]
    assert later == [1, 1, 1, 1]  # never the value read before they came
    assert reads == 2  # seven callers, two runs


def test_keys_do_not_share_and_slots_are_released() -> None:
    async def scenario() -> tuple[list[str], int]:
        batched = Batched()

        async def read(key: str) -> str:
            await asyncio.sleep(0.001)
            return key

        got = await asyncio.gather(*(batched.run(k, lambda k=k: read(k)) for k in ("a", "b", "a", "b")))  # type: ignore[misc]
        return list(got), len(batched)

    got, left = asyncio.run(scenario())
    assert got == ["a", "b", "a", "b"] and left == 0


def test_an_error_reaches_every_caller_of_its_batch_and_the_next_run_is_fresh() -> None:
    async def scenario() -> tuple[list[BaseException | int], int]:
        batched, calls = Batched(), []

        async def read() -> int:
            calls.append(1)
            await asyncio.sleep(0.001)
            if len(calls) == 1:
                raise NotFound("no job j")
            return len(calls)

        failed = await asyncio.gather(*(batched.run("k", read) for _ in range(3)), return_exceptions=True)
        return [*failed, await batched.run("k", read)], len(calls)

    answers, calls = asyncio.run(scenario())
    assert [type(a) for a in answers[:3]] == [NotFound] * 3 and answers[3] == 2 and calls == 2


def test_a_caller_that_goes_away_does_not_cancel_the_others() -> None:
    async def scenario() -> int:
        store, batched = Store(), Batched()
        leaving = asyncio.create_task(batched.run("k", store.read))
        staying = asyncio.create_task(batched.run("k", store.read))
        await settle()
        leaving.cancel()
        await settle()
        store.value = 7
        store.gate.set()
        with pytest.raises(asyncio.CancelledError):
            await leaving
        return await staying

    assert asyncio.run(scenario()) == 0  # the run both joined completed for the one still waiting
