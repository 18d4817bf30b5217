"""Linearity: netatlas discovering 100 to 10,000 devices, each size on a bounded lab of its own.

Run (issue 11; the 10,000-device pass takes about half an hour, so it runs niced and outside the
bench lock, and its runs are added to the same file with ``--append``)::

    flock /tmp/netatlas-bench.lock .venv/bin/python bench/linearity.py --sizes 100,1000 \\
        --out bench/results/linearity.json
    nice -n 5 .venv/bin/python bench/linearity.py --sizes 10000 --address-range 127.201.0.0/16 \\
        --append --note "nice 5, without the bench lock" --out bench/results/linearity.json

``bench/discovery.py``'s linearity phase discovers nested subsets of one large lab, where a
device's routing table grows with the lab (a leaf of a 10,000-device mixed lab carries 8 MB of
routes, every other leaf's prefixes with 8 paths each): its "ms per device" compares unlike
devices. Here each size N gets a mixed lab of exactly N devices built with ``bounded=True``
(``netatlas.lab.scenarios.build_network``: WAN areas of 20 branches each with its own summary,
datacenter spines announcing summary-only aggregates of the leaves, campus pairs numbered apart
from the WAN), so what one device answers depends on its role and area, not on N; netatlas
discovers all N devices. The lab is served by this script's ``--worker lab`` subprocess (what
``netatlas lab serve --bounded --warm`` serves, with its build, warm and listen times reported as
one JSON line), its routing tables computed before it listens; discovery is measured by
``bench/discovery.py``'s helpers (wall, CPU of the whole process tree, peak RSS and PSS, what
other processes used meanwhile).

Per size: wall, netatlas CPU ms per device, ms (CPU) per KB of collected output (the ``size`` of
every stored raw output), peak RSS, the lab's build, warm and listen times, its RSS when listening
and its peak (``VmHWM``), and the load average. ``flat``: CPU ms per device within ±15 % of the
``--reference`` size's (1,000 devices), as measured and net of start-up (the CPU of the same
command on one device of the same lab, subtracted: imports, the parse pool, the database); a
least-squares fit of CPU seconds over the sizes (``cpu_fit``). On a shared machine CPU per device is the figure that
counts; wall depends on what else runs. Results go to ``--out`` as JSON (``--append`` keeps the
runs of other sizes already there); a markdown table is printed. Exit status 1 when a device failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import functools
import io
import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Sequence
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import discovery

SCENARIO = "mixed"
FLAT = 0.15  # issue 11: ms per device flat within +-15 %
KB = 1024
MB = KB * KB


# ----- the lab subprocess ------------------------------------------------------------------------
def _hwm_mb(pid: int | str = "self") -> float:
    """Peak resident set size of a process (``VmHWM``), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / KB
    return 0.0


def lab_main(args: argparse.Namespace) -> int:
    """Build, warm and serve a bounded lab until SIGTERM; one JSON line of timings before 'listening on'."""
    from netatlas.lab.runtime import prepare_lab
    from netatlas.lab.server import LabServer

    began = time.perf_counter()
    lab = prepare_lab(SCENARIO, args.devices, args.seed, port=args.port, mgmt_network=args.address_range,
                      bounded=True)
    built = time.perf_counter()
    routes = lab.network.warm()
    warmed = time.perf_counter()
    server = LabServer(lab.served, port=lab.port, host_key_seed=f"netatlas-lab:{lab.network.seed}".encode())

    async def serve() -> None:
        await server.start()
        lab.write(args.inventory, None)
        listening = time.perf_counter()
        info = {"build_s": round(built - began, 2), "warm_s": round(warmed - built, 2),
                "listen_s": round(listening - warmed, 2), "routes": routes,
                "rss_listening_mb": round(psutil.Process().memory_info().rss / MB, 1)}  # fmt: skip
        print(json.dumps(info), flush=True)
        print(f"listening on {len(server.addresses)} devices", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await server.stop()

    asyncio.run(serve())
    return 0


def start_lab(devices: int, args: argparse.Namespace, workdir: Path) -> tuple[discovery.LabProcess, dict[str, Any]]:
    inventory = workdir / f"lab-{devices}.yaml"
    port = discovery._free_port(str(next(args.address_range.hosts())))
    argv = [sys.executable, str(Path(__file__).resolve()), "--worker", "lab", "--devices", str(devices),
            "--seed", str(args.seed), "--port", str(port), "--address-range", str(args.address_range),
            "--inventory", str(inventory)]  # fmt: skip
    began = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, bufsize=0)
    assert proc.stdout is not None
    seen, info = b"", dict[str, Any]()
    while b"listening on" not in seen:
        left = max(args.start_timeout - (time.perf_counter() - began), 0)
        ready, _, _ = select.select([proc.stdout], [], [], left)
        line = proc.stdout.readline() if ready else b""
        if not line:
            proc.kill()
            raise discovery.BenchError(f"the lab did not start: {(seen + proc.stdout.read()).decode()[-2000:]}")
        if line.startswith(b"{"):
            info = json.loads(line)
        seen += line
    lab = discovery.LabProcess(proc, psutil.Process(proc.pid), yaml.safe_load(inventory.read_text()),
                               time.perf_counter() - began)
    return lab, info


