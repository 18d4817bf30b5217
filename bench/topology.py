"""The topology benchmark: build the map of a 10,000-device network from the database, trace paths, diff two runs.

Run::

    .venv/bin/python bench/topology.py [--sizes 1000,5000,10000] [--changes 300] [--paths 50] [--seed 7]
                                       [--db postgresql://postgres@127.0.0.1:5432/NAME] [--json FILE]
                                       [--profile]

For each size, a synthetic network (``bench/synthetic_topology.py``: backbone, core pairs, campus
and data-centre pods, ~20 endpoints per access switch or leaf, ~4 links per device) is written
through the real store (``JobRepo``, ``SnapshotRepo.save`` per device: what discovery writes, raw
command outputs aside) into a fresh database: a SQLite file in a temporary directory, or a
PostgreSQL database created (and dropped) next to ``--db``'s. A separate process then measures what
``netatlas topology`` does: read the current view (``TopologyRepo.current_input``), build
(``topology.build``), and trace ``--paths`` random endpoint-to-endpoint paths
(``topology.paths.trace``, each on its own, as one ``topology path`` call; then the same pairs through one
``Tracer``, which indexes on its first query and reuses its indexes). At the largest size, another
process answers the same pairs as the API does (``TopologyService.path`` over a ``CurrentView``
warmed first: the stamp read, the kept Tracer), with its resident set; the path target is judged
on that figure. At the largest size a
second run (``--changes`` differences: cables pulled, endpoints moved) is written, and another
process diffs the two runs as ``topology diff`` does (read both jobs' views, build both, diff).

Each measured process reports wall and CPU time per step and its peak RSS (``ru_maxrss``, the
whole process: the interpreter and the store included) taken right after the build, plus what the
built topology holds, checked against the generator's truth (every L2 link, every endpoint's port
and address). Results go to ``--json`` (default ``bench/results/topology.json``); a markdown table is
printed for the README. Exit status 1 when a topology or a diff differs from the truth.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import platform
import pstats
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import psutil  # type: ignore[import-untyped]
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from netatlas.domain.records import DataType, DeviceResult, DeviceStatus, JobStatus
from netatlas.jobs.current_topology import CurrentView
from netatlas.jobs.topology import TopologyService, collector_paused, to_input
from netatlas.store import Database, DeviceRepo, JobRepo, SnapshotRepo, TopologyRepo
from netatlas.topology.build import build
from netatlas.topology.diff import diff
from netatlas.topology.l2 import Ports
from netatlas.topology.model import L2, L3, NodeKind, Topology, TopologyInput
from netatlas.topology.paths import PathResult, Tracer, trace
from synthetic_records import Truth, digest
from synthetic_topology import Plan, plan, records

MB = 1024 * 1024
BATCH = 250  # devices per write transaction
SLOWED = 1.15  # a step whose wall time exceeds its CPU time by more: the shared cores were busy (flagged)
TARGETS = {"total_s": 5.0, "peak_rss_mb": 1024.0, "path_ms": 50.0, "diff_s": 10.0, "linear_spread": 0.25}
ALL_TYPES = frozenset(DataType)
T = TypeVar("T")


class BenchError(Exception):
    """The benchmark could not run (a worker failed)."""


# ----- the store, written as discovery writes it --------------------------------------------------
def populate(url: str, p: Plan, run: int, collected_at: datetime) -> dict[str, Any]:
    """Write run ``run`` of the plan as one completed job; returns its id, the truth and the write time."""

    truth, began, cpu = Truth(), time.perf_counter(), time.process_time()
    db = Database.open(url, upgrade=True)  # a fresh database per size: upgraded as `netatlas db upgrade` does
    try:
        with db.session() as session:
            job_id = JobRepo(session).create([], {"data_types": sorted(ALL_TYPES), "bench": "topology"},
                                             requested_by="bench")
            JobRepo(session).set_status(job_id, JobStatus.RUNNING)
        for batch in _batches(records(p, run, truth), BATCH):
            with db.session() as session:
                jobs, snapshots = JobRepo(session), SnapshotRepo(session)
                inventory = [device for device, _ in batch]
                if run == 1:
                    DeviceRepo(session).upsert_many(inventory)
                jobs.add_devices(job_id, inventory)
                for device, device_records in batch:
                    jobs.update_device(job_id, device.name, DeviceStatus.COMPLETED)
                    snapshots.save(job_id, device.name, DeviceResult(device.name, True, device_records,
                                                                     asked=ALL_TYPES), collected_at=collected_at)
        with db.session() as session:
            JobRepo(session).finish(job_id, JobStatus.COMPLETED)
    finally:
        db.close()
    return {"job_id": job_id, "devices": truth.devices, "rows": truth.records, "l2_links": len(truth.l2),
            "l3_links": truth.l3, "endpoints": len(truth.endpoints), "unmanaged": len(truth.unmanaged),
            "digests": truth.digests(), "write_s": round(time.perf_counter() - began, 2),
            "write_cpu_s": round(time.process_time() - cpu, 2)}


def _batches(items: Iterator[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# ----- what the measured process does ------------------------------------------------------------
@dataclass(slots=True)
class Step:
    wall_s: float
    cpu_s: float  # this process
    others_cpu_s: float = 0.0  # what every other process on the machine used meanwhile (2 shared cores)

    def __add__(self, other: Step) -> Step:
        return Step(self.wall_s + other.wall_s, self.cpu_s + other.cpu_s, self.others_cpu_s + other.others_cpu_s)

    def as_dict(self) -> dict[str, Any]:
        return {"wall_s": round(self.wall_s, 3), "cpu_s": round(self.cpu_s, 3),
                "others_cpu_s": round(self.others_cpu_s, 2),
                "noisy": self.wall_s > SLOWED * self.cpu_s + 0.05}


def machine_cpu() -> float:
    """CPU seconds every process on the machine has used so far."""
    t = psutil.cpu_times()
    return float(t.user + t.nice + t.system)


def timed(work: Callable[[], T], profile: cProfile.Profile | None = None) -> tuple[T, Step]:
    began, cpu, machine = time.perf_counter(), time.process_time(), machine_cpu()
    if profile is not None:
        profile.enable()
    try:
        result = work()
    finally:
        if profile is not None:
            profile.disable()
    own = time.process_time() - cpu
    return result, Step(time.perf_counter() - began, own, max(machine_cpu() - machine - own, 0.0))


def peak_rss_mb() -> float:
    """This process's peak resident set so far (Linux reports ``ru_maxrss`` in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def read_view(db: Database, job: str | None) -> TopologyInput:
    """The builder's input, read as ``TopologyService.topology_input`` reads it (the database already open)."""

    with db.session(readonly=True) as session:
        repo = TopologyRepo(session)
        stored = repo.current_input() if job is None else repo.job_input(job)
    return to_input(stored)


