"""Who runs a job: the one small interface every executor implements, and the in-process one.

An executor is told a job id and nothing else (the job is rows in the database; see
``DiscoveryService.run_job``), so the CLI, the API and a Celery worker can share jobs::

    submit(job_id)   run the job (soon, somewhere); returns at once
    cancel(job_id)   ask it to stop: the job is marked cancelling in the database, which the
                     engine checks before each command; False when it had already ended
    health()         what the executor can say about itself, as JSON-able data

:class:`LocalExecutor` runs jobs as asyncio tasks in this process, on a given event loop (the
CLI's, or a server's) or on one of its own in a background thread. A Celery executor implements
the same protocol with tasks that take the id and call the same ``run_job``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from netatlas.domain.errors import NetatlasError, NotFound
from netatlas.domain.records import JobStatus
from netatlas.jobs.engine import Stop

log = logging.getLogger(__name__)
T = TypeVar("T")
CANCEL_MESSAGE = "cancelled on request"
SHUTDOWN_MESSAGE = "the executor shut down"


class Executor(Protocol):
    def submit(self, job_id: str) -> None: ...

    def cancel(self, job_id: str) -> bool: ...

    def health(self) -> dict[str, Any]: ...


class JobRunner(Protocol):
    """What an executor runs jobs with: ``DiscoveryService`` (a fake in unit tests)."""

    async def run_job(self, job_id: str, stop: Stop | None = None) -> JobStatus: ...

    def cancel(self, job_id: str) -> bool:
        """Mark the job cancelling in the database; False when it had already ended."""


@dataclass(frozen=True, slots=True)
class _Running:
    task: asyncio.Task[JobStatus]
    stop: Stop


class LocalExecutor:
    """Jobs as asyncio tasks of one event loop in this process.

    ``loop`` is the loop to run them on (it must be running, e.g. ``asyncio.get_running_loop()``);
    without it the executor starts its own in a daemon thread at the first submit, stopped by
    :meth:`shutdown`. Its methods may be called from any thread. A job submitted twice while it
    runs here is run once.
    """

    def __init__(self, runner: JobRunner, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._runner = runner
        self._loop = loop
        self._thread: threading.Thread | None = None
        self._running: dict[str, _Running] = {}  # touched on the loop's thread only
        self._awaited: set[str] = set()  # jobs someone waits for: they see the run's error themselves
        self._lock = threading.Lock()

    def submit(self, job_id: str) -> None:
        self._on_loop(self._start, job_id)

    def cancel(self, job_id: str) -> bool:
        """Mark the job cancelling in the database and, when it runs here, stop it now.

        ``NotFound`` when there is no such job; False when it had already ended.
        """
        marked = self._runner.cancel(job_id)
        stopped = self._on_loop(self._stop, job_id, JobStatus.CANCELLED, CANCEL_MESSAGE)
        return marked or stopped

    def stop(self, job_id: str, status: JobStatus, message: str) -> bool:
        """End a job that runs here with ``status`` (a signal: ``interrupted`` by SIGTERM...); a second
        request cancels its running devices at once. False when it does not run here."""
        return self._on_loop(self._stop, job_id, status, message)

    def health(self) -> dict[str, Any]:
        loop = self._loop
        state = "not started" if loop is None else "closed" if loop.is_closed() else \
            "running" if loop.is_running() else "stopped"
        jobs = sorted(self._on_loop(lambda: list(self._running))) if state == "running" else []
        return {"executor": "local", "ok": state in ("running", "not started"), "loop": state,
                "own_loop": self._thread is not None, "running_jobs": jobs}

    async def wait(self, job_id: str) -> JobStatus:
        """The job's final status once it ends here (call on the executor's loop, after :meth:`submit`).

        Raises what the run raised (``StoreError``...); ``NotFound`` when the job does not run here.
        """
        running = self._running.get(job_id)
        if running is None:
            raise NotFound(f"job {job_id} is not running in this process")
        self._awaited.add(job_id)
        return await asyncio.shield(running.task)

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop every job running here (``interrupted``), wait up to ``timeout`` s, stop an own loop."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        for job_id in self._on_loop(lambda: list(self._running)):
            self.stop(job_id, JobStatus.INTERRUPTED, SHUTDOWN_MESSAGE)
        if self._thread is None:
            return  # the caller's loop: the caller awaits its own tasks
        done: Future[None] = asyncio.run_coroutine_threadsafe(self._drain(), loop)
        try:
            done.result(timeout)
        except TimeoutError:
            log.error("local executor: jobs still running after %.0f s; stopping the loop", timeout)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(timeout)
        loop.close()

    async def _drain(self) -> None:
        await asyncio.gather(*(r.task for r in self._running.values()), return_exceptions=True)

    def _start(self, job_id: str) -> None:
        if job_id in self._running:
            return
        stop = Stop()
        task = asyncio.get_running_loop().create_task(self._runner.run_job(job_id, stop), name=f"job {job_id}")
        self._running[job_id] = _Running(task, stop)
        task.add_done_callback(lambda done: self._finished(job_id, done))

    def _finished(self, job_id: str, task: asyncio.Task[JobStatus]) -> None:
        running = self._running.get(job_id)
        if running is not None and running.task is task:
            del self._running[job_id]
        awaited = job_id in self._awaited
        self._awaited.discard(job_id)
        if not task.cancelled() and (error := task.exception()) is not None and not awaited:
            level = logging.ERROR if isinstance(error, NetatlasError) else logging.CRITICAL
            log.log(level, "job %s ended with an error: %s", job_id, error, exc_info=error)

    def _stop(self, job_id: str, status: JobStatus, message: str) -> bool:
        running = self._running.get(job_id)
        if running is None:
            return False
        running.stop.request(status, message)
        return True

    def _on_loop(self, fn: Callable[..., T], *args: Any) -> T:
        """Call ``fn`` on the executor's loop thread (now, when already there) and return its result."""
        loop = self._ensure_loop()
        try:
            current = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        if current is loop:
            return fn(*args)
        if loop.is_closed() or (self._thread is None and not loop.is_running()):
            raise NetatlasError("the local executor's event loop is not running")

        async def call() -> T:
            return fn(*args)

        return asyncio.run_coroutine_threadsafe(call(), loop).result()

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=self._loop.run_forever, name="netatlas-executor",
                                                daemon=True)
                self._thread.start()
            return self._loop
