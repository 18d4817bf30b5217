"""``GET /api/health`` as the executor reports: fake executors (the broker down, no worker, a check
that hangs or raises) over a real SQLite database; the health answers in bounded time with
``degraded`` and the reason, and never shows a broker password.

The real Celery executor against a closed port, and a database that is down or hangs, are in
``tests/integration/api/test_ops.py``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from netatlas import __version__
from netatlas.api.app import create_app
from netatlas.api.context import ApiContext, open_context
from netatlas.api.routes import ops
from netatlas.settings import load_settings
from netatlas.store import Database

PASSWORD = "s3cret-broker-pw"


@dataclass
class FakeExecutor:
    """Answers ``health()`` with ``report``; ``hang``: blocks until released; ``error``: raises it."""

    report: dict[str, Any] = field(default_factory=dict)
    hang: threading.Event | None = None
    error: Exception | None = None
    calls: int = 0

    def submit(self, job_id: str) -> None:
        raise AssertionError("health submits nothing")

    def cancel(self, job_id: str) -> bool:
        raise AssertionError("health cancels nothing")

    def health(self) -> dict[str, Any]:
        self.calls += 1
        if self.hang is not None:
            self.hang.wait(60)
        if self.error is not None:
            raise self.error
        return self.report


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiContext]:
    tmp_path = tmp_path_factory.mktemp("health")
    url = f"sqlite:///{tmp_path / 'netatlas.db'}"
    Database.open(url, upgrade=True).close()
    ctx = open_context(load_settings(home=tmp_path / "home", database_url=url))
    try:
        yield ctx
    finally:
        ctx.extras["close"]()


def health(base: ApiContext, executor: FakeExecutor) -> tuple[int, dict[str, Any], float]:
    app = create_app(replace(base, executor=executor, extras={}))
    client = TestClient(app)  # no lifespan: the base context is closed by the fixture
    started = time.monotonic()
    response = client.get("/api/health")
    body: dict[str, Any] = response.json()
    assert PASSWORD not in response.text
    return response.status_code, body, time.monotonic() - started


def test_a_healthy_celery_executor_with_workers_is_ok(base: ApiContext) -> None:
    status, body, _ = health(base, FakeExecutor({"executor": "celery", "ok": True, "workers": ["w1@a", "w2@b"]}))
    assert status == 200
    assert (body["status"], body["workers"], body["reasons"], body["version"]) == ("ok", 2, [], __version__)
    assert body["database"]["ok"] is True and body["database"]["backend"] == "sqlite"


def test_broker_down_is_degraded_with_the_reason_and_no_password(base: ApiContext) -> None:
    report = {"executor": "celery", "ok": False, "workers": 0,
              "broker": f"redis://:{PASSWORD}@127.0.0.1:1/0", "error": "Error 111 connecting to 127.0.0.1:1"}
    status, body, _ = health(base, FakeExecutor(report))
    assert status == 200  # the database answers: stored data can still be read
    assert body["status"] == "degraded"
    assert body["reasons"] == ["broker unavailable: Error 111 connecting to 127.0.0.1:1"]
    assert body["broker"]["broker"].startswith("redis://") and "127.0.0.1:1" in body["broker"]["broker"]


def test_no_worker_consuming_is_degraded(base: ApiContext) -> None:
    status, body, _ = health(base, FakeExecutor({"executor": "celery", "ok": True, "workers": 0}))
    assert (status, body["status"], body["workers"]) == (200, "degraded", 0)
    assert body["reasons"] == ["no worker consumes discovery jobs: start one with `netatlas worker`"]


def test_a_hung_executor_check_answers_within_its_timeout(base: ApiContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ops, "EXECUTOR_TIMEOUT_S", 0.5)
    release = threading.Event()
    executor = FakeExecutor({"executor": "celery", "ok": True, "workers": 1}, hang=release)
    try:
        status, body, elapsed = health(base, executor)
        assert (status, body["status"]) == (200, "degraded")
        assert body["reasons"] == ["broker unavailable: the executor's health check did not answer within 0.5 s"]
        assert elapsed < 5
        assert body["database"]["ok"] is True  # the database check is not held up by the executor's
    finally:
        release.set()


def test_a_check_that_raises_is_degraded(base: ApiContext) -> None:
    executor = FakeExecutor(error=RuntimeError(f"cannot connect to amqp://guest:{PASSWORD}@127.0.0.1:1//"))
    status, body, _ = health(base, executor)
    assert (status, body["status"]) == (200, "degraded")
    assert body["reasons"][0].startswith("broker unavailable: cannot connect to amqp://")
