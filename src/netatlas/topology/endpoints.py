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
from itertools import compress

from netatlas.topology.columns import MacColumns
from netatlas.topology.l2 import Ports, Spellings, channels, interface_ports
from netatlas.topology.model import DEFAULT_VRF, DeviceInput, End, Endpoint, Link, Problem, ProblemKind, endpoint

PortKey = End


@dataclass(frozen=True, slots=True)
class _Learned:
    where: PortKey
    vlan: int


def uplinks(devices: dict[str, DeviceInput], links: Iterable[Link], problems: Iterable[Problem],
            names: Ports | None = None, channel_of: dict[End, str] | None = None) -> set[PortKey]:
    """Ports facing a managed device (see the module docstring), aggregates and members included."""
    found: set[PortKey] = set()
    for link in links:
        for near, far in ((link.a, link.b), (link.b, link.a)):
            if far.node in devices and near.node in devices:
                found.add(near)
    for problem in problems:
        if problem.kind is ProblemKind.CONFLICT:
            found.update(end for end in problem.ends if end.node in devices)
    if channel_of is None:
        channel_of = channels(devices.values(), names or Ports())
    for member, channel in channel_of.items():
        aggregate = End(member.node, channel)
        if member in found or aggregate in found:
            found.update((member, aggregate))
    return found


def locate(devices: dict[str, DeviceInput], links: Iterable[Link], problems: Iterable[Problem],
           ports: dict[str, frozenset[str]] | None = None, names: Ports | None = None,
           channel_of: dict[End, str] | None = None) -> tuple[list[Endpoint], list[Problem]]:
    """Every host MAC's edge port, VLAN and IP; and the MACs that stay ambiguous. ``ports``: each
    device's canonical interface names (``l2.interface_ports``), and ``names`` the build's canonical
    names, when the caller has them."""
    links = list(links)
    names = names or Ports()
    ports_of = interface_ports(devices.values(), names) if ports is None else ports
    skip = uplinks(devices, links, problems, names, channel_of)
    blind = _towards_unseen(devices, links)
    first, more, unseen = _learned(devices, ports_of, names, _own_macs(devices), blind, skip)
    transit = _transit({mac: set(at) for mac, at in more.items()})
    addresses = _addresses(devices)
    endpoints: list[Endpoint] = []
    found: list[Problem] = []
    odd = more.keys() | unseen.keys()  # the few MACs not simply placed where first learned
    unknown = (None, DEFAULT_VRF)
    add = endpoints.append
    for mac, place in first.items():
        if mac in odd:
            settled = _settled(mac, place, more.get(mac), transit, unseen, found)
            if settled is None:
                continue
            place = settled  # noqa: PLW2901
        (node, interface), vlan = place
        ip, vrf = addresses.get(mac, unknown)
        add(endpoint(mac, ip, vlan, node, interface, vrf))
    return endpoints, found


def _settled(mac: str, place: tuple[PortKey, int], at: dict[PortKey, int] | None, transit: set[PortKey],
             unseen: dict[str, set[str]], found: list[Problem]) -> tuple[PortKey, int] | None:
    """Where a MAC first learned at ``place`` is placed when it is also learned on other edge
    candidates (``at``) or towards an unseen device: its one edge port and VLAN, or None with the
    problem added to ``found``."""
    if at is not None:
        edge = [one for one in at if one not in transit]
        if len(edge) != 1:
            found.append(_ambiguous(mac, sorted(at)))
            return None
        place = edge[0], at[edge[0]]  # the one edge port among several
    if mac in unseen:
        found.append(_unseen(mac, place[0], sorted(unseen[mac])))
        return None
    return place


def _own_macs(devices: dict[str, DeviceInput]) -> set[str]:
    """The MACs of managed devices' own interfaces: devices, never endpoints."""
    own: set[str] = set()
    for device in devices.values():
        own.update(device.table().interfaces.mac)
    own.discard("")
    return own


Learned = tuple[dict[str, tuple[PortKey, int]], dict[str, dict[PortKey, int]], dict[str, set[str]]]


def _learned(devices: dict[str, DeviceInput], ports_of: dict[str, frozenset[str]], names: Ports, own: set[str],
             blind: dict[PortKey, set[str]], skip: set[PortKey]) -> Learned:
    """Where each host MAC is learned off an uplink: its first such port and VLAN (in device and table
    order), every such port with its first VLAN for the few learned on more than one, and the unseen
    devices it is also learned towards."""
    first: dict[str, tuple[PortKey, int]] = {}
    more: dict[str, dict[PortKey, int]] = {}
    unseen: dict[str, set[str]] = defaultdict(set)  # MAC -> devices without a MAC table it is learned towards
    none: frozenset[str] = frozenset()
    for device in devices.values():
        table = device.table().mac_table
        if not table.mac:
            continue
        spots = _spots(device.name, set(table.interface), names.of(device.platform),
                       ports_of.get(device.name, none), blind, skip)
        if not spots:  # a distribution switch: every MAC learned on its uplinks
            continue
        rows = zip(table.mac, table.vlan, table.interface, strict=True)
        edges = {interface: where for interface, (where, behind, _) in spots.items() if not behind}
        if len(edges) < len(spots):  # a port faces an unseen device
            _learned_towards(rows, spots, own, first, more, unseen)
            continue
        if not _learned_at_edges(table, edges, own, first, more):
            _learned_each(rows, edges, own, first, more)
    return first, more, unseen


