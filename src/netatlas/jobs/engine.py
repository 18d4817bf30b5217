"""Run one discovery job: every device in parallel (bounded), retries, cancel, progress in rows.

The engine owns no state that matters after a crash: every transition is written through
``JobStore`` as it happens, so progress survives restarts and reads the same whichever
executor ran the job. Store calls are synchronous; they run on one dedicated thread so the
event loop never blocks on the database.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from netatlas.domain.errors import NetatlasError
from netatlas.domain.inventory import Credential, InventoryDevice
from netatlas.domain.records import DataType, DeviceResult, DeviceStatus, ErrorKind, JobStatus
from netatlas.jobs.ports import Collect, DeviceUpdate, JobStore

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")

CANCEL_POLL_S = 0.5  # how stale the cancel flag may be (one read serves every device)
STEP_WRITE_S = 1.0  # a device's current step is written at most this often


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Transient failures (unreachable, timeout, disconnected) are retried with exponential backoff.

    Examples:
        >>> policy = RetryPolicy(attempts=3, base_s=1.0, jitter=0.0)
        >>> [policy.delay(n) for n in (1, 2)]
        [1.0, 2.0]
    """

    attempts: int = 3
    base_s: float = 1.0
    max_s: float = 30.0
    jitter: float = 0.1  # fraction of the delay added at random, so retries do not stampede

    def delay(self, attempt: int) -> float:
        base = min(self.base_s * 2.0 ** (attempt - 1), self.max_s)
        return base + random.uniform(0, base * self.jitter)  # noqa: S311 - jitter, not crypto

    def retry(self, result: DeviceResult, attempt: int) -> bool:
        kind = result.error_kind
        return not result.ok and kind is not None and kind.transient and attempt < self.attempts


OnResult = Callable[[InventoryDevice, DeviceResult], Awaitable[Iterable[InventoryDevice]]]


class DiscoveryEngine:
    def __init__(self, store: JobStore, collect: Collect, *, concurrency: int = 100,
                 retry: RetryPolicy | None = None, cancel_poll_s: float = CANCEL_POLL_S) -> None:
        self._store, self._collect = store, collect
        self._sem = asyncio.Semaphore(concurrency)
        self._retry = retry or RetryPolicy()
        self._db_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="netatlas-db")
        self._cancel_poll_s = cancel_poll_s
        self._cancel_checked = -cancel_poll_s
        self._cancelling = False
        self._step_written: dict[str, float] = {}

    async def run(self, job_id: str, wanted: frozenset[DataType], on_result: OnResult | None = None) -> JobStatus:
        """Run every pending device of the job; ``on_result`` may return more devices (crawl)."""
        await self._db(self._store.set_job_status, job_id, JobStatus.RUNNING)
        try:
            devices = await self._db(self._store.pending_devices, job_id)
            tasks = {asyncio.create_task(self._device(job_id, d, wanted)): d for d in devices}
            while tasks:
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    device, result = tasks.pop(task), task.result()
                    extra = list(await on_result(device, result)) if on_result else []
                    if extra:
                        await self._db(self._store.add_devices, job_id, extra)
                    for new in extra:
                        tasks[asyncio.create_task(self._device(job_id, new, wanted))] = new
            status = JobStatus.CANCELLED if await self._is_cancelling(job_id, fresh=True) else JobStatus.COMPLETED
            await self._db(self._store.set_job_status, job_id, status)
            return status
        except BaseException:
            self._store.set_job_status(job_id, JobStatus.FAILED)  # the loop may be going away: write directly
            raise
        finally:
            self._db_thread.shutdown(wait=False)

    async def _device(self, job_id: str, device: InventoryDevice, wanted: frozenset[DataType]) -> DeviceResult:
        async with self._sem:
            if await self._is_cancelling(job_id, fresh=True):  # nothing starts after a cancel
                result = DeviceResult(device.name, ok=False, error_kind=ErrorKind.CANCELLED,
                                      error="job cancelled before this device started")
            else:
                result = await self._attempts(job_id, device, wanted)
            await self._db(self._store.save_result, job_id, result)
            await self._update(job_id, device.name, _final(result))
            return result

    async def _attempts(self, job_id: str, device: InventoryDevice, wanted: frozenset[DataType]) -> DeviceResult:
        try:
            credential = await self._db(self._store.credential, device.credentials)
        except NetatlasError as exc:
            return DeviceResult(device.name, ok=False, error_kind=ErrorKind.AUTH_FAILED, error=str(exc))
        attempt = 1
        while True:
            await self._update(job_id, device.name, DeviceUpdate(DeviceStatus.RUNNING, attempt=attempt))
            result = await self._once(job_id, device, credential, wanted)
            if not self._retry.retry(result, attempt):
                return result
            delay = self._retry.delay(attempt)
            step = f"retrying in {delay:.1f}s after {result.error_kind}: {result.error}"
            await self._update(job_id, device.name, DeviceUpdate(DeviceStatus.RUNNING, step=step, attempt=attempt,
                                                                  error_kind=result.error_kind, error=result.error))
            await asyncio.sleep(delay)
            attempt += 1

    async def _once(self, job_id: str, device: InventoryDevice, credential: Credential,
                    wanted: frozenset[DataType]) -> DeviceResult:
        async def should_stop() -> bool:
            return await self._is_cancelling(job_id)

        async def on_step(step: str) -> None:
            now = time.monotonic()
            if now - self._step_written.get(device.name, 0.0) >= STEP_WRITE_S:
                self._step_written[device.name] = now
                await self._update(job_id, device.name, DeviceUpdate(DeviceStatus.RUNNING, step=step))

        return await self._collect(device, credential, wanted, should_stop=should_stop, on_step=on_step)

    async def _is_cancelling(self, job_id: str, *, fresh: bool = False) -> bool:
        now = time.monotonic()
        if fresh or now - self._cancel_checked >= self._cancel_poll_s:
            self._cancel_checked = now
            self._cancelling = await self._db(self._store.is_cancelling, job_id)
        return self._cancelling

    async def _update(self, job_id: str, device: str, update: DeviceUpdate) -> None:
        await self._db(self._store.update_device, job_id, device, update)

    async def _db(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._db_thread, lambda: fn(*args, **kwargs))


def _final(result: DeviceResult) -> DeviceUpdate:
    if result.ok:
        return DeviceUpdate(DeviceStatus.COMPLETED, step="")
    status = DeviceStatus.CANCELLED if result.error_kind is ErrorKind.CANCELLED else DeviceStatus.FAILED
    return DeviceUpdate(status, step="", error_kind=result.error_kind, error=result.error)
