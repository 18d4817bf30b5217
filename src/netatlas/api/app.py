"""The FastAPI application: every router, the error mapping, the OpenAPI description.

``create_app(ctx)`` takes a ready :class:`ApiContext` (``open_context`` builds one from settings),
so tests build apps over their own database and executor. While the app runs (its lifespan), jobs
whose owner is gone are looked for in the background (``recover_periodically``), never on a
request's path. Routers live in ``netatlas.api.routes``, one module per resource, each owning its
full paths (``/api/...``, and ``/metrics``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from netatlas import __version__
from netatlas.api import errors, metrics
from netatlas.api.context import ApiContext
from netatlas.api.routes import ROUTERS
from netatlas.api.routes.discovery import recover_periodically
from netatlas.api.routes.topology import keep_warm
from netatlas.web import install as install_ui

# A thread that wakes (a request's database work in a worker thread, the loop after it) waits for the
# GIL up to the switch interval (Python's default 5 ms) while another thread holds it, at each wake-up:
# embedded, behind the jobs' thread (SSH sessions, storage); with a broker, the event loop parsing a
# burst of progress polls and the worker thread doing discover-async's round trips to PostgreSQL and
# Redis wait for each other. 1 ms roughly halves a request's wait behind a busy thread (measured: p99
# 79 -> 45 ms of a three-hop request beside a CPU-bound thread) for a little throughput. ``netatlas
# serve`` sets it in every server process (``service_app`` in each process of ``--workers N``).
SWITCH_S = 0.001

DESCRIPTION = """netatlas discovers a network's topology over SSH and serves it.

Every endpoint but `/api/health` and these docs needs `Authorization: Bearer <token>`: an API token
(`netatlas token create --name ci --role operator`) or a login token from `POST /api/auth/login`.
Roles: **viewer** reads; **operator** also starts and cancels discovery; **admin** also manages
devices, credentials, tokens and users.
"""


def create_app(ctx: ApiContext) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(recover_periodically(ctx), name="netatlas-recovery"),
                 asyncio.create_task(keep_warm(ctx), name="netatlas-topology-warm")]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        close = ctx.extras.get("close")
        if callable(close):
            close()

    app = FastAPI(title="netatlas", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    app.state.context = ctx
    errors.install(app)
    metrics.install(app)  # its own Prometheus registry and the request middleware
    for router in ROUTERS:
        app.include_router(router)
    install_ui(app)  # the web UI at / and /ui/ (after the routers: never shadows /api, /docs, /metrics)
    return app


def service_app() -> FastAPI:
    """The app over the context the environment's settings describe: the factory each process of
    ``netatlas serve --workers N`` builds its app with (the database already migrated by the parent),
    with the thread switch interval :data:`SWITCH_S`."""
    import sys

    from netatlas.api.context import open_context
    from netatlas.settings import load_settings

    sys.setswitchinterval(SWITCH_S)
    return create_app(open_context(load_settings()))
