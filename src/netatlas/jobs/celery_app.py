"""The Celery application: one task, a chunk of a discovery job, on the ``discovery`` queue.

A discovery job is rows in the database; the Celery executor (``netatlas.jobs.celery_executor``)
splits its devices into chunks and sends one task per chunk, carrying ids only: the job id, the
device names and the crawl depth, never a credential or a user's token (the worker reads the
credential set from the database and decrypts it with its own ``NETATLAS_SECRET_KEY``). A task
runs its devices concurrently on one event loop (``DiscoveryService.run_chunk``: the engine of
the local executor, one SSH session per device, the process's parse pool), so one worker process
with a few threads holds hundreds of SSH sessions.

Delivery is at least once, and running a chunk twice is harmless:

- ``acks_late`` and ``reject_on_worker_lost``, one message prefetched per slot: a chunk whose
  worker dies is delivered again (Redis: after the visibility timeout, derived from the chunk's
  time limit) and runs only the devices its dead worker left unfinished; ``finish_device`` never
  stores a device twice;
- no task waits for another's result (there is no result backend): completion is read from the
  rows by whichever chunk finishes last (``netatlas.jobs.distributed``);
- time limits per chunk from the settings (device timeout x attempts, plus backoff and slack): at
  the soft limit the chunk's devices are stopped (``interrupted``), at the hard limit the chunk is
  torn down and its unfinished rows ended. Celery enforces its own ``time_limit`` in prefork pools;
  the task enforces both itself, so the ``threads`` pool ``netatlas worker`` uses has them too;
- a storage failure (``StoreError``: the database restarting) is retried with backoff; anything
  permanent (malformed job options, an internal error) fails the chunk's devices with the reason
  and the task with an error, never a silent success.

Each worker says which queues it consumes with a heartbeat in the broker's Redis (:class:`Heartbeat`,
started when the worker is ready, removed when it stops): a key per worker holding its queues, that
expires :data:`WORKER_TTL_S` seconds after its last beat, so a worker killed with ``-9`` drops out
on its own. Producers read them (:func:`live_workers`: two Redis round trips, never a broadcast to
the workers) to route a site's devices and to count live workers for ``/api/health``.

``celery -A netatlas.jobs.celery_app worker|flower|inspect ...`` finds :data:`app` here, configured
from the environment (``NETATLAS_BROKER_URL`` and the rest of the settings, read at the first task).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import redis
from celery import Celery, Task, signals

from netatlas.domain.errors import NetatlasError, NotFound, StoreError
from netatlas.domain.records import DeviceStatus, ErrorKind, JobStatus
from netatlas.jobs import distributed
from netatlas.jobs.engine import Stop
from netatlas.jobs.request import JobOptionsError
from netatlas.settings import Settings

log = logging.getLogger(__name__)

QUEUE = "discovery"  # every discovery task; `netatlas worker --queues discovery` consumes it
DEFAULT_QUEUE = "netatlas"  # anything not routed (nothing today)
CHUNK_TASK = "netatlas.discovery.chunk"
CONNECT_TIMEOUT_S = 2.0  # a producer (API, CLI) gives up on a broker that does not answer within this
TASKS_KEY = "netatlas:job:{job_id}:tasks"  # a Redis set: the job's chunk task ids, for revoking them
TASKS_TTL_S = 7 * 24 * 3600
WORKERS_KEY = "netatlas:workers"  # a sorted set of the names of workers that beat (score: last beat, Unix time)
WORKER_KEY = "netatlas:worker:{name}"  # a worker's beat (JSON: name, queues, pid); expires WORKER_TTL_S after it
WORKER_BEAT_S = 5.0  # how often a worker writes its beat
WORKER_TTL_S = 15.0  # a worker that has not beaten for this long is gone (three beats missed)
Role = Literal["producer", "worker"]


@dataclass(frozen=True, slots=True)
class ChunkLimits:
    """How long a chunk may run. Its devices run at once (a chunk is never larger than the job's
    concurrency), so a chunk lasts about as long as its slowest device: every attempt up to the
    device timeout, the backoffs between them, and slack for the database and the parse pool.

    Examples:
        >>> from netatlas.settings import load_settings
        >>> limits = ChunkLimits.of(load_settings(device_timeout=60, retries=3, retry_backoff=1))
        >>> limits.soft_s, limits.hard_s, limits.visibility_s
        (213.3, 243.3, 273.3)
    """

    soft_s: float
    hard_s: float
    visibility_s: float  # Redis redelivers an unacknowledged chunk after this: longer than any run

    @classmethod
    def of(cls, settings: Settings) -> ChunkLimits:
        attempts = settings.retries
        backoff = sum(min(settings.retry_backoff * 2.0 ** n, 30.0) * 1.1 for n in range(attempts - 1))
        slack = max(5.0, settings.device_timeout / 2)
        soft = settings.device_timeout * attempts + backoff + slack
        return cls(round(soft, 1), round(soft + slack, 1), round(soft + 2 * slack, 1))


def make_app(settings: Settings | None = None, *, role: Role = "producer", broker_url: str = "") -> Celery:
    """A Celery app for ``settings`` (its broker and limits). A producer gives up quickly on a broker
    that is down (the API answers 503); a worker reconnects for ever."""
    url = broker_url or (settings.broker_url if settings else "") or os.environ.get("NETATLAS_BROKER_URL", "")
    app = Celery("netatlas", broker=url or None, set_as_current=False)
    app.conf.update(_config(settings, role))
    return app


def _config(settings: Settings | None, role: Role) -> dict[str, Any]:
    limits = ChunkLimits.of(settings) if settings is not None else None
    transport: dict[str, Any] = {"socket_connect_timeout": CONNECT_TIMEOUT_S, "socket_keepalive": True,
                                 "unacked_restore_interval": 2, "unacked_restore_throttle": 1}
    if limits is not None:
        transport["visibility_timeout"] = limits.visibility_s
    if role == "producer":
        transport |= {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5,
                      "socket_timeout": 5.0}
    config: dict[str, Any] = {
        "task_serializer": "json", "accept_content": ["json"], "result_serializer": "json",
        "event_serializer": "json", "task_ignore_result": True, "result_backend": None,
        "task_default_queue": DEFAULT_QUEUE, "task_routes": {"netatlas.discovery.*": {"queue": QUEUE}},
        "task_acks_late": True, "task_reject_on_worker_lost": True, "worker_prefetch_multiplier": 1,
        "task_acks_on_failure_or_timeout": True,
        "broker_connection_timeout": CONNECT_TIMEOUT_S, "broker_transport_options": transport,
        "broker_connection_retry_on_startup": role == "worker",
        "broker_connection_max_retries": None if role == "worker" else 1,
        "broker_channel_error_retry": role == "worker",
        "worker_send_task_events": True, "task_send_sent_event": True,  # Flower follows tasks
        "worker_hijack_root_logger": role == "worker", "worker_cancel_long_running_tasks_on_connection_loss": False,
    }
    if limits is not None:
        config |= {"task_soft_time_limit": limits.soft_s, "task_time_limit": limits.hard_s + 5.0}
    return config


def site_queue(site: str, live: Collection[str]) -> str:
    """The queue for a device of ``site``: ``discovery.<site>`` when a live worker consumes it (workers
    near that site: ``netatlas worker --queues discovery.<site>``), else ``discovery``.

    Examples:
        >>> site_queue("paris", {"discovery", "discovery.paris"}), site_queue("lyon", {"discovery.paris"})
        ('discovery.paris', 'discovery')
        >>> site_queue("", {"discovery.paris"})
        'discovery'
    """
    wanted = f"{QUEUE}.{site}" if site else QUEUE
    return wanted if wanted in live else QUEUE


def is_discovery_queue(name: str) -> bool:
    return name == QUEUE or name.startswith(f"{QUEUE}.")


def dispatch(celery: Celery, client: redis.Redis | None, job_id: str, names: Sequence[str], concurrency: int,
             depth: int = 0, queue: str = QUEUE) -> list[str]:
    """Send ``names`` of the job as chunk tasks on ``queue``; their ids go to the job's Redis set (to
    revoke them on cancel). Returns the task ids. Raises what the broker raises when it cannot take them."""
    ids = []
    for chunk in distributed.split(list(names), distributed.chunk_size(len(names), concurrency)):
        task_id = str(uuid.uuid4())
        if client is not None:
            key = TASKS_KEY.format(job_id=job_id)
            pipe = client.pipeline()
            pipe.sadd(key, task_id)
            pipe.expire(key, TASKS_TTL_S)
            pipe.execute()
        celery.send_task(CHUNK_TASK, args=[job_id, chunk, depth], task_id=task_id, queue=queue,
                         retry=True, retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2})
        ids.append(task_id)
    return ids


def redis_client(url: str) -> redis.Redis | None:
    """A Redis client for the broker's Redis (short timeouts); None when the broker is not Redis."""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    return redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_S, socket_timeout=5.0)


