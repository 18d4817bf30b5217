"""What is fragile in a built topology (``netatlas topology analysis``). Pure code.

* **Single points of failure** on the physical graph: the L2 cables between managed devices
  (unmanaged neighbors only when asked). A *critical device* is an articulation point (its loss
  splits the graph), a *critical cable* a bridge (its loss splits it). Parallel cables between two
  devices (port-channel members included) back each other up, so none of them is a bridge. An L3
  path elsewhere does not make an L2 bridge safe: the basis is cables, and the result says so.
  For each, the nodes and sites cut off: every part of the split but the largest (on a tie, the
  part holding the smallest node id stays).
* **Isolated devices**: managed devices with no link of any layer.
* **One-sided links** and **conflicts**, as the builder found them.
* **Speed/duplex mismatches** on cables where both interfaces show a value and the values differ.
* **Failed devices** and the links known only from their neighbors (the failed device's own
  records do not report them).

One depth-first search (iterative, linear in nodes + cables) finds the articulation points, the
bridges and, from the DFS tree's preorder ranges, what each of them cuts off.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, NamedTuple

from netatlas.domain.records import Interface
from netatlas.topology.model import (
    L2,
    End,
    Link,
    LinkState,
    NodeKind,
    Problem,
    ProblemKind,
    Topology,
    TopologyInput,
)

CUT_OFF_SHOWN = 20  # node names listed per single point of failure (the count is always exact)
BASIS = "L2 cables between managed devices"
BASIS_UNMANAGED = "L2 cables between managed devices and unmanaged neighbors"

# The interface attributes compared across a cable: (Interface attribute, name shown). A value
# that is None or "" means "not shown" and is never a mismatch.
MISMATCH_ATTRIBUTES: tuple[tuple[str, str], ...] = (("speed_mbps", "speed"), ("duplex", "duplex"))


class Section(NamedTuple):
    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CutOff:
    """What a single point of failure separates from the rest: ``count`` nodes, the first
    ``nodes`` of them by id, and every site among them."""

    count: int
    nodes: tuple[str, ...]
    sites: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "nodes": list(self.nodes), "more": self.count - len(self.nodes),
                "sites": list(self.sites)}

    def describe(self) -> str:
        """
        Examples:
            >>> CutOff(3, ("sw1", "sw2"), ("hq",)).describe()
            'cuts off 3 nodes: sw1, sw2 (+1 more); sites: hq'
        """
        more = f" (+{self.count - len(self.nodes)} more)" if self.count > len(self.nodes) else ""
        sites = f"; sites: {', '.join(self.sites)}" if self.sites else ""
        noun = "node" if self.count == 1 else "nodes"
        return f"cuts off {self.count} {noun}: {', '.join(self.nodes)}{more}{sites}"


@dataclass(frozen=True, slots=True)
class CriticalDevice:
    """An articulation point of the cable graph."""

    node: str
    cut_off: CutOff

    def as_dict(self) -> dict[str, Any]:
        return {"node": self.node, "cut_off": self.cut_off.as_dict()}


@dataclass(frozen=True, slots=True)
class CriticalCable:
    """A bridge of the cable graph: the only cable between its two ends' parts."""

    link: Link
    cut_off: CutOff

    def as_dict(self) -> dict[str, Any]:
        return {"a": self.link.a._asdict(), "b": self.link.b._asdict(), "cut_off": self.cut_off.as_dict()}


@dataclass(frozen=True, slots=True)
class Mismatch:
    """Both interfaces of a cable show ``attribute`` and disagree."""

    link: Link
    attribute: str  # "speed" | "duplex"
    a_value: str
    b_value: str

    def as_dict(self) -> dict[str, Any]:
        return {"a": self.link.a._asdict(), "b": self.link.b._asdict(), "attribute": self.attribute,
                "a_value": self.a_value, "b_value": self.b_value}


@dataclass(frozen=True, slots=True)
class FailedDevice:
    """A device without a good collection in this view, and the links only its neighbors report."""

    node: str
    status: str  # failed | not_collected
    error_kind: str
    error: str
    hidden_links: tuple[Link, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"node": self.node, "status": self.status, "error_kind": self.error_kind, "error": self.error,
                "links_from_neighbors": [_link_dict(link) for link in self.hidden_links]}


