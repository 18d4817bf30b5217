"""L2 links: cables, from what each end's CDP and LLDP tables report.

Each neighbor entry is a *report*: "my port X hears node N on its port Y, over CDP/LLDP". Reports
from both ends of a cable, over either protocol, are the same unordered pair of ends and merge into
one link whose ``protocols`` are every protocol that reported it. Interfaces are canonical on both
ends: the local one with the reporter's platform, the remote one with the neighbor's platform when
it is a managed device (an unmanaged neighbor's port is kept as it advertises it).

* Parallel cables between two devices are different pairs of ends: they stay distinct, and a
  port-channel member keeps its own link, grouped by ``channel_a``/``channel_b``.
* ``one_sided``: the far end is a managed device whose tables do not report this cable (its
  protocol is off, it transmits nothing, or it was not collected). The link is kept.
* A conflict: an end appears in two candidate cables and at least one of them is one-sided ("A
  says B:Gi1, B says A:Gi2 on its Gi1"). Neither candidate is a link: both are reported as one
  problem, never merged by guess.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from netatlas.domain.names import physical_port
from netatlas.domain.records import Neighbor
from netatlas.topology.columns import NeighborColumns
from netatlas.topology.identity import Match, Resolution, Resolver
from netatlas.topology.model import (
    DEFAULT_VRF,
    L2,
    DeviceInput,
    End,
    Link,
    LinkState,
    Node,
    NodeKind,
    Problem,
    ProblemKind,
    link,
)

# What an unmanaged neighbor is, from the capabilities it advertises (CDP words, LLDP letters).
# First match wins; the truth format's roles.
ROLES: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"phone", "t"}), "phone"),
    (frozenset({"w"}), "access-point"),
    (frozenset({"trans-bridge"}), "access-point"),
    (frozenset({"router", "r"}), "router"),
    (frozenset({"switch", "b"}), "switch"),
    (frozenset({"host", "s"}), "host"),
)


@dataclass(slots=True)
class _Candidate:
    ends: tuple[End, End]
    protocols: set[str] = field(default_factory=set)
    reporters: set[str] = field(default_factory=set)


@dataclass(slots=True)
class L2Result:
    links: list[Link]
    unmanaged: dict[str, Node]
    problems: list[Problem]


def port(name: str, platform: str) -> str:
    """A port as the topology names it: canonical, a JunOS logical unit folded into its port.

    Examples:
        >>> port("Gi1/0/1", "cisco_ios"), port("ge-0/0/1.0", "juniper_junos"), port("Port 1", "")
        ('GigabitEthernet1/0/1', 'ge-0/0/1', 'Port 1')
    """
    return physical_port(name, platform) if platform else name.strip()


_end = partial(tuple.__new__, End)  # End((node, interface)) without a Python-level call: ~100,000 per build


class Spellings(dict[str, str]):
    """One platform's port spellings -> :func:`port`, each worked out on first use (``spelled[name]``)."""

    __slots__ = ("platform",)

    def __init__(self, platform: str) -> None:
        super().__init__()
        self.platform = platform

    def __missing__(self, name: str) -> str:
        value = self[name] = port(name, self.platform)
        return value


class Ports:
    """Canonical port names for one build: each spelling worked out once per platform, and the same
    string object for every record naming that port (a 10,000-device network names about two
    million ports, half a million of them distinct).

    Examples:
        >>> ports = Ports()
        >>> ports.of("cisco_ios")["Gi1/0/1"], ports.of("")[" Port 1 "]
        ('GigabitEthernet1/0/1', 'Port 1')
    """

    __slots__ = ("_by_platform",)

    def __init__(self) -> None:
        self._by_platform: dict[str, Spellings] = {}

    def of(self, platform: str) -> Spellings:
        found = self._by_platform.get(platform)
        if found is None:
            found = self._by_platform[platform] = Spellings(platform)
        return found


def interface_ports(devices: Iterable[DeviceInput], names: Ports | None = None) -> dict[str, frozenset[str]]:
    """Each device's interfaces as the topology names them (devices without interface records: none).
    Computed once per build and shared: a 10,000-device network has about half a million."""
    names = names or Ports()
    found = {}
    for device in devices:
        spelled = device.table().interfaces.name
        if spelled:
            found[device.name] = frozenset(map(names.of(device.platform).__getitem__, spelled))
    return found


def role_of(capabilities: str) -> str:
    """The role an unmanaged neighbor's capabilities suggest ("" when none does).

    Examples:
        >>> role_of("Host Phone Two-port Mac Relay"), role_of("B,W"), role_of("Router Switch IGMP")
        ('phone', 'access-point', 'router')
    """
    words = {w.lower() for w in capabilities.replace(",", " ").split()}
    return next((role for keys, role in ROLES if words & keys), "")