def _learned_at_edges(table: MacColumns, edges: dict[str, PortKey], own: set[str],
                      first: dict[str, tuple[PortKey, int]], more: dict[str, dict[PortKey, int]]) -> bool:
    """:func:`_learned_each` over a MAC table that learns each MAC on at most one edge port, done
    in bulk (dictionary and set operations in C: about 400,000 rows at 10,000 devices); False, with
    nothing changed, for a table that learns some MAC on two edge rows (left to the row loop)."""
    wheres = list(map(edges.get, table.interface))
    at_edges: dict[str, tuple[PortKey, int]] = dict(compress(  # the rows on an edge port (``wheres`` not None)
        zip(table.mac, zip(wheres, table.vlan, strict=True), strict=True), wheres))  # type: ignore[arg-type]
    if len(at_edges) != len(wheres) - wheres.count(None):
        return False
    for mac in own.intersection(at_edges):
        del at_edges[mac]
    for mac in at_edges.keys() & first.keys():  # learned before, on another device's port
        known_at, (where, vlan) = first[mac], at_edges.pop(mac)
        more.setdefault(mac, {known_at[0]: known_at[1]}).setdefault(where, vlan)
    first.update(at_edges)  # the new MACs, in table order
    return True


def _learned_each(rows: Iterable[tuple[str, int, str]], edges: dict[str, PortKey], own: set[str],
                  first: dict[str, tuple[PortKey, int]], more: dict[str, dict[PortKey, int]]) -> None:
    """Each row of a MAC table whose every spot is an edge candidate: a MAC's first edge port and
    VLAN, and every edge port of a MAC learned on more than one."""
    for mac, vlan, interface in rows:
        where = edges.get(interface)
        if where is None or mac in own:
            continue
        known_at = first.get(mac)
        if known_at is None:
            first[mac] = (where, vlan)
        elif known_at[0] != where:
            more.setdefault(mac, {known_at[0]: known_at[1]}).setdefault(where, vlan)


def _learned_towards(rows: Iterable[tuple[str, int, str]], spots: dict[str, _Spot], own: set[str],
                     first: dict[str, tuple[PortKey, int]], more: dict[str, dict[PortKey, int]],
                     unseen: dict[str, set[str]]) -> None:
    """:func:`_learned` over the MAC table of a device with a port facing an unseen device."""
    for mac, vlan, interface in rows:
        spot = spots.get(interface)
        if spot is None or mac in own:
            continue
        where, behind, uplink = spot
        if behind:
            unseen[mac] |= behind
        if uplink:
            continue
        known_at = first.get(mac)
        if known_at is None:
            first[mac] = (where, vlan)
        elif known_at[0] != where:
            more.setdefault(mac, {known_at[0]: known_at[1]}).setdefault(where, vlan)


_Spot = tuple[PortKey, "set[str] | None", bool]  # where, the unseen devices behind it, an uplink


def _spots(name: str, spellings: Iterable[str], spelled: Spellings, known: frozenset[str],
           blind: dict[PortKey, set[str]], skip: set[PortKey]) -> dict[str, _Spot]:
    """The ports (as a MAC table spells them) whose entries tell something: ports the device has
    (when its interfaces are known) that are not uplinks, or that face an unseen device."""
    found = {}
    for interface in spellings:
        canonical = spelled[interface]
        if known and canonical not in known:
            continue
        where: PortKey = (name, canonical)  # type: ignore[assignment]  # a plain tuple: equal to an End
        behind, uplink = blind.get(where), where in skip
        if behind or not uplink:  # else an uplink with nothing unseen behind it tells nothing
            found[interface] = (where, behind, uplink)
    return found


def _towards_unseen(devices: dict[str, DeviceInput], links: Iterable[Link]) -> dict[PortKey, set[str]]:
    """Ports facing a managed device whose MAC table this view does not hold (failed, not
    collected, or MACs not asked for): hosts learned there may sit behind it."""
    found: dict[PortKey, set[str]] = defaultdict(set)
    for link in links:
        for near, far in ((link.a, link.b), (link.b, link.a)):
            other = devices.get(far.node)
            if near.node in devices and other is not None and not (other.collected and other.table().mac_table.mac):
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
        arp = device.table().arp
        if not arp.mac:
            continue
        vrfs = arp.vrf if all(arp.vrf) else [vrf or DEFAULT_VRF for vrf in arp.vrf]
        held = dict(zip(arp.mac, zip(arp.ip, vrfs, strict=True), strict=True))
        if len(held) != len(arp.mac):  # a MAC twice in one table: row by row
            for mac, value in zip(arp.mac, zip(arp.ip, vrfs, strict=True), strict=True):
                _address(mac, value, first, several)
            continue
        for mac in held.keys() & first.keys():  # in an earlier table too
            _address(mac, held.pop(mac), first, several)
        first.update(held)
    for mac, found in several.items():
        first[mac] = min(found, key=lambda f: (_sortable(f[0]), f[1]))
    return first


def _address(mac: str, value: tuple[str, str], first: dict[str, tuple[str, str]],
             several: dict[str, set[tuple[str, str]]]) -> None:
    known = first.setdefault(mac, value)
    if known != value:
        several.setdefault(mac, {known}).add(value)


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
