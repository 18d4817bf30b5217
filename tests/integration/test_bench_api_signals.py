"""``bench/api.py`` stopped with SIGTERM mid-run leaves nothing behind: its lab, ``netatlas serve`` (and
its server processes), the workers and their children all end, and its PostgreSQL database is dropped.

Toy sizes on the bench's own loopback range and Redis database; the figures are not looked at.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil  # type: ignore[import-untyped]
import psycopg
import pytest

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

BENCH = Path(__file__).resolve().parents[2] / "bench" / "api.py"
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
STARTED_WITHIN_S = 180.0  # imports, the lab, the migration and the workers on a loaded 2-core machine
STOPPED_WITHIN_S = 90.0  # each child gets SIGTERM and up to 30 s (the workers finish their chunks first)


def names(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


def database_exists(name: str) -> bool:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def test_sigterm_stops_every_child_and_drops_the_database(tmp_path: Path) -> None:
    argv = [sys.executable, str(BENCH), "--devices", "6", "--requests", "100000", "--pollers", "2",
            "--latency-ms", "50", "--address-range", "127.141.0.0/16", "--broker", "redis://127.0.0.1:6379/12",
            "--workers", "2", "--server-workers", "2", "--out", str(tmp_path / "never.json")]
    bench = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ.copy())
    me = psutil.Process(bench.pid)
    database = f"netatlas_bench_api_{bench.pid}"
    try:
        deadline = time.monotonic() + STARTED_WITHIN_S
        while not any(" serve " in names(p) for p in me.children(recursive=True)):
            assert bench.poll() is None, bench.communicate()[1].decode()[-3000:]
            assert time.monotonic() < deadline, "the bench never started its server"
            time.sleep(0.5)
        time.sleep(3)  # the clock runs: pollers, the stream and the timed requests are going
        children = me.children(recursive=True)
        roles = " | ".join(names(p) for p in children)
        assert " lab serve " in roles and roles.count(" worker ") >= 2 and database_exists(database), roles

        bench.send_signal(signal.SIGTERM)
        code = bench.wait(STOPPED_WITHIN_S)
        assert code == 128 + signal.SIGTERM, bench.communicate()[1].decode()[-3000:]
        _, alive = psutil.wait_procs(children, timeout=10)
        assert not alive, [names(p) for p in alive]
        assert not database_exists(database)
        assert not (tmp_path / "never.json").exists()
    finally:
        if bench.poll() is None:
            bench.kill()
            bench.wait(10)
