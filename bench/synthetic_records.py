"""The building blocks of the synthetic network (``synthetic_topology``): platform and role rows,
one device's records as the collector normalises them, and the truth a correct builder must find.

Names are canonical (the full name the platform prints), neighbor names normalised with the raw
name kept (an FQDN, an NX-OS ``name(SERIAL)`` CDP id), addresses on JunOS logical units, local
routes where the platform's RIB lists them, a management port in the platform's management VRF.
A port that is down (a pulled cable, nothing plugged in) gets no neighbor, adjacency, attached
route or next hop: the records are what discovery would have read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network

from netatlas.domain.inventory import InventoryDevice
from netatlas.domain.names import normalize_hostname
from netatlas.domain.records import DeviceRecords, Facts, Interface, Neighbor, NextHop, OspfNeighbor, Route

EDGE_PORTS = 48
CREDENTIALS = "lab"
DEFAULT = "default"
MGMT_NET = IPv4Network("172.16.0.0/16")
MGMT_GW = "172.16.0.1"
DOMAIN = "example.net"

# ----- platform and role rows --------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Profile:
    """What a platform prints: names, VRFs, whether CDP runs and the RIB lists local routes."""

    platform: str
    vendor: str
    os_version: str
    mgmt_interface: str
    mgmt_vrf: str
    loopback: str
    svi: str  # "Vlan{0}"
    channel: str  # "Port-channel{0}"
    oui: str
    serial_prefix: str
    cdp: bool
    local_routes: bool
    unit: str = ""  # JunOS: addresses live on the logical unit ".0"
    advertised: str = ""  # the platform string neighbors hear
    capabilities: str = "Router Switch"


IOS = Profile("cisco_ios", "Cisco", "17.9.4a", "GigabitEthernet0/0", "Mgmt-vrf", "Loopback0", "Vlan{0}",
              "Port-channel{0}", "00:27:90", "FOC", cdp=True, local_routes=True, advertised="cisco C9300-48P")
NXOS = Profile("cisco_nxos", "Cisco", "10.3(4a)", "mgmt0", "management", "loopback0", "Vlan{0}",
               "port-channel{0}", "00:3a:9c", "FDO", cdp=True, local_routes=True, advertised="N9K-C93180YC-EX")
EOS = Profile("arista_eos", "Arista", "4.31.2F", "Management1", "MGMT", "Loopback0", "Vlan{0}",
              "Port-Channel{0}", "44:4c:a8", "JPE", cdp=False, local_routes=False,
              advertised="Arista Networks EOS version 4.31.2F")
JUNOS = Profile("juniper_junos", "Juniper", "22.4R3-S2", "fxp0", "mgmt_junos", "lo0", "irb.{0}", "ae{0}",
                "2c:6b:f5", "JN1", cdp=False, local_routes=True, unit=".0", advertised="Juniper Networks MX480")

Namer = Callable[[int], str]


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    profile: Profile
    model: str
    ports: Mapping[str, Namer]  # port family -> 0-based index -> canonical name
    speed: Mapping[str, int]  # port family -> Mb/s


ROLES: dict[str, Role] = {
    "backbone": Role("backbone", JUNOS, "mx480", {"down": lambda k: f"xe-{k // 48}/0/{k % 48}",
                                                  "mesh": lambda k: f"et-7/0/{k}"}, {"down": 10_000, "mesh": 100_000}),
    "core": Role("core", NXOS, "N9K-C9508", {"down": lambda k: f"Ethernet1/{k + 1}",
                                             "up": lambda k: f"Ethernet2/{k + 1}"}, {"down": 40_000, "up": 100_000}),
    "distribution": Role("distribution", IOS, "C9500-48Y4C",
                         {"down": lambda k: f"TwentyFiveGigE{1 + k // 48}/0/{k % 48 + 1}",
                          "up": lambda k: f"FortyGigabitEthernet1/1/{k + 1}"}, {"down": 25_000, "up": 40_000}),
    "access": Role("access", IOS, "C9300-48P", {"edge": lambda k: f"GigabitEthernet1/0/{k + 1}",
                                                "up": lambda k: f"TenGigabitEthernet1/1/{k + 1}"},
                   {"edge": 1000, "up": 10_000}),
    "spine": Role("spine", EOS, "DCS-7280CR3-32P4", {"down": lambda k: f"Ethernet{k + 1}/1",
                                                     "up": lambda k: f"Ethernet{k + 33}/1"},
                  {"down": 100_000, "up": 100_000}),
    "leaf-eos": Role("leaf", EOS, "DCS-7050SX3-48YC8", {"edge": lambda k: f"Ethernet{k + 1}",
                                                        "up": lambda k: f"Ethernet{k + 49}/1"},
                     {"edge": 10_000, "up": 100_000}),
    "leaf-nxos": Role("leaf", NXOS, "N9K-C93180YC-EX", {"edge": lambda k: f"Ethernet1/{k + 1}",
                                                        "up": lambda k: f"Ethernet1/{k + 49}"},
                      {"edge": 10_000, "up": 100_000}),
}


# ----- addresses: functions of the position, so any group is built alone ------------------------
def p2p(block: int, k: int) -> tuple[str, str, str]:
    """The k-th /31 of a block: (first address, second address, prefix).

    Examples:
        >>> p2p(int(IPv4Address("100.64.0.0")), 3)
        ('100.64.0.6', '100.64.0.7', '100.64.0.6/31')
    """
    first = IPv4Address(block + 2 * k)
    return str(first), str(first + 1), f"{first}/31"


def mac(oui: str, n: int) -> str:
    return f"{oui}:{(n >> 16) & 0xFF:02x}:{(n >> 8) & 0xFF:02x}:{n & 0xFF:02x}"


# ----- what a correct builder must find ----------------------------------------------------------
EndKey = tuple[str, str]


@dataclass(slots=True)
class Truth:
    l2: set[tuple[EndKey, EndKey]] = field(default_factory=set)
    l3: int = 0
    endpoints: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # mac -> (node, interface, ip)
    unmanaged: set[str] = field(default_factory=set)
    devices: int = 0
    records: int = 0  # rows written, facts aside

    def cable(self, a: EndKey, b: EndKey) -> None:
        self.l2.add((min(a, b), max(a, b)))

    def digests(self) -> dict[str, str]:
        """Order-free fingerprints of the L2 links and endpoint places, to compare with a built topology's."""
        return {"l2": digest(f"{a[0]}|{a[1]}|{b[0]}|{b[1]}" for a, b in self.l2),
                "endpoints": digest(f"{m}|{n}|{i}|{ip}" for m, (n, i, ip) in self.endpoints.items())}


