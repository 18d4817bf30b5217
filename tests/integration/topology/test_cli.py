"""``netatlas topology ...`` end to end: a served lab discovered twice, then every command through the CLI.

A 30-device mixed lab (one device refusing the password) is discovered once; the lab is then served
again with one L2 cable's CDP/LLDP neighbors gone on both ends and one host moved to another port
of its switch, and discovered a second time. The first run's topology (``--job``) must equal the
lab's ground truth (links not touching the failed device); the current topology must equal the
truth with those two changes; ``diff`` must show exactly them; ``where`` must tell the move.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path
from typing import Any

import pytest

from netatlas.domain.names import canonical_interface, normalize_hostname
from netatlas.lab.background import BackgroundLab
from netatlas.lab.model import DeviceState, IfKind, MacEntry
from netatlas.lab.runtime import Lab
from tests.integration.discovery.helpers import Discovery, cli, cli_json, make_lab, write_inventory

pytestmark = pytest.mark.integration

NETWORK = IPv4Network("127.81.0.0/16")
DEVICES = 30
FAILED = "sw7"
FAULTS = f"auth:{FAILED}"


@dataclass(frozen=True, slots=True)
class Moved:
    mac: str
    node: str
    old: str
    new: str
    vlan: int


@dataclass(frozen=True, slots=True)
class Runs:
    before: Lab
    removed: tuple[tuple[str, str], tuple[str, str]]  # the cable whose neighbors went: (node, port) x 2
    moved: Moved
    jobs: tuple[str, str]
    db_url: str
    home: Path

    def cli(self, *args: str) -> tuple[int, Any]:
        return cli_json([*args, "--db", self.db_url], self.home)


def _states(lab: Lab) -> dict[str, DeviceState]:
    return {d.state.hostname: d.state for d in lab.devices}


def remove_cable(lab: Lab) -> tuple[tuple[str, str], tuple[str, str]]:
    """Take the neighbors of one cable both managed ends report out of both ends' state."""
    states = _states(lab)
    for name, state in sorted(states.items()):
        for advert in state.neighbors:
            peer = states.get(normalize_hostname(advert.device_id or advert.chassis_id))
            if peer is None or FAILED in (name, peer.hostname) or name == peer.hostname:
                continue
            back = [n for n in peer.neighbors if normalize_hostname(n.device_id) == name
                    and n.local_interface == advert.remote_interface]
            if back:
                state.neighbors = [n for n in state.neighbors if n.local_interface != advert.local_interface]
                peer.neighbors = [n for n in peer.neighbors if n.local_interface != advert.remote_interface]
                return ((name, canonical_interface(advert.local_interface, str(state.platform))),
                        (peer.hostname, canonical_interface(advert.remote_interface, str(peer.platform))))
    raise AssertionError("no cable reported by both ends")


def move_endpoint(lab: Lab) -> Moved:
    """Move one host to another edge port (one with a host and no neighbor) of the same switch."""
    truth = lab.truth()
    heard = {(n, p) for link in truth["links"] for n, p in ((link["a"]["node"], link["a"]["interface"]),
                                                             (link["b"]["node"], link["b"]["interface"]))}
    by_switch: dict[str, list[dict[str, Any]]] = {}
    for endpoint in truth["endpoints"]:
        if (endpoint["node"], endpoint["interface"]) not in heard and endpoint["node"] != FAILED:
            by_switch.setdefault(endpoint["node"], []).append(endpoint)
    switch, hosts = next((s, h) for s, h in sorted(by_switch.items()) if len({e["interface"] for e in h}) > 1)
    host = hosts[0]
    target = next(e["interface"] for e in hosts if e["interface"] != host["interface"])
    state = _states(lab)[switch]
    entry = next(m for m in state.mac_table if m.mac == host["mac"])
    state.mac_table[state.mac_table.index(entry)] = MacEntry(entry.vlan, entry.mac, target, entry.dynamic)
    return Moved(host["mac"], switch, host["interface"], target, host["vlan"])


