"""``netatlas serve --workers N``: several server processes on one port, with a broker (Celery on a
real Redis, PostgreSQL); refused without one.

No ``netatlas worker`` runs here: jobs stay queued, which is all the server side needs. The live
stream is checked across processes: an event published on Redis (as a worker publishes it) reaches
a stream opened on whichever server process took the connection.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil  # type: ignore[import-untyped]
import pytest

from netatlas.domain.accounts import Role
from netatlas.domain.inventory import InventoryDevice
from netatlas.jobs.accounts import AccountService
from netatlas.jobs.celery_executor import RedisBus
from netatlas.jobs.events import ProgressEvent
from netatlas.settings import load_settings
from netatlas.store import Database, DeviceRepo
from tests.integration.api.test_serve import START_TIMEOUT_S, free_loopback_port
from tests.integration.discovery.helpers import CLI, cli_env, migrated, pg_database

pytestmark = pytest.mark.integration

BROKER = "redis://127.0.0.1:6379/11"
PROCESSES = 2


@dataclass
class Served:
    base: str
    process: subprocess.Popen[bytes]
    token: str
    log: Path

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def prepare(db_url: str, home: Path) -> str:
    """One stored device and an operator token; returns the token."""
    db = Database.open(db_url)
    try:
        with db.session() as session:
            DeviceRepo(session).upsert(InventoryDevice("edge1", "127.131.9.1", "cisco_ios", "lab"))
        settings = load_settings(home=home, database_url=db_url, broker_url=BROKER)
        return AccountService(db, settings).create_token("workers-test", Role.OPERATOR, created_by="tests")
    finally:
        db.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    home, data = tmp_path_factory.mktemp("workers-home"), tmp_path_factory.mktemp("workers-log")
    with pg_database("serve_workers") as db_url:
        token = prepare(migrated(db_url), home)
        port, log = free_loopback_port(), data / "serve.log"
        env = cli_env(home, broker_url=BROKER, database_url=db_url, secret_key="x" * 32)
        with log.open("wb") as out:
            process = subprocess.Popen([*CLI, "serve", "--port", str(port), "--workers", str(PROCESSES)],
                                       env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_workers_up(base, process, log)
            yield Served(base, process, token, log)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)
            for child in _children(process):
                child.kill()


def _children(process: subprocess.Popen[bytes]) -> list[psutil.Process]:
    try:
        return list(psutil.Process(process.pid).children(recursive=True))
    except psutil.NoSuchProcess:
        return []


def wait_workers_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until every server process has started its app (each logs "Application startup complete")."""
    deadline = time.monotonic() + START_TIMEOUT_S * 2
    while log.read_text(errors="replace").count("Application startup complete") < PROCESSES:
        assert process.poll() is None, f"serve exited {process.returncode}: {log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"serve did not start its processes: {log.read_text()[-3000:]}"
        time.sleep(0.3)
    assert httpx.get(f"{base}/docs", timeout=10).status_code == 200


def test_several_processes_without_a_broker_are_refused(tmp_path: Path) -> None:
    done = subprocess.run([*CLI, "serve", "--port", str(free_loopback_port()), "--workers", "2"],
                          env=cli_env(tmp_path), capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0
    assert "NETATLAS_BROKER_URL" in done.stderr and "2 server processes" in done.stderr


def test_it_serves_from_several_processes(served: Served) -> None:
    servers = [p for p in _children(served.process) if "spawn_main" in " ".join(p.cmdline())]
    assert len(servers) == PROCESSES, [p.cmdline() for p in _children(served.process)]
    with httpx.Client(base_url=served.base, headers=served.headers(), timeout=30) as client:
        for _ in range(10):  # new connections: spread over the processes by the kernel
            with httpx.Client(base_url=served.base, headers=served.headers(), timeout=30) as one:
                assert one.get("/api/jobs").status_code == 200
        started = client.post("/api/topology/discover-async", json={"device_ids": ["edge1"]})
        assert started.status_code == 202, started.text
        progress = client.get(started.json()["progress_url"])
        assert progress.status_code == 200 and progress.json()["total_devices"] == 1


def test_a_live_stream_on_any_process_gets_the_workers_events(served: Served) -> None:
    with httpx.Client(base_url=served.base, headers=served.headers(), timeout=30) as client:
        job_id = client.post("/api/topology/discover-async", json={"device_ids": ["edge1"]}).json()["job_id"]
        bus = RedisBus(BROKER)
        seen: list[str] = []
        try:
            with client.stream("GET", f"/api/topology/discover/{job_id}/events") as stream:
                lines = stream.iter_lines()
                while not any(line.startswith("event: progress") for line in seen):
                    seen.append(next(lines))
                bus.publish(ProgressEvent(job_id, "device", "running", device="edge1", step="connect"))
                deadline = time.monotonic() + 30
                while not any('"step": "connect"' in line for line in seen):
                    assert time.monotonic() < deadline, seen
                    seen.append(next(lines))
        finally:
            bus.close()
    assert "event: update" in seen


def test_sigterm_stops_every_process(served: Served) -> None:
    children = _children(served.process)
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(60) == 0, served.log.read_text()[-3000:]
    gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive and len(gone) == len(children)
