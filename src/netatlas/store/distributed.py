"""The job-row statements of a job run in chunks by many processes (``netatlas.jobs.distributed``).

A distributed job is owned by a pseudo-owner (the workers) from submission on; a chunk that starts
moves a pending job to running once and refreshes the owner and heartbeat of an unfinished one; the
job's unfinished rows are read in one query to decide whether it is done. Each statement is a
conditional UPDATE (or one SELECT), the same on SQLite and PostgreSQL, so two chunks running at once
never bring back a job that already ended. The policy (who owns it, when it ends) is the caller's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from netatlas.domain.errors import NotFound
from netatlas.domain.records import DeviceStatus, JobStatus
from netatlas.store.tables import JobDeviceRow, JobRow, utcnow

_FINAL_JOB = [s.value for s in JobStatus if s.final]
_UNFINISHED = [s.value for s in DeviceStatus if not s.final]


class DistributedJobRepo:
    def __init__(self, session: Session) -> None:
        self._session = session

    def state(self, job_id: str) -> tuple[JobStatus, dict[str, Any]]:
        """The job's status and options (one SELECT of two columns); ``NotFound`` when there is no such job."""
        found = self._session.execute(select(JobRow.status, JobRow.options).where(JobRow.id == job_id)).one_or_none()
        if found is None:
            raise NotFound(f"no job {job_id}")
        return JobStatus(found.status), dict(found.options)

    def hand_over(self, job_id: str, host: str, pid: int) -> bool:
        """A pending job is owned by ``host``/``pid`` from now on; False when it is not pending."""
        moved = self._session.execute(
            update(JobRow).where(JobRow.id == job_id, JobRow.status == JobStatus.PENDING.value)
            .values(owner_host=host, owner_pid=pid))
        return bool(getattr(moved, "rowcount", 0))

    def begin(self, job_id: str, host: str, pid: int) -> bool:
        """A chunk starts: a pending job becomes running, an unfinished one gets the owner, a fresh
        heartbeat and ``started_at`` (stamped once). False when the job has already ended (or is unknown)."""
        now = utcnow()
        self._session.execute(update(JobRow).where(JobRow.id == job_id, JobRow.status == JobStatus.PENDING.value)
                              .values(status=JobStatus.RUNNING.value))
        moved = self._session.execute(
            update(JobRow).where(JobRow.id == job_id, JobRow.status.not_in(_FINAL_JOB))
            .values(owner_host=host, owner_pid=pid, heartbeat_at=now, started_at=func.coalesce(JobRow.started_at, now)))
        return bool(getattr(moved, "rowcount", 0))

    def unfinished(self, job_id: str) -> list[tuple[str, DeviceStatus]]:
        """The job's pending and running rows (name, status), in the order they were added."""
        found = self._session.execute(select(JobDeviceRow.device_name, JobDeviceRow.status)
                                      .where(JobDeviceRow.job_id == job_id, JobDeviceRow.status.in_(_UNFINISHED))
                                      .order_by(JobDeviceRow.id)).all()
        return [(str(name), DeviceStatus(status)) for name, status in found]
