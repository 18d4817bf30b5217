"""Datacenter: spine-leaf with eBGP (one ASN per leaf), parallel spine-leaf links, hosts.

* Spines (NX-OS) share AS 65000; leaves alternate NX-OS and EOS, each with its own ASN.
* Every leaf has two parallel routed links to every spine, each with its own eBGP
  session; leaves originate their loopback and host subnet, spines their loopback.
* Hosts sit on leaf access ports in VLAN 10 behind the leaf's SVI.
* Traps: ``leaf1``/``leaf10`` names, FQDN ids, NX-OS ``name(SERIAL)`` CDP ids, one leaf
  uplink with LLDP transmit off, VRF BLUE on spine1/leaf1 reusing their first link's /31.
* Variations (``LEAF_VARIATIONS``, by leaf number from 0; all present from 6 devices): 4-byte
  ASNs printed in asdot (leaves 0 and 1), a peer that never comes up (leaf 1 and the first spine),
  IPv6 on leaf 1's uplinks, an old NX-OS image without ``vrf all`` and LLDP off (leaf 2), LLDP off
  and no BGP (leaf 3, an EOS switch: it reports no neighbor at all, and has a static default), CDP
  off (the second spine). OSPF is off everywhere (not configured).
* Bounded (``Builder.bounded``): leaf loopbacks come from ``LEAF_LOOPBACKS`` and every spine
  announces ``LEAF_LOOPBACKS`` and ``LEAF_SUBNETS`` as summary-only aggregates, so a leaf learns
  two aggregates (multipath over every spine link) and the default, not every other leaf's
  prefixes; the spines still carry every leaf's. Leaves past 4,096 have host subnets outside
  ``LEAF_SUBNETS``, which go unsummarised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from netatlas.lab import variations
from netatlas.lab.builder import Builder, trap_numbers
from netatlas.lab.model import Feature, Interface, Platform

DOMAIN = "dc.example.net"
SITE = "dc1"
SPINE_ASN = 65000
HOST_VLAN = 10
ASDOT_BASE = (65000 << 16) + 1000  # 65000.1000: the 4-byte ASNs of the asdot leaves
DOWN_PEER_AS = 64999
ASDOT_LEAVES = (0, 1)
IPV6_LEAF = 1
NO_BGP_LEAF = 3
LEAF_LOOPBACKS = IPv4Network("10.252.0.0/16")  # bounded labs only
LEAF_SUBNETS = IPv4Network("172.16.0.0/12")  # leaf_subnet(i) for i < 4,096


def _down_peer(state: str, n: int) -> Callable[[Builder, str], None]:
    def add(b: Builder, host: str) -> None:
        variations.bgp_peer_down(b, host, IPv4Address(f"198.18.0.{n}"), DOWN_PEER_AS, state)

    return add


# Leaf number -> what it carries before it is cabled (see the module docstring).
LEAF_VARIATIONS: dict[int, tuple[Callable[[Builder, str], None], ...]] = {
    0: (variations.asdot,),
    1: (variations.asdot, _down_peer("Active", 2)),
    2: (variations.old_image, lambda b, host: variations.feature_off(b, host, Feature.LLDP)),
    3: (lambda b, host: variations.feature_off(b, host, Feature.LLDP),),
}


@dataclass(slots=True)
class Datacenter:
    spines: list[str]
    leaves: list[str]


def sizes(n: int) -> tuple[int, int]:
    """(spines, leaves) for n devices.

    Examples:
        >>> sizes(2), sizes(5), sizes(100), sizes(2000)
        ((1, 1), (2, 3), (4, 96), (4, 1996))
    """
    spines = 1 if n < 4 else min(4, 2 + n // 40)
    return spines, n - spines


def leaf_asn(i: int) -> int:
    """Private ASN of leaf number i (2-byte while it fits, then 4-byte private; asdot leaves 65000.100x).

    Examples:
        >>> leaf_asn(1), leaf_asn(2), leaf_asn(70000)
        (4259841001, 65003, 4200070000)
    """
    if i in ASDOT_LEAVES:
        return ASDOT_BASE + i
    return 65001 + i if 65001 + i < 65535 else 4_200_000_000 + i


def leaf_subnet(i: int) -> IPv4Network:
    return IPv4Network(f"172.{16 + i // 256}.{i % 256}.0/24")


def build(b: Builder, n: int) -> Datacenter:
    n_spines, n_leaves = sizes(n)
    spines = [f"spine{i}" for i in trap_numbers(n_spines)]
    leaves = [f"leaf{i}" for i in trap_numbers(n_leaves)]
    for i, name in enumerate(spines):
        b.device(name, Platform.CISCO_NXOS, "spine", SITE, domain=DOMAIN if i % 2 == 0 else "")
        if i == 1:
            variations.feature_off(b, name, Feature.CDP)
        loop = b.loopback(name)
        assert loop.ipv4 is not None
        b.bgp(name, SPINE_ASN, (loop.ipv4.network,))
        if b.bounded:
            b.routing.bgp_aggregates[name] = (LEAF_LOOPBACKS, LEAF_SUBNETS)
            b.routing.bgp_originate[name].extend((LEAF_LOOPBACKS, LEAF_SUBNETS))
    if spines:
        _down_peer("Idle", 1)(b, spines[0])
    for i, name in enumerate(leaves):
        _leaf(b, i, name, spines)
    return Datacenter(spines, leaves)


def _leaf(b: Builder, i: int, name: str, spines: list[str]) -> None:
    platform = Platform.CISCO_NXOS if i % 2 == 0 else Platform.ARISTA_EOS
    b.device(name, platform, "leaf", SITE, domain=DOMAIN if i % 3 == 0 else "")
    for vary in LEAF_VARIATIONS.get(i, ()):
        vary(b, name)
    loop = b.loopback(name)
    if b.bounded:
        loop.ipv4 = IPv4Interface(f"{LEAF_LOOPBACKS.network_address + i + 1}/32")
        b.devices[name].bgp_router_id = b.devices[name].ospf_router_id = loop.ipv4.ip
    subnet = leaf_subnet(i)
    assert loop.ipv4 is not None
    bgp = i != NO_BGP_LEAF
    if bgp:
        b.bgp(name, leaf_asn(i), (loop.ipv4.network, subnet))
    svi = b.svi(name, HOST_VLAN, IPv4Interface(f"{subnet.network_address + 1}/24"), name="SERVERS")
    svi.ospf_area, svi.ospf_passive = None, False
    _uplinks(b, i, name, spines, bgp)
    if i == IPV6_LEAF:
        variations.ipv6(b, name, loop, f"2001:db8:{i:x}::1/128")
    if i == 0:
        _blue(b, name, spines[0])
    for h in range(b.rng.randint(2, 6)):
        _host(b, name, svi, subnet, h)


def _uplinks(b: Builder, i: int, name: str, spines: list[str], bgp: bool) -> None:
    """Two parallel routed links to every spine, each with its eBGP session (a static default without BGP)."""
    for s_index, spine in enumerate(spines):
        for parallel in range(2):
            up = b.port(name, description=f"to {spine}")
            if i == 0 and s_index == 0 and parallel == 1:
                up.lldp_transmit = up.cdp_enabled = False
            leaf_if, spine_if = b.routed_link(name, spine, ports=b.cable(name, spine, a_port=up))
            if bgp:
                b.bgp_session(name, leaf_if, spine, spine_if)
            elif s_index == parallel == 0:
                b.static(name, "0.0.0.0/0", spine_if)
            if i == IPV6_LEAF:
                _ipv6_link(b, (name, leaf_if), (spine, spine_if), 2 * s_index + parallel)


def _ipv6_link(b: Builder, leaf: tuple[str, Interface], spine: tuple[str, Interface], n: int) -> None:
    """Both ends of a leaf uplink get an address of ``2001:db8:ff<n>::/64``."""
    for end, (host, intf) in enumerate((leaf, spine), start=1):
        variations.ipv6(b, host, intf, f"2001:db8:ff{n:02x}::{end}/64")


def _blue(b: Builder, leaf: str, spine: str) -> None:
    first = next(intf for intf in b.devices[leaf].interfaces if intf.description == f"to {spine}")
    assert first.ipv4 is not None
    for host in (leaf, spine):
        b.add_vrf(host, "BLUE", "65000:100")
    leaf_if, spine_if = b.routed_link(leaf, spine, vrf="BLUE", subnet=first.ipv4.network)
    b.static(leaf, "192.168.210.0/24", spine_if, vrf="BLUE")
    b.static(spine, "192.168.211.0/24", leaf_if, vrf="BLUE")


def _host(b: Builder, leaf: str, svi: Interface, subnet: IPv4Network, h: int) -> None:
    port = b.port(leaf, description=f"server{h + 1}")
    b.access(port, HOST_VLAN)
    mac = b.host_mac()
    ip = subnet.network_address + 10 + h
    b.endpoint(leaf, port, HOST_VLAN, mac, ip)
    b.arp(leaf, ip, mac, svi)
