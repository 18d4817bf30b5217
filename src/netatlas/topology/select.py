"""Parts of a topology and its counts (``netatlas topology show`` and ``netatlas topology summary``).
Pure code.

:func:`select` keeps the nodes that match every filter given, the links of the chosen layer
between them, and the endpoints on kept switches. Node names are matched exactly, never by prefix:
``sw1`` is never ``sw10``.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from typing import Any

from netatlas.domain.names import normalize_hostname
from netatlas.topology.analysis import Analysis
from netatlas.topology.model import L2, L3, Link, LinkState, Node, NodeKind, ProblemKind, Topology

LAYERS: dict[str, tuple[str, ...]] = {L2: (L2,), L3: (L3,), "all": (L2, L3)}
STATUSES = ("ok", "failed", "not_collected")


class UnknownNode(LookupError):
    """``--node`` names no node. ``suggestions``: nodes that are exactly that name once normalised
    (case, domain, another name it was heard by, its management address) -- never a prefix match."""

    def __init__(self, node: str, suggestions: tuple[str, ...] = ()) -> None:
        self.node = node
        self.suggestions = suggestions
        hint = f"; did you mean {' or '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"no node named {node!r} in the topology{hint}")


def select(topology: Topology, *, layer: str | None = None, site: str | None = None, role: str | None = None,
           node: str | None = None, depth: int = 1) -> Topology:
    """A new topology: the nodes matching ``site`` and ``role`` (case-insensitive, exact), the links
    of ``layer`` (``l2``, ``l3``, ``all``/None) between them, the endpoints on kept switches, the
    problems that name a kept node.

    An unmanaged neighbor without a site (role) of its own is kept with a kept device it is linked to.
    ``node``: only its neighbourhood within ``depth`` hops over ``layer``'s links among the nodes the
    filters keep (the node itself always). Raises :class:`UnknownNode` (a ``LookupError``) for an
    unknown node and ``ValueError`` for an unknown layer or a negative depth.

    Examples:
        >>> from netatlas.topology.model import End
        >>> t = Topology({n: Node(n, NodeKind.DEVICE) for n in ("sw1", "sw10", "sw2")},
        ...              [Link(End("sw1", "Eth1"), End("sw10", "Eth1"), "l2", ("lldp",)),
        ...               Link(End("sw10", "Eth2"), End("sw2", "Eth2"), "l2", ("lldp",))], [])
        >>> sorted(select(t, node="sw1", depth=1).nodes)
        ['sw1', 'sw10']
        >>> select(t, node="SW1")
        Traceback (most recent call last):
        ...
        netatlas.topology.select.UnknownNode: no node named 'SW1' in the topology; did you mean 'sw1'?
    """
    layers = _layers(layer)
    if depth < 0:
        raise ValueError(f"depth must be 0 or more, not {depth}")
    links = [link for link in topology.links if link.layer in layers]
    keep = _matching(topology, links, site=site, role=role)
    if node is not None:
        keep = _neighbourhood(_resolve(topology, node), links, keep, depth)
    return _restricted(topology, keep, links)


def summary(topology: Topology, analysis: Analysis | None = None) -> dict[str, Any]:
    """Counts, JSON-ready: devices by status, unmanaged neighbors, endpoints, links by layer and by
    protocol, one-sided links, problems by kind; with ``analysis``, its findings counted.

    Examples:
        >>> from netatlas.topology.model import End
        >>> t = Topology({"a": Node("a", NodeKind.DEVICE), "b": Node("b", NodeKind.DEVICE, status="failed")},
        ...              [Link(End("a", "Eth1"), End("b", "Eth1"), "l2", ("cdp", "lldp"))], [])
        >>> s = summary(t)
        >>> s["devices"], s["links"], s["protocols"]["l2"]
        ({'total': 2, 'ok': 1, 'failed': 1, 'not_collected': 0}, {'total': 1, 'l2': 1, 'l3': 0}, {'cdp': 1, 'lldp': 1})
    """
    kinds = Counter(n.kind for n in topology.nodes.values())
    statuses = Counter(n.status for n in topology.nodes.values() if n.kind is NodeKind.DEVICE)
    layers = Counter(link.layer for link in topology.links)
    problems = Counter(p.kind.value for p in topology.problems)
    out: dict[str, Any] = {
        "label": topology.label,
        "devices": {"total": kinds[NodeKind.DEVICE], **{s: statuses[s] for s in _ordered(STATUSES, statuses)}},
        "unmanaged": kinds[NodeKind.UNMANAGED],
        "endpoints": len(topology.endpoints),
        "links": {"total": len(topology.links), **{one: layers[one] for one in _ordered((L2, L3), layers)}},
        "protocols": {one: _protocols(topology.links_of(one)) for one in _ordered((L2, L3), layers)},
        "one_sided": sum(1 for link in topology.links if link.state is LinkState.ONE_SIDED),
        "conflicts": problems[ProblemKind.CONFLICT.value],
        "problems": dict(sorted(problems.items())),
    }
    if analysis is not None:
        out["single_points_of_failure"] = {"devices": len(analysis.critical_devices),
                                           "cables": len(analysis.critical_cables), "basis": analysis.basis}
        out["isolated"] = len(analysis.isolated)
        out["mismatches"] = len(analysis.mismatches)
        out["hidden_links"] = sum(len(f.hidden_links) for f in analysis.failed)
    return out


def _ordered(known: Iterable[str], counts: Counter[str]) -> list[str]:
    """The known keys first (always, even at 0), then any other key counted, sorted."""
    known = list(known)
    return known + sorted(k for k in counts if k not in known)


def _protocols(links: Iterable[Link]) -> dict[str, int]:
    counts = Counter(protocol for link in links for protocol in link.protocols)
    return dict(sorted(counts.items()))


def _layers(layer: str | None) -> tuple[str, ...]:
    if layer is None:
        return LAYERS["all"]
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}: choose one of {', '.join(LAYERS)}")
    return LAYERS[layer]


def _matches(node: Node, site: str | None, role: str | None) -> bool:
    return all(wanted is None or have.casefold() == wanted.casefold()
               for have, wanted in ((node.site, site), (node.role, role)))


def _inherits(node: Node, site: str | None, role: str | None) -> bool:
    """An unmanaged neighbor with no value of its own for a filter given takes its device's."""
    return node.kind is NodeKind.UNMANAGED and _matches(node, site if node.site else None, role if node.role else None)


