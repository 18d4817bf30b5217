"""Discovery on the wire: the request body existing scripts send, and every answer of the discovery endpoints.

The body keeps the field names of the system netatlas replaces. Each ``include_*`` flag is the
``flag`` of a data type's row in ``netatlas.domain.datatypes`` (``include_routing_neighbors``:
OSPF neighbors and BGP sessions); facts are always collected. Every field is typed strictly (a
string is not a boolean, ``"5"`` is not a number) and an unknown field is refused, so a typo never
silently collects less.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Annotated, Any, Literal

from annotated_types import Ge, Le
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, StringConstraints, TypeAdapter

from netatlas.domain.datatypes import FLAGS
from netatlas.domain.inventory import MAX_TEXT_LENGTH
from netatlas.domain.records import DataType, DeviceStatus, ErrorKind, JobStatus
from netatlas.jobs.progress import WAITING_FOR_WORKER, DeviceProgress, JobProgress
from netatlas.jobs.selection import Selection

MAX_DEVICE_IDS = 100_000
MAX_TAGS = 64
MAX_CONCURRENCY = 2000  # as NETATLAS_CONCURRENCY


def _whole_number(value: Any) -> Any:
    """A JSON number with no fraction (``5.0``) is the integer JSON Schema says it is; nothing else changes
    (strings and booleans stay refused)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


DeviceId = Annotated[str, StringConstraints(min_length=1, max_length=253, strict=True)] | Annotated[
    StrictInt, Ge(0), BeforeValidator(_whole_number)]  # constraints before the validator: the schema shows them
Text = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT_LENGTH, strict=True)]


class DiscoveryBody(BaseModel):
    """What to discover: the devices (by id, site or tags) and the data types to collect."""

    # Something must be selected: said in the schema too, so that a body valid by the spec selects a device
    # or answers 404 naming what is not stored (an empty selection is refused with 422 either way).
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"anyOf": [
        {"required": ["device_ids"], "properties": {"device_ids": {"type": "array", "minItems": 1}}},
        {"required": ["site"], "properties": {"site": {"type": "string"}}},
        {"required": ["tags"], "properties": {"tags": {"type": "array", "minItems": 1}}}]})

    device_ids: list[DeviceId] = Field(default_factory=list, max_length=MAX_DEVICE_IDS, description=(
        "Stored devices by id (a device's id is its name; a number is read as the name it spells). "
        "Duplicates are removed."))
    site: Text | None = Field(default=None, description="Also every device of this site (with `tags`: having them).")
    tags: list[Text] = Field(default_factory=list, max_length=MAX_TAGS,
                             description="Also every device carrying all these tags (with `site`: of that site).")
    include_interfaces: bool = True
    include_cdp_neighbors: bool = True
    include_lldp_neighbors: bool = True
    include_static_routes: bool = True
    include_ospf_routes: bool = True
    include_bgp_routes: bool = True
    include_routing_neighbors: bool = Field(default=True, description="OSPF neighbors and BGP sessions.")
    include_mac_table: bool = True
    include_arp: bool = True
    cache_results: bool = Field(default=True, description=(
        "Accepted for compatibility; netatlas always stores what it collects as a snapshot per device "
        "(the device's current state is its latest successful one), so this changes nothing."))
    concurrency: Annotated[StrictInt, Ge(1), Le(MAX_CONCURRENCY), BeforeValidator(_whole_number)] | None = Field(
        default=None, description="Devices read at once (default: NETATLAS_CONCURRENCY).")

    def data_types(self) -> frozenset[DataType]:
        """The data types the flags select (facts are always collected besides)."""
        return frozenset(data_type for flag, data_type in FLAGS.items() if getattr(self, flag, False))

    def selection(self) -> Selection:
        return Selection(tuple(self.device_ids), self.site, tuple(self.tags))


class DiscoveryStarted(BaseModel):
    job_id: str
    status: Literal["pending"] = "pending"
    total_devices: int
    progress_url: str = Field(description="`GET` it for the job's progress.")
    events_url: str = Field(description="`GET` it for live progress (Server-Sent Events).")


class DeviceProgressOut(BaseModel):
    device_id: str = Field(description="The device's id (its name).")
    device_name: str
    status: DeviceStatus
    progress_percentage: int = Field(ge=0, le=100, description=(
        "100 once final, 0 while pending; while running, how far its current step is in its platform's "
        "command plan (steps outside the plan: 50; waiting to retry: 0)."))
    current_task: str | None = Field(description="The command being sent, `connect`, or the retry it waits for.")
    error: str | None
    error_kind: ErrorKind | None
    attempt: int
    started_at: datetime | None
    completed_at: datetime | None

    @classmethod
    def of(cls, device: DeviceProgress) -> DeviceProgressOut:
        return cls(device_id=device.device_id, device_name=device.device_name, status=DeviceStatus(device.status),
                   progress_percentage=device.progress_percentage, current_task=device.current_task,
                   error=device.error, error_kind=ErrorKind(device.error_kind) if device.error_kind else None,
                   attempt=device.attempt, started_at=device.started_at, completed_at=device.completed_at)


