"""The discovery use case: import an inventory, start a job, run it, cancel it.

The CLI (and later the API and the Celery tasks) are thin layers over this service. A job's
options hold what was asked (data types, concurrency, crawl settings) and never a secret.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from ipaddress import ip_address
from typing import Any

from netatlas.collect.collector import collect_device
from netatlas.collect.parsers import parse_command_async, shutdown_pool, start_pool
from netatlas.collect.probe import identify
from netatlas.collect.shell_reader import Limits
from netatlas.collect.transport import Timeouts
from netatlas.domain.errors import NetatlasError, NotFound
from netatlas.domain.inventory import InventoryDevice
from netatlas.domain.records import DataType, JobStatus, Unmanaged
from netatlas.inventory import Inventory
from netatlas.jobs.crawl import Crawler, CrawlOptions, DatabaseRegistry
from netatlas.jobs.engine import DiscoveryEngine, RetryPolicy, Stop
from netatlas.jobs.hostkeys import host_key_check
from netatlas.jobs.liveness import this_process
from netatlas.jobs.recovery import Recovered, recover_jobs
from netatlas.jobs.storeport import DatabaseJobStore
from netatlas.secrets import SecretBox
from netatlas.settings import Settings
from netatlas.store import CredentialRepo, Database, DeviceRepo, JobRepo, Origin, SnapshotRepo


@dataclass(frozen=True, slots=True)
class DiscoveryRequest:
    data_types: frozenset[DataType]
    concurrency: int
    crawl: CrawlOptions | None = None
    requested_by: str = ""

    def options(self) -> dict[str, Any]:
        """What the job row records (no credentials: the crawl names its credential set only)."""
        crawl = None
        if self.crawl is not None:
            crawl = {**asdict(self.crawl), "allow": [str(n) for n in self.crawl.allow]}
        return {"data_types": sorted(str(t) for t in self.data_types), "concurrency": self.concurrency,
                "crawl": crawl}


class DiscoveryService:
    def __init__(self, db: Database, box: SecretBox, settings: Settings) -> None:
        self.db, self.box, self.settings = db, box, settings
        self.unmanaged: list[Unmanaged] = []

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
        with self.db.session() as session:
            return JobRepo(session).request_cancel(job_id)

    async def run(self, job_id: str, request: DiscoveryRequest, stop: Stop | None = None) -> JobStatus:
        """Run the job to its end on this event loop (the embedded, local executor).

        ``stop`` ends it early (a signal handler requests it); a storage failure raises ``StoreError``.
        """
        wanted = frozenset({DataType.FACTS, *request.data_types})
        store = DatabaseJobStore(self.db, self.box)
        s = self.settings
        collect = partial(collect_device, timeouts=self._timeouts(), limits=self._limits(), parse=parse_command_async,
                          host_keys=host_key_check(self.db, s))  # verified before any password is sent
        engine = DiscoveryEngine(store, collect, concurrency=request.concurrency,
                                 retry=RetryPolicy(attempts=s.retries, base_s=s.retry_backoff))
        crawler = await asyncio.to_thread(self._crawler, job_id, request)
        start_pool()
        try:
            status = await engine.run(job_id, wanted, crawler.on_result if crawler else None, stop)
        finally:
            shutdown_pool()
        if crawler is not None:
            self.unmanaged = sorted(crawler.unmanaged.values(), key=lambda u: u.name)
            await asyncio.to_thread(self._record_unmanaged, job_id)
        await asyncio.to_thread(self._prune)  # never block the event loop on the database
        return status

    def _timeouts(self) -> Timeouts:
        s = self.settings
        return Timeouts(connect=s.connect_timeout, command=s.command_timeout, device=s.device_timeout)

    def _limits(self) -> Limits:
        s = self.settings
        return Limits(command_output=s.command_output_max, device_output=s.device_output_max,
                      stored_output=s.stored_output_max)

    def _crawler(self, job_id: str, request: DiscoveryRequest) -> Crawler | None:
        if request.crawl is None:
            return None
        crawler = Crawler(request.crawl, DatabaseRegistry(self.db, job_id))
        with self.db.session(readonly=True) as session:
            for device in JobRepo(session).pending_devices(job_id):
                crawler.seed(device)
        return crawler

    def _record_unmanaged(self, job_id: str) -> None:
        with self.db.session() as session:
            JobRepo(session).add_unmanaged(job_id, self.unmanaged)

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


def _is_address(text: str) -> bool:
    try:
        ip_address(text)
    except ValueError:
        return False
    return True
