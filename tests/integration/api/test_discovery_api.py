"""The discovery endpoints against a real lab over SSH, on SQLite and PostgreSQL, with real tokens.

One lab of 8 devices (two of them ``slow``: every command answers 600 s late, so with 10 attempts
they keep a job running for tens of seconds) serves every test. Jobs run in the server's process
(the local executor), exactly as ``netatlas serve`` runs them without a broker.
"""

from __future__ import annotations

import dataclasses
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import pytest
import redis

from netatlas.api.app import create_app
from netatlas.domain.accounts import Role
from netatlas.domain.errors import Unavailable
from netatlas.domain.records import DataType
from netatlas.inventory import load_inventory
from netatlas.jobs.discovery import DiscoveryService
from netatlas.lab.background import BackgroundLab
from netatlas.lab.runtime import Lab
from netatlas.lab.server import ServedDevice
from netatlas.store import JobRepo
from tests.integration.api.harness import Api, open_api
from tests.integration.discovery.helpers import FAST_FAILURE, make_lab, truth_mismatches, write_inventory
from tests.support.expected import expected

pytestmark = pytest.mark.integration

NETWORK = IPv4Network("127.101.0.0/16")
DEVICES = 8
SLOW = ("rtr10", "spine1")  # the seed's choice for "slow:2" (checked by the lab fixture)
SETTINGS = {**FAST_FAILURE, "retries": 10}  # a slow device keeps retrying for tens of seconds
ASYNC = "/api/topology/discover-async"
SYNC = "/api/topology/discover-sync"
FINAL = {"completed", "cancelled", "failed", "interrupted"}


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    prepared = make_lab("mixed", DEVICES, NETWORK, faults="slow:2")
    assert sorted(prepared.faults) == sorted(SLOW)
    with BackgroundLab(prepared):
        yield prepared


