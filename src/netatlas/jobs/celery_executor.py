"""The Celery executor (jobs run by ``netatlas worker`` processes) and the Redis event bus.

:class:`CeleryExecutor` implements the executor protocol of ``netatlas.jobs.executor`` for a job
whose work is done elsewhere: ``submit`` hands the job to the workers (``netatlas.jobs.distributed``:
the workers own it from now on) and queues its unfinished devices as chunk tasks
(``netatlas.jobs.celery_app``); ``cancel`` marks it cancelling in the database (running chunks stop
at their next command), revokes its queued chunks and ends it at once when nothing of it runs;
``health`` says whether the broker answers and how many workers consume discovery queues.
A device whose site has workers of its own (``netatlas worker --queues discovery.<site>``) is
queued on ``discovery.<site>``, so that it is read from near it; others go to ``discovery``.
Which queues live workers consume is read from their heartbeats in Redis
(``netatlas.jobs.celery_app.live_workers``, one read shared by routing and health and kept for
:data:`HEALTH_TTL_S` seconds), never by asking every worker per submit; a broker that is not Redis
falls back to asking the workers (``inspect active_queues``).

A broker that is down makes ``submit`` raise :class:`~netatlas.domain.errors.Unavailable` within a
few seconds (the API answers 503), and the job is ended ``failed`` with that reason rather than
left pending for ever.

:class:`RedisBus` carries progress events between processes: workers publish each committed engine
write on a channel per job, API processes subscribe (SSE). Events only say "a row changed": a
subscriber that misses some (Redis restarted) loses nothing, the rows hold the truth.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import redis
import redis.asyncio as aioredis

from netatlas.domain.errors import Unavailable
from netatlas.domain.records import ErrorKind, JobStatus
from netatlas.jobs import distributed
from netatlas.jobs.celery_app import (
    CONNECT_TIMEOUT_S,
    QUEUE,
    TASKS_KEY,
    dispatch,
    is_discovery_queue,
    live_workers,
    make_app,
    redis_client,
    site_queue,
)
from netatlas.jobs.discovery import request_cancel
from netatlas.jobs.events import ProgressEvent
from netatlas.jobs.request import DiscoveryRequest
from netatlas.settings import Settings
from netatlas.store import Database, DeviceRepo, JobRepo

log = logging.getLogger(__name__)
UNAVAILABLE = "Background job service is not available"
HINT = ("the message broker at NETATLAS_BROKER_URL does not answer: check the URL and that Redis (or "
        "RabbitMQ) is running (`redis-cli -u $NETATLAS_BROKER_URL ping`)")
HEALTH_TTL_S = 3.0  # health() and routing answer from a view of the workers' heartbeats this fresh
PING_TIMEOUT_S = 1.0  # how long workers have to answer a health ping (a broker that is not Redis)
CHANNEL = "netatlas:events:{job_id}"
PUBLISH_PAUSE_S = 5.0  # after a failed publish, events are dropped this long (never slow the engine)


class CeleryExecutor:
    """Jobs run by Celery workers; this process only queues, cancels and asks (see the module docstring)."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings, self.db = settings, db
        self._app = make_app(settings, role="producer")
        self._redis = redis_client(settings.broker_url)
        self._bus = RedisBus(settings.broker_url)  # the job's end, when this process ends it (cancel)
        self._health: tuple[float, dict[str, Any]] | None = None
        self._lock = threading.Lock()

    owner = distributed.DISTRIBUTED  # whom a job made for this executor belongs to (see submit_new)

    def submit(self, job_id: str) -> None:
        """Queue the job's unfinished devices as chunks; ``Unavailable`` when the broker does not take
        them (the job then ends ``failed``, or its unqueued devices fail when some chunks went)."""
        handed = distributed.take_over(self.db, job_id)  # one transaction
        if handed.status.final:
            return
        self._queue(job_id, list(handed.unfinished), DiscoveryRequest.from_options(handed.options).concurrency)

    def submit_new(self, job_id: str, names: Sequence[str], concurrency: int) -> None:
        """:meth:`submit` of a job the caller has just created, pending, owned by :attr:`owner` (handed
        over already), with exactly ``names`` as its devices and ``concurrency`` in its options: nothing
        to read back from the database (the API's discover-async)."""
        self._queue(job_id, list(names), concurrency)

    def _queue(self, job_id: str, names: list[str], concurrency: int) -> None:
        sent: list[str] = []
        try:
            for queue, group in self._by_queue(names).items():
                for chunk in distributed.split(group, distributed.chunk_size(len(names), concurrency)):
                    dispatch(self._app, self._redis, job_id, chunk, len(chunk), queue=queue)
                    sent += chunk
        except Exception as exc:  # kombu and redis errors alike: the broker cannot take work
            queued = set(sent)
            self._not_queued(job_id, [n for n in names if n not in queued], exc)
            raise Unavailable(UNAVAILABLE, hint=HINT) from exc

    def _by_queue(self, names: list[str]) -> dict[str, list[str]]:
        """The devices grouped by queue: their site's when live workers consume ``discovery.<site>``."""
        live = self._live_queues()
        if not any(q != QUEUE for q in live):
            return {QUEUE: names}
        with self.db.session(readonly=True) as session:
            sites = {d.device.name: d.device.site for d in DeviceRepo(session).list()}
        groups: dict[str, list[str]] = {}
        for name in names:
            groups.setdefault(site_queue(sites.get(name, ""), live), []).append(name)
        return groups

    def _live_queues(self) -> frozenset[str]:
        """Discovery queues live workers consume (their heartbeats, at most :data:`HEALTH_TTL_S` old)."""
        return frozenset(self.health().get("queues", ()))

    def _not_queued(self, job_id: str, names: list[str], exc: Exception) -> None:
        message = f"{UNAVAILABLE}: the broker did not take the job ({type(exc).__name__})"
        log.error("job %s: %s: %s", job_id, message, exc)
        distributed.fail_unfinished(self.db, job_id, names, ErrorKind.INTERNAL, message)
        with self.db.session() as session:
            repo = JobRepo(session)
            if repo.get(job_id).status is JobStatus.PENDING:  # nothing of it was queued
                repo.finish(job_id, JobStatus.FAILED, message)
                return
        distributed.end_if_done(self.db, job_id, self._bus)

    def cancel(self, job_id: str) -> bool:
        """Mark the job cancelling, revoke its queued chunks (best effort: a chunk that starts anyway
        finds the job cancelling and runs nothing) and end it now if none of its devices runs.
        ``NotFound`` for an unknown job; False when it had already ended."""
        marked = request_cancel(self.db, job_id)
        if not marked:
            return False
        self._revoke(job_id)
        distributed.end_if_done(self.db, job_id, self._bus)
        return True

    def _revoke(self, job_id: str) -> None:
        if self._redis is None:
            return
        try:
            ids = sorted(m.decode() for m in self._redis.smembers(TASKS_KEY.format(job_id=job_id)))  # type: ignore[union-attr]
            if ids:
                self._app.control.revoke(ids)
        except Exception as exc:  # the broker is down: the chunks find the job cancelling when they run
            log.warning("job %s: queued chunks not revoked (%s: %s)", job_id, type(exc).__name__, exc)

    def health(self, *, fresh: bool = False) -> dict[str, Any]:
        """``ok`` (the broker answers), ``workers`` (live workers consuming the discovery queue),
        ``broker`` (``ok`` or ``down`` with ``error`` and ``hint``); cached for :data:`HEALTH_TTL_S`
        seconds unless ``fresh``."""
        with self._lock:
            now = time.monotonic()
            if not fresh and self._health is not None and now - self._health[0] < HEALTH_TTL_S:
                return dict(self._health[1])
            found = self._ask()
            self._health = (time.monotonic(), found)
            return dict(found)

    def _ask(self) -> dict[str, Any]:
        base: dict[str, Any] = {"executor": "celery", "queue": QUEUE}
        try:
            consumed = self._heartbeats() if self._redis is not None else self._inspect()
        except Exception as exc:  # redis, kombu and socket errors alike: the broker does not answer
            return base | _down(exc)
        workers = sorted(w for w, names in consumed.items() if any(is_discovery_queue(n) for n in names))
        live = sorted({n for names in consumed.values() for n in names if is_discovery_queue(n)})
        return base | {"ok": True, "broker": "ok", "workers": len(workers), "worker_names": workers, "queues": live}

    def _heartbeats(self) -> dict[str, set[str]]:
        """Live workers and their queues, from their heartbeats in the broker's Redis (one read)."""
        assert self._redis is not None
        return {beat.name: set(beat.queues) for beat in live_workers(self._redis)}

    def _inspect(self) -> dict[str, set[str]]:
        """Live workers and their queues, asked of every worker (a broker that is not Redis)."""
        with self._app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=CONNECT_TIMEOUT_S)
        queues = self._app.control.inspect(timeout=PING_TIMEOUT_S).active_queues() or {}
        return {w: {str(q.get("name")) for q in qs or ()} for w, qs in queues.items()}

    def shutdown(self) -> None:
        self._bus.close()
        if self._redis is not None:
            self._redis.close()


