"""The crawl reaches the whole campus lab from one seed, and nothing it may not visit; a rogue device
advertising an inventory device's name at its own address gets no credential and changes nothing.

The database holds only the lab's credential set (no device): every device the job reads was
found through CDP/LLDP neighbors. Through the CLI, from the seed's address and then from its
name; in process, with ``--allow`` ranges that leave part of the lab out and with a small depth.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from ipaddress import IPv4Network, ip_address
from pathlib import Path
from typing import Any

import pytest

from netatlas.domain.errors import NetatlasError
from netatlas.domain.records import JobStatus
from netatlas.jobs.crawl import CrawlOptions
from netatlas.lab.background import BackgroundLab
from netatlas.lab.runtime import CREDENTIALS_NAME, Lab
from netatlas.store import CredentialRepo, Database, DeviceRepo
from tests.integration.discovery.helpers import (
    Discovery,
    cli,
    cli_json,
    make_lab,
    migrated,
    pg_database,
    write_inventory,
)

pytestmark = pytest.mark.integration

NETWORK = IPv4Network("127.63.0.0/16")
DEVICES = 30
SEED_NAME = "core1"


@dataclass(frozen=True, slots=True)
class Campus:
    lab: Lab
    discovery: Discovery
    credentials: Path

    @property
    def names(self) -> set[str]:
        return {d.state.hostname for d in self.lab.devices}

    def address(self, name: str) -> str:
        return next(d.address for d in self.lab.devices if d.state.hostname == name)

    def crawl_args(self, seed: str, db_url: str, *allow: str) -> list[str]:
        ranges = [arg for network in (allow or (str(NETWORK),)) for arg in ("--allow", network)]
        return ["discover", "--seed", seed, "--crawl", "--depth", "10", *ranges, "--credentials", CREDENTIALS_NAME,
                "--port", str(self.lab.port), "--db", db_url]


@pytest.fixture(scope="module")
def campus(db_url: str, home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Campus]:
    lab = make_lab("campus", DEVICES, NETWORK)
    credentials = write_inventory({"credentials": lab.inventory()["credentials"]},
                                  tmp_path_factory.mktemp("creds") / "credentials.yaml")
    discovery = Discovery.open(db_url, home)
    discovery.import_credentials(credentials)  # the credential set only: the crawl must find every device
    try:
        with BackgroundLab(lab):
            yield Campus(lab, discovery, credentials)
    finally:
        discovery.close()


def _unmanaged_truth(lab: Lab) -> dict[str, str]:
    return {n["id"]: n["role"] for n in lab.truth()["nodes"] if n["kind"] == "unmanaged"}


def test_the_database_starts_with_credentials_and_no_device(campus: Campus) -> None:
    with campus.discovery.db.session(readonly=True) as session:
        assert DeviceRepo(session).list() == []
        assert CredentialRepo(session).names() == [CREDENTIALS_NAME]


def test_the_cli_imports_a_credentials_only_file(campus: Campus, home: Path, db_url: str) -> None:
    """The CLI way to store the crawl's credential set: ``devices import`` of a file with only ``credentials:``."""
    done = cli(["devices", "import", str(campus.credentials), "--db", db_url], home)
    assert done.returncode == 0, done.stderr
    with campus.discovery.db.session(readonly=True) as session:
        assert DeviceRepo(session).list() == []


def test_crawl_from_one_address_reaches_every_device_once(campus: Campus, home: Path, db_url: str) -> None:
    code, summary = cli_json(campus.crawl_args(campus.address(SEED_NAME), db_url), home)
    assert code == 0, summary
    names = [d["name"] for d in summary["devices"]]
    assert sorted(names) == sorted(campus.names), "every lab device exactly once"
    assert summary["status"] == "completed" and summary["counts"]["completed"] == DEVICES
    hosts = {d["name"]: d["host"] for d in summary["devices"]}
    assert hosts == {d.state.hostname: d.address for d in campus.lab.devices}
    _check_unmanaged(campus, summary["unmanaged"], "outside --allow")
    assert summary["conflicts"] == [], "a healthy network contradicts nothing"
    shown = cli(["jobs", "show", summary["job_id"], "--db", db_url, "--json"], home)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["unmanaged"] == summary["unmanaged"], "the unmanaged list is stored with the job"


