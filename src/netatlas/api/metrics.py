"""Prometheus metrics of one app: API requests (a small ASGI middleware) and the fleet, read from the database.

Each app owns a :class:`~prometheus_client.CollectorRegistry` (never the process-wide default
one), so several apps in one process (tests, a server and its embedded tools) do not collide.
``install(app)`` creates it, adds the request middleware and the database collector; ``GET
/metrics`` (``netatlas.api.routes.ops``) renders it.

What is exported, and where it comes from::

    netatlas_http_requests_total{method,route,status}       counted by the middleware
    netatlas_http_request_duration_seconds{method,route}    time to the response's first byte
    netatlas_jobs{status}                                   job rows now, by status
    netatlas_job_devices{status}                            job_device rows now, by status
    netatlas_devices_by_error_kind{error_kind}              each device's latest finished run
                                                            (``none``: it succeeded)
    netatlas_device_failures_total{error_kind}              every failed job_device row ever kept
    netatlas_device_collection_seconds                      per-device duration of every finished
                                                            job_device row (histogram)
    netatlas_inventory_devices                              stored devices

The job figures are read from the rows at each scrape, not counted in this process, so they are
the same whichever executor (in-process or Celery workers elsewhere) ran the jobs, and survive
restarts. The collection histogram is cumulative over the rows kept: when history retention
deletes old jobs it goes down, which Prometheus treats as a counter reset.

The route label is the route's *template* (``/api/jobs/{job_id}``), never the concrete path, and
a request no route matches is labelled ``unmatched``: the label set stays small whatever clients
send. The duration ends at the response's first byte, so an open event stream (SSE) is measured
by how long it took to start, not by how long it stayed open.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import InstrumentedAttribute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from netatlas.domain.records import DeviceStatus, JobStatus
from netatlas.store import Database
from netatlas.store.tables import DeviceRow, JobDeviceRow, JobRow

REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
COLLECTION_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0)
UNMATCHED = "unmatched"
NO_ERROR = "none"
FINISHED = (DeviceStatus.COMPLETED.value, DeviceStatus.FAILED.value)  # cancelled/interrupted rows did not collect


@dataclass(frozen=True, slots=True)
class AppMetrics:
    """One app's registry and the request metrics the middleware feeds."""

    registry: CollectorRegistry
    requests: Counter
    latency: Histogram


def install(app: FastAPI) -> AppMetrics:
    """Give ``app`` its own registry, the request middleware, and the database collector (which reads
    ``app.state.context.db`` at each scrape). Call once, before the app starts."""
    registry = CollectorRegistry(auto_describe=False)
    metrics = AppMetrics(
        registry,
        Counter("netatlas_http_requests", "API requests by method, route template and status code",
                ["method", "route", "status"], registry=registry),
        Histogram("netatlas_http_request_duration_seconds",
                  "API request latency (to the response's first byte) by method and route template",
                  ["method", "route"], buckets=REQUEST_BUCKETS, registry=registry),
    )
    registry.register(StoreCollector(lambda: app.state.context.db))
    app.state.metrics = metrics
    app.add_middleware(RequestMetrics, metrics=metrics)
    return metrics


def of(app: FastAPI) -> AppMetrics:
    """The metrics ``install`` gave ``app``."""
    metrics: AppMetrics = app.state.metrics
    return metrics


