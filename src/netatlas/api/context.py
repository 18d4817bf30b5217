"""What every request handler may use: settings, the database, the executor, the event bus, auth.

Built once per process by :func:`open_context` (``netatlas serve``, or a test), held by the app
(``request.app.state.context``) and read by handlers through :func:`context` (a FastAPI
dependency). Handlers hold no state of their own: everything a caller sees is in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Protocol

from fastapi import Depends, Request

from netatlas.domain.accounts import Principal
from netatlas.jobs.events import EventSink
from netatlas.jobs.executor import Executor
from netatlas.secrets import SecretBox
from netatlas.settings import Settings
from netatlas.store import Database


class Authenticator(Protocol):
    """Turns a bearer token (an API token or a login JWT) into a principal; None when it is not valid."""

    def authenticate(self, token: str) -> Principal | None:
        """Blocking (it may read the database): called in a worker thread."""

    def remembered(self, token: str) -> Principal | None:
        """A recent valid answer of :meth:`authenticate` for ``token``, without blocking (None: ask it)."""


class Bus(EventSink, Protocol):
    def subscribe(self, job_id: str) -> Any:
        """An async context manager yielding an async iterator of the job's ``ProgressEvent``s."""


@dataclass
class ApiContext:
    settings: Settings
    db: Database
    box: SecretBox
    executor: Executor
    bus: Bus
    auth: Authenticator
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    extras: dict[str, Any] = field(default_factory=dict)  # per-process helpers and caches of the routers


def context(request: Request) -> ApiContext:
    """The process's context."""
    found: ApiContext = request.app.state.context
    return found


async def app_context(request: Request) -> ApiContext:
    """:func:`context` as a FastAPI dependency (async: FastAPI would run a plain function in its thread
    pool, a thread hop per request for a dictionary lookup)."""
    return context(request)


Ctx = Annotated[ApiContext, Depends(app_context)]


def open_context(settings: Settings, *, upgrade: bool = False) -> ApiContext:
    """Everything a server process needs, from settings: the database (its schema checked;
    ``upgrade``: migrated first, behind the migration lock, as ``netatlas serve`` does; its engine
    without a ping per checkout: ``SERVING_ENGINE``), the
    secret box (its key verified), the executor (Celery when ``NETATLAS_BROKER_URL`` is set, else
    in-process) with its event bus, and the authenticator. Raises ``NetatlasError`` subclasses.
    """
    from netatlas.jobs.accounts import AUTH_CACHE_TTL_S, AccountService
    from netatlas.jobs.discovery import DiscoveryService
    from netatlas.settings import prepare_storage
    from netatlas.store.database import SERVING_ENGINE, is_embedded

    prepare_storage(settings)
    url = settings.database_url
    db = Database.open(url, upgrade=upgrade or is_embedded(url, settings.home), **SERVING_ENGINE)
    try:
        box = SecretBox.for_database(settings, db)
        auth = AccountService(db, settings, cache_ttl=AUTH_CACHE_TTL_S)  # revocation elsewhere: within the TTL
        bus: Bus
        executor: Executor
        if settings.broker_url:
            from netatlas.jobs.celery_executor import CeleryExecutor, RedisBus

            bus = RedisBus(settings.broker_url)
            executor = CeleryExecutor(settings, db)
        else:
            from netatlas.jobs.events import LocalBus
            from netatlas.jobs.executor import LocalExecutor

            bus = LocalBus()
            executor = LocalExecutor(DiscoveryService(db, box, settings, events=bus))
    except BaseException:
        db.close()
        raise

    def close() -> None:
        shutdown = getattr(executor, "shutdown", None)
        if callable(shutdown):
            shutdown()
        closer = getattr(bus, "close", None)
        if callable(closer):
            closer()
        db.close()

    return ApiContext(settings, db, box, executor, bus, auth, extras={"close": close})
