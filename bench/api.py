"""API latency under load: ``POST /api/topology/discover-async`` while clients poll progress and an SSE stream is open.

Run::

    .venv/bin/python bench/api.py [--devices 200] [--requests 200] [--pollers 50] [--poll-interval 1]
                                  [--parallel 1] [--latency-ms 300] [--out bench/results/api.json]
                                  [--broker redis://127.0.0.1:6379/13 [--workers 2] [--server-workers 1]]

What it starts, all on loopback and removed afterwards (also when the bench is stopped with SIGTERM,
SIGHUP or Ctrl-C; a child whose bench dies with SIGKILL gets SIGTERM from the kernel):

- a lab: ``netatlas lab serve --scenario mixed --warm`` on 127.107.0.0/16 (``--address-range``),
  every command answered after ``--latency-ms``, so jobs last while the clock runs, at CPU
  priority ``nice --lab-nice`` (see "The load model");
- ``netatlas serve`` (the embedded form: SQLite under a temporary ``NETATLAS_HOME``, jobs run in
  the server process by the in-process executor), the lab's inventory imported first with
  ``netatlas devices import``, and an operator token from ``netatlas token create``;
- with ``--broker redis://...``: the service form instead: a fresh PostgreSQL database and
  ``--workers`` ``netatlas worker`` processes run the jobs, the server only serves (from
  ``--server-workers`` processes: ``netatlas serve --workers``). Give it a Redis database of its
  own: chunks still queued when the bench ends stay in it (their database is dropped, so a later
  worker finds no such job and drops them), and empty it before the next run
  (``redis-cli -n 13 flushdb``) so that the next run's workers do not spend the clock on them.

Then, with httpx on one asyncio loop:

1. one discover-async of every device (``concurrency`` 20: it lasts) is the job everyone watches;
2. ``--pollers`` clients (a connection each) poll ``GET /api/topology/discover/progress/{job_id}``
   every ``--poll-interval`` seconds (1 s, as a progress bar refreshes: 50 requests a second
   together; a shorter interval measures the server's saturation instead), and one client holds
   ``GET /api/topology/discover/{job_id}/events`` (SSE) open, counting the events it receives;
3. after a few warm-up requests, ``--requests`` discover-async requests are timed (one device each,
   in turn; ``--parallel`` at a time). Each starts a real job, which the server then runs
   alongside everything else: the figure includes that load, as a real server would carry it.

The load model: everything runs on one machine, but not everything is ours. The lab stands for the
*network*: remote devices with CPUs of their own, which in production never take a core from the
server. It still has to run here, so it runs at a lower CPU priority (``--lab-nice``, 10 by default;
0 gives it the same as everyone): it answers when a core is free instead of competing with the
server for it. The server and the workers are ours: they run at normal priority, never favoured,
and the clients (this process) too. The result's ``load_model`` records the choice, and the CPU
each party used while the clock ran (``cpu_s``: server, workers, lab, this client), so the figures
say who used the machine.

Printed (and written to ``--out``): p50/p95/p99/max of discover-async, the polls' own latency and
rate, the SSE events seen, the server process's CPU time meanwhile (``server_cpu_share`` near 1.0:
the server had a whole core and was saturated; far below with high latencies: the machine was),
the watched job's progress, the machine's load before and after, and whether the p99 target
(``--target-p99-ms``, 100 ms: issue 9) was met. The machine may be shared: the load average is
reported and the figures are only as steady as the machine is. The exit status
is 0 when the run completed (target met or not), 1 when something did not work.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import json
import os
import platform
import secrets
import select
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped]
import yaml

CLI = [sys.executable, "-m", "netatlas.cli.main"]
REPO = Path(__file__).resolve().parents[1]
ADDRESS_RANGE = "127.107.0.0/16"
BASE = "/api/topology"
WATCHED_CONCURRENCY = 20  # the watched job reads 20 devices at a time, so it outlasts the measurement
WARMUP = 5
TARGET_P99_MS = 100.0
LAB_NICE = 10  # the lab stands for remote devices: it runs when a core is free (see "The load model")
PR_SET_PDEATHSIG = 1


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


def base_env(home: Path) -> dict[str, str]:
    """A CLI environment: no NETATLAS_* from outside, ``home``, and a real (random) API signing key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETATLAS_")}
    env |= {"NETATLAS_HOME": str(home), "NETATLAS_API_SECRET": secrets.token_urlsafe(48), "COLUMNS": "200",
            "PYTHONPATH": os.pathsep.join(p for p in (str(REPO / "src"), env.get("PYTHONPATH", "")) if p)}
    return env