# ----- a profiled pass (diagnosis: which functions cost more per device at a larger size) ---------
def _snapshot_loop(directory: Path, every_s: float, stop: threading.Event) -> None:
    """tracemalloc snapshots of the main process every ``every_s`` seconds; the first and the last stay."""
    number = 0
    while not stop.wait(every_s):
        tracemalloc.take_snapshot().dump(str(directory / f"heap-{number}.snap"))
        number += 1
        for old in sorted(directory.glob("heap-*.snap"), key=lambda p: int(p.stem.split("-")[1]))[1:-1]:
            old.unlink()


def _cpu_profiled_worker(directory: str, *args: Any) -> None:
    """A parse-pool worker's initializer: netatlas's own, then cProfile timed in the worker's CPU
    seconds (``discovery._profiled_worker`` times wall seconds: a worker waiting for work, or for the
    database lock, shows there), until the worker exits."""
    from multiprocessing.util import Finalize

    from netatlas.collect.parsers import pool

    pool._worker_started(*args)
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    Finalize(None, profile.dump_stats, args=(str(Path(directory) / f"worker-{os.getpid()}.prof"),), exitpriority=10)


def profile_main(args: argparse.Namespace) -> int:
    """``--worker profile``: ``netatlas discover`` in this process, its main and database threads under
    cProfile timed in thread CPU seconds, each parse-pool worker under cProfile, and (``--heap-every``)
    tracemalloc snapshots of this process; every file is kept in ``--out``."""
    from netatlas.cli.main import main as netatlas_main
    from netatlas.collect.parsers import pool
    from netatlas.jobs import engine

    directory = args.out
    directory.mkdir(parents=True, exist_ok=True)
    pool._worker_started = functools.partial(_cpu_profiled_worker, str(directory))
    setattr(engine, "ThreadPoolExecutor", discovery._ProfiledDbThread)  # noqa: B010 - the engine's name for it
    sys.argv = ["netatlas", "discover", "--inventory", str(args.inventory), "--json", "--concurrency",
                str(args.concurrency)]
    stop = threading.Event()
    if args.heap_every:
        tracemalloc.start(int(os.environ.get("HEAP_FRAMES", "1")))
        threading.Thread(target=_snapshot_loop, args=(directory, args.heap_every, stop), daemon=True).start()
    profile = cProfile.Profile(time.thread_time)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        if args.heap_every:  # memory only: no cProfile in this process (its hooks would skew the heap's timing)
            netatlas_main()
        else:
            profile.runcall(netatlas_main)
    stop.set()
    profile.dump_stats(str(directory / "main.prof"))
    for number, thread_profile in enumerate(discovery._THREAD_PROFILES):
        thread_profile.dump_stats(str(directory / f"db-{number}.prof"))
    pool.shutdown_pool()  # the workers write their profiles as they exit
    return 0