def _matching(topology: Topology, links: list[Link], *, site: str | None, role: str | None) -> set[str]:
    nodes = topology.nodes
    keep = {n.id for n in nodes.values() if n.kind is not NodeKind.ENDPOINT and _matches(n, site, role)}
    if site is None and role is None:
        return keep
    for link in links:
        for near, far in ((link.a.node, link.b.node), (link.b.node, link.a.node)):
            if near in keep and far in nodes and far not in keep and nodes[near].kind is NodeKind.DEVICE \
                    and _inherits(nodes[far], site, role):
                keep.add(far)
    return keep


def _resolve(topology: Topology, name: str) -> str:
    if name in topology.nodes:
        return name
    wanted = {name.strip().casefold(), normalize_hostname(name)}
    suggestions = sorted(n.id for n in topology.nodes.values()
                         if n.id.casefold() in wanted or n.mgmt_ip == name.strip()
                         or any(other.casefold() in wanted for other in n.names))
    raise UnknownNode(name, tuple(suggestions))


def _neighbourhood(start: str, links: list[Link], allowed: set[str], depth: int) -> set[str]:
    """Breadth-first from ``start`` over ``links`` through ``allowed`` nodes, at most ``depth`` hops."""
    adjacent: dict[str, set[str]] = {}
    for link in links:
        if link.a.node in allowed or link.a.node == start:
            adjacent.setdefault(link.a.node, set()).add(link.b.node)
        if link.b.node in allowed or link.b.node == start:
            adjacent.setdefault(link.b.node, set()).add(link.a.node)
    hops = {start: 0}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        if hops[here] == depth:
            continue
        for there in adjacent.get(here, ()):
            if there not in hops and there in allowed:
                hops[there] = hops[here] + 1
                queue.append(there)
    return set(hops)


def _restricted(topology: Topology, keep: set[str], links: list[Link]) -> Topology:
    endpoints = [e for e in topology.endpoints if e.node in keep]
    macs = {e.mac for e in endpoints}
    nodes = {i: n for i, n in topology.nodes.items() if i in keep or (n.kind is NodeKind.ENDPOINT and i in macs)}
    return Topology(
        nodes=nodes,
        links=[link for link in links if link.a.node in keep and link.b.node in keep],
        endpoints=endpoints,
        problems=[p for p in topology.problems if not keep.isdisjoint([*p.nodes, *(e.node for e in p.ends)])],
        label=topology.label,
    )
