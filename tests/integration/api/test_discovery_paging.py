"""What keeps the discovery endpoints cheap under many pollers, on SQLite and PostgreSQL, with real
tokens: a progress poll reads one page of device rows and answers with an ``ETag`` (304 on
``If-None-Match``), discover-async reads only the devices its selection may pick, and abandoned
jobs are looked for in the background of the app's lifespan, not on a request's path.

No lab: jobs are handed to a recording executor (what it was given is what is checked), and device
rows are moved through ``JobRepo`` as the engine moves them.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from netatlas.domain.accounts import Role
from netatlas.domain.inventory import InventoryDevice
from netatlas.domain.records import DeviceStatus
from netatlas.jobs.liveness import this_process
from netatlas.store import DeviceRepo, JobRepo
from tests.integration.api.harness import Api, open_api

pytestmark = pytest.mark.integration

ASYNC = "/api/topology/discover-async"
STORED = 600  # devices in the inventory: sites a/b/c, every third tagged "edge"
JOB_DEVICES = 120


@dataclass
class Recording:
    """An executor that runs nothing: the jobs it was handed."""

    submitted: list[str] = field(default_factory=list)

    def submit(self, job_id: str) -> None:
        self.submitted.append(job_id)

    def cancel(self, job_id: str) -> bool:
        return True

    def health(self) -> dict[str, Any]:
        return {"executor": "recording", "ok": True}


def device(i: int) -> InventoryDevice:
    return InventoryDevice(f"sw{i:04d}", f"127.131.{i // 200}.{i % 200 + 1}", "cisco_ios", "lab",
                           site="abc"[i % 3], tags=("edge",) if i % 3 == 0 else ())


def dead_pid() -> int:
    """The pid of a process that has ended (on this host)."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    return int(done.stdout)


@pytest.fixture(scope="module")
def abandoned_job(db_url: str, home: Path) -> str:
    """A running job whose owner process on this host is gone, created before the app starts."""
    from netatlas.store import Database

    db = Database.open(db_url)
    try:
        with db.session() as session:
            repo = JobRepo(session)
            job_id = repo.create([device(9000)], {}, owner_host=this_process().host, owner_pid=dead_pid())
            repo.claim(job_id, this_process().host, dead_pid())
    finally:
        db.close()
    return job_id


@pytest.fixture(scope="module")
def api(db_url: str, home: Path, abandoned_job: str) -> Iterator[Api]:
    with open_api(db_url, home) as opened:
        opened.ctx.executor = Recording()
        with opened.ctx.db.session() as session:
            DeviceRepo(session).upsert_many(device(i) for i in range(STORED))
        yield opened


@pytest.fixture(scope="module")
def job(api: Api) -> str:
    """A job of the first ``JOB_DEVICES`` devices, the first 30 completed, the next 30 running."""
    with api.ctx.db.session() as session:
        repo = JobRepo(session)
        job_id = repo.create([device(i) for i in range(JOB_DEVICES)], {"data_types": ["cdp"]})
        for i in range(60):
            repo.update_device(job_id, device(i).name, DeviceStatus.RUNNING, step="show version", attempt=1)
        for i in range(30):
            repo.update_device(job_id, device(i).name, DeviceStatus.COMPLETED)
    return job_id


def progress_url(job_id: str) -> str:
    return f"/api/topology/discover/progress/{job_id}"


def conditional(api: Api, job_id: str, if_none_match: str, **params: Any) -> Any:
    """A viewer's progress poll sending ``If-None-Match``."""
    headers = {**api.auth(Role.VIEWER), "If-None-Match": if_none_match}
    return api.client.get(progress_url(job_id), params=params, headers=headers)


def names(body: dict[str, Any]) -> list[str]:
    return [d["device_name"] for d in body["devices"]]


def test_abandoned_jobs_are_recovered_in_the_background_without_a_request(api: Api, abandoned_job: str) -> None:
    """First in the module: no discover-async has been asked for yet."""
    deadline = time.monotonic() + 30
    while (status := api.get(progress_url(abandoned_job)).json()["status"]) != "interrupted":
        assert time.monotonic() < deadline, status
        time.sleep(0.2)
    body = api.get(progress_url(abandoned_job)).json()
    assert "is gone" in body["error"] and body["devices"][0]["status"] == "interrupted"


