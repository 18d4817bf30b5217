"""``show interfaces`` (physical + logical sections), ``terse``, ``descriptions``, ``show lacp interfaces``."""

from __future__ import annotations

from netatlas.lab.model import DeviceState, IfKind, Interface, PortMode
from netatlas.lab.render import text
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.junos._common import logical

_SPEED = {10_000: "10mbps", 100_000: "100mbps", 1_000_000: "1000mbps", 10_000_000: "10Gbps"}


def _speed(intf: Interface) -> str:
    kbps = intf.bandwidth_kbps
    return _SPEED.get(kbps, f"{kbps // 1_000_000}Gbps" if kbps >= 1_000_000 else f"{kbps // 1000}mbps")


def _state(admin: bool, oper: bool) -> tuple[str, str]:
    return ("Enabled" if admin else "Administratively down"), ("Up" if admin and oper else "Down")


def _index(dev: DeviceState, intf: Interface) -> int:
    return 128 + dev.interfaces.index(intf)


def _physical_lines(dev: DeviceState, intf: Interface) -> list[str]:
    admin, link = _state(intf.admin_up, intf.oper_up)
    index = _index(dev, intf)
    lines = [
        f"Physical interface: {intf.name}, {admin}, Physical link is {link}",
        f"  Interface index: {index}, SNMP ifIndex: {index + 373}",
    ]
    if intf.description:
        lines.append(f"  Description: {intf.description}")
    if intf.kind is IfKind.LOOPBACK:
        return [*lines, *_loopback_body()]
    kind = "Type: Ethernet, " if intf.kind is IfKind.MGMT else ""
    lines += [
        f"  {kind}Link-level type: Ethernet, MTU: {intf.mtu + 14}, Speed: {_speed(intf)}, "
        "BPDU Error: None, Loop Detect PDU Error: None,",
        "  MAC-REWRITE Error: None, Loopback: Disabled, Source filtering: Disabled, Flow control: Enabled",
        "  Device flags   : Present Running" if link == "Up" else "  Device flags   : Present Running Down",
        "  Interface flags: SNMP-Traps Internal: 0x4000",
        "  Link flags     : None",
        f"  Current address: {intf.mac}, Hardware address: {intf.mac}",
        "  Last flapped   : 2024-03-27 14:02:11 UTC (6w6d 20:18 ago)",
        "  Input rate     : 2368 bps (3 pps)",
        "  Output rate    : 1864 bps (2 pps)",
    ]
    return lines


def _loopback_body() -> list[str]:
    return [
        "  Type: Loopback, Link-level type: Unspecified, MTU: Unlimited",
        "  Device flags   : Present Running Loopback",
        "  Interface flags: SNMP-Traps",
        "  Link flags     : None",
        "  Last flapped   : Never",
        "    Input packets : 0",
        "    Output packets: 0",
    ]


def _address_lines(intf: Interface) -> list[str]:
    if intf.ipv4 is None:
        return []
    mtu = "Unlimited" if intf.kind is IfKind.LOOPBACK else str(intf.mtu)
    lines = [
        f"    Protocol inet, MTU: {mtu}",
        "    Max nh cache: 100000, New hold nh limit: 100000, Curr nh cnt: 1, Curr new hold cnt: 0, NH drop cnt: 0",
        "      Flags: Sendbcast-pkt-to-re",
        "      Addresses, Flags: Is-Preferred Is-Primary",
    ]
    net = intf.ipv4.network
    if net.prefixlen == 32:
        # JunOS prints lo0's /32 as "Local:" alone; the "Unspecified" form (also JunOS) is the one
        # ntc-templates' juniper_junos_show_interfaces accepts.
        lines.append(f"        Destination: Unspecified, Local: {intf.ipv4.ip}, Broadcast: Unspecified")
    else:
        lines.append(f"        Destination: {net}, Local: {intf.ipv4.ip}, Broadcast: {net.broadcast_address}")
    return lines + _inet6_lines(intf, mtu)


def _inet6_lines(intf: Interface, mtu: str) -> list[str]:
    """The ``inet6`` family: global addresses first, then the link-local one (not on lo0)."""
    if not intf.ipv6:
        return []
    lines = [
        f"    Protocol inet6, MTU: {mtu}",
        "    Max nh cache: 100000, New hold nh limit: 100000, Curr nh cnt: 1, Curr new hold cnt: 0, NH drop cnt: 0",
        "      Flags: Is-Primary",
    ]
    addresses = list(intf.ipv6)
    if intf.kind is not IfKind.LOOPBACK:
        addresses.append(text.link_local(intf.mac))
    for n, address in enumerate(addresses):
        flags = "Is-Preferred Is-Primary" if n == 0 else "Is-Preferred"
        destination = "Unspecified" if address.network.prefixlen == 128 else str(address.network)
        lines += [f"      Addresses, Flags: {flags}", f"        Destination: {destination}, Local: {address.ip}"]
    return lines


