"""Whatever dies mid-run (the process, the database server, the disk, the database file), the job
ends with every row final, a clear message, and nothing reported ``completed`` that was not stored.

A `netatlas discover` subprocess runs against a small lab that answers each command 250 ms late,
two devices at a time, so a run lasts several seconds; once a device has completed, the test
strikes: ``kill -9`` (then ``jobs recover``), SIGINT / SIGTERM, a PostgreSQL server stopped
(a private cluster on its own port: the shared server is never touched), a full disk (a small
tmpfs holding the SQLite file) and the SQLite database directory removed.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import pytest

from netatlas.domain.errors import NetatlasError
from netatlas.domain.records import DeviceStatus, ErrorKind, JobStatus
from netatlas.jobs.liveness import pid_alive
from netatlas.lab.background import BackgroundLab
from netatlas.lab.runtime import Lab
from netatlas.store import Database, JobDetail, JobRepo, SnapshotRepo
from tests.integration.discovery.helpers import CLI, cli, cli_env, free_port, make_lab, migrated, write_inventory

pytestmark = pytest.mark.integration

NETWORK = IPv4Network("127.68.0.0/16")
DEVICES = 8
CONCURRENCY = 2
LATENCY_MS = 250
STRIKE_AFTER = 1  # devices completed before the test strikes
PG_BIN = Path("/usr/lib/postgresql/15/bin")


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    prepared = make_lab("mixed", DEVICES, NETWORK)
    with BackgroundLab(prepared, latency_ms=LATENCY_MS):
        yield prepared


@pytest.fixture(scope="module")
def inventory(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_inventory(lab.inventory(), tmp_path_factory.mktemp("inv") / "lab.yaml")


@dataclass(slots=True)
class Discover:
    """A ``netatlas discover --json`` subprocess and the job it runs."""

    process: subprocess.Popen[str]
    db_url: str
    job_id: str = ""

    @classmethod
    def start(cls, inventory: Path, db_url: str, home: Path) -> Discover:
        args = [*CLI, "discover", "--inventory", str(inventory), "--concurrency", str(CONCURRENCY),
                "--db", migrated(db_url), "--json"]
        process = subprocess.Popen(args, env=cli_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        return cls(process, db_url)

    def wait_for_completed(self, count: int = STRIKE_AFTER, timeout: float = 90) -> str:
        """Block until the job has ``count`` completed devices; returns its id."""
        deadline = time.monotonic() + timeout
        with Database(self.db_url) as db:
            while time.monotonic() < deadline:
                assert self.process.poll() is None, f"discover ended early: {self.process.communicate()}"
                try:
                    with db.session(readonly=True) as session:
                        jobs = JobRepo(session).list(limit=1)
                except NetatlasError:  # not migrated yet
                    jobs = []
                if jobs and jobs[0].status is JobStatus.RUNNING and jobs[0].counts.completed >= count:
                    self.job_id = jobs[0].id
                    return self.job_id
                time.sleep(0.05)
        raise AssertionError("the job never completed a device")

    def finish(self, timeout: float = 60) -> tuple[int, str, str]:
        stdout, stderr = self.process.communicate(timeout=timeout)
        return self.process.returncode, stdout, stderr


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def _detail(db_url: str, job_id: str) -> JobDetail:
    with Database(db_url) as db, db.session(readonly=True) as session:
        return JobRepo(session).show(job_id)


def _assert_every_row_final_and_completed_stored(db_url: str, detail: JobDetail) -> None:
    assert detail.job.status.final and detail.job.finished_at is not None
    assert all(d.status.final and d.finished_at is not None for d in detail.devices), detail.devices
    completed = [d.device_name for d in detail.devices if d.status is DeviceStatus.COMPLETED]
    with Database(db_url) as db, db.session(readonly=True) as session:
        repo = SnapshotRepo(session)
        assert all(repo.history(name)[0].ok for name in completed), "a completed device has its snapshot"
    counts = detail.job.counts
    assert (counts.completed, counts.total) == (len(completed), DEVICES)
    assert counts.completed + counts.failed + counts.cancelled == DEVICES


# ---- the process dies or is stopped ----------------------------------------------------------------


def test_kill_9_then_recover_leaves_every_row_final_and_no_orphan_worker(
        inventory: Path, db_url: str, home: Path) -> None:
    run = Discover.start(inventory, db_url, home)
    job_id = run.wait_for_completed()
    workers = _children(run.process.pid)
    run.process.kill()
    run.finish()
    assert _detail(db_url, job_id).job.status is JobStatus.RUNNING, "nothing ended it yet"
    done = cli(["jobs", "recover", "--db", db_url, "--json"], home)
    assert done.returncode == 0, done.stderr
    recovered = {r["job_id"]: r["message"] for r in json.loads(done.stdout)}
    assert f"pid {run.process.pid}" in recovered[job_id] and "is gone" in recovered[job_id]
    detail = _detail(db_url, job_id)
    assert detail.job.status is JobStatus.INTERRUPTED and detail.job.message == recovered[job_id]
    _assert_every_row_final_and_completed_stored(db_url, detail)
    rest = [d for d in detail.devices if d.status is not DeviceStatus.COMPLETED]
    assert rest and all(d.status is DeviceStatus.INTERRUPTED and d.error_kind is ErrorKind.INTERRUPTED
                        and d.error == recovered[job_id] for d in rest)
    deadline = time.monotonic() + 5
    while any(pid_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert workers and not any(pid_alive(w) for w in workers), "parse-pool workers outlived their parent"


def test_jobs_show_and_list_recover_an_abandoned_job(inventory: Path, db_url: str, home: Path) -> None:
    run = Discover.start(inventory, db_url, home)
    job_id = run.wait_for_completed()
    run.process.kill()
    run.finish()
    shown = cli(["jobs", "show", job_id, "--db", db_url, "--json"], home)
    assert shown.returncode == 0, shown.stderr
    document = json.loads(shown.stdout)
    assert document["job"]["status"] == "interrupted" and "is gone" in document["job"]["message"]
    assert {d["status"] for d in document["devices"]} <= {"completed", "interrupted"}
    listed = cli(["jobs", "list", "--db", db_url, "--json"], home)
    assert all(j["status"] != "running" for j in json.loads(listed.stdout))


@pytest.mark.parametrize(("signum", "code", "status", "kind"), [
    (signal.SIGINT, 130, JobStatus.CANCELLED, ErrorKind.CANCELLED),
    (signal.SIGTERM, 143, JobStatus.INTERRUPTED, ErrorKind.INTERRUPTED),
])
def test_a_signal_stops_the_job_cleanly(inventory: Path, db_url: str, home: Path, signum: signal.Signals,
                                        code: int, status: JobStatus, kind: ErrorKind) -> None:
    run = Discover.start(inventory, db_url, home)
    job_id = run.wait_for_completed()
    started = time.monotonic()
    run.process.send_signal(signum)
    returncode, stdout, stderr = run.finish(timeout=30)
    assert time.monotonic() - started < 15, "the stop took too long"
    assert returncode == code, stderr
    summary = json.loads(stdout)
    assert summary["job_id"] == job_id and summary["status"] == status.value
    detail = _detail(db_url, job_id)
    assert detail.job.status is status and signum.name in detail.job.message
    _assert_every_row_final_and_completed_stored(db_url, detail)
    stopped = [d for d in detail.devices if d.status is not DeviceStatus.COMPLETED]
    assert stopped and all(d.error_kind is kind for d in stopped)


def test_ctrl_c_with_the_progress_bar(inventory: Path, tmp_path: Path) -> None:
    url = migrated(f"sqlite:///{tmp_path / 'netatlas.db'}")
    args = [*CLI, "discover", "--inventory", str(inventory), "--concurrency", str(CONCURRENCY), "--db", url]
    run = Discover(subprocess.Popen(args, env=cli_env(tmp_path / "home"), stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True), url)
    job_id = run.wait_for_completed()
    run.process.send_signal(signal.SIGINT)
    returncode, stdout, stderr = run.finish(timeout=30)
    assert returncode == 130, stderr
    assert "cancelled by Ctrl-C (SIGINT): stopping" in stderr and "Traceback" not in stderr
    assert f"job {job_id} cancelled" in stdout
    _assert_every_row_final_and_completed_stored(url, _detail(url, job_id))


# ---- the storage fails ---------------------------------------------------------------------------


def _assert_storage_failure(run: Discover, returncode: int, stdout: str, stderr: str, words: str) -> dict[str, Any]:
    assert returncode == 1, stderr
    document: dict[str, Any] = json.loads(stdout)
    assert document["job_id"] == run.job_id and document["status"] == "failed"
    assert document["stored_status"] in (None, "running", "failed")
    assert "storage failed mid-run" in document["error"] and words in document["error"], document
    assert "Traceback" not in stderr
    return document


def test_the_database_file_removed_mid_run(inventory: Path, tmp_path: Path) -> None:
    where = tmp_path / "db"
    run = Discover.start(inventory, f"sqlite:///{where / 'netatlas.db'}", tmp_path / "home")
    run.wait_for_completed()
    shutil.rmtree(where)
    document = _assert_storage_failure(run, *run.finish(), words="removed while in use")
    assert document["stored_status"] is None  # nothing left to read, and nothing claimed


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 64 MB tmpfs (root only), unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)], capture_output=True,
                          check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(directory: Path) -> Path:
    """Fill the file system holding ``directory``; the filler is returned to be removed afterwards.

    The filler may not even be created: CI once found the tmpfs full before it was opened (ENOSPC on
    open). The disk is then already as full as this test wants it.
    """
    filler = directory / "filler"
    try:
        handle = filler.open("wb")
    except OSError as error:
        if error.errno != errno.ENOSPC:
            raise
        return filler
    with handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_mid_run(inventory: Path, tmpfs: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmpfs / 'netatlas.db'}"
    run = Discover.start(inventory, url, tmp_path / "home")
    run.wait_for_completed()
    filler = _fill(tmpfs)
    _assert_storage_failure(run, *run.finish(), words="full")
    filler.unlink(missing_ok=True)
    shown = cli(["jobs", "show", run.job_id, "--db", url, "--json"], tmp_path / "home")  # recovers it if needed
    assert shown.returncode == 0, shown.stderr
    detail = _detail(url, run.job_id)
    assert detail.job.status in (JobStatus.FAILED, JobStatus.INTERRUPTED)
    _assert_every_row_final_and_completed_stored(url, detail)


@dataclass(slots=True)
class Cluster:
    """A private PostgreSQL server (initdb in a temporary directory, its own port), run as postgres."""

    data: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1"
        subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l",
                        str(self.data.parent / "log"), "-o", options, "-w", *args], check=True, capture_output=True)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    if os.geteuid() != 0 or not (PG_BIN / "initdb").exists():
        pytest.skip("a private PostgreSQL cluster needs root (to run it as postgres) and initdb")
    root = Path(tempfile.mkdtemp(prefix="netatlas-pg-"))
    shutil.chown(root, "postgres")
    data = root / "data"
    subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust",
                    "-U", "postgres"], check=True, capture_output=True)
    server = Cluster(data, free_port(IPv4Network("127.0.0.0/8")))
    server.ctl("start")
    try:
        yield server
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(data), "-m",
                        "immediate", "stop"], check=False, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def test_postgresql_stopped_mid_run(inventory: Path, cluster: Cluster, tmp_path: Path) -> None:
    run = Discover.start(inventory, cluster.url, tmp_path / "home")
    run.wait_for_completed()
    cluster.ctl("-m", "fast", "stop")
    _assert_storage_failure(run, *run.finish(), words=str(cluster.port))
    cluster.ctl("start")
    shown = cli(["jobs", "show", run.job_id, "--db", cluster.url, "--json"], tmp_path / "home")
    assert shown.returncode == 0, shown.stderr
    detail = _detail(cluster.url, run.job_id)
    assert detail.job.status in (JobStatus.FAILED, JobStatus.INTERRUPTED)
    _assert_every_row_final_and_completed_stored(cluster.url, detail)
