"""One mapping from the exception tree to HTTP answers, so handlers just raise.

::

    NotFound                 404
    Conflict                 409
    Unavailable              503  (+ "hint")
    TooManyAttempts          429  (+ Retry-After: the login brake)
    AuthError                401  (+ WWW-Authenticate: Bearer)
    InventoryError           422  (+ "problems": line, field, message)
    JobOptionsError          422
    RecordRejected           422  (a value the database cannot hold; details logged, never the database URL)
    StoreError               503  the database is not available (details logged)
    TooManyAttempts          429  (+ Retry-After: the login brake)
    AuthError                401  (+ WWW-Authenticate: Bearer)
    other NetatlasError      400
    HTTPException            its status, in this shape (401/403 from the security module...)
    unreadable body          422  on "body" (FastAPI's own 400 "error parsing the body")
    request validation       422  "message" names every field; "detail" is FastAPI's list without
                                  the rejected input (it may be a password)
    anything else            500  "internal error" (logged with its traceback, never shown)

Every error body is ``{"detail": ..., "message": ...}`` where ``message`` is one readable string.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from netatlas.domain.errors import Conflict, InventoryError, NetatlasError, NotFound, StoreError, Unavailable
from netatlas.domain.text import clean
from netatlas.jobs.accounts import AuthError, TooManyAttempts
from netatlas.jobs.request import JobOptionsError
from netatlas.store.database import RecordRejected

log = logging.getLogger(__name__)


def _answer(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": message, "message": message, **extra})


def _field(loc: Sequence[Any]) -> str:
    """``("body", "device_ids", 2)`` -> ``body.device_ids[2]``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
              for e in exc.errors()]
    message = "; ".join(f"{_field(e['loc'])}: {e['msg']}" for e in errors) or "invalid request"
    return JSONResponse(status_code=422, content={"detail": errors, "message": clean(message)})


async def _netatlas(request: Request, exc: Exception) -> JSONResponse:
    message = clean(str(exc))
    if isinstance(exc, NotFound):
        return _answer(404, message)
    if isinstance(exc, Conflict):
        return _answer(409, message)
    if isinstance(exc, Unavailable):
        return _answer(503, message, hint=exc.hint)
    if isinstance(exc, InventoryError):
        problems = [{"line": p.line, "field": p.field, "message": p.message} for p in exc.problems]
        return _answer(422, message, problems=problems)
    if isinstance(exc, JobOptionsError):
        return _answer(422, message, field=exc.field)
    if isinstance(exc, TooManyAttempts):
        busy = _answer(429, message)
        busy.headers["Retry-After"] = str(exc.retry_after)
        return busy
    if isinstance(exc, RecordRejected):  # its text names the database: logged, not shown
        log.warning("record rejected on %s %s: %s", request.method, request.url.path, message)  # cleaned
        return _answer(422, "a value in the request cannot be stored (the server log has the details)")
    if isinstance(exc, StoreError):
        log.error("database unavailable on %s %s: %s", request.method, request.url.path, message)
        return _answer(503, "the database is not available", hint="GET /api/health shows the database's state")
    if isinstance(exc, AuthError):
        refused = _answer(401, message)
        refused.headers["WWW-Authenticate"] = "Bearer"
        return refused
    return _answer(400, message)


async def _http(_: Request, exc: Exception) -> JSONResponse:
    """Starlette's and FastAPI's own refusals (401/403 from the security module, 404/405 routing) in
    our shape; a body FastAPI could not even read (``There was an error parsing the body``: not
    UTF-8, a broken form) is a 422 on ``body``, as an undecodable JSON body already is."""
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        errors = [{"loc": ["body"], "msg": "the body could not be read", "type": "body_unreadable"}]
        return JSONResponse(status_code=422, content={"detail": errors, "message": "body: the body could not be read"})
    message = exc.detail if isinstance(exc.detail, str) else clean(str(exc.detail))
    return JSONResponse(status_code=exc.status_code, content={"detail": exc.detail, "message": clean(message)},
                        headers=headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return _answer(500, "internal error (the server log has the details)")


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(NetatlasError, _netatlas)
    app.add_exception_handler(Exception, _unexpected)