def channels(devices: Iterable[DeviceInput], names: Ports) -> dict[End, str]:
    """Each port-channel member port -> its port-channel, canonical."""
    found: dict[End, str] = {}
    for device in devices:
        cols = device.table().interfaces
        if any(cols.channel):
            spelled = names.of(device.platform)
            found.update((End(device.name, spelled[name]), spelled[channel])
                         for name, channel in zip(cols.name, cols.channel, strict=True) if channel)
    return found


class L2Builder:
    def __init__(self, devices: dict[str, DeviceInput], resolver: Resolver,
                 ports: dict[str, frozenset[str]] | None = None, names: Ports | None = None,
                 channel_of: dict[End, str] | None = None) -> None:
        self._devices = devices
        self._names = names or Ports()
        self._ports = interface_ports(devices.values(), self._names) if ports is None else ports
        self._resolver = resolver
        self._candidates: dict[tuple[End, End], _Candidate] = {}  # by its ends, sorted
        self._unmanaged: dict[str, Node] = {}
        self._problems: list[Problem] = []
        self._channels = channels(devices.values(), self._names) if channel_of is None else channel_of
        self._spellings: dict[str, Spellings] = {}

    def build(self) -> L2Result:
        for device in self._devices.values():
            neighbors = device.table().neighbors
            if neighbors.protocol:
                self._reports(device, neighbors)
        links, conflicts = self._settle()
        return L2Result(links, self._unmanaged, self._problems + conflicts)

    # ---- reports --------------------------------------------------------------------------------

    def _reports(self, device: DeviceInput, neighbors: NeighborColumns) -> None:
        """Each neighbor entry of ``device``: a report of a cable between one of its ports and a
        managed device's port (the common case, handled here), or an odd one (:meth:`_report`)."""
        name, spelled, resolve = device.name, self._names.of(device.platform), self._resolver.resolve
        candidates = self._candidates
        for i, (protocol, local_interface, remote_name, remote_interface, mgmt_ip) in enumerate(zip(
                neighbors.protocol, neighbors.local_interface, neighbors.remote_name, neighbors.remote_interface,
                neighbors.mgmt_ip, strict=True)):
            resolution = resolve(remote_name, mgmt_ip)
            local = _end((name, spelled[local_interface]))
            remote_node = resolution.device
            if not remote_node:  # no managed device (or an ambiguous or impersonated one)
                self._report(device, Neighbor(*(column[i] for column in neighbors)), resolution, local)
                continue
            remote = _end((remote_node, self._spelled(remote_node)[remote_interface]))
            key = (local, remote) if local < remote else (remote, local)
            candidate = candidates.get(key)
            if candidate is None:
                candidate = candidates[key] = _Candidate(key)
            candidate.protocols.add(protocol)
            candidate.reporters.add(name)

    def _report(self, device: DeviceInput, neighbor: Neighbor, resolution: Resolution, local: End) -> None:
        """A neighbor entry naming no managed device (an unmanaged node), an ambiguous one (a problem,
        no link) or an impersonated one (a problem, and an unmanaged node kept apart)."""
        match = resolution.match
        if match is Match.AMBIGUOUS or match is Match.IMPERSONATION:
            self._problem(device, neighbor, resolution, local)
        if match is Match.AMBIGUOUS:
            return
        remote = End(self._unmanaged_node(device, neighbor, resolution), self._names.of("")[neighbor.remote_interface])
        key = (local, remote) if local < remote else (remote, local)
        candidate = self._candidates.get(key)
        if candidate is None:
            candidate = self._candidates[key] = _Candidate(key)
        candidate.protocols.add(neighbor.protocol)
        candidate.reporters.add(device.name)

    def _spelled(self, node: str) -> Spellings:
        """The port spellings of managed device ``node``'s platform."""
        found = self._spellings.get(node)
        if found is None:
            found = self._spellings[node] = self._names.of(self._devices[node].platform)
        return found

    def _unmanaged_node(self, device: DeviceInput, neighbor: Neighbor, resolution: Resolution) -> str:
        node_id = (neighbor.remote_name.lower() or neighbor.mgmt_ip
                   or f"unknown@{device.name}:{neighbor.local_interface}")
        if resolution.match is Match.IMPERSONATION:  # never the device it names: keep it apart
            node_id = f"{node_id}@{neighbor.mgmt_ip}"
        known = self._unmanaged.get(node_id)
        platform = (known.platform if known and known.platform else "") or neighbor.remote_platform
        if known is None or (neighbor.protocol == "cdp" and neighbor.remote_platform):
            platform = neighbor.remote_platform or platform  # CDP's platform is the model; LLDP's a description
        names = set(known.names) if known else set()
        if neighbor.remote_name_raw and neighbor.remote_name_raw.lower() != node_id:
            names.add(neighbor.remote_name_raw)
        self._unmanaged[node_id] = Node(
            node_id, NodeKind.UNMANAGED, platform or None,
            (known.mgmt_ip if known and known.mgmt_ip else None) or neighbor.mgmt_ip or None,
            (known.site if known else "") or device.site,
            (known.role if known and known.role else "") or role_of(neighbor.capabilities),
            names=tuple(sorted(names)))
        return node_id

    def _problem(self, device: DeviceInput, neighbor: Neighbor, resolution: Resolution, local: End) -> None:
        if resolution.match is Match.AMBIGUOUS:
            kind = ProblemKind.AMBIGUOUS_IDENTITY
            message = (f"{device.name} {local.interface} hears {neighbor.remote_name!r} over {neighbor.protocol}, "
                       f"which matches {len(resolution.candidates)} devices ({', '.join(resolution.candidates)}): "
                       "not linked")
        else:
            kind = ProblemKind.IMPERSONATION
            message = (f"{device.name} {local.interface} hears a neighbor calling itself {neighbor.remote_name!r} over "
                       f"{neighbor.protocol} from {neighbor.mgmt_ip}, an address {resolution.candidates[0]} does not "
                       "own: kept apart as an unmanaged node")
        self._problems.append(Problem(kind, message, (device.name, *resolution.candidates), (local,)))

    # ---- cables ---------------------------------------------------------------------------------

    def _fold_unknown_ports(self) -> None:
        """A report naming a port the (collected) far device does not have -- an LLDP port id that is
        a description or an index -- joins the report of the same local port to the same device that
        names a real port; alone, it stays as reported."""
        ports = self._ports
        real: dict[tuple[End, str], tuple[End, End]] = {}
        unknown: list[tuple[End, End, tuple[End, End]]] = []
        for key, candidate in self._candidates.items():
            for near, far in (candidate.ends, candidate.ends[::-1]):
                if far.node not in ports or near.node not in self._devices:
                    continue
                if far.interface in ports[far.node]:
                    real[(near, far.node)] = key
                else:
                    unknown.append((near, far, key))
        for near, far, key in unknown:
            target = real.get((near, far.node))
            if target is not None and key in self._candidates and target in self._candidates:
                folded = self._candidates.pop(key)
                self._candidates[target].protocols |= folded.protocols
                self._candidates[target].reporters |= folded.reporters

    def _settle(self) -> tuple[list[Link], list[Problem]]:
        self._fold_unknown_ports()
        states = {key: self._state(c) for key, c in self._candidates.items()}
        by_end: dict[End, list[tuple[End, End]]] = defaultdict(list)
        for key, candidate in self._candidates.items():
            for end in candidate.ends:
                if end.node in self._devices:
                    by_end[end].append(key)
        conflicted: set[tuple[End, End]] = set()
        groups: list[set[tuple[End, End]]] = []
        for keys in by_end.values():
            if len(keys) > 1 and any(states[k] is LinkState.ONE_SIDED for k in keys):
                groups.append(set(keys))
                conflicted.update(keys)
        links = [self._link(c, states[k]) for k, c in self._candidates.items() if k not in conflicted]
        return links, [self._conflict(group) for group in _merge(groups)]

    def _state(self, candidate: _Candidate) -> LinkState:
        (a, _), (b, _) = candidate.ends
        devices, reporters = self._devices, candidate.reporters
        if a in devices and b in devices and (a not in reporters or b not in reporters):
            return LinkState.ONE_SIDED
        return LinkState.REPORTED

    def _link(self, candidate: _Candidate, state: LinkState) -> Link:
        a, b = candidate.ends
        channel = self._channels.get
        return link(a, b, L2, tuple(sorted(candidate.protocols)), DEFAULT_VRF, state,
                    tuple(sorted(candidate.reporters)), channel(a, ""), channel(b, ""), {})

    def _conflict(self, keys: set[tuple[End, End]]) -> Problem:
        claims = sorted((self._candidates[k] for k in keys), key=lambda c: c.ends)
        said = "; ".join(f"{'/'.join(sorted(c.reporters))} says {c.ends[0].node} {c.ends[0].interface} <-> "
                         f"{c.ends[1].node} {c.ends[1].interface} ({', '.join(sorted(c.protocols))})" for c in claims)
        ends = tuple(sorted({e for c in claims for e in c.ends}))
        nodes = tuple(sorted({e.node for e in ends}))
        return Problem(ProblemKind.CONFLICT, f"the two sides disagree, not merged: {said}", nodes, ends)


def _merge(groups: Iterable[set[tuple[End, End]]]) -> list[set[tuple[End, End]]]:
    """Overlapping groups of candidate keys joined into one (each conflict reported once)."""
    merged: list[set[tuple[End, End]]] = []
    for group in groups:
        joined = set(group)
        rest = []
        for other in merged:
            if other & joined:
                joined |= other
            else:
                rest.append(other)
        merged = [*rest, joined]
    return merged
