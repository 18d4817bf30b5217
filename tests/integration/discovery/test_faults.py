"""Each lab fault gives exactly its error kind; every other device is unaffected.

A mixed lab with one or two devices per fault (on several platforms) is discovered with short
timeouts and a small retry backoff. Transient kinds are retried up to 3 attempts, permanent ones
never (the lab's own log counts the logins an auth-fault device refused); every healthy device
completes with records equal to the truth; the job completes with partial success. The CLI run
against the same lab exits 2 and lists every device's status and error kind in ``--json``, and
``jobs show --json`` has the same rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Network
from pathlib import Path

import pytest

from netatlas.domain.records import ROUTE_TYPES, DataType, DeviceRecords, DeviceStatus, ErrorKind, JobStatus
from netatlas.lab.background import BackgroundLab
from netatlas.lab.runtime import Lab
from netatlas.lab.server import ServedDevice
from netatlas.store import SnapshotRepo
from tests.integration.discovery.helpers import (
    ALL_TYPES,
    FAST_FAILURE,
    Captured,
    Discovery,
    cli_json,
    make_lab,
    truth_mismatches,
    write_inventory,
)
from tests.support.expected import canonical, expected

pytestmark = pytest.mark.integration

NETWORK = IPv4Network("127.61.0.0/16")
DEVICES = 24
KINDS = {  # device: (lab fault, error kind); platforms in the comments
    "leaf3": ("unreachable", ErrorKind.UNREACHABLE),  # arista_eos
    "rtr3": ("auth", ErrorKind.AUTH_FAILED),  # juniper_junos
    "dist1": ("auth", ErrorKind.AUTH_FAILED),  # cisco_ios
    "core1": ("slow", ErrorKind.TIMEOUT),  # cisco_nxos
    "rtr2": ("disconnect", ErrorKind.DISCONNECTED),  # cisco_ios
    "leaf10": ("garbage", ErrorKind.PARSE_ERROR),  # arista_eos
    "rtr5": ("reject", ErrorKind.COMMAND_REJECTED),  # juniper_junos
    "spine1": ("reject", ErrorKind.COMMAND_REJECTED),  # cisco_nxos
}
RETRIES = 3


def _spec() -> str:
    by_fault: dict[str, list[str]] = {}
    for name, (fault, _) in KINDS.items():
        by_fault.setdefault(fault, []).append(name)
    return ",".join(f"{fault}:{'+'.join(names)}" for fault, names in by_fault.items())


def _attempts(kind: ErrorKind) -> int:
    return RETRIES if kind.transient else 1


@dataclass(frozen=True, slots=True)
class Run:
    lab: Lab
    discovery: Discovery
    job_id: str
    refused_logins: dict[str, int]
    inventory: Path


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    prepared = make_lab("mixed", DEVICES, NETWORK, faults=_spec())
    with BackgroundLab(prepared):
        yield prepared


@pytest.fixture(scope="module")
def run(lab: Lab, db_url: str, home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    inventory = write_inventory(lab.inventory(), tmp_path_factory.mktemp("inv") / "lab.yaml")
    discovery = Discovery.open(db_url, home, retries=RETRIES, **FAST_FAILURE)
    devices = discovery.import_file(inventory)
    with Captured().on("netatlas.lab.server") as captured:
        job_id = discovery.run(devices)
    refused: dict[str, int] = {}
    for message in captured.messages():
        if message.startswith("auth refused on "):
            host = message.split()[3]
            refused[host] = refused.get(host, 0) + 1
    try:
        yield Run(lab, discovery, job_id, refused, inventory)
    finally:
        discovery.close()


def test_the_lab_has_every_fault_on_several_platforms(lab: Lab) -> None:
    assert {str(f.kind) for f in lab.faults.values()} == {"unreachable", "auth", "slow", "disconnect", "garbage",
                                                           "reject"}
    assert {name: str(f.kind) for name, f in lab.faults.items()} == {n: k for n, (k, _) in KINDS.items()}
    platforms = {d.state.hostname: d.state.platform for d in lab.devices}
    assert len({platforms[name] for name in KINDS}) == 4


def test_each_fault_gives_exactly_its_kind_and_attempts(run: Run) -> None:
    detail = run.discovery.detail(run.job_id)
    failed = {d.device_name: (d.status, d.error_kind, d.attempt) for d in detail.devices if d.status != "completed"}
    assert failed == {name: (DeviceStatus.FAILED, kind, _attempts(kind)) for name, (_, kind) in KINDS.items()}
    for device in detail.devices:
        if device.device_name in KINDS:
            assert device.error, device.device_name
            assert device.finished_at is not None and device.duration_s is not None


def test_auth_failures_are_never_retried_at_the_device(run: Run) -> None:
    auth = {name for name, (fault, _) in KINDS.items() if fault == "auth"}
    assert run.refused_logins == {name: 1 for name in auth}


def test_the_job_completes_with_partial_success(run: Run) -> None:
    job = run.discovery.detail(run.job_id).job
    assert job.status is JobStatus.COMPLETED
    assert (job.counts.total, job.counts.completed, job.counts.failed, job.counts.cancelled) == (
        DEVICES, DEVICES - len(KINDS), len(KINDS), 0)
    assert job.finished_at is not None


def test_every_healthy_device_has_complete_records(run: Run) -> None:
    healthy = [d for d in run.lab.devices if d.state.hostname not in KINDS]
    assert len(healthy) == DEVICES - len(KINDS)
    problems = [p for d in healthy for p in truth_mismatches(run.discovery.db, d, job_id=run.job_id)]
    assert not problems, "\n".join(problems[:10])


def test_a_rejected_command_is_recorded_and_the_rest_is_kept(run: Run) -> None:
    by_name = {d.state.hostname: d for d in run.lab.devices}
    for name in ("rtr5", "spine1"):
        with run.discovery.db.session(readonly=True) as session:
            repo = SnapshotRepo(session)
            snapshot = repo.history(name)[0]
            outputs, records = repo.raw(snapshot.id), repo.records(snapshot.id)
        assert (snapshot.job_id, snapshot.ok, snapshot.error_kind) == (run.job_id, False, ErrorKind.COMMAND_REJECTED)
        rejected = [o for o in outputs if o.error_kind is not None]
        assert [o.error_kind for o in rejected] == [ErrorKind.COMMAND_REJECTED]
        assert rejected[0].output.strip(), "the device's refusal text is kept as the raw output"
        assert len(outputs) > 5 and records.interfaces, "the commands after the rejected one still ran"
        kept = truth_mismatches_of(by_name[name], records)
        assert not kept, kept


def test_a_failed_snapshot_lists_every_type_it_collected(run: Run) -> None:
    """The RIB command that ran fine on a device failed for another command serves all three route types."""
    for name in ("rtr5", "spine1"):
        with run.discovery.db.session(readonly=True) as session:
            repo = SnapshotRepo(session)
            snapshot = repo.history(name)[0]
            routes = repo.records(snapshot.id).routes
        assert {r.protocol for r in routes} & {"ospf", "bgp"}, f"{name}: dynamic routes were stored"
        assert snapshot.data_types >= ROUTE_TYPES, f"{name}: {sorted(snapshot.data_types)}"


def truth_mismatches_of(device: ServedDevice, records: DeviceRecords) -> list[str]:
    """Interfaces and CDP/LLDP neighbors of a snapshot against the truth (the rejected command was none)."""
    want = canonical(expected(device.state, device.rib, frozenset({DataType.INTERFACES, DataType.CDP, DataType.LLDP})))
    got = canonical(records)
    return [f"{field}: {got[field]!r} != {want[field]!r}" for field in ("interfaces", "neighbors")
            if got[field] != want[field] or not want[field]]


def test_garbage_is_a_parse_error_with_the_raw_output_kept(run: Run) -> None:
    with run.discovery.db.session(readonly=True) as session:
        repo = SnapshotRepo(session)
        snapshot = repo.history("leaf10")[0]
        outputs = repo.raw(snapshot.id)
        assert all(repo.latest("leaf10", kind) is None for kind in ALL_TYPES), "no good snapshot, no current state"
    failed = [o for o in outputs if o.error_kind is not None]
    assert failed and all(o.error_kind is ErrorKind.PARSE_ERROR and o.output.strip() for o in failed)
    assert len(failed) == len(outputs) - 1, "every data command fails to parse; show version does not"


def test_cli_exits_2_and_lists_every_device(run: Run, db_url: str, home: Path) -> None:
    env = {**FAST_FAILURE, "retries": RETRIES}
    code, summary = cli_json(["discover", "--inventory", str(run.inventory), "--concurrency", "20", "--db", db_url],
                             home, **env)
    assert code == 2
    assert summary["status"] == "completed" and summary["job_id"] != run.job_id
    devices = {d["name"]: (d["status"], d["error_kind"], d["attempt"]) for d in summary["devices"]}
    want: dict[str, tuple[str, str | None, int]] = {d.state.hostname: ("completed", None, 1) for d in run.lab.devices}
    want |= {name: ("failed", str(kind), _attempts(kind)) for name, (_, kind) in KINDS.items()}
    assert devices == want
    assert summary["counts"] == {"total": DEVICES, "completed": DEVICES - len(KINDS), "failed": len(KINDS),
                                 "cancelled": 0}
    code, shown = cli_json(["jobs", "show", summary["job_id"], "--db", db_url], home)
    assert code == 0
    assert shown["job"]["status"] == "completed" and shown["job"]["id"] == summary["job_id"]
    rows = {d["device_name"]: (d["status"], d["error_kind"], d["attempt"]) for d in shown["devices"]}
    assert rows == want