def child_setup(nice: int = 0) -> Callable[[], None]:
    """What a child runs before it starts: ``nice`` added to its priority, and (Linux) SIGTERM from the
    kernel should this bench die without cleaning up (SIGKILL)."""

    def setup() -> None:
        if nice:
            os.nice(nice)
        if sys.platform == "linux":
            with suppress(OSError, AttributeError):
                ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    return setup


class Stopped(SystemExit):
    """The bench was asked to stop (SIGTERM, SIGHUP): unwinds every ``with`` block, so every child
    is stopped and the database dropped, then exits 128 + the signal's number."""


def stop_on_signals() -> None:
    """SIGTERM and SIGHUP raise :class:`Stopped` in the main thread (once: a second signal during the
    cleanup is ignored, so the cleanup finishes)."""

    def stopped(signum: int, _frame: object) -> None:
        for name in ("SIGTERM", "SIGHUP"):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
        raise Stopped(128 + signum)

    for name in ("SIGTERM", "SIGHUP"):
        signal.signal(getattr(signal, name), stopped)


def cli(args: list[str], env: dict[str, str], timeout: float = 300) -> str:
    done = subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False,
                          preexec_fn=child_setup())
    if done.returncode != 0:
        raise RuntimeError(f"netatlas {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


@dataclass
class Party:
    """Processes whose CPU time is reported (``cpu_s``), by who they stand for."""

    server: list[int] = field(default_factory=list)
    workers: list[int] = field(default_factory=list)
    lab: list[int] = field(default_factory=list)

    def cpu(self) -> dict[str, float]:
        found = {name: sum(_cpu_or_zero(pid) for pid in pids) for name, pids in
                 (("server", self.server), ("workers", self.workers), ("lab", self.lab))}
        times = os.times()
        return found | {"client": times.user + times.system}


def _cpu_or_zero(pid: int) -> float:
    try:
        return cpu_s(pid)
    except psutil.Error:
        return 0.0


@contextmanager
def lab(devices: int, latency_ms: float, address_range: str, workdir: Path, env: dict[str, str],
        nice: int = LAB_NICE, party: Party | None = None) -> Iterator[Path]:
    """Serve the lab (at CPU priority ``nice``) until the block ends; yields its inventory file."""
    inventory = workdir / "lab.yaml"
    first = address_range.split("/", 1)[0].rsplit(".", 1)[0] + ".1"
    argv = [*CLI, "lab", "serve", "--scenario", "mixed", "--devices", str(devices), "--seed", "7",
            "--port", str(free_port(first)), "--address-range", address_range, "--latency-ms", str(latency_ms),
            "--inventory-out", str(inventory), "--warm"]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, bufsize=0,
                            preexec_fn=child_setup(nice))  # noqa: PLW1509 - no thread runs yet
    if party is not None:
        party.lab.append(proc.pid)
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
        _stop(proc)


