"""Every endpoint against every role, found by walking the app's routes (so a route added later is
covered without editing this file).

For each route, the role it needs is read from its dependencies (``route_role``: the
``require(Role.X)`` somewhere in its dependency tree). Then, with REAL tokens:

- no token, and a token that is not valid: **401** (with ``WWW-Authenticate: Bearer``);
- a valid token of a role below the route's: **403**;
- a role at or above the route's: neither 401 nor 403 (a 404 for the placeholder id, or a 422 for
  the missing body, is fine; a 5xx is a bug and fails too).

A route outside :data:`PUBLIC` that declares no role fails the test, named: that is what keeps a
future route from being served without authentication. Requests carry no body (the role check runs
before the body is validated) and placeholder path values no stored object has, so nothing is
created or deleted.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from netatlas.api.security import route_role
from netatlas.domain.accounts import Role
from tests.integration.api.harness import Api, open_api

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

PUBLIC = frozenset({"/api/health", "/docs", "/docs/oauth2-redirect", "/openapi.json", "/redoc", "/api/auth/login"})
NO_TOKEN, BAD_TOKEN = "no token", "bad token"
CALLERS: tuple[str | Role, ...] = (NO_TOKEN, BAD_TOKEN, Role.VIEWER, Role.OPERATOR, Role.ADMIN)
PLACEHOLDER = "h5-no-such-object"


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str  # the template, e.g. /api/jobs/{job_id}
    url: str  # with placeholder values
    role: Role | None  # None: public

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@pytest.fixture(scope="module")
def api(db_url: str, home: Path) -> Iterator[Api]:
    with open_api(db_url, home) as opened:
        yield opened


def endpoints(app: FastAPI) -> list[Endpoint]:
    """Every method of every API route, with the role its dependencies require (the route's own and
    those of the routers it was included through)."""
    found = []
    for route in _routes(app):
        if not isinstance(route.original_route, APIRoute):
            continue
        dependant: Dependant = route.dependant
        role = route_role(list(_calls(dependant)))
        url = str(route.path_format).format(**{p.name: _placeholder(p.field_info.annotation)
                                               for p in dependant.path_params})
        found += [Endpoint(method, str(route.path), url, role) for method in sorted(route.methods or ())]
    return found


def _routes(app: FastAPI) -> list[RouteContext]:
    """The app's routes as served: FastAPI keeps included routers as branches; this flattens them."""
    return list(iter_route_contexts(app.routes))


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _placeholder(annotation: Any) -> str:
    """A path value that passes validation where it can, and names nothing stored."""
    types = get_args(annotation) or (annotation,)
    for kind in types:
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            return str(next(iter(kind)).value)
        if kind is int:
            return "987654321"
        if kind is uuid.UUID:
            return str(uuid.UUID(int=0x4805))
    return PLACEHOLDER


def _static(route: Any) -> bool:
    """A mount of static files (the web UI: it reads data through the API only, so it holds none)."""
    return isinstance(route, Mount) and isinstance(route.app, StaticFiles)


def _headers(api: Api, caller: str | Role) -> dict[str, str]:
    if caller == NO_TOKEN:
        return {}
    if caller == BAD_TOKEN:
        return {"Authorization": "Bearer not-a-netatlas-token"}
    assert isinstance(caller, Role)
    return api.auth(caller)


def _problem(endpoint: Endpoint, caller: str | Role, status: int, www_authenticate: str | None) -> str | None:
    """What is wrong with ``status`` for ``caller`` on ``endpoint`` (None: as it should be)."""
    if endpoint.role is None:
        return f"public, yet answers {status} without a token" if status in (401, 403) else None
    if caller in (NO_TOKEN, BAD_TOKEN):
        if status != 401:
            return f"expected 401, got {status}"
        return None if (www_authenticate or "").lower().startswith("bearer") else "401 without WWW-Authenticate"
    assert isinstance(caller, Role)
    if not caller.allows(endpoint.role):
        return None if status == 403 else f"expected 403 (needs {endpoint.role.value}), got {status}"
    if status in (401, 403) or status >= 500:
        return f"allowed ({endpoint.role.value} needed), got {status}"
    return None


def test_the_walk_finds_the_routes(api: Api) -> None:
    """The walk is not vacuous: it sees the operations routes and reads their roles."""
    found = {str(e): e.role for e in endpoints(api.app)}
    assert found["GET /api/health"] is None
    assert found["GET /metrics"] is Role.VIEWER


def test_every_route_outside_the_public_ones_declares_a_role(api: Api) -> None:
    unprotected = [str(e) for e in endpoints(api.app) if e.role is None and e.path not in PUBLIC]
    assert not unprotected, f"routes without require(Role...) (add one, or add them to PUBLIC): {unprotected}"
    others = [route.path for route in _routes(api.app) if not isinstance(route.original_route, APIRoute)
              and route.path not in PUBLIC and not _static(route.original_route)]
    assert not others, f"routes outside FastAPI's dependency system (no role can be read): {others}"


def test_every_route_by_every_role(api: Api) -> None:
    problems = []
    for endpoint in endpoints(api.app):
        if endpoint.role is None and endpoint.path not in PUBLIC:
            continue  # reported by the test above
        for caller in CALLERS if endpoint.role is not None else (NO_TOKEN,):
            response = api.client.request(endpoint.method, endpoint.url, headers=_headers(api, caller))
            problem = _problem(endpoint, caller, response.status_code, response.headers.get("www-authenticate"))
            if problem:
                problems.append(f"{endpoint} as {caller}: {problem}: {response.text[:200]}")
    assert not problems, "\n".join(problems)