@dataclass(frozen=True, slots=True)
class Analysis:
    """The findings, each tuple sorted. Strings in :meth:`lines` hold device text (names,
    interfaces): print them through the CLI's escaping helpers."""

    basis: str
    critical_devices: tuple[CriticalDevice, ...]
    critical_cables: tuple[CriticalCable, ...]
    isolated: tuple[str, ...]
    one_sided: tuple[Link, ...]
    conflicts: tuple[Problem, ...]
    mismatches: tuple[Mismatch, ...]
    failed: tuple[FailedDevice, ...]
    label: str = "current"

    @property
    def single_points_of_failure(self) -> int:
        return len(self.critical_devices) + len(self.critical_cables)

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "single_points_of_failure": {
                "basis": self.basis,
                "devices": [d.as_dict() for d in self.critical_devices],
                "cables": [c.as_dict() for c in self.critical_cables],
            },
            "isolated": list(self.isolated),
            "one_sided": [_link_dict(link) for link in self.one_sided],
            "conflicts": [p.as_dict() for p in self.conflicts],
            "mismatches": [m.as_dict() for m in self.mismatches],
            "failed": [f.as_dict() for f in self.failed],
        }

    def sections(self) -> tuple[Section, ...]:
        return (
            Section(f"Critical devices (basis: {self.basis})",
                    tuple(f"{d.node}: {d.cut_off.describe()}" for d in self.critical_devices)),
            Section(f"Critical cables (basis: {self.basis})",
                    tuple(f"{_cable(c.link)}: {c.cut_off.describe()}" for c in self.critical_cables)),
            Section("Isolated devices (no link of any layer)", self.isolated),
            Section("One-sided links (the other end does not report them)",
                    tuple(f"{_cable(link)} [{link.layer}] reported by {', '.join(link.reported_by) or '-'}"
                          for link in self.one_sided)),
            Section("Conflicts", tuple(p.message for p in self.conflicts)),
            Section("Speed/duplex mismatches",
                    tuple(f"{_cable(m.link)}: {m.attribute} {m.a_value} vs {m.b_value}" for m in self.mismatches)),
            Section("Devices that failed discovery (links known only from their neighbors)",
                    tuple(chain.from_iterable(_failed_lines(f) for f in self.failed))),
        )

    def lines(self) -> list[str]:
        """Plain text: each section's title with its count, then its items indented."""
        out: list[str] = []
        for section in self.sections():
            out.append(f"{section.title}: {len(section.lines)}")
            out.extend(f"  {line}" for line in section.lines)
        return out


def analyse(inp: TopologyInput, topology: Topology, *, unmanaged: bool = False,
            shown: int = CUT_OFF_SHOWN) -> Analysis:
    """Analyse ``topology`` (built from ``inp``). ``unmanaged``: unmanaged neighbors join the cable
    graph (a switch with a phone behind it then counts as critical for the phone); ``shown``: node
    names listed per single point of failure."""
    kinds = {NodeKind.DEVICE, NodeKind.UNMANAGED} if unmanaged else {NodeKind.DEVICE}
    cables = _cable_graph(topology, kinds)
    devices, cable_cuts = _single_points(cables, topology, shown)
    return Analysis(
        basis=BASIS_UNMANAGED if unmanaged else BASIS,
        critical_devices=devices,
        critical_cables=cable_cuts,
        isolated=_isolated(topology),
        one_sided=tuple(sorted((lk for lk in topology.links if lk.state is LinkState.ONE_SIDED), key=_link_order)),
        conflicts=tuple(sorted((p for p in topology.problems if p.kind is ProblemKind.CONFLICT), key=_problem_order)),
        mismatches=_mismatches(inp, topology),
        failed=_failed(inp, topology),
        label=topology.label,
    )


# -- the cable graph and its single points of failure ------------------------------------------


@dataclass(slots=True)
class _Cables:
    """The cable graph with nodes numbered in id order: ``adjacency[i]`` maps a neighbor's number
    to the number of cables between them; ``links`` the cable(s) of each pair (low, high)."""

    ids: list[str]
    adjacency: list[dict[int, int]]
    links: dict[tuple[int, int], list[Link]] = field(default_factory=dict)


def _cable_graph(topology: Topology, kinds: set[NodeKind]) -> _Cables:
    ids = sorted(node.id for node in topology.nodes.values() if node.kind in kinds)
    number = {node_id: i for i, node_id in enumerate(ids)}
    graph = _Cables(ids, [{} for _ in ids])
    for link in sorted(topology.links_of(L2), key=_link_order):
        a, b = number.get(link.a.node), number.get(link.b.node)
        if a is None or b is None or a == b:
            continue
        graph.adjacency[a][b] = graph.adjacency[a].get(b, 0) + 1
        graph.adjacency[b][a] = graph.adjacency[b].get(a, 0) + 1
        graph.links.setdefault((min(a, b), max(a, b)), []).append(link)
    return graph