@dataclass(frozen=True, slots=True)
class WorkerBeat:
    """A live worker as its last heartbeat describes it."""

    name: str
    queues: tuple[str, ...]
    pid: int

    def to_json(self) -> str:
        return json.dumps({"name": self.name, "queues": list(self.queues), "pid": self.pid})

    @classmethod
    def from_json(cls, raw: bytes | str) -> WorkerBeat:
        """A beat as written by :meth:`to_json`; ``ValueError`` for anything else.

        Examples:
            >>> WorkerBeat.from_json(WorkerBeat("w1@h", ("discovery", "discovery.paris"), 7).to_json())
            WorkerBeat(name='w1@h', queues=('discovery', 'discovery.paris'), pid=7)
            >>> WorkerBeat.from_json('{"name": 1}')
            Traceback (most recent call last):
            ValueError: not a worker beat: {"name": 1}
        """
        data = json.loads(raw)  # a JSONDecodeError is a ValueError
        if not isinstance(data, dict):
            raise ValueError(f"not a worker beat: {str(raw)[:200]}")
        name, queues, pid = data.get("name"), data.get("queues"), data.get("pid", 0)
        if not (isinstance(name, str) and isinstance(queues, list) and all(isinstance(q, str) for q in queues)
                and isinstance(pid, int)):
            raise ValueError(f"not a worker beat: {str(raw)[:200]}")
        return cls(name, tuple(queues), pid)


