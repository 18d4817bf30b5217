"""``netatlas serve``: the REST API (and, with no broker configured, the in-process executor).

At start it checks the API signing key (``NETATLAS_API_SECRET``: required, and not a placeholder,
outside development), migrates the database behind the migration lock (as ``netatlas db upgrade``:
two servers started at once migrate once), then serves with uvicorn. Without
``NETATLAS_BROKER_URL`` jobs run in this process; with it they go to Celery workers, and
``--workers N`` (``NETATLAS_API_WORKERS``) serves from N processes sharing the port (each with its
own context, built by ``netatlas.api.app:service_app``; live progress reaches every one of them
over the broker's Redis). Several processes need a broker: in-process jobs and their events live
in one process. In every server process the interpreter's thread switch interval is lowered to 1 ms,
so requests wait less behind other threads (see ``netatlas.api.app.SWITCH_S``).

SIGTERM or Ctrl-C stop it cleanly: open requests get a few seconds, then the executor shuts down
(jobs running here end ``interrupted``, every device row final) and the database is closed; the
exit status is then 0 after SIGTERM and 130 after Ctrl-C.
Only typer and the standard library are imported at module level (``netatlas --help`` stays fast).
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType
from typing import Annotated

import typer

GRACEFUL_S = 3  # seconds open requests (event streams) get at shutdown before they are cut


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0: every interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port to listen on.")] = 8000,
    db: Annotated[str | None, typer.Option("--db", help="Database URL (default: NETATLAS_DATABASE_URL or the "
                                                        "SQLite file under NETATLAS_HOME).")] = None,
    workers: Annotated[int | None, typer.Option(min=1, max=64, help=(
        "Server processes sharing the port (default: NETATLAS_API_WORKERS, 1); more than 1 needs "
        "NETATLAS_BROKER_URL."))] = None,
) -> None:
    """Serve the REST API (docs at /docs); without NETATLAS_BROKER_URL jobs run in this process."""
    import uvicorn

    from netatlas.api.app import SWITCH_S, create_app
    from netatlas.api.context import open_context
    from netatlas.cli.common import err, fail, say, settings
    from netatlas.domain.errors import NetatlasError
    from netatlas.domain.text import mask_url

    config = settings(db)
    processes = workers if workers is not None else config.api_workers
    if processes > 1 and not config.broker_url:
        fail(f"{processes} server processes need NETATLAS_BROKER_URL (Celery workers run the jobs and Redis "
             "carries their live progress to every process); without a broker serve from one process")
    try:
        config.api_signing_key()  # refused outside development when missing or a placeholder
        ctx = open_context(config, upgrade=True)  # migrated first, behind the migration lock
    except NetatlasError as exc:
        fail(str(exc))
    executor = "Celery workers at " + mask_url(config.broker_url) if config.broker_url else "this process"
    say("netatlas API on http://", host, ":", port, " (docs at /docs); database ", mask_url(config.database_url),
        "; jobs run in ", executor, f"; {processes} server processes" if processes > 1 else "", console=err)
    # The app's lifespan closes the context on the way out: the executor first (jobs interrupted), then the
    # database. uvicorn re-raises the signal that stopped it once it is done; SIGTERM then meets this no-op
    # handler, so a service stopped on request exits 0 (Ctrl-C still ends as an interrupt, exit 130).
    sys.setswitchinterval(SWITCH_S)
    previous = signal.signal(signal.SIGTERM, _stopped)
    try:
        if processes > 1:
            close = ctx.extras.get("close")  # each process opens its own context (the schema is migrated now)
            if callable(close):
                close()
            if db:
                os.environ["NETATLAS_DATABASE_URL"] = db  # the processes read the settings from the environment
            uvicorn.run("netatlas.api.app:service_app", factory=True, workers=processes, host=host, port=port,
                        log_level="info", timeout_graceful_shutdown=GRACEFUL_S, server_header=False)
        else:
            uvicorn.run(create_app(ctx), host=host, port=port, log_level="info",
                        timeout_graceful_shutdown=GRACEFUL_S, server_header=False)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stopped(signum: int, frame: FrameType | None) -> None:
    """SIGTERM after uvicorn's clean shutdown: nothing left to do."""
