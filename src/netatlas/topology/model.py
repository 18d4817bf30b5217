"""What the topology builder takes and gives. Pure data: no I/O, no database rows.

Input (:class:`TopologyInput`): one :class:`DeviceInput` per inventory device -- its inventory
facts (name, platform, management address, site, role), the identity key stored with its
snapshot, the records of the view being built (the current state, or one job's snapshots) and
whether that view holds a good collection of it -- plus the operator's :class:`Override` rows.

Output (:class:`Topology`): nodes (devices, unmanaged neighbors, endpoints), links (L2 cables and
L3 adjacencies), endpoint locations, and the problems found on the way (conflicts, ambiguous
identities, impersonations), each a value that serialises to the ground-truth JSON schema of
``docs/truth-format.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from netatlas.domain.records import Coverage, DataType, DeviceRecords
from netatlas.topology.columns import DeviceColumns

L2 = "l2"
L3 = "l3"
DEFAULT_VRF = "default"


class NodeKind(StrEnum):
    DEVICE = "device"  # in the inventory
    UNMANAGED = "unmanaged"  # heard over CDP/LLDP only (phones, APs, devices outside the allowed ranges)
    ENDPOINT = "endpoint"  # an end host known by MAC (and IP from ARP)


class LinkState(StrEnum):
    """How sure a link is. ``one_sided``: one managed end reports it, the other (managed, and
    collected) does not; ``confirmed``/``added``: an operator's override."""

    REPORTED = "reported"  # both ends report it, or the far end is not a managed device
    ONE_SIDED = "one_sided"
    CONFIRMED = "confirmed"
    ADDED = "added"


class OverrideAction(StrEnum):
    CONFIRM = "confirm"  # a discovered link is right (kept even when a later run stops seeing it)
    IGNORE = "ignore"  # a discovered link is wrong or irrelevant: never shown
    ADD = "add"  # a link discovery cannot see (media converter, provider circuit)


class End(NamedTuple):
    """One end of a link: a node id and its canonical interface name ("" for an L3 end that is a
    whole device)."""

    node: str
    interface: str


@dataclass(frozen=True, slots=True)
class DeviceInput:
    """One inventory device as the builder sees it."""

    name: str  # the inventory name (node id: lower case)
    platform: str
    mgmt_ip: str
    records: DeviceRecords
    site: str = ""
    role: str = ""
    identity: str = ""  # the stored identity key (normalised host name its snapshot reported)
    collected: bool = True  # False: no good snapshot in this view (failed, or never discovered)
    error_kind: str = ""  # the failure of its latest attempt in this view, if it failed
    error: str = ""
    # The data types this view holds for it, and how completely (absent: not collected).
    coverage: Mapping[DataType, Coverage] = field(default_factory=dict)
    # The fields of ``records`` the builder reads, as the store packed them (None: taken from
    # ``records``); the same records either way, so two inputs that differ only here are equal.
    columns: DeviceColumns | None = field(default=None, compare=False, repr=False)

    def holds(self, kind: DataType) -> bool:
        return kind in self.coverage

    def table(self) -> DeviceColumns:
        """The builder's columns of this device's records."""
        return self.columns if self.columns is not None else DeviceColumns.of(self.records)


@dataclass(frozen=True, slots=True)
class Override:
    id: int
    action: OverrideAction
    a: End
    b: End
    layer: str = L2
    vrf: str = DEFAULT_VRF
    note: str = ""
    created_by: str = ""


@dataclass(frozen=True, slots=True)
class TopologyInput:
    devices: tuple[DeviceInput, ...]
    overrides: tuple[Override, ...] = ()
    label: str = "current"  # "current", or the job id the view was built from


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    kind: NodeKind
    platform: str | None = None
    mgmt_ip: str | None = None
    site: str = ""
    role: str = ""
    status: str = "ok"  # devices: ok | failed | not_collected; others: ok
    error_kind: str = ""
    names: tuple[str, ...] = ()  # other names it was heard by (raw advertised names, FQDNs)

    def as_dict(self) -> dict[str, Any]:
        """The ground-truth schema's node fields."""
        return {"id": self.id, "kind": self.kind.value, "platform": self.platform, "mgmt_ip": self.mgmt_ip,
                "site": self.site, "role": self.role}


@dataclass(frozen=True, slots=True)
class Link:
    """An L2 cable or an L3 adjacency; ``a`` < ``b``."""

    a: End
    b: End
    layer: str
    protocols: tuple[str, ...]  # sorted: cdp/lldp (l2); ospf/bgp/static/subnet (l3)
    vrf: str = DEFAULT_VRF
    state: LinkState = LinkState.REPORTED
    reported_by: tuple[str, ...] = ()  # the nodes whose records show it
    channel_a: str = ""  # l2: the port-channel each end's interface is a member of
    channel_b: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)  # ospf area, bgp ASNs and state, static prefixes
    override_id: int | None = None

    @property
    def key(self) -> tuple[str, End, End, str]:
        return self.layer, self.a, self.b, self.vrf

    def ends(self) -> tuple[End, End]:
        return self.a, self.b

    def as_dict(self) -> dict[str, Any]:
        """The ground-truth schema's link fields."""
        return {"a": self.a._asdict(), "b": self.b._asdict(), "layer": self.layer,
                "protocols": list(self.protocols), "vrf": self.vrf}


