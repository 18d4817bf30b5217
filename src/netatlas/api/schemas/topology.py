"""The topology on the wire: the same documents as ``netatlas topology ... --json``.

Handlers build the documents with the topology's own ``as_dict`` methods (and :func:`topology_document`
for ``show``, as the CLI does); these models describe them for the OpenAPI spec, so a client knows
every field. Names, interfaces and messages come from devices: they are JSON strings, never markup.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from netatlas.api.schemas.jobs import PLAIN
from netatlas.domain.jsonable import to_jsonable
from netatlas.store.layout import BOUND as LAYOUT_BOUND
from netatlas.store.layout import MAX_POSITIONS
from netatlas.store.tables import LAYOUT_NODE
from netatlas.topology.model import Endpoint, Link, Node, Topology

EndpointsMode = Literal["all", "count", "none"]
LayoutNode = Annotated[str, StringConstraints(min_length=1, max_length=LAYOUT_NODE, pattern=PLAIN)]


class EndOut(BaseModel):
    node: str
    interface: str = Field(description="Canonical interface name; empty for an L3 end named by its node only.")


class NodeOut(BaseModel):
    id: str
    kind: str = Field(description="device, unmanaged or endpoint")
    platform: str | None
    mgmt_ip: str | None
    site: str
    role: str
    status: str = Field(description="devices: ok, failed or not_collected")
    error_kind: str | None
    names: list[str] = Field(description="Other names it was heard by.")


class LinkOut(BaseModel):
    a: EndOut
    b: EndOut
    layer: str = Field(description="l2 (a cable) or l3 (an adjacency)")
    protocols: list[str]
    vrf: str
    state: str = Field(description="reported, one_sided, confirmed, added...")
    reported_by: list[str]
    channel_a: str
    channel_b: str
    detail: dict[str, Any] = Field(description="OSPF area, BGP ASNs and state, static prefixes...")
    override_id: int | None


class EndpointOut(BaseModel):
    mac: str
    ip: str | None
    vlan: int | None
    node: str = Field(description="The switch.")
    interface: str = Field(description="Its edge port.")


class ProblemOut(BaseModel):
    kind: str
    message: str
    nodes: list[str]
    ends: list[EndOut]


class TopologyCounts(BaseModel):
    devices: int
    unmanaged: int
    links: int
    l2: int
    l3: int
    endpoints: int
    problems: int


class TopologyOut(BaseModel):
    label: str = Field(description="current, or the job id it was built from")
    counts: TopologyCounts = Field(description="Everything the topology holds, whatever `endpoints` asked for.")
    nodes: list[NodeOut]
    links: list[LinkOut]
    endpoints: list[EndpointOut] = Field(description="Every endpoint with `endpoints=all` (the default); empty "
                                                     "with `count` or `none`.")
    endpoint_counts: dict[str, int] | None = Field(None, description="With `endpoints=count` only: endpoints per "
                                                                     "switch (node id -> number; switches with none "
                                                                     "are left out).")
    problems: list[ProblemOut]


class AttachedOut(BaseModel):
    label: str = Field(description="current, or the job id it was built from")
    nodes: list[str] | None = Field(description="The switches asked for (sorted); null: every endpoint.")
    endpoints: list[EndpointOut] = Field(description="Ordered by switch, port and MAC.")


class PositionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    x: float = Field(ge=-LAYOUT_BOUND, le=LAYOUT_BOUND, allow_inf_nan=False)
    y: float = Field(ge=-LAYOUT_BOUND, le=LAYOUT_BOUND, allow_inf_nan=False)


class LayoutIn(BaseModel):
    """Positions to store: merged into the layout (``null`` forgets one), or ``replace`` it whole."""

    model_config = ConfigDict(extra="forbid")

    positions: dict[LayoutNode, PositionIn | None] = Field(
        max_length=MAX_POSITIONS, description="Map element id (a node id, `grp:`/`site:` group, `ep:` endpoint) "
                                              "-> its position in model units; null forgets it.")
    replace: bool = Field(False, description="Forget every position not in `positions` (an empty `positions` "
                                             "with `replace` resets the layout).")


class PositionOut(BaseModel):
    x: float
    y: float


class LayoutOut(BaseModel):
    positions: dict[str, PositionOut]
    count: int = Field(description="Positions stored.")
    updated_at: str | None = Field(description="When it was last changed (ISO 8601, UTC).")
    updated_by: str = Field(description="Who changed it last (user or token label).")


class SpofCounts(BaseModel):
    devices: int
    cables: int
    basis: str


class SummaryOut(BaseModel):
    label: str
    devices: dict[str, int] = Field(description="total, and per status (ok, failed, not_collected)")
    unmanaged: int
    endpoints: int
    links: dict[str, int] = Field(description="total, and per layer")
    protocols: dict[str, dict[str, int]] = Field(description="layer -> protocol -> links")
    one_sided: int
    conflicts: int
    problems: dict[str, int]
    single_points_of_failure: SpofCounts
    isolated: int
    mismatches: int
    hidden_links: int


class PathLinkOut(BaseModel):
    a: EndOut
    b: EndOut
    layer: str
    protocols: list[str]
    vrf: str
    state: str
    channel_a: str
    channel_b: str


class HopOut(BaseModel):
    id: int
    parent: int | None
    branch: int
    depth: int
    device: str
    vrf: str
    ingress: str
    egress: str
    prefix: str
    protocol: str
    next_hop: str
    links: list[PathLinkOut] = Field(description="The L2 cables the egress interface crosses.")
    stop: str | None = Field(description="Set on a branch's last hop: delivered, no_route, loop...")
    message: str
    note: str
    mac: str
    access: EndOut | None


class BranchOut(BaseModel):
    id: int
    stop: str | None
    message: str
    hops: list[int]


class PathOut(BaseModel):
    source: str
    destination: str
    vrf: str
    complete: bool = Field(description="Every branch reached the destination.")
    hops: list[HopOut]
    branches: list[BranchOut]


class PlaceOut(BaseModel):
    node: str
    interface: str
    vlan: int | None
    mac: str | None
    ip: str | None
    port: str | None = Field(description="The host's own interface, when the host is a node of the topology.")


class SightingOut(BaseModel):
    job_id: str
    at: str | None
    places: list[PlaceOut]


class MoveOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    before: SightingOut = Field(alias="from")
    after: SightingOut = Field(alias="to")


class WhereOut(BaseModel):
    query: str
    kind: str = Field(description="mac, ip or name")
    key: str
    found: bool
    now: list[PlaceOut]
    nodes: list[str]
    history: list[SightingOut] = Field(description="Earlier runs, oldest first.")
    moves: list[MoveOut]


class StateLinkOut(BaseModel):
    a: EndOut
    b: EndOut
    layer: str
    protocols: list[str]
    vrf: str
    state: str


class ReportedLinkOut(StateLinkOut):
    reported_by: list[str]


class CutOffOut(BaseModel):
    count: int
    nodes: list[str]
    more: int
    sites: list[str]


class CriticalDeviceOut(BaseModel):
    node: str
    cut_off: CutOffOut


class CriticalCableOut(BaseModel):
    a: EndOut
    b: EndOut
    cut_off: CutOffOut


class SpofOut(BaseModel):
    basis: str
    devices: list[CriticalDeviceOut]
    cables: list[CriticalCableOut]


class MismatchOut(BaseModel):
    a: EndOut
    b: EndOut
    attribute: str
    a_value: str
    b_value: str


class FailedOut(BaseModel):
    node: str
    status: str
    error_kind: str
    error: str
    links_from_neighbors: list[ReportedLinkOut]


class AnalysisOut(BaseModel):
    label: str
    single_points_of_failure: SpofOut
    isolated: list[str]
    one_sided: list[ReportedLinkOut]
    conflicts: list[ProblemOut]
    mismatches: list[MismatchOut]
    failed: list[FailedOut]


class DiffNodeOut(BaseModel):
    id: str
    kind: str
    platform: str | None
    mgmt_ip: str | None
    site: str
    role: str
    status: str


class LinkChangeOut(BaseModel):
    before: StateLinkOut
    after: StateLinkOut
    fields: list[str]


class NodeChangeOut(BaseModel):
    before: DiffNodeOut
    after: DiffNodeOut
    fields: list[str]


class EndpointChangeOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    mac: str
    before: EndpointOut = Field(alias="from")
    after: EndpointOut = Field(alias="to")
    fields: list[str]


class LinkChanges(BaseModel):
    added: list[StateLinkOut]
    removed: list[StateLinkOut]
    changed: list[LinkChangeOut]


class NodeChanges(BaseModel):
    added: list[DiffNodeOut]
    removed: list[DiffNodeOut]
    changed: list[NodeChangeOut]


class EndpointChanges(BaseModel):
    added: list[EndpointOut]
    removed: list[EndpointOut]
    moved: list[EndpointChangeOut]
    changed: list[EndpointChangeOut]


class NeighborChangeOut(BaseModel):
    node: str
    added: list[str]
    removed: list[str]


class DiffOut(BaseModel):
    old: str = Field(description="The older run's job id.")
    new: str
    links: LinkChanges
    nodes: NodeChanges
    endpoints: EndpointChanges
    neighbors_changed: list[NeighborChangeOut]
    counts: dict[str, int]
    empty: bool


class OverrideIn(BaseModel):
    """An operator's word on a link: ``confirm`` or ``ignore`` a discovered one, ``add`` one discovery cannot see."""

    model_config = ConfigDict(extra="forbid")

    action: str = Field(max_length=16, pattern=PLAIN, description="confirm, ignore or add")
    a: str = Field(max_length=512, pattern=PLAIN, description="One end: node:interface (an l3 end may be a bare node).")
    b: str = Field(max_length=512, pattern=PLAIN, description="The other end.")
    layer: str = Field("l2", max_length=8, pattern=PLAIN, description="l2 (a cable) or l3")
    vrf: str = Field("default", max_length=128, pattern=PLAIN, description="The VRF of an l3 link.")
    reason: str = Field("", max_length=1024, description="Why (shown with the override).")


