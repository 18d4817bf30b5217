"""Discovery against the lab's hostile devices, end to end through the CLI, on SQLite and PostgreSQL.

* ``endless`` (``dist1``): its first data command streams without end. The device fails
  ``output_too_large`` at the per-command cap, the stored raw output is capped too, the ``discover``
  process's memory stays bounded, every other device completes and every row ends final.
* ``prompt`` (``sw1``): prompt-looking lines inside its output (in neighbor platform strings and an
  interface description, with a pause after each). Nothing is cut short: the device completes and
  what is stored equals the lab's truth.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]
import pytest

from netatlas.domain.records import DataType
from netatlas.lab.background import BackgroundLab
from netatlas.store import Database, JobRepo, SnapshotRepo
from tests.integration.discovery.helpers import CLI, FAST_FAILURE, cli_env, make_lab, truth_mismatches, write_inventory

pytestmark = pytest.mark.integration

NETWORK = IPv4Network("127.67.0.0/16")
ENDLESS, PROMPT = "dist1", "sw1"
COMMAND_CAP = 2 * 1024 * 1024  # characters: small, so the endless device reaches it in a moment
STORED_CAP = 256 * 1024
RSS_BOUND_MB = 400  # the discover process (its parse workers are other processes) while a device streams
KINDS = "interfaces,cdp,lldp,mac,arp"


@dataclass(frozen=True, slots=True)
class Run:
    lab: BackgroundLab
    db_url: str
    returncode: int
    document: dict[str, Any]
    peak_rss_mb: float
    stderr: str


@pytest.fixture(scope="module")
def run(db_url: str, home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    lab = make_lab("campus", 6, NETWORK, faults=f"endless:{ENDLESS},prompt:{PROMPT}")
    inventory = write_inventory(lab.inventory(), tmp_path_factory.mktemp("hostile") / "inventory.yaml")
    settings = {**FAST_FAILURE, "command_timeout": 10.0, "device_timeout": 60.0,
                "command_output_max": COMMAND_CAP, "stored_output_max": STORED_CAP}
    argv = [*CLI, "discover", "--inventory", str(inventory), "--only", KINDS, "--db", db_url, "--json"]
    out_dir = tmp_path_factory.mktemp("hostile-out")
    with BackgroundLab(lab) as served, (out_dir / "out").open("w+") as out, (out_dir / "err").open("w+") as err:
        process = subprocess.Popen(argv, env=cli_env(home, **settings), stdout=out, stderr=err, text=True)
        peak = _watch_rss(process)
        out.seek(0)
        err.seek(0)
        yield Run(served, db_url, process.returncode, json.loads(out.read()), peak / 2**20, err.read())


def _watch_rss(process: subprocess.Popen[str], timeout: float = 180.0) -> int:
    """The discover process's largest RSS (bytes), sampled every 20 ms until it exits."""
    watched, peak, deadline = psutil.Process(process.pid), 0, time.monotonic() + timeout
    while process.poll() is None:
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("discover did not finish")
        with contextlib.suppress(psutil.Error):
            peak = max(peak, watched.memory_info().rss)
        time.sleep(0.02)
    return peak


def _devices(run: Run) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in run.document["devices"]}


def test_the_endless_device_fails_output_too_large_and_the_rest_complete(run: Run) -> None:
    assert run.returncode == 2, run.stderr[-2000:]
    devices = _devices(run)
    assert devices[ENDLESS]["status"] == "failed" and devices[ENDLESS]["error_kind"] == "output_too_large"
    others = {name: (d["status"], d["error_kind"]) for name, d in devices.items() if name != ENDLESS}
    assert set(others.values()) == {("completed", None)}, others
    assert run.document["status"] == "completed"


def test_every_row_is_final(run: Run) -> None:
    with Database.open(run.db_url) as db, db.session(readonly=True) as session:
        detail = JobRepo(session).show(run.document["job_id"])
    assert detail.job.status.final
    assert all(device.status.final for device in detail.devices)


def test_memory_stayed_bounded_and_the_stored_raw_output_is_capped(run: Run) -> None:
    assert 0 < run.peak_rss_mb < RSS_BOUND_MB, f"discover peaked at {run.peak_rss_mb:.0f} MB"
    with Database.open(run.db_url) as db, db.session(readonly=True) as session:
        repo = SnapshotRepo(session)
        outputs = repo.raw(repo.history(ENDLESS)[0].id)
    too_large = [o for o in outputs if o.error_kind is not None and o.error_kind.value == "output_too_large"]
    assert too_large, [(o.command, o.error_kind) for o in outputs]
    assert all(len(o.output) <= STORED_CAP for o in outputs)
    assert "kept" in too_large[0].note or "cap" in too_large[0].error, (too_large[0].note, too_large[0].error)


def test_prompt_lines_inside_output_do_not_cut_it(run: Run) -> None:
    device = next(d for d in run.lab.lab.devices if d.state.hostname == PROMPT)
    kinds = frozenset({DataType.FACTS, DataType.INTERFACES, DataType.CDP, DataType.LLDP, DataType.MAC,
                       DataType.ARP})
    with Database.open(run.db_url) as db:
        assert truth_mismatches(db, device, kinds, job_id=run.document["job_id"]) == []
