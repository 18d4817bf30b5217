"""Bearer authentication and role checks for every endpoint but ``/api/health`` and the docs.

Each route declares the least role it needs with ``Depends(require(Role.X))`` (or
``principal = require(Role.X)`` as a parameter default through ``Annotated``); the dependency
returns the :class:`Principal` the request acts as:

- no ``Authorization: Bearer`` header, or a token that is not valid: **401** with
  ``WWW-Authenticate: Bearer``;
- a valid token whose role is below the route's: **403** naming both roles.

``require(role).role`` is the route's role, so tests walk the app's routes and check every one
against every role (``tests/integration/api/test_roles.py``).

The check runs on the event loop when the authenticator remembers the token (a valid answer of the
last :data:`~netatlas.jobs.accounts.AUTH_CACHE_TTL_S` seconds, see ``netatlas.jobs.accounts``), and
looks it up in a worker thread otherwise.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from netatlas.api.context import context
from netatlas.domain.accounts import Principal, Role

_bearer = HTTPBearer(auto_error=False, description="An API token (`netatlas token create`) or a login JWT "
                                                   "(`POST /api/auth/login`).")


class RoleDependency:
    """``Depends(require(role))``: the principal, checked for ``role``."""

    def __init__(self, role: Role) -> None:
        self.role = role

    async def __call__(self, request: Request,
                       credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
        if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
            raise _unauthorized("missing bearer token: send 'Authorization: Bearer <token>'")
        auth, token = context(request).auth, credentials.credentials
        principal = auth.remembered(token) or await asyncio.to_thread(auth.authenticate, token)
        if principal is None:
            raise _unauthorized("invalid or expired token")
        if not principal.allows(self.role):
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                detail=f"this needs the {self.role.value} role; "
                                       f"{principal.label} has {principal.role.value}")
        request.state.principal = principal
        return principal


_CACHE: dict[Role, RoleDependency] = {}


def require(role: Role) -> RoleDependency:
    """The dependency for ``role`` (one instance per role, so FastAPI caches it per request)."""
    return _CACHE.setdefault(role, RoleDependency(role))


Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": "Bearer"})


def route_role(dependencies: list[Callable[..., object]]) -> Role | None:
    """The role a route's dependency callables require (None: public). Used by tests and docs."""
    roles = [d.role for d in dependencies if isinstance(d, RoleDependency)]
    return max(roles, key=lambda r: r.rank) if roles else None