def _check_unmanaged(campus: Campus, unmanaged: list[dict[str, Any]], reason: str) -> None:
    """Every phone, AP and the firewall is reported with a reason; none was visited; no lab device is listed."""
    reported = {u["name"]: u for u in unmanaged}
    truth = _unmanaged_truth(campus.lab)
    assert {"phone", "access-point", "firewall"} <= set(truth.values())
    assert set(reported) == set(truth)
    assert {u["reason"] for u in unmanaged} == {reason}
    assert all(u["seen_from"] in campus.names for u in unmanaged)
    assert not any(ip_address(u["mgmt_ip"]) in NETWORK for u in unmanaged)


def test_crawl_from_a_seed_given_by_name(campus: Campus, home: Path, db_url: str) -> None:
    code, summary = cli_json(campus.crawl_args(SEED_NAME, db_url), home)
    assert code == 0, summary
    assert sorted(d["name"] for d in summary["devices"]) == sorted(campus.names)
    assert summary["devices"][0]["name"] == SEED_NAME


def _crawl(campus: Campus, allow: tuple[IPv4Network, ...], depth: int) -> tuple[set[str], dict[str, str]]:
    """Crawl in process from the seed's address; (devices the job read, unmanaged name -> reason)."""
    options = CrawlOptions(depth=depth, allow=allow, credentials=CREDENTIALS_NAME, port=campus.lab.port)
    service = campus.discovery.service

    def refuse(seed: str, exc: NetatlasError) -> None:
        raise AssertionError(f"seed {seed}: {exc}")

    seeds = asyncio.run(service.resolve_seeds([campus.address(SEED_NAME)], options, refuse))
    job_id = campus.discovery.run(seeds, crawl=options)
    detail = campus.discovery.detail(job_id)
    assert detail.job.status is JobStatus.COMPLETED
    assert detail.job.counts.completed == detail.job.counts.total == len(detail.devices)
    assert detail.job.options["crawl"]["allow"] == [str(n) for n in allow]
    return {d.device_name for d in detail.devices}, {u.name: u.reason for u in campus.discovery.unmanaged(job_id)}


def test_a_neighbor_outside_allow_is_not_visited(campus: Campus) -> None:
    upper = {"core1", "core10", "dist1", "dist10"}
    allow = (*(IPv4Network(campus.address(n)) for n in sorted(upper)), IPv4Network("10.0.0.0/8"))
    visited, unmanaged = _crawl(campus, allow, depth=10)
    assert visited == upper
    access = campus.names - upper
    assert {name: unmanaged.get(name) for name in access} == dict.fromkeys(access, "outside --allow")
    assert unmanaged["fw-edge"] == "unsupported platform", "inside --allow (10/8), but not a platform we read"


def test_the_crawl_stops_at_its_depth(campus: Campus) -> None:
    visited, unmanaged = _crawl(campus, (NETWORK,), depth=1)
    assert visited == {"core1", "core10", "dist1", "dist10"}, "the seed and its managed neighbors"
    access = campus.names - visited
    assert {name: unmanaged.get(name) for name in access} == dict.fromkeys(access, "beyond --depth")


# ---- the attack of issue 7: a rogue advertises an inventory device's name at its own address --------

ROGUE_NETWORK = IPv4Network("127.67.0.0/16")


@dataclass(frozen=True, slots=True)
class RogueSite:
    lab: BackgroundLab
    db_url: str
    home: Path
    logins: Path

    @property
    def rogue(self) -> dict[str, Any]:
        return next(f for f in self.lab.lab.truth()["faults"] if f["kind"] == "rogue")

    def passwords_to(self, address: str) -> list[dict[str, Any]]:
        events = [json.loads(line) for line in self.logins.read_text().splitlines()]
        return [e for e in events if e["event"] == "password" and e["address"] == address]