def digest(lines: Iterable[str]) -> str:
    """A SHA-256 over sorted lines.

    Examples:
        >>> digest(["b", "a"]) == digest(["a", "b"]) != digest(["a"])
        True
    """
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()


# ----- one device's records, as the collector normalises them ------------------------------------
class Device:
    def __init__(self, name: str, role: Role, index: int, site: str, fqdn: bool) -> None:
        self.name, self.role, self.profile, self.site = name, role, role.profile, site
        self.index = index
        self.mgmt_ip = str(MGMT_NET.network_address + 16 + index)
        self.raw_name = f"{name}.{site}.{DOMAIN}" if fqdn else name
        self.records = DeviceRecords(facts=Facts(self.raw_name, role.model, f"{self.profile.serial_prefix}{index:08d}",
                                                 self.profile.os_version, self.profile.vendor, "41 weeks, 2 days"))
        self._macs = 0
        self.interface(self.profile.mgmt_interface, f"{self.mgmt_ip}/{MGMT_NET.prefixlen}", vrf=self.profile.mgmt_vrf,
                       description="oob management", speed=1000)
        self.records.routes.append(Route(self.profile.mgmt_vrf, "0.0.0.0/0", "static",
                                         (NextHop(MGMT_GW, self.profile.mgmt_interface),), 1, 0))

    def next_mac(self) -> str:
        self._macs += 1
        return mac(self.profile.oui, (self.index << 8) | (self._macs & 0xFF))

    def interface(self, name: str, address: str = "", *, vrf: str = "", up: bool = True, description: str = "",
                  channel: str = "", speed: int | None = None, mtu: int = 9216) -> str:
        """Add an interface (and its attached routes when it has an address); returns its name."""
        self.records.interfaces.append(Interface(
            name, True, up, description, (address,) if address else (), self.next_mac(), mtu,
            vrf if vrf == self.profile.mgmt_vrf else "", (), channel, speed, "full" if speed else ""))
        if address and up:
            self._attached(name, address, vrf or DEFAULT)
        return name

    def _attached(self, name: str, address: str, vrf: str) -> None:
        net = IPv4Network(address, strict=False)
        hop = (NextHop("", name),)
        if net.prefixlen < 32:
            self.records.routes.append(Route(vrf, str(net), "connected", hop, 0, 0))
        if self.profile.local_routes or net.prefixlen == 32:
            self.records.routes.append(Route(vrf, f"{address.split('/', maxsplit=1)[0]}/32",
                                             "local" if net.prefixlen < 32 else "connected", hop, 0, 0))

    def port(self, family: str, k: int, address: str = "", *, up: bool = True, description: str = "",
             channel: str = "") -> tuple[str, str]:
        """A physical port (JunOS: and its unit carrying the address): (port, L3 interface)."""
        name = self.role.ports[family](k)
        speed = self.role.speed[family]
        if not self.profile.unit:
            return self.interface(name, address, up=up, description=description, channel=channel, speed=speed), name
        self.interface(name, up=up, description=description, speed=speed)
        return name, self.interface(name + self.profile.unit, address, up=up, description=description)

    def ospf(self, prefix: str, hops: list[tuple[str, str]], route_type: str = "intra", metric: int = 20) -> None:
        live = tuple(NextHop(ip, intf) for ip, intf in hops if intf not in self.down)
        if live:
            self.records.routes.append(Route(DEFAULT, prefix, "ospf", live, 110, metric, route_type))

    @property
    def down(self) -> set[str]:
        return {i.name for i in self.records.interfaces if not i.oper_up}

    def inventory(self) -> InventoryDevice:
        return InventoryDevice(self.name, self.mgmt_ip, self.profile.platform, CREDENTIALS, site=self.site,
                               role=self.role.name)