def shape(topology: Topology) -> dict[str, Any]:
    """What a built topology holds, and order-free fingerprints of its L2 links and endpoints."""
    l2 = topology.links_of(L2)
    return {
        "l2_links": len(l2), "l3_links": len(topology.links_of(L3)), "endpoints": len(topology.endpoints),
        "devices": sum(n.kind is NodeKind.DEVICE for n in topology.nodes.values()),
        "unmanaged": sum(n.kind is NodeKind.UNMANAGED for n in topology.nodes.values()),
        "problems": dict(Counter(str(problem.kind) for problem in topology.problems)),
        "digests": {"l2": digest(f"{x.a.node}|{x.a.interface}|{x.b.node}|{x.b.interface}" for x in l2),
                    "endpoints": digest(f"{e.mac}|{e.node}|{e.interface}|{e.ip}" for e in topology.endpoints)},
    }  # fmt: skip


def measure_current(url: str, paths: int, seed: int, profile: bool) -> dict[str, Any]:
    """Read the current view, build it, trace ``paths`` random endpoint pairs."""

    profiler = cProfile.Profile(time.process_time) if profile else None  # CPU time: the cores are shared
    db, opening = timed(lambda: Database.open(url))
    rss_start = peak_rss_mb()
    with collector_paused():  # as TopologyService.topology() reads and builds
        inp, read = timed(lambda: read_view(db, None), profiler)
        rss_read = peak_rss_mb()
        topology, built = timed(lambda: build(inp), profiler)
    rss_built = peak_rss_mb()
    pairs = path_pairs(topology, paths, seed)
    path_profiler = cProfile.Profile(time.process_time) if profile else None
    cold = trace_all(pairs, lambda s, d: trace(inp, topology, s, d), path_profiler)
    tracer = Tracer(inp, topology)  # indexes once, on its first query
    warm = trace_all(pairs, tracer.trace)
    db.close()
    report = {"open": opening.as_dict(), "read": read.as_dict(), "build": built.as_dict(),
              "total": (read + built).as_dict(),
              "rss_start_mb": round(rss_start, 1), "rss_after_read_mb": round(rss_read, 1),
              "peak_rss_mb": round(rss_built, 1), "paths": cold, "paths_one_tracer": warm,
              "topology": shape(topology)}  # fmt: skip
    if profiler is not None and path_profiler is not None:
        report["profile"], report["profile_paths"] = top_entries(profiler), top_entries(path_profiler)
    return report


