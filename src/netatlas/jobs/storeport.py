"""``JobStore`` over the database: each call is one short unit of work (one transaction).

A job's devices mostly share a few credentials: each is read and decrypted once per store (one
store serves one job run), not once per device.

Storing a device's result (its snapshot: every record turned into rows, packed, inserted) is most
of the CPU the database takes, and the engine's database thread shares one GIL with the event loop
that runs every SSH session. So ``finish_device`` runs in the process's worker pool (the parse
pool, :func:`~netatlas.collect.parsers.pool.call_in_pool`) whenever that worker can open the same
database (a file or a server; an in-memory SQLite database stays in this process): the same
transaction, on the worker's own connection, while this process only pickles the result across.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from netatlas.domain.inventory import Credential, InventoryDevice
from netatlas.domain.records import DeviceResult, JobStatus
from netatlas.jobs.liveness import this_process
from netatlas.jobs.ports import DeviceUpdate, ResultRejected
from netatlas.store import CredentialRepo, Database, JobRepo, SnapshotRepo
from netatlas.store.database import RecordRejected

if TYPE_CHECKING:  # the pool worker that stores results imports this module: not the secrets' libraries (~14 MB)
    from netatlas.secrets import SecretBox


FINISH_THREADS = 16  # finish_device calls in flight at once when they are stored in the worker pool


@dataclass(slots=True)
class DatabaseJobStore:
    db: Database
    box: SecretBox
    in_pool: bool = True  # finish_device in the worker pool when the database can be opened there
    _credentials: dict[str, Credential] = field(default_factory=dict, repr=False)

    def pending_devices(self, job_id: str) -> list[InventoryDevice]:
        with self.db.session(readonly=True) as session:
            return JobRepo(session).pending_devices(job_id)

    def credential(self, name: str) -> Credential:
        known = self._credentials.get(name)
        if known is None:
            with self.db.session(readonly=True) as session:
                stored = CredentialRepo(session).get(name)
            known = self._credentials[name] = self.box.unseal(stored.name, stored.username, stored.ciphertext)
        return known

    def update_device(self, job_id: str, device: str, update: DeviceUpdate) -> None:
        with self.db.session() as session:
            _update(JobRepo(session), job_id, device, update)

    def update_steps(self, job_id: str, steps: dict[str, str]) -> None:
        """Several running devices' current steps, in one transaction (the engine's progress batch); a
        device whose row is already final is left as it is (its result may be stored on another thread)."""
        with self.db.session() as session:
            JobRepo(session).set_steps(job_id, steps)

    def finish_device(self, job_id: str, result: DeviceResult, final: DeviceUpdate) -> None:
        """The snapshot and the row's final status in one transaction (see ``JobStore.finish_device``),
        in the worker pool when it can open this database (module docstring)."""
        url = shared_url(self.db) if self.in_pool else None
        try:
            if url is None:
                finish(self.db, job_id, result, final)
            else:
                from netatlas.collect.parsers.pool import call_in_pool

                call_in_pool(finish_in_worker, url, job_id, result, final)
        except RecordRejected as exc:  # rolled back; the database works: this device's failure, not the job's
            raise ResultRejected(f"the database refused {result.name}'s result: {exc}") from exc

    def finish_threads(self) -> int:
        """How many ``finish_device`` calls may run at once: :data:`FINISH_THREADS` when they run in the
        worker pool (each thread waits there; the pool's queue orders them), one otherwise (an in-memory
        database is one connection: its finishes stay on the engine's database thread)."""
        return FINISH_THREADS if self.in_pool and shared_url(self.db) is not None else 1

    def add_devices(self, job_id: str, devices: list[InventoryDevice]) -> None:
        with self.db.session() as session:  # the crawl stored them (insert-only) before asking: never upsert here
            JobRepo(session).add_devices(job_id, devices)

    def is_cancelling(self, job_id: str) -> bool:
        with self.db.session(readonly=True) as session:
            return JobRepo(session).is_cancelling(job_id)

    def start_job(self, job_id: str) -> None:
        owner = this_process()
        with self.db.session() as session:
            JobRepo(session).claim(job_id, owner.host, owner.pid)

    def heartbeat(self, job_id: str) -> bool:
        with self.db.session() as session:
            return JobRepo(session).beat(job_id)

    def end_job(self, job_id: str, status: JobStatus, message: str) -> bool:
        with self.db.session() as session:
            return JobRepo(session).finish(job_id, status, message)


def finish(db: Database, job_id: str, result: DeviceResult, final: DeviceUpdate) -> None:
    """Store ``result`` and end its row, once (a device already stored is left as it is)."""
    with db.session() as session:
        jobs, snapshots = JobRepo(session), SnapshotRepo(session)
        jobs.lock_device(job_id, result.name)  # concurrent finishers of one device queue here
        if snapshots.saved(job_id, result.name):
            return
        snapshots.save(job_id, result.name, result)
        _update(jobs, job_id, result.name, final)


_OPENED: dict[str, Database] = {}  # in a pool worker: the databases it stored into, by URL


def finish_in_worker(url: str, job_id: str, result: DeviceResult, final: DeviceUpdate) -> None:
    """:func:`finish` in a pool worker, on its own connection to the database at ``url`` (kept open)."""
    db = _OPENED.get(url)
    if db is None:
        db = _OPENED[url] = Database(url)
    finish(db, job_id, result, final)


def shared_url(db: Database) -> str | None:
    """The URL another process opens ``db`` by, or None when it cannot (an in-memory SQLite database).

    Examples:
        >>> shared_url(Database("sqlite://")) is None, shared_url(Database("sqlite:///tmp/x.db"))
        (True, 'sqlite:///tmp/x.db')
    """
    url = db.url
    if url.get_backend_name() == "sqlite" and (not url.database or url.database == ":memory:"
                                                or url.database.startswith("file:")):
        return None
    return str(url.render_as_string(hide_password=False))


def _update(jobs: JobRepo, job_id: str, device: str, update: DeviceUpdate) -> None:
    jobs.update_device(job_id, device, update.status, step=update.step, attempt=update.attempt,
                       error_kind=update.error_kind, error=update.error, warning=update.warning)
