"""Operations endpoints on SQLite and PostgreSQL: ``GET /api/health`` and ``GET /metrics``.

- health needs no token and reports the database, the executor and the version; with the real
  Celery executor, a broker on a closed port is 200 ``degraded`` (the password never shown), and a
  live Redis no worker reads shows 0 workers;
- a database made unreachable (the PostgreSQL database dropped, the SQLite file removed) gives 503
  at once; a PostgreSQL server that accepts connections and never answers gives 503 within the
  check's timeout, and asking again does not start a second check (one thread, however often);
- ``/metrics`` needs a viewer token; its text parses as Prometheus text; after a real discovery
  (a lab over SSH on 127.108.0.0/16, one device refusing logins) the job, device, error-kind and
  collection-latency figures move by what the job did, and requests are counted by route template.
"""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from ipaddress import IPv4Network
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from netatlas import __version__
from netatlas.api.app import create_app
from netatlas.api.routes import ops
from netatlas.domain.accounts import Role
from netatlas.lab.background import BackgroundLab
from netatlas.lab.runtime import Lab
from netatlas.store import Database
from netatlas.store.database import head_revision
from tests.integration.api.harness import Api, open_api
from tests.integration.discovery.helpers import (
    FAST_FAILURE,
    PG_ADMIN,
    Discovery,
    make_lab,
    migrated,
    pg_database,
    write_inventory,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

NETWORK = IPv4Network("127.108.0.0/16")
DEVICES = 6
BROKER_PASSWORD = "h5-broker-secret"
IDLE_BROKER = "redis://127.0.0.1:6379/14"  # the machine's Redis; no netatlas worker uses database 14
REFUSING = "leaf1"  # the lab refuses its logins: an auth_failed device
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture(scope="module")
def api(db_url: str, home: Path) -> Iterator[Api]:
    with open_api(db_url, home) as opened:
        yield opened


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    prepared = make_lab("mixed", DEVICES, NETWORK, faults=f"auth:{REFUSING}")
    with BackgroundLab(prepared):
        yield prepared


def test_health_needs_no_token_and_reports_the_database(api: Api, backend: str) -> None:
    response = api.client.get("/api/health")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["reasons"], body["version"]) == ("ok", [], __version__)
    assert body["database"]["ok"] is True
    assert (body["database"]["backend"], body["database"]["schema_revision"]) == (backend, head_revision())
    assert body["broker"]["executor"] == "local" and body["broker"]["ok"] is True
    assert body["workers"] is None  # the in-process executor runs jobs itself
    assert body["uptime_s"] >= 0
    assert api.client.get("/api/health", headers={"Authorization": "Bearer nonsense"}).status_code == 200


def test_health_is_degraded_when_the_broker_is_down(db_url: str, home: Path) -> None:
    """The real Celery executor, its broker a closed port: the database answers, so 200, degraded."""
    broker = f"redis://:{BROKER_PASSWORD}@127.0.0.1:{_closed_port()}/0"
    with open_api(db_url, home, broker_url=broker) as celery:
        started = time.monotonic()
        response = celery.client.get("/api/health")
        assert time.monotonic() - started < ops.EXECUTOR_TIMEOUT_S + 2
    body = response.json()
    assert response.status_code == 200, body
    assert (body["status"], body["database"]["ok"], body["workers"]) == ("degraded", True, 0)
    assert body["broker"]["executor"] == "celery" and body["broker"]["ok"] is False
    assert len(body["reasons"]) == 1 and body["reasons"][0].startswith("broker unavailable: ")
    assert BROKER_PASSWORD not in response.text


def test_health_shows_no_worker_when_none_consumes(db_url: str, home: Path) -> None:
    """A live Redis (its own database number) that no worker reads: 0 workers, degraded, and how to start one."""
    with open_api(db_url, home, broker_url=IDLE_BROKER) as celery:
        body = celery.client.get("/api/health").json()
    assert (body["status"], body["broker"]["ok"], body["workers"]) == ("degraded", True, 0)
    assert body["reasons"] == ["no worker consumes discovery jobs: start one with `netatlas worker`"]


def test_metrics_need_a_viewer_token(api: Api) -> None:
    assert api.client.get("/metrics").status_code == 401
    response = api.get("/metrics", Role.VIEWER)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")


