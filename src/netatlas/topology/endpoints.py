"""Where each end host is plugged in: the one edge port its MAC is learned on.

A host's MAC is learned by every switch between it and the traffic that reached it: on its own
access port, and on the uplinks of every switch above. The edge port is the one that is not an
uplink, where an uplink is
* a port with an L2 link (CDP/LLDP, either end, one-sided included) to a managed device, or in a
  conflict between managed devices; a port-channel is an uplink when any member is, and its
  members when it is;
* a port that carries the hosts of two or more other edge candidates (a switch-to-switch cable
  no discovery protocol reports: it carries everything behind it), when that leaves one candidate.

MACs of managed devices' own interfaces are devices, not endpoints. A MAC still learned on two or
more edge ports is reported as ambiguous, never placed by guess. The host's IP is the address
the ARP tables map its MAC to (the lowest one when a host has several).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import ip_address
from typing import NamedTuple

from netatlas.topology.l2 import interface_ports, port
from netatlas.topology.model import DEFAULT_VRF, DeviceInput, End, Endpoint, Link, Problem, ProblemKind

PortKey = End


@dataclass(frozen=True, slots=True)
class _Learned:
    where: PortKey
    vlan: int


def uplinks(devices: dict[str, DeviceInput], links: Iterable[Link], problems: Iterable[Problem]) -> set[PortKey]:
    """Ports facing a managed device (see the module docstring), aggregates and members included."""
    found: set[PortKey] = set()
    for link in links:
        for near, far in ((link.a, link.b), (link.b, link.a)):
            if far.node in devices and near.node in devices:
                found.add(near)
    for problem in problems:
        if problem.kind is ProblemKind.CONFLICT:
            found.update(end for end in problem.ends if end.node in devices)
    for device in devices.values():
        for intf in device.records.interfaces:
            if not intf.channel:
                continue
            member = End(device.name, port(intf.name, device.platform))
            channel = End(device.name, port(intf.channel, device.platform))
            if member in found or channel in found:
                found.update((member, channel))
    return found


def locate(devices: dict[str, DeviceInput], links: Iterable[Link], problems: Iterable[Problem],
           ports: dict[str, frozenset[str]] | None = None) -> tuple[list[Endpoint], list[Problem]]:
    """Every host MAC's edge port, VLAN and IP; and the MACs that stay ambiguous. ``ports``: each
    device's canonical interface names (``l2.interface_ports``), when the caller has them."""
    links = list(links)
    ports_of = interface_ports(devices.values()) if ports is None else ports
    none: frozenset[str] = frozenset()
    skip = uplinks(devices, links, problems)
    blind = _towards_unseen(devices, links)
    own = {i.mac for d in devices.values() for i in d.records.interfaces if i.mac}
    learned: dict[str, dict[PortKey, int]] = defaultdict(dict)
    unseen: dict[str, set[str]] = defaultdict(set)  # MAC -> devices without a MAC table it is learned towards
    for device in devices.values():
        name, platform = device.name, device.platform
        known = ports_of.get(name, none)
        spots: dict[str, _Spot | None] = {}  # a table names each port many times: worked out once
        for entry in device.records.mac_table:
            spot = spots.get(entry.interface, _NOT_YET)
            if spot is _NOT_YET:
                spot = spots[entry.interface] = _spot(name, port(entry.interface, platform), known, blind, skip)
            if spot is None or entry.mac in own:
                continue
            where, behind, uplink = spot
            if behind:
                unseen[entry.mac] |= behind
            if not uplink:
                learned[entry.mac].setdefault(where, entry.vlan)
    transit = _transit({mac: set(at) for mac, at in learned.items() if len(at) > 1})
    addresses = _addresses(devices)
    endpoints: list[Endpoint] = []
    found: list[Problem] = []
    for mac, at in learned.items():
        edge = [where for where in at if where not in transit] if len(at) > 1 else list(at)
        if len(edge) != 1:
            found.append(_ambiguous(mac, sorted(at)))
            continue
        if mac in unseen:
            found.append(_unseen(mac, edge[0], sorted(unseen[mac])))
            continue
        node, interface = edge[0]
        ip, vrf = addresses.get(mac, (None, DEFAULT_VRF))
        endpoints.append(Endpoint(mac, ip, at[edge[0]], node, interface, vrf))
    return endpoints, found


