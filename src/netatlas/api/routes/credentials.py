"""API routes: credentials (see docs/api.md). Write-only for secrets: the list shows each set's
name, user and how many devices use it; ``PUT`` creates or replaces a set (encrypted with the
deployment's key, as an inventory import stores it); ``DELETE`` refuses (409) while a device uses it.
Admins only.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from netatlas.api.context import Ctx
from netatlas.api.schemas.devices import CredentialIn, CredentialOut, CredentialPut
from netatlas.api.schemas.jobs import PLAIN, errors
from netatlas.api.security import Admin
from netatlas.jobs.inventory_service import InventoryService

router = APIRouter(tags=["credentials"])
Name = Annotated[str, Path(pattern=PLAIN, description="The credential set's name.")]


@router.get("/api/credentials", response_model=list[CredentialOut], summary="List credential sets (no secrets)",
            responses=errors())
def list_credentials(ctx: Ctx, _: Admin) -> list[CredentialOut]:
    return [CredentialOut.of(info) for info in InventoryService(ctx.db, ctx.box).credentials()]


@router.put("/api/credentials/{name}", response_model=CredentialPut, summary="Create or replace a credential set",
            responses=errors(400, 422, e422="Refused: `problems` names each field (never quoting a secret)."))
def put_credential(ctx: Ctx, _: Admin, name: Name, body: CredentialIn, response: Response) -> CredentialPut:
    enable = body.enable_secret.get_secret_value() if body.enable_secret is not None else None
    created = InventoryService(ctx.db, ctx.box).put_credential(name, body.username,
                                                               body.password.get_secret_value(), enable)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return CredentialPut(name=name, created=created)


@router.delete("/api/credentials/{name}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               summary="Remove a credential set",
               responses=errors(404, 409, 422, e404="No such set.", e409="A device uses it."))
def delete_credential(ctx: Ctx, _: Admin, name: Name) -> Response:
    InventoryService(ctx.db, ctx.box).delete_credential(name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
