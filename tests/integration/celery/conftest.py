"""Fixtures of the Celery tests: a private Redis per module, a PostgreSQL database, real workers.

Each module gets its own ``redis-server`` on a free loopback port (no persistence unless asked),
so stopping it never disturbs anything else, and a new PostgreSQL database (dropped afterwards).
Workers are real ``netatlas worker`` subprocesses (``python -m netatlas.cli.main worker``) with the
module's settings in their environment; :class:`Workers` starts, kills and stops them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis

from netatlas.jobs.celery_executor import CeleryExecutor
from tests.integration.discovery.helpers import CLI, Discovery, cli_env, migrated, pg_database

# Short device timeouts keep the chunk limits (and Redis's redelivery of a dead worker's chunks,
# ChunkLimits.visibility_s) around 20 s; long enough for a lab device on a loaded machine.
SETTINGS: dict[str, Any] = {"connect_timeout": 3.0, "command_timeout": 3.0, "device_timeout": 10.0, "retries": 1,
                            "retry_backoff": 0.05}
START_S = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RedisServer:
    """A private ``redis-server`` on loopback; :meth:`stop` and :meth:`start` again on the same port."""

    directory: Path
    persistent: bool = False
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.persistent else ["--appendonly", "no"]
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--save", "", "--dir", str(self.directory), *persistence],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.RedisError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.05)
        client.close()
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=5)


@dataclass
class Workers:
    """``netatlas worker`` subprocesses over one database and broker."""

    env: dict[str, str]
    logs: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    killed: int = 0

    def start(self, count: int = 2, concurrency: int = 2, queues: str = "discovery") -> list[subprocess.Popen[bytes]]:
        started = []
        for _ in range(count):
            n = len(self.processes) + self.killed
            log = (self.logs / f"worker-{n}.log").open("ab")
            process = subprocess.Popen([*CLI, "worker", "--concurrency", str(concurrency), "--loglevel", "warning",
                                        "--queues", queues, "--name", f"test{n}-{os.getpid()}@127.0.0.1"],
                                       env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            log.close()
            self.processes.append(process)
            started.append(process)
        return started

    def wait_ready(self, executor: CeleryExecutor, count: int) -> None:
        """Until ``count`` live workers consume a discovery queue (health reads their heartbeats)."""
        deadline = time.monotonic() + START_S
        while executor.health(fresh=True).get("workers", 0) < count:
            dead = [p.pid for p in self.processes if p.poll() is not None]
            assert not dead, f"worker(s) {dead} exited:\n{self.log_tail()}"
            assert time.monotonic() < deadline, f"{count} worker(s) not ready in {START_S:.0f} s:\n{self.log_tail()}"
            time.sleep(0.3)

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """``kill -9`` the worker and whatever it started (its process group: the parse pool)."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
        self.processes.remove(process)
        self.killed += 1

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        self.processes.clear()

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(f"--- {p.name}\n" + "\n".join(p.read_text(errors="replace").splitlines()[-lines:])
                         for p in sorted(self.logs.glob("worker-*.log")))


@pytest.fixture(scope="module", autouse=True)
def _no_outside_settings() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("NETATLAS_")]:
            patch.delenv(name)
        yield


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def db_url(request: pytest.FixtureRequest) -> Iterator[str]:
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    with pg_database(f"celery_{module}") as url:
        yield migrated(url)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def discovery(db_url: str, home: Path, broker: RedisServer) -> Iterator[Discovery]:
    """The test's side: the service over the database (it creates jobs), settings with the broker."""
    opened = Discovery.open(db_url, home, broker_url=broker.url, **SETTINGS)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(scope="module")
def executor(discovery: Discovery) -> Iterator[CeleryExecutor]:
    found = CeleryExecutor(discovery.settings, discovery.db)
    try:
        yield found
    finally:
        found.shutdown()


@pytest.fixture(scope="module")
def workers(db_url: str, home: Path, broker: RedisServer, discovery: Discovery,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workers]:
    """Not started: each module starts what it needs (``workers.start(2)``); all are stopped after."""
    env = cli_env(home, database_url=db_url, broker_url=broker.url, **SETTINGS)
    found = Workers(env, tmp_path_factory.mktemp("worker-logs"))
    try:
        yield found
    finally:
        found.stop()
