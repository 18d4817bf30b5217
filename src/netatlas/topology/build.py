"""``build``: stored records in, the topology out (see ``docs/topology.md``).

1. identities (``identity``): each CDP/LLDP neighbor is one managed device, exactly, or an
   unmanaged node;
2. L2 cables (``l2``), merged from both ends and both protocols; one-sided and conflicts marked;
3. L3 adjacencies (``l3``), per VRF;
4. endpoints (``endpoints``): each host MAC at its one edge port;
5. the operator's overrides: ``ignore`` removes a link, ``confirm`` marks it (and keeps it when a
   later run no longer sees it), ``add`` adds a link discovery cannot see.
"""

from __future__ import annotations

from dataclasses import replace
from operator import attrgetter

from netatlas.topology.columns import DeviceColumns
from netatlas.topology.endpoints import locate
from netatlas.topology.identity import Resolver
from netatlas.topology.l2 import L2Builder, Ports, channels, interface_ports
from netatlas.topology.l3 import L3Builder
from netatlas.topology.model import (
    DeviceInput,
    End,
    Link,
    LinkState,
    Node,
    NodeKind,
    Override,
    OverrideAction,
    Topology,
    TopologyInput,
)


def build(inp: TopologyInput, names: Ports | None = None) -> Topology:
    """The topology of ``inp``: nodes, L2 and L3 links, endpoints and the problems found. ``names``:
    canonical port names already worked out (a diff builds two runs naming the same ports).

    Examples:
        >>> from netatlas.domain.records import DeviceRecords, Neighbor
        >>> sw1 = DeviceInput("sw1", "cisco_ios", "10.0.0.1", DeviceRecords(neighbors=[
        ...     Neighbor("cdp", "GigabitEthernet1/0/1", "sw10", "Gi1/0/2")]))
        >>> sw10 = DeviceInput("sw10", "cisco_ios", "10.0.0.10", DeviceRecords(neighbors=[
        ...     Neighbor("lldp", "GigabitEthernet1/0/2", "sw1", "Gi1/0/1", "sw1.example.net")]))
        >>> [(l.a, l.b, l.protocols) for l in build(TopologyInput((sw1, sw10))).links]  # doctest: +NORMALIZE_WHITESPACE
        [(End(node='sw1', interface='GigabitEthernet1/0/1'), End(node='sw10', interface='GigabitEthernet1/0/2'),
          ('cdp', 'lldp'))]
    """
    given = [d if d.columns is not None else replace(d, columns=DeviceColumns.of(d.records)) for d in inp.devices]
    devices = {d.name: d for d in given}
    names = names or Ports()  # every port spelling canonicalised once per platform, shared by every step
    ports = interface_ports(given, names)
    channel_of = channels(given, names)
    l2 = L2Builder(devices, Resolver(given), ports, names, channel_of).build()
    l3_links, l3_problems = L3Builder(devices, names).build()
    endpoints, endpoint_problems = locate(devices, l2.links, l2.problems, ports, names, channel_of)
    nodes: dict[str, Node] = {d.name: _device_node(d) for d in given}
    for node_id, node in l2.unmanaged.items():
        nodes.setdefault(node_id, node)
    links = _apply(l2.links + l3_links, inp.overrides)
    for node_id in {e.node for link in links for e in link.ends()} - nodes.keys():
        nodes[node_id] = Node(node_id, NodeKind.UNMANAGED)  # an operator's link to a node no protocol shows
    links.sort(key=_LINK_ORDER)
    return Topology(nodes, links, endpoints, [*l2.problems, *l3_problems, *endpoint_problems], inp.label)


_LINK_ORDER = attrgetter("layer", "a", "b", "vrf")


def _device_node(device: DeviceInput) -> Node:
    if device.collected:
        status = "failed" if device.error_kind else "ok"
    else:
        status = "failed" if device.error_kind else "not_collected"
    return Node(device.name, NodeKind.DEVICE, device.platform, device.mgmt_ip or None, device.site, device.role,
                status, device.error_kind)


def _apply(links: list[Link], overrides: tuple[Override, ...]) -> list[Link]:
    if not overrides:
        return links
    by_key: dict[tuple[str, frozenset[End], str], Link] = {(x.layer, frozenset(x.ends()), x.vrf): x for x in links}
    for override in sorted(overrides, key=lambda o: o.id):
        key = (override.layer, frozenset((override.a, override.b)), override.vrf)
        found = by_key.get(key)
        if override.action is OverrideAction.IGNORE:
            by_key.pop(key, None)
        elif override.action is OverrideAction.CONFIRM:
            a, b = sorted((override.a, override.b))
            by_key[key] = (Link(a, b, override.layer, found.protocols if found else (), override.vrf,
                                LinkState.CONFIRMED, found.reported_by if found else (),
                                found.channel_a if found else "", found.channel_b if found else "",
                                found.detail if found else {}, override.id))
        elif found is None:
            a, b = sorted((override.a, override.b))
            by_key[key] = Link(a, b, override.layer, ("manual",), override.vrf, LinkState.ADDED,
                               detail={"note": override.note} if override.note else {}, override_id=override.id)
    return list(by_key.values())