def path_pairs(topology: Topology, paths: int, seed: int) -> list[tuple[str, str]]:
    """``paths`` random (source, destination) pairs of endpoint addresses, the same for a seed."""
    hosts = sorted((e.ip, e.mac) for e in topology.endpoints if e.ip)
    if len(hosts) < 2:
        return []
    return [(src, dst) for (src, _), (dst, _) in (random.Random(f"{seed}:{i}").sample(hosts, 2) for i in range(paths))]


def rss_mb() -> float:
    """This process's resident set now."""
    return float(psutil.Process().memory_info().rss) / MB


def measure_service(url: str, paths: int, seed: int) -> dict[str, Any]:
    """What the API answers a path query with: ``TopologyService.path`` over a kept ``CurrentView``
    (the database's stamp read, then the kept Tracer), after the view was warmed as ``netatlas serve``
    warms it (read, build, the Tracer's indexes). Python's collector stays on, as in the server.
    The resident set is the server's share of the topology: after the warm-up, after the path
    queries (each decodes the records of the devices it crosses, and they stay decoded), after a
    summary (the analysis reads every cabled device's interfaces)."""

    db = Database.open(url)
    current = CurrentView(db)
    service = TopologyService(db, current)
    rss_start = rss_mb()
    _, warmed = timed(current.warm)
    rss_warm, stamps = rss_mb(), [timed(current.stamp)[1] for _ in range(9)]
    pairs = path_pairs(current.get().topology, paths, seed)
    queries = trace_all(pairs, service.path, keep=True)
    rss_paths = rss_mb()
    _, summarised = timed(service.summary)
    rss_summary = rss_mb()
    again = trace_all(pairs[: max(1, len(pairs) // 5)], service.path, keep=True)
    http = http_paths(url, current, pairs)
    db.close()
    return {"warm": warmed.as_dict(), "stamp_ms": round(statistics.median(s.wall_s for s in stamps) * 1000, 2),
            "stamp_cpu_ms": round(statistics.median(s.cpu_s for s in stamps) * 1000, 2), "builds": current.builds,
            "paths": queries, "paths_after_summary": again, "http": http, "summary": summarised.as_dict(),
            "rss_start_mb": round(rss_start, 1), "rss_after_warm_mb": round(rss_warm, 1),
            "rss_after_paths_mb": round(rss_paths, 1), "rss_after_summary_mb": round(rss_summary, 1),
            "peak_rss_mb": round(peak_rss_mb(), 1)}  # fmt: skip


def http_paths(url: str, current: CurrentView, pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """``GET /api/topology/path`` for each pair against the app in this process (Starlette's
    TestClient: no socket, one thread hop), over the same kept view, with a real viewer token."""
    from fastapi.testclient import TestClient

    from netatlas.api.app import create_app
    from netatlas.api.context import open_context
    from netatlas.api.routes.topology import CURRENT_KEY
    from netatlas.domain.accounts import Role
    from netatlas.jobs.accounts import AccountService
    from netatlas.settings import load_settings

    with tempfile.TemporaryDirectory(prefix="netatlas-bench-topology-api-") as home:
        ctx = open_context(load_settings(home=Path(home), database_url=url))
        ctx.extras[CURRENT_KEY] = current  # the view measured above: no second 10,000-device build
        auth = ctx.auth
        assert isinstance(auth, AccountService)
        headers = {"Authorization": f"Bearer {auth.create_token('bench-viewer', Role.VIEWER, created_by='bench')}"}
        with TestClient(create_app(ctx)) as client:
            times, failed = [], 0
            for src, dst in pairs:
                began = time.perf_counter()
                answer = client.get("/api/topology/path", params={"src": src, "dst": dst}, headers=headers)
                times.append((time.perf_counter() - began) * 1000)
                failed += answer.status_code != 200 or not answer.json()["complete"]
    if not times:
        return {"queries": 0}
    ordered = sorted(times)
    return {"queries": len(times), "failed": failed, "median_ms": round(statistics.median(times), 2),
            "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))], 2), "max_ms": round(ordered[-1], 2)}


def trace_all(pairs: Sequence[tuple[str, str]], query: Callable[[str, str], PathResult],
              profiler: cProfile.Profile | None = None, *, keep: bool = False) -> dict[str, Any]:
    """Time each path query; how many reached their destination, their hop counts, the first query's time
    (``keep``: also the p99 and every time, in query order)."""
    times: list[float] = []
    cpu: list[float] = []  # the process's CPU time per query: what the shared cores' load does not inflate
    complete, hops, refused = 0, [], []
    for src, dst in pairs:
        began, began_cpu = time.perf_counter(), time.process_time()
        try:
            result, _ = timed(lambda s=src, d=dst: query(s, d), profiler)  # type: ignore[misc]
        except ValueError as exc:  # a source no device serves: counted, and the reason kept
            refused.append(str(exc))
            continue
        finally:
            times.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
        complete += bool(result.complete)
        hops.append(max((len(result.branch(leaf)) for leaf in result.leaves), default=0))
    if not times:
        return {"queries": 0, "refused": refused[:5]}
    ordered = sorted(times)
    found: dict[str, Any] = {
             "queries": len(times), "first_ms": round(times[0], 2), "median_ms": round(statistics.median(times), 2),
             "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))], 2),
             "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))], 2), "max_ms": round(ordered[-1], 2),
             "over_target": sum(t > TARGETS["path_ms"] for t in times), "complete": complete,
             "median_hops": statistics.median(hops) if hops else 0, "refused": refused[:5]}  # fmt: skip
    if keep:
        by_cpu = sorted(cpu)
        found |= {"cpu_median_ms": round(statistics.median(cpu), 2),
                  "cpu_p99_ms": round(by_cpu[int(0.99 * (len(by_cpu) - 1))], 2), "cpu_max_ms": round(by_cpu[-1], 2),
                  "times_ms": [round(t, 2) for t in times], "cpu_ms": [round(t, 2) for t in cpu]}
    return found


def measure_diff(url: str, old: str, new: str, profile: bool) -> dict[str, Any]:
    """``topology diff OLD NEW`` as ``TopologyService.diff`` does it: read both jobs' views in one
    session through one ``TopologyRepo`` (a device packed identically in both runs is decoded once),
    build both (port names canonicalised once for both), diff."""

    profiler = cProfile.Profile(time.process_time) if profile else None  # CPU time: the cores are shared
    db, opening = timed(lambda: Database.open(url))
    with db.session(readonly=True) as session, collector_paused():
        repo, made = TopologyRepo(session), {}  # type: ignore[var-annotated]
        old_input, old_read = timed(lambda: to_input(repo.job_input(old), made), profiler)
        new_input, new_read = timed(lambda: to_input(repo.job_input(new), made), profiler)
    names = Ports()  # as the service: both runs' port names canonicalised once
    with collector_paused():
        old_topology, old_built = timed(lambda: build(old_input, names), profiler)
        new_topology, new_built = timed(lambda: build(new_input, names), profiler)
        change, compared = timed(lambda: diff(old_topology, new_topology), profiler)
    total = old_read + old_built + new_read + new_built + compared
    db.close()
    report = {"open": opening.as_dict(), "read_old": old_read.as_dict(), "build_old": old_built.as_dict(),
              "read_new": new_read.as_dict(), "build_new": new_built.as_dict(),
              "diff": compared.as_dict(), "total": total.as_dict(), "peak_rss_mb": round(peak_rss_mb(), 1),
              "counts": change.counts(),
              "l2_links_removed": sum(x.layer == "l2" for x in change.links_removed),
              "l3_links_removed": sum(x.layer == "l3" for x in change.links_removed),
              "old": shape(old_topology), "new": shape(new_topology)}  # fmt: skip
    if profiler is not None:
        report["profile"] = top_entries(profiler)
    return report


def top_entries(profiler: cProfile.Profile, limit: int = 25) -> list[str]:
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(limit)
    return [line for line in out.getvalue().splitlines() if line.strip()][-limit - 1:]


def worker_main(args: argparse.Namespace) -> int:
    """``--worker populate|current|service|diff``: one step in its own process; the result goes to ``--out``."""
    if args.worker == "populate":
        p = plan(args.devices, args.seed, args.changes)
        at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=args.run)
        result = populate(args.url, p, args.run, at)
    elif args.worker == "current":
        result = measure_current(args.url, args.paths, args.seed, args.profile)
    elif args.worker == "service":
        result = measure_service(args.url, args.paths, args.seed)
    else:
        result = measure_diff(args.url, args.old, args.new, args.profile)
    args.out.write_text(json.dumps(result))
    return 0


# ----- the parent: databases, workers, checks ----------------------------------------------------
def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("NETATLAS_")}


def run_worker(kind: str, url: str, workdir: Path, *extra: str) -> dict[str, Any]:
    out = workdir / f"{kind}.json"
    out.unlink(missing_ok=True)
    argv = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--url", url, "--out", str(out), *extra]
    done = subprocess.run(argv, capture_output=True, text=True, env=_clean_env(), check=False)
    if done.returncode != 0 or not out.exists():
        raise BenchError(f"the {kind} worker exited {done.returncode}: {done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.read_text())
    return result


@contextlib.contextmanager
def database(base: str | None, size: int, workdir: Path) -> Iterator[str]:
    """A fresh database for one size: a SQLite file, or a PostgreSQL database dropped afterwards."""
    if base is None:
        yield f"sqlite:///{workdir / f'topology-{size}.db'}"
        return
    url = make_url(base)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    name = f"{url.database or 'netatlas_bench'}_topology_{size}_{os.getpid()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def matches(truth: dict[str, Any], built: dict[str, Any]) -> dict[str, bool]:
    """The built topology holds exactly the generated L2 links and endpoints (ports and addresses)."""
    return {"l2_links": truth["digests"]["l2"] == built["digests"]["l2"] and truth["l2_links"] == built["l2_links"],
            "endpoints": truth["digests"]["endpoints"] == built["digests"]["endpoints"]}


def size_phase(args: argparse.Namespace, size: int, workdir: Path, with_diff: bool) -> dict[str, Any]:
    common = ["--devices", str(size), "--seed", str(args.seed), "--changes", str(args.changes)]
    with database(args.db, size, workdir) as url:
        first = run_worker("populate", url, workdir, *common, "--run", "1")
        _say(f"  {size} devices: wrote {first['rows']:,} rows in {first['write_s']:.1f} s")
        current = run_worker("current", url, workdir, "--paths", str(args.paths), "--seed", str(args.seed),
                             *(["--profile"] if args.profile else []))
        _say(f"  {size} devices: read {current['read']['wall_s']:.2f} s + build {current['build']['wall_s']:.2f} s, "
             f"peak RSS {current['peak_rss_mb']:.0f} MB, path median {current['paths'].get('median_ms', 0):.1f} ms")
        result = {"devices": size, "written": first, "current": current, "match": matches(first, current["topology"])}
        if size == max(args.sizes):  # the path a user gets from the API: the kept view, after the warm-up
            served = run_worker("service", url, workdir, "--paths", str(args.paths), "--seed", str(args.seed))
            result["service"] = served
            paths = served["paths"]
            _say(f"  {size} devices: kept view warmed in {served['warm']['wall_s']:.2f} s, RSS "
                 f"{served['rss_after_warm_mb']:.0f} MB; path median {paths.get('median_ms', 0):.1f} ms, "
                 f"p99 {paths.get('p99_ms', 0):.1f}, max {paths.get('max_ms', 0):.1f} (stamp {served['stamp_ms']} ms)")
        if with_diff:
            second = run_worker("populate", url, workdir, *common, "--run", "2")
            change = run_worker("diff", url, workdir, "--old", first["job_id"], "--new", second["job_id"],
                                *(["--profile"] if args.profile else []))
            _say(f"  {size} devices: diff of two runs in {change['total']['wall_s']:.2f} s")
            result["diff"] = {"written": second, **change, "expected": expected_diff(args, size),
                              "match": {"old": matches(first, change["old"]), "new": matches(second, change["new"])}}
        if args.db is None:
            result["db_mb"] = round(sum(f.stat().st_size for f in workdir.glob(f"topology-{size}.db*")) / MB, 1)
    return result


def expected_diff(args: argparse.Namespace, size: int) -> dict[str, int]:
    changes = plan(size, args.seed, args.changes).changes
    return {"l2_links_removed": len(changes.access_members) + len(changes.leaf_uplinks),
            "l3_adjacencies_lost": len(changes.leaf_uplinks), "endpoints_moved": len(changes.moves)}


def diff_ok(result: dict[str, Any]) -> bool:
    expected = result["expected"]
    return (all(result["match"]["old"].values()) and all(result["match"]["new"].values())
            and result["l2_links_removed"] == expected["l2_links_removed"]
            and result["counts"]["endpoints_moved"] == expected["endpoints_moved"]
            and result["counts"]["links_added"] == 0 and result["counts"]["endpoints_added"] == 0)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# ----- report ------------------------------------------------------------------------------------
def linear_fit(points: Sequence[tuple[float, float]]) -> dict[str, Any]:
    """Least-squares ``seconds = fixed + per_device * n`` and how far per-device times spread.

    Examples:
        >>> fit = linear_fit([(1000, 2.0), (5000, 10.0), (10000, 20.0)])
        >>> fit["per_device_ms"], fit["spread"], fit["linear"]
        (2.0, 0.0, True)
    """
    n = len(points)
    mean_x, mean_y = sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points) or 1.0
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / var
    per = sorted(y / x for x, y in points)
    median = per[n // 2] if n % 2 else (per[n // 2 - 1] + per[n // 2]) / 2
    spread = max(abs(q - median) / median for q in per) if median else 0.0
    return {"fixed_s": round(mean_y - slope * mean_x, 3), "per_device_ms": round(slope * 1000, 3),
            "spread": round(spread, 3), "linear": spread <= TARGETS["linear_spread"]}


def targets(sizes: list[dict[str, Any]], change: dict[str, Any] | None, fit: dict[str, Any]) -> dict[str, bool]:
    """Each target met or not; the path target on the path a user gets from the API (the kept view)."""
    top = max(sizes, key=lambda s: s["devices"])
    largest = top["current"]
    served = top.get("service", {}).get("paths", {"queries": 0})
    met = {"read_and_build_under_5s": largest["total"]["wall_s"] < TARGETS["total_s"],
           "peak_rss_under_1gb": largest["peak_rss_mb"] < TARGETS["peak_rss_mb"],
           "near_linear": fit["linear"],
           "path_median_under_50ms": bool(served["queries"]) and served["median_ms"] < TARGETS["path_ms"],
           "path_p99_under_50ms": bool(served["queries"]) and served["p99_ms"] < TARGETS["path_ms"],
           "every_path_under_50ms": bool(served["queries"]) and served["over_target"] == 0}
    if change is not None:
        met["diff_under_10s"] = change["total"]["wall_s"] < TARGETS["diff_s"]
    return met


def machine_info() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), "")
    return {"cpu_count": os.cpu_count(), "cpu_model": model or platform.processor() or "unknown",
            "memory_gb": round(psutil.virtual_memory().total / 1e9, 1), "python": platform.python_version(),
            "platform": platform.platform(), "load_avg_at_start": os.getloadavg(),
            "date": datetime.now(UTC).isoformat(timespec="seconds")}  # fmt: skip


def _size_row(s: dict[str, Any]) -> str:
    c, t = s["current"], s["current"]["topology"]
    paths, warm = c["paths"], c["paths_one_tracer"]
    path = f"{paths['median_ms']:.0f} ({paths['max_ms']:.0f})" if paths["queries"] else "-"
    path += f"; {warm['median_ms']:.1f} ({warm['first_ms']:.0f})" if warm["queries"] else ""
    return (f"| {s['devices']:,} | {t['l2_links']:,} / {t['l3_links']:,} | {t['endpoints']:,} | "
            f"{s['written']['rows']:,} | {c['read']['wall_s']:.2f} | {c['build']['wall_s']:.2f} | "
            f"**{c['total']['wall_s']:.2f}**{'*' if c['total']['noisy'] else ''} ({c['total']['cpu_s']:.2f}) | "
            f"{c['total']['wall_s'] * 1000 / s['devices']:.2f} | {c['peak_rss_mb']:.0f} | {path} |")


def markdown(results: dict[str, Any]) -> str:
    host, fit, backend = results["machine"], results["linearity"], results["params"]["db"]
    lines = [
        f"Topology benchmark: synthetic network, {backend} ({host['cpu_count']} cores, {host['cpu_model']}, "
        f"Python {host['python']}, {host['date']})", "",
        "| devices | links L2 / L3 | endpoints | rows stored | read s | build s | read+build s (CPU s) | "
        "ms/device | peak RSS MB | path ms: median (max); one Tracer: median (first) |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *(_size_row(s) for s in results["sizes"]), "",
        f"Read+build CPU time fit: {fit['fixed_s']:.2f} s + {fit['per_device_ms']:.3f} ms/device; per-device CPU "
        f"time within ±{fit['spread'] * 100:.0f}% of the median: {'near-linear' if fit['linear'] else 'NOT linear'} "
        f"(limit ±25%; wall time: ±{fit['wall']['spread'] * 100:.0f}%).",
    ]  # fmt: skip
    top = max(results["sizes"], key=lambda s: s["devices"])
    served = top.get("service")
    if served is not None and served["paths"]["queries"]:
        q = served["paths"]
        lines += ["", f"Path query as the API answers it ({top['devices']:,} devices, kept current view after the "
                  f"warm-up, {q['queries']} queries): median **{q['median_ms']:.1f} ms**, p99 {q['p99_ms']:.1f} ms, "
                  f"max {q['max_ms']:.1f} ms (CPU: median {q['cpu_median_ms']:.1f}, p99 {q['cpu_p99_ms']:.1f}, max "
                  f"{q['cpu_max_ms']:.1f} ms; the database's stamp read each time: {served['stamp_ms']:.1f} ms); "
                  f"over HTTP (in-process app, TestClient): median {served['http']['median_ms']:.1f} ms, p99 "
                  f"{served['http']['p99_ms']:.1f} ms. "
                  f"Warm-up {served['warm']['wall_s']:.2f} s (CPU {served['warm']['cpu_s']:.2f}); the process's RSS "
                  f"{served['rss_after_warm_mb']:.0f} MB warm, {served['rss_after_paths_mb']:.0f} MB after the paths, "
                  f"{served['rss_after_summary_mb']:.0f} MB after a summary ({served['summary']['wall_s']:.2f} s)."]
    change = results.get("diff")
    if change is not None:
        counts, expected, total = change["counts"], change["expected"], change["total"]
        lines += ["", f"Diff of two {change['old']['devices']:,}-device runs ({results['params']['changes']} changes): "
                  f"**{total['wall_s']:.2f} s**{'*' if total['noisy'] else ''} (CPU {total['cpu_s']:.2f} s; reads "
                  f"{change['read_old']['wall_s']:.2f} + {change['read_new']['wall_s']:.2f} s, builds "
                  f"{change['build_old']['wall_s']:.2f} + {change['build_new']['wall_s']:.2f} s, diff "
                  f"{change['diff']['wall_s']:.2f} s), peak RSS {change['peak_rss_mb']:.0f} MB; found "
                  f"{change['l2_links_removed']} L2 links removed (expected {expected['l2_links_removed']}), "
                  f"{counts['endpoints_moved']} endpoints moved (expected {expected['endpoints_moved']})."]
    lines += ["", f"\\* wall time over {SLOWED}x the process's CPU time: other processes held the shared cores "
              "meanwhile; the CPU time (in brackets) is the figure to compare.",
              "", "Targets: " + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in results["targets_met"].items())]
    return "\n".join(lines)


# ----- main --------------------------------------------------------------------------------------
def _ints(value: str) -> list[int]:
    return [int(part) for part in re.split(r"[,\s]+", value.strip()) if part]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", type=_ints, default=[1000, 5000, 10000], help="devices per measured network")
    parser.add_argument("--changes", type=int, default=300, help="differences between the two runs diffed")
    parser.add_argument("--paths", type=int, default=50, help="random endpoint-to-endpoint path queries")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", help="PostgreSQL URL (a database per size is created next to it and dropped); "
                                     "default: a SQLite file in a temporary directory")
    parser.add_argument("--json", type=Path, default=Path(__file__).parent / "results" / "topology.json")
    parser.add_argument("--profile", action="store_true", help="cProfile the read, build and diff (top entries)")
    parser.add_argument("--worker", choices=("populate", "current", "service", "diff"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--devices", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--run", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--old", help=argparse.SUPPRESS)
    parser.add_argument("--new", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict[str, Any]:
    machine = machine_info()
    sizes, change = [], None
    with tempfile.TemporaryDirectory(prefix="netatlas-bench-topology-") as tmp:
        for size in sorted(args.sizes):
            result = size_phase(args, size, Path(tmp), with_diff=size == max(args.sizes))
            change = result.pop("diff", change)
            sizes.append(result)
    fit = {**linear_fit([(s["devices"], s["current"]["total"]["cpu_s"]) for s in sizes]), "on": "cpu_s",
           "wall": linear_fit([(s["devices"], s["current"]["total"]["wall_s"]) for s in sizes])}
    params = {"sizes": sorted(args.sizes), "changes": args.changes, "paths": args.paths, "seed": args.seed,
              "db": "postgresql" if args.db else "sqlite", "write_batch": BATCH, "targets": TARGETS}
    ok = all(all(s["match"].values()) for s in sizes) and (change is None or diff_ok(change))
    results = {"ok": ok, "machine": machine, "params": params, "sizes": sizes, "linearity": fit}
    if change is not None:
        results["diff"] = change
    results["targets_met"] = targets(sizes, change, fit)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker is not None:
        return worker_main(args)
    if args.out is not None:  # --out (a worker's output) given to the parent: taken as --json, never ignored
        args.json = args.out
    began = time.perf_counter()
    results = run(args)
    results["bench_s"] = round(time.perf_counter() - began, 1)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1) + "\n")
    print(markdown(results))
    if not results["ok"]:
        print("FAILED: a built topology or the diff differs from the generated truth (see 'match' in the JSON)",
              file=sys.stderr)
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
