"""Hop-by-hop L3 paths (``netatlas topology path SRC DST [--vrf]``). Pure code over the builder's
input records and its :class:`~netatlas.topology.model.Topology`.

The trace starts at the device owning SRC (or the gateway of the subnet holding it) and, on each
device, looks DST up in the routing table of the VRF (longest prefix, then distance and metric).
Every next hop of the best route is a branch (ECMP), so the answer is a tree of :class:`Hop`
values linked by ``parent``; each leaf carries exactly one :class:`Stop` reason. A next hop
without an interface (BGP, recursive statics) is resolved through the same table. The next
device is the one owning the next-hop address: first among the devices at the far end of the
cables the egress interface (or its port-channel members) crosses, then anywhere in the VRF.

Only what a trace touches is indexed, and only once per :class:`Tracer`: a device's table when
the path reaches it, the cables of every node and every interface address (numbered in inventory
order, so a first and a later query find the same candidates in the same order) when a hop needs
them, the endpoints by MAC past a few lookups (a one-off trace scans for its destination's MAC).
Keep a :class:`Tracer` to answer many questions over one input (``prepare()`` makes its indexes
ahead of the first); :func:`trace` is the one-off form. A kept Tracer may answer from several
threads at once: each index is published whole, by one assignment.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache
from ipaddress import IPv4Interface, IPv6Interface
from typing import Any, NamedTuple

from netatlas.domain.records import NextHop, Route
from netatlas.topology.model import DEFAULT_VRF, L2, L3, DeviceInput, End, Endpoint, Link, Topology, TopologyInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ATTACHED = frozenset({"connected", "local", "direct", "attached"})  # routes that mean "on this device's subnet"
DISCARD = frozenset({"null0", "discard", "reject", "blackhole", "drop"})  # next-hop interfaces that drop (lower case)
# Administrative distance when a route does not carry one (platform defaults differ; the RIB's own wins).
DISTANCE = {"connected": 0, "local": 0, "direct": 0, "static": 1, "bgp": 20, "eigrp": 90, "ospf": 110,
            "isis": 115, "rip": 120}
IBGP_DISTANCE = 200
UNKNOWN_DISTANCE = 255
MAX_RECURSION = 8  # recursive next-hop lookups per next hop
MAX_BRANCHES = 256
TRANSIT = 3  # L3 adjacencies that make a device a transit router (its table made by Tracer.prepare)
ENDPOINT_SCANS = 4  # different MACs a Tracer scans the endpoints for before it indexes them


class Stop(StrEnum):
    """Why a branch ends."""

    DELIVERED = "delivered"  # DST is on a connected subnet of the device, or the device owns it
    NO_ROUTE = "no_route"  # nothing matches DST (or the next hop), or the route discards
    NOT_COLLECTED = "not_collected"  # the next device is in the inventory but has no collected routes
    UNKNOWN_NEXT_HOP = "unknown_next_hop"  # no device owns the next-hop address
    LOOP = "loop"  # the device/VRF is already on the branch
    MAX_HOPS = "max_hops"  # the branch is longer than max_hops (or the trace has max_branches branches)


@dataclass(frozen=True, slots=True)
class Hop:
    """One device on one branch, with the one next hop it takes there (ECMP: one hop per next hop,
    siblings with the same parent). ``stop`` is set on the last hop of a branch only."""

    id: int
    parent: int | None
    branch: int
    depth: int  # 1 for the first device
    device: str
    vrf: str
    ingress: str = ""  # "" on the first hop when the device owns SRC
    prefix: str = ""  # the matched route
    protocol: str = ""
    next_hop: str = ""  # the gateway address ("" for delivery or an interface route)
    egress: str = ""
    links: tuple[Link, ...] = ()  # the L2 cables the egress interface (or its members) crosses
    stop: Stop | None = None
    message: str = ""  # why the branch stops here
    note: str = ""  # how this hop was chosen (gateway choice, ECMP, recursive next hop, VRF change)
    mac: str = ""  # delivered: DST's MAC from the ARP table
    access: End | None = None  # delivered: the switch port that MAC is learned on (topology endpoints)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "parent": self.parent, "branch": self.branch, "depth": self.depth,
            "device": self.device, "vrf": self.vrf, "ingress": self.ingress, "egress": self.egress,
            "prefix": self.prefix, "protocol": self.protocol, "next_hop": self.next_hop,
            "links": [_link_dict(link) for link in self.links],
            "stop": self.stop.value if self.stop else None, "message": self.message, "note": self.note,
            "mac": self.mac, "access": self.access._asdict() if self.access else None,
        }


@dataclass(frozen=True, slots=True)
class PathResult:
    source: str
    destination: str
    vrf: str
    hops: tuple[Hop, ...]

    @property
    def leaves(self) -> tuple[Hop, ...]:
        """The last hop of every branch, in branch order."""
        return tuple(sorted((hop for hop in self.hops if hop.stop is not None), key=lambda hop: hop.branch))

    @property
    def complete(self) -> bool:
        """Every branch reached DST."""
        leaves = self.leaves
        return bool(leaves) and all(hop.stop is Stop.DELIVERED for hop in leaves)

    def branch(self, leaf: Hop) -> tuple[Hop, ...]:
        """The hops from the first device to ``leaf``."""
        chain = [leaf]
        while chain[-1].parent is not None:
            chain.append(self.hops[chain[-1].parent - 1])  # ids are 1..n in order
        return tuple(reversed(chain))

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "destination": self.destination, "vrf": self.vrf, "complete": self.complete,
            "hops": [hop.as_dict() for hop in self.hops],
            "branches": [{"id": leaf.branch, "stop": leaf.stop.value if leaf.stop else None, "message": leaf.message,
                          "hops": [hop.id for hop in self.branch(leaf)]} for leaf in self.leaves],
        }

    def lines(self) -> list[str]:
        """Readable rows: a summary, then the hop tree (children indented under their parent)."""
        leaves = self.leaves
        delivered = sum(1 for hop in leaves if hop.stop is Stop.DELIVERED)
        state = "complete" if self.complete else "incomplete"
        rows = [f"{self.source} -> {self.destination} in VRF {self.vrf}: {state}, "
                f"{delivered} of {len(leaves)} branch{'es' if len(leaves) != 1 else ''} delivered"]
        children: dict[int | None, list[Hop]] = {}
        for hop in self.hops:
            children.setdefault(hop.parent, []).append(hop)
        stack = list(reversed(children.get(None, [])))
        while stack:
            hop = stack.pop()
            rows.extend(_hop_lines(hop, self.vrf))
            stack.extend(reversed(children.get(hop.id, [])))
        return rows


def _hop_lines(hop: Hop, vrf: str) -> list[str]:
    indent = "  " * (hop.depth - 1)
    parts = [f"{indent}[{hop.id}] {hop.device}" + (f" (VRF {hop.vrf})" if hop.vrf != vrf else "")
             + (f" in {hop.ingress}" if hop.ingress else "")]
    if hop.prefix:
        parts.append(f"{hop.prefix} {hop.protocol}")
    if hop.egress or hop.next_hop:
        parts.append(f"-> {hop.next_hop or 'direct'}" + (f" out {hop.egress}" if hop.egress else ""))
    if hop.links:
        parts.append("cable " + "; ".join(f"{link.a.node} {link.a.interface} -- {link.b.node} {link.b.interface}"
                                          for link in hop.links))
    if hop.stop is not None:
        parts.append(f"branch {hop.branch} {hop.stop.value}: {hop.message}")
    rows = [" | ".join(parts)]
    if hop.note:
        rows.append(f"{indent}    note: {hop.note}")
    return rows


def _link_dict(link: Link) -> dict[str, Any]:
    return {**link.as_dict(), "state": link.state.value, "channel_a": link.channel_a, "channel_b": link.channel_b}


def trace(inp: TopologyInput, topology: Topology, source: str, destination: str, vrf: str = DEFAULT_VRF, *,
          max_hops: int = 64, max_branches: int = MAX_BRANCHES) -> PathResult:
    """The L3 path(s) from ``source`` to ``destination`` in ``vrf``; raises ``ValueError`` naming a bad
    argument (not an address, mixed IP versions, a source no device owns or serves)."""
    return Tracer(inp, topology).trace(source, destination, vrf, max_hops=max_hops, max_branches=max_branches)


class _Arrival(NamedTuple):
    device: str
    vrf: str
    ingress: str
    note: str = ""


class _Exit(NamedTuple):
    egress: str
    gateway: str
    note: str = ""
    stop: Stop | None = None
    message: str = ""


class _Pending(NamedTuple):
    arrival: _Arrival
    parent: int | None
    branch: int
    depth: int
    path: tuple[tuple[str, str], ...]  # (device, vrf) of the hops before


class _Candidate(NamedTuple):
    device: str
    interface: str
    network: ipaddress.IPv4Network | ipaddress.IPv6Network
    owner: bool


class _Table:
    """One device's routes per VRF (by prefix string), interfaces, their VRFs and channel members."""

    __slots__ = ("device", "interfaces", "members", "routes", "vrf_of")

    def __init__(self, device: DeviceInput) -> None:
        records = device.records
        self.device = device
        self.routes: dict[str, dict[str, list[Route]]] = {}
        attached: dict[str, str] = {}
        for route in records.routes:
            self.routes.setdefault(route.vrf, {}).setdefault(route.prefix, []).append(route)
            if route.protocol in ATTACHED:
                for hop in route.next_hops:
                    attached.setdefault(hop.interface, route.vrf)
        self.interfaces = {one.name: one for one in records.interfaces}
        self.vrf_of = {one.name: one.vrf or attached.get(one.name, DEFAULT_VRF) for one in records.interfaces}
        self.members: dict[str, list[str]] = {}
        for one in records.interfaces:
            if one.channel:
                self.members.setdefault(one.channel, []).append(one.name)

    @property
    def routed(self) -> bool:
        return self.device.collected and bool(self.device.records.routes)

    def owns(self, address: str, vrf: str | None) -> str:
        """The interface holding ``address`` (in ``vrf``; any VRF when None), or ""."""
        for name, one in self.interfaces.items():
            if vrf is not None and self.vrf_of[name] != vrf:
                continue
            if any(text.partition("/")[0] == address for text in (*one.ipv4, *one.ipv6)):
                return name
        return ""

    def lookup(self, vrf: str, keys: Sequence[str]) -> tuple[str, list[Route]] | None:
        """Longest match: ``keys`` are the candidate prefixes, longest first."""
        table = self.routes.get(vrf)
        if table:
            for key in keys:
                if key in table:
                    return key, _best(table[key])
        return None

    def port_of(self, mac: str) -> str:
        """The port the MAC table learns ``mac`` on, or ""."""
        return next((entry.interface for entry in self.device.records.mac_table if entry.mac == mac), "")

    def arp(self, address: str, vrf: str) -> str:
        """The MAC the ARP table holds for ``address`` in ``vrf``, or ""."""
        for entry in self.device.records.arp:
            if entry.ip == address and self.vrf_of.get(entry.interface, entry.vrf) == vrf:
                return entry.mac
        return ""