@contextmanager
def server(env: dict[str, str], workdir: Path, processes: int = 1) -> Iterator[tuple[str, int]]:
    """``netatlas serve`` on a free loopback port until the block ends; yields its base URL (once
    healthy) and its pid."""
    port = free_port()
    log = (workdir / "serve.log").open("wb")
    argv = [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(processes)]
    proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT,
                            preexec_fn=child_setup())  # noqa: PLW1509 - no thread runs yet
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"netatlas serve exited ({proc.returncode}): {_tail(workdir / 'serve.log')}")
            try:
                if httpx.get(f"{url}/api/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"netatlas serve was not healthy in 120 s: {_tail(workdir / 'serve.log')}")
            time.sleep(0.2)
        yield url, proc.pid
    finally:
        _stop(proc)
        log.close()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    if proc.stdout is not None:
        proc.stdout.close()


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-2000:] if path.exists() else ""


@dataclass
class Watch:
    """What the pollers and the SSE client saw."""

    polls: list[float] = field(default_factory=list)  # seconds
    poll_errors: dict[str, int] = field(default_factory=dict)
    events: int = 0
    sse_status: int | None = None
    sse_error: str = ""

    def failed(self, why: str) -> None:
        self.poll_errors[why] = self.poll_errors.get(why, 0) + 1


def percentiles(seconds: list[float]) -> dict[str, float]:
    """p50/p95/p99/max/mean in milliseconds (empty: zeros).

    Examples:
        >>> percentiles([i / 1000 for i in range(1, 101)])["p99"]
        99.99
    """
    if not seconds:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0, "mean": 0.0}
    ms = [s * 1000 for s in seconds]
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else [ms[0]] * 99
    return {"p50": round(cuts[49], 2), "p95": round(cuts[94], 2), "p99": round(cuts[98], 2),
            "max": round(max(ms), 2), "mean": round(statistics.fmean(ms), 2)}


async def poll(url: str, headers: dict[str, str], job_id: str, interval: float, stop: asyncio.Event,
               watch: Watch) -> None:
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                response = await client.get(f"{BASE}/discover/progress/{job_id}", params={"limit": 50})
                if response.status_code == 200:
                    watch.polls.append(time.perf_counter() - started)
                else:
                    watch.failed(str(response.status_code))
            except httpx.HTTPError as exc:
                watch.failed(type(exc).__name__)
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)


async def follow(url: str, headers: dict[str, str], job_id: str, stop: asyncio.Event, watch: Watch) -> None:
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=httpx.Timeout(30, read=None)) as client:
        try:
            async with client.stream("GET", f"{BASE}/discover/{job_id}/events") as response:
                watch.sse_status = response.status_code
                async for line in response.aiter_lines():
                    if line.startswith("data:"):
                        watch.events += 1
                    if stop.is_set():
                        break
        except httpx.HTTPError as exc:
            watch.sse_error = f"{type(exc).__name__}: {exc}"


def cpu_s(pid: int) -> float:
    """CPU time (user + system) of the process and its children so far: the server's own work."""
    process = psutil.Process(pid)
    times = process.cpu_times()
    children = sum(c.cpu_times().user + c.cpu_times().system for c in process.children(recursive=True))
    return float(times.user + times.system + children)


