"""A 1,000-device discovery on the local executor and on 2 Celery workers, same machine, PostgreSQL.

Run::

    .venv/bin/python bench/celery_vs_local.py [--devices 1000] [--concurrency 100] [--worker-slots 1]
                                              [--local-db postgresql|sqlite|both]
                                              [--out bench/results/celery_vs_local.json]

A ``netatlas lab serve --scenario mixed --warm`` subprocess serves the lab on 127.140.0.0/16; a
private ``redis-server`` on a free loopback port is the broker. Each run discovers every device
for every data type into a new PostgreSQL database (127.0.0.1:5432, dropped afterwards):

- local: ``netatlas discover --inventory FILE --json --concurrency N`` (the job runs in the CLI);
- celery: two ``netatlas worker --concurrency S`` processes, started and ready before the clock
  starts, then the same ``netatlas discover`` with ``NETATLAS_BROKER_URL`` set (the CLI queues the
  job and follows its rows; the workers do the work). With ``S`` = 1 each worker runs one chunk of
  up to 50 devices at a time, so both runs hold about the same number of SSH sessions (N = 100).

By default both use PostgreSQL, so the comparison is like with like (``local``, ``wall_ratio``).
``--local-db sqlite`` runs the local executor on SQLite instead (the embedded default), ``both`` on
each; the SQLite run is reported apart (``local_sqlite``, ``wall_ratio_vs_sqlite``). On PostgreSQL
every progress write and snapshot is a round trip from the engine's one database thread, so the
local executor there is bound by round trips, and two workers (two such threads) gain from that.

Wall time is the ``discover`` command's. CPU time is that of every process of the run: the CLI
and its children (``RUSAGE_CHILDREN``), plus, for Celery, the workers and their parse pools
(psutil, before and after). The lab's CPU is not counted. The machine may be shared: other
processes' load is reported (``loadavg``) and the figures are only as steady as the machine is.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]
import psycopg

CLI = [sys.executable, "-m", "netatlas.cli.main"]
NETWORK = "127.140.0.0/16"
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
REPO = Path(__file__).resolve().parents[1]


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


def base_env(home: Path, **settings: Any) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETATLAS_")}
    env |= {"NETATLAS_HOME": str(home), "COLUMNS": "200",
            "PYTHONPATH": os.pathsep.join(p for p in (str(REPO / "src"), env.get("PYTHONPATH", "")) if p)}
    env |= {f"NETATLAS_{k.upper()}": str(v) for k, v in settings.items()}
    return env


@contextmanager
def lab(devices: int, workdir: Path) -> Iterator[Path]:
    inventory = workdir / "lab.yaml"
    argv = [*CLI, "lab", "serve", "--scenario", "mixed", "--devices", str(devices), "--seed", "7", "--port",
            str(free_port("127.140.0.1")), "--address-range", NETWORK, "--inventory-out", str(inventory), "--warm"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=base_env(workdir),
                            bufsize=0)  # unbuffered: select() sees every line the lab prints
    assert proc.stdout is not None
    seen = b""
    try:
        while b"listening on" not in seen:
            ready, _, _ = select.select([proc.stdout], [], [], 300)
            line = proc.stdout.readline() if ready else b""
            if not line:
                raise RuntimeError(f"the lab did not start: {seen.decode(errors='replace')[-2000:]}")
            seen += line
        yield inventory
    finally:
        proc.terminate()
        proc.wait(30)


@contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(workdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        ping = ["redis-cli", "-p", str(port), "ping"]
        while subprocess.run(ping, capture_output=True, check=False).stdout != b"PONG\n":
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


@contextmanager
def database(purpose: str) -> Iterator[str]:
    name = f"netatlas_bench_{purpose}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_URL.format(name=name)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def tree_cpu(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            root = psutil.Process(pid)
            for proc in [root, *root.children(recursive=True)]:
                times = proc.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


def discover(inventory: Path, env: dict[str, str], concurrency: int) -> dict[str, Any]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([*CLI, "discover", "--inventory", str(inventory), "--json", "--concurrency",
                           str(concurrency)], env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 2):
        raise RuntimeError(f"discover exited {done.returncode}: {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": round(wall, 2), "cli_cpu_s": round(cpu, 2), "status": report["status"],
            "counts": report["counts"]}


def run_local(inventory: Path, home: Path, concurrency: int, *, sqlite: bool = False) -> dict[str, Any]:
    with (nullcontext(f"sqlite:///{home / 'local-sqlite.db'}") if sqlite else database("local")) as url:
        env = base_env(home / ("local-sqlite" if sqlite else "local"), database_url=url)
        subprocess.run([*CLI, "db", "upgrade"], env=env, check=True, capture_output=True)
        result = discover(inventory, env, concurrency)
    result["cpu_s"] = result["cli_cpu_s"]
    result["database"] = "sqlite" if sqlite else "postgresql"
    return result


def run_celery(inventory: Path, home: Path, concurrency: int, slots: int, broker: str) -> dict[str, Any]:
    from netatlas.jobs.celery_executor import CeleryExecutor
    from netatlas.settings import load_settings
    from netatlas.store import Database

    with database("celery") as url:
        env = base_env(home / "celery", database_url=url, broker_url=broker)
        subprocess.run([*CLI, "db", "upgrade"], env=env, check=True, capture_output=True)
        logs = home / "worker-logs"
        logs.mkdir(exist_ok=True)
        workers = [subprocess.Popen([*CLI, "worker", "--concurrency", str(slots), "--loglevel", "warning",
                                     "--name", f"bench{n}@127.0.0.1"], env=env, start_new_session=True,
                                    stdout=(logs / f"{n}.log").open("w"), stderr=subprocess.STDOUT)
                   for n in range(2)]
        try:
            settings = load_settings(database_url=url, broker_url=broker, home=home / "celery")
            db = Database.open(url)
            executor = CeleryExecutor(settings, db)
            deadline = time.monotonic() + 120
            while executor.health(fresh=True)["workers"] < 2:
                if time.monotonic() > deadline:
                    raise RuntimeError("the workers did not start")
                time.sleep(0.5)
            executor.shutdown()
            db.close()
            pids = [w.pid for w in workers]
            cpu_before = tree_cpu(pids)
            result = discover(inventory, env, concurrency)
            result["workers_cpu_s"] = round(tree_cpu(pids) - cpu_before, 2)
        finally:
            for worker in workers:
                os.killpg(worker.pid, signal.SIGTERM)
            for worker in workers:
                try:
                    worker.wait(60)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.pid, signal.SIGKILL)
    result["cpu_s"] = round(result["cli_cpu_s"] + result["workers_cpu_s"], 2)
    return result


def _commit() -> str:
    """The checkout's commit, ``+dirty`` when files differ from it (the figures are for that code)."""
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                          check=False).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no", "src"],
                           capture_output=True, text=True, check=False).stdout.strip()
    return f"{head}+dirty" if dirty else head


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--worker-slots", type=int, default=1, help="chunks each worker runs at once")
    parser.add_argument("--local-db", choices=("postgresql", "sqlite", "both"), default="postgresql",
                        help="the local executor's database (SQLite: the embedded default, reported apart)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "celery_vs_local.json")
    args = parser.parse_args()
    commit = _commit()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stopped: the lab, Redis, workers and databases go too
    with tempfile.TemporaryDirectory(prefix="netatlas-bench-") as tmp:
        work = Path(tmp)
        with lab(args.devices, work) as inventory, redis_server(work) as broker:
            load_before = os.getloadavg()
            local = run_local(inventory, work, args.concurrency) if args.local_db != "sqlite" else None
            local_sqlite = run_local(inventory, work, args.concurrency, sqlite=True) if args.local_db != "postgresql" \
                else None
            celery = run_celery(inventory, work, args.concurrency, args.worker_slots, broker)
            load_after = os.getloadavg()
    result = {"commit": commit, "devices": args.devices, "concurrency": args.concurrency,
              "worker_slots": args.worker_slots, "workers": 2, "database": "postgresql", "cores": os.cpu_count(),
              "celery": celery, "loadavg_before": load_before, "loadavg_after": load_after}
    if local is not None:
        result |= {"local": local, "wall_ratio": round(celery["wall_s"] / local["wall_s"], 3),
                   "cpu_ratio": round(celery["cpu_s"] / max(local["cpu_s"], 1e-9), 3)}
    if local_sqlite is not None:
        result |= {"local_sqlite": local_sqlite,
                   "wall_ratio_vs_sqlite": round(celery["wall_s"] / local_sqlite["wall_s"], 3),
                   "cpu_ratio_vs_sqlite": round(celery["cpu_s"] / max(local_sqlite["cpu_s"], 1e-9), 3)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print("\n| executor | database | wall s | CPU s | celery / this (wall, CPU) |\n|---|---|---|---|---|")
    print(f"| celery (2 workers) | postgresql | {celery['wall_s']} | {celery['cpu_s']} | |")
    for run, suffix in ((local, ""), (local_sqlite, "_vs_sqlite")):
        if run is not None:
            print(f"| local | {run['database']} | {run['wall_s']} | {run['cpu_s']} | "
                  f"{result['wall_ratio' + suffix]}, {result['cpu_ratio' + suffix]} |")
    ok = all(r["counts"]["completed"] == args.devices for r in (local, celery, local_sqlite) if r is not None)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
