"""Identical reads asked at once run once, and every answer is read after its request arrived.

Fifty clients polling one job's progress every second ask the same question many times a second.
:class:`Batched` runs a key's work at most once at a time: a caller that comes while a run is in
progress does not share that run (it may have read before the caller came), it waits for the next
one, which starts as soon as the current one ends and answers every caller that came meanwhile. So:

- every answer comes from a run that *started after its request arrived*: a client that saw a
  change (an event, its own cancel's 202) and then asks never gets an older document than one read
  after it asked, exactly as without batching;
- at any time a key has at most one run going and one batch waiting, whatever the number of
  callers: under load, the work per poll falls instead of piling up; without overlap nothing changes.

A caller that goes away (its client disconnected) does not cancel the run others wait for. An
exception raised by a run is raised to each caller of its batch. One instance serves one event loop
at a time per key (the key includes the loop, so tests that start several loops never mix them).

Examples:
    >>> async def demo():
    ...     batched, runs = Batched(), []
    ...     async def work():
    ...         runs.append(1)
    ...         await asyncio.sleep(0.01)
    ...         return len(runs)
    ...     answers = await asyncio.gather(*(batched.run("job", work) for _ in range(10)))
    ...     return answers, len(runs)
    >>> asyncio.run(demo())
    ([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 1)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass
class _Slot(Generic[T]):
    work: Callable[[], Awaitable[T]]
    waiting: asyncio.Future[T] | None = None  # the batch the next run answers
    driver: asyncio.Task[None] | None = field(default=None, repr=False)


class Batched:
    """Runs of ``work`` per key, batched as the module docstring says."""

    def __init__(self) -> None:
        self._slots: dict[tuple[int, Hashable], _Slot[Any]] = {}

    async def run(self, key: Hashable, work: Callable[[], Awaitable[T]]) -> T:
        """``work()``'s result from a run that starts after this call (shared with the calls batched with it)."""
        loop = asyncio.get_running_loop()
        slot_key = (id(loop), key)
        slot: _Slot[T] | None = self._slots.get(slot_key)
        if slot is None:
            slot = self._slots[slot_key] = _Slot(work)
        if slot.waiting is None:
            slot.waiting = loop.create_future()
            slot.waiting.add_done_callback(_retrieved)
        batch = slot.waiting
        if slot.driver is None:
            slot.driver = loop.create_task(self._drive(slot_key, slot))
        return await asyncio.shield(batch)

    def __len__(self) -> int:
        """Keys with a run going or a batch waiting."""
        return len(self._slots)

    async def _drive(self, slot_key: tuple[int, Hashable], slot: _Slot[T]) -> None:
        """Run the work for each waiting batch in turn; the slot goes when no batch waits."""
        try:
            while slot.waiting is not None:
                batch, slot.waiting = slot.waiting, None  # callers from now on wait for the next run
                try:
                    result = await slot.work()
                except asyncio.CancelledError:
                    batch.cancel()
                    raise
                except Exception as exc:  # the callers of this batch get it (404, 503...)
                    batch.set_exception(exc)
                else:
                    batch.set_result(result)
        finally:
            if slot.waiting is not None:  # cancelled (the loop is closing): nobody will run it
                slot.waiting.cancel()
            del self._slots[slot_key]


def _retrieved(future: asyncio.Future[Any]) -> None:
    """Mark a batch's exception retrieved (every caller may have gone: no "never retrieved" warning)."""
    if not future.cancelled():
        future.exception()