def _best(routes: list[Route]) -> list[Route]:
    """The routes of one prefix that win on distance, then metric (ties are all kept: their next hops merge)."""
    def rank(route: Route) -> tuple[int, int]:
        default = IBGP_DISTANCE if route.protocol == "bgp" and route.route_type == "internal" else \
            DISTANCE.get(route.protocol, UNKNOWN_DISTANCE)
        return (default if route.distance is None else route.distance), route.metric or 0
    top = min(rank(route) for route in routes)
    return [route for route in routes if rank(route) == top]


def candidate_prefixes(address: IPAddress) -> list[str]:
    """The prefixes that could hold ``address``, longest first, spelled as the records spell them.

    Examples:
        >>> candidate_prefixes(ipaddress.ip_address("10.1.2.3"))[:3]
        ['10.1.2.3/32', '10.1.2.2/31', '10.1.2.0/30']
        >>> candidate_prefixes(ipaddress.ip_address("10.1.2.3"))[-1]
        '0.0.0.0/0'
    """
    bits = address.max_prefixlen
    value = int(address)
    if address.version == 4:
        keys = []
        for length in range(bits, -1, -1):
            n = value & (((1 << length) - 1) << (bits - length))
            keys.append(f"{n >> 24}.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}/{length}")
        return keys
    return [str(ipaddress.ip_network((value, length), strict=False)) for length in range(bits, -1, -1)]


