"""Selecting part of a topology (site, role, layer, a node's neighbourhood) and counting it."""

from __future__ import annotations

import pytest

from netatlas.domain.records import DeviceRecords
from netatlas.topology.analysis import analyse
from netatlas.topology.model import (
    L2,
    L3,
    DeviceInput,
    End,
    Endpoint,
    Link,
    LinkState,
    Node,
    NodeKind,
    Problem,
    ProblemKind,
    Topology,
    TopologyInput,
)
from netatlas.topology.select import UnknownNode, select, summary


def node(name: str, site: str = "", role: str = "", kind: NodeKind = NodeKind.DEVICE, status: str = "ok",
         names: tuple[str, ...] = (), mgmt_ip: str | None = None) -> Node:
    return Node(name, kind, None, mgmt_ip, site, role, status, names=names)


def link(a: str, a_if: str, b: str, b_if: str, layer: str = L2, protocols: tuple[str, ...] = ("cdp", "lldp"),
         state: LinkState = LinkState.REPORTED) -> Link:
    one, two = sorted([End(a, a_if), End(b, b_if)])
    return Link(one, two, layer, protocols, state=state, reported_by=(a, b))


def campus() -> Topology:
    """core (dc) -- dist1 (hq) -- sw1, sw10 (hq, access); dist1 -- sw2 (br, access); phone on sw1;
    rtr1 (br) reachable from dist1 over L3 only."""
    nodes = [node("core", "dc", "core"), node("dist1", "hq", "distribution"), node("sw1", "hq", "access"),
             node("sw10", "hq", "access", names=("SW10.lab.example.net",)), node("sw2", "br", "access"),
             node("rtr1", "br", "edge", status="failed"), node("phone1", kind=NodeKind.UNMANAGED),
             node("ap9", "br", "access-point", kind=NodeKind.UNMANAGED, mgmt_ip="10.9.9.9")]
    links = [link("core", "Eth1", "dist1", "Gi1/0/48"), link("dist1", "Gi1/0/1", "sw1", "Gi1/0/49"),
             link("dist1", "Gi1/0/10", "sw10", "Gi1/0/49"), link("dist1", "Gi1/0/2", "sw2", "Gi1/0/49"),
             link("phone1", "Port 1", "sw1", "Gi1/0/5", protocols=("cdp",)),
             link("ap9", "eth0", "sw10", "Gi1/0/6", protocols=("lldp",), state=LinkState.ONE_SIDED),
             link("core", "Vlan10", "dist1", "Vlan10", L3, ("ospf",)),
             link("dist1", "Vlan20", "rtr1", "Gi0/0", L3, ("ospf", "static"))]
    endpoints = [Endpoint("aa:bb:cc:00:00:01", "10.1.0.5", 100, "sw1", "Gi1/0/8"),
                 Endpoint("aa:bb:cc:00:00:02", None, 100, "sw2", "Gi1/0/8")]
    problems = [Problem(ProblemKind.CONFLICT, "sw2 Gi1/0/3 claimed twice", ("sw2",)),
                Problem(ProblemKind.DUPLICATE_ADDRESS, "10.0.0.1 on core and rtr1", ("core", "rtr1"))]
    return Topology({n.id: n for n in nodes}, links, endpoints, problems, label="job-7")


def pairs(topology: Topology) -> set[tuple[str, str, str]]:
    return {(lk.a.node, lk.b.node, lk.layer) for lk in topology.links}


def test_no_filter_keeps_everything() -> None:
    whole = campus()
    kept = select(whole)
    assert kept.nodes == whole.nodes and kept.links == whole.links and kept.endpoints == whole.endpoints
    assert kept.label == "job-7" and kept is not whole


def test_by_site_keeps_its_nodes_the_links_between_them_and_their_endpoints() -> None:
    kept = select(campus(), site="HQ")
    # phone1 has no site: it goes with sw1; ap9 is in br, so it stays out with sw10's hq.
    assert set(kept.nodes) == {"dist1", "sw1", "sw10", "phone1"}
    assert pairs(kept) == {("dist1", "sw1", L2), ("dist1", "sw10", L2), ("phone1", "sw1", L2)}
    assert [e.mac for e in kept.endpoints] == ["aa:bb:cc:00:00:01"]
    assert kept.problems == []
    branch = select(campus(), site="br")
    assert set(branch.nodes) == {"sw2", "rtr1", "ap9"}
    assert [p.kind for p in branch.problems] == [ProblemKind.CONFLICT, ProblemKind.DUPLICATE_ADDRESS]


def test_by_role() -> None:
    kept = select(campus(), role="access")
    assert set(kept.nodes) == {"sw1", "sw10", "sw2", "phone1"}
    assert pairs(kept) == {("phone1", "sw1", L2)}
    assert set(select(campus(), role="access", site="br").nodes) == {"sw2"}


