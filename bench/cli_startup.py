"""CLI start-up benchmark: how long ``netatlas --help``, ``netatlas jobs list`` and ``netatlas topology --help`` take.

Run::

    .venv/bin/python bench/cli_startup.py [--runs 15] [--jobs 50] [--pg-url URL] [--json FILE]

Each command runs ``--runs`` times as a user runs it (the console script next to this interpreter,
a new process each time) after one unmeasured run that warms the OS file cache and writes the
bytecode of netatlas's own modules (to a temporary ``PYTHONPYCACHEPREFIX``, so the source tree is
left alone even where ``PYTHONDONTWRITEBYTECODE`` is set: an installed package ships its ``.pyc``).
``jobs list`` reads the embedded database (a SQLite file in a temporary ``NETATLAS_HOME``, created
by a first run) holding ``--jobs`` finished jobs (default 50: it shows 20 of them, as a user with a
history sees it; 0: an empty table). With ``--pg-url URL`` it is also measured on that PostgreSQL
database (``jobs list (PostgreSQL)``, ``--db URL``: its schema upgraded with ``netatlas db upgrade``
and the same jobs added to it). Reported per command: the median, minimum and maximum wall time, the
median CPU time of the process (user + system, from ``wait4``), and the target (issue 11: < 0.3 s
wall). The machine's load average is recorded before and after: on shared cores wall time
exceeds CPU time and the minimum is the better estimate of an idle machine. Results go to
``--json`` (default ``bench/results/cli_startup.json``). Exit status 1 when a command fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

TARGET_S = 0.3
COMMANDS: dict[str, list[str]] = {
    "--help": ["--help"],
    "jobs list": ["jobs", "list"],
    "topology --help": ["topology", "--help"],
}
RESULTS = Path(__file__).parent / "results" / "cli_startup.json"


class BenchError(Exception):
    """A measured command failed."""


@dataclass(frozen=True, slots=True)
class Timing:
    command: str
    runs: int
    median_s: float
    min_s: float
    max_s: float
    cpu_median_s: float
    target_s: float
    met: bool  # the median wall time is under the target
    met_on_min: bool  # the fastest run is: what an idle machine would show


def console_script() -> list[str]:
    """``netatlas`` as installed next to this interpreter (the console script users run)."""
    script = Path(sys.executable).parent / "netatlas"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from netatlas.cli.main import main; sys.argv[0] = 'netatlas'; main()"]


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run (the child's own rusage, read by ``wait4``)."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(argv)} exited {proc.returncode}: {stderr.strip()[-500:]}")
    return wall, usage.ru_utime + usage.ru_stime


def measure(name: str, args: list[str], runs: int, env: dict[str, str]) -> Timing:
    argv = [*console_script(), *args]
    run_once(argv, env)  # warm-up: bytecode written, files cached, the embedded database created
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = run_once(argv, env)
        walls.append(wall)
        cpus.append(cpu)
    median = statistics.median(walls)
    return Timing(name, runs, round(median, 4), round(min(walls), 4), round(max(walls), 4),
                  round(statistics.median(cpus), 4), TARGET_S, median < TARGET_S, min(walls) < TARGET_S)


def add_jobs(url: str, count: int) -> None:
    """``count`` finished jobs of three devices each (one failed), as discovery leaves them."""
    from netatlas.domain.inventory import InventoryDevice
    from netatlas.domain.records import DeviceStatus, JobStatus
    from netatlas.store import Database, JobRepo

    devices = [InventoryDevice(name=f"sw{n}", host=f"10.0.0.{n}", platform="cisco_ios", credentials="lab")
               for n in range(1, 4)]
    with Database.open(url) as db:
        for number in range(count):
            with db.session() as session:
                repo = JobRepo(session)
                job_id = repo.create(devices, {"data_types": ["cdp", "lldp"], "bench": number})
                repo.claim(job_id, "bench", 1)
                repo.update_device(job_id, "sw1", DeviceStatus.FAILED, error="timeout")
                repo.finish(job_id, JobStatus.COMPLETED, "" if number % 5 else "1 device failed")


def environment(home: Path, pycache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NETATLAS_DATABASE_URL", "PYTHONDONTWRITEBYTECODE")}
    env.update(NETATLAS_HOME=str(home), PYTHONPYCACHEPREFIX=str(pycache), COLUMNS="100")
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="measured runs per command (>= 10)")
    parser.add_argument("--json", type=Path, default=RESULTS, help="where the results go")
    parser.add_argument("--jobs", type=int, default=50, help="finished jobs in the database jobs list reads")
    parser.add_argument("--pg-url", help="also time `jobs list --db PG_URL` (a PostgreSQL database of yours; "
                                         "--jobs jobs are added to it)")
    options = parser.parse_args(argv)
    if options.runs < 10:
        parser.error("--runs: at least 10")
    load_before = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="netatlas-cli-bench-") as scratch:
        home, pycache = Path(scratch) / "home", Path(scratch) / "pycache"
        env = environment(home, pycache)
        commands = dict(COMMANDS)
        try:
            run_once([*console_script(), "jobs", "list"], env)  # creates the embedded database
            add_jobs(f"sqlite:///{home / 'netatlas.db'}", options.jobs)
            if options.pg_url:
                run_once([*console_script(), "db", "upgrade", "--db", options.pg_url], env)
                add_jobs(options.pg_url, options.jobs)
                commands["jobs list (PostgreSQL)"] = ["jobs", "list", "--db", options.pg_url]
            timings = [measure(name, args, options.runs, env) for name, args in commands.items()]
        except BenchError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    load_after = [round(x, 2) for x in os.getloadavg()]
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_before": load_before, "load_after": load_after},
        "jobs_in_database": options.jobs,
        "commands": [asdict(t) for t in timings],
        "targets_met": all(t.met for t in timings),
    }
    options.json.parent.mkdir(parents=True, exist_ok=True)
    options.json.write_text(json.dumps(report, indent=1) + "\n")
    print(f"| command | median wall s | min s | max s | CPU s (median) | < {TARGET_S} s |")
    print("|---|---|---|---|---|---|")
    for t in timings:
        print(f"| netatlas {t.command} | {t.median_s:.3f} | {t.min_s:.3f} | {t.max_s:.3f} | {t.cpu_median_s:.3f} "
              f"| {'yes' if t.met else 'no'}{'' if t.met or not t.met_on_min else ' (min: yes)'} |")
    print(f"load average before {load_before}, after {load_after}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
