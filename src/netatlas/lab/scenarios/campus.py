"""Campus: a core pair, distribution pairs, access switches, phones, APs and hosts.

* Core (NX-OS) pair, distribution (IOS-XE) pairs joined to both cores by L3 port-channels,
  OSPF area 0 on the core side and one area per distribution pair (summarised at the pair).
* Access switches (IOS-XE) dual-homed to their distribution pair over L2 trunks; one data
  and one voice VLAN each, with SVIs on both distribution switches.
* Each access switch has an IP phone and an access point (unmanaged CDP/LLDP neighbors)
  and a few hosts. The cores hold a static default route and originate it into OSPF.
* Traps: ``sw1``/``sw10`` names, FQDN CDP ids on some devices, NX-OS ``name(SERIAL)`` ids,
  an access uplink with LLDP transmit and CDP off (only one side reports it), VRF BLUE on
  the core pair reusing the core link's addresses.
* Variations (``ACCESS_VARIATIONS``): access switches with CDP off, with LLDP off, and one on an
  old image without VRFs (a Catalyst 2960-X); OSPF is off on the access layer and BGP everywhere
  (not configured).
* Bounded (``Builder.bounded``): distribution pair p summarises the p-th /18 of ``BOUNDED_SUMMARY``
  (its access switches' data and voice /24s), numbered apart from the WAN's areas; the 16 /16s of
  10.16.0.0/12 last 16 pairs, and past that the pairs took the WAN's 10.128.0.0/9. The pair's
  loopbacks and core uplinks are in its own area, totally stubby, whose ABRs are the cores: a
  distribution router holds its area and a default, not every other pair's area-0 links.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from netatlas.lab import variations
from netatlas.lab.builder import Builder, trap_numbers
from netatlas.lab.model import Feature, Interface, Platform
from netatlas.lab.network import UnmanagedNode
from netatlas.lab.routing import BACKBONE

DOMAIN = "campus.example.net"
SITE = "hq"
ACCESS_PER_PAIR = 22
PHONE_OUI = "00:1e:7a"
AP_OUI = "70:db:98"
BOUNDED_SUMMARY = IPv4Network("10.64.0.0/10")  # bounded labs: a /18 per distribution pair, 256 pairs
# Access switch number (from 0) -> the variation it carries; all exist from 8 campus devices.
ACCESS_VARIATIONS: dict[int, Callable[[Builder, str], None]] = {
    1: lambda b, host: variations.feature_off(b, host, Feature.LLDP),
    2: lambda b, host: variations.feature_off(b, host, Feature.CDP),
    3: variations.old_image,
}


@dataclass(slots=True)
class Campus:
    cores: list[str]
    summary: IPv4Network = field(default_factory=lambda: IPv4Network("10.16.0.0/12"))
    core_links: list[Interface] = field(default_factory=list)


def sizes(n: int) -> tuple[int, int, int]:
    """(cores, distribution, access) for n devices.

    Examples:
        >>> sizes(2), sizes(3), sizes(10), sizes(60)
        ((2, 0, 0), (2, 1, 0), (2, 2, 6), (2, 4, 54))
    """
    cores = min(n, 2)
    rest = n - cores
    if rest <= 1:
        return cores, rest, 0
    pairs = max(1, round(rest / (ACCESS_PER_PAIR + 2)))
    dist = min(2 * pairs, rest)
    return cores, dist, rest - dist


def build(b: Builder, n: int, *, upstream: bool = True) -> Campus:
    n_core, n_dist, n_access = sizes(n)
    cores = [f"core{i}" for i in trap_numbers(n_core)]
    dists = [f"dist{i}" for i in trap_numbers(n_dist)]
    access = [f"sw{i}" for i in trap_numbers(n_access)]
    for i, name in enumerate(cores):
        b.device(name, Platform.CISCO_NXOS, "core", SITE, domain=DOMAIN if i == 0 else "")
        b.loopback(name, area=BACKBONE)
    campus = Campus(cores, summary=BOUNDED_SUMMARY) if b.bounded else Campus(cores)
    _core_pair(b, cores)
    if upstream:
        _firewall(b, cores)
    pairs = [dists[i : i + 2] for i in range(0, len(dists), 2)]
    for p, pair in enumerate(pairs):
        _distribution_pair(b, p, pair, cores)
    for j, name in enumerate(access):
        p = j % len(pairs)
        _access_switch(b, name, j, p, j // len(pairs), pairs[p])
    return campus


def _firewall(b: Builder, cores: list[str]) -> None:
    """An unmanaged LLDP-speaking firewall both cores point their static default at."""
    subnet = IPv4Network("10.255.255.0/29")
    fw_ip = subnet.network_address + 1
    node = UnmanagedNode("fw-edge", "PA-3220", fw_ip, "firewall", SITE)
    for i, core in enumerate(cores):
        port = b.port(core, description="to fw-edge")
        b.address(port, IPv4Interface(f"{subnet.network_address + 2 + i}/29"))
        b.attach_unmanaged(core, port, node, device_id="fw-edge", remote_if=f"ethernet1/{i + 1}",
                           platform="Palo Alto Networks PA-3220", capabilities=("R",), lldp_capabilities=("R",),
                           software="PAN-OS 10.2.4", chassis="b4:0c:25:e0:00:01", lldp_only=True)
        b.static_via(core, "0.0.0.0/0", fw_ip, port)


def _core_pair(b: Builder, cores: list[str]) -> None:
    for core in cores:
        b.routing.ospf_default_originators.add(core)
    if len(cores) < 2:
        return
    a, c = cores
    global_a, _ = b.routed_link(a, c, area=BACKBONE)
    assert global_a.ipv4 is not None
    for core in cores:
        b.add_vrf(core, "BLUE", "65000:100")
    blue_a, blue_c = b.routed_link(a, c, vrf="BLUE", subnet=global_a.ipv4.network)
    b.static(a, "192.168.201.0/24", blue_c, vrf="BLUE")
    b.static(c, "192.168.200.0/24", blue_a, vrf="BLUE")


def pair_range(p: int, *, bounded: bool) -> IPv4Network:
    """What distribution pair p summarises: ``10.(16+p).0.0/16``, or the p-th /18 of ``BOUNDED_SUMMARY``.

    Examples:
        >>> pair_range(2, bounded=False), pair_range(2, bounded=True)
        (IPv4Network('10.18.0.0/16'), IPv4Network('10.64.128.0/18'))
    """
    if not bounded:
        return IPv4Network(f"10.{16 + p}.0.0/16")
    return IPv4Network((int(BOUNDED_SUMMARY.network_address) + p * 16384, 18))


def _distribution_pair(b: Builder, p: int, pair: list[str], cores: list[str]) -> None:
    area = f"0.0.0.{p + 1}"
    b.routing.area_ranges[area] = pair_range(p, bounded=b.bounded)
    # Bounded: the pair's loopbacks and uplinks join its own totally stubby area (the cores are its
    # ABRs), so a distribution router no longer holds every other pair's uplinks and loopbacks of area 0.
    uplinks = area if b.bounded else BACKBONE
    if b.bounded:
        b.routing.totally_stubby.add(area)
    for d in pair:
        b.device(d, Platform.CISCO_IOS, "distribution", SITE, domain=DOMAIN if p % 2 == 0 else "")
        b.loopback(d, area=uplinks)
        for c_index, core in enumerate(cores):
            d_index = list(b.devices).index(d)
            po_d, po_c = b.port_channel(d, core, number_a=c_index + 1, number_b=100 + d_index)
            b.routed_link(d, core, area=uplinks, ports=(po_d, po_c))
    if len(pair) == 2:
        b.routed_link(pair[0], pair[1], area=area)


def _access_switch(b: Builder, name: str, j: int, p: int, slot: int, pair: list[str]) -> None:
    """Access switch number j, the slot-th of distribution pair p."""
    secret = "lab-enable" if j % 3 == 2 else None
    b.device(name, Platform.CISCO_IOS, "access", SITE, domain=DOMAIN if j % 2 == 0 else "",
             enable_secret=secret)
    if j in ACCESS_VARIATIONS:
        ACCESS_VARIATIONS[j](b, name)
    data_vlan, voice_vlan = 100 + slot, 600 + slot
    base = pair_range(p, bounded=b.bounded).network_address
    data_net = IPv4Network((base + 2 * slot * 256, 24))
    voice_net = IPv4Network((base + (2 * slot + 1) * 256, 24))
    gateways: list[tuple[str, Interface, Interface, Interface]] = []  # dist, dist port, data svi, voice svi
    for g, dist in enumerate(pair):
        up = b.port(name, description=f"uplink to {dist}")
        down = b.port(dist, description=f"to {name}")
        if j % 7 == 3 and g == 1:
            up.lldp_transmit = up.cdp_enabled = down.cdp_enabled = False
        b.cable(name, dist, a_port=up, b_port=down)
        for intf in (up, down):
            b.trunk(intf, (data_vlan, voice_vlan))
        area = f"0.0.0.{p + 1}"
        svi_d = b.svi(dist, data_vlan, IPv4Interface(f"{data_net.network_address + 1 + g}/24"), area=area,
                      name=f"DATA-{name}")
        svi_v = b.svi(dist, voice_vlan, IPv4Interface(f"{voice_net.network_address + 1 + g}/24"), area=area,
                      name=f"VOICE-{name}")
        gateways.append((dist, down, svi_d, svi_v))
        b.learn(name, data_vlan, svi_d.mac, up)
        b.learn(name, voice_vlan, svi_v.mac, up)
    dev = b.devices[name]
    dev.vlans.update({data_vlan: f"DATA-{name}", voice_vlan: f"VOICE-{name}"})
    _phone(b, name, voice_vlan, voice_net, data_vlan, gateways)
    _access_point(b, name, data_vlan, data_net, gateways)
    for h in range(b.rng.randint(3, 8)):
        port = b.port(name, description="")
        b.access(port, data_vlan)
        _host(b, name, port, data_vlan, b.host_mac(), data_net.network_address + 20 + h, gateways, voice=False)


def _host(b: Builder, switch: str, port: Interface, vlan: int, mac: str, ip: IPv4Address,
          gateways: list[tuple[str, Interface, Interface, Interface]], *, voice: bool) -> None:
    b.endpoint(switch, port, vlan, mac, ip)
    for dist, down, svi_d, svi_v in gateways:
        b.learn(dist, vlan, mac, down)
        b.arp(dist, ip, mac, svi_v if voice else svi_d)


def _phone(b: Builder, switch: str, voice_vlan: int, voice_net: IPv4Network, data_vlan: int,
           gateways: list[tuple[str, Interface, Interface, Interface]]) -> None:
    port = b.port(switch, description="phone")
    b.access(port, data_vlan, voice_vlan)
    mac = b.mac(PHONE_OUI)
    device_id = "SEP" + mac.replace(":", "").upper()
    ip = voice_net.network_address + 10
    node = UnmanagedNode(device_id.lower(), "Cisco IP Phone 8865", ip, "phone", SITE)
    b.attach_unmanaged(switch, port, node, device_id=device_id, remote_if="Port 1",
                       platform="Cisco IP Phone 8865", capabilities=("Host", "Phone", "Two-port Mac Relay"),
                       lldp_capabilities=("B", "T"),
                       software="sip88xx.14-2-1-0001-14", chassis=mac)
    _host(b, switch, port, voice_vlan, mac, ip, gateways, voice=True)


def _access_point(b: Builder, switch: str, data_vlan: int, data_net: IPv4Network,
                  gateways: list[tuple[str, Interface, Interface, Interface]]) -> None:
    port = b.port(switch, description="access point")
    b.access(port, data_vlan)
    mac = b.mac(AP_OUI)
    device_id = f"ap-{switch}"
    ip = data_net.network_address + 11
    node = UnmanagedNode(device_id, "cisco C9120AXI-B", ip, "access-point", SITE)
    b.attach_unmanaged(switch, port, node, device_id=device_id, remote_if="GigabitEthernet0",
                       platform="cisco C9120AXI-B", capabilities=("Trans-Bridge", "Source-Route-Bridge", "IGMP"),
                       lldp_capabilities=("B", "W"),
                       software="Cisco AP Software, ap3g3-k9w8 Version: 17.9.4.27", chassis=mac)
    _host(b, switch, port, data_vlan, mac, ip, gateways, voice=False)