async def measure(url: str, pid: int, token: str, names: list[str], args: argparse.Namespace,
                  party: Party | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    watch, stop = Watch(), asyncio.Event()
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        started = await client.post(f"{BASE}/discover-async",
                                    json={"device_ids": names, "concurrency": WATCHED_CONCURRENCY})
        if started.status_code != 202:
            raise RuntimeError(f"the watched job did not start: {started.status_code} {started.text[:500]}")
        job_id = started.json()["job_id"]
        sse = asyncio.create_task(follow(url, headers, job_id, stop, watch))
        pollers = [asyncio.create_task(poll(url, headers, job_id, args.poll_interval, stop, watch))
                   for _ in range(args.pollers)]
        await asyncio.sleep(1.0)  # every poller and the stream connected before the clock starts
        for i in range(WARMUP):
            await client.post(f"{BASE}/discover-async", json={"device_ids": [names[i % len(names)]]})
        party = party or Party(server=[pid])
        polls_before, clock, cpu, shares = len(watch.polls), time.perf_counter(), cpu_s(pid), party.cpu()
        timings, statuses = await _requests(client, names, args.requests, args.parallel)
        wall, cpu = time.perf_counter() - clock, cpu_s(pid) - cpu
        shares = {name: round(used - shares[name], 2) for name, used in party.cpu().items()}
        load_during = [round(v, 2) for v in os.getloadavg()]
        polls = watch.polls[polls_before:]
        progress = (await client.get(f"{BASE}/discover/progress/{job_id}", params={"limit": 1})).json()
        stop.set()
        await asyncio.gather(*pollers)
        sse.cancel()
        await asyncio.gather(sse, return_exceptions=True)
    summary = percentiles(timings)
    return {
        "discover_async_ms": {"n": len(timings), **summary, "per_s": round(len(timings) / wall, 1),
                              "statuses": statuses},
        "progress_polls_ms": {"n": len(polls), **percentiles(polls), "per_s": round(len(polls) / wall, 1),
                              "errors": watch.poll_errors},
        "sse": {"status": watch.sse_status, "events": watch.events, "error": watch.sse_error},
        "watched_job": {k: progress.get(k) for k in ("status", "total_devices", "completed_devices",
                                                     "failed_devices", "progress_percentage")},
        "wall_s": round(wall, 2),
        # the server's CPU while the clock ran, over every request it answered then (jobs' SSH work included)
        "server_cpu_s": round(cpu, 2),
        "server_cpu_share": round(cpu / wall, 2),
        "server_cpu_ms_per_request": round(cpu * 1000 / max(1, len(timings) + len(polls)), 2),
        # every party's CPU while the clock ran (s): server, workers (with --broker), lab (niced), client
        "cpu_s": shares,
        "load_avg_at_end": load_during,
        "target_p99_ms": args.target_p99_ms,
        "target_met": summary["p99"] < args.target_p99_ms and set(statuses) == {"202"},
    }


async def _requests(client: httpx.AsyncClient, names: list[str], count: int,
                    parallel: int) -> tuple[list[float], dict[str, int]]:
    timings: list[float] = []
    statuses: dict[str, int] = {}
    queue = iter(range(count))

    async def worker() -> None:
        for i in queue:
            body = {"device_ids": [names[(WARMUP + i) % len(names)]]}
            started = time.perf_counter()
            response = await client.post(f"{BASE}/discover-async", json=body)
            timings.append(time.perf_counter() - started)
            statuses[str(response.status_code)] = statuses.get(str(response.status_code), 0) + 1

    await asyncio.gather(*(worker() for _ in range(parallel)))
    return timings, statuses


def machine() -> dict[str, Any]:
    return {"cpu_count": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "load_avg": [round(v, 2) for v in os.getloadavg()], "date": datetime.now(UTC).isoformat(timespec="seconds")}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--devices", type=int, default=200, help="lab devices (the watched job reads them all)")
    parser.add_argument("--requests", type=int, default=200, help="timed discover-async requests")
    parser.add_argument("--parallel", type=int, default=1, help="timed requests in flight at once")
    parser.add_argument("--pollers", type=int, default=50, help="clients polling the watched job's progress")
    parser.add_argument("--poll-interval", type=float, default=1.0, help="seconds between one client's polls")
    parser.add_argument("--latency-ms", type=float, default=300.0, help="the lab's delay before each output")
    parser.add_argument("--address-range", default=ADDRESS_RANGE, help="loopback range of the lab's devices")
    parser.add_argument("--lab-nice", type=int, default=LAB_NICE, choices=range(20), metavar="0..19",
                        help="the lab's CPU priority (nice): it stands for remote devices (see the load model)")
    parser.add_argument("--target-p99-ms", type=float, default=TARGET_P99_MS)
    parser.add_argument("--broker", default="", help="redis://...: jobs run on --workers `netatlas worker` "
                        "processes (Celery; the database: a fresh PostgreSQL database next to --pg), not in the server")
    parser.add_argument("--workers", type=int, default=2, help="worker processes with --broker")
    parser.add_argument("--server-workers", type=int, default=1, help="`netatlas serve --workers`: server "
                        "processes (more than 1 needs --broker); the server's CPU counts them all")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="PostgreSQL server for --broker (a database is created there and dropped)")
    parser.add_argument("--out", type=Path, help="also write the JSON summary here")
    args = parser.parse_args(argv)
    if min(args.devices, args.requests, args.parallel, args.pollers, args.server_workers) < 1 \
            or args.poll_interval <= 0:
        parser.error("--devices, --requests, --parallel, --pollers and --server-workers must be positive, "
                     "--poll-interval > 0")
    if args.server_workers > 1 and not args.broker:
        parser.error("--server-workers above 1 needs --broker")
    return args


