"""``netatlas worker``: a Celery worker for discovery jobs (``NETATLAS_BROKER_URL`` names the broker).

At start it upgrades the database schema, as ``netatlas db upgrade`` does (behind the migration
lock, so workers and servers started together migrate once), opens the secret box with its own
``NETATLAS_SECRET_KEY`` (or key file) and then consumes the ``discovery`` queue. Each task is a
chunk of a job's devices run concurrently on an event loop; ``--concurrency`` is how many chunks
this process runs at once (threads, each with its own loop), so one process holds up to
``--concurrency`` x 50 SSH sessions. Once consuming, it writes a heartbeat with its name and queues
to the broker's Redis every few seconds (``netatlas.jobs.celery_app.Heartbeat``): that is how the API
counts live workers and finds the workers of a site's queue. Only typer and the standard library
are imported at the top.
"""

from __future__ import annotations

import os
import socket
from typing import Annotated

import typer


def worker(
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Chunks run at once by this process "
                                                                 "(each up to 50 devices in parallel).")] = 4,
    queues: Annotated[str, typer.Option(help="Queues to consume, comma-separated.")] = "discovery",
    loglevel: Annotated[str, typer.Option(help="Log level: debug, info, warning, error.")] = "info",
    name: Annotated[str | None, typer.Option(help="Worker name (default: netatlas-<pid>@<host>).")] = None,
) -> None:
    """Run a Celery worker for discovery jobs (the schema is upgraded first)."""
    from netatlas.cli.common import fail, settings
    from netatlas.domain.errors import NetatlasError
    from netatlas.store import Database

    config = settings()
    if not config.broker_url:
        fail("NETATLAS_BROKER_URL is not set: a worker needs the broker (e.g. redis://127.0.0.1:6379/0)")
    if not config.database_url:
        fail("NETATLAS_DATABASE_URL is not set: workers share the server's database (PostgreSQL)")
    try:
        Database.open(config.database_url, upgrade=True).close()
        from netatlas.jobs.celery_app import app, configure_worker

        configure_worker(app, config)
    except NetatlasError as exc:
        fail(str(exc))
    node = name or f"netatlas-{os.getpid()}@{socket.gethostname()}"
    app.worker_main(["worker", "--pool=threads", f"--concurrency={concurrency}", f"--queues={queues}",
                     f"--loglevel={loglevel.upper()}", f"--hostname={node}"])