def link(a: End, b: End, layer: str, protocols: tuple[str, ...], vrf: str, state: LinkState,
         reported_by: tuple[str, ...], channel_a: str, channel_b: str, detail: Mapping[str, Any]) -> Link:
    """``Link(a, b, layer, protocols, vrf, state, reported_by, channel_a, channel_b, detail)``, made
    as :func:`endpoint` makes an endpoint: a build makes one per cable and adjacency (about 50,000
    for a 10,000-device network).

    Examples:
        >>> a, b = End("sw1", "Gi1/0/1"), End("sw2", "Gi1/0/2")
        >>> link(a, b, L2, ("cdp",), DEFAULT_VRF, LinkState.REPORTED, ("sw1", "sw2"), "", "", {}) == Link(
        ...     a, b, L2, ("cdp",), reported_by=("sw1", "sw2"))
        True
    """
    made = _new(Link)
    _set_a(made, a)
    _set_b(made, b)
    _set_layer(made, layer)
    _set_protocols(made, protocols)
    _set_link_vrf(made, vrf)
    _set_state(made, state)
    _set_reported_by(made, reported_by)
    _set_channel_a(made, channel_a)
    _set_channel_b(made, channel_b)
    _set_detail(made, detail)
    _set_override_id(made, None)
    return made


@dataclass(frozen=True, slots=True)
class Endpoint:
    mac: str
    ip: str | None
    vlan: int | None
    node: str  # the switch
    interface: str  # its edge port
    vrf: str = DEFAULT_VRF

    def as_dict(self) -> dict[str, Any]:
        return {"mac": self.mac, "ip": self.ip, "vlan": self.vlan, "node": self.node, "interface": self.interface}


def endpoint(mac: str, ip: str | None, vlan: int | None, node: str, interface: str, vrf: str) -> Endpoint:
    """``Endpoint(mac, ip, vlan, node, interface, vrf)``, made faster: each slot set by its
    descriptor, without the frozen dataclass's ``__init__`` (one ``object.__setattr__`` looked up
    and called per field). A build makes one per host: 200,000 for a 10,000-device network.

    Examples:
        >>> endpoint("aa:bb:cc:00:00:01", None, 10, "sw1", "Gi1/0/1", "default") == Endpoint(
        ...     "aa:bb:cc:00:00:01", None, 10, "sw1", "Gi1/0/1")
        True
    """
    made = _new(Endpoint)
    _set_mac(made, mac)
    _set_ip(made, ip)
    _set_vlan(made, vlan)
    _set_node(made, node)
    _set_interface(made, interface)
    _set_vrf(made, vrf)
    return made


_new = object.__new__
(_set_a, _set_b, _set_layer, _set_protocols, _set_link_vrf, _set_state, _set_reported_by, _set_channel_a,
 _set_channel_b, _set_detail, _set_override_id) = (
    getattr(Link, name).__set__ for name in ("a", "b", "layer", "protocols", "vrf", "state", "reported_by",
                                             "channel_a", "channel_b", "detail", "override_id"))
_set_mac, _set_ip, _set_vlan, _set_node, _set_interface, _set_vrf = (
    getattr(Endpoint, name).__set__ for name in ("mac", "ip", "vlan", "node", "interface", "vrf"))


class ProblemKind(StrEnum):
    CONFLICT = "conflict"  # two ends disagree about a cable
    AMBIGUOUS_IDENTITY = "ambiguous_identity"  # a neighbor matches more than one device
    IMPERSONATION = "impersonation"  # a neighbor uses a managed device's name with an address it does not own
    AMBIGUOUS_ENDPOINT = "ambiguous_endpoint"  # a MAC is learned on more than one edge port
    DUPLICATE_ADDRESS = "duplicate_address"  # one address on two devices in one VRF
    UNRESOLVED_NEXT_HOP = "unresolved_next_hop"  # a static route's next hop no device owns


@dataclass(frozen=True, slots=True)
class Problem:
    kind: ProblemKind
    message: str
    nodes: tuple[str, ...] = ()
    ends: tuple[End, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "message": self.message, "nodes": list(self.nodes),
                "ends": [e._asdict() for e in self.ends]}


@dataclass(slots=True)
class Topology:
    """The built topology. ``links`` holds L2 and L3 links (conflicting claims are in
    ``problems``, not in ``links``); ``endpoints`` one location per host MAC."""

    nodes: dict[str, Node]
    links: list[Link]
    endpoints: list[Endpoint]
    problems: list[Problem] = field(default_factory=list)
    label: str = "current"

    def links_of(self, layer: str | None = None) -> list[Link]:
        return [link for link in self.links if layer is None or link.layer == layer]

    def as_truth(self) -> dict[str, Any]:
        """The ground-truth JSON document (``docs/truth-format.md``): nodes, links and endpoints,
        sorted the way the lab sorts them."""
        endpoint_nodes = [Node(e.mac, NodeKind.ENDPOINT, None, e.ip,
                               self.nodes[e.node].site if e.node in self.nodes else "", "host")
                          for e in self.endpoints]
        nodes = sorted((n for n in self.nodes.values() if n.kind is not NodeKind.ENDPOINT),
                       key=lambda n: (n.kind is not NodeKind.DEVICE, n.id))
        links = sorted(self.links, key=lambda link: (link.layer, link.a, link.b, link.vrf))
        return {
            "nodes": [n.as_dict() for n in nodes] + [n.as_dict() for n in sorted(endpoint_nodes, key=lambda n: n.id)],
            "links": [link.as_dict() for link in links],
            "endpoints": [e.as_dict() for e in sorted(self.endpoints, key=lambda e: e.mac)],
        }
