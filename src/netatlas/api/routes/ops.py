"""API routes: operations. ``GET /api/health`` (no auth) and ``GET /metrics`` (Prometheus, viewer).

Health answers within a few seconds whatever is down: each check (the database, the executor's
broker) runs in a thread of its own and is bounded by a timeout; a check still running when the
next request comes is joined, not started again, so a hung database costs one thread, not one
per request. The answer::

    200 status "ok"        the database answers and the executor (broker, workers) is fine
    200 status "degraded"  the database answers, but the broker is down or no worker consumes
                           ("reasons" says which): stored data can be read, jobs cannot run
    503 status "down"      the database does not answer (in time): nothing works

``/metrics`` needs a viewer token, as every endpoint but health and the docs does. Prometheus sends
one from a file (``netatlas token create --name prometheus --role viewer`` prints it once)::

    scrape_configs:
      - job_name: netatlas
        metrics_path: /metrics
        authorization:
          type: Bearer
          credentials_file: /etc/prometheus/netatlas.token
        static_configs:
          - targets: ["netatlas.example.net:8000"]
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from pydantic import BaseModel, Field

from netatlas import __version__
from netatlas.api import metrics
from netatlas.api.context import ApiContext, Ctx
from netatlas.api.security import Viewer
from netatlas.domain.errors import StoreError, Unavailable
from netatlas.domain.text import clean, mask_url
from netatlas.store import Database

router = APIRouter(tags=["operations"])
log = logging.getLogger(__name__)
T = TypeVar("T")

DATABASE_TIMEOUT_S = 3.0  # a database that has not answered a trivial read by then is down for callers too
EXECUTOR_TIMEOUT_S = 5.0  # Celery pings its workers (about a second) and the broker
METRICS_TIMEOUT_S = 15.0  # a few aggregate queries over the job tables
HEALTH_HINT = "GET /api/health shows whether the database is up"


class DatabaseHealth(BaseModel):
    ok: bool
    backend: str = Field(description="sqlite or postgresql")
    schema_revision: str | None = Field(default=None, description="the migration the database is at")
    error: str | None = None
    latency_ms: float | None = Field(default=None, description="time to answer the check")


class Health(BaseModel):
    status: Literal["ok", "degraded", "down"]
    version: str
    uptime_s: float
    database: DatabaseHealth
    broker: dict[str, Any] = Field(description="what the executor says about itself: `executor: local` for the "
                                               "in-process one; Celery adds the broker's state and its workers")
    workers: int | None = Field(description="live workers consuming discovery work (null: the in-process "
                                            "executor runs jobs itself)")
    reasons: list[str] = Field(description="why the status is not ok")


@router.get("/api/health", response_model=Health, summary="Database, broker and worker health (no auth)",
            responses={503: {"model": Health, "description": "the database does not answer"}})
async def health(request: Request, ctx: Ctx) -> JSONResponse:
    checks = _checks(ctx)
    database, broker = await asyncio.gather(_database(ctx.db, checks), _broker(ctx, checks))
    workers = _workers(broker)
    reasons = _reasons(database, broker, workers)
    status: Literal["ok", "degraded", "down"] = "down" if not database.ok else "degraded" if reasons else "ok"
    body = Health(status=status, version=__version__, uptime_s=_uptime(ctx), database=database, broker=broker,
                  workers=workers, reasons=reasons)
    return JSONResponse(body.model_dump(mode="json"), status_code=503 if status == "down" else 200)


@router.get("/metrics", response_class=Response, summary="Prometheus metrics (viewer)",
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                             "description": "Prometheus text format 0.0.4"}})
async def prometheus_metrics(request: Request, _: Viewer, ctx: Ctx) -> Response:
    registry = metrics.of(request.app).registry
    try:
        text = await _checks(ctx).run("metrics", lambda: generate_latest(registry), METRICS_TIMEOUT_S)
    except TimeoutError as exc:
        raise Unavailable(f"the database did not answer the metrics queries within {METRICS_TIMEOUT_S:g} s",
                          hint=HEALTH_HINT) from exc
    except StoreError as exc:
        raise Unavailable(f"metrics unavailable: {_shown(str(exc), ctx.db)}", hint=HEALTH_HINT) from exc
    return Response(text, media_type=CONTENT_TYPE_PLAIN_0_0_4)


async def _database(db: Database, checks: Checks) -> DatabaseHealth:
    backend = db.url.get_backend_name()
    started = asyncio.get_running_loop().time()
    try:
        schema = await checks.run("database", db.schema, DATABASE_TIMEOUT_S)
    except TimeoutError:
        return DatabaseHealth(ok=False, backend=backend, error=f"no answer within {DATABASE_TIMEOUT_S:g} s")
    except Exception as exc:  # any failure to read is "down"; the reason is shown
        log.warning("health: database check failed: %s", exc)
        return DatabaseHealth(ok=False, backend=backend, error=_shown(str(exc), db))
    elapsed = (asyncio.get_running_loop().time() - started) * 1000
    problem = schema.problem()
    return DatabaseHealth(ok=True, backend=backend, schema_revision=schema.current, error=problem or None,
                          latency_ms=round(elapsed, 1))


async def _broker(ctx: ApiContext, checks: Checks) -> dict[str, Any]:
    try:
        found = await checks.run("executor", ctx.executor.health, EXECUTOR_TIMEOUT_S)
    except TimeoutError:
        return {"ok": False, "error": f"the executor's health check did not answer within {EXECUTOR_TIMEOUT_S:g} s"}
    except Exception as exc:  # a broken check is a broker we cannot vouch for
        log.warning("health: executor check failed: %s", exc, exc_info=exc)
        return {"ok": False, "error": clean(mask_url(str(exc)))}
    return {str(k): _safe(v) for k, v in found.items()}


def _workers(broker: dict[str, Any]) -> int | None:
    """Live workers from the executor's health: a number, or a list of worker names (None: none apply)."""
    found = broker.get("workers")
    if isinstance(found, bool):
        return None
    if isinstance(found, int):
        return found
    if isinstance(found, list | tuple | dict):
        return len(found)
    return None


