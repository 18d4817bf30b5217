"""The discovery use case: import an inventory, start a job, run it, cancel it.

The CLI (and later the API and the Celery tasks) are thin layers over this service. A job's
options hold what was asked (``DiscoveryRequest.options``: data types, concurrency, crawl settings)
and never a secret, so :meth:`DiscoveryService.run_job` runs or resumes a job from its id alone,
in whichever process an executor picks. The service is stateless: it holds its configuration
only, and everything a run finds is in the database (``netatlas.jobs.queries`` reads it back).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime
from functools import partial
from ipaddress import ip_address

from netatlas.collect.collector import collect_device
from netatlas.collect.parsers import parse_command_async, parse_packed_async, start_pool
from netatlas.collect.probe import identify
from netatlas.collect.shell_reader import Limits
from netatlas.collect.transport import Timeouts
from netatlas.domain.errors import NetatlasError, NotFound
from netatlas.domain.inventory import Credential, InventoryDevice
from netatlas.domain.names import normalize_hostname
from netatlas.domain.records import DataType, DeviceResult, DeviceStatus, ErrorKind, JobStatus, Unmanaged
from netatlas.inventory import Inventory
from netatlas.jobs import distributed
from netatlas.jobs.crawl import Crawler, CrawlOptions, DatabaseRegistry
from netatlas.jobs.engine import DiscoveryEngine, RetryPolicy, Stop
from netatlas.jobs.events import EventSink, NullSink, ProgressEvent
from netatlas.jobs.hostkeys import host_key_check
from netatlas.jobs.liveness import abandoned, this_process
from netatlas.jobs.ports import Collect
from netatlas.jobs.publishing import PublishingJobStore
from netatlas.jobs.recovery import Recovered, life, recover_jobs
from netatlas.jobs.request import DiscoveryRequest, JobOptionsError
from netatlas.jobs.storeport import DatabaseJobStore
from netatlas.secrets import SecretBox
from netatlas.settings import Settings
from netatlas.store import CredentialRepo, Database, DeviceRepo, JobRepo, JobView, Origin, SnapshotRepo
from netatlas.store.database import RecordRejected

Dispatch = Callable[[list[str], int], None]  # queue these devices of the job as chunks, at this crawl depth

__all__ = ["DiscoveryRequest", "DiscoveryService", "JobBusy", "JobOptionsError", "request_cancel"]


class JobBusy(NetatlasError):
    """The job is running in another process that is still alive: it is not run twice."""


def request_cancel(db: Database, job_id: str) -> bool:
    """Mark the job cancelling (its runner checks before each command); False if it already ended.

    Every executor's cancel starts here; ``NotFound`` when there is no such job.
    """
    with db.session() as session:
        return JobRepo(session).request_cancel(job_id)


class DiscoveryService:
    """Configuration only (database, secret box, settings, and the collector in tests): no results."""

    __slots__ = ("_collect", "box", "db", "events", "settings")

    def __init__(self, db: Database, box: SecretBox, settings: Settings, *, collect: Collect | None = None,
                 events: EventSink | None = None) -> None:
        self.db, self.box, self.settings = db, box, settings
        self._collect = collect  # None: the SSH collector (a fake in unit tests)
        self.events: EventSink = events or NullSink()  # live progress for SSE (rows hold the truth)

    def import_inventory(self, inventory: Inventory) -> int:
        """Store the inventory's credential sets (encrypted) and devices; returns the device count."""
        with self.db.session() as session:
            creds = CredentialRepo(session)
            for credential in inventory.credentials.values():
                username, ciphertext = self.box.seal(credential)
                creds.upsert(credential.name, username, ciphertext)
            return DeviceRepo(session).upsert_many(inventory.devices)

    def devices(self, names: Sequence[str] | None = None) -> list[InventoryDevice]:
        with self.db.session(readonly=True) as session:
            stored = DeviceRepo(session).list()
        devices = [s.device for s in stored]
        if names is None:
            return devices
        by_name = {d.name: d for d in devices}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise NotFound(f"no device named {', '.join(missing)} in the database")
        return [by_name[n] for n in names]

    def start(self, devices: Sequence[InventoryDevice], request: DiscoveryRequest) -> str:
        """A pending job owned by this process (it runs it: the embedded executor); jobs whose
        owner is gone are marked interrupted first."""
        self.recover()
        owner = this_process()
        with self.db.session() as session:
            return JobRepo(session).create(devices, request.options(), requested_by=request.requested_by,
                                           owner_host=owner.host, owner_pid=owner.pid)

    def recover(self) -> list[Recovered]:
        """Mark every job whose owner process is gone ``interrupted`` (see ``netatlas.jobs.recovery``)."""
        return recover_jobs(self.db)

    def cancel(self, job_id: str) -> bool:
        return request_cancel(self.db, job_id)

    async def run_job(self, job_id: str, stop: Stop | None = None) -> JobStatus:
        """Run (or resume) the job knowing only its id: the request is rebuilt from its row.

        Idempotent for a redelivered job: a job that already ended is returned as it is, one
        cancelled before it ran (or whose runner died) ends ``cancelled`` without running; a job
        running in a live process raises :class:`JobBusy`; one whose owner is gone is resumed (its
        unfinished devices).
        Malformed stored options raise :class:`JobOptionsError` (the job is left as it was).
        """
        job = await asyncio.to_thread(self._job, job_id)
        if job.status.final:
            return job.status
        if job.status is JobStatus.CANCELLING:  # before it ran, or its runner is gone: nothing to run
            return await asyncio.to_thread(self._end_cancelled, job_id)
        if job.kind != "discovery":
            raise NetatlasError(f"job {job_id} is a {job.kind!r} job, not a discovery")
        request = DiscoveryRequest.from_options(job.options)
        return await self.run(job_id, request, stop)

    def _job(self, job_id: str) -> JobView:
        with self.db.session(readonly=True) as session:
            job = JobRepo(session).get(job_id)
        if job.started_at is None or job.status.final:
            return job
        here = this_process()
        mine = (job.owner_host, job.owner_pid) == (here.host, here.pid)
        if mine or abandoned(life(job), here=here.host, now=datetime.now(UTC)) is None:
            raise JobBusy(f"job {job_id} is already running (pid {job.owner_pid} on {job.owner_host})")
        return job

    def _end_cancelled(self, job_id: str) -> JobStatus:
        with self.db.session() as session:
            repo = JobRepo(session)
            repo.finish(job_id, JobStatus.CANCELLED, "cancelled on request")
            return repo.get(job_id).status

    async def run(self, job_id: str, request: DiscoveryRequest, stop: Stop | None = None) -> JobStatus:
        """Run the job to its end on this event loop (the embedded, local executor).

        ``stop`` ends it early (a signal handler requests it); a storage failure raises ``StoreError``.
        """
        wanted = frozenset({DataType.FACTS, *request.data_types})
        inner = DatabaseJobStore(self.db, self.box)
        store = PublishingJobStore(inner, self.events)  # the SSE progress hook
        engine = DiscoveryEngine(store, self._collector(), concurrency=request.concurrency, retry=self._retry(),
                                 finish_threads=inner.finish_threads())
        crawler = await asyncio.to_thread(self._crawler, job_id, request)
        start_pool()  # the process's parse pool, shared by its jobs: never stopped by one (process exit stops it)
        status = await engine.run(job_id, wanted, crawler.on_result if crawler else None, stop)
        if crawler is not None:
            await asyncio.to_thread(self._record_unmanaged, job_id, crawler.unmanaged.values())
        await asyncio.to_thread(self._prune)  # never block the event loop on the database
        return status

    async def run_chunk(self, job_id: str, names: Sequence[str], stop: Stop | None = None, *, depth: int = 0,
                        dispatch: Dispatch | None = None) -> JobStatus | None:
        """Run the named devices of a job that an executor split into chunks (Celery), then end the
        job if its last row is final. Returns the status the job ended with (None: it goes on, or it
        had already ended). See ``netatlas.jobs.distributed`` for ownership and completion.

        Idempotent: devices already final are skipped, so a redelivered chunk runs only what its dead
        worker left pending or running (and ``finish_device`` never stores a device twice). A
        ``stop`` (the chunk's time limit) ends the devices it cut short ``interrupted``. Crawl: the
        neighbors a device leads to are added to the job before its own row is final (so no other
        chunk can end the job in between) and given to ``dispatch(names, depth)`` as new chunks
        (``depth``: how many hops this chunk's devices are from the seeds). Malformed stored
        options raise :class:`JobOptionsError`.
        """
        if not await asyncio.to_thread(distributed.begin, self.db, job_id):
            return None
        with self.db.session(readonly=True) as session:
            options = JobRepo(session).get(job_id).options
        request = DiscoveryRequest.from_options(options)
        chosen = set(names)
        devices = [d for d in await asyncio.to_thread(self._pending, job_id) if d.name in chosen]
        if devices:
            stop = stop or Stop()
            await self._run_devices(job_id, devices, request, stop, depth, dispatch)
            if stop.status is not None:
                await asyncio.to_thread(distributed.fail_unfinished, self.db, job_id, chosen, ErrorKind.INTERRUPTED,
                                        stop.message, DeviceStatus.INTERRUPTED)
        return await asyncio.to_thread(distributed.end_if_done, self.db, job_id, self.events)

    async def _run_devices(self, job_id: str, devices: list[InventoryDevice], request: DiscoveryRequest,
                           stop: Stop, depth: int, dispatch: Dispatch | None) -> None:
        wanted = frozenset({DataType.FACTS, *request.data_types})
        inner = DatabaseJobStore(self.db, self.box)
        store = PublishingJobStore(inner, self.events)
        collect, crawler = self._collector(), None
        if request.crawl is not None and dispatch is not None:
            crawler = await asyncio.to_thread(self._chunk_crawler, job_id, request.crawl, devices, depth)
            collect = _following(collect, crawler, partial(self._queue_found, job_id, dispatch, depth + 1))
        engine = DiscoveryEngine(store, collect, concurrency=request.concurrency, retry=self._retry(),
                                 finish_threads=inner.finish_threads())
        start_pool()
        await engine.run_devices(job_id, devices, wanted, stop)
        if crawler is not None:
            await asyncio.to_thread(self._record_unmanaged, job_id, crawler.unmanaged.values())

    def _pending(self, job_id: str) -> list[InventoryDevice]:
        with self.db.session(readonly=True) as session:
            return JobRepo(session).pending_devices(job_id)

    def _chunk_crawler(self, job_id: str, crawl: CrawlOptions, devices: list[InventoryDevice],
                       depth: int) -> Crawler:
        """A crawl that knows every device of the job (whichever chunk reads it), its own at ``depth``."""
        crawler = Crawler(crawl, DatabaseRegistry(self.db, job_id))
        with self.db.session(readonly=True) as session:
            rows = JobRepo(session).show(job_id).devices
        for row in rows:
            crawler.host_of.setdefault(normalize_hostname(row.device_name), row.host)
            crawler.addresses.add(row.host)
        for device in devices:
            crawler.depth_of[device.name] = depth
        return crawler

    def _queue_found(self, job_id: str, dispatch: Dispatch, depth: int, found: list[InventoryDevice]) -> None:
        """Add crawled devices to the job (those another chunk added first are left to it) and queue
        them; rows that cannot be queued (the broker is down) fail with why, so the job still ends."""
        added = self._add_to_job(job_id, found)
        if not added:
            return
        for device in found:
            if device.name in added:
                self.events.publish(ProgressEvent(job_id, "device", DeviceStatus.PENDING.value, device=device.name))
        try:
            dispatch(added, depth)
        except NetatlasError as exc:
            distributed.fail_unfinished(self.db, job_id, added, ErrorKind.INTERNAL, f"could not be queued: {exc}")

    def _add_to_job(self, job_id: str, found: list[InventoryDevice]) -> list[str]:
        try:
            with self.db.session() as session:
                return JobRepo(session).add_devices(job_id, found)
        except RecordRejected:  # another chunk added one of them at the same moment: read again
            with self.db.session() as session:
                return JobRepo(session).add_devices(job_id, found)

    def _collector(self) -> Collect:
        """The SSH collector with this service's limits (host keys verified before any password)."""
        if self._collect is not None:
            return self._collect
        return partial(collect_device, timeouts=self._timeouts(), limits=self._limits(), parse=parse_command_async,
                       parse_packed=parse_packed_async, host_keys=host_key_check(self.db, self.settings))

    def _retry(self) -> RetryPolicy:
        return RetryPolicy(attempts=self.settings.retries, base_s=self.settings.retry_backoff)

    def _timeouts(self) -> Timeouts:
        s = self.settings
        return Timeouts(connect=s.connect_timeout, command=s.command_timeout, device=s.device_timeout)

    def _limits(self) -> Limits:
        s = self.settings
        return Limits(command_output=s.command_output_max, device_output=s.device_output_max,
                      stored_output=s.stored_output_max)

    def _crawler(self, job_id: str, request: DiscoveryRequest) -> Crawler | None:
        """The crawl seeded with the job's unfinished devices; those it finished before (a resumed
        job) are known to it, so none is read twice."""
        if request.crawl is None:
            return None
        crawler = Crawler(request.crawl, DatabaseRegistry(self.db, job_id))
        with self.db.session(readonly=True) as session:
            rows = JobRepo(session).show(job_id).devices
        for row in rows:
            if row.status.final:
                crawler.host_of.setdefault(normalize_hostname(row.device_name), row.host)
                crawler.addresses.add(row.host)
            else:
                crawler.seed(InventoryDevice(name=row.device_name, host=row.host, platform=row.platform,
                                             credentials=row.credential, port=row.port))
        return crawler

    def _record_unmanaged(self, job_id: str, unmanaged: Iterable[Unmanaged]) -> None:
        with self.db.session() as session:
            JobRepo(session).add_unmanaged(job_id, sorted(unmanaged, key=lambda u: u.name))

    def _prune(self) -> None:
        with self.db.session() as session:
            SnapshotRepo(session).prune(self.settings.retention)

    async def resolve_seeds(self, seeds: Sequence[str], crawl: CrawlOptions,
                            on_error: Callable[[str, NetatlasError], None]) -> list[InventoryDevice]:
        """Seeds by name come from the database; by address they are identified over SSH."""
        known = {d.name: d for d in self.devices()}
        by_host = {d.host: d for d in known.values()}
        found: list[InventoryDevice] = []
        for seed in seeds:
            device = known.get(seed) or by_host.get(seed)
            if device is None and _is_address(seed):
                device = await self._probe(seed, crawl, on_error)
            elif device is None:
                on_error(seed, NotFound(f"seed {seed!r} is neither a known device nor an address"))
            if device is not None and device.name not in {d.name for d in found}:
                found.append(device)
        return found

    async def _probe(self, address: str, crawl: CrawlOptions,
                     on_error: Callable[[str, NetatlasError], None]) -> InventoryDevice | None:
        store = DatabaseJobStore(self.db, self.box)
        try:
            credential = await asyncio.to_thread(store.credential, crawl.credentials)
            identity = await identify(address, crawl.port, credential, self._timeouts(),
                                      host_keys=host_key_check(self.db, self.settings), limits=self._limits())
        except NetatlasError as exc:
            on_error(address, exc)
            return None
        device = InventoryDevice(identity.hostname, address, identity.platform, crawl.credentials, crawl.port,
                                 tags=("seed",))
        with self.db.session() as session:  # insert-only: a probed name never changes a stored entry
            claim = DeviceRepo(session).claim(device, Origin.SEED)
        if not claim.accepted:
            on_error(address, NetatlasError(f"not used as a seed: {claim.reason}"))
            return None
        return claim.device


def _following(collect: Collect, crawler: Crawler, queue: Callable[[list[InventoryDevice]], None]) -> Collect:
    """``collect``, then the crawl's next devices from the result, added to the job and queued
    before the engine makes the device's row final (a chunk's crawl; an error here is the device's
    ``internal`` failure, as in the local engine)."""

    async def collect_and_follow(device: InventoryDevice, credential: Credential, wanted: frozenset[DataType], *,
                                 should_stop: Callable[[], Awaitable[bool]],
                                 on_step: Callable[[str], Awaitable[None]]) -> DeviceResult:
        result = await collect(device, credential, wanted, should_stop=should_stop, on_step=on_step)
        found = await crawler.on_result(device, result)
        if found:
            await asyncio.to_thread(queue, found)
        return result

    return collect_and_follow


def _is_address(text: str) -> bool:
    try:
        ip_address(text)
    except ValueError:
        return False
    return True
