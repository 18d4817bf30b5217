"""``netatlas serve`` as a real subprocess on a free loopback port, over a lab and a new SQLite file.

The server migrates the database itself (a file outside NETATLAS_HOME is never upgraded implicitly),
serves the docs and the spec, runs a discovery started over HTTP to its end in its own process,
and on SIGTERM stops within seconds with the job it was running ended ``interrupted``. In
production it refuses to start without NETATLAS_API_SECRET, naming it.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import httpx
import pytest

from netatlas.domain.accounts import Role
from netatlas.jobs.accounts import AccountService
from netatlas.lab.background import BackgroundLab
from netatlas.lab.runtime import Lab
from netatlas.settings import load_settings
from netatlas.store import Database, JobRepo
from tests.integration.discovery.helpers import CLI, FAST_FAILURE, Discovery, cli, cli_env, make_lab, write_inventory

pytestmark = pytest.mark.integration

NETWORK = IPv4Network("127.101.0.0/16")
SETTINGS = {**FAST_FAILURE, "retries": 10}
START_TIMEOUT_S = 90.0  # imports and the migration on a loaded 2-core machine
STOP_WITHIN_S = 10.0
PRODUCTION_KEY = "a-real-production-passphrase-0123"


@dataclass
class Server:
    base: str
    db_url: str
    home: Path
    process: subprocess.Popen[bytes]
    token: str
    lab: Lab
    log: Path

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def start(self, names: list[str]) -> str:
        answer = httpx.post(f"{self.base}/api/topology/discover-async", json={"device_ids": names},
                            headers=self.headers(), timeout=30)
        assert answer.status_code == 202, answer.text
        job_id: str = answer.json()["job_id"]
        return job_id

    def progress(self, job_id: str) -> dict[str, Any]:
        answer = httpx.get(f"{self.base}/api/topology/discover/progress/{job_id}", headers=self.headers(), timeout=30)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def wait_for(self, job_id: str, statuses: set[str], timeout: float = 90.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while (body := self.progress(job_id))["status"] not in statuses:
            assert time.monotonic() < deadline, body
            time.sleep(0.2)
        return body


def free_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert process.poll() is None, f"serve exited {process.returncode}: {log.read_text()[-3000:]}"
        try:
            if httpx.get(f"{base}/docs", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"serve did not answer within {START_TIMEOUT_S:g} s: {log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    lab = make_lab("mixed", 4, NETWORK, faults="slow:1")
    home, data = tmp_path_factory.mktemp("serve-home"), tmp_path_factory.mktemp("serve-db")
    db_url = f"sqlite:///{data / 'netatlas.db'}"  # outside NETATLAS_HOME: only serve's own upgrade migrates it
    port = free_loopback_port()
    log = data / "serve.log"
    with BackgroundLab(lab), log.open("wb") as out:
        process = subprocess.Popen([*CLI, "serve", "--port", str(port), "--db", db_url],
                                   env=cli_env(home, **SETTINGS), stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_up(base, process, log)
            yield Server(base, db_url, home, process, _prepare(db_url, home, lab, data), lab, log)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)


def _prepare(db_url: str, home: Path, lab: Lab, data: Path) -> str:
    """The lab's inventory imported and an operator token, written next to the running server."""
    Database.open(db_url).close()  # the schema check passes: serve migrated the file at start
    discovery = Discovery.open(db_url, home, **SETTINGS)
    try:
        discovery.import_file(write_inventory(lab.inventory(), data / "lab.yaml"))
    finally:
        discovery.close()
    db = Database.open(db_url)
    try:
        return AccountService(db, load_settings(home=home, database_url=db_url)).create_token(
            "serve-test", Role.OPERATOR, created_by="tests")
    finally:
        db.close()


def test_docs_and_spec_answer(server: Server) -> None:
    spec = httpx.get(f"{server.base}/openapi.json", timeout=30).json()
    assert "/api/topology/discover-async" in spec["paths"]
    assert httpx.get(f"{server.base}/docs", timeout=30).status_code == 200


def test_a_discovery_started_over_http_completes(server: Server) -> None:
    healthy = [d.state.hostname for d in server.lab.devices if d.state.hostname not in server.lab.faults]
    final = server.wait_for(server.start(healthy), {"completed", "failed", "cancelled", "interrupted"})
    assert (final["status"], final["completed_devices"]) == ("completed", len(healthy))
    assert final["requested_by"] == "token:serve-test"


def test_sigterm_stops_it_within_seconds_and_interrupts_its_job(server: Server) -> None:
    job_id = server.start(list(server.lab.faults))  # a slow device: the job is still running at the signal
    server.wait_for(job_id, {"running"})
    sent = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    code = server.process.wait(STOP_WITHIN_S + 5)
    took = time.monotonic() - sent
    assert code == 0, server.log.read_text()[-3000:]
    assert took < STOP_WITHIN_S, f"serve took {took:.1f} s to stop"
    db = Database.open(server.db_url)
    try:
        with db.session(readonly=True) as session:
            detail = JobRepo(session).show(job_id)
    finally:
        db.close()
    assert detail.job.status.value == "interrupted"
    assert all(d.status.final for d in detail.devices)


@pytest.mark.parametrize("api_secret", [None, "changeme"])
def test_production_without_a_real_api_secret_refuses_to_start(tmp_path: Path, api_secret: str | None) -> None:
    settings = {"environment": "production", "secret_key": PRODUCTION_KEY}
    if api_secret is not None:
        settings["api_secret"] = api_secret
    done = cli(["serve", "--port", str(free_loopback_port()), "--db", f"sqlite:///{tmp_path / 'x.db'}"], tmp_path,
               timeout=60, **settings)
    assert done.returncode == 1
    assert "NETATLAS_API_SECRET" in done.stderr
    assert PRODUCTION_KEY not in done.stderr + done.stdout
