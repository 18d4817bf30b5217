"""The web UI: static files served by ``netatlas serve`` (see docs/web.md).

The UI is plain JavaScript modules and CSS under ``static/`` (cytoscape.js vendored from the npm
registry by ``make ui``; nothing comes from a CDN, users' networks are often air-gapped). It holds no
data and no secret: the browser logs in through ``POST /api/auth/login`` and reads everything through
the public API with the user's own token, so the API's roles are the UI's roles.

:func:`install` serves ``index.html`` at exactly ``GET /`` and the assets under ``/ui/``; neither
shadows ``/api``, ``/docs``, ``/openapi.json`` or ``/metrics``. The index is answered by a small ASGI
middleware rather than a route, so the API's route walk (every route declares a role) sees only the
static mount. Both answer with a Content-Security-Policy that allows this origin only: a script
injected through device text could not load or send anything elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC = Path(__file__).parent / "static"
PREFIX = "/ui"
# Scripts, styles, fetches and images from this origin only (images also as data:/blob: for the PNG
# export); cytoscape sets element styles from script, which 'unsafe-inline' for styles allows.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"no-referrer")]


def install(app: FastAPI) -> None:
    """Serve the UI from ``app``: call after the API's routers (its routes keep precedence)."""
    app.mount(PREFIX, StaticFiles(directory=STATIC), name="ui")
    app.add_middleware(_UiMiddleware)


class _UiMiddleware:
    """``GET /`` (and ``HEAD``) answers the UI's index; every UI answer gets the security headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path == "/" and scope["method"] in ("GET", "HEAD"):
            body = (STATIC / "index.html").read_bytes()
            headers = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                       (b"cache-control", b"no-cache"), *HEADERS]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
            return
        if not path.startswith(PREFIX + "/"):
            await self.app(scope, receive, send)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *HEADERS]}
            await send(message)

        await self.app(scope, receive, secured)