def profile_size(devices: int, args: argparse.Namespace, workdir: Path) -> None:
    """A bounded lab of ``devices`` devices discovered once under ``--worker profile`` (files: ``--profile``/n<N>)."""
    lab, info = start_lab(devices, args, workdir)
    out = args.profile / f"n{devices}"
    try:
        inventory = discovery.write_inventory(lab, lab.inventory["devices"], workdir / f"all-{devices}.yaml")
        home = Path(tempfile.mkdtemp(prefix="home-", dir=workdir))
        argv = [sys.executable, str(Path(__file__).resolve()), "--worker", "profile", "--inventory", str(inventory),
                "--concurrency", str(args.concurrency), "--out", str(out), "--heap-every", str(args.heap_every)]
        began, cpu = time.perf_counter(), os.times()
        done = subprocess.run(argv, env=discovery._clean_env(NETATLAS_HOME=str(home)), capture_output=True,
                              text=True, check=False)
        after = os.times()
        if done.returncode != 0:
            raise discovery.BenchError(f"the profiled run exited {done.returncode}: {done.stderr[-2000:]}")
        summary = {"devices": devices, "wall_s": round(time.perf_counter() - began, 1),
                   "children_cpu_s": round(after.children_user + after.children_system
                                           - cpu.children_user - cpu.children_system, 1),
                   "db_mb": round((home / "netatlas.db").stat().st_size / MB, 1), "lab": info,
                   "load": [round(x, 2) for x in os.getloadavg()]}  # fmt: skip
        (out / "summary.json").write_text(json.dumps(summary, indent=1))
        print(json.dumps(summary), file=sys.stderr)
    finally:
        discovery.stop_lab(lab)


# ----- one size ----------------------------------------------------------------------------------
def collected_bytes(home: Path) -> int:
    with contextlib.closing(sqlite3.connect(home / "netatlas.db")) as db:
        return int(db.execute("SELECT coalesce(sum(size), 0) FROM raw_output").fetchone()[0])