def cable(truth: Truth, a: Device, a_port: str, b: Device, b_port: str, up: bool = True) -> None:
    """CDP (where both run it) and LLDP on both ends of a cable that is plugged in."""
    if not up:
        return
    for near, near_port, far, far_port in ((a, a_port, b, b_port), (b, b_port, a, a_port)):
        for protocol in ("cdp", "lldp") if a.profile.cdp and b.profile.cdp else ("lldp",):
            raw = f"{far.raw_name}({far.records.facts.serial})" if (  # type: ignore[union-attr]
                protocol == "cdp" and far.profile is NXOS) else far.raw_name
            near.records.neighbors.append(Neighbor(protocol, near_port, normalize_hostname(raw), far_port, raw,
                                                   far.mgmt_ip, far.role.model, far.profile.capabilities))
    truth.cable((a.name, a_port), (b.name, b_port))


def routed(truth: Truth, up_dev: Device, up_family: str, up_k: int, down_dev: Device, down_family: str,
           down_k: int, block: int, k: int, *, up: bool = True) -> tuple[tuple[str, str], tuple[str, str]]:
    """A routed /31 with OSPF between two devices: ((upper address, its L3 interface), (lower's))."""
    hi_ip, lo_ip, _ = p2p(block, k)
    hi_port, hi_if = up_dev.port(up_family, up_k, f"{hi_ip}/31", up=up, description=f"to {down_dev.name}")
    lo_port, lo_if = down_dev.port(down_family, down_k, f"{lo_ip}/31", up=up, description=f"to {up_dev.name}")
    cable(truth, up_dev, hi_port, down_dev, lo_port, up)
    if up:
        hi_id, lo_id = router_id(up_dev), router_id(down_dev)
        up_dev.records.ospf_neighbors.append(OspfNeighbor(lo_id, lo_ip, hi_if, "FULL"))
        down_dev.records.ospf_neighbors.append(OspfNeighbor(hi_id, hi_ip, lo_if, "FULL"))
        truth.l3 += 1
    return (hi_ip, hi_if), (lo_ip, lo_if)


def router_id(device: Device) -> str:
    lo = device.profile.loopback + device.profile.unit
    return next(i.ipv4[0].split("/")[0] for i in device.records.interfaces if i.name == lo)


def with_loopback(device: Device, address: str) -> Device:
    device.interface(device.profile.loopback + device.profile.unit, f"{address}/32", description="router id", mtu=65535)
    return device

