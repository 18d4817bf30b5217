"""Nothing a device or an inventory controls reaches the terminal as markup or as an escape sequence.

Two sources of hostile text, both through the real CLI (a subprocess, output captured):

* stored directly: inventory fields with rich markup, a job device whose error message carries a
  window-title sequence, a hyperlink and a right-to-left override, a snapshot whose neighbor names,
  ports and platform carry them, with its CDP data marked ``partial`` (so the banner shows a note);
* end to end: a lab whose ``dist1`` has the ``markup`` fault (its descriptions and what its neighbors
  hear from it: markup, escapes, RTL overrides, 300 characters), discovered and crawled.

Every command exits 0 (or 2 where a device failed, never 1 for a crash), its output holds no ESC, BEL
or bidirectional control, and the text is shown literally (``[/]crash`` as written, ``\\x1b`` visible).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import pytest

from netatlas.domain.inventory import InventoryDevice
from netatlas.domain.records import (
    CommandOutput,
    Coverage,
    DataType,
    DeviceResult,
    DeviceStatus,
    Facts,
    Interface,
    Neighbor,
)
from netatlas.lab.background import BackgroundLab
from netatlas.lab.runtime import CREDENTIALS_NAME
from netatlas.store import Database, DeviceRepo, JobRepo, SnapshotRepo
from tests.integration.discovery.helpers import FAST_FAILURE, cli, cli_json, make_lab, write_inventory

pytestmark = pytest.mark.integration

NETWORK = IPv4Network("127.66.0.0/16")
HOSTILE = "[/]crash [bold]x[/bold] \x1b]0;title\x07 \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \u202eevil"
UNSAFE = ("\x1b", "\x07", "\u202e", "\u202d", "\u2066", "\x9b")
LITERAL = ("[/]crash", "[bold red]x[/]")  # as netatlas.lab.hostile writes them


def assert_safe(done: Any, *expected: str) -> None:
    """Exit 0, no control sequence anywhere in the output, and ``expected`` shown as written."""
    output = done.stdout + done.stderr
    assert done.returncode == 0, done.stderr[-3000:]
    assert not [c for c in UNSAFE if c in output], f"control characters reached the terminal: {output[:500]!r}"
    for text in expected:
        assert text in output, f"{text!r} not shown literally in {output[:2000]!r}"


@dataclass(frozen=True, slots=True)
class Stored:
    db_url: str
    home: Path
    job_id: str

    def cli(self, *args: str) -> Any:
        return cli([*args, "--db", self.db_url], self.home)


@pytest.fixture(scope="module")
def stored(db_url: str, home: Path) -> Stored:
    device = InventoryDevice("sw1", "127.66.200.1", "cisco_ios", "lab", site=HOSTILE, role="[bold]core",
                             tags=("[red]t[/red]",))  # stored directly: the inventory loader refuses escapes
    with Database.open(db_url) as db:
        with db.session() as session:
            DeviceRepo(session).upsert(device)
            job_id = JobRepo(session).create([device], {"data_types": ["cdp", "interfaces"]})
        with db.session() as session:
            JobRepo(session).update_device(job_id, "sw1", DeviceStatus.COMPLETED, error_kind=None,
                                           error=f"warning from the device: {HOSTILE}")
        with db.session() as session:
            SnapshotRepo(session).save(job_id, "sw1", _hostile_result())
    return Stored(db_url, home, job_id)


def _hostile_result() -> DeviceResult:
    result = DeviceResult("sw1", ok=True, asked=frozenset({DataType.CDP, DataType.INTERFACES}))
    result.records.facts = Facts("sw1")
    result.records.neighbors = [Neighbor("cdp", f"Gi0/1{HOSTILE}", f"peer{HOSTILE}", f"Eth1/1{HOSTILE}",
                                         mgmt_ip="10.0.0.1", remote_platform=HOSTILE)]
    result.records.interfaces = [Interface("GigabitEthernet0/1", True, True, description=HOSTILE)]
    result.outputs = [CommandOutput("show cdp neighbors detail", DataType.CDP, "...", coverage=Coverage.PARTIAL,
                                    unparsed=(HOSTILE,), note=f"odd line {HOSTILE}"),
                      CommandOutput("show interfaces", DataType.INTERFACES, "...")]
    return result


def test_devices_list_shows_inventory_markup_literally(stored: Stored) -> None:
    assert_safe(stored.cli("devices", "list"), "[/]crash", "[bold]core", "\\x1b]0;title\\x07", "\\u202eevil")


def test_devices_data_shows_device_text_literally(stored: Stored) -> None:
    for kind in ("cdp", "interfaces"):
        assert_safe(stored.cli("devices", "data", "sw1", "--kind", kind), "[/]crash")


def test_devices_data_banner_carries_the_partial_note_safely(stored: Stored) -> None:
    done = stored.cli("devices", "data", "sw1", "--kind", "cdp")
    assert_safe(done, "cdp partial:", "odd line [/]crash", "\\x1b]0;title\\x07")
    assert "partial" not in stored.cli("devices", "data", "sw1", "--kind", "interfaces").stdout


def test_jobs_show_shows_error_messages_and_coverage_literally(stored: Stored) -> None:
    done = stored.cli("jobs", "show", stored.job_id)
    assert_safe(done, "warning from the device: [/]crash", "sw1 cdp partial", "\\u202eevil")
    code, document = cli_json(["jobs", "show", stored.job_id, "--db", stored.db_url], stored.home)
    assert code == 0
    assert document["coverage"]["sw1"]["cdp"]["status"] == "partial"
    assert "interfaces" not in document["coverage"]["sw1"], "complete types are not listed"


def test_an_unknown_job_id_with_markup_is_an_error_not_a_crash(stored: Stored) -> None:
    done = stored.cli("jobs", "show", "[/]crash\x1b]0;t\x07")
    assert done.returncode == 1 and "[/]crash" in done.stderr and "\x1b" not in done.stderr


# ---- end to end: a lab device whose neighbors hear markup, escapes and RTL overrides ---------------


@dataclass(frozen=True, slots=True)
class Hostile:
    lab: BackgroundLab
    inventory: Path
    db_url: str
    home: Path

    def cli(self, *args: str) -> Any:
        return cli([*args, "--db", self.db_url], self.home, **FAST_FAILURE)


@pytest.fixture(scope="module")
def hostile(db_url: str, home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    lab = make_lab("campus", 4, NETWORK, faults="markup:dist1")
    inventory = write_inventory(lab.inventory(), tmp_path_factory.mktemp("terminal") / "inventory.yaml")
    with BackgroundLab(lab) as served:
        yield Hostile(served, inventory, db_url, home)


def test_discover_a_markup_device_prints_it_literally(hostile: Hostile) -> None:
    done = hostile.cli("discover", "--inventory", str(hostile.inventory), "--only", "interfaces,cdp,lldp")
    assert_safe(done)
    # dist1's neighbors hear its hostile name and ports. Read as text (IOS dist10) or as | json (the NX-OS
    # cores), the entry is kept (the read partial, the control characters reported) and shown literally.
    for name in ("dist10", "core1", "core10"):
        shown = hostile.cli("devices", "data", name, "--kind", "lldp")
        assert_safe(shown, "[/]crash", "[/]\\x1b[2J\\u202e")  # its name, and its port escaped
    described = hostile.cli("devices", "data", "dist1", "--kind", "interfaces")
    assert_safe(described, *LITERAL)


def test_a_crawl_records_the_markup_name_unmanaged_and_prints_it_literally(hostile: Hostile) -> None:
    done = hostile.cli("discover", "--seed", "core1", "--crawl", "--allow", str(NETWORK), "--credentials",
                       CREDENTIALS_NAME, "--port", str(hostile.lab.lab.port), "--only", "cdp,lldp")
    assert_safe(done, "invalid name")
    code, jobs = cli_json(["jobs", "list", "--db", hostile.db_url], hostile.home)
    assert code == 0
    job_id = jobs[0]["job_id"]
    shown = hostile.cli("jobs", "show", job_id)
    assert_safe(shown, "invalid name", "[/]crash")