@dataclass(slots=True)
class _Tree:
    """A depth-first forest: preorder numbers, lowpoints, parents, children and subtree sizes (by
    node number); ``order`` lists node numbers in preorder, so a subtree is a contiguous range. Each
    tree's root is the smallest node number of its component."""

    order: list[int]
    pre: list[int]
    low: list[int]
    parent: list[int]
    children: list[list[int]]
    size: list[int]
    root: list[int]
    smallest: list[int]  # the smallest node number in each node's subtree (breaks ties between parts)


def _dfs(adjacency: Sequence[dict[int, int]]) -> _Tree:
    count = len(adjacency)
    tree = _Tree([], [-1] * count, [0] * count, [-1] * count, [[] for _ in range(count)], [1] * count, [0] * count,
                 list(range(count)))
    for start in range(count):
        if tree.pre[start] == -1:
            _visit(adjacency, tree, start)
    return tree


def _visit(adjacency: Sequence[dict[int, int]], tree: _Tree, start: int) -> None:
    _enter(tree, start, -1, start)
    stack: list[tuple[int, Iterator[tuple[int, int]]]] = [(start, iter(adjacency[start].items()))]
    while stack:
        node, neighbors = stack[-1]
        for other, cables in neighbors:
            if tree.pre[other] == -1:
                _enter(tree, other, node, start)
                stack.append((other, iter(adjacency[other].items())))
                break
            if other != tree.parent[node] or cables > 1:  # a parallel cable to the parent is a back edge
                tree.low[node] = min(tree.low[node], tree.pre[other])
        else:
            stack.pop()
            parent = tree.parent[node]
            if parent != -1:
                tree.low[parent] = min(tree.low[parent], tree.low[node])
                tree.size[parent] += tree.size[node]
                tree.smallest[parent] = min(tree.smallest[parent], tree.smallest[node])


def _enter(tree: _Tree, node: int, parent: int, root: int) -> None:
    tree.pre[node] = tree.low[node] = len(tree.order)
    tree.order.append(node)
    tree.parent[node] = parent
    tree.root[node] = root
    if parent != -1:
        tree.children[parent].append(node)


class _Part(NamedTuple):
    """One part of a split: its size, its smallest node number, its preorder ranges."""

    size: int
    smallest: int
    ranges: tuple[range, ...]


def _single_points(cables: _Cables, topology: Topology,
                   shown: int) -> tuple[tuple[CriticalDevice, ...], tuple[CriticalCable, ...]]:
    tree = _dfs(cables.adjacency)
    sites = [topology.nodes[cables.ids[node]].site for node in tree.order]  # in preorder
    cut = _Cutter(tree, cables.ids, sites, shown)
    devices = [CriticalDevice(cables.ids[node], cut.off(parts)) for node in range(len(cables.ids))
               if len(parts := _vertex_parts(tree, node)) > 1]
    bridges: list[CriticalCable] = []
    for child, parent in enumerate(tree.parent):
        if parent != -1 and tree.low[child] > tree.pre[parent]:
            link = cables.links[(min(child, parent), max(child, parent))][0]
            bridges.append(CriticalCable(link, cut.off(_edge_parts(tree, child))))
    return tuple(devices), tuple(sorted(bridges, key=lambda c: _link_order(c.link)))


def _subtree(tree: _Tree, node: int) -> range:
    return range(tree.pre[node], tree.pre[node] + tree.size[node])


def _vertex_parts(tree: _Tree, node: int) -> list[_Part]:
    """The parts the graph splits into without ``node`` (one part: not an articulation point)."""
    root = tree.root[node]
    separated = [c for c in tree.children[node] if node == root or tree.low[c] >= tree.pre[node]]
    if not separated:
        return []
    parts = [_Part(tree.size[c], tree.smallest[c], (_subtree(tree, c),)) for c in separated]
    if node != root:
        joined = [c for c in tree.children[node] if tree.low[c] < tree.pre[node]]
        rest = _minus(_subtree(tree, root), _subtree(tree, node))
        ranges = rest + tuple(_subtree(tree, c) for c in joined)
        parts.append(_Part(sum(len(r) for r in ranges), root, ranges))
    return parts


def _edge_parts(tree: _Tree, child: int) -> list[_Part]:
    """The two parts a bridge (a tree edge parent-``child``) splits its component into."""
    root = tree.root[child]
    inner = _subtree(tree, child)
    rest = _minus(_subtree(tree, root), inner)
    return [_Part(len(inner), tree.smallest[child], (inner,)),
            _Part(sum(len(r) for r in rest), root, rest)]


