"""Who runs a job, and whether that process is still there.

A running job records its owner (host and pid) and a heartbeat that the owner refreshes every
:data:`HEARTBEAT_S` seconds. A job is abandoned when its owner is provably gone: on the same host
(and pid namespace) the pid no longer exists (or is a zombie); anywhere, the heartbeat is older
than the staleness limit. :func:`abandoned` is the pure decision; :func:`this_process` and
:func:`pid_alive` are the two facts it needs from the operating system.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from netatlas.domain.records import JobStatus

HEARTBEAT_S = 5.0  # how often a running job's owner writes its heartbeat
STALE_S = 60.0  # a heartbeat older than this means the owner is gone (any host)
# A job run in chunks by workers (``netatlas.jobs.distributed``) has no owner process: its pseudo-owner's
# host is DISTRIBUTED_HOST. Its chunks may wait in the broker's queue behind other jobs' chunks (no
# heartbeat meanwhile), and a dead worker's chunk comes back only after the broker's visibility timeout,
# so such a job is judged abandoned only after DISTRIBUTED_STALE_S without a heartbeat.
DISTRIBUTED_HOST = "celery"
DISTRIBUTED_STALE_S = 3 * 3600.0


@dataclass(frozen=True, slots=True)
class Owner:
    host: str  # host name, with the pid namespace when known (containers share host names rarely, pids often)
    pid: int


@dataclass(frozen=True, slots=True)
class JobLife:
    """What the decision reads from a job row."""

    status: JobStatus
    owner: Owner | None
    heartbeat_at: datetime | None
    started_at: datetime | None
    created_at: datetime


def this_process() -> Owner:
    return Owner(_host_id(), os.getpid())


def _host_id() -> str:
    host = socket.gethostname()
    try:
        namespace = os.readlink("/proc/self/ns/pid")  # "pid:[4026531836]"
    except OSError:
        return host
    return f"{host} {namespace}"


def pid_alive(pid: int) -> bool:
    """True when a process ``pid`` exists on this host and is not a zombie."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: existence is all we know
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def abandoned(job: JobLife, *, here: str, now: datetime, stale_s: float = STALE_S,
              alive: Callable[[int], bool] = pid_alive) -> str | None:
    """Why the job's owner is gone, or None while it may still be running.

    A pending job that no process owns may be queued: it is left alone.

    Examples:
        >>> from datetime import UTC
        >>> t0 = datetime(2026, 1, 1, tzinfo=UTC)
        >>> job = JobLife(JobStatus.RUNNING, Owner("h1", 42), t0, t0, t0)
        >>> abandoned(job, here="h1", now=t0, alive=lambda pid: False)
        'its process (pid 42 on h1) is gone'
        >>> abandoned(job, here="h2", now=t0 + timedelta(seconds=30)) is None
        True
        >>> abandoned(job, here="h2", now=t0 + timedelta(seconds=90))
        'no heartbeat from pid 42 on h1 for 90 s'
        >>> queued = JobLife(JobStatus.RUNNING, Owner(DISTRIBUTED_HOST, 0), t0, t0, t0)
        >>> abandoned(queued, here="h2", now=t0 + timedelta(seconds=900)) is None  # chunks wait in the queue
        True
    """
    if job.status.final:
        return None
    if job.owner is not None and job.owner.host == DISTRIBUTED_HOST:
        stale_s = max(stale_s, DISTRIBUTED_STALE_S)
    if job.owner is None:
        if job.status is JobStatus.PENDING:
            return None
        last = job.started_at or job.created_at
        return _stale(last, now, stale_s, "its process was not recorded and it has not moved")
    if job.owner.host == here and not alive(job.owner.pid):
        return f"its process (pid {job.owner.pid} on {job.owner.host}) is gone"
    if job.status is JobStatus.PENDING and job.heartbeat_at is None:
        return None  # not started yet: only a dead owner (above) abandons it
    last = job.heartbeat_at or job.started_at or job.created_at
    return _stale(last, now, stale_s, f"no heartbeat from pid {job.owner.pid} on {job.owner.host}")


def _stale(last: datetime, now: datetime, stale_s: float, what: str) -> str | None:
    age = now - last
    if age <= timedelta(seconds=stale_s):
        return None
    return f"{what} for {age.total_seconds():.0f} s"
