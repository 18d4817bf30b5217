"""Topology analysis: single points of failure on the cable graph, isolated devices, one-sided links,
conflicts, speed/duplex mismatches, failed devices and the links only their neighbors report."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterable

import networkx as nx
import pytest

from netatlas.domain.records import DeviceRecords, Interface
from netatlas.topology.analysis import BASIS, BASIS_UNMANAGED, CUT_OFF_SHOWN, Analysis, analyse
from netatlas.topology.graph import to_graph
from netatlas.topology.model import (
    L2,
    L3,
    DeviceInput,
    End,
    Link,
    LinkState,
    Node,
    NodeKind,
    Problem,
    ProblemKind,
    Topology,
    TopologyInput,
)


def device(name: str, site: str = "", kind: NodeKind = NodeKind.DEVICE, status: str = "ok") -> Node:
    return Node(name, kind, "cisco_ios" if kind is NodeKind.DEVICE else None, None, site, "", status)


def cable(a: str, a_if: str, b: str, b_if: str, *, layer: str = L2, state: LinkState = LinkState.REPORTED,
          reported_by: tuple[str, ...] | None = None, channel: str = "") -> Link:
    one, two = sorted([End(a, a_if), End(b, b_if)])
    protocols = ("cdp", "lldp") if layer == L2 else ("ospf",)
    by = tuple(sorted({a, b})) if reported_by is None else reported_by
    return Link(one, two, layer, protocols, state=state, reported_by=by, channel_a=channel, channel_b=channel)


def chain_cables(pairs: Iterable[tuple[str, str]]) -> list[Link]:
    """One cable per pair, each on fresh interfaces (Eth1, Eth2, ... per device)."""
    used: dict[str, int] = {}
    links = []
    for a, b in pairs:
        used[a] = used.get(a, 0) + 1
        used[b] = used.get(b, 0) + 1
        links.append(cable(a, f"Eth{used[a]}", b, f"Eth{used[b]}"))
    return links


def topo(nodes: Iterable[Node], links: Iterable[Link], problems: Iterable[Problem] = ()) -> Topology:
    return Topology({n.id: n for n in nodes}, list(links), [], list(problems))


def inputs(*devices: DeviceInput) -> TopologyInput:
    return TopologyInput(devices)


def run(topology: Topology, inp: TopologyInput | None = None, *, unmanaged: bool = False,
        shown: int = CUT_OFF_SHOWN) -> Analysis:
    return analyse(inp or inputs(), topology, unmanaged=unmanaged, shown=shown)


def critical_nodes(analysis: Analysis) -> list[str]:
    return [d.node for d in analysis.critical_devices]


def critical_pairs(analysis: Analysis) -> list[tuple[str, str]]:
    return [(c.link.a.node, c.link.b.node) for c in analysis.critical_cables]


# -- single points of failure ------------------------------------------------------------------


def test_a_ring_has_no_single_point_of_failure() -> None:
    names = [f"sw{i}" for i in range(1, 7)]
    analysis = run(topo(map(device, names), chain_cables(zip(names, names[1:] + names[:1], strict=True))))
    assert analysis.critical_devices == () and analysis.critical_cables == ()
    assert analysis.single_points_of_failure == 0


def test_a_trees_inner_nodes_are_articulation_points_and_every_cable_a_bridge() -> None:
    pairs = [("core", "dist1"), ("core", "dist2"), ("dist1", "sw1"), ("dist1", "sw2"), ("dist2", "sw3")]
    nodes = [device("core", "dc"), device("dist1", "hq"), device("dist2", "br"),
             device("sw1", "hq"), device("sw2", "hq-annex"), device("sw3", "br")]
    analysis = run(topo(nodes, chain_cables(pairs)))
    assert critical_nodes(analysis) == ["core", "dist1", "dist2"]
    by_node = {d.node: d.cut_off for d in analysis.critical_devices}
    assert by_node["dist1"].nodes == ("sw1", "sw2") and by_node["dist1"].sites == ("hq", "hq-annex")
    assert by_node["dist2"].nodes == ("sw3",) and by_node["dist2"].count == 1
    # Without core: {dist1, sw1, sw2} (3) stays, {dist2, sw3} (2) is cut off.
    assert by_node["core"].nodes == ("dist2", "sw3") and by_node["core"].sites == ("br",)
    assert sorted(critical_pairs(analysis)) == sorted(tuple(sorted(p)) for p in pairs)
    cuts = {(c.link.a.node, c.link.b.node): c.cut_off.nodes for c in analysis.critical_cables}
    # A tie (3 against 3): the side holding the smallest id ("core") stays.
    assert cuts[("core", "dist1")] == ("dist1", "sw1", "sw2")
    assert cuts[("dist1", "sw2")] == ("sw2",)


def test_two_parallel_cables_are_not_a_bridge() -> None:
    links = [cable("a", "Eth1", "b", "Eth1"), cable("a", "Eth2", "b", "Eth2"), cable("b", "Eth3", "c", "Eth1")]
    analysis = run(topo(map(device, "abc"), links))
    assert critical_pairs(analysis) == [("b", "c")]
    assert critical_nodes(analysis) == ["b"]
    # Without b, {a} and {c} tie: the smallest id stays.
    assert analysis.critical_devices[0].cut_off.nodes == ("c",)


def test_a_port_channel_pair_is_not_a_bridge() -> None:
    members = [cable("dist1", "Gi1/0/1", "sw1", "Gi1/0/49", channel="Port-channel1"),
               cable("dist1", "Gi1/0/2", "sw1", "Gi1/0/50", channel="Port-channel1")]
    uplink = cable("core", "Eth1", "dist1", "Gi1/0/48")
    analysis = run(topo(map(device, ["core", "dist1", "sw1"]), [*members, uplink]))
    assert critical_pairs(analysis) == [("core", "dist1")]
    one_member = run(topo(map(device, ["core", "dist1", "sw1"]), [members[0], uplink]))
    assert sorted(critical_pairs(one_member)) == [("core", "dist1"), ("dist1", "sw1")]


def test_an_l3_path_does_not_rescue_an_l2_bridge_and_the_basis_says_so() -> None:
    links = [cable("r1", "Eth1", "r2", "Eth1"), cable("r1", "Vlan10", "r2", "Vlan10", layer=L3)]
    analysis = run(topo(map(device, ["r1", "r2"]), links))
    assert critical_pairs(analysis) == [("r1", "r2")]
    assert analysis.basis == BASIS and "L2 cables" in analysis.lines()[0]
    assert analysis.as_dict()["single_points_of_failure"]["basis"] == BASIS


def test_unmanaged_neighbors_join_the_graph_only_when_asked() -> None:
    nodes = [device("sw1"), device("sw2"), device("phone1", kind=NodeKind.UNMANAGED)]
    links = [cable("sw1", "Eth1", "sw2", "Eth1"), cable("sw1", "Eth2", "sw2", "Eth2"),
             cable("phone1", "Port 1", "sw1", "Eth3")]
    assert run(topo(nodes, links)).single_points_of_failure == 0
    with_unmanaged = run(topo(nodes, links), unmanaged=True)
    assert critical_nodes(with_unmanaged) == ["sw1"] and critical_pairs(with_unmanaged) == [("phone1", "sw1")]
    assert with_unmanaged.basis == BASIS_UNMANAGED


def test_cut_off_lists_are_capped_but_counted_exactly() -> None:
    leaves = [f"sw{i:02d}" for i in range(30)]
    nodes = [device("core1"), device("core2"), device("dist"), *map(device, leaves)]
    links = chain_cables([("core1", "core2"), ("core1", "dist"), ("core2", "dist")] + [("dist", s) for s in leaves])
    analysis = run(topo(nodes, links), shown=5)
    assert critical_nodes(analysis) == ["dist"]
    cut = analysis.critical_devices[0].cut_off
    assert cut.count == 30 and cut.nodes == tuple(leaves[:5])
    assert cut.as_dict()["more"] == 25 and "(+25 more)" in cut.describe()


@pytest.mark.parametrize("seed", range(12))
def test_agrees_with_networkx_and_brute_force_on_random_multigraphs(seed: int) -> None:
    rng = random.Random(seed)
    names = [f"n{i}" for i in range(rng.randint(8, 30))]
    pairs = [(rng.choice(names), rng.choice(names)) for _ in range(rng.randint(5, 40))]
    links = [cable(a, f"Eth{i}", b, f"Eth{i + 100}") for i, (a, b) in enumerate(pairs) if a != b]
    topology = topo(map(device, names), links)
    analysis = run(topology, shown=1000)
    graph = to_graph(topology, L2)
    assert set(critical_nodes(analysis)) == set(nx.articulation_points(graph))
    assert {frozenset(p) for p in critical_pairs(analysis)} == {frozenset(e) for e in nx.bridges(graph)}
    for found in analysis.critical_devices:
        rest = graph.copy()
        rest.remove_node(found.node)
        parts = sorted(nx.connected_components(rest.subgraph(nx.node_connected_component(graph, found.node)
                                                             - {found.node})),
                       key=lambda part: (-len(part), min(part)))
        assert set(found.cut_off.nodes) == set().union(*parts[1:])


# -- the other findings -------------------------------------------------------------------------


def test_isolated_devices_have_no_link_of_any_layer() -> None:
    nodes = [device("a"), device("b"), device("c"), device("lonely"), device("ap1", kind=NodeKind.UNMANAGED)]
    links = [cable("a", "Eth1", "b", "Eth1"), cable("b", "Vlan1", "c", "Vlan1", layer=L3)]
    assert run(topo(nodes, links)).isolated == ("lonely",)


def test_one_sided_links_and_conflicts_are_listed() -> None:
    one_sided = cable("a", "Eth1", "b", "Eth1", state=LinkState.ONE_SIDED, reported_by=("a",))
    conflict = Problem(ProblemKind.CONFLICT, "a Eth2 and c Eth1 disagree", ("a", "c"), (End("a", "Eth2"),))
    other = Problem(ProblemKind.DUPLICATE_ADDRESS, "10.0.0.1 on a and b", ("a", "b"))
    analysis = run(topo(map(device, "abc"), [one_sided, cable("b", "Eth2", "c", "Eth2")], [other, conflict]))
    assert analysis.one_sided == (one_sided,) and analysis.conflicts == (conflict,)
    data = analysis.as_dict()
    assert data["one_sided"][0]["reported_by"] == ["a"] and data["one_sided"][0]["state"] == "one_sided"
    assert data["conflicts"] == [conflict.as_dict()]


def _with_interfaces(name: str, *interfaces: Interface) -> DeviceInput:
    return DeviceInput(name, "cisco_ios", "127.0.0.1", DeviceRecords(interfaces=list(interfaces)))


def test_speed_and_duplex_mismatches_only_when_both_ends_show_them() -> None:
    links = [cable("a", "Gi1", "b", "Gi1"), cable("a", "Gi2", "b", "Gi2"), cable("a", "Gi3", "c", "Gi3")]
    inp = inputs(
        _with_interfaces("a", Interface("Gi1", True, True, speed_mbps=1000, duplex="full"),
                         Interface("Gi2", True, True, speed_mbps=100, duplex="half"),
                         Interface("Gi3", True, True, speed_mbps=1000, duplex="full")),
        _with_interfaces("b", Interface("Gi1", True, True, speed_mbps=1000, duplex="half"),
                         Interface("Gi2", True, True, speed_mbps=None, duplex="")),
        _with_interfaces("c", Interface("Gi3", True, True, speed_mbps=100, duplex="full")),
    )
    analysis = run(topo(map(device, "abc"), links), inp)
    found = [(m.link.a, m.attribute, m.a_value, m.b_value) for m in analysis.mismatches]
    assert found == [(End("a", "Gi1"), "duplex", "full", "half"), (End("a", "Gi3"), "speed", "1000", "100")]
    assert any("duplex full vs half" in line for line in analysis.lines())


def test_failed_devices_list_the_links_only_their_neighbors_report() -> None:
    nodes = [device("a"), device("b"), device("x", status="failed"), device("y", status="not_collected")]
    links = [cable("a", "Eth1", "x", "Eth1", reported_by=("a",)),
             cable("b", "Eth1", "x", "Eth2", reported_by=("b",)),
             cable("a", "Eth2", "b", "Eth2"),
             cable("a", "Vlan1", "x", "Vlan1", layer=L3, reported_by=("a", "x")),
             cable("b", "Eth3", "y", "Eth1", reported_by=("b",))]
    inp = inputs(DeviceInput("a", "cisco_ios", "127.0.0.1", DeviceRecords()),
                 DeviceInput("b", "cisco_ios", "127.0.0.2", DeviceRecords()),
                 DeviceInput("x", "cisco_ios", "127.0.0.3", DeviceRecords(), collected=False,
                             error_kind="auth_failed", error="authentication failed"),
                 DeviceInput("y", "cisco_ios", "127.0.0.4", DeviceRecords(), collected=False))
    analysis = run(topo(nodes, links), inp)
    assert [(f.node, f.status, f.error_kind) for f in analysis.failed] == [
        ("x", "failed", "auth_failed"), ("y", "not_collected", "")]
    hidden = {f.node: [(link.a.node, link.b.node, link.layer) for link in f.hidden_links] for f in analysis.failed}
    assert hidden == {"x": [("a", "x", L2), ("b", "x", L2)], "y": [("b", "y", L2)]}
    assert analysis.as_dict()["failed"][0]["links_from_neighbors"][0]["reported_by"] == ["a"]


def test_as_dict_is_json_ready_and_independent_of_input_order() -> None:
    names = ["core", "d1", "d2", "s1", "s2", "s3"]
    links = chain_cables([("core", "d1"), ("core", "d2"), ("d1", "s1"), ("d1", "s2"), ("d2", "s3"), ("s1", "s2")])
    first = run(topo(map(device, names), links)).as_dict()
    shuffled = links[:]
    random.Random(3).shuffle(shuffled)
    second = run(topo(map(device, reversed(names)), shuffled)).as_dict()
    assert json.dumps(first) == json.dumps(second)
    assert [d["node"] for d in first["single_points_of_failure"]["devices"]] == ["core", "d1", "d2"]


def test_lines_are_plain_sections_with_counts() -> None:
    analysis = run(topo(map(device, ["a", "b", "c"]), chain_cables([("a", "b")])))
    lines = analysis.lines()
    assert lines[0].startswith("Critical devices") and lines[0].endswith(": 0")
    assert "Critical cables (basis: L2 cables between managed devices): 1" in lines
    assert "  a Eth1 -- b Eth1: cuts off 1 node: b" in lines
    assert "Isolated devices (no link of any layer): 1" in lines and "  c" in lines


def test_ten_thousand_devices_and_forty_thousand_links_in_seconds() -> None:
    rng = random.Random(1)
    names = [f"sw{i:05d}" for i in range(10_000)]
    pairs = [(names[i], names[rng.randrange(i)]) for i in range(1, len(names))]  # a random tree
    pairs += [(rng.choice(names), rng.choice(names)) for _ in range(30_000)]
    links = [cable(a, f"Eth{i}", b, f"Eth{i}") for i, (a, b) in enumerate(pairs) if a != b]
    topology = topo(map(device, names), links)
    started = time.perf_counter()
    analysis = analyse(inputs(), topology)
    assert time.perf_counter() - started < 10
    assert len(links) > 39_000 and analysis.isolated == ()
