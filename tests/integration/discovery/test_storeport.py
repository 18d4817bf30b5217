"""``DatabaseJobStore`` on a real database: the engine's batch of progress steps is one transaction
that moves running rows only as far as their step, and a job's credential is read once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet

from netatlas.collect.parsers import pool
from netatlas.domain.errors import NotFound
from netatlas.domain.inventory import Credential
from netatlas.domain.records import (
    CommandOutput,
    DataType,
    DeviceRecords,
    DeviceResult,
    DeviceStatus,
    NextHop,
    Route,
)
from netatlas.jobs.events import ProgressEvent
from netatlas.jobs.ports import DeviceUpdate
from netatlas.jobs.publishing import PublishingJobStore
from netatlas.jobs.storeport import DatabaseJobStore, shared_url
from netatlas.secrets import SecretBox
from netatlas.store import CredentialRepo, Database, JobRepo, SnapshotRepo
from tests.integration.store import factories

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database.open(db_url, upgrade=True)
    try:
        yield database
    finally:
        database.close()


def _job(db: Database) -> str:
    with db.session() as session:
        jobs = JobRepo(session)
        job_id = jobs.create([factories.device(f"st{i}", i) for i in (1, 2, 3)], {"data_types": ["cdp"]})
        for name in ("st1", "st2"):
            jobs.update_device(job_id, name, DeviceStatus.RUNNING, attempt=1)
    return job_id


def test_a_batch_of_steps_updates_each_running_row_and_publishes_each(db: Database) -> None:
    job_id = _job(db)
    published: list[ProgressEvent] = []

    class Sink:
        def publish(self, event: ProgressEvent) -> None:
            published.append(event)

    store = PublishingJobStore(DatabaseJobStore(db, SecretBox(Fernet.generate_key())), Sink())
    store.update_steps(job_id, {"st1": "show version", "st2": "show ip route vrf *"})
    with db.session(readonly=True) as session:
        detail = JobRepo(session).show(job_id)
    rows = {d.device_name: d for d in detail.devices}
    assert (rows["st1"].status, rows["st1"].step, rows["st1"].attempt) == (DeviceStatus.RUNNING, "show version", 1)
    assert rows["st2"].step == "show ip route vrf *"
    assert (rows["st3"].status, rows["st3"].step) == (DeviceStatus.PENDING, None)
    assert detail.job.counts.completed == 0
    assert {(e.device, e.status, e.step) for e in published} == {("st1", "running", "show version"),
                                                                ("st2", "running", "show ip route vrf *")}


def test_a_jobs_credential_is_read_and_decrypted_once(db: Database) -> None:
    key = Fernet.generate_key()
    box = SecretBox(key)
    with db.session() as session:
        CredentialRepo(session).upsert("lab", *box.seal(Credential("lab", "netops", "pw-1", "en-1")))

    class Counting(SecretBox):
        opened = 0

        def unseal(self, name: str, username: str, ciphertext: bytes) -> Credential:
            Counting.opened += 1
            return super().unseal(name, username, ciphertext)

    store = DatabaseJobStore(db, Counting(key))
    first, second = store.credential("lab"), store.credential("lab")
    assert first == second == Credential("lab", "netops", "pw-1", "en-1")
    assert Counting.opened == 1


def _result(name: str, text: str) -> DeviceResult:
    route = Route("default", "10.1.0.0/16", "static", (NextHop("10.0.0.2", "Ethernet1"),))
    return DeviceResult(name, ok=True, records=DeviceRecords(routes=[route]),
                        outputs=[CommandOutput("show ip route", DataType.STATIC_ROUTES, text)],
                        asked=frozenset({DataType.STATIC_ROUTES}))


def test_a_result_is_stored_by_a_pool_worker_once_and_reads_back_the_same(db: Database) -> None:
    """A file or server database: the snapshot is written by the worker pool (module docstring), in one
    transaction with the row's final status; a second finish of the same device stores nothing more."""
    job_id = _job(db)
    store = DatabaseJobStore(db, SecretBox(Fernet.generate_key()))
    assert shared_url(db) is not None
    text = "10.1.0.0/16 via 10.0.0.2, Ethernet1\n" * 200  # held packed: longer than PACK_FROM
    store.finish_device(job_id, _result("st1", text), DeviceUpdate(DeviceStatus.COMPLETED, step=""))
    assert pool._running()  # the worker pool wrote it
    store.finish_device(job_id, _result("st1", "other"), DeviceUpdate(DeviceStatus.FAILED, step=""))
    with db.session(readonly=True) as session:
        repo = SnapshotRepo(session)
        snapshots = repo.of_job(job_id)
        assert [s.device_name for s in snapshots] == ["st1"]
        assert [o.output for o in repo.raw(snapshots[0].id)] == [text]
        assert repo.records(snapshots[0].id).routes == _result("st1", text).records.routes
        row = {d.device_name: d for d in JobRepo(session).show(job_id).devices}["st1"]
    assert row.status is DeviceStatus.COMPLETED


def test_an_error_in_the_worker_reaches_the_caller_as_the_same_exception(db: Database) -> None:
    job_id = _job(db)
    store = DatabaseJobStore(db, SecretBox(Fernet.generate_key()))
    with pytest.raises(NotFound, match="no device 'nobody' in job"):
        store.finish_device(job_id, _result("nobody", "x"), DeviceUpdate(DeviceStatus.COMPLETED, step=""))
    with db.session(readonly=True) as session:
        assert SnapshotRepo(session).of_job(job_id) == []  # rolled back


def test_an_in_memory_database_is_stored_in_this_process() -> None:
    memory = Database.open("sqlite://", upgrade=True)
    assert shared_url(memory) is None
    assert shared_url(Database("sqlite:///tmp/netatlas-x.db")) == "sqlite:///tmp/netatlas-x.db"
    box = SecretBox(Fernet.generate_key())
    assert DatabaseJobStore(memory, box).finish_threads() == 1  # one connection: on the database thread
    assert DatabaseJobStore(Database("sqlite:///tmp/netatlas-x.db"), box).finish_threads() > 1


def test_a_step_batch_after_a_devices_result_leaves_its_row_and_its_events_final(db: Database) -> None:
    """Results are stored on their own threads: a batch of steps taken before ``st1`` ended may land
    after; its row keeps its final status and no event says it runs again."""
    job_id = _job(db)
    published: list[ProgressEvent] = []

    class Sink:
        def publish(self, event: ProgressEvent) -> None:
            published.append(event)

    store = PublishingJobStore(DatabaseJobStore(db, SecretBox(Fernet.generate_key()), in_pool=False), Sink())
    store.finish_device(job_id, _result("st1", "x"), DeviceUpdate(DeviceStatus.COMPLETED, step=""))
    store.update_steps(job_id, {"st1": "show version", "st2": "show cdp neighbors detail"})
    with db.session(readonly=True) as session:
        detail = JobRepo(session).show(job_id)
    rows = {d.device_name: d for d in detail.devices}
    assert (rows["st1"].status, rows["st1"].step) == (DeviceStatus.COMPLETED, "")
    assert rows["st2"].step == "show cdp neighbors detail"
    assert detail.job.counts.completed == 1
    assert [(e.device, e.status) for e in published] == [("st1", "completed"), ("st2", "running")]
