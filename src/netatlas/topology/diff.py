"""What changed between two runs: links, nodes, endpoints and L2 neighbors of two topologies.

Everything is matched by key in dicts and sets, never by scanning lists: two 10,000-device
topologies (40,000 links, 200,000 endpoints) compare in about a second:

- links by (layer, a, b, vrf): present in one run only -> added/removed; present in both with other
  protocols, state, port-channels or routing detail -> changed (``fields`` names which);
- nodes (devices and unmanaged neighbors) by id: added/removed, and changed when their platform,
  address, site, role or collection status differ;
- endpoints by MAC: added/removed; moved when the switch, port or VLAN differ (``from``/``to``);
  changed when only the IP (or VRF) differs;
- neighbors: per node present in both runs, the set of nodes its L2 links reach, when it differs.

Examples:
    >>> from netatlas.topology.model import End, Link, Node, NodeKind, Topology
    >>> nodes = {n: Node(n, NodeKind.DEVICE) for n in ("sw1", "sw2", "sw3")}
    >>> cable = Link(End("sw1", "Gi1/0/1"), End("sw2", "Gi1/0/1"), "l2", ("cdp",))
    >>> moved = Link(End("sw1", "Gi1/0/1"), End("sw3", "Gi1/0/1"), "l2", ("cdp",))
    >>> change = diff(Topology(nodes, [cable], []), Topology(nodes, [moved], []))
    >>> [link.b.node for link in change.links_added], [link.b.node for link in change.links_removed]
    (['sw3'], ['sw2'])
    >>> [(n.node, n.added, n.removed) for n in change.neighbors_changed]
    [('sw1', ('sw3',), ('sw2',)), ('sw2', (), ('sw1',)), ('sw3', ('sw1',), ())]
    >>> diff(Topology(nodes, [cable], []), Topology(nodes, [cable], [])).empty
    True
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any, TypeVar

from netatlas.topology.model import L2, End, Endpoint, Link, Node, NodeKind, Topology

LinkKey = tuple[str, End, End, str]
K = TypeVar("K", str, LinkKey)
V = TypeVar("V")

_LINK_FIELDS = ("protocols", "state", "channel_a", "channel_b", "detail")
_NODE_FIELDS = ("kind", "platform", "mgmt_ip", "site", "role", "status")
_PLACE_FIELDS = ("node", "interface", "vlan")  # a difference here is a move
_ENDPOINT_FIELDS = ("ip", "vrf")


@dataclass(frozen=True, slots=True)
class LinkChange:
    before: Link
    after: Link
    fields: tuple[str, ...]  # which of protocols/state/channel_a/channel_b/detail differ

    def as_dict(self) -> dict[str, Any]:
        return {"before": _link_dict(self.before), "after": _link_dict(self.after), "fields": list(self.fields)}


@dataclass(frozen=True, slots=True)
class NodeChange:
    before: Node
    after: Node
    fields: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"before": _node_dict(self.before), "after": _node_dict(self.after), "fields": list(self.fields)}


@dataclass(frozen=True, slots=True)
class EndpointChange:
    """One MAC in both runs with other attributes: a move (switch, port or VLAN) or an IP change."""

    before: Endpoint
    after: Endpoint
    fields: tuple[str, ...]

    @property
    def mac(self) -> str:
        return self.after.mac

    def as_dict(self) -> dict[str, Any]:
        return {"mac": self.mac, "from": self.before.as_dict(), "to": self.after.as_dict(),
                "fields": list(self.fields)}


@dataclass(frozen=True, slots=True)
class NeighborChange:
    node: str
    added: tuple[str, ...]  # L2 neighbors it has now and did not have
    removed: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"node": self.node, "added": list(self.added), "removed": list(self.removed)}


@dataclass(frozen=True, slots=True)
class TopologyDiff:
    """The changes from ``old`` to ``new``; every tuple sorted by its key."""

    old: str  # the two topologies' labels
    new: str
    links_added: tuple[Link, ...] = ()
    links_removed: tuple[Link, ...] = ()
    links_changed: tuple[LinkChange, ...] = ()
    nodes_added: tuple[Node, ...] = ()
    nodes_removed: tuple[Node, ...] = ()
    nodes_changed: tuple[NodeChange, ...] = ()
    endpoints_added: tuple[Endpoint, ...] = ()
    endpoints_removed: tuple[Endpoint, ...] = ()
    endpoints_moved: tuple[EndpointChange, ...] = ()
    endpoints_changed: tuple[EndpointChange, ...] = ()
    neighbors_changed: tuple[NeighborChange, ...] = ()

    @property
    def empty(self) -> bool:
        """True when nothing changed (the labels aside)."""
        return not any(getattr(self, name) for name in _CHANGE_FIELDS)

    def counts(self) -> dict[str, int]:
        """How many of each kind of change (``links_added``: 3, ...)."""
        return {name: len(getattr(self, name)) for name in _CHANGE_FIELDS}

    def as_dict(self) -> dict[str, Any]:
        return {
            "old": self.old, "new": self.new,
            "links": {"added": [_link_dict(x) for x in self.links_added],
                      "removed": [_link_dict(x) for x in self.links_removed],
                      "changed": [x.as_dict() for x in self.links_changed]},
            "nodes": {"added": [_node_dict(x) for x in self.nodes_added],
                      "removed": [_node_dict(x) for x in self.nodes_removed],
                      "changed": [x.as_dict() for x in self.nodes_changed]},
            "endpoints": {"added": [x.as_dict() for x in self.endpoints_added],
                          "removed": [x.as_dict() for x in self.endpoints_removed],
                          "moved": [x.as_dict() for x in self.endpoints_moved],
                          "changed": [x.as_dict() for x in self.endpoints_changed]},
            "neighbors_changed": [x.as_dict() for x in self.neighbors_changed],
        }


_CHANGE_FIELDS = tuple(name for name in TopologyDiff.__dataclass_fields__ if name not in ("old", "new"))


def _link_dict(link: Link) -> dict[str, Any]:
    return {**link.as_dict(), "state": link.state.value}


def _node_dict(node: Node) -> dict[str, Any]:
    return {**node.as_dict(), "status": node.status}


def _differing(before: object, after: object, names: Iterable[str]) -> tuple[str, ...]:
    return tuple(name for name in names if getattr(before, name) != getattr(after, name))


def _split(old: Mapping[K, V], new: Mapping[K, V]) -> tuple[list[V], list[V], list[tuple[V, V]]]:
    """Values only in ``new``, only in ``old``, and the (old, new) pairs of keys in both whose values
    differ, each by key order."""
    added = [new[k] for k in sorted(new.keys() - old.keys())]
    removed = [old[k] for k in sorted(old.keys() - new.keys())]
    differ = sorted(k for k in old.keys() & new.keys() if old[k] != new[k])  # only the few that differ sorted
    return added, removed, [(old[k], new[k]) for k in differ]


_ENDPOINT_ROW: Callable[[Endpoint], tuple[Hashable, ...]] = attrgetter(*(f.name for f in fields(Endpoint)))


def _split_rows(old: Mapping[str, Endpoint], new: Mapping[str, Endpoint]
                ) -> tuple[list[Endpoint], list[Endpoint], list[tuple[Endpoint, Endpoint]]]:
    """:func:`_split` for endpoints keyed by MAC, the few that differ found by set operations on their
    field values (200,000 endpoints: no Python-level comparison per endpoint). An endpoint's row
    starts with its MAC, its key."""
    rows_old, rows_new = set(map(_ENDPOINT_ROW, old.values())), set(map(_ENDPOINT_ROW, new.values()))
    differ = sorted({str(row[0]) for row in rows_old ^ rows_new})
    added = [new[k] for k in differ if k not in old]
    removed = [old[k] for k in differ if k not in new]
    return added, removed, [(old[k], new[k]) for k in differ if k in old and k in new]


def _links(topology: Topology) -> dict[LinkKey, Link]:
    return {link.key: link for link in topology.links}


def _nodes(topology: Topology) -> dict[str, Node]:
    return {node_id: node for node_id, node in topology.nodes.items() if node.kind is not NodeKind.ENDPOINT}


def _neighbors(topology: Topology) -> dict[str, set[str]]:
    """Each node's L2 neighbors (nodes with no L2 link: an empty set)."""
    reach: dict[str, set[str]] = {node_id: set() for node_id in topology.nodes}
    for link in topology.links:
        if link.layer == L2 and link.a.node != link.b.node:
            reach.setdefault(link.a.node, set()).add(link.b.node)
            reach.setdefault(link.b.node, set()).add(link.a.node)
    return reach


