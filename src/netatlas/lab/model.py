"""The lab's device state: what each simulated device *is*, independent of how it prints it.

Scenario generators build these objects (they are the ground truth); renderers in
``netatlas.lab.render`` turn one :class:`DeviceState` into the CLI text of its platform.
Nothing here knows about any CLI format.

Conventions every renderer relies on:

* Interface names are canonical: the full name the platform itself prints
  (``GigabitEthernet1/0/1``, ``Ethernet1/1``, ``port-channel10``, ``ge-0/0/1``).
* ``vrf`` is ``"default"`` for the global table.
* MAC addresses are lower-case colon-separated (``aa:bb:cc:dd:ee:ff``); renderers re-format.
* IPv4 addressing everywhere (the management plane is 127.x.y.z, the lab's loopback address);
  some interfaces also carry IPv6 addresses, and ``ipv6_routes`` holds the IPv6 table, which
  only JunOS's ``show route`` prints (the IPv4 route commands of the others never show it).
* Variations real networks have (a feature off, an old image, a virtual chassis, ...) are
  state too: ``features_off``, ``rejected_forms``, ``vc_members``, ``asdot``, ...; the truth
  file lists them per device (:class:`Variation`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from ipaddress import IPv4Address, IPv4Interface, IPv4Network, IPv6Address, IPv6Interface, IPv6Network


class Platform(StrEnum):
    CISCO_IOS = "cisco_ios"
    CISCO_NXOS = "cisco_nxos"
    ARISTA_EOS = "arista_eos"
    JUNIPER_JUNOS = "juniper_junos"


class Feature(StrEnum):
    """A protocol a device may run or not; its show commands print the platform's "off" text."""

    CDP = "cdp"
    LLDP = "lldp"
    OSPF = "ospf"
    BGP = "bgp"


class Variation(StrEnum):
    """Ways a device differs from the clean default, as listed in the truth file."""

    CDP_OFF = "cdp-off"
    LLDP_OFF = "lldp-off"
    OSPF_OFF = "ospf-off"
    BGP_OFF = "bgp-off"
    OLD_IMAGE = "old-image"  # rejects a command form (``rejected_forms``)
    VIRTUAL_CHASSIS = "virtual-chassis"
    ASDOT = "asdot"
    BGP_PEER_DOWN = "bgp-peer-down"
    IPV6 = "ipv6"
    MPLS = "mpls"  # JunOS: inet.3 and mpls.0 tables in ``show route``
    BACKUP_ROUTE = "backup-route"  # an inactive (non-ECMP) path behind an active route


FEATURE_OFF_VARIATION = {
    Feature.CDP: Variation.CDP_OFF,
    Feature.LLDP: Variation.LLDP_OFF,
    Feature.OSPF: Variation.OSPF_OFF,
    Feature.BGP: Variation.BGP_OFF,
}


@dataclass(slots=True, frozen=True)
class CommandForm:
    """A command form an old image refuses: the pattern keyword ``keyword`` (``vrf``) itself, or
    only when the word typed after it is ``argument`` (NX-OS ``vrf all``)."""

    keyword: str
    argument: str | None = None


@dataclass(slots=True, frozen=True)
class VcMember:
    """One member of a JunOS virtual chassis (``fpc<n>:`` in ``show version``)."""

    fpc: int
    model: str
    serial: str


class IfKind(StrEnum):
    PHYSICAL = "physical"
    PORT_CHANNEL = "port-channel"
    LOOPBACK = "loopback"
    SVI = "svi"
    MGMT = "mgmt"


class PortMode(StrEnum):
    ROUTED = "routed"
    ACCESS = "access"
    TRUNK = "trunk"


@dataclass(slots=True)
class Interface:
    name: str
    kind: IfKind = IfKind.PHYSICAL
    mode: PortMode = PortMode.ROUTED
    description: str = ""
    ipv4: IPv4Interface | None = None
    vrf: str = "default"
    admin_up: bool = True
    oper_up: bool = True
    mac: str = "00:00:00:00:00:00"
    mtu: int = 1500
    bandwidth_kbps: int = 1_000_000
    access_vlan: int | None = None
    voice_vlan: int | None = None
    trunk_vlans: tuple[int, ...] = ()
    channel_group: str | None = None  # name of the port-channel this member belongs to
    members: tuple[str, ...] = ()  # for port-channels: member interface names
    ospf_area: str | None = None  # dotted area id when OSPF runs on the interface
    ospf_cost: int = 1
    lldp_transmit: bool = True  # False: the neighbor will not hear us via LLDP (we still hear it)
    cdp_enabled: bool = True
    ospf_passive: bool = False  # advertised into OSPF, but no adjacency forms on it
    ipv6: tuple[IPv6Interface, ...] = ()  # global addresses (a link-local is derived from the MAC)


class NeighborProtocol(StrEnum):
    CDP = "cdp"
    LLDP = "lldp"


@dataclass(slots=True, frozen=True)
class NeighborAdvert:
    """One CDP/LLDP neighbor *as this device hears it* on ``local_interface``.

    ``device_id`` is exactly what the remote advertises: it may be an FQDN, or for NX-OS
    CDP ``name(SERIAL)``. ``remote_interface`` is the remote's own interface name, as the
    remote platform prints it (JunOS ``ge-0/0/1``, EOS ``Ethernet1``, ...).
    """

    protocol: NeighborProtocol
    local_interface: str
    device_id: str
    remote_interface: str
    remote_platform: str  # CDP "Platform:" / LLDP system description model text
    capabilities: tuple[str, ...]  # e.g. ("Router", "Switch") / LLDP ("B", "R")
    mgmt_ip: IPv4Address | None
    software: str  # CDP "Version:" text / LLDP system description
    chassis_id: str  # LLDP chassis id (a MAC, colon separated)
    remote_port_description: str = ""
    native_vlan: int | None = None
    holdtime: int = 150


