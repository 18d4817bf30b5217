"""Run one discovery job: every device in parallel (bounded), retries, cancel, progress in rows.

The engine owns no state that matters after a crash: every transition is written through
``JobStore`` as it happens, so progress survives restarts and reads the same whichever
executor ran the job. Store calls are synchronous; they run on one dedicated thread so the
event loop never blocks on the database (the heartbeat has a thread of its own, so a queue of
writes never delays it).

Whatever happens, the job ends with a final status and every device row final:

- one device's unexpected exception -- collecting, parsing, a progress write, storing its
  result, following its neighbors -- is that device's ``internal`` failure (message kept, its
  credential's secrets hidden), never the job's;
- a device's snapshot and its final status are stored in one transaction
  (``JobStore.finish_device``): a crash between them leaves neither, so a resumed job runs the
  device again instead of tripping over a half-finished one;
- a cancel (``jobs cancel``) starts nothing new and lets running devices end at their next
  command; a :class:`Stop` (a signal) does the same but cancels what still runs after
  :data:`STOP_GRACE_S` (at once on a second request); a device cancelled while waiting to retry
  keeps its last real error kind and message, with status ``cancelled``;
- a storage failure (``StoreError``: server gone, disk full, database file removed) stops the
  job at once: it is marked ``failed`` with the reason when the database still takes that
  write, and ``StoreError`` is raised (the job is recovered as ``interrupted`` otherwise);
- if the run itself is torn down (cancelled task, ``KeyboardInterrupt``), the job is ended
  ``interrupted`` on the way out.

Progress steps (the command a device is on) are not a write each: the latest step of every
device is kept and written for all of them together at most every :data:`STEP_WRITE_S`, in one
transaction (``JobStore.update_steps(job_id, {device: step})``). Writes go through the one database
thread in order, and a device's pending step is dropped when any other write for it is queued.

Storing a result (``finish_device``) may take long without holding this process's CPU: the store
sends it to a worker process and waits. With ``finish_threads`` > 1 (a store whose finishes run
elsewhere: ``DatabaseJobStore.finish_threads``) it waits on threads of its own, so that the database
thread is free for the next devices' writes and cancel checks; a batch of steps taken before a device
ended may then land after its final row, and the store leaves a final row as it is (steps write
running rows only).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import traceback
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, ParamSpec, TypeVar

from netatlas.domain.errors import NetatlasError, StoreError
from netatlas.domain.inventory import Credential, InventoryDevice
from netatlas.domain.records import DataType, DeviceResult, DeviceStatus, ErrorKind, JobStatus
from netatlas.domain.text import scrub
from netatlas.jobs.liveness import HEARTBEAT_S
from netatlas.jobs.order import spread
from netatlas.jobs.ports import Collect, DeviceUpdate, JobStore

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")

CANCEL_POLL_S = 0.5  # how stale the cancel flag may be (one read serves every device)
STEP_WRITE_S = 1.0  # the devices' current steps are written together at most this often
STOP_GRACE_S = 2.0  # after a stop request, running devices get this long to end on their own
_STATUS_OF_KIND = {ErrorKind.CANCELLED: DeviceStatus.CANCELLED, ErrorKind.INTERRUPTED: DeviceStatus.INTERRUPTED}


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


class Stop:
    """A request from outside the job (a signal handler) to end it now, with a status and a reason.

    The first request lets running devices end at their next command; a second one cancels them
    at once. Call :meth:`request` on the engine's event loop (``loop.add_signal_handler`` does).
    """

    def __init__(self) -> None:
        self.status: JobStatus | None = None
        self.message = ""
        self.requests = 0
        self._event = asyncio.Event()

    def request(self, status: JobStatus, message: str) -> None:
        if self.status is None:
            self.status, self.message = status, message
        self.requests += 1
        self._event.set()

    async def wait(self) -> None:
        await self._event.wait()
        self._event.clear()


OnResult = Callable[[InventoryDevice, DeviceResult], Awaitable[Iterable[InventoryDevice]]]
Tasks = dict["asyncio.Task[DeviceResult]", InventoryDevice]


class DiscoveryEngine:
    def __init__(self, store: JobStore, collect: Collect, *, concurrency: int = 100,
                 retry: RetryPolicy | None = None, cancel_poll_s: float = CANCEL_POLL_S,
                 heartbeat_s: float = HEARTBEAT_S, stop_grace_s: float = STOP_GRACE_S,
                 step_write_s: float = STEP_WRITE_S, finish_threads: int = 1) -> None:
        self._store, self._collect = store, collect
        self._sem = asyncio.Semaphore(concurrency)
        self._retry = retry or RetryPolicy()
        self._db_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="netatlas-db")
        self._beat_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="netatlas-heartbeat")
        # finish_device off the database thread when the store allows several at once (module docstring)
        self._finish_thread = self._db_thread if finish_threads <= 1 else ThreadPoolExecutor(
            max_workers=finish_threads, thread_name_prefix="netatlas-finish")
        self._cancel_poll_s, self._heartbeat_s, self._grace_s = cancel_poll_s, heartbeat_s, stop_grace_s
        self._step_write_s = step_write_s
        self._cancel_checked = -cancel_poll_s
        self._cancelling = False
        self._stop = Stop()
        self._steps: dict[str, str] = {}  # per running device: its latest step, not yet written
        self._step_writer: asyncio.Task[None] | None = None
        self._secrets: dict[str, tuple[str | None, ...]] = {}  # per running device: what its errors must not show
        self._tasks: Tasks = {}
        self._ended: asyncio.Queue[asyncio.Task[DeviceResult]] = asyncio.Queue()  # device tasks done, in order
        self._hard_stop: asyncio.TimerHandle | None = None
        self._watchers: list[asyncio.Future[Any]] = []

    async def run(self, job_id: str, wanted: frozenset[DataType], on_result: OnResult | None = None,
                  stop: Stop | None = None) -> JobStatus:
        """Run every pending device of the job; ``on_result`` may return more devices (crawl)."""
        self._stop = stop or Stop()
        await self._db(self._store.start_job, job_id)
        try:
            pending = await self._db(self._store.pending_devices, job_id)
            for device in spread(pending, key=lambda d: d.platform):  # the machine's parts busy together
                self._spawn(job_id, device, wanted)
            await self._drain(job_id, wanted, on_result)
            status, message = await self._outcome(job_id)
            await self._db(self._store.end_job, job_id, status, message)
            return status
        except StoreError as exc:
            await self._cancel_devices()
            message = f"storage failed mid-run: {exc}"
            ended = await self._end_quietly(job_id, JobStatus.FAILED, message)
            note = "" if ended else "; the job could not be marked failed (`netatlas jobs recover` marks it)"
            raise StoreError(f"job {job_id} stopped, {message}{note}") from exc
        except BaseException as exc:
            for task in self._tasks:
                task.cancel()
            self._end_now(job_id, f"the run was interrupted ({type(exc).__name__})")  # the loop may be going away
            raise
        finally:
            self._release()

    async def run_devices(self, job_id: str, devices: Iterable[InventoryDevice], wanted: frozenset[DataType],
                          stop: Stop | None = None) -> None:
        """Run ``devices`` of a job that is already running, without starting or ending the job.

        For executors that split a job into chunks run by several processes (Celery): each chunk
        runs its devices here, with the same containment, retries, cancel checks and heartbeat as
        :meth:`run`, and the caller ends the job once its last row is final. A device cancelled by
        ``stop`` is left unfinished (its row is the caller's to end or to run again). A storage
        failure raises ``StoreError`` with the rows left as they are (a resumed chunk runs them).
        """
        self._stop = stop or Stop()
        try:
            for device in spread(list(devices), key=lambda d: d.platform):
                self._spawn(job_id, device, wanted)
            await self._drain(job_id, wanted, None)
        except BaseException:
            await self._cancel_devices()
            raise
        finally:
            self._release()

    def _release(self) -> None:
        for watcher in self._watchers:
            watcher.cancel()
            if watcher.done() and not watcher.cancelled():
                watcher.exception()  # a heartbeat that failed with the run: retrieved, never logged as lost
        if self._hard_stop is not None:
            self._hard_stop.cancel()
        if self._step_writer is not None:
            self._step_writer.cancel()
        self._steps.clear()
        self._db_thread.shutdown(wait=False)
        self._finish_thread.shutdown(wait=False)
        self._beat_thread.shutdown(wait=False)

    def _spawn(self, job_id: str, device: InventoryDevice, wanted: frozenset[DataType]) -> None:
        task = asyncio.create_task(self._device(job_id, device, wanted))
        self._tasks[task] = device
        task.add_done_callback(self._ended.put_nowait)  # _drain takes them from here: O(1) per device

    async def _drain(self, job_id: str, wanted: frozenset[DataType], on_result: OnResult | None) -> None:
        """Wait for every device (and those they add), watching the heartbeat and stop requests."""
        loop = asyncio.get_running_loop()
        beat: asyncio.Future[None] = asyncio.create_task(self._heartbeat(job_id))
        stopper: asyncio.Future[None] = asyncio.create_task(self._stop.wait())
        ended: asyncio.Future[asyncio.Task[DeviceResult]] = asyncio.create_task(self._ended.get())
        self._watchers = [beat, stopper, ended]
        while self._tasks:
            # Not asyncio.wait() over every device task: that registers and removes a callback on
            # each of them per wake-up, O(devices) per finished device (quadratic in the job's size).
            waiting: set[asyncio.Future[Any]] = {ended, beat, stopper}
            done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            if beat in done:
                beat.result()  # a storage failure of the heartbeat raises here
                beat = loop.create_future()  # the job was ended elsewhere: the stop request follows
            if stopper in done:
                stopper = asyncio.create_task(self._stop.wait())  # a second request cancels at once
                self._stopping()
            finished: list[asyncio.Task[DeviceResult]] = []
            if ended in done:
                finished.append(ended.result())
                while not self._ended.empty():
                    finished.append(self._ended.get_nowait())
                ended = asyncio.create_task(self._ended.get())
            self._watchers = [beat, stopper, ended]
            for task in [t for t in finished if t in self._tasks]:
                device = self._tasks.pop(task)
                result = _result_of(task, device)
                extra = await self._follow(job_id, device, result, on_result) if on_result and result else []
                for new in extra:
                    self._spawn(job_id, new, wanted)

    def _stopping(self) -> None:
        """Stop requested (a signal, or the job was ended elsewhere): nothing new starts; running
        devices are cancelled after the grace period, or now on a second request."""
        self._cancelling = True
        if self._stop.requests > 1:
            asyncio.get_running_loop().create_task(self._cancel_devices())
        elif self._hard_stop is None:
            self._hard_stop = asyncio.get_running_loop().call_later(self._grace_s, self._cancel_now)

    def _cancel_now(self) -> None:
        for task in self._tasks:
            task.cancel()

    async def _cancel_devices(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _outcome(self, job_id: str) -> tuple[JobStatus, str]:
        if self._stop.status is not None:
            return self._stop.status, self._stop.message
        if await self._is_cancelling(job_id, fresh=True):
            return JobStatus.CANCELLED, "cancelled on request"
        return JobStatus.COMPLETED, ""

    async def _heartbeat(self, job_id: str) -> None:
        """Refresh the job's heartbeat until the run ends; a job ended elsewhere stops the run."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self._heartbeat_s)
            if not await loop.run_in_executor(self._beat_thread, self._store.heartbeat, job_id):
                log.warning("job %s was ended by another process; stopping", job_id)
                self._stop.request(JobStatus.INTERRUPTED, "the job was ended by another process")
                return

    async def _end_quietly(self, job_id: str, status: JobStatus, message: str) -> bool:
        try:
            return await self._db(self._store.end_job, job_id, status, message)
        except NetatlasError as exc:
            log.error("job %s: could not record its end (%s)", job_id, exc)
            return False

    def _end_now(self, job_id: str, message: str) -> None:
        try:
            self._store.end_job(job_id, JobStatus.INTERRUPTED, message)
        except Exception as exc:  # already failing: keep the first error
            log.error("job %s: could not record its end (%s)", job_id, exc)

    async def _device(self, job_id: str, device: InventoryDevice, wanted: frozenset[DataType]) -> DeviceResult:
        async with self._sem:
            try:
                result, cancelled = await self._guarded(job_id, device, wanted)
                return await self._finish(job_id, self._as_stopped(result), cancelled)
            finally:
                self._secrets.pop(device.name, None)
                self._steps.pop(device.name, None)

    async def _guarded(self, job_id: str, device: InventoryDevice,
                       wanted: frozenset[DataType]) -> tuple[DeviceResult, bool]:
        """The device's attempts (nothing starts after a cancel); an unexpected exception -- in the
        collector, a parser, a progress write or a cancel check -- becomes its ``internal`` failure."""
        try:
            if await self._is_cancelling(job_id, fresh=True):
                return DeviceResult(device.name, ok=False, error_kind=ErrorKind.CANCELLED,
                                    error="job cancelled before this device started"), True
            return await self._attempts(job_id, device, wanted)
        except StoreError:
            raise
        except Exception as exc:
            self._log_bug(f"internal error on device {device.name}", device.name, exc)
            return self._internal(device.name, exc, "collecting"), False

    async def _finish(self, job_id: str, result: DeviceResult, cancelled: bool) -> DeviceResult:
        """Store the result and the row's final status in one transaction. When that fails for this
        device's sake (not ``StoreError``), its ``internal`` failure is stored instead, and if even
        that fails, the row alone is ended with it."""
        self._steps.pop(result.name, None)
        try:
            await self._stored(job_id, result, _final(result, cancelled=cancelled))
            return result
        except StoreError:
            raise
        except Exception as exc:
            self._log_bug(f"internal error storing the result of {result.name}", result.name, exc)
            failed = self._internal(result.name, exc, "storing its result")
        try:
            await self._stored(job_id, failed, _final(failed))
        except StoreError:
            raise
        except Exception as exc:
            self._log_bug(f"cannot store the internal failure of {result.name}", result.name, exc)
            await self._end_row(job_id, failed)
        return failed

    async def _follow(self, job_id: str, device: InventoryDevice, result: DeviceResult,
                      on_result: OnResult) -> list[InventoryDevice]:
        """The devices ``on_result`` (the crawl) adds after this one, added to the job; a bug there
        fails this device (``internal``), not the job."""
        try:
            extra = list(await on_result(device, result))
            if extra:
                await self._db(self._store.add_devices, job_id, extra)
            return extra
        except StoreError:
            raise
        except Exception as exc:
            self._log_bug(f"internal error following the neighbors of {device.name}", device.name, exc)
            await self._end_row(job_id, self._internal(device.name, exc, "following its neighbors"))
            return []

    async def _end_row(self, job_id: str, failed: DeviceResult) -> None:
        """Last resort: the device row (alone) ended with ``failed``; the job's end makes it final otherwise."""
        try:
            await self._update(job_id, failed.name, _final(failed))
        except StoreError:
            raise
        except Exception as exc:
            self._log_bug(f"cannot record the failure of {failed.name}", failed.name, exc)

    def _internal(self, name: str, exc: Exception, doing: str) -> DeviceResult:
        """The device's ``internal`` failure: the exception's type and message, its secrets hidden."""
        error = f"internal error while {doing}: {type(exc).__name__}: {exc}"
        return DeviceResult(name, ok=False, error_kind=ErrorKind.INTERNAL,
                            error=scrub(error, self._secrets.get(name, ())))

    def _log_bug(self, what: str, device: str, exc: Exception) -> None:
        """The traceback, logged with the device's secrets hidden (device text may echo them)."""
        trace = "".join(traceback.format_exception(exc))
        log.error("%s\n%s", what, scrub(trace, self._secrets.get(device, ())))

    def _as_stopped(self, result: DeviceResult) -> DeviceResult:
        """A device stopped by an interrupting :class:`Stop` (SIGTERM) is interrupted, not cancelled."""
        if self._stop.status is JobStatus.INTERRUPTED and result.error_kind is ErrorKind.CANCELLED:
            return replace(result, error_kind=ErrorKind.INTERRUPTED, error=f"{self._stop.message}: {result.error}")
        return result

    async def _attempts(self, job_id: str, device: InventoryDevice,
                        wanted: frozenset[DataType]) -> tuple[DeviceResult, bool]:
        """The last attempt's result, and whether a cancel came before the next retry."""
        try:
            credential = await self._db(self._store.credential, device.credentials)
        except StoreError:
            raise
        except NetatlasError as exc:
            return DeviceResult(device.name, ok=False, error_kind=ErrorKind.AUTH_FAILED, error=str(exc)), False
        self._secrets[device.name] = (credential.password, credential.enable_secret)
        attempt = 1
        while True:
            await self._update(job_id, device.name, DeviceUpdate(DeviceStatus.RUNNING, attempt=attempt))
            result = await self._once(job_id, device, credential, wanted)
            if not self._retry.retry(result, attempt):
                return result, False
            if await self._cancelled_in_backoff(job_id, device.name, result, attempt):
                return result, True
            attempt += 1

    async def _cancelled_in_backoff(self, job_id: str, device: str, result: DeviceResult, attempt: int) -> bool:
        """Wait before the next attempt; True when the job is cancelled before or during the wait."""
        if await self._is_cancelling(job_id, fresh=True):
            return True
        delay = self._retry.delay(attempt)
        step = f"retrying in {delay:.1f}s after {result.error_kind}: {result.error}"
        await self._update(job_id, device, DeviceUpdate(DeviceStatus.RUNNING, step=step, attempt=attempt,
                                                        error_kind=result.error_kind, error=result.error))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + delay
        while (left := deadline - loop.time()) > 0:
            await asyncio.sleep(min(left, CANCEL_POLL_S))
            if await self._is_cancelling(job_id):
                return True
        return False

    async def _once(self, job_id: str, device: InventoryDevice, credential: Credential,
                    wanted: frozenset[DataType]) -> DeviceResult:
        async def should_stop() -> bool:
            return await self._is_cancelling(job_id)

        async def on_step(step: str) -> None:
            self._steps[device.name] = step
            if self._step_writer is None or self._step_writer.done():
                self._step_writer = asyncio.create_task(self._write_steps_soon(job_id))

        return await self._collect(device, credential, wanted, should_stop=should_stop, on_step=on_step)

    async def _is_cancelling(self, job_id: str, *, fresh: bool = False) -> bool:
        if self._stop.status is not None:
            return True
        now = time.monotonic()
        if fresh or now - self._cancel_checked >= self._cancel_poll_s:
            self._cancel_checked = now
            self._cancelling = await self._db(self._store.is_cancelling, job_id)
        return self._cancelling

    async def _update(self, job_id: str, device: str, update: DeviceUpdate) -> None:
        self._steps.pop(device, None)  # queued after any step batch that holds it: a step never follows this
        await self._db(self._store.update_device, job_id, device, update)

    async def _write_steps_soon(self, job_id: str) -> None:
        """After ``step_write_s``, every device's latest step in one store call; a failure is logged,
        never a device's (a broken database fails the devices' own writes next, which stop the job)."""
        await asyncio.sleep(self._step_write_s)
        steps, self._steps = self._steps, {}
        if not steps:
            return
        try:
            await self._db(self._store.update_steps, job_id, steps)
        except Exception as exc:
            log.warning("job %s: progress steps of %d device(s) not written: %s", job_id, len(steps), exc)

    async def _stored(self, job_id: str, result: DeviceResult, final: DeviceUpdate) -> None:
        """``finish_device`` on its own threads (or the database thread: see ``finish_threads``)."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._finish_thread, self._store.finish_device, job_id, result, final)

    async def _db(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._db_thread, lambda: fn(*args, **kwargs))


def _result_of(task: asyncio.Task[DeviceResult], device: InventoryDevice) -> DeviceResult | None:
    """The device's result; None when it was cancelled (its row is ended with the job)."""
    if task.cancelled():
        return None
    error = task.exception()
    if isinstance(error, StoreError):
        raise error
    if error is not None:  # _device guards everything else: a bug if it happens; the job goes on
        log.error("device %s ended without a result: %r", device.name, error)
        return None
    return task.result()


def _final(result: DeviceResult, *, cancelled: bool = False) -> DeviceUpdate:
    """The device row's last update; a device cancelled during a retry backoff keeps its real error."""
    warning = "; ".join(result.warnings) or None
    if result.ok:
        return DeviceUpdate(DeviceStatus.COMPLETED, step="", warning=warning)
    status = DeviceStatus.FAILED
    if cancelled:
        status = DeviceStatus.CANCELLED
    elif result.error_kind is not None:
        status = _STATUS_OF_KIND.get(result.error_kind, DeviceStatus.FAILED)
    return DeviceUpdate(status, step="", error_kind=result.error_kind, error=result.error, warning=warning)