@pytest.fixture(scope="module")
def rogue_site(backend: str, home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RogueSite]:
    """A 4-device campus whose dist1 has a rogue on a new port, advertising core1's FQDN at its own address
    (inside --allow); a database of its own holding the operator's inventory."""
    lab = make_lab("campus", 4, ROGUE_NETWORK, faults="rogue:dist1")
    folder = tmp_path_factory.mktemp("rogue")
    inventory = write_inventory(lab.inventory(), folder / "inventory.yaml")
    logins = folder / "logins.jsonl"
    with ExitStack() as stack:
        db_url = migrated(f"sqlite:///{folder / 'netatlas.db'}" if backend == "sqlite"
                          else stack.enter_context(pg_database("rogue")))
        done = cli(["devices", "import", str(inventory), "--db", db_url], home)
        assert done.returncode == 0, done.stderr
        served = stack.enter_context(BackgroundLab(lab, capture_logins=logins))
        yield RogueSite(served, db_url, home, logins)


def _inventory_rows(db_url: str) -> list[tuple[Any, ...]]:
    with Database.open(db_url) as db, db.session(readonly=True) as session:
        return [(s.device, s.origin, s.advertised_by, s.updated_at) for s in DeviceRepo(session).list()]


def test_a_rogue_neighbor_gets_no_credential_and_changes_nothing(rogue_site: RogueSite) -> None:
    rogue = rogue_site.rogue
    assert rogue["impersonates"] == "core1" and ip_address(rogue["mgmt_ip"]) in ROGUE_NETWORK
    before = _inventory_rows(rogue_site.db_url)
    code, summary = cli_json(["discover", "--seed", "dist1", "--crawl", "--depth", "3", "--allow", str(ROGUE_NETWORK),
                              "--credentials", CREDENTIALS_NAME, "--crawl-credentials", CREDENTIALS_NAME,
                              "--port", str(rogue_site.lab.lab.port), "--only", "cdp,lldp",
                              "--db", rogue_site.db_url], rogue_site.home)
    assert code == 0, summary
    hosts = {d["name"]: d["host"] for d in summary["devices"]}
    assert hosts == {d.state.hostname: d.address for d in rogue_site.lab.lab.devices}, "core1 read at its own address"
    assert rogue_site.passwords_to(rogue["mgmt_ip"]) == [], "no credential sent to the rogue"
    assert _inventory_rows(rogue_site.db_url) == before, "the inventory is unchanged (address, site, role, tags)"
    conflicts = [(c["name"], c["stored_host"], c["advertised_host"], c["advertised_by"]) for c in summary["conflicts"]]
    assert ("core1", rogue_site.lab.lab.devices[0].address, rogue["mgmt_ip"], "dist1") in conflicts
    with Database.open(rogue_site.db_url) as db, db.session(readonly=True) as session:
        stored = DeviceRepo(session).conflicts(summary["job_id"])
    assert [(c.name, c.advertised_host) for c in stored] == [("core1", rogue["mgmt_ip"])], "recorded with the job"
    code, shown = cli_json(["jobs", "show", summary["job_id"], "--db", rogue_site.db_url], rogue_site.home)
    assert code == 0 and [c["advertised_host"] for c in shown["conflicts"]] == [rogue["mgmt_ip"]]


def test_the_next_plain_discovery_sends_nothing_to_the_rogue(rogue_site: RogueSite) -> None:
    code, summary = cli_json(["discover", "--only", "interfaces", "--db", rogue_site.db_url], rogue_site.home)
    assert code == 0, summary
    assert rogue_site.rogue["mgmt_ip"] not in {d["host"] for d in summary["devices"]}
    assert rogue_site.passwords_to(rogue_site.rogue["mgmt_ip"]) == []


def test_a_seed_address_that_claims_a_stored_name_is_refused(rogue_site: RogueSite) -> None:
    """The operator names the rogue's address as a seed: it says it is core1, which the inventory has elsewhere."""
    before = _inventory_rows(rogue_site.db_url)
    done = cli(["discover", "--seed", rogue_site.rogue["mgmt_ip"], "--credentials", CREDENTIALS_NAME,
                "--port", str(rogue_site.lab.lab.port), "--db", rogue_site.db_url], rogue_site.home)
    assert done.returncode == 1 and "not used as a seed: name stored at" in done.stderr, done.stderr
    assert _inventory_rows(rogue_site.db_url) == before
    with Database.open(rogue_site.db_url) as db, db.session(readonly=True) as session:
        probes = [c for c in DeviceRepo(session).conflicts() if c.job_id is None]
    assert [(c.name, c.advertised_host) for c in probes] == [("core1", rogue_site.rogue["mgmt_ip"])]