def _reasons(database: DatabaseHealth, broker: dict[str, Any], workers: int | None) -> list[str]:
    reasons = []
    if not database.ok:
        reasons.append(f"database unreachable: {database.error}")
    elif database.error:
        reasons.append(f"database: {database.error}")
    if broker.get("ok") is not True:
        why = broker.get("error") or broker.get("reason") or "the executor reports a problem"
        reasons.append(f"broker unavailable: {why}")
    elif workers == 0:
        reasons.append("no worker consumes discovery jobs: start one with `netatlas worker`")
    return reasons


def _uptime(ctx: ApiContext) -> float:
    return round((datetime.now(UTC) - ctx.started_at).total_seconds(), 3)


def _shown(message: str, db: Database) -> str:
    """A store error as health may show it to anyone: without the database URL (it names the host and user)."""
    return clean(message.replace(db.shown_url, "the database"))


def _safe(value: Any) -> Any:
    """An executor health value, URLs masked (a broker URL may carry a password), text cleaned."""
    if isinstance(value, str):
        return clean(mask_url(value)) if "://" in value else clean(value)
    if isinstance(value, dict):
        return {str(k): _safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_safe(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return clean(str(value))


def _checks(ctx: ApiContext) -> Checks:
    found = ctx.extras.get("ops_checks")
    if not isinstance(found, Checks):
        found = ctx.extras.setdefault("ops_checks", Checks())
    assert isinstance(found, Checks)
    return found


class Checks:
    """Blocking checks run in daemon threads, one at a time per name, each awaited with a timeout.

    A caller that times out leaves the check running (a thread cannot be stopped); the next caller
    of that name, on whatever event loop, waits for the same run instead of starting another, so a
    hung database holds one thread per check name, however often health is asked. Daemon threads
    never delay the process's exit.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, Future[Any]] = {}

    async def run(self, name: str, check: Callable[[], T], timeout: float) -> T:
        """``check()``'s result, or ``TimeoutError`` after ``timeout`` s; raises what it raises."""
        with self._lock:
            running = self._running.get(name)
            if running is None or running.done():
                running = self._running[name] = _in_thread(name, check)
        # shield: one caller's timeout must not cancel the run others wait for
        result: T = await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(running)), timeout)
        return result


def _in_thread(name: str, check: Callable[[], Any]) -> Future[Any]:
    future: Future[Any] = Future()
    future.set_running_or_notify_cancel()  # running: no one can cancel it any more

    def run() -> None:
        try:
            result = check()
        except Exception as exc:  # handed to whoever awaits
            future.set_exception(exc)
        else:
            future.set_result(result)

    threading.Thread(target=run, name=f"netatlas-check-{name}", daemon=True).start()
    return future