class _Spot(NamedTuple):
    """A port a MAC table names: where it is, the unseen devices behind it, whether it is an uplink."""

    where: PortKey
    behind: set[str] | None
    uplink: bool


_NOT_YET = _Spot(End("", ""), None, True)  # marker: a port name not worked out yet


def _spot(name: str, interface: str, known: frozenset[str], blind: dict[PortKey, set[str]],
          skip: set[PortKey]) -> _Spot | None:
    """What a MAC learned on ``name``'s ``interface`` tells; None for a port the device does not have."""
    if known and interface not in known:
        return None
    where: PortKey = (name, interface)  # type: ignore[assignment]  # a plain tuple: equal to an End
    return _Spot(where, blind.get(where), where in skip)


def _towards_unseen(devices: dict[str, DeviceInput], links: Iterable[Link]) -> dict[PortKey, set[str]]:
    """Ports facing a managed device whose MAC table this view does not hold (failed, not
    collected, or MACs not asked for): hosts learned there may sit behind it."""
    found: dict[PortKey, set[str]] = defaultdict(set)
    for link in links:
        for near, far in ((link.a, link.b), (link.b, link.a)):
            other = devices.get(far.node)
            if near.node in devices and other is not None and not (other.collected and other.records.mac_table):
                found[near].add(far.node)
    return found


def _unseen(mac: str, where: PortKey, behind: list[str]) -> Problem:
    edge = End(*where)
    return Problem(ProblemKind.AMBIGUOUS_ENDPOINT,
                   f"{mac} looks plugged into {edge.node} {edge.interface}, but it is also learned towards "
                   f"{', '.join(behind)}, whose MAC table is not known: not placed",
                   tuple(sorted({edge.node, *behind})), (edge,))


def _transit(shared: dict[str, set[PortKey]]) -> set[PortKey]:
    """Ports whose MACs are also learned on two or more other candidate ports."""
    macs_on: dict[PortKey, set[str]] = defaultdict(set)
    for mac, at in shared.items():
        for where in at:
            macs_on[where].add(mac)
    transit: set[PortKey] = set()
    for where, macs in macs_on.items():
        others: set[PortKey] = set()
        for mac in macs:
            others |= shared[mac]
            others.discard(where)
            if len(others) > 1:
                transit.add(where)
                break
    return transit


def _addresses(devices: dict[str, DeviceInput]) -> dict[str, tuple[str, str]]:
    """MAC -> (IP, VRF) from every ARP table: the lowest address when there are several."""
    first: dict[str, tuple[str, str]] = {}
    several: dict[str, set[tuple[str, str]]] = {}  # the few MACs with more than one address
    for device in devices.values():
        for entry in device.records.arp:
            value = (entry.ip, entry.vrf or DEFAULT_VRF)
            known = first.setdefault(entry.mac, value)
            if known != value:
                several.setdefault(entry.mac, {known}).add(value)
    for mac, found in several.items():
        first[mac] = min(found, key=lambda f: (_sortable(f[0]), f[1]))
    return first


def _sortable(text: str) -> tuple[int, int | str]:
    try:
        address = ip_address(text)
    except ValueError:
        return (2, text)
    return (address.version, int(address))


def _ambiguous(mac: str, where: list[PortKey]) -> Problem:
    ends = [End(*w) for w in where]
    ports = ", ".join(f"{w.node} {w.interface}" for w in ends)
    return Problem(ProblemKind.AMBIGUOUS_ENDPOINT,
                   f"{mac} is learned on {len(ends)} edge ports ({ports}): not placed",
                   tuple(sorted({w.node for w in ends})), tuple(ends))
