"""``netatlas jobs list|show|cancel|recover``.

``list`` and ``show`` first mark the jobs they read ``interrupted`` when their owner process is
gone (``recover`` does it for every job): a job never shows ``running`` for ever. Text that came
from a device (errors, names) is shown as text, never as terminal markup.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Annotated

import typer

from netatlas.cli.common import (
    DbOption,
    JsonOption,
    conflict_line,
    coverage_lines,
    database,
    err,
    fail,
    print_json,
    print_table,
    say,
    settings,
)
from netatlas.cli.jobs_list import (
    DEFAULT_LIMIT,
    DEFAULT_OFFSET,
    LIMIT,
    OFFSET,
    STATUS,
    page_problem,
    show_jobs,
    status_problem,
)
from netatlas.domain.errors import NetatlasError, NotFound
from netatlas.domain.jsonable import to_jsonable
from netatlas.domain.records import JobStatus
from netatlas.jobs.liveness import STALE_S

if TYPE_CHECKING:
    from netatlas.jobs.queries import JobReport
    from netatlas.jobs.recovery import Recovered
    from netatlas.store import Database

app = typer.Typer(help="Discovery jobs and their per-device progress.", no_args_is_help=True)

StaleOption = Annotated[float, typer.Option("--stale-after", help="Seconds without a heartbeat after which a job "
                                                                  "owned by another host is interrupted.")]


def _recover(db: Database, job_ids: Collection[str] | None = None, stale_s: float = STALE_S, *,
             required: bool = False) -> list[Recovered]:
    """Mark abandoned jobs interrupted; for ``list``/``show`` a failure (read-only database) is a warning."""
    from netatlas.jobs.recovery import recover_jobs

    try:
        return recover_jobs(db, stale_s=stale_s, job_ids=job_ids)
    except NetatlasError as exc:
        if required:
            fail(f"cannot recover abandoned jobs: {exc}")
        say("warning: abandoned jobs not recovered: ", str(exc), console=err)
        return []


@app.command("list")
def list_jobs(limit: Annotated[int, typer.Option(help=LIMIT.help)] = DEFAULT_LIMIT,
              offset: Annotated[int, typer.Option(help=OFFSET.help)] = DEFAULT_OFFSET,
              status: Annotated[str | None, typer.Option(help=STATUS.help)] = None,
              db: DbOption = None, json_output: JsonOption = False) -> None:
    """The newest jobs with their status and counts."""
    from netatlas.jobs.queries import JobQueries

    if status is not None and (problem := status_problem(status)):
        fail(problem)
    if problem := page_problem(limit, offset):
        fail(problem)
    with database(settings(db)) as database_:
        _recover(database_)
        page = JobQueries(database_).list(status=JobStatus(status) if status else None, offset=offset, limit=limit)
    show_jobs(page, json_output=json_output)


@app.command("show")
def show_job(job: Annotated[str, typer.Argument(help="Job id.")], db: DbOption = None,
             json_output: JsonOption = False) -> None:
    """One job: every device's status, step, attempt, error kind and message, timing."""
    from netatlas.jobs.queries import JobQueries

    with database(settings(db)) as database_:
        _recover(database_, [job])
        try:
            report = JobQueries(database_).detail(job)
        except NotFound as exc:
            fail(f"JOB: {exc}")
    _show(report, json_output)


def _show(report: JobReport, json_output: bool) -> None:
    detail, unmanaged, conflicts = report.detail, report.unmanaged, report.conflicts
    coverage = to_jsonable(report.coverage)
    if json_output:
        print_json({"job": detail.job, "devices": detail.devices, "unmanaged": unmanaged, "coverage": coverage,
                    "conflicts": conflicts})
        return
    say(f"job {detail.job.id} {detail.job.status} {detail.job.counts}",
        f": {detail.job.message}" if detail.job.message else "")
    print_table(("device", "platform", "status", "attempt", "error kind", "error", "seconds", "warning"),
                ((d.device_name, d.platform, d.status, d.attempt, d.error_kind, d.error,
                  f"{d.duration_s:.2f}" if d.duration_s is not None else "", d.warning) for d in detail.devices))
    if coverage:
        say(f"{sum(len(types) for types in coverage.values())} data type(s) partial or feature off:")
        for shown in coverage_lines(coverage):
            say("  ", shown)
    if unmanaged:
        say(f"{len(unmanaged)} neighbor(s) not visited: ",
            ", ".join(f"{u.name} ({u.reason}, seen from {u.seen_from})" for u in unmanaged))
    for conflict in conflicts:
        say(conflict_line(conflict))


@app.command("cancel")
def cancel_job(job: Annotated[str, typer.Argument(help="Job id.")], db: DbOption = None) -> None:
    """Ask a running job to stop: devices finish their current command, the rest are cancelled."""
    from netatlas.jobs.discovery import request_cancel

    with database(settings(db)) as database_:
        try:
            moved = request_cancel(database_, job)
        except NotFound as exc:
            fail(f"JOB: {exc}")
    say("job ", job, f": {'cancelling' if moved else 'already finished'}")


@app.command("recover")
def recover(stale_after: StaleOption = STALE_S, db: DbOption = None, json_output: JsonOption = False) -> None:
    """Mark jobs whose process is gone (killed, crashed, host lost) interrupted, with every device row final."""
    if stale_after <= 0:
        fail(f"--stale-after: {stale_after} must be positive")
    with database(settings(db)) as database_:
        found = _recover(database_, stale_s=stale_after, required=True)
    if json_output:
        print_json([{"job_id": r.job_id, "status": "interrupted", "message": r.message} for r in found])
        return
    for r in found:
        say(f"job {r.job_id}: interrupted (", r.message, ")")
    say(f"{len(found)} abandoned job(s) recovered")