def test_metrics_move_with_a_job(api: Api, lab: Lab, db_url: str, home: Path, tmp_path: Path) -> None:
    before = scrape(api)
    discovery = Discovery.open(db_url, home, **FAST_FAILURE)
    try:
        devices = discovery.import_file(write_inventory(lab.inventory(), tmp_path / "lab.yaml"))
        job_id = discovery.run(devices)
        durations = [d.duration_s for d in discovery.detail(job_id).devices]
    finally:
        discovery.close()
    assert api.get("/api/jobs/no-such-job").status_code == 404  # counted under its template, not its path
    assert api.client.get("/no/such/path").status_code == 404
    after = scrape(api)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("netatlas_jobs", status="completed") == 1
    assert moved("netatlas_job_devices", status="completed") == DEVICES - 1
    assert moved("netatlas_job_devices", status="failed") == 1
    assert value(after, "netatlas_devices_by_error_kind", error_kind="none") == DEVICES - 1
    assert value(after, "netatlas_devices_by_error_kind", error_kind="auth_failed") == 1
    assert moved("netatlas_device_failures_total", error_kind="auth_failed") == 1
    assert value(after, "netatlas_inventory_devices") == DEVICES
    assert moved("netatlas_device_collection_seconds_count") == DEVICES
    assert moved("netatlas_device_collection_seconds_sum") == pytest.approx(sum(d or 0 for d in durations))
    check_buckets(after, "netatlas_device_collection_seconds")
    assert moved("netatlas_http_requests_total", method="GET", route="/metrics", status="200") == 1
    assert moved("netatlas_http_requests_total", method="GET", route="/api/jobs/{job_id}", status="404") == 1
    assert moved("netatlas_http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert not [k for k in after if "no-such-job" in str(k) or "/no/such/path" in str(k)]
    assert value(after, "netatlas_http_request_duration_seconds_count", method="GET", route="/api/jobs/{job_id}") >= 1


def test_health_is_503_at_once_when_the_database_is_gone(backend: str, tmp_path: Path) -> None:
    with _doomed_database(backend, tmp_path) as (url, destroy), open_api(url, tmp_path / "home") as api:
        assert api.client.get("/api/health").json()["status"] == "ok"
        destroy()
        started = time.monotonic()
        response = api.client.get("/api/health")
        elapsed = time.monotonic() - started
        body = response.json()
        assert response.status_code == 503, body
        assert (body["status"], body["database"]["ok"]) == ("down", False)
        assert body["reasons"] and body["reasons"][0].startswith("database unreachable: ")
        assert "postgres@" not in response.text  # the URL (its user and host) is not shown to anyone
        assert elapsed < ops.DATABASE_TIMEOUT_S


def test_health_bounds_a_database_that_never_answers(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that accepts TCP connections and says nothing: the driver would wait for its connect
    timeout (10 s); health answers after its own (1 s here), and holds one check thread however often
    it is asked."""
    monkeypatch.setattr(ops, "DATABASE_TIMEOUT_S", 1.0)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        db = Database(f"postgresql+psycopg://postgres@127.0.0.1:{silent.getsockname()[1]}/netatlas")
        client = TestClient(create_app(dataclasses.replace(api.ctx, db=db, extras={})))  # no lifespan: shares api's
        try:
            for _ in range(3):
                started = time.monotonic()
                response = client.get("/api/health")
                assert time.monotonic() - started < 4
                assert response.status_code == 503
                assert response.json()["database"]["error"] == "no answer within 1 s"
            assert len([t for t in threading.enumerate() if t.name == "netatlas-check-database"]) == 1
        finally:
            db.close()
    _wait_for(lambda: not any(t.name == "netatlas-check-database" for t in threading.enumerate()), 15)


# ---- helpers ----------------------------------------------------------------------------------------


def scrape(api: Api) -> Samples:
    response = api.get("/metrics", Role.VIEWER)
    assert response.status_code == 200, response.text
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def check_buckets(samples: Samples, name: str) -> None:
    """Cumulative buckets that end at +Inf with the count."""
    buckets = sorted((float(dict(labels)["le"]), v) for (n, labels), v in samples.items() if n == f"{name}_bucket")
    counts = [v for _, v in buckets]
    assert counts == sorted(counts) and buckets[-1] == (float("inf"), value(samples, f"{name}_count"))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends: nothing listens there


def _wait_for(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


@contextmanager
def _doomed_database(backend: str, tmp_path: Path) -> Iterator[tuple[str, Callable[[], None]]]:
    """A migrated database of ``backend`` and a function that makes it unreachable while in use:
    PostgreSQL drops it (its connections are terminated), SQLite removes its files."""
    if backend == "sqlite":

        def remove() -> None:
            for path in tmp_path.glob("doomed.db*"):
                path.unlink()

        yield migrated(f"sqlite:///{tmp_path / 'doomed.db'}"), remove
        return
    with pg_database("ops_doomed") as url:

        def drop() -> None:
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE "{url.rsplit("/", 1)[-1]}" WITH (FORCE)')

        yield migrated(url), drop
