"""networkx views of a :class:`~netatlas.topology.model.Topology`.

``to_graph`` gives a ``MultiGraph``: one node per topology node (attributes: kind, platform,
mgmt_ip, site, role, status), one edge per link (key: ``layer:vrf:a-interface:b-interface``;
attributes: layer, protocols, vrf, state, the two interfaces). Parallel cables stay parallel edges.
Endpoints are nodes joined to their switch by an ``access`` edge when ``endpoints=True``.
"""

from __future__ import annotations

import networkx as nx

from netatlas.topology.model import Link, NodeKind, Topology

ACCESS = "access"


def edge_key(link: Link) -> str:
    return f"{link.layer}:{link.vrf}:{link.a.interface}|{link.b.interface}"


def to_graph(topology: Topology, layer: str | None = None, *, endpoints: bool = False,
             unmanaged: bool = True) -> nx.MultiGraph[str]:
    """The topology as a MultiGraph: every node (endpoints only with ``endpoints``), the links of
    ``layer`` (all when None)."""
    graph: nx.MultiGraph[str] = nx.MultiGraph()
    for node in topology.nodes.values():
        if node.kind is NodeKind.UNMANAGED and not unmanaged:
            continue
        graph.add_node(node.id, kind=node.kind.value, platform=node.platform or "", mgmt_ip=node.mgmt_ip or "",
                       site=node.site, role=node.role, status=node.status)
    for link in topology.links:
        if layer is not None and link.layer != layer:
            continue
        if link.a.node not in graph or link.b.node not in graph:
            continue
        graph.add_edge(link.a.node, link.b.node, key=edge_key(link), layer=link.layer,
                       protocols=",".join(link.protocols), vrf=link.vrf, state=link.state.value,
                       a_interface=link.a.interface, b_interface=link.b.interface,
                       a_node=link.a.node, b_node=link.b.node)
    if endpoints:
        for endpoint in topology.endpoints:
            graph.add_node(endpoint.mac, kind=NodeKind.ENDPOINT.value, platform="", mgmt_ip=endpoint.ip or "",
                           site=topology.nodes[endpoint.node].site if endpoint.node in topology.nodes else "",
                           role="host", status="ok")
            graph.add_edge(endpoint.node, endpoint.mac, key=f"{ACCESS}:{endpoint.interface}", layer=ACCESS,
                           protocols="mac", vrf=endpoint.vrf, state="reported",
                           a_interface=endpoint.interface, b_interface="", a_node=endpoint.node, b_node=endpoint.mac)
    return graph
