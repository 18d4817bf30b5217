"""An API server process's database engine and interpreter settings (``netatlas.api.context``,
``netatlas.api.app.service_app``): no ping before each checkout (a round trip on every request's
path) but connections renewed after ``pool_recycle``; other engines keep the ping; each server
process lowers the thread switch interval."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from netatlas.api.app import SWITCH_S, service_app
from netatlas.api.context import open_context
from netatlas.settings import load_settings
from netatlas.store import Database
from netatlas.store.database import SERVING_ENGINE


@pytest.fixture
def url(tmp_path: Path) -> str:
    found = f"sqlite:///{tmp_path / 'netatlas.db'}"
    Database.open(found, upgrade=True).close()
    return found


@pytest.fixture
def switch_interval() -> Iterator[None]:
    before = sys.getswitchinterval()
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def test_the_api_engine_does_not_ping_and_recycles(url: str, tmp_path: Path) -> None:
    ctx = open_context(load_settings(home=tmp_path / "home", database_url=url))
    try:
        pool = ctx.db.engine.pool
        assert (pool._pre_ping, pool._recycle) == (False, SERVING_ENGINE["pool_recycle"])
        assert ctx.db.schema().up_to_date  # and it works
    finally:
        ctx.extras["close"]()


def test_other_engines_keep_the_ping() -> None:
    with Database("postgresql+psycopg://netatlas@127.0.0.1:1/netatlas") as db:  # the engine connects lazily
        assert db.engine.pool._pre_ping is True
    with Database("postgresql+psycopg://netatlas@127.0.0.1:1/netatlas", **SERVING_ENGINE) as db:
        assert db.engine.pool._pre_ping is False


def test_each_server_process_lowers_the_switch_interval(url: str, tmp_path: Path, switch_interval: None,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETATLAS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NETATLAS_DATABASE_URL", url)
    monkeypatch.delenv("NETATLAS_BROKER_URL", raising=False)
    sys.setswitchinterval(0.005)
    app = service_app()
    try:
        assert sys.getswitchinterval() == pytest.approx(SWITCH_S)
    finally:
        app.state.context.extras["close"]()


def test_the_server_parses_http_with_httptools() -> None:
    """uvicorn's ``http="auto"`` (what ``netatlas serve`` runs) picks the C parser, a dependency, over
    pure-Python h11 (``bench/api.py``: discover-async p99 56-83 ms over 1,000 requests against 68-110 with h11)."""
    import uvicorn

    async def app(scope: object, receive: object, send: object) -> None:  # pragma: no cover: never called
        return None

    config = uvicorn.Config(app, http="auto")
    config.load()
    assert config.http_protocol_class.__name__ == "HttpToolsProtocol"