class Heartbeat:
    """This worker's beat, written every ``beat_s`` seconds by a daemon thread, expiring ``ttl_s`` after
    the last one; :meth:`stop` removes it (a clean stop drops out at once, a killed worker at its TTL).
    A Redis that does not answer is tried again at the next beat (logged once until it answers)."""

    def __init__(self, client: redis.Redis, name: str, queues: Callable[[], Iterable[str]], *,
                 beat_s: float = WORKER_BEAT_S, ttl_s: float = WORKER_TTL_S) -> None:
        self.client, self.name, self._queues = client, name, queues
        self.beat_s, self.ttl_s = beat_s, ttl_s
        self._stopped = threading.Event()
        self._failing = False
        self._thread = threading.Thread(target=self._run, name="netatlas-worker-beat", daemon=True)

    def start(self) -> Heartbeat:
        self.beat()
        self._thread.start()
        return self

    def beat(self) -> bool:
        """Write the beat now; False when Redis did not take it."""
        found = WorkerBeat(self.name, tuple(sorted(set(self._queues()))), os.getpid())
        try:
            pipe = self.client.pipeline(transaction=True)
            pipe.set(WORKER_KEY.format(name=self.name), found.to_json(), px=int(self.ttl_s * 1000))
            pipe.zadd(WORKERS_KEY, {self.name: time.time()})
            pipe.execute()
        except redis.RedisError as exc:
            if not self._failing:
                log.warning("worker heartbeat not written (%s: %s); trying again every %.0f s",
                            type(exc).__name__, exc, self.beat_s)
            self._failing = True
            return False
        self._failing = False
        return True

    def _run(self) -> None:
        while not self._stopped.wait(self.beat_s):
            self.beat()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(self.beat_s + 1)
        try:
            pipe = self.client.pipeline(transaction=True)
            pipe.delete(WORKER_KEY.format(name=self.name))
            pipe.zrem(WORKERS_KEY, self.name)
            pipe.execute()
        except redis.RedisError as exc:
            log.info("worker heartbeat not removed (%s); it expires in %.0f s", exc, self.ttl_s)