@pytest.fixture(scope="module")
def runs(db_url: str, home: Path, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    before = make_lab("mixed", DEVICES, NETWORK, faults=FAULTS)
    inventories = tmp_path_factory.mktemp("inv")
    discovery = Discovery.open(db_url, home)
    try:
        with BackgroundLab(before):
            first = discovery.run(discovery.import_file(write_inventory(before.inventory(), inventories / "1.yaml")))
        # The same devices on another port (the inventory import updates it): the first lab's port may
        # still be held by processes forked while it was served.
        after = make_lab("mixed", DEVICES, NETWORK, faults=FAULTS)
        removed, moved = remove_cable(after), move_endpoint(after)
        with BackgroundLab(after):
            second = discovery.run(discovery.import_file(write_inventory(after.inventory(), inventories / "2.yaml")))
    finally:
        discovery.close()
    return Runs(before, removed, moved, (first, second), db_url, home)


# ---- what the truth says the topology must be -----------------------------------------------------


def _touches_failed(link: dict[str, Any]) -> bool:
    return FAILED in (link["a"]["node"], link["b"]["node"])


def _link_keys(document: dict[str, Any]) -> set[tuple[Any, ...]]:
    return {(link["layer"], link["a"]["node"], link["a"]["interface"], link["b"]["node"], link["b"]["interface"],
             link["vrf"], tuple(link["protocols"])) for link in document["links"] if not _touches_failed(link)}


def _endpoint_keys(document: dict[str, Any]) -> set[tuple[Any, ...]]:
    return {(e["mac"], e["ip"], e["vlan"], e["node"], e["interface"]) for e in document["endpoints"]
            if e["node"] != FAILED}


def _node_keys(document: dict[str, Any], truth: dict[str, Any]) -> set[tuple[Any, ...]]:
    """Devices and unmanaged neighbors; those heard only by the failed device cannot be known. An
    unmanaged neighbor's platform in the truth is the model CDP advertises; heard over LLDP alone, the
    topology has the description LLDP advertises instead, so it is compared only where CDP hears it."""
    heard = [link for link in truth["links"] if not _touches_failed(link)]
    heard_elsewhere = {end["node"] for link in heard for end in (link["a"], link["b"])}
    over_cdp = {end["node"] for link in heard if "cdp" in link["protocols"] for end in (link["a"], link["b"])}
    devices = {n["id"] for n in truth["nodes"] if n["kind"] == "device"}
    return {(n["id"], n["kind"], n["platform"] if n["id"] in devices | over_cdp else None, n["mgmt_ip"], n["site"],
             n["role"]) for n in document["nodes"]
            if n["kind"] != "endpoint" and (n["id"] in devices or n["id"] in heard_elsewhere)}


def _mismatches(got: dict[str, Any], truth: dict[str, Any]) -> list[str]:
    problems = []
    for what, keys in (("links", _link_keys), ("endpoints", _endpoint_keys)):
        have, want = keys(got), keys(truth)
        problems += [f"{what} missing: {k}" for k in sorted(want - have, key=repr)]
        problems += [f"{what} extra: {k}" for k in sorted(have - want, key=repr)]
    have_nodes, want_nodes = _node_keys(got, truth), _node_keys(truth, truth)
    problems += [f"node missing: {k}" for k in sorted(want_nodes - have_nodes, key=repr)]
    problems += [f"node extra: {k}" for k in sorted(have_nodes - want_nodes, key=repr)]
    return problems


def _changed_truth(runs: Runs) -> dict[str, Any]:
    """The first lab's truth with the cable gone and the host moved: what the second run must show."""
    truth = copy.deepcopy(runs.before.truth())
    ends = set(runs.removed)
    truth["links"] = [link for link in truth["links"] if not (link["layer"] == "l2" and {
        (link["a"]["node"], link["a"]["interface"]), (link["b"]["node"], link["b"]["interface"])} == ends)]
    for endpoint in truth["endpoints"]:
        if endpoint["mac"] == runs.moved.mac:
            endpoint["interface"] = runs.moved.new
    return truth


def _export(runs: Runs, *args: str) -> dict[str, Any]:
    done = cli(["topology", "export", "--format", "json", *args, "--db", runs.db_url], runs.home)
    assert done.returncode == 0, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return document


# ---- the tests -----------------------------------------------------------------------------------


def test_the_first_runs_topology_is_the_ground_truth(runs: Runs) -> None:
    problems = _mismatches(_export(runs, "--job", runs.jobs[0]), runs.before.truth())
    assert not problems, f"{len(problems)} difference(s):\n" + "\n".join(problems[:40])


def test_the_current_topology_is_the_changed_network(runs: Runs) -> None:
    problems = _mismatches(_export(runs), _changed_truth(runs))
    assert not problems, f"{len(problems)} difference(s):\n" + "\n".join(problems[:40])


def test_export_writes_every_format_to_a_file(runs: Runs, tmp_path: Path) -> None:
    for fmt, start in (("graphml", "<graphml"), ("gexf", "<gexf"), ("dot", "graph netatlas {"), ("mermaid", "graph LR"),
                       ("csv", "layer,")):
        out = tmp_path / f"topology.{fmt}"
        code, document = runs.cli("topology", "export", "--format", fmt, "--out", str(out))
        assert code == 0 and document == {"format": fmt, "out": str(out), "bytes": out.stat().st_size}
        content = out.read_text()
        assert content.lstrip().startswith(start) and runs.removed[0][0] in content, (fmt, content[:200])


def test_summary_counts_what_the_topology_holds(runs: Runs) -> None:
    code, summary = runs.cli("topology", "summary")
    _, shown = runs.cli("topology", "show")
    assert code == 0 and summary["label"] == "current"
    assert summary["devices"]["total"] == DEVICES and summary["devices"]["failed"] == 1
    assert summary["links"]["total"] == len(shown["links"]) == shown["counts"]["links"]
    assert summary["links"]["l2"] == sum(1 for link in shown["links"] if link["layer"] == "l2")
    assert summary["endpoints"] == len(shown["endpoints"]) > 0
    assert summary["one_sided"] == sum(1 for link in shown["links"] if link["state"] == "one_sided")
    assert set(summary["single_points_of_failure"]) >= {"devices", "cables"}
    done = cli(["topology", "summary", "--db", runs.db_url], runs.home)
    assert done.returncode == 0 and f"devices: {DEVICES} (ok {DEVICES - 1}, failed 1" in done.stdout
    assert "single points of failure:" in done.stdout


def test_show_a_node_and_its_neighbors(runs: Runs) -> None:
    name = runs.removed[0][0]
    code, part = runs.cli("topology", "show", "--node", name, "--depth", "1")
    _, whole = runs.cli("topology", "show")
    assert code == 0
    mine = [link for link in whole["links"] if name in (link["a"]["node"], link["b"]["node"])]
    neighbors = {end["node"] for link in mine for end in (link["a"], link["b"])}
    assert {n["id"] for n in part["nodes"] if n["kind"] != "endpoint"} == neighbors | {name}
    assert {json.dumps(link, sort_keys=True) for link in mine} <= {json.dumps(x, sort_keys=True)
                                                                   for x in part["links"]}
    l2 = runs.cli("topology", "show", "--node", name, "--layer", "l2")[1]
    assert l2["links"] and {link["layer"] for link in l2["links"]} == {"l2"}
    done = cli(["topology", "show", "--node", name, "--db", runs.db_url], runs.home)
    assert done.returncode == 0 and "a node" in done.stdout and name in done.stdout


def _loopback(state: DeviceState) -> IPv4Address | None:
    for interface in state.interfaces:
        if interface.kind is IfKind.LOOPBACK and interface.ipv4 is not None and interface.vrf == "default":
            return interface.ipv4.ip
    return None


def _adjacent_loopbacks(lab: Lab) -> tuple[str, str, str]:
    """Two devices with loopbacks where the first routes the second's loopback to a next hop the second
    owns: (first device, its loopback, the second's loopback)."""
    owners = {i.ipv4.ip: d.state.hostname for d in lab.devices for i in d.state.interfaces if i.ipv4 is not None}
    for device in sorted(lab.devices, key=lambda d: d.state.hostname):
        mine = _loopback(device.state)
        if mine is None or device.state.hostname == FAILED:
            continue
        for other in lab.devices:
            theirs = _loopback(other.state)
            if theirs is None or other is device or other.state.hostname == FAILED:
                continue
            for route in device.rib():
                if route.vrf == "default" and theirs in route.prefix and route.prefix.prefixlen == 32 and all(
                        hop.address is not None and owners.get(hop.address) == other.state.hostname
                        for hop in route.next_hops):
                    return device.state.hostname, str(mine), str(theirs)
    raise AssertionError("no two adjacent devices with loopbacks")


def test_path_between_two_loopbacks(runs: Runs) -> None:
    first, source, destination = _adjacent_loopbacks(runs.before)
    code, found = runs.cli("topology", "path", source, destination)
    assert code == 0 and found["complete"], found
    assert (found["source"], found["destination"], found["vrf"]) == (source, destination, "default")
    assert found["hops"][0]["device"] == first and len(found["hops"]) >= 2
    assert all(branch["stop"] == "delivered" for branch in found["branches"])
    done = cli(["topology", "path", source, destination, "--db", runs.db_url], runs.home)
    assert done.returncode == 0 and "complete" in done.stdout and first in done.stdout


def test_where_finds_a_host_by_mac_and_tells_it_moved(runs: Runs) -> None:
    moved = runs.moved
    dotted = moved.mac.replace(":", "")
    code, found = runs.cli("topology", "where", f"{dotted[:4]}.{dotted[4:8]}.{dotted[8:]}".upper())
    assert code == 0 and (found["kind"], found["key"], found["found"]) == ("mac", moved.mac, True)
    assert [(p["node"], p["interface"], p["vlan"]) for p in found["now"]] == [(moved.node, moved.new, moved.vlan)]
    assert [s["job_id"] for s in found["history"]] == list(runs.jobs)
    assert [[(p["node"], p["interface"]) for p in s["places"]] for s in found["history"]] == [
        [(moved.node, moved.old)], [(moved.node, moved.new)]]
    assert len(found["moves"]) == 1 and found["moves"][0]["from"]["job_id"] == runs.jobs[0]
    done = cli(["topology", "where", moved.mac, "--db", runs.db_url], runs.home)
    assert done.returncode == 0 and "moved:" in done.stdout and moved.new in done.stdout


def test_where_is_exact(runs: Runs) -> None:
    code, found = runs.cli("topology", "where", runs.moved.mac[:-3])  # a prefix of a MAC is no MAC
    assert code == 0 and not found["found"] and found["now"] == []
    code, device = runs.cli("topology", "where", runs.removed[0][0].upper())
    assert code == 0 and device["kind"] == "name" and device["nodes"] == [runs.removed[0][0]]
    assert device["now"], "a device's place: the far ends of its cables"


def test_analysis_reports_the_failed_device(runs: Runs) -> None:
    code, found = runs.cli("topology", "analysis")
    assert code == 0 and found["label"] == "current"
    assert FAILED in {f["node"] for f in found["failed"]}
    assert set(found["single_points_of_failure"]) >= {"devices", "cables", "basis"}
    done = cli(["topology", "analysis", "--db", runs.db_url], runs.home)
    assert done.returncode == 0 and "Critical devices" in done.stdout


def test_diff_of_the_two_runs_shows_the_cable_and_the_move(runs: Runs) -> None:
    code, change = runs.cli("topology", "diff")
    assert code == 0 and (change["old"], change["new"]) == runs.jobs
    removed = {frozenset({(link["a"]["node"], link["a"]["interface"]), (link["b"]["node"], link["b"]["interface"])})
               for link in change["links"]["removed"] if link["layer"] == "l2"}
    assert removed == {frozenset(runs.removed)}
    assert change["links"]["added"] == [] and change["endpoints"]["added"] == []
    assert [(m["mac"], m["from"]["interface"], m["to"]["interface"]) for m in change["endpoints"]["moved"]] == [
        (runs.moved.mac, runs.moved.old, runs.moved.new)]
    explicit = runs.cli("topology", "diff", "--from", runs.jobs[0], "--to", runs.jobs[1])[1]
    assert explicit["counts"] == change["counts"]
    done = cli(["topology", "diff", "--db", runs.db_url], runs.home)
    assert done.returncode == 0 and "endpoint moved:" in done.stdout and runs.moved.mac in done.stdout


def test_overrides_add_list_and_remove(runs: Runs) -> None:
    (a, a_port), (b, b_port) = runs.removed
    code, added = runs.cli("topology", "override", "add", "add", f"{a}:{a_port}", f"{b}:{b_port}",
                           "--note", "patched by hand")
    assert code == 0 and added["action"] == "add" and added["note"] == "patched by hand"
    _, shown = runs.cli("topology", "show", "--node", a, "--layer", "l2")
    restored = [link for link in shown["links"] if {(link["a"]["node"], link["a"]["interface"]),
                                                    (link["b"]["node"], link["b"]["interface"])} == set(runs.removed)]
    assert [link["state"] for link in restored] == ["added"]
    _, listed = runs.cli("topology", "override", "list")
    assert [o["id"] for o in listed] == [added["id"]]
    assert runs.cli("topology", "override", "remove", str(added["id"]))[0] == 0
    assert runs.cli("topology", "override", "list")[1] == []
    _, shown = runs.cli("topology", "show", "--node", a, "--layer", "l2")
    assert not [link for link in shown["links"] if link["state"] == "added"]


@pytest.mark.parametrize(("args", "named"), [
    (["show", "--layer", "l4"], "--layer"),
    (["show", "--node", "no-such-node"], "--node"),
    (["show", "--depth", "-1"], "--depth"),
    (["show", "--job", "no-such-job"], "--job"),
    (["export", "--format", "yaml"], "--format"),
    (["path", "not-an-address", "10.0.0.1"], "SRC"),
    (["path", "10.0.0.1", "10.0.0.2.5"], "DST"),
    (["diff", "--from", "no-such-job", "--to", "also-not"], "--from"),
    (["override", "add", "bless", "a:Gi1", "b:Gi2"], "ACTION"),
    (["override", "add", "confirm", "no-such-node:Gi1", "sw1:Gi1"], "A"),
    (["override", "add", "ignore", "sw1", "sw2:Gi1"], "A"),
    (["override", "add", "add", "sw1:Gi1", "sw2:Gi1", "--layer", "l9"], "--layer"),
    (["override", "remove", "987654"], "ID"),
    (["where", "  "], "QUERY"),
])
def test_bad_input_exits_1_naming_the_option(runs: Runs, args: list[str], named: str) -> None:
    done = cli(["topology", *args, "--db", runs.db_url], runs.home)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert f"{named}:" in done.stderr, done.stderr