@contextmanager
def distributed(args: argparse.Namespace, env: dict[str, str], workdir: Path,
                party: Party | None = None) -> Iterator[None]:
    """With ``--broker``: a fresh PostgreSQL database (migrated) and ``--workers`` worker processes,
    ``env`` pointed at both (so serve and the CLI use them); nothing without it."""
    if not args.broker:
        yield
        return
    import psycopg

    name = f"netatlas_bench_api_{os.getpid()}"
    admin = args.pg.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env |= {"NETATLAS_BROKER_URL": args.broker, "NETATLAS_SECRET_KEY": secrets.token_urlsafe(32),
            "NETATLAS_DATABASE_URL": args.pg.rsplit("/", 1)[0] + f"/{name}"}
    procs: list[subprocess.Popen[bytes]] = []
    try:
        cli(["db", "upgrade"], env)
        for i in range(args.workers):
            with (workdir / f"worker{i}.log").open("wb") as log:
                procs.append(subprocess.Popen(
                    [*CLI, "worker", "--concurrency", "8", "--name", f"bench{i}@%h"], env=env, stdout=log,
                    stderr=subprocess.STDOUT, preexec_fn=child_setup()))  # noqa: PLW1509
            if party is not None:
                party.workers.append(procs[-1].pid)
        yield
    finally:
        for proc in procs:
            _stop(proc)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def load_model(args: argparse.Namespace) -> dict[str, Any]:
    """What the result says about who ran at which priority (see "The load model")."""
    return {"lab_nice": args.lab_nice, "server_nice": 0, "workers_nice": 0, "client_nice": 0,
            "why": "the lab stands for remote devices (their own CPUs in production): it runs at a lower CPU "
                   "priority; the server and the workers are ours and run at normal priority, never favoured"}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stop_on_signals()
    before = machine()
    with tempfile.TemporaryDirectory(prefix="netatlas-bench-api-") as tmp:
        workdir = Path(tmp)
        env = base_env(workdir / "home")
        party = Party()
        try:
            with distributed(args, env, workdir, party), \
                    lab(args.devices, args.latency_ms, args.address_range, workdir, env, args.lab_nice,
                        party) as inventory:
                cli(["devices", "import", str(inventory)], env)
                token = cli(["token", "create", "--name", "bench", "--role", "operator"], env).strip()
                names = [d["name"] for d in yaml.safe_load(inventory.read_text())["devices"]]
                with server(env, workdir, args.server_workers) as (url, pid):
                    party.server.append(pid)
                    results = asyncio.run(measure(url, pid, token, names, args, party))
        except (RuntimeError, OSError, httpx.HTTPError, subprocess.TimeoutExpired) as exc:
            print(json.dumps({"ok": False, "error": str(exc)}, indent=2))
            return 1
    params = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    summary = {"ok": True, "machine": before, "load_avg_after": [round(v, 2) for v in os.getloadavg()],
               "params": params, "load_model": load_model(args), **results}
    text = json.dumps(summary, indent=2)
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
