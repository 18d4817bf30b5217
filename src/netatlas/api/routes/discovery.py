"""API routes: discovery (see docs/api.md, "Discovery").

Paths and field names are those existing scripts call::

    POST   /api/topology/discover-async            operator  start a job, answer at once (202)
    POST   /api/topology/discover-sync             operator  start a small job and wait for its end
    GET    /api/topology/discover/progress/{id}    viewer    the job's progress, devices paginated
    GET    /api/topology/discover/{id}/events      viewer    live progress (Server-Sent Events)
    DELETE /api/topology/discover/{id}             operator  cancel (202; 404 unknown, 409 ended)
    POST   /api/topology/discover                  operator  deprecated: discover-async

A job is created in the database, then handed to the executor by id (``ctx.executor.submit``);
everything a caller reads afterwards comes from the job's rows (``netatlas.jobs.progress``); polls of
one page asked at once share one read, each answer read after its request arrived
(``netatlas.api.batching``). The live stream follows the engine's own events (``ctx.bus``), never a
per-client poll of the database.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from contextlib import AsyncExitStack, aclosing, asynccontextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Response
from fastapi.responses import JSONResponse, StreamingResponse

from netatlas.api.batching import Batched
from netatlas.api.context import ApiContext, Ctx
from netatlas.api.schemas.discovery import (
    CancelAccepted,
    DiscoveryBody,
    DiscoveryStarted,
    DiscoverySyncResult,
    ProgressOut,
    SyncDeviceOut,
    SyncTimeoutOut,
    error_responses,
    progress_document,
    progress_json,
)
from netatlas.api.security import Operator, Viewer
from netatlas.domain.accounts import Principal
from netatlas.domain.errors import Conflict, NetatlasError, Unavailable
from netatlas.domain.inventory import InventoryDevice
from netatlas.domain.records import JobStatus
from netatlas.jobs.discovery import DiscoveryRequest
from netatlas.jobs.events import ProgressEvent
from netatlas.jobs.executor import LocalExecutor
from netatlas.jobs.liveness import Owner, this_process
from netatlas.jobs.progress import collected_counts, page_progress, read_job, read_page, waiting_for_worker
from netatlas.jobs.queries import JobQueries
from netatlas.jobs.recovery import recover_jobs
from netatlas.jobs.selection import candidates, resolve, select_devices
from netatlas.store import DeviceRepo, JobDetail, JobRepo, JobView

router = APIRouter(tags=["discovery"])
log = logging.getLogger(__name__)

BASE = "/api/topology"
UNAVAILABLE = "Background job service is not available"
UNAVAILABLE_HINT = ("check that the broker named by NETATLAS_BROKER_URL is running and reachable "
                    "(GET /api/health shows it), then start the discovery again")
MAX_PAGE, MAX_OFFSET, DEFAULT_PAGE = 1000, 1_000_000, 50  # a progress page: 50 devices unless asked
SNAPSHOT_DEVICES = 500  # devices in a stream's first and last message
HEARTBEAT_S = 15.0  # a comment line on a quiet stream (proxies keep it open; a gone client is noticed)
MIN_INTERVAL_S = 0.1  # at most ~10 messages a second per client: events arriving meanwhile are batched
RECOVER_EVERY_S = 30.0  # abandoned jobs are looked for this often (see recover_periodically)
SYNC_CHECK_S = 2.0  # discover-sync reads the job's row when no event came for this long (a lost event)
_FINAL = frozenset(s.value for s in JobStatus if s.final)

JobId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$",
                            description="The job's id, as discover-async returned it.")]


def progress_url(job_id: str) -> str:
    return f"{BASE}/discover/progress/{job_id}"


def events_url(job_id: str) -> str:
    return f"{BASE}/discover/{job_id}/events"


@router.post(f"{BASE}/discover-async", status_code=202,
             summary="Start a discovery (answers at once)", response_model=DiscoveryStarted,
             responses=error_responses(401, 403, 404, 422, 503))
async def discover_async(body: DiscoveryBody, principal: Operator, ctx: Ctx) -> DiscoveryStarted:
    """Start a discovery and answer at once with the job's id and where to follow it."""
    job_id, total = await asyncio.to_thread(_start, ctx, body, principal)
    return _started(job_id, total)


@router.post(f"{BASE}/discover", status_code=202,
             summary="Start a discovery (deprecated: discover-async)", response_model=DiscoveryStarted,
             deprecated=True,
             responses=error_responses(401, 403, 404, 422, 503))