def live_workers(client: redis.Redis) -> list[WorkerBeat]:
    """The workers whose beat has not expired, by name. Names whose beat expired are dropped from
    :data:`WORKERS_KEY` on the way. Raises ``redis.RedisError`` when Redis does not answer."""
    names = sorted(n.decode() if isinstance(n, bytes) else str(n) for n in client.zrange(WORKERS_KEY, 0, -1))
    if not names:
        return []
    beats = client.mget([WORKER_KEY.format(name=n) for n in names])
    found, gone = [], []
    for name, raw in zip(names, beats, strict=True):
        if raw is None:
            gone.append(name)
            continue
        try:
            found.append(WorkerBeat.from_json(raw))
        except ValueError as exc:
            log.warning("worker %s: unreadable heartbeat ignored (%s)", name, exc)
    if gone:
        client.zrem(WORKERS_KEY, *gone)  # a worker that beats again re-adds itself
    return found


_heartbeat: Heartbeat | None = None


def _consumed(consumer: Any) -> list[str]:
    """The queues a Celery consumer takes tasks from (they may change: ``celery control add_consumer``)."""
    task_consumer = getattr(consumer, "task_consumer", None)
    return [str(q.name) for q in getattr(task_consumer, "queues", None) or ()]


def _start_heartbeat(sender: Any = None, **_: Any) -> None:
    """A worker of :data:`app` is consuming: its heartbeat starts (Redis brokers only)."""
    global _heartbeat  # noqa: PLW0603 - one per worker process
    celery: Any = getattr(sender, "app", None)
    if celery is None or celery is not app:
        return
    client = redis_client(str(celery.conf.broker_url or ""))
    if client is None:
        return
    _heartbeat = Heartbeat(client, str(sender.hostname), lambda: _consumed(sender)).start()


def _stop_heartbeat(**_: Any) -> None:
    global _heartbeat  # noqa: PLW0603
    if _heartbeat is not None:
        _heartbeat.stop()
        _heartbeat.client.close()
        _heartbeat = None


class ChunkFailed(NetatlasError):
    """The chunk could not run (its devices were ended with the reason): the task fails, visibly."""