ProgressStatus = Literal["pending", "running", "cancelling", "completed", "cancelled", "failed", "interrupted",
                         "waiting_for_worker"]
assert set(ProgressStatus.__args__) == {s.value for s in JobStatus} | {WAITING_FOR_WORKER}  # type: ignore[attr-defined]


class ProgressOut(BaseModel):
    job_id: str
    status: ProgressStatus = Field(description=(
        "The job's status; `waiting_for_worker`: pending longer than NETATLAS_WORKER_WAIT with no live worker."))
    total_devices: int
    completed_devices: int
    failed_devices: int
    cancelled_devices: int = Field(description="Cancelled, or interrupted with their job.")
    progress_percentage: float = Field(ge=0, le=100, description="Share of devices in a final state.")
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    error: str | None = Field(description="Why the job ended as it did (interrupted, failed, cancelled).")
    requested_by: str = Field(description="Who started it: a user's name or `token:<name>`.")
    devices: list[DeviceProgressOut] = Field(description="The page of devices asked for (`offset`, `limit`).")
    offset: int
    limit: int
    more: bool = Field(description="More devices follow this page.")

    @classmethod
    def of(cls, progress: JobProgress) -> ProgressOut:
        return cls(job_id=progress.job_id, status=progress.status,  # type: ignore[arg-type]
                   total_devices=progress.total_devices, completed_devices=progress.completed_devices,
                   failed_devices=progress.failed_devices, cancelled_devices=progress.cancelled_devices,
                   progress_percentage=progress.progress_percentage, created_at=progress.created_at,
                   started_at=progress.started_at, completed_at=progress.completed_at, error=progress.error,
                   requested_by=progress.requested_by, devices=[DeviceProgressOut.of(d) for d in progress.devices],
                   offset=progress.offset, limit=progress.limit or 0, more=progress.more)


# The progress document is the hot path of every poller and stream: it is serialized straight from the
# ``JobProgress`` dataclass (whose fields are ProgressOut's, in its order, plus ``final``) by pydantic's
# serializer, without building and validating a model per device. ``ProgressOut`` stays the schema;
# tests/unit/test_api_progress_json.py keeps the two byte-equal.
_PROGRESS = TypeAdapter(JobProgress)
_NOT_SHOWN = {"final"}  # never changed


def progress_json(progress: JobProgress) -> bytes:
    """``ProgressOut.of(progress).model_dump_json()``, several times cheaper."""
    return _PROGRESS.dump_json(_shown(progress), exclude=_NOT_SHOWN)


def progress_document(progress: JobProgress) -> dict[str, Any]:
    """``ProgressOut.of(progress).model_dump(mode="json")``, several times cheaper."""
    found: dict[str, Any] = _PROGRESS.dump_python(_shown(progress), mode="json", exclude=_NOT_SHOWN)
    return found


def _shown(progress: JobProgress) -> JobProgress:
    return progress if progress.limit is not None else dataclasses.replace(progress, limit=0)


class SyncDeviceOut(BaseModel):
    device_id: str
    device_name: str
    status: DeviceStatus
    error_kind: ErrorKind | None
    error: str | None
    collected: dict[str, int] = Field(description="Records stored per data type collected (facts: 1).")


class DiscoverySyncResult(BaseModel):
    job_id: str
    status: JobStatus
    total_devices: int
    completed_devices: int
    failed_devices: int
    cancelled_devices: int
    started_at: datetime | None
    completed_at: datetime | None
    error: str | None
    devices: list[SyncDeviceOut]


class CancelAccepted(BaseModel):
    job_id: str
    status: JobStatus = Field(description="`cancelling` until the runner stops it, then `cancelled`.")


class ErrorOut(BaseModel):
    """Every error body: ``message`` is one readable string; ``detail`` is it too, or (422 on a
    malformed body) the list of problems, each with its ``loc``."""

    detail: str | list[dict[str, Any]]
    message: str | None = None
    field: str | None = Field(default=None, description="The request field at fault (422).")
    hint: str | None = Field(default=None, description="What to check (503).")


class SyncTimeoutOut(ErrorOut):
    job_id: str
    progress_url: str
    events_url: str


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error codes a route answers, each with the error body."""
    described = {401: "Missing or invalid bearer token.", 403: "The token's role is too low.",
                 404: "No such job, or (discovery bodies) ids or a site/tags filter naming no stored device.",
                 409: "The job already ended.",
                 413: "More devices than discover-sync takes: use discover-async.",
                 422: "A malformed body or parameter, or nothing selected (the message names the field).",
                 503: "The background job service is not available."}
    return {code: {"model": ErrorOut, "description": described[code]} for code in codes}