class RouteProto(StrEnum):
    CONNECTED = "connected"
    LOCAL = "local"
    STATIC = "static"
    OSPF = "ospf"
    BGP = "bgp"


@dataclass(slots=True, frozen=True)
class NextHop:
    address: IPv4Address | None  # None for directly connected / null routes
    interface: str | None


@dataclass(slots=True, frozen=True)
class Route:
    prefix: IPv4Network
    protocol: RouteProto
    next_hops: tuple[NextHop, ...]
    vrf: str = "default"
    distance: int = 0
    metric: int = 0
    ospf_type: str = ""  # "intra" | "inter" | "ext2" (only for OSPF)
    bgp_internal: bool = False
    bgp_as_path: tuple[int, ...] = ()
    bgp_local_pref: int = 100
    age: str = "1w2d"  # IOS-style uptime; renderers may convert


@dataclass(slots=True, frozen=True)
class Ipv6Route:
    """One IPv6 route (JunOS ``inet6.0``); discovery parses it but stores IPv4 routes only."""

    prefix: IPv6Network
    protocol: RouteProto
    next_hop: IPv6Address | None
    interface: str
    preference: int = 0
    metric: int = 0


class OspfState(StrEnum):
    FULL = "FULL"


@dataclass(slots=True, frozen=True)
class OspfNeighbor:
    router_id: IPv4Address
    address: IPv4Address
    interface: str
    area: str
    priority: int = 1
    role: str = "DR"  # DR | BDR | DROTHER | "-" (point-to-point)
    dead_time_s: int = 35
    vrf: str = "default"


@dataclass(slots=True, frozen=True)
class BgpPeer:
    address: IPv4Address
    remote_as: int
    state: str = "Established"
    prefixes_received: int = 0
    uptime: str = "1w2d"
    vrf: str = "default"
    description: str = ""
    msg_rcvd: int = 12345
    msg_sent: int = 12340


@dataclass(slots=True, frozen=True)
class MacEntry:
    vlan: int
    mac: str
    interface: str
    dynamic: bool = True


@dataclass(slots=True, frozen=True)
class ArpEntry:
    address: IPv4Address
    mac: str
    interface: str
    vrf: str = "default"
    age_min: int = 3  # minutes; -1 for the device's own (local) addresses


@dataclass(slots=True)
class Vrf:
    name: str
    rd: str = ""


@dataclass(slots=True)
class DeviceState:
    """Everything a simulated device knows about itself.

    Routes are not stored here when they would be large: ``routes`` holds the full RIB
    (all VRFs) and is filled lazily by the scenario (see ``Network.rib``).
    """

    hostname: str
    platform: Platform
    mgmt_ip: IPv4Address
    model: str
    serial: str
    os_version: str
    site: str = ""
    role: str = ""
    domain: str = ""  # ip domain-name; when set, CDP device ids are FQDNs
    base_mac: str = "00:00:00:00:00:00"
    uptime: str = "5 weeks, 3 days, 2 hours, 11 minutes"
    interfaces: list[Interface] = field(default_factory=list)
    vlans: dict[int, str] = field(default_factory=dict)
    vrfs: list[Vrf] = field(default_factory=list)
    neighbors: list[NeighborAdvert] = field(default_factory=list)
    ospf_router_id: IPv4Address | None = None
    ospf_process: int = 1
    ospf_neighbors: list[OspfNeighbor] = field(default_factory=list)
    bgp_asn: int | None = None
    bgp_router_id: IPv4Address | None = None
    bgp_peers: list[BgpPeer] = field(default_factory=list)
    static_routes: list[Route] = field(default_factory=list)
    mac_table: list[MacEntry] = field(default_factory=list)
    arp: list[ArpEntry] = field(default_factory=list)
    enable_secret: str | None = None  # set: login lands at ">" and needs `enable`
    features_off: set[Feature] = field(default_factory=set)  # filled by the builder (see ``finish``)
    rejected_forms: tuple[CommandForm, ...] = ()  # an old image: these forms print invalid input
    vc_members: tuple[VcMember, ...] = ()  # JunOS virtual chassis: ``{master:0}`` before each prompt
    asdot: bool = False  # ``bgp asnotation dot``: 4-byte ASNs print as ``65000.1000``
    ipv6_routes: list[Ipv6Route] = field(default_factory=list)
    mpls: bool = False  # JunOS: LDP to each OSPF neighbor (``inet.3``, ``mpls.0``)
    backup_routes: list[Route] = field(default_factory=list)  # inactive paths (JunOS prints them)
    variations: set[Variation] = field(default_factory=set)

    @property
    def fqdn(self) -> str:
        return f"{self.hostname}.{self.domain}" if self.domain else self.hostname

    def interface(self, name: str) -> Interface:
        for intf in self.interfaces:
            if intf.name == name:
                return intf
        raise KeyError(f"{self.hostname} has no interface {name}")

    def vrf_names(self) -> list[str]:
        """``default`` first, then the device's VRFs in configuration order."""
        return ["default", *[v.name for v in self.vrfs]]
