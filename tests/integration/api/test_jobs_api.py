"""``GET /api/jobs`` and ``GET /api/jobs/{id}`` on SQLite and PostgreSQL, with real tokens.

The jobs are rows written through the store as the engine writes them (created, some finished,
a crawl's unmanaged neighbors and an inventory conflict recorded): listing, the status filter,
pagination bounds and one job's report are read back through the API. A job run for real over
SSH is read back in ``test_topology_api``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from netatlas.domain.accounts import Role
from netatlas.domain.inventory import InventoryDevice
from netatlas.domain.records import DataType, JobStatus, Unmanaged
from netatlas.jobs.discovery import DiscoveryRequest
from netatlas.store import DeviceRepo, InventoryConflict, JobRepo
from tests.integration.api.harness import Api, open_api

pytestmark = pytest.mark.integration

DEVICES = [InventoryDevice("sw1", "127.103.9.1", "cisco_ios", "lab"),
           InventoryDevice("sw2", "127.103.9.2", "cisco_nxos", "lab", port=2222)]
STATUSES = [JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.COMPLETED, None, None]  # None: left pending


@dataclass
class Jobs:
    api: Api
    ids: list[str]  # in creation order


@pytest.fixture(scope="module")
def jobs(db_url: str, home: Path) -> Iterator[Jobs]:
    with open_api(db_url, home) as api:
        options = DiscoveryRequest(frozenset({DataType.CDP, DataType.MAC}), 7, requested_by="alice").options()
        ids = []
        with api.ctx.db.session() as session:
            DeviceRepo(session).upsert_many(DEVICES)
        for status in STATUSES:
            with api.ctx.db.session() as session:
                repo = JobRepo(session)
                job_id = repo.create(DEVICES, options, requested_by="alice")
                if status is not None:
                    repo.finish(job_id, status, "" if status is JobStatus.COMPLETED else "storage failed")
                ids.append(job_id)
        with api.ctx.db.session() as session:
            JobRepo(session).add_unmanaged(ids[0], [Unmanaged("phone1", "10.9.9.9", "unsupported platform", "sw1")])
            DeviceRepo(session).record_conflict(InventoryConflict("sw2", "127.103.9.2", "127.103.9.99", "sw1",
                                                                  "address differs", ids[0]))
        yield Jobs(api, ids)


def test_list_pages_through_every_job_once(jobs: Jobs) -> None:
    seen: list[str] = []
    offset = 0
    while True:
        page = jobs.api.get("/api/jobs", params={"offset": offset, "limit": 2})
        assert page.status_code == 200, page.text
        body = page.json()
        assert body["offset"] == offset and body["limit"] == 2 and len(body["items"]) <= 2
        seen += [job["id"] for job in body["items"]]
        if not body["more"]:
            break
        offset += 2
    assert sorted(seen) == sorted(jobs.ids) and len(seen) == len(jobs.ids)
    everything = jobs.api.get("/api/jobs").json()["items"]
    created = [job["created_at"] for job in everything]
    assert created == sorted(created, reverse=True)  # newest first


def test_status_filter(jobs: Jobs) -> None:
    completed = jobs.api.get("/api/jobs", params={"status": "completed"}).json()["items"]
    assert sorted(j["id"] for j in completed) == sorted(jobs.ids[i] for i in (0, 2))
    assert {j["status"] for j in completed} == {"completed"}
    pending = jobs.api.get("/api/jobs", params={"status": "pending"}).json()["items"]
    assert sorted(j["id"] for j in pending) == sorted(jobs.ids[3:])
    assert jobs.api.get("/api/jobs", params={"status": "interrupted"}).json()["items"] == []


@pytest.mark.parametrize(("params", "field"), [({"status": "done"}, "status"), ({"limit": 0}, "limit"),
                                               ({"limit": 501}, "limit"), ({"offset": -1}, "offset"),
                                               ({"offset": "x"}, "offset")])
def test_bad_parameters_are_named(jobs: Jobs, params: dict[str, object], field: str) -> None:
    response = jobs.api.get("/api/jobs", params=params)
    assert response.status_code == 422
    assert f"query.{field}" in response.json()["message"]


def test_job_report(jobs: Jobs) -> None:
    response = jobs.api.get(f"/api/jobs/{jobs.ids[0]}")
    assert response.status_code == 200, response.text
    job = response.json()
    assert (job["status"], job["requested_by"], job["kind"]) == ("completed", "alice", "discovery")
    assert job["options"]["data_types"] == ["cdp", "mac"] and job["options"]["concurrency"] == 7
    assert job["counts"]["total"] == 2 and job["counts"]["remaining"] == 0
    assert [(d["device_name"], d["port"], d["credential"]) for d in job["devices"]] == [("sw1", 22, "lab"),
                                                                                        ("sw2", 2222, "lab")]
    assert job["unmanaged"] == [{"name": "phone1", "mgmt_ip": "10.9.9.9", "reason": "unsupported platform",
                                 "seen_from": "sw1"}]
    assert [(c["name"], c["advertised_host"]) for c in job["conflicts"]] == [("sw2", "127.103.9.99")]
    failed = jobs.api.get(f"/api/jobs/{jobs.ids[1]}").json()
    assert (failed["status"], failed["message"]) == ("failed", "storage failed")
    assert failed["unmanaged"] == [] and failed["conflicts"] == []
    pending = jobs.api.get(f"/api/jobs/{jobs.ids[4]}").json()
    assert pending["status"] == "pending" and pending["finished_at"] is None


def test_unknown_job_and_roles(jobs: Jobs) -> None:
    missing = jobs.api.get("/api/jobs/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and "00000000" in missing.json()["message"]
    assert jobs.api.client.get("/api/jobs").status_code == 401
    assert jobs.api.client.get(f"/api/jobs/{jobs.ids[0]}").status_code == 401
    for role in Role:
        assert jobs.api.get("/api/jobs", role).status_code == 200
