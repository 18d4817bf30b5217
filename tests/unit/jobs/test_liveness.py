"""Whether a job's owner is gone: the pure decision, and the process facts it rests on."""

from __future__ import annotations

import os
import subprocess
import time
from datetime import UTC, datetime, timedelta

import pytest

from netatlas.domain.records import JobStatus
from netatlas.jobs.liveness import STALE_S, JobLife, Owner, abandoned, pid_alive, this_process

T0 = datetime(2026, 1, 1, tzinfo=UTC)
LATER = T0 + timedelta(seconds=STALE_S + 1)


def life(status: JobStatus, owner: Owner | None, heartbeat: datetime | None = T0) -> JobLife:
    return JobLife(status, owner, heartbeat, T0 if status is not JobStatus.PENDING else None, T0)


def test_this_process_is_alive_and_named_with_its_pid_namespace() -> None:
    me = this_process()
    assert me.pid == os.getpid() and pid_alive(me.pid)
    if os.path.exists("/proc/self/ns/pid"):
        assert "pid:[" in me.host


def test_a_dead_process_and_a_zombie_are_not_alive() -> None:
    done = subprocess.Popen(["true"])
    done.wait()
    assert not pid_alive(done.pid)
    zombie = subprocess.Popen(["true"])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and proc_state(zombie.pid) != "Z":
        time.sleep(0.01)
    try:
        assert not pid_alive(zombie.pid), "exited but not yet reaped"
    finally:
        zombie.wait()
    assert not pid_alive(0) and not pid_alive(-1)


def proc_state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return ""


@pytest.mark.parametrize(("job", "here", "alive", "gone"), [
    (life(JobStatus.RUNNING, Owner("h1", 7), heartbeat=LATER), "h1", False, True),  # same host, pid gone: at once
    (life(JobStatus.RUNNING, Owner("h1", 7)), "h1", True, True),  # alive pid but stale heartbeat (pid reused)
    (life(JobStatus.RUNNING, Owner("h1", 7), heartbeat=LATER), "h2", True, False),  # fresh heartbeat elsewhere
    (life(JobStatus.CANCELLING, Owner("h1", 7)), "h2", True, True),  # stale elsewhere
    (life(JobStatus.PENDING, Owner("h1", 7), heartbeat=None), "h1", True, False),  # about to run
    (life(JobStatus.PENDING, Owner("h1", 7), heartbeat=None), "h1", False, True),  # its creator died
    (life(JobStatus.PENDING, None, heartbeat=None), "h1", False, False),  # queued, nobody owns it yet
    (life(JobStatus.RUNNING, None, heartbeat=None), "h1", False, True),  # unowned legacy row, not moving
    (life(JobStatus.COMPLETED, Owner("h1", 7)), "h1", False, False),  # final: never touched
])
def test_abandoned(job: JobLife, here: str, alive: bool, gone: bool) -> None:
    reason = abandoned(job, here=here, now=LATER, alive=lambda pid: alive)
    assert (reason is not None) is gone, reason
