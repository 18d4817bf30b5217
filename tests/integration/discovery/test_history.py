"""A second run after the network changed: what disappeared from a device disappears from its current state.

Run 1 reads a mixed lab. The lab is then stopped and the same scenario served again on the same
addresses and port, with one link's CDP/LLDP neighbors gone (on both ends), one static route and
one MAC entry removed. After run 2 the current state of those devices no longer holds them
(also as ``netatlas devices data --json`` shows it), while the older snapshot in the history still does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Network
from pathlib import Path

import pytest

from netatlas.domain.names import normalize_hostname
from netatlas.domain.records import DataType, DeviceRecords, Neighbor
from netatlas.lab.background import BackgroundLab
from netatlas.lab.model import MacEntry, NeighborAdvert, Route, RouteProto
from netatlas.lab.runtime import Lab
from netatlas.store import SnapshotRepo
from tests.integration.discovery.helpers import (
    Discovery,
    cli_json,
    free_port,
    make_lab,
    truth_mismatches,
    write_inventory,
)

pytestmark = pytest.mark.integration

NETWORK = IPv4Network("127.62.0.0/16")
DEVICES = 16


@dataclass(frozen=True, slots=True)
class Removed:
    """What lab B lacks compared with lab A."""

    neighbor: tuple[str, str, str, str]  # device, its port, peer, peer's port
    route: tuple[str, Route]
    mac: tuple[str, MacEntry]


@dataclass(frozen=True, slots=True)
class Runs:
    before: Lab
    after: Lab
    removed: Removed
    discovery: Discovery
    jobs: tuple[str, str]


def _both_sided(lab: Lab) -> tuple[str, NeighborAdvert, str, str]:
    """A neighbor both ends report (by CDP or LLDP): (device, its advert, peer, peer's port)."""
    states = {d.state.hostname: d.state for d in lab.devices}
    for name, state in states.items():
        for advert in state.neighbors:
            peer = states.get(normalize_hostname(advert.device_id or advert.chassis_id))
            if peer is not None and any(normalize_hostname(n.device_id) == name
                                        and n.local_interface == advert.remote_interface for n in peer.neighbors):
                return name, advert, peer.hostname, advert.remote_interface
    raise AssertionError("no neighbor reported by both ends")


def remove_from(lab: Lab) -> Removed:
    """Take one link's neighbors (both ends), one static route and one MAC entry out of the lab's state."""
    states = {d.state.hostname: d.state for d in lab.devices}
    name, advert, peer, peer_port = _both_sided(lab)
    states[name].neighbors = [n for n in states[name].neighbors if n.local_interface != advert.local_interface]
    states[peer].neighbors = [n for n in states[peer].neighbors if n.local_interface != peer_port]
    router = next(s for s in states.values()
                  if any(r.vrf == "default" and r.protocol is RouteProto.STATIC for r in s.static_routes))
    route = next(r for r in router.static_routes if r.vrf == "default")
    router.static_routes.remove(route)
    switch = next(s for s in states.values() if s.hostname not in (name, peer) and len(s.mac_table) > 1)
    mac = switch.mac_table.pop(0)
    return Removed((name, advert.local_interface, peer, peer_port), (router.hostname, route), (switch.hostname, mac))


@pytest.fixture(scope="module")
def runs(db_url: str, home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    port = free_port(NETWORK)
    before, after = make_lab("mixed", DEVICES, NETWORK, port=port), make_lab("mixed", DEVICES, NETWORK, port=port)
    removed = remove_from(after)
    discovery = Discovery.open(db_url, home)
    devices = discovery.import_file(write_inventory(before.inventory(), tmp_path_factory.mktemp("inv") / "lab.yaml"))
    try:
        with BackgroundLab(before):
            first = discovery.run(devices)
        with BackgroundLab(after):
            second = discovery.run(devices)
        yield Runs(before, after, removed, discovery, (first, second))
    finally:
        discovery.close()


def _links(records: DeviceRecords, port: str) -> list[Neighbor]:
    return [n for n in records.neighbors if n.local_interface.split(".", 1)[0] == port]


def _snapshots(runs: Runs, name: str) -> tuple[DeviceRecords, DeviceRecords]:
    """(current, previous run's snapshot) of a device, checking the history holds both runs in order."""
    with runs.discovery.db.session(readonly=True) as session:
        repo = SnapshotRepo(session)
        history = repo.history(name)
        assert [s.job_id for s in history] == list(reversed(runs.jobs))
        assert all(s.ok for s in history)
        return repo.current(name), repo.records(history[1].id)


def test_run_2_stored_the_changed_network_exactly(runs: Runs) -> None:
    problems = [p for d in runs.after.devices for p in truth_mismatches(runs.discovery.db, d, job_id=runs.jobs[1])]
    assert not problems, "\n".join(problems[:10])


def test_a_removed_neighbor_leaves_the_current_state_of_both_ends(runs: Runs) -> None:
    name, port, peer, peer_port = runs.removed.neighbor
    for device, local, remote in ((name, port, peer), (peer, peer_port, name)):
        current, previous = _snapshots(runs, device)
        assert not _links(current, local), f"{device} {local} still has a neighbor"
        assert {n.remote_name for n in _links(previous, local)} == {remote}, f"{device}: run 1 had {remote}"
        assert current.neighbors, f"{device}: its other neighbors stay"


def test_the_cli_shows_the_neighbor_gone(runs: Runs, db_url: str, home: Path) -> None:
    name, port, _, _ = runs.removed.neighbor
    seen = []
    for kind in ("cdp", "lldp"):
        code, document = cli_json(["devices", "data", name, "--kind", kind, "--db", db_url], home)
        assert code == 0
        seen += document["records"]
    assert seen, f"{name} has other neighbors"
    assert [r for r in seen if r["local_interface"].split(".", 1)[0] == port] == []


def test_a_removed_route_leaves_the_current_state(runs: Runs) -> None:
    name, route = runs.removed.route
    current, previous = _snapshots(runs, name)
    key = (route.vrf, str(route.prefix), "static")

    def routes(records: DeviceRecords) -> set[tuple[str, str, str]]:
        return {(r.vrf, r.prefix, r.protocol) for r in records.routes}

    assert key in routes(previous), f"run 1 stored {route.prefix}"
    assert key not in routes(current)
    assert len(routes(current)) == len(routes(previous)) - 1
    with runs.discovery.db.session(readonly=True) as session:
        latest = SnapshotRepo(session).latest(name, DataType.STATIC_ROUTES)
    assert latest is not None and latest.snapshot.job_id == runs.jobs[1]
    assert str(route.prefix) not in {r.prefix for r in latest.records.routes}


def test_a_removed_mac_entry_leaves_the_current_state(runs: Runs) -> None:
    name, entry = runs.removed.mac
    current, previous = _snapshots(runs, name)
    assert (entry.mac, entry.vlan) in {(m.mac, m.vlan) for m in previous.mac_table}
    assert (entry.mac, entry.vlan) not in {(m.mac, m.vlan) for m in current.mac_table}
    assert len(current.mac_table) == len(previous.mac_table) - 1
