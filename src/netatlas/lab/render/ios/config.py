"""``show running-config``: a plausible configuration derived from the device state."""

from __future__ import annotations

from collections.abc import Iterator

from netatlas.lab.model import BgpPeer, DeviceState, IfKind, Interface, PortMode, RouteProto
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.ios._common import area_text, is_switch, lines, vlan_ranges


def _header(dev: DeviceState) -> list[str]:
    rows = [
        "Building configuration...",
        "",
        f"Current configuration : {4096 + 97 * len(dev.interfaces)} bytes",
        "!",
        "! Last configuration change at 10:30:12 UTC Mon Jan 3 2022",
        "!",
        "version 17.3",
        "service timestamps debug datetime msec",
        "service timestamps log datetime msec",
        "service password-encryption",
        "!",
        f"hostname {dev.hostname}",
        "!",
        "boot-start-marker",
        "boot-end-marker",
        "!",
    ]
    if dev.enable_secret:
        rows += ["enable secret 9 $9$Kf7mVQdgxgNbVk$3w0S7CIrpSc5qC3yyAEZ7TvNs9RS6XUl0mWy4Hnl6oM", "!"]
    for vrf in dev.vrfs:
        rows += [
            f"vrf definition {vrf.name}",
            *([f" rd {vrf.rd}"] if vrf.rd else []),
            " !",
            " address-family ipv4",
            " exit-address-family",
            "!",
        ]
    rows += ["no aaa new-model", *([f"ip domain name {dev.domain}"] if dev.domain else []), "!"]
    return rows


def _l2_lines(intf: Interface) -> list[str]:
    if intf.mode is PortMode.TRUNK:
        allowed = [f" switchport trunk allowed vlan {vlan_ranges(intf.trunk_vlans)}"] if intf.trunk_vlans else []
        return [*allowed, " switchport mode trunk"]
    rows = [f" switchport access vlan {intf.access_vlan}"] if intf.access_vlan else []
    rows += [" switchport mode access"]
    return rows + ([f" switchport voice vlan {intf.voice_vlan}"] if intf.voice_vlan else [])


def _l3_lines(dev: DeviceState, intf: Interface) -> list[str]:
    rows = [f" vrf forwarding {intf.vrf}"] if intf.vrf != "default" else []
    if intf.kind in (IfKind.PHYSICAL, IfKind.PORT_CHANNEL) and is_switch(dev):
        rows.insert(0, " no switchport")
    if intf.ipv4 is None:
        return [*rows, " no ip address"]
    rows.append(f" ip address {intf.ipv4.ip} {intf.ipv4.netmask}")
    if intf.ospf_area is not None:
        rows.append(f" ip ospf {_ospf_pid(dev, intf.vrf)} area {area_text(intf.ospf_area)}")
        rows += [f" ip ospf cost {intf.ospf_cost}"] if intf.ospf_cost != 1 else []
    return rows


def _interface(dev: DeviceState, intf: Interface) -> list[str]:
    rows = [f"interface {intf.name}", *([f" description {intf.description}"] if intf.description else [])]
    switched = intf.kind in (IfKind.PHYSICAL, IfKind.PORT_CHANNEL) and intf.mode is not PortMode.ROUTED
    rows += _l2_lines(intf) if switched else _l3_lines(dev, intf)
    if intf.channel_group:
        rows.append(f" channel-group {''.join(c for c in intf.channel_group if c.isdigit())} mode active")
    if not intf.cdp_enabled:
        rows.append(" no cdp enable")
    if not intf.lldp_transmit:
        rows.append(" no lldp transmit")
    return [*rows, *([] if intf.admin_up else [" shutdown"]), "!"]


def _ospf_pid(dev: DeviceState, vrf: str) -> int:
    """Process id: the device's process for the global table, the next ids for VRFs."""
    names = dev.vrf_names()
    return dev.ospf_process + (names.index(vrf) if vrf in names else 0)


def _ospf(dev: DeviceState) -> list[str]:
    if dev.ospf_router_id is None:
        return []
    rows: list[str] = []
    for vrf in dev.vrf_names():
        ospf_intfs = [i for i in dev.interfaces if i.vrf == vrf and i.ospf_area is not None]
        if vrf != "default" and not ospf_intfs:
            continue
        suffix = f" vrf {vrf}" if vrf != "default" else ""
        rows += [f"router ospf {_ospf_pid(dev, vrf)}{suffix}", f" router-id {dev.ospf_router_id}"]
        rows += [f" passive-interface {i.name}" for i in ospf_intfs if i.kind is IfKind.LOOPBACK]
        rows.append("!")
    return rows


def _bgp_neighbor(peer: BgpPeer, indent: str) -> Iterator[str]:
    yield f"{indent}neighbor {peer.address} remote-as {peer.remote_as}"
    if peer.description:
        yield f"{indent}neighbor {peer.address} description {peer.description}"


def _bgp(dev: DeviceState) -> list[str]:
    if dev.bgp_asn is None:
        return []
    rows = [f"router bgp {dev.bgp_asn}", f" bgp router-id {dev.bgp_router_id}", " bgp log-neighbor-changes"]
    for peer in (p for p in dev.bgp_peers if p.vrf == "default"):
        rows += _bgp_neighbor(peer, " ")
    for vrf in sorted({p.vrf for p in dev.bgp_peers} - {"default"}):
        rows += [" !", f" address-family ipv4 vrf {vrf}"]
        for peer in (p for p in dev.bgp_peers if p.vrf == vrf):
            rows += [*_bgp_neighbor(peer, "  "), f"  neighbor {peer.address} activate"]
        rows.append(" exit-address-family")
    return [*rows, "!"]


def _static_routes(dev: DeviceState) -> list[str]:
    rows = []
    for route in dev.static_routes:
        if route.protocol is not RouteProto.STATIC:
            continue
        vrf = f"vrf {route.vrf} " if route.vrf != "default" else ""
        for hop in route.next_hops:
            target = " ".join(str(x) for x in (hop.interface, hop.address) if x is not None)
            rows.append(f"ip route {vrf}{route.prefix.network_address} {route.prefix.netmask} {target}")
    return rows


def show_running_config(ctx: RenderContext) -> str:
    dev = ctx.dev
    rows = _header(dev)
    if dev.vlans:
        rows += [row for vid, name in sorted(dev.vlans.items()) for row in (f"vlan {vid}", f" name {name}", "!")]
    rows += [row for intf in dev.interfaces for row in _interface(dev, intf)]
    rows += [*_ospf(dev), *_bgp(dev), "ip forward-protocol nd", "ip http server", "ip ssh version 2", "!"]
    rows += [
        *_static_routes(dev),
        "!",
        "line con 0",
        " stopbits 1",
        "line vty 0 4",
        " login local",
        " transport input ssh",
        "line vty 5 15",
        " login local",
        " transport input ssh",
        "!",
        "end",
        "",
    ]
    return lines(rows)
