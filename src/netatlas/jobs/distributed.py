"""A job run in chunks by many processes (Celery workers): who owns it, how it starts and how it ends.

The local executor runs a job in one process, which owns it (host and pid on the job row) and ends
it when its devices are done. A distributed job has no such process: its devices are dispatched as
chunks, each run by whichever worker takes it, possibly on different machines, possibly twice (a
chunk redelivered after its worker died). So:

- **Ownership.** From submission on, the job is owned by :data:`DISTRIBUTED` (host ``celery``,
  pid 0), not by the API or CLI process that created it: that process may exit or restart while
  workers run the job, and recovery (``netatlas.jobs.recovery``) must not mark the job interrupted
  for it. The pseudo-owner is never "this host", so :func:`~netatlas.jobs.liveness.abandoned`
  judges the job by its heartbeat alone: a queued (pending) job is never abandoned; a running one
  is abandoned when no chunk has beaten for ``DISTRIBUTED_STALE_S`` (every worker running it died), and its
  redelivered chunks then find it ended and do nothing.
- **Heartbeats** come from every running chunk (the engine's heartbeat, conditional on the job not
  being final), so the job stays alive while any worker works on it.
- **Start** (:func:`begin`) moves a pending job to running once (a conditional UPDATE), and never
  brings back a job that already ended (``JobRepo.claim`` would).
- **End** (:func:`end_if_done`): the job ends when its last ``job_device`` row is final, checked by
  each chunk after its own devices are final, in a new transaction; two chunks that both see every
  row final both call ``JobRepo.finish``, a conditional UPDATE that only one of them wins, so the
  job ends exactly once. A cancelled job ends as soon as no device of it runs: its queued chunks
  were revoked, so the rows they held are ended ``cancelled`` with it.

A job none of whose chunks runs for a while (its chunks wait in the queue behind another long job's,
or a dead worker's chunk waits for the broker's visibility timeout) is not abandoned: recovery gives
a distributed job ``DISTRIBUTED_STALE_S`` (3 h) without a heartbeat before it ends it ``interrupted``
(its late chunks then find it ended and do nothing). ``netatlas jobs cancel`` ends one sooner.

The statements themselves (conditional UPDATEs on the job row, the one query of its unfinished
rows) live in the store, ``netatlas.store.distributed``; this module holds the policy.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from netatlas.domain.records import DeviceStatus, ErrorKind, JobStatus
from netatlas.jobs.events import EventSink, NullSink, ProgressEvent
from netatlas.jobs.liveness import DISTRIBUTED_HOST, Owner
from netatlas.store import Database, JobRepo
from netatlas.store.distributed import DistributedJobRepo

DISTRIBUTED = Owner(DISTRIBUTED_HOST, 0)  # the owner of a job run by workers: never a live local process
CHUNK_MAX = 50  # devices per chunk at most (one task runs them concurrently)
TARGET_CHUNKS = 8  # a small job is still spread over this many chunks (so over several workers)
CANCEL_MESSAGE = "cancelled on request"


def chunk_size(total: int, concurrency: int) -> int:
    """Devices per chunk: at most the job's concurrency (a chunk runs its devices at once) and
    :data:`CHUNK_MAX`, and small enough that a small job still makes :data:`TARGET_CHUNKS` chunks.

    Examples:
        >>> chunk_size(1000, 100), chunk_size(1000, 20), chunk_size(24, 100), chunk_size(3, 100)
        (50, 20, 3, 1)
    """
    return max(1, min(CHUNK_MAX, concurrency, math.ceil(total / TARGET_CHUNKS)))


def split(names: Sequence[str], size: int) -> list[list[str]]:
    """``names`` in order, ``size`` at a time.

    Examples:
        >>> split(["a", "b", "c"], 2)
        [['a', 'b'], ['c']]
    """
    return [list(names[i:i + size]) for i in range(0, len(names), size)]


@dataclass(frozen=True, slots=True)
class Rows:
    """How a job's device rows stand, read in one query."""

    status: JobStatus
    unfinished: tuple[str, ...]  # pending or running, in the order they were added
    running: int

    @property
    def done(self) -> bool:
        return not self.unfinished


def hand_over(db: Database, job_id: str) -> None:
    """A pending job is owned by the workers from now on (not by the process that created it)."""
    with db.session() as session:
        DistributedJobRepo(session).hand_over(job_id, DISTRIBUTED.host, DISTRIBUTED.pid)


@dataclass(frozen=True, slots=True)
class Handed:
    """What submitting a job needs, read as it was handed over: its status, options and unfinished rows."""

    status: JobStatus
    options: dict[str, Any]
    unfinished: tuple[str, ...]


def take_over(db: Database, job_id: str) -> Handed:
    """In one transaction: the job's status, options and unfinished rows, and, unless it has ended, the
    job handed over to the workers (:func:`hand_over`). ``NotFound`` when there is no such job."""
    with db.session() as session:
        repo = DistributedJobRepo(session)
        status, options = repo.state(job_id)
        if status.final:
            return Handed(status, options, ())
        unfinished = tuple(name for name, _ in repo.unfinished(job_id))
        repo.hand_over(job_id, DISTRIBUTED.host, DISTRIBUTED.pid)
    return Handed(status, options, unfinished)


def begin(db: Database, job_id: str) -> bool:
    """A chunk starts: a pending job becomes running (``started_at`` stamped once), any unfinished
    job gets the distributed owner and a fresh heartbeat. False when the job has already ended (the
    chunk has nothing to do); ``NotFound`` when there is no such job."""
    with db.session() as session:
        JobRepo(session).get(job_id)  # NotFound
        return DistributedJobRepo(session).begin(job_id, DISTRIBUTED.host, DISTRIBUTED.pid)


def rows(db: Database, job_id: str) -> Rows:
    with db.session(readonly=True) as session:
        status = JobRepo(session).get(job_id).status
        found = DistributedJobRepo(session).unfinished(job_id)
    running = sum(1 for _, s in found if s is DeviceStatus.RUNNING)
    return Rows(status, tuple(name for name, _ in found), running)


def end_if_done(db: Database, job_id: str, sink: EventSink | None = None) -> JobStatus | None:
    """End the job when its last row is final (``completed``, or ``cancelled`` when it was being
    cancelled), or when it is being cancelled and none of its devices runs any more. Returns the
    status it ended with, or None when it goes on or someone else ended it (exactly one caller wins)."""
    state = rows(db, job_id)
    if state.status.final:
        return None
    cancelling = state.status is JobStatus.CANCELLING
    if not (state.done or (cancelling and state.running == 0)):
        return None
    status = JobStatus.CANCELLED if cancelling else JobStatus.COMPLETED
    message = CANCEL_MESSAGE if cancelling else ""
    with db.session() as session:
        ended = JobRepo(session).finish(job_id, status, message)
    if not ended:
        return None
    (sink or NullSink()).publish(ProgressEvent(job_id, "job", status.value, error=message))
    return status


def fail_unfinished(db: Database, job_id: str, names: Iterable[str], kind: ErrorKind, message: str,
                    status: DeviceStatus = DeviceStatus.FAILED) -> list[str]:
    """End the named rows that are still unfinished (a chunk that cannot run them, a device that could
    not be queued) with ``status``, ``kind`` and ``message``; returns the names ended."""
    wanted = set(names)
    ended = [name for name in rows(db, job_id).unfinished if name in wanted]
    with db.session() as session:
        repo = JobRepo(session)
        for name in ended:
            repo.update_device(job_id, name, status, step="", error_kind=kind, error=message)
    return ended