class WorkerRuntime:
    """What a worker process's tasks share: settings, the database, the secret box, the service
    (publishing progress on the Redis bus) and the broker clients. Built once per process."""

    def __init__(self, settings: Settings) -> None:
        from netatlas.jobs.celery_executor import RedisBus
        from netatlas.jobs.discovery import DiscoveryService
        from netatlas.secrets import SecretBox
        from netatlas.store import Database

        self.settings, self.limits = settings, ChunkLimits.of(settings)
        self.db = Database.open(settings.database_url)
        self.bus = RedisBus(settings.broker_url)
        self.service = DiscoveryService(self.db, SecretBox.for_database(settings, self.db), settings, events=self.bus)
        self.redis = redis_client(settings.broker_url)

    def run(self, celery: Celery, job_id: str, names: list[str], depth: int, queue: str = QUEUE) -> str:
        """Run the chunk on an event loop of its own (one per task thread); returns the job's status
        when this chunk ended it, else ``running``."""
        try:
            ended = asyncio.run(self._run(celery, job_id, names, depth, queue))
        except NotFound as exc:
            log.warning("chunk of job %s: %s (nothing to do)", job_id, exc)
            return "gone"
        except TimeoutError as exc:
            self._give_up(job_id, names, ErrorKind.INTERRUPTED, DeviceStatus.INTERRUPTED,
                          f"the chunk ran past its hard time limit ({self.limits.hard_s:.0f} s)")
            raise ChunkFailed(f"job {job_id}: chunk of {len(names)} device(s) timed out") from exc
        except JobOptionsError as exc:
            self._give_up(job_id, names, ErrorKind.INTERNAL, DeviceStatus.FAILED, f"the job cannot run: {exc}")
            raise ChunkFailed(f"job {job_id}: {exc}") from exc
        if ended is not None and self.redis is not None:
            self._forget(job_id)
        return str(ended or JobStatus.RUNNING)

    async def _run(self, celery: Celery, job_id: str, names: list[str], depth: int, queue: str) -> JobStatus | None:
        stop = Stop()
        soft = self.limits.soft_s
        timer = asyncio.get_running_loop().call_later(
            soft, stop.request, JobStatus.INTERRUPTED, f"the chunk ran past its time limit ({soft:.0f} s)")
        concurrency = self.settings.concurrency

        def more(found: list[str], at_depth: int) -> None:
            try:
                dispatch(celery, self.redis, job_id, found, concurrency, at_depth, queue)  # near the finder
            except Exception as exc:  # the broker's errors are many: all mean "could not queue"
                raise NetatlasError(f"the broker did not take them ({type(exc).__name__}: {exc})") from exc

        try:
            async with asyncio.timeout(self.limits.hard_s):
                return await self.service.run_chunk(job_id, names, stop, depth=depth, dispatch=more)
        finally:
            timer.cancel()

    def _give_up(self, job_id: str, names: list[str], kind: ErrorKind, status: DeviceStatus, message: str) -> None:
        try:
            distributed.fail_unfinished(self.db, job_id, names, kind, message, status)
            distributed.end_if_done(self.db, job_id, self.bus)
        except NetatlasError as exc:
            log.error("job %s: could not end the chunk's devices (%s)", job_id, exc)

    def _forget(self, job_id: str) -> None:
        assert self.redis is not None
        try:
            self.redis.delete(TASKS_KEY.format(job_id=job_id))
        except redis.RedisError as exc:
            log.info("job %s: task ids not removed from Redis (%s); they expire", job_id, exc)

    def close(self) -> None:
        self.bus.close()
        self.db.close()


_runtime: WorkerRuntime | None = None
_runtime_lock = threading.Lock()


def start_runtime(settings: Settings | None = None) -> WorkerRuntime:
    """This process's runtime (built at the first call, from ``settings`` or the environment)."""
    global _runtime  # noqa: PLW0603 - one per worker process
    with _runtime_lock:
        if _runtime is None:
            from netatlas.settings import load_settings

            _runtime = WorkerRuntime(settings or load_settings())
        return _runtime


app = make_app(role="worker")
signals.worker_ready.connect(_start_heartbeat, weak=False)
signals.worker_shutdown.connect(_stop_heartbeat, weak=False)


def _discover_chunk(task: Task, job_id: str, names: list[str], depth: int = 0) -> str:
    """Run the named devices of the job (see the module docstring); returns the job's status when
    this chunk ended it, else ``running``."""
    queue = (task.request.delivery_info or {}).get("routing_key") or QUEUE
    return start_runtime().run(task.app, job_id, list(names), int(depth), str(queue))


discover_chunk = app.task(_discover_chunk, name=CHUNK_TASK, bind=True, acks_late=True, reject_on_worker_lost=True,
                          autoretry_for=(StoreError,), retry_backoff=2, retry_backoff_max=60, retry_jitter=True,
                          max_retries=8)


def configure_worker(celery: Celery, settings: Settings) -> None:
    """The module's app set up for ``settings`` (``netatlas worker``): broker, limits, runtime."""
    celery.conf.broker_url = settings.broker_url
    celery.conf.update(_config(settings, "worker"))
    start_runtime(settings)
