"""The read services over a real SQLite store: pages of jobs by status, a job's report (unmanaged neighbors,
conflicts, incomplete coverage), devices by name, a device's current data of one kind, paginated."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from netatlas.domain.errors import NotFound
from netatlas.domain.inventory import InventoryDevice
from netatlas.domain.records import (
    CommandOutput,
    Coverage,
    DataType,
    DeviceResult,
    Facts,
    JobStatus,
    MacEntry,
    Unmanaged,
)
from netatlas.jobs.queries import DataQueries, DeviceQueries, JobQueries, Page
from netatlas.store import Database, DeviceRepo, InventoryConflict, JobRepo, SnapshotRepo


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(f"sqlite:///{tmp_path / 'netatlas.db'}", upgrade=True)
    yield database
    database.close()


DEVICES = [InventoryDevice(f"sw{n}", f"10.0.0.{n}", "cisco_ios", "lab") for n in range(1, 4)]


def make_jobs(db: Database, count: int) -> list[str]:
    ids = []
    with db.session() as session:
        for n in range(count):
            ids.append(JobRepo(session).create(DEVICES[:1], {"n": n}, job_id=f"job{n:02d}"))
    with db.session() as session:
        for job_id in ids[::2]:
            JobRepo(session).finish(job_id, JobStatus.CANCELLED, "test")
    return ids


def test_jobs_come_in_pages_newest_first_and_by_status(db: Database) -> None:
    ids = make_jobs(db, 7)
    jobs = JobQueries(db)
    first, second, last = (jobs.list(offset=o, limit=3) for o in (0, 3, 6))
    seen = [j.id for page in (first, second, last) for j in page.items]
    assert sorted(seen) == sorted(ids) and len(set(seen)) == 7
    assert (first.more, second.more, last.more) == (True, True, False)
    cancelled = jobs.list(status=JobStatus.CANCELLED, limit=10)
    assert sorted(j.id for j in cancelled.items) == ids[::2] and not cancelled.more
    assert {j.status for j in jobs.list(status=JobStatus.PENDING).items} == {JobStatus.PENDING}
    with pytest.raises(ValueError, match="offset"):
        jobs.list(offset=-1)
    with pytest.raises(NotFound):
        jobs.get("nope")


def test_a_job_report_holds_what_its_run_stored(db: Database) -> None:
    with db.session() as session:
        job_id = JobRepo(session).create(DEVICES, {})
        JobRepo(session).add_unmanaged(job_id, [Unmanaged("phone1", "192.0.2.9", "outside --allow", "sw1")])
        DeviceRepo(session).record_conflict(InventoryConflict("core1", "10.0.0.1", "10.9.9.9", "sw2", "taken",
                                                              job_id))
    off = CommandOutput("show cdp neighbors detail", DataType.CDP, "% CDP is not enabled",
                        coverage=Coverage.FEATURE_OFF, note="% CDP is not enabled")
    with db.session() as session:
        SnapshotRepo(session).save(job_id, "sw2", DeviceResult("sw2", True, outputs=[off]))
        SnapshotRepo(session).save(job_id, "sw1", DeviceResult("sw1", True, asked=frozenset({DataType.CDP})))
    report = JobQueries(db).detail(job_id)
    assert [d.device_name for d in report.detail.devices] == ["sw1", "sw2", "sw3"]
    assert [u.name for u in report.unmanaged] == ["phone1"]
    assert [c.name for c in report.conflicts] == ["core1"]
    assert list(report.coverage) == ["sw2"]
    assert report.coverage["sw2"][DataType.CDP].status is Coverage.FEATURE_OFF


def test_devices_by_name(db: Database) -> None:
    with db.session() as session:
        DeviceRepo(session).upsert_many(DEVICES)
    devices = DeviceQueries(db)
    assert [s.device.name for s in devices.list().items] == ["sw1", "sw2", "sw3"]
    assert devices.list(offset=1, limit=1) == Page(devices.list().items[1:2], 1, 1, True)
    assert devices.get("sw2").device == DEVICES[1]
    assert devices.named(["sw3", "sw1", "sw3"]) == [DEVICES[2], DEVICES[0]]
    with pytest.raises(NotFound, match="'nope', 'gone'"):
        devices.named(["sw1", "nope", "gone"])


def test_a_devices_current_data_of_one_kind_in_pages(db: Database) -> None:
    with db.session() as session:
        job_id = JobRepo(session).create(DEVICES[:1], {})
    result = DeviceResult("sw1", True, asked=frozenset({DataType.MAC}))
    result.records.facts = Facts("sw1")
    result.records.mac_table = [MacEntry(f"00:00:00:00:00:{n:02x}", 10, "Gi1/0/1") for n in range(5)]
    with db.session() as session:
        SnapshotRepo(session).save(job_id, "sw1", result)
    data = DataQueries(db)
    page = data.current("sw1", "mac", offset=2, limit=2)
    assert [m.mac for m in page.records.items] == ["00:00:00:00:00:02", "00:00:00:00:00:03"] and page.records.more
    assert [(h.data_type, h.coverage.status, h.job_id) for h in page.held] == [(DataType.MAC, Coverage.COMPLETE,
                                                                                job_id)]
    assert data.current("sw1", "arp").records.items == () and data.current("sw9", "mac").held == ()
    with pytest.raises(NotFound, match="no record kind 'macs'"):
        data.current("sw1", "macs")