def _neighbor_changes(old: Topology, new: Topology) -> tuple[NeighborChange, ...]:
    before, after = _neighbors(old), _neighbors(new)
    return tuple(NeighborChange(node, added=tuple(sorted(after[node] - before[node])),
                                removed=tuple(sorted(before[node] - after[node])))
                 for node in sorted(before.keys() & after.keys()) if before[node] != after[node])


def _link_part(old: Topology, new: Topology) -> dict[str, Any]:
    added, removed, both = _split(_links(old), _links(new))
    changed = [LinkChange(a, b, fields) for a, b in both if (fields := _differing(a, b, _LINK_FIELDS))]
    return {"links_added": tuple(added), "links_removed": tuple(removed), "links_changed": tuple(changed)}


def _node_part(old: Topology, new: Topology) -> dict[str, Any]:
    added, removed, both = _split(_nodes(old), _nodes(new))
    changed = [NodeChange(a, b, fields) for a, b in both if (fields := _differing(a, b, _NODE_FIELDS))]
    return {"nodes_added": tuple(added), "nodes_removed": tuple(removed), "nodes_changed": tuple(changed)}


def _endpoint_part(old: Topology, new: Topology) -> dict[str, Any]:
    added, removed, both = _split_rows({e.mac: e for e in old.endpoints}, {e.mac: e for e in new.endpoints})
    moved: list[EndpointChange] = []
    changed: list[EndpointChange] = []
    for before, after in both:
        if place := _differing(before, after, _PLACE_FIELDS):
            moved.append(EndpointChange(before, after, place + _differing(before, after, _ENDPOINT_FIELDS)))
        elif other := _differing(before, after, _ENDPOINT_FIELDS):
            changed.append(EndpointChange(before, after, other))
    return {"endpoints_added": tuple(added), "endpoints_removed": tuple(removed),
            "endpoints_moved": tuple(moved), "endpoints_changed": tuple(changed)}


def diff(old: Topology, new: Topology) -> TopologyDiff:
    """What changed from ``old`` to ``new`` (see the module docstring for how things are matched)."""
    return TopologyDiff(old=old.label, new=new.label, **_link_part(old, new), **_node_part(old, new),
                        **_endpoint_part(old, new), neighbors_changed=_neighbor_changes(old, new))