@pytest.fixture(scope="module")
def api(lab: Lab, db_url: str, home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    path = write_inventory(lab.inventory(), tmp_path_factory.mktemp("inv") / "lab.yaml")
    with open_api(db_url, home, **SETTINGS) as opened:
        ctx = opened.ctx
        DiscoveryService(ctx.db, ctx.box, ctx.settings).import_inventory(load_inventory(path))
        yield opened


def healthy(lab: Lab) -> list[str]:
    return [d.state.hostname for d in lab.devices if d.state.hostname not in SLOW]


def served(lab: Lab, name: str) -> ServedDevice:
    return next(d for d in lab.devices if d.state.hostname == name)


def progress(api: Api, job_id: str, **params: Any) -> dict[str, Any]:
    answer = api.get(f"/api/topology/discover/progress/{job_id}", params=params)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def wait_until(api: Api, job_id: str, done: Any, timeout: float = 90.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        body = progress(api, job_id, limit=1000)
        if done(body):
            return body
        assert time.monotonic() < deadline, f"job {job_id} never got there: {body}"
        time.sleep(0.2)


def wait_final(api: Api, job_id: str) -> dict[str, Any]:
    return wait_until(api, job_id, lambda body: body["status"] in FINAL)


@pytest.fixture(scope="module")
def finished(api: Api, lab: Lab) -> tuple[dict[str, Any], float, dict[str, Any]]:
    """A discover-async job over the healthy devices: its answer, how long it took, its final progress."""
    started = time.perf_counter()
    answer = api.post(ASYNC, json={"device_ids": healthy(lab)})
    elapsed = time.perf_counter() - started
    assert answer.status_code == 202, answer.text
    body: dict[str, Any] = answer.json()
    return body, elapsed, wait_final(api, body["job_id"])


def test_discover_async_answers_at_once_and_the_job_completes(finished: tuple[dict[str, Any], float,
                                                                                dict[str, Any]], lab: Lab) -> None:
    started, elapsed, final = finished
    job_id = started["job_id"]
    assert started == {"job_id": job_id, "status": "pending", "total_devices": len(healthy(lab)),
                       "progress_url": f"/api/topology/discover/progress/{job_id}",
                       "events_url": f"/api/topology/discover/{job_id}/events"}
    assert elapsed < 3.0, f"discover-async took {elapsed:.2f} s"
    assert final["status"] == "completed" and final["error"] is None
    assert (final["completed_devices"], final["failed_devices"]) == (len(healthy(lab)), 0)
    assert final["progress_percentage"] == 100.0
    assert final["started_at"] is not None and final["completed_at"] >= final["started_at"]
    assert {d["device_name"] for d in final["devices"]} == set(healthy(lab))
    assert all(d["status"] == "completed" and d["progress_percentage"] == 100 and d["error"] is None
               and d["attempt"] >= 1 and d["device_id"] == d["device_name"] for d in final["devices"])


def test_stored_data_equals_the_lab_truth(api: Api, finished: tuple[dict[str, Any], float, dict[str, Any]],
                                          lab: Lab) -> None:
    job_id = finished[0]["job_id"]
    problems = [p for name in healthy(lab)[:3] for p in truth_mismatches(api.ctx.db, served(lab, name),
                                                                        job_id=job_id)]
    assert not problems, "\n".join(problems[:10])


def test_the_job_records_the_principal_label_never_the_token(
        api: Api, finished: tuple[dict[str, Any], float, dict[str, Any]]) -> None:
    final = finished[2]
    assert final["requested_by"] == "token:test-operator"
    with api.ctx.db.session(readonly=True) as session:
        job = JobRepo(session).get(final["job_id"])
    assert job.requested_by == "token:test-operator" and job.options["requested_by"] == "token:test-operator"
    assert api.token(Role.OPERATOR) not in repr(job)


def test_progress_pages_through_the_devices(api: Api, finished: tuple[dict[str, Any], float,
                                                                       dict[str, Any]]) -> None:
    job_id, every = finished[0]["job_id"], finished[2]["devices"]
    first, rest = progress(api, job_id, offset=0, limit=4), progress(api, job_id, offset=4, limit=4)
    assert (first["offset"], first["limit"], first["more"], len(first["devices"])) == (0, 4, True, 4)
    assert (rest["more"], len(rest["devices"])) == (False, len(every) - 4)
    assert first["devices"] + rest["devices"] == every
    for params in ({"limit": 0}, {"limit": 100_000}, {"offset": -1}, {"limit": "x"}):
        answer = api.get(f"/api/topology/discover/progress/{job_id}", params=params)
        assert answer.status_code == 422, (params, answer.text)
        assert next(iter(params)) in answer.json()["message"]


def test_progress_of_an_unknown_job_is_404(api: Api) -> None:
    answer = api.get(f"/api/topology/discover/progress/{uuid.uuid4()}")
    assert answer.status_code == 404 and "no job" in answer.json()["message"].lower()


def test_discover_sync_returns_statuses_and_counts(api: Api, lab: Lab) -> None:
    names = healthy(lab)[:2]
    answer = api.post(SYNC, json={"device_ids": names, "include_mac_table": False})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["status"], body["total_devices"], body["completed_devices"]) == ("completed", 2, 2)
    for device in body["devices"]:
        assert (device["status"], device["error_kind"], device["error"]) == ("completed", None, None)
        truth = served(lab, device["device_name"])
        want = expected(truth.state, truth.rib, frozenset({DataType.INTERFACES, DataType.ARP}))
        collected = device["collected"]
        assert "mac" not in collected and collected["facts"] == 1
        assert (collected["interfaces"], collected["arp"]) == (len(want.interfaces), len(want.arp))


def test_discover_sync_refuses_more_devices_than_its_limit(api: Api, lab: Lab) -> None:
    api.ctx.settings = api.ctx.settings.model_copy(update={"sync_max_devices": 2})
    try:
        answer = api.post(SYNC, json={"device_ids": healthy(lab)[:3]})
    finally:
        api.ctx.settings = api.ctx.settings.model_copy(update={"sync_max_devices": 20})
    assert answer.status_code == 413
    assert "discover-async" in answer.json()["message"] and "at most 2" in answer.json()["message"]


def test_discover_sync_times_out_with_the_job_id_and_the_job_goes_on(api: Api) -> None:
    api.ctx.settings = api.ctx.settings.model_copy(update={"sync_timeout": 0.5})
    try:
        started = time.monotonic()
        answer = api.post(SYNC, json={"device_ids": [SLOW[0]]})
        waited = time.monotonic() - started
    finally:
        api.ctx.settings = api.ctx.settings.model_copy(update={"sync_timeout": 120.0})
    assert answer.status_code == 408, answer.text
    body = answer.json()
    assert body["progress_url"].endswith(body["job_id"]) and "discover-async" in body["message"]
    assert waited < 5.0
    assert progress(api, body["job_id"])["status"] == "running"
    assert api.delete(f"/api/topology/discover/{body['job_id']}").status_code == 202
    assert wait_final(api, body["job_id"])["status"] == "cancelled"


@pytest.mark.parametrize(("body", "status", "named"), [
    ({"device_ids": ["core1"], "include_everything": True}, 422, "include_everything"),
    ({"device_ids": []}, 422, "device_ids"),
    ({}, 422, "device_ids"),
    ({"site": None}, 422, "device_ids"),
    ({"device_ids": ["core1", "nosuch1", "nosuch2"]}, 404, "device_ids: no stored device has the id "
                                                           "'nosuch1', 'nosuch2'"),
    ({"device_ids": ["core1"], "concurrency": 0}, 422, "concurrency"),
    ({"device_ids": ["core1"], "concurrency": 5000}, 422, "concurrency"),
    ({"device_ids": "core1"}, 422, "device_ids"),
    ({"device_ids": ["core1"], "include_arp": "yes"}, 422, "include_arp"),
    ({"device_ids": [["core1"]]}, 422, "device_ids"),
    ({"device_ids": ["core1"], "concurrency": "5"}, 422, "concurrency"),
    ({"site": "nowhere"}, 404, "site"),
    ({"tags": ["lab", "no-such-tag"]}, 404, "tags"),
])
def test_bad_bodies_are_4xx_naming_the_field(api: Api, body: dict[str, Any], status: int, named: str) -> None:
    before = _job_count(api)
    for path in (ASYNC, SYNC):
        answer = api.post(path, json=body)
        assert answer.status_code == status, (path, answer.text)
        assert named in answer.json()["message"], answer.json()
    assert _job_count(api) == before, "a refused request created a job"


def test_a_malformed_json_body_is_422(api: Api) -> None:
    answer = api.client.post(ASYNC, content=b"{not json", headers={**api.auth(Role.OPERATOR),
                                                                    "Content-Type": "application/json"})
    assert answer.status_code == 422


def test_duplicates_are_removed_and_site_selects(api: Api, lab: Lab) -> None:
    flags_off = {flag: False for flag in ("include_interfaces", "include_cdp_neighbors", "include_lldp_neighbors",
                                          "include_static_routes", "include_ospf_routes", "include_bgp_routes",
                                          "include_routing_neighbors", "include_mac_table", "include_arp")}
    answer = api.post(ASYNC, json={"device_ids": ["core1", "core1", "dist1"], "site": "hq", **flags_off})
    assert answer.status_code == 202, answer.text
    hq = sorted(d.state.hostname for d in lab.devices if d.state.site == "hq")
    assert answer.json()["total_devices"] == len(hq)
    final = wait_final(api, answer.json()["job_id"])
    assert sorted(d["device_name"] for d in final["devices"]) == hq
    with api.ctx.db.session(readonly=True) as session:
        assert JobRepo(session).get(final["job_id"]).options["data_types"] == []


def test_a_viewer_cannot_start_or_cancel(api: Api, lab: Lab) -> None:
    assert api.post(ASYNC, Role.VIEWER, json={"device_ids": healthy(lab)[:1]}).status_code == 403
    assert api.delete(f"/api/topology/discover/{uuid.uuid4()}", Role.VIEWER).status_code == 403
    assert api.client.post(ASYNC, json={"device_ids": healthy(lab)[:1]}).status_code == 401


def test_cancel_unknown_is_404_and_finished_is_409(api: Api,
                                                   finished: tuple[dict[str, Any], float, dict[str, Any]]) -> None:
    assert api.delete(f"/api/topology/discover/{uuid.uuid4()}").status_code == 404
    answer = api.delete(f"/api/topology/discover/{finished[0]['job_id']}")
    assert answer.status_code == 409 and "already ended" in answer.json()["message"]


def test_cancel_stops_a_running_job_and_keeps_what_finished(api: Api, lab: Lab) -> None:
    answer = api.post(ASYNC, json={"device_ids": [d.state.hostname for d in lab.devices], "concurrency": 8})
    job_id = answer.json()["job_id"]
    wait_until(api, job_id, lambda body: body["completed_devices"] == len(healthy(lab)))
    cancelled = api.delete(f"/api/topology/discover/{job_id}")
    assert cancelled.status_code == 202, cancelled.text
    assert cancelled.json()["job_id"] == job_id and cancelled.json()["status"] in ("cancelling", "cancelled")
    stopped_at = time.monotonic()
    final = wait_final(api, job_id)
    assert time.monotonic() - stopped_at < 10.0
    assert (final["status"], final["completed_devices"], final["cancelled_devices"]) == (
        "cancelled", len(healthy(lab)), len(SLOW))
    by_name = {d["device_name"]: d for d in final["devices"]}
    assert all(by_name[name]["status"] == "cancelled" for name in SLOW)
    problems = truth_mismatches(api.ctx.db, served(lab, healthy(lab)[0]), job_id=job_id)
    assert not problems, "\n".join(problems[:10])


def test_the_deprecated_endpoint_still_works_and_says_so(api: Api, lab: Lab) -> None:
    answer = api.post("/api/topology/discover", json={"device_ids": healthy(lab)[:1]})
    assert answer.status_code == 202, answer.text
    assert answer.headers["Deprecation"] == "true"
    assert "/api/topology/discover-async" in answer.headers["Link"]
    assert set(answer.json()) == {"job_id", "status", "total_devices", "progress_url", "events_url"}
    wait_final(api, answer.json()["job_id"])
    spec = api.client.get("/openapi.json").json()
    assert spec["paths"]["/api/topology/discover"]["post"]["deprecated"] is True
    assert not spec["paths"]["/api/topology/discover-async"]["post"].get("deprecated")


class _BrokerDown:
    """The one stand-in of this module: an executor whose broker is down, as the Celery executor
    reports it (``Unavailable``); the real broker-down path is tested with Celery."""

    def submit(self, job_id: str) -> None:
        raise Unavailable("cannot reach the broker", hint="is Redis running?")

    def cancel(self, job_id: str) -> bool:
        return False

    def health(self) -> dict[str, Any]:
        return {"executor": "celery", "ok": False, "workers": 0}


def test_broker_down_is_503_and_the_job_does_not_stay_pending(api: Api, lab: Lab) -> None:
    from fastapi.testclient import TestClient

    down = create_app(dataclasses.replace(api.ctx, executor=_BrokerDown(), extras={}))
    with TestClient(down) as client:
        answer = client.post(ASYNC, json={"device_ids": healthy(lab)[:1]}, headers=api.auth(Role.OPERATOR))
    assert answer.status_code == 503
    assert answer.json()["message"] == "Background job service is not available"
    assert answer.json()["hint"] == "is Redis running?"
    with api.ctx.db.session(readonly=True) as session:
        job = JobRepo(session).list(limit=1)[0]
    assert (job.status.value, job.message) == ("failed", "Background job service is not available")


@contextmanager
def private_redis(directory: Path) -> Iterator[str]:
    """A redis-server of this test alone on a free loopback port (its queue dies with it); yields its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(directory)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = redis.Redis(port=port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.RedisError:
                assert time.monotonic() < deadline and process.poll() is None, "redis-server did not start"
                time.sleep(0.05)
        client.close()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


def test_a_job_no_worker_takes_reports_waiting_for_worker(api: Api, lab: Lab, db_url: str, home: Path,
                                                          tmp_path: Path) -> None:
    """Celery with a live broker and no worker: past NETATLAS_WORKER_WAIT the job reads waiting_for_worker."""
    with private_redis(tmp_path) as url, open_api(db_url, home, broker_url=url, worker_wait=0.5,
                                                   **SETTINGS) as celery:
        operator, viewer = api.auth(Role.OPERATOR), api.auth(Role.VIEWER)  # tokens live in the shared database
        answer = celery.client.post(ASYNC, json={"device_ids": healthy(lab)[:1]}, headers=operator)
        assert answer.status_code == 202, answer.text
        job_id = answer.json()["job_id"]
        deadline = time.monotonic() + 20
        while (body := celery.client.get(f"/api/topology/discover/progress/{job_id}", headers=viewer).json())[
                "status"] != "waiting_for_worker":
            assert body["status"] == "pending" and time.monotonic() < deadline, body
            time.sleep(0.2)
        cancelled = celery.client.delete(f"/api/topology/discover/{job_id}", headers=operator)
        assert cancelled.status_code == 202 and cancelled.json()["status"] == "cancelled", cancelled.text


def _job_count(api: Api) -> int:
    with api.ctx.db.session(readonly=True) as session:
        return len(JobRepo(session).list(limit=10_000))