def test_by_layer_keeps_the_nodes_and_only_that_layers_links() -> None:
    l3 = select(campus(), layer="l3")
    assert set(l3.nodes) == set(campus().nodes)
    assert pairs(l3) == {("core", "dist1", L3), ("dist1", "rtr1", L3)}
    assert {lk.layer for lk in select(campus(), layer="l2").links} == {L2}
    assert len(select(campus(), layer="all").links) == len(campus().links)
    with pytest.raises(ValueError, match="unknown layer 'l4'"):
        select(campus(), layer="l4")


def test_node_and_depth_is_a_neighbourhood_on_the_chosen_layer() -> None:
    assert set(select(campus(), node="sw1", depth=0).nodes) == {"sw1"}
    assert set(select(campus(), node="sw1", depth=1).nodes) == {"sw1", "dist1", "phone1"}
    two = select(campus(), node="sw1", depth=2)
    assert set(two.nodes) == {"sw1", "dist1", "phone1", "core", "sw10", "sw2", "rtr1"}
    assert set(select(campus(), node="sw1", depth=2, layer="l2").nodes) == {
        "sw1", "dist1", "phone1", "core", "sw10", "sw2"}
    assert set(select(campus(), node="dist1", depth=1, layer="l3").nodes) == {"dist1", "core", "rtr1"}
    assert [e.node for e in two.endpoints] == ["sw1", "sw2"]
    with pytest.raises(ValueError, match="depth"):
        select(campus(), node="sw1", depth=-1)


def test_node_neighbourhood_stays_within_the_other_filters() -> None:
    kept = select(campus(), node="sw1", depth=3, site="hq")
    assert set(kept.nodes) == {"sw1", "dist1", "sw10", "phone1"}


def test_sw1_never_selects_sw10() -> None:
    whole = campus()
    del whole.nodes["sw1"]
    whole.links = [lk for lk in whole.links if "sw1" not in (lk.a.node, lk.b.node)]
    with pytest.raises(LookupError) as caught:
        select(whole, node="sw1")
    assert not isinstance(caught.value, KeyError)
    assert str(caught.value) == "no node named 'sw1' in the topology"
    assert isinstance(caught.value, UnknownNode) and caught.value.suggestions == ()
    assert set(select(campus(), node="sw1", depth=0).nodes) == {"sw1"}
    assert set(select(campus(), node="sw10", depth=0).nodes) == {"sw10"}


def test_unknown_node_suggests_exact_matches_only() -> None:
    with pytest.raises(UnknownNode) as caught:
        select(campus(), node="SW10.lab.example.net")
    assert caught.value.suggestions == ("sw10",)
    assert "did you mean 'sw10'?" in str(caught.value) and "SW10.lab.example.net" in str(caught.value)
    with pytest.raises(UnknownNode) as by_address:
        select(campus(), node="10.9.9.9")
    assert by_address.value.suggestions == ("ap9",)
    with pytest.raises(UnknownNode) as prefix:
        select(campus(), node="sw")
    assert prefix.value.suggestions == ()


def test_summary_counts() -> None:
    counts = summary(campus())
    assert counts["label"] == "job-7"
    assert counts["devices"] == {"total": 6, "ok": 5, "failed": 1, "not_collected": 0}
    assert counts["unmanaged"] == 2 and counts["endpoints"] == 2
    assert counts["links"] == {"total": 8, "l2": 6, "l3": 2}
    assert counts["protocols"] == {"l2": {"cdp": 5, "lldp": 5}, "l3": {"ospf": 2, "static": 1}}
    assert counts["one_sided"] == 1 and counts["conflicts"] == 1
    assert counts["problems"] == {"conflict": 1, "duplicate_address": 1}
    assert "single_points_of_failure" not in counts


def test_summary_with_analysis_counts_its_findings() -> None:
    topology = campus()
    inp = TopologyInput(tuple(DeviceInput(n.id, "cisco_ios", "127.0.0.1", DeviceRecords(),
                                          collected=n.status == "ok", error_kind="" if n.status == "ok" else "timeout")
                              for n in topology.nodes.values() if n.kind is NodeKind.DEVICE))
    analysis = analyse(inp, topology)
    counts = summary(topology, analysis)
    # A tree of cables: core-dist1, dist1-sw1, dist1-sw10, dist1-sw2 are bridges; dist1 is the only inner device.
    assert counts["single_points_of_failure"]["devices"] == 1
    assert counts["single_points_of_failure"]["cables"] == 4
    assert counts["isolated"] == 0 and counts["mismatches"] == 0
    assert counts["hidden_links"] == 0  # rtr1's only link lists it in reported_by
