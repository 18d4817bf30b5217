"""``netatlas discover``: run a discovery job with live progress, here or on Celery workers.

The job runs as any executor runs it (``LocalExecutor.submit(job_id)``: the request is read back
from the job row); what is reported is read from the database (``JobQueries``), not from the run.
With ``NETATLAS_BROKER_URL`` set the job is queued for ``netatlas worker`` processes instead
(``CeleryExecutor``) and followed from its rows, with the same progress display and exit codes.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections import defaultdict
from ipaddress import IPv4Network
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from netatlas.cli.common import (
    EXIT_OK,
    EXIT_PARTIAL,
    DbOption,
    JsonOption,
    conflict_line,
    coverage_summary,
    database,
    err,
    fail,
    print_json,
    print_table,
    say,
    secret_box,
    settings,
    text,
)
from netatlas.domain.datatypes import ONLY_WORDS
from netatlas.domain.errors import NetatlasError, StoreError
from netatlas.domain.inventory import InventoryDevice
from netatlas.domain.jsonable import to_jsonable
from netatlas.domain.records import DataType, JobStatus
from netatlas.inventory import Inventory, load_credentials, load_inventory
from netatlas.jobs.crawl import CrawlOptions
from netatlas.jobs.discovery import DiscoveryRequest, DiscoveryService
from netatlas.jobs.executor import LocalExecutor
from netatlas.jobs.queries import DeviceQueries, JobQueries, JobReport

if TYPE_CHECKING:
    from netatlas.jobs.celery_executor import CeleryExecutor

POLL_S = 0.25
EXIT_STORAGE = 1  # the database failed mid-run: the job stopped (see the message)
# A signal stops the job cleanly (every row final) and the process exits 128 + the signal number.
SIGNALS: dict[signal.Signals, tuple[JobStatus, str, int]] = {
    signal.SIGINT: (JobStatus.CANCELLED, "cancelled by Ctrl-C (SIGINT)", 130),
    signal.SIGTERM: (JobStatus.INTERRUPTED, "stopped by SIGTERM", 143),
}


def parse_only(only: str | None) -> frozenset[DataType]:
    """``--only cdp,lldp,routes`` -> data types (everything when not given).

    Examples:
        >>> sorted(parse_only("cdp,mac"))
        [<DataType.CDP: 'cdp'>, <DataType.MAC: 'mac'>]
        >>> len(parse_only(None)) == len(DataType) - 1
        True
    """
    if not only:
        return frozenset(t for types in ONLY_WORDS.values() for t in types)
    wanted: set[DataType] = set()
    for word in (w.strip() for w in only.split(",")):
        if word not in ONLY_WORDS:
            fail(f"--only: unknown data type {word!r} (choose from {', '.join(ONLY_WORDS)})")
        wanted.update(ONLY_WORDS[word])
    return frozenset(wanted)


def discover(
    inventory: Annotated[Path | None, typer.Option(help="Inventory file (YAML or CSV) to import and discover.")] = None,
    credentials_file: Annotated[Path | None, typer.Option(help="Credential sets (YAML) for a CSV inventory.")] = None,
    seed: Annotated[list[str] | None, typer.Option(help="Seed device: a stored name or an address.")] = None,
    crawl: Annotated[bool, typer.Option(help="Follow CDP/LLDP neighbors from the seeds.")] = False,
    depth: Annotated[int, typer.Option(help="How many hops to crawl from the seeds.")] = 3,
    allow: Annotated[list[str] | None, typer.Option(help="Address range the crawl may enter (repeatable).")] = None,
    credentials: Annotated[str | None, typer.Option(help="Credential set for seeds (and crawled devices unless "
                                                        "--crawl-credentials is given).")] = None,
    crawl_credentials: Annotated[str | None, typer.Option(help="Credential set for crawled devices only.")] = None,
    port: Annotated[int, typer.Option(help="SSH port of seeds and crawled devices.")] = 22,
    only: Annotated[str | None, typer.Option(help=f"Data types: {','.join(ONLY_WORDS)} (default: all).")] = None,
    concurrency: Annotated[int | None, typer.Option(help="Devices collected at once.")] = None,
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """Collect from every device in parallel and store one snapshot per device."""
    wanted = parse_only(only)
    config = settings(db, concurrency=concurrency)
    crawl_options = _crawl_options(seed, crawl, depth, allow, credentials, port, crawl_credentials)
    if not config.broker_url:  # this process runs the job: its parse workers start while it gets ready
        from netatlas.collect.parsers import warm_pool

        warm_pool()
    with database(config) as database_:
        service, jobs = DiscoveryService(database_, secret_box(config, database_), config), JobQueries(database_)
        devices = _devices(service, DeviceQueries(database_), inventory, credentials_file, seed, crawl_options)
        request = DiscoveryRequest(wanted, config.concurrency, crawl_options if crawl else None)
        job_id = _start(service, devices, request)
        if not json_output:
            say(f"job {job_id}: {len(devices)} device(s), {', '.join(sorted(wanted))}")
        try:
            if config.broker_url:
                stopped_by = _run_on_workers(service, jobs, job_id, show_progress=not json_output)
            else:
                stopped_by = asyncio.run(_run(service, jobs, job_id, show_progress=not json_output))
            report = jobs.detail(job_id)
        except StoreError as exc:
            _storage_failed(jobs, job_id, exc, json_output)
        except NetatlasError as exc:
            fail(f"job {job_id}: {exc}")
    _report(report, json_output)
    if stopped_by is not None:
        raise typer.Exit(stopped_by)
    failed = report.detail.job.counts.failed + report.detail.job.counts.cancelled
    raise typer.Exit(EXIT_PARTIAL if failed else EXIT_OK)


def _start(service: DiscoveryService, devices: list[InventoryDevice], request: DiscoveryRequest) -> str:
    try:
        return service.start(devices, request)
    except NetatlasError as exc:
        fail(f"cannot start the job: {exc}")


def _storage_failed(jobs: JobQueries, job_id: str, exc: StoreError, json_output: bool) -> NoReturn:
    """The database failed mid-run: say so (a JSON error document with ``--json``) and exit 1.

    ``status`` is this run's outcome (``failed``); ``stored_status`` what the database says, if it
    can still be read (``running`` until ``jobs recover`` marks the job once this process is gone).
    """
    if json_output:
        print_json({"job_id": job_id, "status": "failed", "stored_status": _stored_status(jobs, job_id),
                    "error": str(exc)})
        raise typer.Exit(EXIT_STORAGE)
    fail(str(exc), EXIT_STORAGE)


def _stored_status(jobs: JobQueries, job_id: str) -> str | None:
    try:
        return str(jobs.get(job_id).status)
    except NetatlasError:
        return None


def _crawl_options(seed: list[str] | None, crawl: bool, depth: int, allow: list[str] | None,
                   credentials: str | None, port: int, crawl_credentials: str | None = None) -> CrawlOptions:
    if crawl_credentials and not crawl:
        fail("--crawl-credentials: only with --crawl")
    if crawl and not seed:
        fail("--crawl needs at least one --seed")
    if (seed or crawl) and not credentials:
        fail("--credentials: name the credential set to use for seeds and crawled devices")
    if crawl and not allow:
        fail("--allow: give the address ranges the crawl may enter (e.g. --allow 10.0.0.0/8)")
    if not 0 <= depth <= 32:
        fail(f"--depth: {depth} is out of range (0 to 32)")
    if not 1 <= port <= 65535:
        fail(f"--port: {port} is out of range (1 to 65535)")
    try:
        networks = tuple(IPv4Network(a, strict=False) for a in allow or ())
    except ValueError as exc:
        fail(f"--allow: {exc}")
    return CrawlOptions(depth=depth, allow=networks, credentials=credentials or "", port=port,
                        crawl_credentials=crawl_credentials or "")


def _devices(service: DiscoveryService, stored: DeviceQueries, inventory: Path | None, credentials_file: Path | None,
             seeds: list[str] | None, crawl: CrawlOptions) -> list[InventoryDevice]:
    try:
        if inventory is None and credentials_file is not None:
            service.import_inventory(Inventory([], load_credentials(credentials_file,
                                                                    max_bytes=service.settings.inventory_max_bytes)))
        if inventory is not None:
            loaded = load_inventory(inventory, credentials_file, known_credentials=stored.credential_names(),
                                    max_bytes=service.settings.inventory_max_bytes)
            service.import_inventory(loaded)
            return loaded.devices
        if seeds:
            return _seed_devices(service, seeds, crawl)
        devices = service.devices()
    except NetatlasError as exc:
        fail(str(exc))
    if not devices:
        fail("nothing to discover: give --inventory FILE, or --seed, or import devices first")
    return devices


def _seed_devices(service: DiscoveryService, seeds: list[str], crawl: CrawlOptions) -> list[InventoryDevice]:
    problems: list[str] = []
    found = asyncio.run(service.resolve_seeds(seeds, crawl, lambda s, e: problems.append(f"{s}: {e}")))
    for problem in problems:
        say(text("seed skipped:", "yellow"), " ", problem, console=err)
    if not found:
        fail("no usable seed")
    return found


async def _run(service: DiscoveryService, jobs: JobQueries, job_id: str, *, show_progress: bool) -> int | None:
    """Run the job on the local executor; SIGINT/SIGTERM stop it cleanly (a second one at once).
    Returns the exit code of the signal that stopped it, if one did."""
    loop = asyncio.get_running_loop()
    executor, stopped_by = LocalExecutor(service, loop), list[int]()
    executor.submit(job_id)
    for signum, (status, message, code) in SIGNALS.items():
        loop.add_signal_handler(signum, _on_signal, executor, job_id, stopped_by, status, message, code)
    try:
        await _watch(jobs, job_id, asyncio.create_task(executor.wait(job_id)), show_progress)
    finally:
        for signum in SIGNALS:
            loop.remove_signal_handler(signum)
    return stopped_by[0] if stopped_by else None


def _run_on_workers(service: DiscoveryService, jobs: JobQueries, job_id: str, *, show_progress: bool) -> int | None:
    """``NETATLAS_BROKER_URL`` is set: the job is queued for ``netatlas worker`` processes and followed
    here from its rows, with the same progress and exit codes. SIGINT/SIGTERM cancel it (the workers
    stop at their next command). The broker down: exit 1 with the reason (the job is ended failed)."""
    from netatlas.domain.errors import Unavailable
    from netatlas.jobs.celery_executor import CeleryExecutor

    executor = CeleryExecutor(service.settings, service.db)
    try:
        executor.submit(job_id)
    except Unavailable as exc:
        fail(f"job {job_id}: {exc}; {exc.hint}")
    try:
        return asyncio.run(_follow_workers(executor, jobs, job_id, show_progress))
    finally:
        executor.shutdown()


async def _follow_workers(executor: CeleryExecutor, jobs: JobQueries, job_id: str, show_progress: bool) -> int | None:
    loop, stopped_by = asyncio.get_running_loop(), list[int]()

    def on_signal(message: str, code: int) -> None:
        if not stopped_by:
            stopped_by.append(code)
            err.print(f"{message}: cancelling the job on the workers", markup=False, highlight=False)
        loop.run_in_executor(None, executor.cancel, job_id)

    for signum, (_, message, code) in SIGNALS.items():
        loop.add_signal_handler(signum, on_signal, message, code)
    try:
        await _watch(jobs, job_id, asyncio.create_task(_until_final(executor, jobs, job_id)), show_progress)
    finally:
        for signum in SIGNALS:
            loop.remove_signal_handler(signum)
    return stopped_by[0] if stopped_by else None


async def _until_final(executor: CeleryExecutor, jobs: JobQueries, job_id: str) -> None:
    """Wait for the job to end (its rows), saying once when no worker has taken it for a while."""
    started, warned = time.monotonic(), False
    while not (await asyncio.to_thread(jobs.get, job_id)).status.final:
        waited = time.monotonic() - started
        if not warned and waited > executor.settings.worker_wait:
            warned = True
            job = await asyncio.to_thread(jobs.get, job_id)
            health = await asyncio.to_thread(executor.health)
            if job.status is JobStatus.PENDING and not health.get("workers"):
                say(text("waiting for a worker:", "yellow"), f" no worker has taken the job in {waited:.0f} s; "
                    "start one with `netatlas worker` (same NETATLAS_BROKER_URL and database)", console=err)
        await asyncio.sleep(POLL_S)


def _on_signal(executor: LocalExecutor, job_id: str, stopped_by: list[int], status: JobStatus, message: str,
               code: int) -> None:
    if not stopped_by:
        stopped_by.append(code)
        err.print(f"{message}: stopping the job (again to stop at once)", markup=False, highlight=False)
    executor.stop(job_id, status, message)


async def _watch(jobs: JobQueries, job_id: str, job: asyncio.Task[Any], show_progress: bool) -> None:
    if not show_progress:
        await job
        return
    with Progress(TextColumn("[bold]discovering"), BarColumn(), TextColumn("{task.completed}/{task.total} done"),
                  TextColumn("[red]{task.fields[failed]} failed"), TextColumn("{task.fields[remaining]} left"),
                  TextColumn("{task.fields[rate]:.1f}/s"), TimeElapsedColumn(), TimeRemainingColumn(),
                  console=err, transient=False) as progress:
        task = progress.add_task("discover", total=None, failed=0, remaining="?", rate=0.0)
        started = time.monotonic()
        while not job.done():
            await asyncio.wait({job}, timeout=POLL_S)
            await asyncio.to_thread(_tick, jobs, job_id, progress, task, started)
    await job


def _tick(jobs: JobQueries, job_id: str, progress: Progress, task: TaskID, started: float) -> None:
    try:
        counts = jobs.get(job_id).counts
    except NetatlasError:
        return  # the job itself reports a storage failure
    rate = counts.done / max(time.monotonic() - started, 1e-6)
    progress.update(task, total=counts.total, completed=counts.done, failed=counts.failed,
                    remaining=counts.remaining, rate=rate)


def _report(report: JobReport, json_output: bool) -> None:
    if json_output:
        print_json(summary(report))
        return
    detail = report.detail
    counts = detail.job.counts
    say(f"job {detail.job.id} {detail.job.status}: {counts.completed} completed, {counts.failed} failed, "
        f"{counts.cancelled} cancelled of {counts.total}")
    by_kind: dict[str, list[str]] = defaultdict(list)
    for device in detail.devices:
        if device.error_kind is not None and device.status != "completed":
            by_kind[str(device.error_kind)].append(device.device_name)
    if by_kind:
        print_table(("kind", "devices", "names"),
                    ((kind, len(names), sorted(names)) for kind, names in sorted(by_kind.items())),
                    title="failures by kind")
    if report.unmanaged:
        say(f"{len(report.unmanaged)} neighbor(s) not visited (unmanaged): ",
            ", ".join(f"{u.name} ({u.reason})" for u in report.unmanaged[:20]))
    for shown in coverage_summary(to_jsonable(report.coverage)):
        say(shown)
    for conflict in report.conflicts:
        say(conflict_line(conflict))


def summary(report: JobReport) -> dict[str, Any]:
    """The ``--json`` document; field names are documented in docs/cli.md."""
    detail = report.detail
    job = detail.job
    return {
        "job_id": job.id, "status": job.status, "counts": job.counts,
        "started_at": job.started_at, "finished_at": job.finished_at,
        "devices": [{"name": d.device_name, "host": d.host, "platform": d.platform, "status": d.status,
                     "error_kind": d.error_kind, "error": d.error or None, "attempt": d.attempt,
                     "duration_s": d.duration_s} for d in detail.devices],
        "unmanaged": report.unmanaged,
        "conflicts": report.conflicts,
        "coverage": report.coverage,
    }