def _address(argument: str, text: str) -> IPAddress:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        raise ValueError(f"{argument}: {text!r} is not an IP address") from None


class Tracer:
    """Answers path questions over one input and topology, indexing lazily what traces touch."""

    def __init__(self, inp: TopologyInput, topology: Topology) -> None:
        self._devices = {device.name: device for device in inp.devices}
        self._topology = topology
        self._tables: dict[str, _Table] = {}
        self._cables: dict[str, list[Link]] | None = None
        self._addresses: _Addresses | None = None
        self._mgmt: dict[str, str] | None = None
        self._endpoints: dict[str, Endpoint] | None = None
        self._endpoint_seen: dict[str, Endpoint | None] = {}  # before the index: the MACs scanned for

    def trace(self, source: str, destination: str, vrf: str = DEFAULT_VRF, *, max_hops: int = 64,
              max_branches: int = MAX_BRANCHES) -> PathResult:
        src, dst = _address("source", source), _address("destination", destination)
        if src.version != dst.version:
            raise ValueError(f"destination: {dst} is IPv{dst.version}, the source {src} is IPv{src.version}")
        if not vrf.strip():
            raise ValueError("vrf: empty VRF name")
        if max_hops < 1 or max_branches < 1:
            raise ValueError("max_hops and max_branches must be at least 1")
        walk = _Walk(self, dst, vrf, max_hops, max_branches)
        return PathResult(str(src), str(dst), vrf, walk.run(self.starts(src, vrf)))

    # -- indexes ---------------------------------------------------------------------------------
    # Each index is made whole, then published by one assignment: a kept Tracer answers queries from
    # several threads, and a thread that sees an index sees all of it (two threads may both make one:
    # the same one, as every index is a function of the input and the topology).

    def prepare(self) -> Tracer:
        """Make the indexes every trace uses (cables, addresses, management addresses, endpoints) now,
        and the routing tables of the transit routers (:data:`TRANSIT` L3 adjacencies or more: the
        backbone, cores, distribution and spine pairs most paths cross), so that the first queries
        of a kept Tracer do not pay for them. The other devices' tables stay lazy: a table decodes
        its device's records (at 10,000 devices, all of them would add ~0.6 GB; the ~1,000 transit
        routers of the benchmark's network add ~0.12 GB)."""
        self._cable_index()
        self.addresses().prepare()
        self.by_management("")
        self._endpoint_index()
        adjacencies = Counter(end.node for link in self._topology.links if link.layer == L3 for end in link.ends())
        for name, count in adjacencies.items():
            if count >= TRANSIT and name in self._devices:
                self.table(name)
        return self

    def table(self, name: str) -> _Table:
        table = self._tables.get(name)
        if table is None:
            table = self._tables[name] = _Table(self._devices[name])
        return table

    def cables(self, device: str, interface: str) -> tuple[Link, ...]:
        """The L2 links ``interface`` of ``device`` crosses: its own, or its port-channel members'."""
        mine = self._cable_index().get(device)
        if not mine:
            return ()
        names = [interface, *self.table(device).members.get(interface, [])] if device in self._devices else [interface]
        found: list[Link] = []
        for name in names:
            found.extend(link for link in mine if _crosses(link, device, name) and link not in found)
        return tuple(found)

    def _cable_index(self) -> dict[str, list[Link]]:
        if self._cables is None:
            self._cables = _cable_index(self._topology.links)
        return self._cables

    def cables_toward(self, device: str, interface: str, address: str, vrf: str) -> tuple[Link, ...]:
        """:meth:`cables`; for an interface without cables of its own (an SVI), those of the port the
        MAC table learns ``address``'s MAC (from ARP) on."""
        direct = self.cables(device, interface)
        if direct or not address or device not in self._devices:
            return direct
        table = self.table(device)
        mac = table.arp(address, vrf)
        port = table.port_of(mac) if mac else ""
        return self.cables(device, port) if port and port != interface else ()

    def owners(self, address: str, vrf: str) -> list[tuple[str, str]]:
        """(device, interface) holding ``address`` in ``vrf``, anywhere in the inventory."""
        return [(name, interface) for _, name, interface, _ in self.addresses().owning(address)
                if self.table(name).vrf_of.get(interface) == vrf]

    def addresses(self) -> _Addresses:
        if self._addresses is None:
            self._addresses = _Addresses(self._devices.values())
        return self._addresses

    def known(self, name: str) -> bool:
        return name in self._devices

    def by_management(self, address: str) -> str:
        if self._mgmt is None:
            self._mgmt = {device.mgmt_ip: device.name for device in self._devices.values() if device.mgmt_ip}
        return self._mgmt.get(address, "")

    def endpoint(self, mac: str) -> Endpoint | None:
        """The first endpoint with ``mac``. A one-off trace asks for a MAC or two (one per destination,
        on every branch that delivers): each is found by a scan, cheaper than indexing 200,000
        endpoints; past :data:`ENDPOINT_SCANS` different MACs the index is made."""
        if self._endpoints is not None:
            return self._endpoints.get(mac)
        if mac in self._endpoint_seen:
            return self._endpoint_seen[mac]
        if len(self._endpoint_seen) >= ENDPOINT_SCANS:
            return self._endpoint_index().get(mac)
        found = self._endpoint_seen[mac] = next((one for one in self._topology.endpoints if one.mac == mac), None)
        return found

    def _endpoint_index(self) -> dict[str, Endpoint]:
        if self._endpoints is None:
            index: dict[str, Endpoint] = {}
            for endpoint in self._topology.endpoints:
                index.setdefault(endpoint.mac, endpoint)
            self._endpoints = index
        return self._endpoints

    # -- the first hop ---------------------------------------------------------------------------

    def starts(self, src: IPAddress, vrf: str) -> list[_Arrival]:
        """The device(s) a packet from ``src`` enters the routed network at."""
        found = [one for one in self._scan(src) if self.table(one.device).vrf_of.get(one.interface) == vrf]
        owners = [one for one in found if one.owner]
        if owners:
            where = ", ".join(f"{one.device} {one.interface}" for one in owners)
            note = f"source {src} is the address of {where}" + ("; one branch from each" if len(owners) > 1 else "")
            return [_Arrival(one.device, vrf, "", note) for one in owners]
        up = [one for one in found if self.table(one.device).interfaces[one.interface].oper_up]
        if not up:
            raise ValueError(f"source: no device has {src} or a connected subnet holding it in VRF {vrf}")
        longest = max(one.network.prefixlen for one in up)
        gateways = [one for one in up if one.network.prefixlen == longest]
        return self._gateways(src, vrf, gateways)

    def _gateways(self, src: IPAddress, vrf: str, gateways: list[_Candidate]) -> list[_Arrival]:
        subnet = gateways[0].network
        if len(gateways) == 1:
            one = gateways[0]
            note = f"source {src} is on {subnet}, {one.device} {one.interface}"
            return [_Arrival(one.device, vrf, one.interface, note)]
        where = ", ".join(f"{one.device} {one.interface}" for one in gateways)
        with_arp = [one for one in gateways if self.table(one.device).arp(str(src), vrf)]
        if with_arp and len(with_arp) < len(gateways):
            chosen = with_arp
            verb = "holds" if len(with_arp) == 1 else "hold"
            why = " and ".join(one.device for one in with_arp) + f" {verb} {src} in ARP"
        else:
            chosen = gateways
            why = "ARP does not tell which one the host uses: one branch from each"
        note = f"source {src} is on {subnet}, served by {len(gateways)} devices ({where}); {why}"
        return [_Arrival(one.device, vrf, one.interface, note) for one in chosen]

    def _scan(self, src: IPAddress) -> list[_Candidate]:
        """Every interface whose address is ``src`` or whose subnet holds it, in inventory order."""
        found = (_candidate(entry, src) for entry in self.addresses().near(src))
        return [one for one in found if one is not None]