def test_progress_pages_default_to_50_devices_in_the_order_they_were_added(api: Api, job: str) -> None:
    first = api.get(progress_url(job)).json()
    assert (first["offset"], first["limit"], first["more"]) == (0, 50, True)
    assert names(first) == [device(i).name for i in range(50)]
    assert (first["total_devices"], first["completed_devices"], first["progress_percentage"]) == (120, 30, 25.0)
    last = api.get(progress_url(job), params={"offset": 100, "limit": 50}).json()
    assert names(last) == [device(i).name for i in range(100, 120)] and last["more"] is False
    exact = api.get(progress_url(job), params={"offset": 70, "limit": 50}).json()
    assert len(exact["devices"]) == 50 and exact["more"] is False  # the page ends with the job
    beyond = api.get(progress_url(job), params={"offset": 500}).json()
    assert beyond["devices"] == [] and beyond["more"] is False and beyond["total_devices"] == 120
    running = api.get(progress_url(job), params={"offset": 30, "limit": 1}).json()["devices"][0]
    assert (running["status"], running["current_task"], running["attempt"]) == ("running", "show version", 1)
    assert 0 < running["progress_percentage"] < 100


def test_an_unchanged_progress_document_answers_304_to_its_etag(api: Api, job: str) -> None:
    first = api.get(progress_url(job), params={"limit": 10})
    tag = first.headers["ETag"]
    assert tag.startswith('"') and first.headers["Cache-Control"] == "no-cache"
    again = conditional(api, job, tag, limit=10)
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == tag
    listed = conditional(api, job, f'"other", W/{tag}', limit=10)
    assert listed.status_code == 304
    other_page = conditional(api, job, tag, limit=11)
    assert other_page.status_code == 200 and other_page.headers["ETag"] != tag
    with api.ctx.db.session() as session:
        JobRepo(session).set_step(job, device(5).name, "show cdp neighbors detail")
    moved = conditional(api, job, tag, limit=10)
    assert moved.status_code == 200 and moved.headers["ETag"] != tag
    assert moved.json()["devices"][5]["current_task"] == "show cdp neighbors detail"


def test_a_304_still_needs_a_token_and_an_unknown_job_is_404(api: Api, job: str) -> None:
    tag = api.get(progress_url(job)).headers["ETag"]
    assert api.client.get(progress_url(job), headers={"If-None-Match": tag}).status_code == 401
    assert conditional(api, "no-such-job", "*").status_code == 404


def started(api: Api, body: dict[str, Any]) -> list[str]:
    answer = api.post(ASYNC, json=body)
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["job_id"]
    assert api.ctx.executor.submitted[-1] == job_id  # type: ignore[attr-defined]
    with api.ctx.db.session(readonly=True) as session:
        return [row.device_name for row in JobRepo(session).show(job_id).devices]


def test_discover_async_picks_exactly_the_selection_out_of_a_larger_inventory(api: Api) -> None:
    assert started(api, {"device_ids": ["sw0007", "sw0003", "sw0007"]}) == ["sw0007", "sw0003"]
    site_b = started(api, {"site": "b"})
    assert site_b == sorted(device(i).name for i in range(STORED) if i % 3 == 1)
    edge = started(api, {"tags": ["edge"]})
    assert edge == sorted(device(i).name for i in range(0, STORED, 3))
    both = started(api, {"device_ids": ["sw0001"], "site": "a", "tags": ["edge"]})
    assert both[0] == "sw0001" and set(both[1:]) == {device(i).name for i in range(0, STORED, 3)}
    nothing = api.post(ASYNC, json={"site": "z"})
    assert nothing.status_code == 404 and "site 'z'" in nothing.json()["message"]
    unknown = api.post(ASYNC, json={"device_ids": ["sw0001", "nope", 4242]})
    assert unknown.status_code == 404 and "'nope', '4242'" in unknown.json()["message"]
