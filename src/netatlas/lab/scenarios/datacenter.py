"""Datacenter: spine-leaf with eBGP (one ASN per leaf), parallel spine-leaf links, hosts.

* Spines (NX-OS) share AS 65000; leaves alternate NX-OS and EOS, each with its own ASN.
* Every leaf has two parallel routed links to every spine, each with its own eBGP
  session; leaves originate their loopback and host subnet, spines their loopback.
* Hosts sit on leaf access ports in VLAN 10 behind the leaf's SVI.
* Traps: ``leaf1``/``leaf10`` names, FQDN ids, NX-OS ``name(SERIAL)`` CDP ids, one leaf
  uplink with LLDP transmit off, VRF BLUE on spine1/leaf1 reusing their first link's /31.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Interface, IPv4Network

from netatlas.lab.builder import Builder, trap_numbers
from netatlas.lab.model import Interface, Platform

DOMAIN = "dc.example.net"
SITE = "dc1"
SPINE_ASN = 65000
HOST_VLAN = 10


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
    """Private ASN of leaf number i (2-byte while it fits, then 4-byte private)."""
    return 65001 + i if 65001 + i < 65535 else 4_200_000_000 + i


def leaf_subnet(i: int) -> IPv4Network:
    return IPv4Network(f"172.{16 + i // 256}.{i % 256}.0/24")


def build(b: Builder, n: int) -> Datacenter:
    n_spines, n_leaves = sizes(n)
    spines = [f"spine{i}" for i in trap_numbers(n_spines)]
    leaves = [f"leaf{i}" for i in trap_numbers(n_leaves)]
    for i, name in enumerate(spines):
        b.device(name, Platform.CISCO_NXOS, "spine", SITE, domain=DOMAIN if i % 2 == 0 else "")
        loop = b.loopback(name)
        assert loop.ipv4 is not None
        b.bgp(name, SPINE_ASN, (loop.ipv4.network,))
    for i, name in enumerate(leaves):
        _leaf(b, i, name, spines)
    return Datacenter(spines, leaves)


def _leaf(b: Builder, i: int, name: str, spines: list[str]) -> None:
    platform = Platform.CISCO_NXOS if i % 2 == 0 else Platform.ARISTA_EOS
    b.device(name, platform, "leaf", SITE, domain=DOMAIN if i % 3 == 0 else "")
    loop = b.loopback(name)
    subnet = leaf_subnet(i)
    assert loop.ipv4 is not None
    b.bgp(name, leaf_asn(i), (loop.ipv4.network, subnet))
    svi = b.svi(name, HOST_VLAN, IPv4Interface(f"{subnet.network_address + 1}/24"), name="SERVERS")
    svi.ospf_area, svi.ospf_passive = None, False
    for s_index, spine in enumerate(spines):
        for parallel in range(2):
            up = b.port(name, description=f"to {spine}")
            if i == 0 and s_index == 0 and parallel == 1:
                up.lldp_transmit = up.cdp_enabled = False
            leaf_if, spine_if = b.routed_link(name, spine, ports=b.cable(name, spine, a_port=up))
            b.bgp_session(name, leaf_if, spine, spine_if)
    if i == 0:
        _blue(b, name, spines[0])
    for h in range(b.rng.randint(2, 6)):
        _host(b, name, svi, subnet, h)


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
