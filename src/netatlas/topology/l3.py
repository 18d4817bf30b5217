"""L3 adjacencies, per VRF: shared subnets and the routing relations over them.

* Every interface address (not /32, not management) is placed in its VRF: the interface's own
  ``vrf`` where the platform prints it, else the VRF of the connected route on that interface
  (collected with any route type), else the default VRF. Interfaces are grouped by (VRF, subnet);
  two devices in one group share a link, one per pair of interfaces. The same subnet in two VRFs
  is two groups: overlapping addresses in different VRFs never join devices.
* Over a shared subnet, the link's protocols are ``ospf`` (either end lists the other's address
  as an OSPF neighbor), ``bgp`` (either end has a session to the other's address), ``static``
  (either end has a static route whose next hop is the other's address), or ``subnet`` alone.
* A BGP session to an address outside every shared subnet (iBGP between loopbacks, eBGP
  multihop) is a ``bgp`` link between the interface that owns the peer address and the interface
  the other end names as its peer (or, when only one end reports the session, its only loopback in
  that VRF; without one the end names the device with no interface).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from ipaddress import IPv4Interface, IPv6Interface, ip_interface
from itertools import compress
from typing import Any, NamedTuple

from netatlas.domain.platforms import naming
from netatlas.topology.l2 import Ports
from netatlas.topology.model import DEFAULT_VRF, L3, DeviceInput, End, Link, LinkState, Problem, ProblemKind, link

ATTACHED = frozenset({"connected", "local", "direct"})
_LOOPBACK = ("loopback", "lo")


@dataclass(frozen=True, slots=True)
class Address:
    device: str
    interface: str
    ip: str
    vrf: str


@dataclass(slots=True)
class _Pair:
    ends: tuple[End, End]
    addresses: tuple[str, str]  # of ends[0], ends[1]
    vrf: str
    protocols: set[str] = field(default_factory=set)
    detail: dict[str, Any] = field(default_factory=dict)


def interface_vrfs(device: DeviceInput, names: Ports | None = None) -> dict[str, str]:
    """Interface -> VRF, from the connected routes (an interface's own ``vrf`` wins over this)."""
    found: dict[str, str] = {}
    routes = device.table().routes
    spelled = (names or Ports()).of(device.platform)
    for protocol, vrf, hops in zip(routes.protocol, routes.vrf, routes.next_hops, strict=True):
        if protocol in ATTACHED:
            for hop in hops:
                if hop[1]:
                    found.setdefault(spelled[hop[1]], vrf or DEFAULT_VRF)
    return found


class Placed(NamedTuple):
    ip: str
    network: str  # "10.0.0.0/31"
    host: bool  # a /32 (/128): a loopback or host route, on no shared subnet


_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_DOTTED = re.compile(rf"(({_OCTET}\.{_OCTET}\.{_OCTET})\.({_OCTET}))/(3[0-2]|[12]?[0-9])")  # groups: ip, a.b.c, d, len
_Placed = partial(tuple.__new__, Placed)  # Placed((ip, network, host)) without a Python-level call


def parse_interface(text: str) -> Placed | None:
    """``10.0.0.1/31`` -> its address, subnet and whether it is a host address; None if invalid.

    Dotted IPv4 is read with integer arithmetic (a network's worth of interfaces is read per
    build); anything else goes through :mod:`ipaddress`.

    Examples:
        >>> parse_interface("10.0.0.1/31"), parse_interface("10.0.0.1/32").host, parse_interface("nope")
        (Placed(ip='10.0.0.1', network='10.0.0.0/31', host=False), True, None)
        >>> parse_interface("2001:db8::1/64").network
        '2001:db8::/64'
    """
    canonical = _DOTTED.fullmatch(text)
    if canonical is not None:  # the common spelling: "10.0.0.1/31", no leading zeros
        ip, first, last, length = canonical.groups()
        prefixlen = int(length)
        if prefixlen >= 24:  # the network differs from the address in its last octet only
            bits = 32 - prefixlen
            return _Placed((ip, f"{first}.{int(last) >> bits << bits}/{length}", prefixlen == 32))
    ip, _, length = text.partition("/")
    parts = ip.split(".")
    if (len(parts) == 4 and length.isdigit() and "" not in parts and ip.replace(".", "").isdigit()
            and max(map(len, parts)) <= 3):  # four groups of 1-3 digits
        octets = list(map(int, parts))
        prefixlen = int(length)
        if max(octets) <= 255 and prefixlen <= 32:
            value = (octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]
            net = value & ((0xFFFFFFFF << (32 - prefixlen)) & 0xFFFFFFFF)
            dotted = f"{net >> 24}.{(net >> 16) & 255}.{(net >> 8) & 255}.{net & 255}"
            return Placed(".".join(map(str, octets)), f"{dotted}/{prefixlen}", prefixlen == 32)
    try:
        address: IPv4Interface | IPv6Interface = ip_interface(text)
    except ValueError:
        return None
    return Placed(str(address.ip), str(address.network), address.network.prefixlen == address.max_prefixlen)


def placed(device: DeviceInput, names: Ports | None = None) -> Iterator[tuple[str, Placed, str]]:
    """Each topology-relevant address of the device with its (canonical) interface and VRF:
    interfaces that are down, management ports, management VRFs and the management address left
    out, host routes (/32 loopbacks) included."""
    cols = device.table().interfaces
    if not any(cols.ipv4):  # an L2 switch: nothing to place
        return
    names = names or Ports()
    vrfs = interface_vrfs(device, names)
    rules = naming(device.platform)
    spelled = names.of(device.platform)
    # Only the ports with an address (most ports of a switch have none: nothing to place, nothing to canonicalise).
    for raw, oper_up, own_vrf, ipv4 in compress(zip(cols.name, cols.oper_up, cols.vrf, cols.ipv4, strict=True),
                                                cols.ipv4):
        name = spelled[raw]
        vrf = own_vrf or vrfs.get(name) or vrfs.get(raw) or DEFAULT_VRF
        if not oper_up or rules.is_management(name, vrf):  # a pulled cable leaves its address behind
            continue
        for text in ipv4:
            address = parse_interface(text)
            if address is not None and address.ip != device.mgmt_ip:
                yield name, address, vrf


class L3Builder:
    def __init__(self, devices: dict[str, DeviceInput], names: Ports | None = None) -> None:
        self._devices = devices
        self._names = names or Ports()
        self._problems: list[Problem] = []
        self._owner: dict[tuple[str, str], Address] = {}  # (vrf, ip) -> who holds it
        self._groups: dict[tuple[str, str], list[Address]] = defaultdict(list)  # (vrf, subnet)
        self._loopbacks: dict[tuple[str, str], list[Address]] = defaultdict(list)  # (device, vrf)
        for device in devices.values():
            self._index(device)

    def _index(self, device: DeviceInput) -> None:
        for name, address, vrf in placed(device, self._names):
            holder = Address(device.name, name, address.ip, vrf)
            key = (vrf, holder.ip)
            other = self._owner.setdefault(key, holder)
            if other.device != device.name:
                self._problems.append(Problem(
                    ProblemKind.DUPLICATE_ADDRESS,
                    f"{address.ip} is on {other.device} {other.interface} and {device.name} {name} in VRF {vrf}",
                    tuple(sorted((other.device, device.name))),
                    (End(other.device, other.interface), End(device.name, name))))
            if not address.host:
                self._groups[(vrf, address.network)].append(holder)
            elif name.lower().startswith(_LOOPBACK):
                self._loopbacks[(device.name, vrf)].append(holder)

    def owner(self, vrf: str, ip: str) -> Address | None:
        """The device interface that holds ``ip`` in ``vrf`` (loopbacks included)."""
        return self._owner.get((vrf, ip))

    def build(self) -> tuple[list[Link], list[Problem]]:
        pairs = self._subnet_pairs()
        by_address = {(p.vrf, p.addresses[i], p.ends[1 - i].node): p for p in pairs.values() for i in (0, 1)}
        for device in self._devices.values():
            self._ospf(device, by_address)
            self._static(device, by_address)
            self._bgp(device, by_address, pairs)
        reported = LinkState.REPORTED
        links = [link(p.ends[0], p.ends[1], L3, tuple(sorted(p.protocols or {"subnet"})), p.vrf, reported, (), "", "",
                      p.detail) for p in pairs.values()]
        return links, self._problems

    def _subnet_pairs(self) -> dict[tuple[End, End, str], _Pair]:
        pairs: dict[tuple[End, End, str], _Pair] = {}
        for (vrf, _subnet), members in self._groups.items():
            for i, one in enumerate(members):
                for other in members[i + 1:]:
                    if one.device == other.device:
                        continue
                    (first, a_ip), (second, b_ip) = sorted(((End(one.device, one.interface), one.ip),
                                                            (End(other.device, other.interface), other.ip)))
                    pairs[(first, second, vrf)] = _Pair((first, second), (a_ip, b_ip), vrf)
        return pairs

    @staticmethod
    def _over(by_address: dict[tuple[str, str, str], _Pair], vrf: str, ip: str, me: str) -> _Pair | None:
        """The shared-subnet pair of device ``me`` whose far address is ``ip``."""
        return by_address.get((vrf, ip, me))

    def _ospf(self, device: DeviceInput, by_address: dict[tuple[str, str, str], _Pair]) -> None:
        ospf = device.table().ospf_neighbors
        for address, vrf in zip(ospf.address, ospf.vrf, strict=True):
            pair = self._over(by_address, vrf or DEFAULT_VRF, address, device.name)
            if pair is not None:
                pair.protocols.add("ospf")

    def _static(self, device: DeviceInput, by_address: dict[tuple[str, str, str], _Pair]) -> None:
        routes = device.table().routes
        for protocol, vrf, prefix, hops in zip(routes.protocol, routes.vrf, routes.prefix, routes.next_hops,
                                               strict=True):
            if protocol != "static":
                continue
            for hop in hops:
                address = hop[0]
                pair = self._over(by_address, vrf or DEFAULT_VRF, address, device.name)
                if address and pair is not None:
                    pair.protocols.add("static")
                    pair.detail.setdefault("static", [])
                    if prefix not in pair.detail["static"]:
                        pair.detail["static"].append(prefix)

    def _bgp(self, device: DeviceInput, by_address: dict[tuple[str, str, str], _Pair],
             pairs: dict[tuple[End, End, str], _Pair]) -> None:
        bgp = device.table().bgp_sessions
        for peer, remote_as, state, own_vrf in zip(bgp.peer, bgp.remote_as, bgp.state, bgp.vrf, strict=True):
            vrf = own_vrf or DEFAULT_VRF
            pair = self._over(by_address, vrf, peer, device.name)
            if pair is None:
                pair = self._multihop(device, vrf, peer, pairs)
            if pair is None:
                continue
            pair.protocols.add("bgp")
            pair.detail.setdefault("bgp", {})[device.name] = {"peer": peer, "remote_as": remote_as, "state": state}

    def _multihop(self, device: DeviceInput, vrf: str, peer: str,
                  pairs: dict[tuple[End, End, str], _Pair]) -> _Pair | None:
        """The loopback-to-loopback pair of a session to ``peer`` that is on no shared subnet."""
        remote = self.owner(vrf, peer)
        if remote is None or remote.device == device.name:
            return None
        local = self._local_end(device, vrf, remote)
        ends = sorted(((End(device.name, local.interface if local else ""), local.ip if local else ""),
                       (End(remote.device, remote.interface), remote.ip)))
        key = (ends[0][0], ends[1][0], vrf)
        pair = pairs.get(key)
        if pair is None:
            pair = pairs[key] = _Pair((ends[0][0], ends[1][0]), (ends[0][1], ends[1][1]), vrf)
        return pair

    def _local_end(self, device: DeviceInput, vrf: str, remote: Address) -> Address | None:
        """This device's end of a multihop session: the address the far end peers with, else its
        only loopback in the VRF."""
        far = self._devices.get(remote.device)
        if far is not None:
            bgp = far.table().bgp_sessions
            for peer, own_vrf in zip(bgp.peer, bgp.vrf, strict=True):
                mine = self.owner(own_vrf or DEFAULT_VRF, peer)
                if (own_vrf or DEFAULT_VRF) == vrf and mine is not None and mine.device == device.name:
                    return mine
        loops = self._loopbacks.get((device.name, vrf), [])
        return loops[0] if len(loops) == 1 else None
