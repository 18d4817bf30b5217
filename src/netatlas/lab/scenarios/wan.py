"""WAN: routers in several OSPF areas over /30 and /31 links, iBGP and eBGP at the edges.

* A backbone ring (area 0) of IOS, NX-OS and JunOS routers with a chord; the first two are
  the edges (AS 65100, iBGP between loopbacks, ``default-information originate``).
* Regional areas (totally stubby, summarised by an area range at their two ABRs) of branch
  routers dual-homed to two backbone routers.
* A partner router (JunOS, AS 65200) with eBGP to both edges, which also hold static routes
  to the partner's DMZ.
* Traps: ``rtr1``/``rtr10`` names, FQDN ids, NX-OS ``name(SERIAL)`` CDP ids, a branch uplink
  with LLDP transmit off, VRF BLUE on the two edges reusing their backbone link's addresses.
* Variations: the WAN's AS is 4-byte (65100.100), printed in asdot by the first edge and the
  partner, which each have a peer that never comes up; the partner runs no LLDP (its links are
  reported by nobody). In the first area (``BRANCH_VARIATIONS``, by branch number from 0): branch 1
  (JunOS) is a virtual chassis running LDP (``inet.3``/``mpls.0``) and IPv6 on its uplinks, with a
  floating static default behind OSPF's; branch 2 runs an old IOS image without VRFs; branch 4 has
  CDP off and branch 6 LLDP off (IOS). All of them exist from 6 devices, but branches 4 and 6.
* Bounded (``Builder.bounded``): areas keep ``AREA_SIZE`` branches at any size; area k is
  ``0.0.<128 + k // 256>.<k % 256>`` (apart from the campus's ``0.0.0.p``, which in a mixed lab
  would otherwise take over the WAN area's range) and summarises the k-th /22 of ``BOUNDED_RANGES``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Interface, IPv4Network, IPv6Network

from netatlas.lab import variations
from netatlas.lab.builder import Builder, trap_numbers
from netatlas.lab.model import Feature, Interface, Ipv6Route, Platform, RouteProto
from netatlas.lab.routing import BACKBONE

DOMAIN = "wan.example.net"
WAN_ASN = (65100 << 16) + 100  # 65100.100 in asdot
PARTNER_ASN = 65200
DOWN_PEER_AS = 64998
EX_BRANCH = 1  # the JunOS virtual chassis with LDP, IPv6 and a floating static default
# Branch number (first area only) -> the variations it carries before it is cabled.
BRANCH_VARIATIONS: dict[int, tuple[Callable[[Builder, str], None], ...]] = {
    EX_BRANCH: (variations.virtual_chassis, variations.mpls),
    2: (variations.old_image,),
    4: (lambda b, host: variations.feature_off(b, host, Feature.CDP),),
    6: (lambda b, host: variations.feature_off(b, host, Feature.LLDP),),
}
AREA_SIZE = 20
MAX_AREAS = 127  # area k summarises 10.(128+k).0.0/16: k stays within 1..127
BOUNDED_RANGES = IPv4Network("10.128.0.0/11")  # bounded labs: a /22 per area, up to 2,048 areas
BACKBONE_PLATFORMS = (Platform.CISCO_IOS, Platform.CISCO_NXOS, Platform.JUNIPER_JUNOS)
BRANCH_PLATFORMS = (Platform.CISCO_IOS, Platform.JUNIPER_JUNOS)


@dataclass(slots=True)
class Wan:
    backbone: list[str]
    edges: list[str]


def sizes(n: int) -> tuple[int, int, int]:
    """(backbone, partner, branch) routers for n devices.

    Examples:
        >>> sizes(2), sizes(4), sizes(30), sizes(2000)
        ((2, 0, 0), (2, 1, 1), (5, 1, 24), (8, 1, 1991))
    """
    if n < 4:
        return min(n, 2), n - min(n, 2), 0
    backbone = min(8, 2 + n // 10)
    return backbone, 1, n - backbone - 1


def area_size(n_branch: int) -> int:
    """Branches per OSPF area: 20, more past 2,540 branches so that areas stay within ``MAX_AREAS``.

    Examples:
        >>> area_size(100), area_size(2540), area_size(2991), area_size(9990)
        (20, 20, 24, 79)
    """
    return max(AREA_SIZE, -(-n_branch // MAX_AREAS))


def build(b: Builder, n: int, *, prefix: str = "rtr") -> Wan:
    n_bb, n_partner, n_branch = sizes(n)
    names = [f"{prefix}{i}" for i in trap_numbers(n_bb + n_branch)]
    backbone, branches = names[:n_bb], names[n_bb:]
    for i, name in enumerate(backbone):
        b.device(name, BACKBONE_PLATFORMS[i % 3], "edge" if i < 2 else "backbone", "wan-core",
                 domain=DOMAIN if i % 2 == 0 else "")
        b.loopback(name, area=BACKBONE)
    edges = backbone[:2]
    _ring(b, backbone)
    _edges(b, edges)
    variations.asdot(b, edges[0])
    variations.bgp_peer_down(b, edges[0], IPv4Address("198.18.1.1"), DOWN_PEER_AS, "Idle")
    if n_partner:
        _partner(b, edges)
    per_area = AREA_SIZE if b.bounded else area_size(n_branch)
    for k, start in enumerate(range(0, n_branch, per_area)):
        _area(b, k + 1, branches[start : start + per_area], backbone)
    return Wan(backbone, edges)


def _ring(b: Builder, backbone: list[str]) -> None:
    pairs = [(backbone[i], backbone[(i + 1) % len(backbone)]) for i in range(len(backbone))]
    if len(backbone) == 2:
        pairs = pairs[:1]
    if len(backbone) >= 5:
        pairs.append((backbone[0], backbone[len(backbone) // 2]))
    for i, (a, c) in enumerate(pairs):
        b.routed_link(a, c, area=BACKBONE, subnet=b.p2p_subnet(30 if i % 2 else 31))


def _ex_branch(b: Builder, host: str, uplinks: list[tuple[str, Interface, Interface]]) -> None:
    """IPv6 on the uplinks (both ends) and loopback, a static IPv6 default, a floating IPv4 default."""
    for n, (abr, own, far) in enumerate(uplinks):
        variations.ipv6(b, host, own, f"2001:db8:ffff:{n}::1/64")
        variations.ipv6(b, abr, far, f"2001:db8:ffff:{n}::2/64")
    loop = next(i for i in b.devices[host].interfaces if i.kind == "loopback")
    variations.ipv6(b, host, loop, "2001:db8::1/128")
    _, own, far = uplinks[0]
    b.devices[host].ipv6_routes.append(Ipv6Route(IPv6Network("::/0"), RouteProto.STATIC, far.ipv6[0].ip, own.name,
                                                 preference=5))
    _, own, far = uplinks[-1]
    assert far.ipv4 is not None
    variations.floating_static(b, host, "0.0.0.0/0", far.ipv4.ip, own)


def _edges(b: Builder, edges: list[str]) -> None:
    loops: list[Interface] = []
    for edge in edges:
        loop = next(i for i in b.devices[edge].interfaces if i.kind == "loopback")
        loops.append(loop)
        b.bgp(edge, WAN_ASN)
        b.routing.ospf_default_originators.add(edge)
    if len(edges) == 2:
        b.bgp_session(edges[0], loops[0], edges[1], loops[1])
        first = next(i for i in b.devices[edges[0]].interfaces if i.description == f"to {edges[1]}")
        assert first.ipv4 is not None
        for edge in edges:
            b.add_vrf(edge, "BLUE", "65100:100")
        blue_a, blue_b = b.routed_link(edges[0], edges[1], vrf="BLUE", subnet=first.ipv4.network)
        b.static(edges[0], "192.168.220.0/24", blue_b, vrf="BLUE")
        b.static(edges[1], "192.168.221.0/24", blue_a, vrf="BLUE")
        # a VRF session (IOS lists it only in `show ip bgp vpnv4 vrf BLUE summary`), never up
        variations.bgp_peer_down(b, edges[0], IPv4Address("198.18.1.5"), DOWN_PEER_AS, "Active", vrf="BLUE")


def _partner(b: Builder, edges: list[str]) -> None:
    name = "partner1"
    b.device(name, Platform.JUNIPER_JUNOS, "partner", "partner", domain="partner.example.org")
    b.loopback(name)
    dmz = IPv4Network("192.0.2.0/24")
    b.bgp(name, PARTNER_ASN, (IPv4Network("198.51.100.0/24"), IPv4Network("203.0.113.0/24")))
    variations.asdot(b, name)
    variations.bgp_peer_down(b, name, IPv4Address("198.18.2.1"), DOWN_PEER_AS, "Connect")
    variations.feature_off(b, name, Feature.LLDP)
    lan = b.port(name, description="dmz")
    b.address(lan, IPv4Interface(f"{dmz.network_address + 1}/24"))
    for edge in edges:
        edge_if, partner_if = b.routed_link(edge, name, subnet=b.p2p_subnet(30))
        b.bgp_session(edge, edge_if, name, partner_if)
        b.static(edge, str(dmz), partner_if)


def area_plan(k: int, *, bounded: bool) -> tuple[str, IPv4Network]:
    """Area k's id and range (``0.0.0.k`` and ``10.(128+k).0.0/16``; the bounded plan's otherwise).

    Examples:
        >>> area_plan(3, bounded=False), area_plan(3, bounded=True)
        (('0.0.0.3', IPv4Network('10.131.0.0/16')), ('0.0.128.3', IPv4Network('10.128.8.0/22')))
        >>> area_plan(300, bounded=True)
        ('0.0.129.44', IPv4Network('10.132.172.0/22'))
    """
    if not bounded:
        return f"0.0.0.{k}", IPv4Network(f"10.{128 + k}.0.0/16")
    first = int(BOUNDED_RANGES.network_address) + (k - 1) * 1024
    return f"0.0.{128 + k // 256}.{k % 256}", IPv4Network((first, 22))


def _loopback_address(summary: IPv4Network, j: int, *, bounded: bool) -> IPv4Interface:
    """Branch j's loopback: ``.255.(j+1)`` of the area's /16, or the last /24 of its bounded /22."""
    if bounded:
        return IPv4Interface(f"{summary.broadcast_address - 255 + j + 1}/32")
    return IPv4Interface(f"10.{summary.network_address.packed[1]}.255.{j + 1}/32")


def _area(b: Builder, k: int, branches: list[str], backbone: list[str]) -> None:
    area, summary = area_plan(k, bounded=b.bounded)
    b.routing.area_ranges[area] = summary
    b.routing.totally_stubby.add(area)
    pool = summary.subnets(new_prefix=30)
    abrs = [backbone[(2 * k) % len(backbone)], backbone[(2 * k + 1) % len(backbone)]]
    for j, name in enumerate(branches):
        b.device(name, BRANCH_PLATFORMS[j % 2], "branch", f"branch-{k}", domain=DOMAIN if j % 3 == 0 else "")
        for vary in BRANCH_VARIATIONS.get(j, ()) if k == 1 else ():
            vary(b, name)
        loop = b.loopback(name, area=area)
        loop.ipv4 = _loopback_address(summary, j, bounded=b.bounded)
        b.devices[name].ospf_router_id = b.devices[name].bgp_router_id = loop.ipv4.ip
        uplinks = [_uplink(b, name, j, g, abr, area, next(pool)) for g, abr in enumerate(abrs)]
        if k == 1 and j == EX_BRANCH:
            _ex_branch(b, name, uplinks)


def _uplink(b: Builder, name: str, j: int, g: int, abr: str, area: str, subnet: IPv4Network,
            ) -> tuple[str, Interface, Interface]:
    """Branch j's g-th uplink to ``abr``: a /30, or a /31 on odd branches; (abr, own end, abr's end)."""
    up = b.port(name, description=f"to {abr}")
    if j == 3 and g == 1:
        up.lldp_transmit = up.cdp_enabled = False
    if j % 2:
        subnet = next(subnet.subnets(new_prefix=31))
    own, far = b.routed_link(name, abr, area=area, subnet=subnet, ports=b.cable(name, abr, a_port=up))
    return abr, own, far