def _cable_index(links: Iterable[Link]) -> dict[str, list[Link]]:
    """The L2 links of each node, in topology order (a node has a few; :func:`_crosses` picks a port's)."""
    index: dict[str, list[Link]] = {}
    for link in links:
        if link.layer != L2:
            continue
        a, b = link.a.node, link.b.node
        if a in index:
            index[a].append(link)
        else:
            index[a] = [link]
        if b == a:
            continue
        if b in index:
            index[b].append(link)
        else:
            index[b] = [link]
    return index


def _crosses(link: Link, device: str, name: str) -> bool:
    """``link`` ends on ``device``'s port ``name``, or on a member of its port-channel ``name``."""
    a, b = link.a, link.b
    return (a.node == device and (a.interface == name or (bool(link.channel_a) and link.channel_a == name))) or \
        (b.node == device and (b.interface == name or (bool(link.channel_b) and link.channel_b == name)))


_Address = tuple[int, str, str, str]  # position in inventory order, device, interface, "10.0.0.1/24"


class _Addresses:
    """Every interface address of the inventory, numbered in inventory order (device, interface,
    address) and bucketed by text alone (one pass, no parsing): IPv4 by /24 block ("10.0.1"; an
    address equal to X, or in a /24-or-longer subnet holding X, shares X's block), the IPv4
    addresses of subnets shorter than /24 also in ``wide`` (indexed by prefix length and network on
    first use), IPv6 ones (link-local aside) in ``v6``."""

    __slots__ = ("_wide_v4", "blocks", "v6", "wide")

    def __init__(self, devices: Iterable[DeviceInput]) -> None:
        blocks: dict[str, list[_Address]] = {}
        wide: list[_Address] = []
        v6: list[_Address] = []
        position = 0
        for device in devices:
            owner = device.name
            interfaces = device.table().interfaces
            for name, ipv4, ipv6 in zip(interfaces.name, interfaces.ipv4, interfaces.ipv6, strict=True):
                for spelled in ipv4:
                    entry = (position, owner, name, spelled)
                    position += 1
                    slash = spelled.rfind("/")
                    key = spelled[:spelled.rfind(".", 0, slash)]
                    if key in blocks:
                        blocks[key].append(entry)
                    else:
                        blocks[key] = [entry]
                    if len(spelled) - slash < 3 or spelled[slash + 1:] < "24":
                        wide.append(entry)
                for spelled in ipv6:
                    if not spelled.lower().startswith("fe80:"):
                        v6.append((position, owner, name, spelled))
                        position += 1
        self.blocks = blocks
        self.wide = wide
        self.v6 = v6
        self._wide_v4: dict[int, dict[int, list[_Address]]] | None = None  # prefix length -> network -> entries

    def prepare(self) -> None:
        self._wide_index()

    def _wide_index(self) -> dict[int, dict[int, list[_Address]]]:
        """The IPv4 subnets shorter than /24 by prefix length and network (parsed once, on first use)."""
        if self._wide_v4 is None:
            index: dict[int, dict[int, list[_Address]]] = {}
            for one in self.wide:
                parsed = _v4_network(one[3])
                if parsed is not None:
                    index.setdefault(parsed[0], {}).setdefault(parsed[1], []).append(one)
            self._wide_v4 = index
        return self._wide_v4

    def near(self, address: IPAddress) -> list[_Address]:
        """The addresses that may be ``address`` or hold it in their subnet (a superset), each once,
        in inventory order."""
        if address.version == 4:
            text = str(address)
            value = int(address)
            found = list(self.blocks.get(text[:text.rfind(".")], ()))
            wide = [one for length, networks in self._wide_index().items()
                    for one in networks.get(value & ((0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF), ())]
            return sorted({*found, *wide}) if wide else found
        return list(self.v6)

    def owning(self, address: str) -> list[_Address]:
        """The interfaces holding ``address`` (as spelled by ``str(ip_address(...))``), in inventory order."""
        bucket = self.v6 if ":" in address else self.blocks.get(address[:address.rfind(".")], [])
        return [one for one in bucket if one[3].partition("/")[0] == address]


def _v4_network(text: str) -> tuple[int, int] | None:
    """(prefix length, network as an integer) of an IPv4 interface address; None when it is not one.
    The plain dotted form ``a.b.c.d/len`` is read directly (a 10,000-device inventory has 10,000
    management addresses in a /16); any other spelling goes through :mod:`ipaddress`.

    Examples:
        >>> _v4_network("10.1.2.3/16"), _v4_network("10.1.2.3/255.255.0.0"), _v4_network("fe80::1/64")
        ((16, 167837696), (16, 167837696), None)
        >>> _v4_network("10.01.2.3/16"), _v4_network("10.1.2.3/33"), _v4_network("10.1.2.3")
        (None, None, (32, 167838211))
    """
    address, slash, length = text.partition("/")
    octets = address.split(".")
    if slash and len(octets) == 4 and _plain(length) and all(_plain(o) for o in octets):
        bits, value = int(length), 0
        for octet in octets:
            value = value << 8 | int(octet)
        if bits <= 32 and value <= 0xFFFFFFFF and all(int(o) < 256 for o in octets):
            return bits, value & ((0xFFFFFFFF << (32 - bits)) & 0xFFFFFFFF)
        return None
    parsed = _interface(text)
    if parsed is None or parsed.version != 4:
        return None
    return parsed.network.prefixlen, int(parsed.network.network_address)


def _plain(digits: str) -> bool:
    """Decimal digits as ipaddress accepts them in an IPv4 address: ASCII, no leading zero, 1-3 long."""
    return 0 < len(digits) <= 3 and digits.isascii() and digits.isdigit() and (digits[0] != "0" or len(digits) == 1)


@lru_cache(maxsize=1 << 18)  # the same interfaces are candidates of every trace through them
def _interface(text: str) -> IPv4Interface | IPv6Interface | None:
    try:
        return ipaddress.ip_interface(text)
    except ValueError:
        return None


def _candidate(entry: _Address, src: IPAddress) -> _Candidate | None:
    address = _interface(entry[3])
    if address is None:
        return None
    if address.ip.is_link_local or src not in address.network:
        return None
    return _Candidate(entry[1], entry[2], address.network, address.ip == src)


class _Walk:
    """One trace: a depth-first walk over the hop tree."""

    def __init__(self, tracer: Tracer, dst: IPAddress, vrf: str, max_hops: int, max_branches: int) -> None:
        self.tracer = tracer
        self.dst = dst
        self.dst_text = str(dst)
        self.vrf = vrf
        self.max_hops = max_hops
        self.max_branches = max_branches
        self.keys = candidate_prefixes(dst)
        self.hops: list[Hop] = []
        self.branches = 0

    def run(self, starts: list[_Arrival]) -> tuple[Hop, ...]:
        stack = [_Pending(start, None, self._branch(), 1, ()) for start in starts]
        stack.reverse()
        while stack:
            stack.extend(reversed(self._visit(*stack.pop())))
        return tuple(self.hops)

    def _branch(self) -> int:
        self.branches += 1
        return self.branches

    def _add(self, hop: Hop) -> Hop:
        hop = replace(hop, id=len(self.hops) + 1)
        self.hops.append(hop)
        return hop

    def _visit(self, arrival: _Arrival, parent: int | None, branch: int, depth: int,
               path: tuple[tuple[str, str], ...]) -> list[_Pending]:
        base = Hop(0, parent, branch, depth, arrival.device, arrival.vrf, arrival.ingress, note=arrival.note)
        key = (arrival.device, arrival.vrf)
        if key in path:
            cycle = " -> ".join(name for name, _ in path[path.index(key):]) + f" -> {arrival.device}"
            self._add(replace(base, stop=Stop.LOOP, message=f"{arrival.device} is already on this branch: {cycle}"))
            return []
        table = self.tracer.table(arrival.device)
        terminal = self._terminal(table, base)
        if terminal is not None:
            self._add(terminal)
            return []
        found = table.lookup(arrival.vrf, self.keys)
        if found is None:
            self._add(replace(base, stop=Stop.NO_ROUTE, message=f"no route to {self.dst} in VRF {arrival.vrf}"))
            return []
        prefix, routes = found
        base = replace(base, prefix=prefix, protocol=routes[0].protocol)
        if routes[0].protocol in ATTACHED:
            self._add(self._deliver(table, base, routes))
            return []
        return self._forward(table, base, self._exits(table, arrival.vrf, routes), (*path, key))

    def _terminal(self, table: _Table, base: Hop) -> Hop | None:
        device = table.device
        if not table.routed:
            why = f" (last attempt: {device.error_kind}: {device.error})" if device.error_kind else ""
            what = "no good collection in this view" if not device.collected else "no routes collected"
            return replace(base, stop=Stop.NOT_COLLECTED, message=f"{device.name}: {what}{why}")
        interface = table.owns(self.dst_text, base.vrf)
        if interface:
            return replace(base, stop=Stop.DELIVERED, message=f"{device.name} owns {self.dst} on {interface}")
        return None

    def _deliver(self, table: _Table, base: Hop, routes: list[Route]) -> Hop:
        egress = next((hop.interface for route in routes for hop in route.next_hops if hop.interface), "")
        message = f"{self.dst} is on connected {base.prefix}" + (f" ({egress})" if egress else "")
        mac = table.arp(self.dst_text, base.vrf)
        access = None
        if mac:
            endpoint = self.tracer.endpoint(mac)
            access = End(endpoint.node, endpoint.interface) if endpoint else None
            message += f"; ARP: {mac}" + (f" at {access.node} {access.interface}" if access else "")
        else:
            message += f"; {self.dst} is not in the ARP table"
        links = self.tracer.cables_toward(table.device.name, egress, self.dst_text, base.vrf) if egress else ()
        return replace(base, egress=egress, links=links, stop=Stop.DELIVERED, message=message, mac=mac, access=access)

    def _forward(self, table: _Table, base: Hop, exits: list[_Exit],
                 path: tuple[tuple[str, str], ...]) -> list[_Pending]:
        children: list[_Pending] = []
        for index, exit_ in enumerate(exits):
            branch = base.branch if index == 0 else self._branch()
            ecmp = f"ECMP {index + 1}/{len(exits)}" if len(exits) > 1 else ""
            note = "; ".join(text for text in (base.note, ecmp, exit_.note) if text)
            links = self.tracer.cables_toward(table.device.name, exit_.egress, exit_.gateway, base.vrf) \
                if exit_.egress else ()
            hop = replace(base, branch=branch, egress=exit_.egress, next_hop=exit_.gateway, links=links, note=note)
            if exit_.stop is not None:
                self._add(replace(hop, stop=exit_.stop, message=exit_.message))
            elif branch > self.max_branches:
                self._add(replace(hop, stop=Stop.MAX_HOPS,
                                  message=f"not followed: the trace has more than {self.max_branches} branches"))
            elif base.depth >= self.max_hops:
                self._add(replace(hop, stop=Stop.MAX_HOPS, message=f"stopped after {self.max_hops} hops"))
            else:
                target = self._next(table, base.vrf, exit_, links)
                if isinstance(target, _Arrival):
                    added = self._add(hop)
                    children.append(_Pending(target, added.id, branch, base.depth + 1, path))
                else:
                    self._add(replace(hop, stop=target[0], message=target[1]))
        return children

    # -- next hops -------------------------------------------------------------------------------

    def _exits(self, table: _Table, vrf: str, routes: list[Route]) -> list[_Exit]:
        exits: list[_Exit] = []
        for route in routes:
            for hop in route.next_hops:
                for exit_ in self._resolve(table, vrf, hop, 0, ""):
                    if all(exit_[:2] != known[:2] for known in exits):
                        exits.append(exit_)
        if not exits:
            exits.append(_Exit("", "", stop=Stop.NO_ROUTE, message=f"the route to {self.dst} has no next hop"))
        return exits

    def _resolve(self, table: _Table, vrf: str, hop: NextHop, depth: int, note: str) -> list[_Exit]:
        """The (egress, gateway) pairs a next hop stands for; a next hop without an interface is
        looked up again in the same table (recursively, at most MAX_RECURSION times)."""
        if hop.interface:
            if hop.interface.lower() in DISCARD:
                return [_Exit(hop.interface, hop.address, note, Stop.NO_ROUTE, f"the route discards ({hop.interface})")]
            return [_Exit(hop.interface, hop.address, note)]
        if not hop.address:
            return []
        try:
            target = ipaddress.ip_address(hop.address)
        except ValueError:
            return [_Exit("", hop.address, note, Stop.UNKNOWN_NEXT_HOP, f"next hop {hop.address!r} is not an address")]
        found = table.lookup(vrf, candidate_prefixes(target)) if depth < MAX_RECURSION else None
        if found is None:
            why = "no route to it" if depth < MAX_RECURSION else f"no resolution in {MAX_RECURSION} lookups"
            return [_Exit("", hop.address, note, Stop.NO_ROUTE, f"next hop {hop.address} is unreachable: {why}")]
        prefix, routes = found
        via = "; ".join(text for text in (note, f"next hop {hop.address} via {prefix} {routes[0].protocol}") if text)
        if routes[0].protocol in ATTACHED:
            interfaces = dict.fromkeys(one.interface for route in routes for one in route.next_hops if one.interface)
            return [_Exit(interface, hop.address, via) for interface in interfaces]
        return [one for route in routes for inner in route.next_hops
                for one in self._resolve(table, vrf, inner, depth + 1, via)]

    def _next(self, table: _Table, vrf: str, exit_: _Exit, links: Iterable[Link]) -> _Arrival | tuple[Stop, str]:
        """The device an exit leads to, or why none is known."""
        me = table.device.name
        far = [end for link in links for end in link.ends() if end.node != me]
        managed = [end for end in far if self.tracer.known(end.node)]
        if not exit_.gateway:
            if managed:
                end = managed[0]
                entered = self.tracer.table(end.node).vrf_of.get(end.interface, vrf)
                return _Arrival(end.node, entered, end.interface, f"the cable on {exit_.egress} leads to {end.node}")
            return Stop.UNKNOWN_NEXT_HOP, (f"the route leaves {exit_.egress} without a next-hop address "
                                           f"and no cable from it reaches an inventory device")
        return self._owner(vrf, exit_, managed) or self._unowned(exit_, vrf, far)

    def _owner(self, vrf: str, exit_: _Exit, managed: list[End]) -> _Arrival | None:
        gateway = exit_.gateway
        for end in managed:
            interface = self.tracer.table(end.node).owns(gateway, vrf)
            if interface:
                return _Arrival(end.node, vrf, interface)
        owners = sorted(self.tracer.owners(gateway, vrf))
        if owners:
            note = f"{gateway} is on {len(owners)} devices in VRF {vrf}; following {owners[0][0]}" \
                if len(owners) > 1 else ""
            return _Arrival(owners[0][0], vrf, owners[0][1], note)
        for end in managed:
            other = self.tracer.table(end.node)
            interface = other.owns(gateway, None)
            if interface:
                entered = other.vrf_of[interface]
                return _Arrival(end.node, entered, interface,
                                f"enters VRF {entered} on {end.node}: the cable on {exit_.egress} leads there")
        name = self.tracer.by_management(gateway)
        if name:
            return _Arrival(name, vrf, "", f"{gateway} is the management address of {name}")
        for end in managed:
            if not self.tracer.table(end.node).routed:
                return _Arrival(end.node, vrf, end.interface,
                                f"{end.node} (at the end of the cable on {exit_.egress}) has no records of {gateway}")
        return None

    def _unowned(self, exit_: _Exit, vrf: str, far: list[End]) -> tuple[Stop, str]:
        message = f"no device owns next hop {exit_.gateway} in VRF {vrf}"
        if far:
            message += f"; the cable on {exit_.egress} leads to " + ", ".join(f"{e.node} {e.interface}" for e in far)
        return Stop.UNKNOWN_NEXT_HOP, message
