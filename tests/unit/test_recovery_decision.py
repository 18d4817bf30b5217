"""``any_abandoned``: the recovery's decision on rows read without SQLAlchemy (``netatlas jobs list``).

It must answer True exactly when ``recover_jobs`` would mark a job, so the light path hands every
abandoned job to the recovery and never hides one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from netatlas.domain.records import JobStatus
from netatlas.jobs.liveness import DISTRIBUTED_HOST, STALE_S, this_process
from netatlas.jobs.recovery import any_abandoned
from netatlas.store.views import JobCounts, JobView

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def job(status: JobStatus, host: str = "", pid: int | None = None, beat_s_ago: float | None = None) -> JobView:
    beat = NOW - timedelta(seconds=beat_s_ago) if beat_s_ago is not None else None
    created = NOW - timedelta(hours=1)
    return JobView("j1", "discovery", status, {}, JobCounts(1, 0, 0, 0), "", created, created, None,
                   owner_host=host, owner_pid=pid, heartbeat_at=beat)


def dead_pid() -> int:
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    return done.pid


@pytest.mark.parametrize(("view", "expected"), [
    (job(JobStatus.RUNNING, this_process().host, os.getpid(), beat_s_ago=1), False),  # alive here
    (job(JobStatus.RUNNING, this_process().host, dead_pid(), beat_s_ago=1), True),  # its process is gone
    (job(JobStatus.RUNNING, "elsewhere", 7, beat_s_ago=STALE_S / 2), False),
    (job(JobStatus.RUNNING, "elsewhere", 7, beat_s_ago=STALE_S * 2), True),  # silent for too long
    (job(JobStatus.PENDING), False),  # queued: nobody owns it yet
    (job(JobStatus.RUNNING), True),  # running with no owner recorded, for an hour
    (job(JobStatus.RUNNING, DISTRIBUTED_HOST, 0, beat_s_ago=STALE_S * 2), False),  # chunks wait in a queue
])
def test_the_decision_is_the_recoverys(view: JobView, expected: bool) -> None:
    assert any_abandoned([view], now=NOW) is expected
    assert any_abandoned([job(JobStatus.PENDING), view], now=NOW) is expected


def test_nothing_unfinished_is_nothing_to_recover() -> None:
    assert any_abandoned([], now=NOW) is False