async def discover(body: DiscoveryBody, principal: Operator, ctx: Ctx, response: Response) -> DiscoveryStarted:
    """Deprecated: use `POST /api/topology/discover-async` (same body, same answer)."""
    response.headers["Deprecation"] = "true"
    response.headers["Link"] = f'<{BASE}/discover-async>; rel="successor-version"'
    return await discover_async(body, principal, ctx)


@router.post(f"{BASE}/discover-sync",
             summary="Discover a few devices and wait for the result", response_model=DiscoverySyncResult,
             responses={**error_responses(401, 403, 404, 413, 422, 503),
                        408: {"model": SyncTimeoutOut, "description": "Not done within NETATLAS_SYNC_TIMEOUT: "
                                                                      "the job goes on; follow its progress."}})
async def discover_sync(body: DiscoveryBody, principal: Operator, ctx: Ctx) -> DiscoverySyncResult | JSONResponse:
    """Discover a few devices and answer once they are done: per device, its status and what was stored.

    At most NETATLAS_SYNC_MAX_DEVICES devices (413 beyond: use discover-async); past
    NETATLAS_SYNC_TIMEOUT seconds the answer is 408 with the job's id (the job goes on).
    """
    devices = await asyncio.to_thread(resolve, ctx.db, body.selection())
    limit = ctx.settings.sync_max_devices
    if len(devices) > limit:
        return _error(413, f"{len(devices)} devices selected: discover-sync takes at most {limit} "
                           f"(NETATLAS_SYNC_MAX_DEVICES); use POST {BASE}/discover-async and follow its progress")
    job_id = await asyncio.to_thread(_create, ctx, devices, _request(ctx, body, principal))
    async with _subscription(ctx, job_id) as events:  # before the job starts: no event is missed
        await _submit(ctx, job_id)
        ended = await _wait_final(ctx, job_id, events, ctx.settings.sync_timeout)
    if not ended:
        message = (f"job {job_id} did not finish within {ctx.settings.sync_timeout:g} s (NETATLAS_SYNC_TIMEOUT); "
                   f"it goes on: follow {progress_url(job_id)}, or use discover-async for jobs this long")
        return _error(408, message, job_id=job_id, progress_url=progress_url(job_id), events_url=events_url(job_id))
    detail, counts = await asyncio.to_thread(_sync_result, ctx, job_id)
    return _sync_out(detail, counts)


@router.get(f"{BASE}/discover/progress/{{job_id}}",
            summary="A job's progress, devices paginated", response_model=ProgressOut,
            responses={**error_responses(401, 403, 404, 422),
                       304: {"description": "`If-None-Match` named the document's current `ETag`: unchanged."}})
