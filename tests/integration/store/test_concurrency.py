"""Concurrent writers do not deadlock, and how long saving one realistic snapshot takes."""

from __future__ import annotations

import statistics
import threading
import time

import pytest

from netatlas.domain.records import DataType, DeviceStatus, JobStatus
from netatlas.store import Database, JobCounts, JobRepo, SnapshotRepo
from tests.integration.store import factories

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]
JOBS = 8


def _worker(db: Database, name: str, job_ids: list[str], start: threading.Barrier, errors: list[BaseException]) -> None:
    try:
        start.wait()
        for job_id in job_ids:
            with db.session() as session:
                JobRepo(session).update_device(job_id, name, DeviceStatus.RUNNING, attempt=1)
            with db.session() as session:
                SnapshotRepo(session).save(job_id, name, factories.result(name, route_count=200))
                JobRepo(session).update_device(job_id, name, DeviceStatus.COMPLETED)
    except BaseException as exc:  # reported by the test thread
        errors.append(exc)


def test_two_writers_on_the_same_jobs_do_not_deadlock(db: Database) -> None:
    names = ["sw1", "sw2"]
    with db.session() as session:
        job_ids = [JobRepo(session).create([factories.device(n, i) for i, n in enumerate(names, 1)], {})
                   for _ in range(JOBS)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(names))
    threads = [threading.Thread(target=_worker, args=(db, name, job_ids, start, errors)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads) and errors == []
    with db.session(readonly=True) as session:
        assert {JobRepo(session).get(job_id).counts for job_id in job_ids} == {JobCounts(2, 2, 0, 0)}
        assert {n: len(SnapshotRepo(session).history(n)) for n in names} == {"sw1": JOBS, "sw2": JOBS}


def test_time_to_save_one_realistic_snapshot(db: Database, backend: str) -> None:
    """1,000 routes, 50 interfaces and every other kind, with compressed raw outputs."""
    results = [factories.result(f"r{i}", route_count=1000, interface_count=50) for i in range(6)]
    with db.session() as session:
        job_id = JobRepo(session).create([factories.device(r.name, i) for i, r in enumerate(results, 1)], {})
        JobRepo(session).set_status(job_id, JobStatus.RUNNING)
    timings = []
    for result in results:
        started = time.perf_counter()
        with db.session() as session:
            SnapshotRepo(session).save(job_id, result.name, result)
        timings.append(time.perf_counter() - started)
    started = time.perf_counter()
    with db.session(readonly=True) as session:
        routes = SnapshotRepo(session).latest("r0", DataType.OSPF_ROUTES)
    read_s = time.perf_counter() - started
    median = statistics.median(timings[1:])  # the first one warms caches
    print(f"\n[{backend}] save 1,000 routes + 50 interfaces: median {median * 1000:.1f} ms "
          f"(min {min(timings) * 1000:.1f}, max {max(timings) * 1000:.1f}); latest OSPF routes {read_s * 1000:.1f} ms")
    assert routes is not None and len(routes.records.routes) == 200
    assert median < 2.0