def measure(devices: int, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    load_before = os.getloadavg()
    lab, info = start_lab(devices, args, workdir)
    try:
        inventory = discovery.write_inventory(lab, lab.inventory["devices"], workdir / f"all-{devices}.yaml")
        homes = set(workdir.glob("home-*"))
        run = discovery.run_netatlas(lab, inventory, args.concurrency, workdir)
        (home,) = set(workdir.glob("home-*")) - homes
        size = collected_bytes(home)
        one = discovery.write_inventory(lab, lab.inventory["devices"][:1], workdir / f"one-{devices}.yaml")
        fixed = discovery.run_netatlas(lab, one, args.concurrency, workdir)
        lab_rss = lab.ps.memory_info().rss / MB
        lab_peak = _hwm_mb(lab.ps.pid)
    finally:
        discovery.stop_lab(lab)
    load_after = os.getloadavg()
    kb = size / KB
    return {
        **run, "collected_mb": round(size / MB, 1), "collected_kb_per_device": round(kb / devices, 1),
        "cpu_ms_per_kb": round(run["cpu_s"] * 1000 / max(kb, 1), 3),
        "wall_ms_per_device": round(run["wall_s"] * 1000 / devices, 1),
        "one_device_cpu_s": fixed["cpu_s"], "one_device_wall_s": fixed["wall_s"],
        "net_cpu_ms_per_device": round((run["cpu_s"] - fixed["cpu_s"]) * 1000 / max(devices - 1, 1), 1),
        "lab": {**info, "start_s": round(lab.start_s, 1), "rss_after_mb": round(lab_rss, 1),
                "peak_rss_mb": round(lab_peak, 1)},
        "load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in load_after],
        "nice": os.nice(0), "note": args.note, "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }  # fmt: skip


def flatness(runs: Sequence[dict[str, Any]], reference: int, key: str = "cpu_ms_per_device") -> dict[str, Any]:
    """Each size's ``key`` (CPU ms per device) against the reference size's: within ``FLAT`` or not.

    Examples:
        >>> runs = [{"devices": 100, "cpu_ms_per_device": 110.0}, {"devices": 1000, "cpu_ms_per_device": 100.0},
        ...         {"devices": 10000, "cpu_ms_per_device": 120.0}]
        >>> f = flatness(runs, 1000)
        >>> [(r["devices"], r["ratio"], r["flat"]) for r in f["sizes"]], f["flat"]
        ([(100, 1.1, True), (1000, 1.0, True), (10000, 1.2, False)], False)
    """
    ref = next((r for r in runs if r["devices"] == reference), None)
    if ref is None:
        return {"reference": reference, "figure": key, "sizes": [], "flat": None}
    sizes = [{"devices": r["devices"], key: r[key], "ratio": round(r[key] / ref[key], 3),
              "flat": abs(r[key] / ref[key] - 1) <= FLAT}
             for r in sorted(runs, key=lambda r: r["devices"])]  # fmt: skip
    return {"reference": reference, "figure": key, "tolerance": FLAT, "sizes": sizes,
            "flat": all(s["flat"] for s in sizes)}


def markdown(results: dict[str, Any]) -> str:
    rows = ["| devices | wall s | CPU s | CPU ms/device | vs ref | net of start-up | vs ref | ms/KB | KB/device "
            "| peak RSS MB | lab build+warm s | lab RSS MB (peak) | load | others CPU s |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
    ref = next((r for r in results["runs"] if r["devices"] == results["params"]["reference"]), None)
    for r in sorted(results["runs"], key=lambda r: r["devices"]):
        lab = r["lab"]
        ratio = round(r["cpu_ms_per_device"] / ref["cpu_ms_per_device"], 3) if ref else "-"
        net = round(r["net_cpu_ms_per_device"] / ref["net_cpu_ms_per_device"], 3) if ref else "-"
        load = f"{r['load_before'][0]}-{r['load_after'][0]}"
        rows.append(f"| {r['devices']:,} | {r['wall_s']} | {r['cpu_s']} | {r['cpu_ms_per_device']} "
                    f"| {ratio} | {r['net_cpu_ms_per_device']} | {net} "
                    f"| {r['cpu_ms_per_kb']} | {r['collected_kb_per_device']} "
                    f"| {r['peak_rss_mb']} | {lab['build_s']}+{lab['warm_s']} | {lab['rss_after_mb']} "
                    f"({lab['peak_rss_mb']}) | {load} | {r['others_cpu_s']} |")
    return "\n".join(rows)


# ----- driver --------------------------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", type=discovery._ints, default=[100, 1000, 10000],
                        help="lab sizes, each discovered whole")
    parser.add_argument("--reference", type=int, default=1000, help="the size the others are compared to")
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--address-range", type=IPv4Network, default=IPv4Network("127.200.0.0/16"),
                        help="loopback range of the lab's devices")
    parser.add_argument("--start-timeout", type=float, default=900.0, help="seconds the lab may take to listen")
    parser.add_argument("--append", action="store_true", help="keep the runs of other sizes already in --out")
    parser.add_argument("--note", default="", help="recorded with each run (how it was run)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "linearity.json")
    parser.add_argument("--profile", type=Path, help="diagnosis: profile one discovery per size into this directory "
                        "(main and database threads, pool workers), nothing measured")
    parser.add_argument("--heap-every", type=float, default=0.0,
                        help="with --profile: tracemalloc snapshots of the main process every this many seconds")
    parser.add_argument("--worker", choices=("lab", "profile"), help=argparse.SUPPRESS)
    parser.add_argument("--devices", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--inventory", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict[str, Any]:
    earlier: list[dict[str, Any]] = []
    if args.append and args.out.exists():
        earlier = [r for r in json.loads(args.out.read_text())["runs"] if r["devices"] not in args.sizes]
    runs = []
    with tempfile.TemporaryDirectory(prefix="netatlas-bench-linearity-") as tmp:
        for size in args.sizes:
            print(f"linearity: a bounded {size}-device lab", file=sys.stderr)
            runs.append(discovery._say(measure(size, args, Path(tmp)), f"netatlas n={size}"))
    every = sorted([*earlier, *runs], key=lambda r: r["devices"])
    params = {"scenario": SCENARIO, "bounded": True, "seed": args.seed, "concurrency": args.concurrency,
              "sizes": [r["devices"] for r in every], "reference": args.reference, "lab_warm": True,
              "data_types": sorted(str(t) for t in discovery.ALL_TYPES)}  # fmt: skip
    return {"ok": all(r["failures"] == 0 for r in every), "machine": discovery.machine_info(), "params": params,
            "runs": every, "flatness": flatness(every, args.reference),
            "flatness_net": flatness(every, args.reference, "net_cpu_ms_per_device"),
            "cpu_fit": discovery.linear_fit([(r["devices"], r["cpu_s"]) for r in every]) if len(every) > 1 else {}}


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker == "lab":
        return lab_main(args)
    if args.worker == "profile":
        return profile_main(args)
    if args.profile is not None:
        with tempfile.TemporaryDirectory(prefix="netatlas-bench-linearity-") as tmp:
            for size in args.sizes:
                profile_size(size, args, Path(tmp))
        return 0
    results = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(markdown(results))
    if not results["ok"]:
        print("FAILED: some device failed (see 'failed' in the JSON)", file=sys.stderr)
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
