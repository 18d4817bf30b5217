"""The bounded routing plan (``build_network(..., bounded=True)``): tables follow role and area, not size.

The default plan is left as it was (the byte-for-byte check is in the commit that added the
option); a few tests below pin the default's growth so that a change to it is seen here too.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from ipaddress import IPv4Network

import pytest

from netatlas.lab.model import RouteProto
from netatlas.lab.network import Network
from netatlas.lab.scenarios import build_network
from netatlas.lab.scenarios.campus import BOUNDED_SUMMARY
from netatlas.lab.scenarios.datacenter import LEAF_LOOPBACKS, LEAF_SUBNETS
from netatlas.lab.scenarios.wan import AREA_SIZE, BOUNDED_RANGES

MGMT = IPv4Network("127.218.0.0/16")


@cache
def lab(devices: int, *, bounded: bool = True, scenario: str = "mixed") -> Network:
    return build_network(scenario, devices, 2, MGMT, bounded=bounded)


def _hosts(net: Network, role: str) -> list[str]:
    return [h for h, d in net.devices.items() if d.role == role]


def _covers(net: Network, host: str, prefix: IPv4Network) -> bool:
    return any(prefix.subnet_of(r.prefix) for r in net.rib(host) if r.vrf == "default")


def _leaf_prefixes(net: Network) -> list[IPv4Network]:
    return [p for h in _hosts(net, "leaf") for p in net.routing.bgp_originate.get(h, ())]


def test_a_leaf_learns_aggregates_over_every_spine_link_and_reaches_every_other_leaf() -> None:
    net = lab(200)
    leaves = _hosts(net, "leaf")
    for leaf in leaves[4:8]:  # past the leaves with variations
        bgp = {r.prefix: r for r in net.rib(leaf) if r.protocol is RouteProto.BGP}
        assert [p for p in bgp if p not in (LEAF_LOOPBACKS, LEAF_SUBNETS) and p.subnet_of(LEAF_SUBNETS)] == []
        uplinks = [i for i in net.devices[leaf].interfaces if i.description.startswith("to spine")]
        assert len(bgp[LEAF_SUBNETS].next_hops) == len(bgp[LEAF_LOOPBACKS].next_hops) == len(uplinks) > 2
        assert all(_covers(net, leaf, p) for p in _leaf_prefixes(net))


def test_a_spine_still_carries_every_leaf_prefix() -> None:
    net = lab(200)
    spine = _hosts(net, "spine")[0]
    learned = {r.prefix for r in net.rib(spine) if r.protocol is RouteProto.BGP}
    origin_of = {p: h for h in _hosts(net, "leaf") for p in net.routing.bgp_originate.get(h, ())}
    assert set(origin_of) <= learned


def test_the_wan_border_and_partner_learn_the_aggregates_only() -> None:
    net = lab(200)
    for host in ("partner1", "rtr1", "rtr10"):
        prefixes = {r.prefix for r in net.rib(host) if r.protocol is RouteProto.BGP}
        assert {LEAF_LOOPBACKS, LEAF_SUBNETS} <= prefixes
        assert [p for p in _leaf_prefixes(net) if p in prefixes] == []


def test_routing_tables_do_not_grow_with_the_lab_for_leaves_branches_and_access() -> None:
    """1,000 and 3,000 devices: both with four spines (a leaf has a pair of links to each)."""
    small, large = lab(1000), lab(3000)

    def sizes(net: Network, role: str) -> Counter[int]:
        return Counter(len(net.rib(h)) for h in _hosts(net, role)[5:60])

    for role in ("leaf", "access"):
        assert set(sizes(large, role)) == set(sizes(small, role)), role
    assert max(sizes(large, "branch")) == max(sizes(small, "branch"))


def test_a_distribution_router_holds_its_own_area_and_a_default_whatever_the_campus_size() -> None:
    """Each pair's area (loopbacks and uplinks too) is totally stubby behind the cores: no other
    pair's uplinks, loopbacks or summaries, whose number grows with the lab (area 0 held them all)."""
    small, large = lab(1000), lab(3000)
    tables = [{len(net.rib(h)) for h in _hosts(net, "distribution")} for net in (small, large)]
    assert tables[1] == tables[0] and max(tables[1]) < 110
    dist = _hosts(large, "distribution")[0]
    ospf = [r for r in large.rib(dist) if r.protocol is RouteProto.OSPF]
    assert [r.prefix for r in ospf if r.ospf_type != "intra"] == [IPv4Network("0.0.0.0/0")]
    assert not any(i.ospf_area == "0.0.0.0" for h in _hosts(large, "distribution")
                   for i in large.devices[h].interfaces)


def test_the_default_plan_still_grows_with_the_lab() -> None:
    """Why the option exists: without it a leaf learns every other leaf (a pin on the default plan)."""
    small, large = lab(200, bounded=False), lab(1500, bounded=False)
    leaf_routes = [len(net.rib(_hosts(net, "leaf")[5])) for net in (small, large)]
    assert leaf_routes[1] > 5 * leaf_routes[0]


def test_wan_areas_keep_twenty_branches_and_each_is_one_summary_at_the_backbone() -> None:
    net = lab(3000, scenario="wan")
    members = Counter(i.ospf_area for h in _hosts(net, "branch") for i in net.devices[h].interfaces
                      if i.kind == "loopback")  # fmt: skip
    assert set(net.routing.area_ranges) == set(members)
    assert len(members) > 127  # past the default plan's 127 areas
    assert max(members.values()) == AREA_SIZE
    assert all(r.subnet_of(BOUNDED_RANGES) and r.prefixlen == 22 for r in net.routing.area_ranges.values())
    backbone = _hosts(net, "backbone")[0]
    own = {i.ospf_area for i in net.devices[backbone].interfaces}
    inter = {r.prefix for r in net.rib(backbone) if r.ospf_type == "inter"}
    assert inter == {r for a, r in net.routing.area_ranges.items() if a not in own}


def test_campus_and_wan_areas_of_a_mixed_lab_keep_their_own_ranges() -> None:
    """In the default plan the campus pairs' areas 0.0.0.p take over the WAN areas' ranges."""
    net = lab(1000)
    pairs = -(-len(_hosts(net, "distribution")) // 2)
    wan = {i.ospf_area for h in _hosts(net, "branch") for i in net.devices[h].interfaces
           if i.kind == "loopback" and i.ospf_area is not None}
    ranges = net.routing.area_ranges
    assert len(ranges) == pairs + len(wan)
    assert all(ranges[a].subnet_of(BOUNDED_RANGES) for a in wan)
    campus = [r for a, r in ranges.items() if a not in wan]
    assert all(r.subnet_of(BOUNDED_SUMMARY) and r.prefixlen == 18 for r in campus)
    backbone = _hosts(net, "backbone")[0]
    leaked = [r for r in net.rib(backbone) if r.ospf_type == "inter" and r.prefix.prefixlen != 22]
    assert leaked == []


@pytest.mark.parametrize("scenario", ["campus", "datacenter", "wan"])
def test_every_scenario_builds_bounded(scenario: str) -> None:
    net = lab(300, scenario=scenario)
    assert len(net.devices) == 300
    assert sum(len(net.rib(h)) for h in list(net.devices)[:50]) > 0
