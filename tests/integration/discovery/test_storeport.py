"""``DatabaseJobStore`` on a real database: the engine's batch of progress steps is one transaction
that moves running rows only as far as their step, and a job's credential is read once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet

from netatlas.domain.inventory import Credential
from netatlas.domain.records import DeviceStatus
from netatlas.jobs.events import ProgressEvent
from netatlas.jobs.publishing import PublishingJobStore
from netatlas.jobs.storeport import DatabaseJobStore
from netatlas.secrets import SecretBox
from netatlas.store import CredentialRepo, Database, JobRepo
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
