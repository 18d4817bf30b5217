"""API routes: jobs (see docs/api.md). ``GET /api/jobs`` lists them newest first (paginated, by
status); ``GET /api/jobs/{job_id}`` is one job's report: every device row, the neighbors its crawl
did not visit, the inventory conflicts it met and the data types it read incompletely.

Handlers are sync ``def``: FastAPI runs them in its threadpool, so a database read never blocks the loop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from netatlas.api.context import Ctx
from netatlas.api.schemas.jobs import MAX_LIMIT, MAX_OFFSET, PLAIN, JobDetailOut, JobOut, Paged, errors
from netatlas.api.security import Viewer
from netatlas.domain.records import JobStatus
from netatlas.jobs.queries import DEFAULT_LIMIT, JobQueries

router = APIRouter(tags=["jobs"])
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]
JobId = Annotated[str, Path(max_length=64, pattern=PLAIN, description="The job's id.")]


@router.get("/api/jobs", response_model=Paged[JobOut], summary="List jobs (newest first)",
            responses=errors(422))
def list_jobs(ctx: Ctx, _: Viewer, offset: Offset = 0, limit: Limit = DEFAULT_LIMIT,
              status: Annotated[JobStatus | None, Query(description="Only jobs in this status.")] = None,
              ) -> Paged[JobOut]:
    page = JobQueries(ctx.db).list(status=status, offset=offset, limit=limit)
    return Paged[JobOut].of(page, JobOut.of)


@router.get("/api/jobs/{job_id}", response_model=JobDetailOut, summary="One job, with its devices",
            responses=errors(404, 422, e404="No such job."))
def get_job(ctx: Ctx, _: Viewer, job_id: JobId) -> JobDetailOut:
    return JobDetailOut.of_report(JobQueries(ctx.db).detail(job_id))
