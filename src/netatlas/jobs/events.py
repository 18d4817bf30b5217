"""Live progress as events: the engine publishes each transition, API streams (SSE) subscribe.

Progress itself lives in the database (``job`` and ``job_device`` rows); events are only a
notification that a row changed, so a subscriber that misses one loses nothing: it reads the rows
again. The engine calls :meth:`EventSink.publish` after each write it makes (a device's step, a
device's final status, the job's status). Publishing never raises and never blocks the engine.

Two buses implement both halves:

- :class:`LocalBus`: in-process (the embedded executor: the engine and the API share a process);
- a Redis bus (``netatlas.jobs.celery``): workers publish, API processes subscribe, per job channel.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

log = logging.getLogger(__name__)
EventKind = Literal["job", "device"]
QUEUE_MAX = 10_000  # events a slow subscriber may lag behind; past it the oldest are dropped (rows hold the truth)


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """One transition: the job's status, or one device's step or status.

    Examples:
        >>> event = ProgressEvent("j1", "device", "running", device="sw1", step="lldp", at=1.0)
        >>> ProgressEvent.from_json(event.to_json()) == event
        True
    """

    job_id: str
    kind: EventKind
    status: str
    device: str = ""
    step: str = ""
    error_kind: str = ""
    error: str = ""
    at: float = field(default_factory=time.time)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> ProgressEvent:
        data: dict[str, Any] = json.loads(text)
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


class EventSink(Protocol):
    def publish(self, event: ProgressEvent) -> None:
        """Send ``event`` to whoever listens; never raises, never blocks for long."""


class EventSource(Protocol):
    def subscribe(self, job_id: str) -> Any:
        """An async context manager yielding an async iterator of the job's events (from now on)."""


class NullSink:
    """No one listens (the CLI without a server)."""

    def publish(self, event: ProgressEvent) -> None:
        return None


class LocalBus:
    """Events within one process: publish from any thread, subscribe on any event loop.

    Examples:
        >>> async def demo():
        ...     bus = LocalBus()
        ...     async with bus.subscribe("j1") as events:
        ...         bus.publish(ProgressEvent("j1", "job", "running", at=0.0))
        ...         bus.publish(ProgressEvent("j2", "job", "running", at=0.0))  # another job's
        ...         bus.publish(ProgressEvent("j1", "job", "completed", at=0.0))
        ...         return [e.status async for e in _take(events, 2)]
        >>> asyncio.run(demo())
        ['running', 'completed']
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, list[tuple[asyncio.AbstractEventLoop, asyncio.Queue[ProgressEvent]]]] = {}

    def publish(self, event: ProgressEvent) -> None:
        with self._lock:
            targets = list(self._subscribers.get(event.job_id, ()))
        for loop, queue in targets:
            try:
                loop.call_soon_threadsafe(_put, queue, event)
            except RuntimeError:  # that subscriber's loop is closed: it is gone
                continue

    def subscribers(self, job_id: str) -> int:
        with self._lock:
            return len(self._subscribers.get(job_id, ()))

    @asynccontextmanager
    async def subscribe(self, job_id: str) -> AsyncIterator[AsyncIterator[ProgressEvent]]:
        queue: asyncio.Queue[ProgressEvent] = asyncio.Queue(QUEUE_MAX)
        entry = (asyncio.get_running_loop(), queue)
        with self._lock:
            self._subscribers.setdefault(job_id, []).append(entry)
        try:
            yield _drain(queue)
        finally:
            with self._lock:
                listeners = self._subscribers.get(job_id, [])
                if entry in listeners:
                    listeners.remove(entry)
                if not listeners:
                    self._subscribers.pop(job_id, None)


def _put(queue: asyncio.Queue[ProgressEvent], event: ProgressEvent) -> None:
    if queue.full():
        queue.get_nowait()  # the oldest goes: the rows hold the truth, the stream only says "changed"
    queue.put_nowait(event)


async def _drain(queue: asyncio.Queue[ProgressEvent]) -> AsyncIterator[ProgressEvent]:
    while True:
        yield await queue.get()


async def _take(events: AsyncIterator[ProgressEvent], n: int) -> AsyncIterator[ProgressEvent]:
    for _ in range(n):
        yield await anext(events)
