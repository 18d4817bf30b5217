"""``show running-config``: the configuration that would produce the device's state."""

from __future__ import annotations

from netatlas.lab.model import DeviceState, IfKind, Interface, PortMode
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.eos._common import is_switchport, lines
from netatlas.lab.render.eos._common import sorted_interfaces as ordered


def _header(dev: DeviceState) -> list[str]:
    rows = [
        "! Command: show running-config",
        f"! device: {dev.hostname} ({dev.model}, EOS-{dev.os_version})",
        "!",
        "! boot system flash:/EOS.swi",
        "!",
        "no aaa root",
        "!",
        "transceiver qsfp default-mode 4x10G",
        "!",
        "service routing protocols model multi-agent",
        "!",
        f"hostname {dev.hostname}",
    ]
    if dev.domain:
        rows.append(f"ip domain-name {dev.domain}")
    rows += ["!", "spanning-tree mode mstp", "!"]
    for vlan, name in sorted(dev.vlans.items()):
        rows += [f"vlan {vlan}", f"   name {name}", "!"]
    for vrf in dev.vrfs:
        rows += [f"vrf instance {vrf.name}", "!"]
    return rows


def _switchport_lines(intf: Interface) -> list[str]:
    if intf.channel_group:
        return [f"   channel-group {intf.channel_group.removeprefix('Port-Channel')} mode active"]
    if intf.mode is PortMode.TRUNK:
        allowed = ",".join(str(v) for v in intf.trunk_vlans)
        allowed_line = [f"   switchport trunk allowed vlan {allowed}"] if allowed else []
        return ["   switchport mode trunk", *allowed_line]
    return [f"   switchport access vlan {intf.access_vlan or 1}"]


def _interface(intf: Interface) -> list[str]:
    rows = [f"interface {intf.name}"]
    if intf.description:
        rows.append(f"   description {intf.description}")
    if not intf.admin_up:
        rows.append("   shutdown")
    if intf.kind is IfKind.PHYSICAL and intf.mtu != 1500:
        rows.append(f"   mtu {intf.mtu}")
    if is_switchport(intf) or intf.channel_group:
        rows += _switchport_lines(intf)
    elif intf.kind is IfKind.PHYSICAL or intf.kind is IfKind.PORT_CHANNEL:
        rows.append("   no switchport")
    if intf.vrf != "default":
        rows.append(f"   vrf {intf.vrf}")
    if intf.ipv4 is not None:
        rows.append(f"   ip address {intf.ipv4.with_prefixlen}")
    if intf.ospf_area is not None:
        rows.append(f"   ip ospf area {intf.ospf_area}")
        if intf.ospf_cost != 1:
            rows.append(f"   ip ospf cost {intf.ospf_cost}")
    if not intf.lldp_transmit:
        rows.append("   no lldp transmit")
    return [*rows, "!"]


def _routing(dev: DeviceState) -> list[str]:
    rows = ["ip routing", *(f"ip routing vrf {v.name}" for v in dev.vrfs), "!"]
    for route in dev.static_routes:
        vrf = "" if route.vrf == "default" else f"vrf {route.vrf} "
        for hop in route.next_hops:
            target = " ".join(str(x) for x in (hop.interface, hop.address) if x is not None)
            rows.append(f"ip route {vrf}{route.prefix} {target}")
    if dev.static_routes:
        rows.append("!")
    if dev.ospf_router_id is not None:
        rows += [f"router ospf {dev.ospf_process}", f"   router-id {dev.ospf_router_id}", "   max-lsa 12000", "!"]
    return rows


def _bgp(dev: DeviceState) -> list[str]:
    if dev.bgp_asn is None:
        return []
    rows = [f"router bgp {dev.bgp_asn}", f"   router-id {dev.bgp_router_id}", "   maximum-paths 4 ecmp 4"]
    for peer in (p for p in dev.bgp_peers if p.vrf == "default"):
        rows.append(f"   neighbor {peer.address} remote-as {peer.remote_as}")
        if peer.description:
            rows.append(f"   neighbor {peer.address} description {peer.description}")
    for vrf in dev.vrfs:
        peers = [p for p in dev.bgp_peers if p.vrf == vrf.name]
        if peers or vrf.rd:
            rows += ["   !", f"   vrf {vrf.name}", *([f"      rd {vrf.rd}"] if vrf.rd else [])]
            rows += [f"      neighbor {p.address} remote-as {p.remote_as}" for p in peers]
    return [*rows, "!"]


def show_running_config(ctx: RenderContext) -> str:
    dev = ctx.dev
    rows = _header(dev)
    for intf in ordered(dev.interfaces):
        rows += _interface(intf)
    rows += _routing(dev) + _bgp(dev)
    rows += ["management api http-commands", "   no shutdown", "!", "end"]
    return lines(rows)