def _family_lines(intf: Interface) -> list[str]:
    if intf.channel_group:
        return ["    Protocol aenet, AE bundle: " + logical(intf.channel_group)]
    if intf.mode in (PortMode.ACCESS, PortMode.TRUNK) and intf.ipv4 is None:
        flags = "Trunk-Mode" if intf.mode is PortMode.TRUNK else "None"
        return [f"    Protocol eth-switch, MTU: {intf.mtu + 14}", f"      Flags: {flags}"]
    return _address_lines(intf)


def _logical_lines(dev: DeviceState, intf: Interface) -> list[str]:
    family = _family_lines(intf)
    if not family:
        return []
    _, link = _state(intf.admin_up, intf.oper_up)
    index = _index(dev, intf) + 200
    encap = "Unspecified" if intf.kind is IfKind.LOOPBACK else "ENET2"
    lines = ["", f"  Logical interface {logical(intf.name)} (Index {index}) (SNMP ifIndex {index + 300})"]
    if intf.kind is IfKind.SVI and intf.description:
        lines.append(f"    Description: {intf.description}")
    lines += [
        f"    Flags: {link} SNMP-Traps 0x4004000 Encapsulation: {encap}",
        "    Input packets : 184632",
        "    Output packets: 171205",
    ]
    return lines + family


def _irb_physical(dev: DeviceState) -> list[str]:
    return [
        "Physical interface: irb, Enabled, Physical link is Up",
        f"  Interface index: {127 + len(dev.interfaces) + 1}, SNMP ifIndex: 504",
        "  Type: Ethernet, Link-level type: Ethernet, MTU: 1514",
        "  Device flags   : Present Running",
        "  Interface flags: SNMP-Traps",
        "  Link flags     : None",
        f"  Current address: {dev.base_mac}, Hardware address: {dev.base_mac}",
        "  Last flapped   : Never",
        "    Input packets : 0",
        "    Output packets: 0",
    ]


def show_interfaces(ctx: RenderContext) -> str:
    dev = ctx.dev
    blocks: list[list[str]] = []
    svis = [i for i in dev.interfaces if i.kind is IfKind.SVI]
    for intf in dev.interfaces:
        if intf.kind is not IfKind.SVI:
            blocks.append(_physical_lines(dev, intf) + _logical_lines(dev, intf))
    if svis:
        irb = _irb_physical(dev)
        for svi in svis:
            irb += _logical_lines(dev, svi)
        blocks.append(irb)
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def _terse_rows(intf: Interface) -> list[str]:
    admin = "up" if intf.admin_up else "down"
    link = "up" if intf.admin_up and intf.oper_up else "down"
    rows = [] if intf.kind is IfKind.SVI else [f"{intf.name:<24}{admin:<6}{link}"]
    unit = f"{logical(intf.name):<24}{admin:<6}{link:<5}"
    if intf.ipv4 is not None:
        local = str(intf.ipv4.ip) if intf.ipv4.network.prefixlen == 32 else str(intf.ipv4)
        remote = "--> 0/0" if intf.kind is IfKind.LOOPBACK else ""
        rows.append(f"{unit}inet     {local:<22}{remote}".rstrip())
    elif intf.channel_group:
        rows.append(f"{unit}aenet    --> {logical(intf.channel_group)}")
    elif intf.mode is not PortMode.ROUTED:
        rows.append(f"{unit}eth-switch")
    return rows


def show_interfaces_terse(ctx: RenderContext) -> str:
    lines = ["Interface               Admin Link Proto    Local                 Remote"]
    if any(i.kind is IfKind.SVI for i in ctx.dev.interfaces):
        lines.append(f"{'irb':<24}up    up")
    for intf in ctx.dev.interfaces:
        lines += _terse_rows(intf)
    return "\n".join(lines) + "\n"


def show_interfaces_descriptions(ctx: RenderContext) -> str:
    described = [i for i in ctx.dev.interfaces if i.description]
    if not described:
        return ""
    lines = ["Interface       Admin Link Description"]
    for intf in described:
        admin = "up" if intf.admin_up else "down"
        link = "up" if intf.admin_up and intf.oper_up else "down"
        lines.append(f"{intf.name:<16}{admin:<6}{link:<5}{intf.description}")
    return "\n".join(lines) + "\n"


def _lacp_block(dev: DeviceState, bundle: Interface) -> list[str]:
    members = bundle.members or tuple(i.name for i in dev.interfaces if i.channel_group == bundle.name)
    lines = [
        f"Aggregated interface: {bundle.name}",
        "    LACP state:       Role   Exp   Def  Dist  Col  Syn  Aggr  Timeout  Activity",
    ]
    for member in members:
        for role in ("Actor", "Partner"):
            lines.append(f"      {member:<12}{role:>7}    No    No   Yes  Yes  Yes   Yes     Fast    Active")
    lines.append("    LACP protocol:        Receive State  Transmit State          Mux State")
    for member in members:
        lines.append(f"      {member:<26}Current   Fast periodic Collecting distributing")
    return lines


def show_lacp_interfaces(ctx: RenderContext) -> str:
    bundles = [i for i in ctx.dev.interfaces if i.kind is IfKind.PORT_CHANNEL]
    blocks = ["\n".join(_lacp_block(ctx.dev, b)) for b in bundles]
    return "\n\n".join(blocks) + "\n" if blocks else ""
