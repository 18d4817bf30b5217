"""Two discovery jobs at the same time in one process (as the API's embedded executor runs them) do
not interfere: they share the process's parse pool, the first to end does not stop it under the
other's parses, and every device of both jobs is stored equal to the lab's truth.

The datacenter lab's NX-OS and EOS interface tables are larger than ``POOL_THRESHOLD``, so both
jobs parse in the pool (checked from the stored raw output sizes). The first job is the small one,
so it ends while the second still has large outputs to parse.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from ipaddress import IPv4Network
from pathlib import Path

import pytest
from sqlalchemy import func, select

from netatlas.collect.parsers import POOL_THRESHOLD, pool, shutdown_pool, start_pool
from netatlas.domain.records import DataType, JobStatus
from netatlas.lab.background import BackgroundLab
from netatlas.lab.runtime import Lab
from netatlas.store.tables import RawOutputRow, SnapshotRow
from tests.integration.discovery.helpers import Discovery, make_lab, truth_mismatches, write_inventory

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

NETWORK = IPv4Network("127.62.0.0/16")
DEVICES = 14
FIRST = 4  # devices of the first (small) job; the second job has the rest


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    prepared = make_lab("datacenter", DEVICES, NETWORK)
    with BackgroundLab(prepared):
        yield prepared


@pytest.fixture
def discovery(db_url: str, home: Path) -> Iterator[Discovery]:
    opened = Discovery.open(db_url, home)
    try:
        yield opened
    finally:
        opened.close()
        shutdown_pool()  # the test process owns the pool: it stops it


def _pooled_outputs(discovery: Discovery, job_id: str) -> int:
    """How many of the job's raw outputs were large enough to be parsed in the pool."""
    query = (select(func.count()).select_from(RawOutputRow)
             .join(SnapshotRow, SnapshotRow.id == RawOutputRow.snapshot_id)
             .where(SnapshotRow.job_id == job_id, RawOutputRow.size > POOL_THRESHOLD))
    with discovery.db.session(readonly=True) as session:
        return int(session.scalar(query) or 0)


def test_two_jobs_at_once_share_the_pool_and_both_store_the_truth(lab: Lab, discovery: Discovery,
                                                                   tmp_path: Path) -> None:
    devices = discovery.import_file(write_inventory(lab.inventory(), tmp_path / "lab.yaml"))
    assert len(devices) == DEVICES
    jobs = [discovery.start(devices[:FIRST]), discovery.start(devices[FIRST:])]

    async def both() -> list[JobStatus]:
        return list(await asyncio.gather(*(discovery.service.run(job_id, request) for job_id, request in jobs)))

    start_pool()  # as the process owner (the API server) does; the jobs start it again (a no-op)
    owned = pool._pool
    assert asyncio.run(both()) == [JobStatus.COMPLETED, JobStatus.COMPLETED]
    assert owned is not None and pool._pool is owned, "a job ending must not stop or replace the process's pool"
    for (job_id, _), names in zip(jobs, ([d.name for d in devices[:FIRST]], [d.name for d in devices[FIRST:]]),
                                  strict=True):
        detail = discovery.detail(job_id)
        assert detail.job.counts.completed == detail.job.counts.total == len(names)
        assert _pooled_outputs(discovery, job_id) > 0, "the job must have parsed some outputs in the pool"
        served = [d for d in lab.devices if d.state.hostname in names]
        problems = [p for d in served for p in truth_mismatches(discovery.db, d, frozenset(DataType), job_id)]
        assert not problems, "\n".join(problems[:10])