class RequestMetrics:
    """Pure ASGI middleware (no ``BaseHTTPMiddleware``: that buffers nothing but breaks streaming and
    background tasks): counts each HTTP request and times it to its response's start."""

    def __init__(self, app: ASGIApp, metrics: AppMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets when the app raises before answering
        timed = False

        async def sending(message: Message) -> None:
            nonlocal status, timed
            if message["type"] == "http.response.start":
                status = int(message["status"])
                self._observe(scope, time.perf_counter() - started)
                timed = True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            if not timed:
                self._observe(scope, time.perf_counter() - started)
            self.metrics.requests.labels(scope["method"], route_template(scope), str(status)).inc()

    def _observe(self, scope: Scope, seconds: float) -> None:
        self.metrics.latency.labels(scope["method"], route_template(scope)).observe(seconds)


def route_template(scope: Scope) -> str:
    """The path template of the route that handled the request (Starlette records it in the scope).

    Examples:
        >>> from starlette.routing import Route
        >>> route_template({"route": Route("/api/jobs/{job_id}", lambda r: None)})
        '/api/jobs/{job_id}'
        >>> route_template({"path": "/no/such/thing"})
        'unmatched'
    """
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


class StoreCollector:
    """Fleet and job figures, read from the database at each scrape (a few aggregate queries)."""

    def __init__(self, database: Callable[[], Database]) -> None:
        self._database = database

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily | HistogramMetricFamily]:
        with self._database().session(readonly=True) as session:
            jobs = dict(session.execute(_count_by(JobRow.status)).all())
            job_devices = dict(session.execute(_count_by(JobDeviceRow.status)).all())
            latest = dict(session.execute(_latest_error_kinds()).all())
            failures = dict(session.execute(_failures_by_kind()).all())
            durations = session.execute(_duration_buckets()).one()
            inventory = session.execute(select(func.count()).select_from(DeviceRow)).scalar_one()
        yield _gauge("netatlas_jobs", "Discovery jobs by status", "status",
                     _with_all(jobs, (s.value for s in JobStatus)))
        yield _gauge("netatlas_job_devices", "Devices of jobs (job_device rows) by status", "status",
                     _with_all(job_devices, (s.value for s in DeviceStatus)))
        yield _gauge("netatlas_devices_by_error_kind",
                     f"Devices by the error kind of their latest finished run ({NO_ERROR}: it succeeded)",
                     "error_kind", latest)
        counter = CounterMetricFamily("netatlas_device_failures", "Failed devices of all kept jobs, by error kind",
                                      labels=["error_kind"])
        for kind, count in sorted(failures.items()):
            counter.add_metric([kind], count)
        yield counter
        yield _histogram(durations)
        yield GaugeMetricFamily("netatlas_inventory_devices", "Devices stored in the inventory", value=inventory)


def _count_by(column: InstrumentedAttribute[str]) -> Select[str, int]:
    return select(column, func.count()).group_by(column)


def _latest_error_kinds() -> Select[str, int]:
    """Devices by the outcome of their latest finished run: ``none`` when it completed (a completed row
    may still carry the kind of an attempt that was retried), else its error kind."""
    latest = (select(func.max(JobDeviceRow.id)).where(JobDeviceRow.status.in_(FINISHED))
              .group_by(JobDeviceRow.device_name))
    kind = case((JobDeviceRow.status == DeviceStatus.COMPLETED.value, NO_ERROR),
                else_=func.coalesce(JobDeviceRow.error_kind, "unknown"))
    return select(kind, func.count()).where(JobDeviceRow.id.in_(latest)).group_by(kind)


def _failures_by_kind() -> Select[str, int]:
    failed = JobDeviceRow.status == DeviceStatus.FAILED.value
    kind = func.coalesce(JobDeviceRow.error_kind, "unknown")
    return select(kind, func.count()).where(failed).group_by(kind)


def _duration_buckets() -> Select[*tuple[Any, ...]]:
    """One row: count, sum, then the count at or under each bucket bound (cumulative, as Prometheus wants)."""
    duration = JobDeviceRow.duration_s
    under = [func.coalesce(func.sum(case((duration <= bound, 1), else_=0)), 0) for bound in COLLECTION_BUCKETS]
    return (select(func.count(), func.coalesce(func.sum(duration), 0.0), *under)
            .where(JobDeviceRow.status.in_(FINISHED), duration.is_not(None)))


def _histogram(row: Iterable[Any]) -> HistogramMetricFamily:
    count, total, *under = (float(v) for v in row)
    buckets = [(_bound(b), n) for b, n in zip(COLLECTION_BUCKETS, under, strict=True)] + [("+Inf", count)]
    return HistogramMetricFamily("netatlas_device_collection_seconds",
                                 "Time to collect one device (job_device rows that completed or failed)",
                                 buckets=buckets, sum_value=total)


def _bound(value: float) -> str:
    """A bucket bound as Prometheus clients write it (``0.5``, ``10.0``)."""
    return repr(float(value))


def _with_all(found: dict[str, int], every: Iterable[str]) -> dict[str, int]:
    """Every known value present (0 when absent), so a series does not vanish when its count is 0."""
    return {**dict.fromkeys(every, 0), **found}


def _gauge(name: str, documentation: str, label: str, values: dict[str, int]) -> GaugeMetricFamily:
    gauge = GaugeMetricFamily(name, documentation, labels=[label])
    for value, count in sorted(values.items()):
        gauge.add_metric([value], count)
    return gauge