async def progress(job_id: JobId, _: Viewer, ctx: Ctx,
                   offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
                   limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
                   if_none_match: Annotated[str | None, Header(max_length=1024, description=(
                       "An `ETag` this endpoint sent: 304 with no body while the document is unchanged."))] = None,
                   ) -> Response:
    """The job's progress from its rows: counts, percentage, and one page of its devices (only that
    page is read). Every answer carries an `ETag`; a poller sending it back as `If-None-Match` gets
    304 with no body until something in the document changed."""
    body, tag = await _shared(ctx).run(("progress", job_id, offset, limit),
                                        lambda: _progress_body(ctx, job_id, offset, limit))
    headers = {"ETag": tag, "Cache-Control": "no-cache"}
    if if_none_match is not None and matches(if_none_match, tag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


async def _progress_body(ctx: ApiContext, job_id: str, offset: int, limit: int) -> tuple[bytes, str]:
    """The progress document's body and its ``ETag``, read now."""
    page, more = await asyncio.to_thread(read_page, ctx.db, job_id, offset=offset, limit=limit)
    waiting = await _waiting(ctx, page.job)
    body = progress_json(page_progress(page, offset=offset, limit=limit, more=more, waiting=waiting))
    return body, etag(body)


def _shared(ctx: ApiContext) -> Batched:
    """The process's batched reads (``netatlas.api.batching``): concurrent polls of one page of one job
    share a read, each answer read after its request arrived."""
    found = ctx.extras.get("discovery_batches")
    if not isinstance(found, Batched):
        found = ctx.extras.setdefault("discovery_batches", Batched())
    assert isinstance(found, Batched)
    return found


def etag(body: bytes) -> str:
    """A strong entity tag of a response body (equal bodies, equal tags).

    Examples:
        >>> etag(b"{}") == etag(b"{}") != etag(b"[]")
        True
    """
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def matches(if_none_match: str, tag: str) -> bool:
    """Whether an ``If-None-Match`` value names ``tag`` (weak comparison, as RFC 9110 asks; ``*`` matches).

    Examples:
        >>> matches('W/"a", "b"', '"a"'), matches('*', '"a"'), matches('"b"', '"a"')
        (True, True, False)
    """
    wanted = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in wanted or tag.removeprefix("W/") in wanted


@router.get(f"{BASE}/discover/{{job_id}}/events",
            summary="Live progress (Server-Sent Events)", response_class=StreamingResponse,
            responses={200: {"description": (
                "`text/event-stream`: first `event: progress` (the progress document, first "
                f"{SNAPSHOT_DEVICES} devices), then `event: update` messages (`{{\"events\": [...]}}`, each "
                "a job or device transition, batched at most ~10 a second), `: keep-alive` comments on a "
                "quiet stream, and `event: end` (the final progress document) once the job ended."),
                "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                **error_responses(401, 403, 404, 422)})
async def events(job_id: JobId, _: Viewer, ctx: Ctx) -> StreamingResponse:
    """Live progress as Server-Sent Events, driven by the engine's events (see the 200 response)."""
    await asyncio.to_thread(JobQueries(ctx.db).get, job_id)  # 404 before the stream starts
    return StreamingResponse(_stream(ctx, job_id), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.delete(f"{BASE}/discover/{{job_id}}", status_code=202,
               summary="Cancel a job", response_model=CancelAccepted,
               responses=error_responses(401, 403, 404, 409, 422))
async def cancel(job_id: JobId, _: Operator, ctx: Ctx) -> CancelAccepted:
    """Cancel the job: it stops before its next command; what finished is kept."""
    queries = JobQueries(ctx.db)
    job = await asyncio.to_thread(queries.get, job_id)
    if job.status.final or not await asyncio.to_thread(ctx.executor.cancel, job_id):
        ended = await asyncio.to_thread(queries.get, job_id)
        raise Conflict(f"job {job_id} already ended ({ended.status.value}): nothing to cancel")
    job = await asyncio.to_thread(queries.get, job_id)
    return CancelAccepted(job_id=job_id, status=job.status)


# ---- starting a job ------------------------------------------------------------------------------


def _request(ctx: ApiContext, body: DiscoveryBody, principal: Principal) -> DiscoveryRequest:
    """What the job row records: the data types, the concurrency, who asked (a label, never the token)."""
    return DiscoveryRequest(body.data_types(), body.concurrency or ctx.settings.concurrency,
                            requested_by=principal.label)


def _resolve_and_create(ctx: ApiContext, body: DiscoveryBody, principal: Principal) -> tuple[str, list[str]]:
    """The selection resolved (only the devices it may pick are read) and its pending job created, in
    one transaction on a worker thread; returns the job's id and its devices' names.

    In-process the job is owned by this process (so it ends ``interrupted`` if the server dies before
    it ran, as ``DiscoveryService.start`` makes it); for Celery workers it is owned by the workers from
    the start (``CeleryExecutor.owner``: what ``submit`` would hand it over to), so that it stays
    queued across a restart of this API process until a worker claims it (a pending job of the workers,
    like an unowned one, is never deemed abandoned). Abandoned jobs are looked for in the background
    (:func:`recover_periodically`), never on a request's path."""
    request, selection, owner = _request(ctx, body, principal), body.selection(), _owner(ctx)
    with ctx.db.session() as session:
        devices = select_devices(candidates(DeviceRepo(session), selection), selection)
        job_id = JobRepo(session).create(devices, request.options(), requested_by=request.requested_by,
                                         owner_host=owner.host if owner else "",
                                         owner_pid=owner.pid if owner else None)
    return job_id, [d.name for d in devices]


def _owner(ctx: ApiContext) -> Owner | None:
    """Who owns a job this process creates: this process (in-process executor), the executor's pseudo-owner
    (Celery workers), or no one (an executor that says nothing)."""
    if isinstance(ctx.executor, LocalExecutor):
        return this_process()
    found = getattr(ctx.executor, "owner", None)
    return found if isinstance(found, Owner) else None


def _create(ctx: ApiContext, devices: Sequence[InventoryDevice], request: DiscoveryRequest) -> str:
    """A pending job of ``devices`` owned as :func:`_resolve_and_create` says (discover-sync)."""
    owner = _owner(ctx)
    with ctx.db.session() as session:
        return JobRepo(session).create(devices, request.options(), requested_by=request.requested_by,
                                       owner_host=owner.host if owner else "", owner_pid=owner.pid if owner else None)


async def recover_periodically(ctx: ApiContext, every_s: float = RECOVER_EVERY_S) -> None:
    """Mark jobs whose owner is gone ``interrupted`` (``netatlas.jobs.recovery``) now and every
    ``every_s`` seconds, in a worker thread, until cancelled (the app's lifespan runs it)."""
    while True:
        try:
            await asyncio.to_thread(recover_jobs, ctx.db)
        except NetatlasError as exc:  # the database is away: the next round tries again
            log.warning("looking for abandoned jobs failed: %s", exc)
        await asyncio.sleep(every_s)


def _start(ctx: ApiContext, body: DiscoveryBody, principal: Principal) -> tuple[str, int]:
    """discover-async's work, all in one worker thread: the job created, then handed to the executor
    (with what was just written when the executor takes it: ``submit_new``, nothing read back)."""
    request = _request(ctx, body, principal)
    job_id, names = _resolve_and_create(ctx, body, principal)
    submit_new = getattr(ctx.executor, "submit_new", None)
    if callable(submit_new):
        _hand(ctx, job_id, lambda: submit_new(job_id, names, request.concurrency))
    else:
        _hand(ctx, job_id)
    return job_id, len(names)


async def _submit(ctx: ApiContext, job_id: str) -> None:
    """:func:`_hand` in a worker thread."""
    await asyncio.to_thread(_hand, ctx, job_id)


def _hand(ctx: ApiContext, job_id: str, submit: Callable[[], None] | None = None) -> None:
    """Hand the job to the executor (``submit``: how, if not ``executor.submit(job_id)``); if it cannot
    take it, the job ends ``failed`` (never pending for ever)."""
    try:
        if submit is None:
            ctx.executor.submit(job_id)
        else:
            submit()
    except Unavailable as exc:
        _fail(ctx, job_id, UNAVAILABLE)
        raise Unavailable(UNAVAILABLE, exc.hint or UNAVAILABLE_HINT) from exc
    except Exception:
        _fail(ctx, job_id, "the job could not be handed to the executor")
        raise


def _fail(ctx: ApiContext, job_id: str, reason: str) -> None:
    with ctx.db.session() as session:
        JobRepo(session).finish(job_id, JobStatus.FAILED, reason)


def _started(job_id: str, total: int) -> DiscoveryStarted:
    return DiscoveryStarted(job_id=job_id, total_devices=total, progress_url=progress_url(job_id),
                            events_url=events_url(job_id))


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": message, "message": message, **extra})


# ---- discover-sync ------------------------------------------------------------------------------


async def _wait_final(ctx: ApiContext, job_id: str, events: AsyncIterator[ProgressEvent], timeout: float) -> bool:
    """Whether the job ended within ``timeout`` s: on its final event, or on its row (read when the
    stream is quiet for ``SYNC_CHECK_S``, in case an event was lost).

    The next event is awaited as one task across quiet spells (cancelling an ``anext`` would end the
    bus's iterator); when the bus's iterator ends (Redis went away) the row alone is read."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    upcoming: asyncio.Future[ProgressEvent] | None = None
    listening = True
    try:
        while (left := deadline - loop.time()) > 0:
            if listening:
                upcoming = upcoming or asyncio.ensure_future(anext(events))
                done, _ = await asyncio.wait({upcoming}, timeout=min(left, SYNC_CHECK_S))
            else:
                await asyncio.sleep(min(left, SYNC_CHECK_S))
                done = set()
            if upcoming is not None and upcoming in done:
                try:
                    event = upcoming.result()
                except StopAsyncIteration:
                    listening, upcoming = False, None
                    continue
                upcoming = None
                if event.kind == "job" and event.status in _FINAL:
                    return True
                continue
            job = await asyncio.to_thread(JobQueries(ctx.db).get, job_id)
            if job.status.final:
                return True
        return False
    finally:
        if upcoming is not None:
            upcoming.cancel()
            await asyncio.gather(upcoming, return_exceptions=True)


def _sync_result(ctx: ApiContext, job_id: str) -> tuple[JobDetail, dict[str, dict[str, int]]]:
    return read_job(ctx.db, job_id), collected_counts(ctx.db, job_id)


def _sync_out(detail: JobDetail, counts: dict[str, dict[str, int]]) -> DiscoverySyncResult:
    job, c = detail.job, detail.job.counts
    devices = [SyncDeviceOut(device_id=row.device_name, device_name=row.device_name, status=row.status,
                             error_kind=row.error_kind, error=row.error or None,
                             collected=counts.get(row.device_name, {})) for row in detail.devices]
    return DiscoverySyncResult(job_id=job.id, status=job.status, total_devices=c.total, completed_devices=c.completed,
                               failed_devices=c.failed, cancelled_devices=c.cancelled, started_at=job.started_at,
                               completed_at=job.finished_at, error=job.message or None, devices=devices)


# ---- progress and events ------------------------------------------------------------------------


async def _waiting(ctx: ApiContext, job: JobView) -> bool:
    """``waiting_for_worker``: pending past NETATLAS_WORKER_WAIT while the executor reports no live worker
    (the in-process executor reports no ``workers``: never)."""
    now = datetime.now(UTC)
    if not waiting_for_worker(job, now=now, wait_s=ctx.settings.worker_wait, workers=0):
        return False  # not pending long enough: no need to ask the executor
    health = await asyncio.to_thread(ctx.executor.health)
    workers = health.get("workers")
    return waiting_for_worker(job, now=now, wait_s=ctx.settings.worker_wait,
                              workers=workers if isinstance(workers, int) else None)


@asynccontextmanager
async def _subscription(ctx: ApiContext, job_id: str) -> AsyncIterator[AsyncIterator[ProgressEvent]]:
    """The job's events from the bus; when the bus cannot be reached, an iterator that never yields
    (callers then read the rows when the stream is quiet: slower, never wrong)."""
    async with AsyncExitStack() as stack:
        try:
            events = await stack.enter_async_context(ctx.bus.subscribe(job_id))
        except Unavailable as exc:
            log.warning("job %s: progress events unavailable (%s); following the rows", job_id, exc)
            events = _silence()
        yield events


async def _silence() -> AsyncIterator[ProgressEvent]:
    await asyncio.Event().wait()
    yield ProgressEvent("", "job", "")  # never reached


def _sse(event: str, data: Any) -> str:
    """One Server-Sent Events message; JSON with every non-ASCII character escaped keeps it one line."""
    return f"event: {event}\ndata: {json.dumps(data, default=str, ensure_ascii=True)}\n\n"


async def _document(ctx: ApiContext, job_id: str) -> tuple[dict[str, Any], bool]:
    """The stream's progress document (first devices) and whether the job ended; streams of one job
    asking at once share the read (``_shared``). The document is shared: read it, never change it."""
    return await _shared(ctx).run(("document", job_id), lambda: _read_document(ctx, job_id))


async def _read_document(ctx: ApiContext, job_id: str) -> tuple[dict[str, Any], bool]:
    page, more = await asyncio.to_thread(read_page, ctx.db, job_id, limit=SNAPSHOT_DEVICES)
    waiting = await _waiting(ctx, page.job)
    document = progress_document(page_progress(page, offset=0, limit=SNAPSHOT_DEVICES, more=more, waiting=waiting))
    return document, page.job.status.final


async def _stream(ctx: ApiContext, job_id: str) -> AsyncIterator[str]:
    """The event stream: the current progress, batched transitions, and the final progress.

    The subscription is taken before the first read, so nothing between the two is missed; it is
    released whenever the stream ends (the job's end, or the client going away: Starlette cancels
    this generator).
    """
    async with _subscription(ctx, job_id) as events:
        document, final = await _document(ctx, job_id)
        yield "retry: 3000\n" + _sse("progress", document)
        if final:
            yield _sse("end", document)
            return
        async with aclosing(_batches(events)) as batches:
            async for batch in batches:
                if batch:
                    yield _sse("update", {"events": [asdict(e) for e in batch]})
                if not batch or any(e.kind == "job" and e.status in _FINAL for e in batch):
                    document, final = await _document(ctx, job_id)  # quiet, or the end: the rows say
                    if final:
                        yield _sse("end", document)
                        return
                    if not batch:
                        yield ": keep-alive\n\n"


async def _batches(events: AsyncIterator[ProgressEvent]) -> AsyncGenerator[list[ProgressEvent]]:
    """Events in batches at most every ``MIN_INTERVAL_S``; an empty batch after ``HEARTBEAT_S`` of quiet."""
    loop = asyncio.get_running_loop()
    buffer: list[ProgressEvent] = []
    arrived = asyncio.Event()

    async def pump() -> None:
        async for event in events:
            buffer.append(event)
            arrived.set()

    task = asyncio.create_task(pump())
    last = 0.0
    try:
        while True:
            try:
                await asyncio.wait_for(arrived.wait(), HEARTBEAT_S)
            except TimeoutError:
                yield []
                continue
            if (pause := last + MIN_INTERVAL_S - loop.time()) > 0:
                await asyncio.sleep(pause)
            batch = buffer[:]
            buffer.clear()
            arrived.clear()
            last = loop.time()
            yield batch
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
