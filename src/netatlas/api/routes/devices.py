"""API routes: devices (see docs/api.md): the inventory, one entry at a time or a whole file, and
each device's current data.

Reads are for viewers; changes are for admins and go through ``InventoryService``, which applies
the inventory file's checks: a refused entry is a 422 whose ``problems`` name each field, with the
words ``netatlas devices import`` uses. ``POST /api/devices/import`` takes the file itself as the
body (YAML or CSV), read up to ``NETATLAS_INVENTORY_MAX_BYTES`` (413 beyond).

Handlers that touch the database are sync ``def`` (FastAPI's threadpool); the import reads its
body on the loop, bounded, and runs the import in the threadpool.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from netatlas.api.context import ApiContext, Ctx
from netatlas.api.schemas.devices import DeviceDataOut, DeviceIn, DeviceOut, DevicePatch, ImportOut
from netatlas.api.schemas.jobs import MAX_LIMIT, MAX_OFFSET, PLAIN, Paged, errors
from netatlas.api.security import Admin, Viewer
from netatlas.domain.datatypes import RECORD_KINDS
from netatlas.jobs.inventory_service import InventoryService
from netatlas.jobs.queries import DEFAULT_LIMIT, DataQueries, DeviceQueries

router = APIRouter(tags=["devices"])
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]
Name = Annotated[str, Path(pattern=PLAIN, description="The device's name.")]
MEDIA_TYPES = {"application/yaml": "yaml", "application/x-yaml": "yaml", "text/yaml": "yaml",
               "text/x-yaml": "yaml", "text/csv": "csv"}
_NO_DEVICE = "No such device."
_REFUSED = "Refused: `problems` lists each field and why (or `detail`, for a malformed body)."
_IMPORT_BODY: dict[str, Any] = {"requestBody": {"required": True, "description": (
    "An inventory file as `netatlas devices import` reads it (docs/inventory.md): YAML with `devices:` "
    "(and optionally `credentials:`), a YAML file of `credentials:` only, or CSV with a header row."),
    "content": {
        "application/yaml": {"schema": {"type": "string"}, "example": (
            "credentials:\n  lab: {username: admin, password: secret}\n"
            "devices:\n  - {name: sw1, host: 10.0.0.1, platform: cisco_ios, credentials: lab}\n")},
        "text/yaml": {"schema": {"type": "string"}},
        "text/csv": {"schema": {"type": "string"},
                     "example": "name,host,platform,credentials\nsw1,10.0.0.1,cisco_ios,lab\n"}}}}


def _service(ctx: ApiContext) -> InventoryService:
    return InventoryService(ctx.db, ctx.box)


@router.get("/api/devices", response_model=Paged[DeviceOut], summary="List devices (by name)",
            responses=errors(422))
def list_devices(ctx: Ctx, _: Viewer, offset: Offset = 0, limit: Limit = DEFAULT_LIMIT) -> Paged[DeviceOut]:
    return Paged[DeviceOut].of(DeviceQueries(ctx.db).list(offset=offset, limit=limit), DeviceOut.of)


@router.post("/api/devices", response_model=DeviceOut, status_code=status.HTTP_201_CREATED,
             summary="Add a device",
             responses=errors(400, 409, 422, e409="The name or the address is taken.", e422=_REFUSED))
def create_device(ctx: Ctx, _: Admin, body: DeviceIn) -> DeviceOut:
    return DeviceOut.of(_service(ctx).create(body.device()))


@router.post("/api/devices/import", response_model=ImportOut, summary="Import an inventory file (YAML or CSV)",
             openapi_extra=_IMPORT_BODY,
             responses=errors(413, 415, 422, e422=_REFUSED))
async def import_devices(request: Request, ctx: Ctx, _: Admin) -> ImportOut | JSONResponse:
    try:
        fmt = _format(request.headers.get("content-type", ""))
        body = await _bounded_body(request, ctx.settings.inventory_max_bytes)
    except _Refused as refused:
        return JSONResponse(status_code=refused.status, content={"detail": refused.message, "message": refused.message})
    imported = await run_in_threadpool(_service(ctx).import_body, body, fmt, ctx.settings.inventory_max_bytes)
    return ImportOut.of(imported)


@router.get("/api/devices/{name}", response_model=DeviceOut, summary="One device",
            responses=errors(404, 422, e404=_NO_DEVICE))
def get_device(ctx: Ctx, _: Viewer, name: Name) -> DeviceOut:
    return DeviceOut.of(DeviceQueries(ctx.db).get(name))


@router.patch("/api/devices/{name}", response_model=DeviceOut, summary="Change some fields of a device",
              responses=errors(400, 404, 409, 422, e404=_NO_DEVICE, e409="The new address is taken.",
                               e422=_REFUSED))
def update_device(ctx: Ctx, _: Admin, name: Name, body: DevicePatch) -> DeviceOut:
    return DeviceOut.of(_service(ctx).update(name, body.changes()))


@router.delete("/api/devices/{name}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               summary="Remove a device (its history stays)", responses=errors(404, 422, e404=_NO_DEVICE))
def delete_device(ctx: Ctx, _: Admin, name: Name) -> Response:
    _service(ctx).delete(name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/api/devices/{name}/data/{kind}", response_model=DeviceDataOut,
            summary="A device's current data of one kind",
            description=f"`kind` is one of: {', '.join(RECORD_KINDS)}. The records come from the device's latest "
                        "successful collection of each data type of the kind; `coverage` says how completely.",
            responses=errors(404, 422, e404="No such device, or no such kind (the message lists the kinds)."))
def device_data(ctx: Ctx, _: Viewer, name: Name, kind: Annotated[str, Path(pattern=PLAIN)],
                offset: Offset = 0, limit: Limit = DEFAULT_LIMIT) -> DeviceDataOut:
    data = DataQueries(ctx.db).current(name, kind, offset=offset, limit=limit)
    if not data.held:
        DeviceQueries(ctx.db).get(name)  # NotFound for a device neither stored nor ever collected
    return DeviceDataOut.of(data)


class _Refused(Exception):
    """The import body is refused before it is read (answered with the API's error shape)."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status_code, message


def _format(content_type: str) -> str:
    media = content_type.split(";", 1)[0].strip().lower()
    if media not in MEDIA_TYPES:
        raise _Refused(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                       f"Content-Type: send the inventory as {', '.join(sorted(MEDIA_TYPES))}")
    return MEDIA_TYPES[media]


async def _bounded_body(request: Request, max_bytes: int) -> bytes:
    """The body, refused (413) as soon as it is longer than ``max_bytes``: it is never read whole first."""
    too_large = _Refused(status.HTTP_413_CONTENT_TOO_LARGE,
                         f"the inventory is larger than {max_bytes} bytes (NETATLAS_INVENTORY_MAX_BYTES)")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


__all__ = ["router"]
