"""``show configuration``: the curly-brace configuration JunOS prints, built from the device state."""

from __future__ import annotations

from dataclasses import dataclass, field

from netatlas.lab.model import DeviceState, IfKind, Interface, PortMode, RouteProto
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.junos._common import logical, vlan_name


@dataclass
class Node:
    """One configuration statement: a leaf (``children`` empty, printed with ``;``) or a block."""

    name: str
    children: list[Node] = field(default_factory=list)
    block: bool = False
    comment: str = ""

    def add(self, name: str, *children: Node) -> Node:
        node = Node(name, list(children), block=True)
        self.children.append(node)
        return node

    def leaf(self, statement: str, comment: str = "") -> None:
        self.children.append(Node(statement, comment=comment))

    def lines(self, depth: int = 0) -> list[str]:
        pad = "    " * depth
        if not self.block:
            return [f"{pad}{self.name};{self.comment}"]
        out = [f"{pad}{self.name} {{"]
        for child in self.children:
            out += child.lines(depth + 1)
        return [*out, f"{pad}}}"]


def _system(root: Node, dev: DeviceState) -> None:
    system = root.add("system")
    system.leaf(f"host-name {dev.hostname}")
    if dev.domain:
        system.leaf(f"domain-name {dev.domain}")
    auth = system.add("root-authentication")
    auth.leaf('encrypted-password "$6$lab$Qm9ndXNIYXNoRm9yVGhlTGFi"', " ## SECRET-DATA")
    services = system.add("services")
    services.leaf("ssh")
    services.add("netconf").leaf("ssh")
    system.add("syslog").add("file messages").leaf("any notice")


def _family(unit: Node, intf: Interface) -> None:
    if intf.ipv4 is not None:
        unit.add("family inet").leaf(f"address {intf.ipv4}")
    elif intf.mode is not PortMode.ROUTED:
        switching = unit.add("family ethernet-switching")
        switching.leaf(f"interface-mode {intf.mode.value}")
        vlans = [intf.access_vlan] if intf.mode is PortMode.ACCESS else list(intf.trunk_vlans)
        members = " ".join(vlan_name(v) for v in vlans if v is not None) or "all"
        switching.add("vlan").leaf(f"members [ {members} ]" if " " in members else f"members {members}")


def _interface(parent: Node, intf: Interface) -> None:
    node = parent.add(intf.name)
    if intf.description:
        node.leaf(f'description "{intf.description}"')
    if not intf.admin_up:
        node.leaf("disable")
    if intf.channel_group:
        node.add("ether-options").leaf(f"802.3ad {intf.channel_group}")
        return
    if intf.kind is IfKind.PORT_CHANNEL:
        node.add("aggregated-ether-options").add("lacp").leaf("active")
    if intf.mtu != 1500 and intf.kind is not IfKind.LOOPBACK:
        node.leaf(f"mtu {intf.mtu + 14}")
    _family(node.add("unit 0"), intf)


def _interfaces(root: Node, dev: DeviceState) -> None:
    interfaces = root.add("interfaces")
    svis = [i for i in dev.interfaces if i.kind is IfKind.SVI]
    for intf in dev.interfaces:
        if intf.kind is not IfKind.SVI:
            _interface(interfaces, intf)
    if svis:
        irb = interfaces.add("irb")
        for svi in svis:
            unit = irb.add(f"unit {svi.name.split('.', 1)[1]}")
            if svi.description:
                unit.leaf(f'description "{svi.description}"')
            _family(unit, svi)


def _routing_options(root: Node, dev: DeviceState, vrf: str = "default") -> None:
    statics = [r for r in dev.static_routes if r.vrf == vrf and r.protocol is RouteProto.STATIC]
    options = Node("routing-options", block=True)
    if vrf == "default" and (dev.bgp_router_id or dev.ospf_router_id):
        options.leaf(f"router-id {dev.bgp_router_id or dev.ospf_router_id}")
    if vrf == "default" and dev.bgp_asn:
        options.leaf(f"autonomous-system {dev.bgp_asn}")
    if statics:
        static = options.add("static")
        for route in statics:
            hops = [h.address for h in route.next_hops if h.address is not None]
            static.leaf(f"route {route.prefix} " + (f"next-hop {hops[0]}" if hops else "discard"))
    if options.children:
        root.children.append(options)


def _protocols(root: Node, dev: DeviceState, vrf: str = "default") -> None:
    protocols = Node("protocols", block=True)
    ospf_intfs = [i for i in dev.interfaces if i.ospf_area is not None and i.vrf == vrf]
    if ospf_intfs:
        ospf = protocols.add("ospf")
        for area in dict.fromkeys(i.ospf_area for i in ospf_intfs):
            node = ospf.add(f"area {area}")
            for intf in (i for i in ospf_intfs if i.ospf_area == area):
                node.add(f"interface {logical(intf.name)}").leaf(f"metric {intf.ospf_cost}")
    peers = [p for p in dev.bgp_peers if p.vrf == vrf]
    if peers:
        bgp = protocols.add("bgp")
        for internal in (False, True):
            group_peers = [p for p in peers if (p.remote_as == dev.bgp_asn) is internal]
            if group_peers:
                group = bgp.add("group IBGP" if internal else "group EBGP")
                group.leaf(f"type {'internal' if internal else 'external'}")
                for peer in group_peers:
                    group.add(f"neighbor {peer.address}").leaf(f"peer-as {peer.remote_as}")
    if vrf == "default" and dev.neighbors:
        protocols.add("lldp").leaf("interface all")
    if protocols.children:
        root.children.append(protocols)


def _instances(root: Node, dev: DeviceState) -> None:
    if not dev.vrfs:
        return
    instances = root.add("routing-instances")
    for vrf in dev.vrfs:
        node = instances.add(vrf.name)
        node.leaf("instance-type vrf")
        for intf in (i for i in dev.interfaces if i.vrf == vrf.name):
            node.leaf(f"interface {logical(intf.name)}")
        if vrf.rd:
            node.leaf(f"route-distinguisher {vrf.rd}")
            node.leaf(f"vrf-target target:{vrf.rd}")
        node.leaf("vrf-table-label")
        _routing_options(node, dev, vrf.name)
        _protocols(node, dev, vrf.name)


def _vlans(root: Node, dev: DeviceState) -> None:
    if not dev.vlans:
        return
    vlans = root.add("vlans")
    svis = {i.name for i in dev.interfaces if i.kind is IfKind.SVI}
    for vid, description in sorted(dev.vlans.items()):
        node = vlans.add(vlan_name(vid))
        if description:
            node.leaf(f'description "{description}"')
        node.leaf(f"vlan-id {vid}")
        if f"irb.{vid}" in svis:
            node.leaf(f"l3-interface irb.{vid}")


def build(dev: DeviceState) -> Node:
    root = Node("", block=True)
    root.leaf(f"version {dev.os_version}")
    _system(root, dev)
    _interfaces(root, dev)
    _routing_options(root, dev)
    _protocols(root, dev)
    _instances(root, dev)
    _vlans(root, dev)
    return root


def show_configuration(ctx: RenderContext) -> str:
    root = build(ctx.dev)
    lines = ["## Last commit: 2024-05-02 16:35:35 UTC by admin"]
    for child in root.children:
        lines += child.lines()
    return "\n".join(lines) + "\n"
