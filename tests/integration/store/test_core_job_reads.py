"""Issue 11: the job reads of ``netatlas jobs list`` and of recovery use SQLAlchemy Core alone.

The ORM row classes of ``store.tables`` are mapped onto the Core tables of ``store.schema``; these
tests check that the two are one schema and that a Core read returns what the ORM read returned,
on both backends.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from netatlas.domain.records import DeviceStatus, JobStatus
from netatlas.jobs.recovery import recover_jobs
from netatlas.store import Database, JobRepo
from netatlas.store.jobs import list_jobs, unfinished_jobs
from netatlas.store.schema import JOB_TABLE, METADATA
from netatlas.store.tables import Base, JobRow
from tests.integration.store.factories import device


def _jobs(db: Database) -> list[str]:
    """Three jobs: one completed, one running (owned by a process on another host), one pending."""
    with db.session() as session:
        repo = JobRepo(session)
        done = repo.create([device("sw1", 1), device("sw2", 2)], {"data_types": ["cdp"]}, requested_by="ann")
        running = repo.create([device("sw1", 1)], {"data_types": ["lldp"]})
        pending = repo.create([device("sw3", 3)], {})
    with db.session() as session:
        repo = JobRepo(session)
        repo.claim(done, "elsewhere", 4242)
        repo.update_device(done, "sw1", DeviceStatus.COMPLETED)
        repo.update_device(done, "sw2", DeviceStatus.FAILED, error="timeout")
        repo.finish(done, JobStatus.COMPLETED)
        repo.claim(running, "elsewhere", 4243)
    return [done, running, pending]


def test_the_orm_maps_the_core_tables() -> None:
    assert Base.metadata is METADATA
    for mapper in Base.registry.mappers:
        assert mapper.local_table is METADATA.tables[mapper.class_.__tablename__]
    assert JobRow.__table__ is JOB_TABLE


def test_core_job_reads_equal_the_orm_reads(db: Database) -> None:
    done, running, pending = _jobs(db)
    with db.session(readonly=True) as session:
        orm_rows = [JobRepo(session).get(job_id) for job_id in (done, running, pending)]
        listed_in_session = JobRepo(session).list(limit=10)
    with db.connection(readonly=True) as connection:
        listed = list_jobs(connection, limit=10)
        only_completed = list_jobs(connection, limit=10, status=JobStatus.COMPLETED)
        first = list_jobs(connection, limit=1)
        open_jobs = unfinished_jobs(connection)
    assert sorted(listed, key=lambda j: j.id) == sorted(orm_rows, key=lambda j: j.id)
    assert listed == listed_in_session
    assert [j.id for j in only_completed] == [done]
    assert only_completed[0].counts.completed == 1 and only_completed[0].counts.failed == 1
    assert only_completed[0].options == {"data_types": ["cdp"]} and only_completed[0].requested_by == "ann"
    assert first == listed[:1]
    assert [j.created_at for j in listed] == sorted((j.created_at for j in listed), reverse=True)
    assert all(j.created_at.tzinfo is UTC for j in listed)
    assert sorted(j.id for j in open_jobs) == sorted([running, pending])


def test_recovery_finds_stale_jobs_through_the_core_read(db: Database) -> None:
    _, running, pending = _jobs(db)
    with db.connection() as connection:  # the owner on another host stopped beating 10 minutes ago
        old = datetime.now(UTC) - timedelta(minutes=10)
        connection.execute(update(JOB_TABLE).where(JOB_TABLE.c.id == running).values(heartbeat_at=old))
    found = recover_jobs(db, stale_s=60)
    assert [r.job_id for r in found] == [running]
    with db.connection(readonly=True) as connection:
        assert [j.id for j in unfinished_jobs(connection)] == [pending]
    assert recover_jobs(db, stale_s=60) == []