def _down(exc: Exception) -> dict[str, Any]:
    error = f"{UNAVAILABLE}: {type(exc).__name__}: {exc}"
    return {"ok": False, "broker": "down", "error": error, "hint": HINT, "workers": 0}


class RedisBus:
    """Progress events through Redis pub/sub, a channel per job (workers publish, API processes
    subscribe). With a broker that is not Redis, events are not carried (streams read the rows)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._client = redis_client(url)
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def publish(self, event: ProgressEvent) -> None:
        """Never raises, never blocks long: a failure drops events for :data:`PUBLISH_PAUSE_S` seconds."""
        if self._client is None or time.monotonic() < self._paused_until:
            return
        try:
            self._client.publish(CHANNEL.format(job_id=event.job_id), event.to_json())
        except redis.RedisError as exc:
            with self._lock:
                self._paused_until = time.monotonic() + PUBLISH_PAUSE_S
            log.warning("progress events paused for %.0f s: Redis did not take one (%s)", PUBLISH_PAUSE_S, exc)

    @asynccontextmanager
    async def subscribe(self, job_id: str) -> AsyncIterator[AsyncIterator[ProgressEvent]]:
        """The job's events from now on. ``Unavailable`` when Redis cannot be reached; an error ends
        the iteration (the caller reads the rows)."""
        if self._client is None:
            yield _never()
            return
        client = aioredis.Redis.from_url(self.url, socket_connect_timeout=CONNECT_TIMEOUT_S)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            try:
                await pubsub.subscribe(CHANNEL.format(job_id=job_id))
            except redis.RedisError as exc:
                raise Unavailable(UNAVAILABLE, hint=HINT) from exc
            yield _events(pubsub)
        finally:
            await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it unannotated
            await client.aclose()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


async def _events(pubsub: aioredis.client.PubSub) -> AsyncIterator[ProgressEvent]:
    try:
        async for message in pubsub.listen():
            if message.get("type") == "message":
                yield ProgressEvent.from_json(message["data"])
    except redis.RedisError as exc:
        log.info("progress stream ended: Redis went away (%s)", exc)


async def _never() -> AsyncIterator[ProgressEvent]:
    await asyncio.Event().wait()
    yield ProgressEvent("", "job", "")  # pragma: no cover - never reached