def _minus(outer: range, inner: range) -> tuple[range, ...]:
    return tuple(r for r in (range(outer.start, inner.start), range(inner.stop, outer.stop)) if r)


@dataclass(slots=True)
class _Cutter:
    tree: _Tree
    ids: list[str]  # by node number
    sites: list[str]  # by preorder position
    shown: int

    def off(self, parts: list[_Part]) -> CutOff:
        """All parts but the largest (on a tie, the one with the smallest node stays)."""
        stays = max(parts, key=lambda p: (p.size, -p.smallest))
        ranges = [r for p in parts if p is not stays for r in p.ranges]
        order, sites = self.tree.order, self.sites
        first = sorted(chain.from_iterable(order[r.start:r.stop] for r in ranges))[:self.shown]  # C speed
        seen = set(chain.from_iterable(sites[r.start:r.stop] for r in ranges)) - {""}
        return CutOff(sum(len(r) for r in ranges), tuple(self.ids[n] for n in first), tuple(sorted(seen)))


# -- the other findings -------------------------------------------------------------------------


def _isolated(topology: Topology) -> tuple[str, ...]:
    linked = {end.node for link in topology.links for end in link.ends()}
    return tuple(sorted(n.id for n in topology.nodes.values() if n.kind is NodeKind.DEVICE and n.id not in linked))


def _mismatches(inp: TopologyInput, topology: Topology) -> tuple[Mismatch, ...]:
    cables = [link for link in topology.links_of(L2) if link.a.node != link.b.node]
    wanted = {end for link in cables for end in link.ends()}
    wanted_nodes = {end.node for end in wanted}
    interfaces: dict[End, Interface] = {}
    for device in inp.devices:
        if device.name in wanted_nodes:
            interfaces.update((End(device.name, i.name), i) for i in device.records.interfaces
                              if End(device.name, i.name) in wanted)
    found = [m for link in cables for m in _compare(link, interfaces.get(link.a), interfaces.get(link.b))]
    return tuple(sorted(found, key=lambda m: (_link_order(m.link), m.attribute)))


def _compare(link: Link, a: Interface | None, b: Interface | None) -> Iterator[Mismatch]:
    if a is None or b is None:
        return
    for attribute, shown_as in MISMATCH_ATTRIBUTES:
        a_value, b_value = getattr(a, attribute), getattr(b, attribute)
        if a_value not in (None, "") and b_value not in (None, "") and a_value != b_value:
            yield Mismatch(link, shown_as, str(a_value), str(b_value))


def _failed(inp: TopologyInput, topology: Topology) -> tuple[FailedDevice, ...]:
    failed = {d.name: d for d in inp.devices if not d.collected or d.error_kind}
    hidden: dict[str, list[Link]] = {name: [] for name in failed}
    for link in topology.links:
        for node in {link.a.node, link.b.node} & failed.keys():
            if node not in link.reported_by:
                hidden[node].append(link)
    return tuple(FailedDevice(name, "failed" if d.error_kind else "not_collected", d.error_kind, d.error,
                              tuple(sorted(hidden[name], key=_link_order)))
                 for name, d in sorted(failed.items()))


# -- ordering and text --------------------------------------------------------------------------


def _link_order(link: Link) -> tuple[str, End, End, str]:
    return link.layer, link.a, link.b, link.vrf


def _problem_order(problem: Problem) -> tuple[tuple[End, ...], tuple[str, ...], str]:
    return problem.ends, problem.nodes, problem.message


def _link_dict(link: Link) -> dict[str, Any]:
    return {**link.as_dict(), "state": link.state.value, "reported_by": list(link.reported_by)}


def _end(end: End) -> str:
    return f"{end.node} {end.interface}".rstrip()


def _cable(link: Link) -> str:
    """
    Examples:
        >>> _cable(Link(End("dist1", "Gi1/0/6"), End("sw1", "Gi1/0/1"), "l2", ("cdp",)))
        'dist1 Gi1/0/6 -- sw1 Gi1/0/1'
    """
    return f"{_end(link.a)} -- {_end(link.b)}"


def _failed_lines(failed: FailedDevice) -> Iterator[str]:
    reason = f" ({failed.error_kind})" if failed.error_kind else ""
    yield f"{failed.node}: {failed.status}{reason}, {len(failed.hidden_links)} links known only from neighbors"
    for link in failed.hidden_links:
        yield f"  {_cable(link)} [{link.layer}] reported by {', '.join(link.reported_by) or '-'}"