class OverrideOut(BaseModel):
    id: int
    action: str
    a: EndOut
    b: EndOut
    layer: str
    vrf: str
    note: str = Field(description="The reason given.")
    created_by: str = Field(description="Who added it (the user or token label).")


# ---- documents, as the CLI's --json builds them ----------------------------------------------------


def topology_document(topology: Topology, endpoints: EndpointsMode = "all") -> dict[str, Any]:
    """``topology show --json``: every node, link and endpoint with everything the topology knows of it.

    ``endpoints``: ``all`` (the CLI's document), ``count`` (no endpoint listed; ``endpoint_counts``
    per switch instead) or ``none`` (no endpoint listed). ``counts`` is the same in all three."""
    kinds = [n.kind.value for n in topology.nodes.values()]
    counts = {"devices": kinds.count("device"), "unmanaged": kinds.count("unmanaged"),
              "links": len(topology.links), "l2": len(topology.links_of("l2")), "l3": len(topology.links_of("l3")),
              "endpoints": len(topology.endpoints), "problems": len(topology.problems)}
    links = sorted(topology.links, key=lambda link: (link.layer, link.a.node, link.a.interface, link.b.node,
                                                     link.b.interface, link.vrf))
    document: dict[str, Any] = {
        "label": topology.label,
        "counts": counts,
        "nodes": [_node(n) for n in sorted(topology.nodes.values(), key=lambda n: (n.kind.value, n.id))],
        "links": [_link(link) for link in links],
        "endpoints": endpoint_list(topology.endpoints) if endpoints == "all" else [],
    }
    if endpoints == "count":
        document["endpoint_counts"] = dict(sorted(Counter(e.node for e in topology.endpoints).items()))
    document["problems"] = [p.as_dict() for p in topology.problems]
    return document


def endpoint_list(endpoints: list[Endpoint], nodes: frozenset[str] | None = None) -> list[dict[str, Any]]:
    """The endpoints (on ``nodes`` only, when given) as the topology document lists them."""
    kept = endpoints if nodes is None else [e for e in endpoints if e.node in nodes]
    return [e.as_dict() for e in sorted(kept, key=lambda e: (e.node, e.interface, e.mac))]


def _node(node: Node) -> dict[str, Any]:
    return {**node.as_dict(), "status": node.status, "error_kind": node.error_kind or None, "names": list(node.names)}


def _link(link: Link) -> dict[str, Any]:
    return {**link.as_dict(), "state": link.state.value, "reported_by": list(link.reported_by),
            "channel_a": link.channel_a, "channel_b": link.channel_b, "detail": to_jsonable(dict(link.detail)),
            "override_id": link.override_id}
