"""Jobs on the wire: the list (paginated) and one job's report, plus the page envelope every list shares.

A job's options are the request it records (``DiscoveryRequest.options``): data types, concurrency,
crawl settings naming credential *sets* only, never a secret.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from netatlas.api.schemas.discovery import ErrorOut
from netatlas.domain.records import DeviceStatus, ErrorKind, JobStatus
from netatlas.jobs.queries import JobReport, Page
from netatlas.store import InventoryConflict, JobView
from netatlas.store.views import JobDeviceView

T = TypeVar("T")
V = TypeVar("V")
MAX_LIMIT = 500  # items per page
MAX_OFFSET = 1_000_000
# Names and ids in paths and queries: no control character (PostgreSQL refuses NUL in text, and no
# stored name has one), so such a value is a 422 naming the parameter, never a database error.
PLAIN = r"^[^\x00-\x1f\x7f]*$"


class Paged(BaseModel, Generic[T]):
    """One page of a list: ``items`` from ``offset`` on, at most ``limit``; ``more``: others follow."""

    items: list[T]
    offset: int
    limit: int | None
    more: bool

    @classmethod
    def of(cls, page: Page[V], convert: Callable[[V], T]) -> Paged[T]:
        return cls(items=[convert(item) for item in page.items], offset=page.offset, limit=page.limit,
                   more=page.more)


class Counts(BaseModel):
    total: int
    completed: int
    failed: int
    cancelled: int
    remaining: int


class JobOut(BaseModel):
    id: str
    kind: str
    status: JobStatus
    requested_by: str = Field(description="Who started it (a user or token label).")
    counts: Counts
    options: dict[str, Any] = Field(description="The stored request: data types, concurrency, crawl (no secret).")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    message: str = Field(description="Why it ended as it did (interrupted, storage failure...), or empty.")

    @classmethod
    def of(cls, job: JobView) -> JobOut:
        c = job.counts
        return cls(id=job.id, kind=job.kind, status=job.status, requested_by=job.requested_by,
                   counts=Counts(total=c.total, completed=c.completed, failed=c.failed, cancelled=c.cancelled,
                                 remaining=c.remaining),
                   options=job.options, created_at=job.created_at, started_at=job.started_at,
                   finished_at=job.finished_at, message=job.message)


class JobDeviceOut(BaseModel):
    device_name: str
    host: str
    port: int
    platform: str
    credential: str = Field(description="The credential set's name.")
    status: DeviceStatus
    step: str | None
    attempt: int
    error_kind: ErrorKind | None
    error: str
    warning: str
    started_at: datetime | None
    finished_at: datetime | None
    duration_s: float | None

    @classmethod
    def of(cls, row: JobDeviceView) -> JobDeviceOut:
        return cls(device_name=row.device_name, host=row.host, port=row.port, platform=row.platform,
                   credential=row.credential, status=row.status, step=row.step, attempt=row.attempt,
                   error_kind=row.error_kind, error=row.error, warning=row.warning, started_at=row.started_at,
                   finished_at=row.finished_at, duration_s=row.duration_s)


class UnmanagedOut(BaseModel):
    """A neighbor the job's crawl saw and did not visit, and why."""

    name: str
    mgmt_ip: str
    reason: str
    seen_from: str


class ConflictOut(BaseModel):
    """An advertisement that contradicted the inventory: recorded, never applied."""

    name: str
    stored_host: str
    advertised_host: str
    advertised_by: str
    reason: str
    created_at: datetime | None

    @classmethod
    def of(cls, conflict: InventoryConflict) -> ConflictOut:
        return cls(name=conflict.name, stored_host=conflict.stored_host, advertised_host=conflict.advertised_host,
                   advertised_by=conflict.advertised_by, reason=conflict.reason, created_at=conflict.created_at)


class CoverageOut(BaseModel):
    status: str = Field(description="partial or feature_off")
    note: str


class JobDetailOut(JobOut):
    devices: list[JobDeviceOut]
    unmanaged: list[UnmanagedOut]
    conflicts: list[ConflictOut]
    coverage: dict[str, dict[str, CoverageOut]] = Field(
        description="Device -> data type -> how incompletely it was read (complete ones are left out).")

    @classmethod
    def of_report(cls, report: JobReport) -> JobDetailOut:
        base = JobOut.of(report.detail.job).model_dump()
        return cls(**base, devices=_each(report.detail.devices, JobDeviceOut.of),
                   unmanaged=[UnmanagedOut(name=u.name, mgmt_ip=u.mgmt_ip, reason=u.reason, seen_from=u.seen_from)
                              for u in report.unmanaged],
                   conflicts=_each(report.conflicts, ConflictOut.of),
                   coverage={device: {t.value: CoverageOut(status=c.status.value, note=c.note)
                                      for t, c in types.items()} for device, types in report.coverage.items()})


def _each(items: Sequence[V], convert: Callable[[V], T]) -> list[T]:
    return [convert(item) for item in items]


# ---- error answers, as the OpenAPI spec describes them --------------------------------------------


class ProblemItem(BaseModel):
    """One refused field of an inventory entry or file (``line``: null for JSON)."""

    line: int | None
    field: str
    message: str


class RefusedOut(ErrorOut):
    """A 422: FastAPI's problems in ``detail``, or the inventory rules' ``problems``, one per field."""

    problems: list[ProblemItem] | None = None


_DESCRIBED = {400: "The body cannot be read (not UTF-8, or not JSON).", 401: "Missing or invalid bearer token.",
              403: "The token's role is too low.", 404: "Not found (the message says what).",
              409: "It contradicts what is stored (the message says what).",
              413: "Larger than NETATLAS_INVENTORY_MAX_BYTES.", 415: "Not a YAML or CSV media type.",
              422: "A value is refused: the message names the field or parameter."}
Responses = dict[int | str, dict[str, Any]]


def errors(*codes: int, **described: str) -> Responses:
    """OpenAPI ``responses`` for 401, 403 and ``codes``, each with the error body; ``described``
    (``e404="No such job."``) says more than the default for a code."""
    answer: Responses = {}
    for code in (401, 403, *codes):
        model = RefusedOut if code == 422 else ErrorOut
        answer[code] = {"model": model, "description": described.get(f"e{code}", _DESCRIBED[code])}
    return answer
