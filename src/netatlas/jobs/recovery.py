"""Jobs whose owner is gone end ``interrupted``, with every unfinished device row final.

Called by ``netatlas jobs recover``, before ``jobs list``/``jobs show`` read the jobs they show,
before ``discover`` starts a new job, and every 30 s in the background of each API process
(``netatlas.api.routes.discovery.recover_periodically``, never on a request's path). The decision is
:func:`netatlas.jobs.liveness.abandoned`;
it is taken again inside the write transaction, so a job whose owner beats in between is kept.
``netatlas jobs list`` first takes it on the rows it reads without SQLAlchemy (:func:`any_abandoned`)
and runs :func:`recover_jobs` only when a job is to be marked.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from netatlas.domain.records import JobStatus
from netatlas.jobs.liveness import STALE_S, JobLife, Owner, abandoned, this_process

if TYPE_CHECKING:
    from netatlas.store import Database, JobView


@dataclass(frozen=True, slots=True)
class Recovered:
    job_id: str
    message: str  # also the error of each device it interrupted


def recover_jobs(db: Database, *, stale_s: float = STALE_S, job_ids: Collection[str] | None = None,
                 now: datetime | None = None) -> list[Recovered]:
    """Mark every abandoned job (of ``job_ids``, or all) interrupted; returns what was marked."""
    from netatlas.store.jobs import unfinished_jobs  # SQLAlchemy: imported by who recovers, not by who decides

    with db.connection(readonly=True) as connection:  # Core: the ORM is imported only when a job is to be marked
        candidates = [j.id for j in unfinished_jobs(connection) if job_ids is None or j.id in job_ids]
    if not candidates:
        return []
    from netatlas.store import JobRepo

    here = this_process().host
    found = []
    for job_id in candidates:
        with db.session() as session:
            repo = JobRepo(session)
            reason = abandoned(life(repo.get(job_id)), here=here, now=now or datetime.now(UTC), stale_s=stale_s)
            message = f"job interrupted: {reason}"
            if reason is not None and repo.finish(job_id, JobStatus.INTERRUPTED, message):
                found.append(Recovered(job_id, message))
    return found


def any_abandoned(unfinished: Iterable[JobView], *, stale_s: float = STALE_S, now: datetime | None = None) -> bool:
    """Whether :func:`recover_jobs` would mark any of these jobs (the unfinished ones, read by
    ``netatlas jobs list`` without SQLAlchemy): the same decision, taken before any write."""
    here, now = this_process().host, now or datetime.now(UTC)
    return any(abandoned(life(job), here=here, now=now, stale_s=stale_s) is not None for job in unfinished)


def life(job: JobView) -> JobLife:
    owner = Owner(job.owner_host, job.owner_pid) if job.owner_pid is not None else None
    return JobLife(job.status, owner, job.heartbeat_at, job.started_at, job.created_at)
