"""``netatlas jobs list|show|cancel``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from netatlas.cli.common import DbOption, JsonOption, database, fail, out, print_json, settings
from netatlas.domain.errors import NotFound
from netatlas.store import JobRepo

app = typer.Typer(help="Discovery jobs and their per-device progress.", no_args_is_help=True)


@app.command("list")
def list_jobs(limit: Annotated[int, typer.Option(help="Newest jobs to show.")] = 20, db: DbOption = None,
              json_output: JsonOption = False) -> None:
    """The newest jobs with their status and counts."""
    with database(settings(db)) as database_, database_.session(readonly=True) as session:
        jobs = JobRepo(session).list(limit=limit)
    if json_output:
        print_json([{"job_id": j.id, "status": j.status, "counts": j.counts, "options": j.options,
                     "created_at": j.created_at, "finished_at": j.finished_at} for j in jobs])
        return
    table = Table(title="jobs")
    for column in ("job", "status", "total", "completed", "failed", "cancelled", "created"):
        table.add_column(column)
    for j in jobs:
        c = j.counts
        table.add_row(j.id, str(j.status), str(c.total), str(c.completed), str(c.failed), str(c.cancelled),
                      j.created_at.strftime("%Y-%m-%d %H:%M:%S"))
    out.print(table)


@app.command("show")
def show_job(job: Annotated[str, typer.Argument(help="Job id.")], db: DbOption = None,
             json_output: JsonOption = False) -> None:
    """One job: every device's status, step, attempt, error kind and message, timing."""
    with database(settings(db)) as database_, database_.session(readonly=True) as session:
        try:
            detail = JobRepo(session).show(job)
            unmanaged = JobRepo(session).unmanaged(job)
        except NotFound as exc:
            fail(f"JOB: {exc}")
    if json_output:
        print_json({"job": detail.job, "devices": detail.devices, "unmanaged": unmanaged})
        return
    out.print(f"job {detail.job.id} {detail.job.status} {detail.job.counts}")
    table = Table()
    for column in ("device", "platform", "status", "attempt", "error kind", "error", "seconds"):
        table.add_column(column)
    for d in detail.devices:
        seconds = f"{d.duration_s:.2f}" if d.duration_s is not None else ""
        table.add_row(d.device_name, d.platform, str(d.status), str(d.attempt), str(d.error_kind or ""),
                      d.error or "", seconds)
    out.print(table)
    if unmanaged:
        out.print(f"{len(unmanaged)} neighbor(s) not visited: "
                  + ", ".join(f"{u.name} ({u.reason}, seen from {u.seen_from})" for u in unmanaged))


@app.command("cancel")
def cancel_job(job: Annotated[str, typer.Argument(help="Job id.")], db: DbOption = None) -> None:
    """Ask a running job to stop: devices finish their current command, the rest are cancelled."""
    with database(settings(db)) as database_, database_.session() as session:
        try:
            moved = JobRepo(session).request_cancel(job)
        except NotFound as exc:
            fail(f"JOB: {exc}")
    out.print(f"job {job}: {'cancelling' if moved else 'already finished'}")
