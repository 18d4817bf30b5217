"""LLDP (summary and per-interface detail), ``show ethernet-switching table``, ``show vlans``, ARP."""

from __future__ import annotations

from netatlas.lab.model import (
    ArpEntry,
    DeviceState,
    IfKind,
    Interface,
    NeighborAdvert,
    NeighborProtocol,
    PortMode,
)
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.junos._common import NOW, logical, vlan_name

_CAPABILITIES = {
    "B": "Bridge",
    "SWITCH": "Bridge",
    "R": "Router",
    "T": "Telephone",
    "PHONE": "Telephone",
    "W": "WLAN Access Point",
    "S": "Station Only",
    "HOST": "Station Only",
    "O": "Other",
    "P": "Repeater",
}
_MAC_LEGEND = [
    "",
    "MAC flags (S - static MAC, D - dynamic MAC, L - locally learned, P - Persistent static",
    "           SE - statistics enabled, NM - non configured MAC, R - remote PE MAC, O - ovsdb MAC)",
    "",
    "",
]


def _lldp(dev: DeviceState) -> list[NeighborAdvert]:
    return [n for n in dev.neighbors if n.protocol is NeighborProtocol.LLDP]


def _parent(dev: DeviceState, name: str) -> str:
    for intf in dev.interfaces:
        if intf.name == name and intf.channel_group:
            return intf.channel_group
    return "-"


def show_lldp_neighbors(ctx: RenderContext) -> str:
    neighbors = _lldp(ctx.dev)
    if not neighbors:
        return ""
    lines = ["Local Interface    Parent Interface    Chassis Id          Port info          System Name"]
    for nbr in neighbors:
        lines.append(
            f"{nbr.local_interface:<18} {_parent(ctx.dev, nbr.local_interface):<19} "
            f"{nbr.chassis_id:<19} {nbr.remote_interface:<18} {nbr.device_id}"
        )
    return "\n".join(lines) + "\n"


def _capabilities(nbr: NeighborAdvert) -> str:
    words = [_CAPABILITIES.get(c.upper(), c) for c in nbr.capabilities]
    return " ".join(dict.fromkeys(words)) + " "


def _mgmt_lines(nbr: NeighborAdvert) -> list[str]:
    if nbr.mgmt_ip is None:
        return []
    return [
        "Management Info ",
        "        Type              : IPv4",
        f"        Address           : {nbr.mgmt_ip}",
        "        Port ID           : 1",
        "        Subtype           : 1",
        "        Interface Subtype : ifIndex(2)",
        "        OID               : 1.3.6.1.2.1.31.1.1.1.1.1 ",
        "",
    ]


def _detail(dev: DeviceState, index: int, nbr: NeighborAdvert) -> list[str]:
    age = 7 + index * 3
    lines = [
        "LLDP Neighbor Information:",
        "Local Information:",
        f"Index: {index} Time to live: {nbr.holdtime} Time mark: {NOW:%a %b %d %H:%M:%S %Y} Age: {age} secs ",
        f"Local Interface    : {nbr.local_interface}",
        f"Parent Interface   : {_parent(dev, nbr.local_interface)}",
        f"Local Port ID      : {512 + index}",
        "Ageout Count       : 0",
        "",
        "Neighbour Information:",
        "Chassis type       : Mac address",
        f"Chassis ID         : {nbr.chassis_id}",
        "Port type          : Interface name",
        f"Port ID            : {nbr.remote_interface}",
    ]
    if nbr.remote_port_description:
        lines.append(f"Port description   : {nbr.remote_port_description}")
    lines += [
        f"System name        : {nbr.device_id}",
        "",
        f"System Description : {nbr.software}",
        "",
        "System capabilities ",
        f"        Supported  : {_capabilities(nbr)}",
        f"        Enabled    : {_capabilities(nbr)}",
        "",
    ]
    return lines + _mgmt_lines(nbr)


def show_lldp_neighbors_interface(ctx: RenderContext) -> str:
    wanted = ctx.args["interface"].split(".", 1)[0]
    found = [n for n in _lldp(ctx.dev) if n.local_interface == wanted]
    lines: list[str] = []
    for nbr in found:
        lines += _detail(ctx.dev, ctx.dev.neighbors.index(nbr) + 1, nbr)
    return "\n".join(lines) + "\n" if lines else ""


def show_ethernet_switching_table(ctx: RenderContext) -> str:
    entries = ctx.dev.mac_table
    learned = sum(1 for e in entries if e.dynamic)
    lines = [
        *_MAC_LEGEND,
        f"Ethernet switching table : {len(entries)} entries, {learned} learned",
        "Routing instance : default-switch",
        "    Vlan                MAC                 MAC         Age    Logical",
        "    name                address             flags              interface",
    ]
    for entry in entries:
        flags = "D" if entry.dynamic else "S"
        lines.append(f"    {vlan_name(entry.vlan):<20}{entry.mac:<20}{flags:<4}{'-':>11}   {logical(entry.interface)}")
    return "\n".join(lines) + "\n"


def _in_vlan(intf: Interface, vlan: int) -> bool:
    if intf.channel_group or intf.kind in (IfKind.SVI, IfKind.LOOPBACK, IfKind.MGMT):
        return False
    if intf.mode is PortMode.ACCESS:
        return vlan in (intf.access_vlan, intf.voice_vlan)
    if intf.mode is PortMode.TRUNK:
        return not intf.trunk_vlans or vlan in intf.trunk_vlans
    return False


def vlan_members(dev: DeviceState, vlan: int) -> list[Interface]:
    return [i for i in dev.interfaces if _in_vlan(i, vlan)]


def _vlan_block(dev: DeviceState, name: str, tag: int) -> list[str]:
    lines = [f"{'default-switch':<24}{name:<22}{tag}"]
    for intf in vlan_members(dev, tag):
        up = "*" if intf.admin_up and intf.oper_up else ""
        lines.append(f"{'':59}{logical(intf.name)}{up}")
    return lines


def show_vlans(ctx: RenderContext) -> str:
    dev = ctx.dev
    vlans = {vid: vlan_name(vid) for vid in dev.vlans}
    vlans.setdefault(1, "default")
    lines = ["", "Routing instance        VLAN name             Tag          Interfaces"]
    for vid, name in sorted(vlans.items(), key=lambda kv: kv[1]):
        lines += _vlan_block(dev, name, vid)
        lines.append("")
    return "\n".join(lines) + "\n"


def _arp_entries(dev: DeviceState) -> list[ArpEntry]:
    return [a for a in dev.arp if a.age_min >= 0]  # JunOS does not list its own addresses


def show_arp_no_resolve(ctx: RenderContext) -> str:
    entries = _arp_entries(ctx.dev)
    lines = ["MAC Address       Address         Interface                Flags"]
    for entry in entries:
        lines.append(f"{entry.mac:<17} {entry.address!s:<15} {logical(entry.interface):<24} none")
    lines.append(f"Total entries: {len(entries)}")
    return "\n".join(lines) + "\n"


def show_arp(ctx: RenderContext) -> str:
    entries = _arp_entries(ctx.dev)
    lines = ["MAC Address       Address         Name                      Interface               Flags"]
    for entry in entries:
        lines.append(f"{entry.mac:<17} {entry.address!s:<15} {entry.address!s:<25} {logical(entry.interface):<23} none")
    lines.append(f"Total entries: {len(entries)}")
    return "\n".join(lines) + "\n"
