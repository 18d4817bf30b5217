"""``show interfaces`` and its tabular siblings (status, description, ip interface brief)."""

from __future__ import annotations

from netatlas.lab.model import DeviceState, IfKind, Interface
from netatlas.lab.render import text
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.eos._common import by_name, dotted_mac, is_switchport, lines, short_name
from netatlas.lab.render.eos._common import sorted_interfaces as ordered

_HARDWARE = {
    IfKind.PHYSICAL: "Ethernet",
    IfKind.MGMT: "Ethernet",
    IfKind.PORT_CHANNEL: "Port-Channel",
    IfKind.SVI: "Vlan",
    IfKind.LOOPBACK: "Loopback",
}
_L2_MTU = 9214
_LOOPBACK_MTU = 65535


def link_status(intf: Interface) -> str:
    if not intf.admin_up:
        return "administratively down"
    return "up" if intf.oper_up else "down"


def protocol_status(intf: Interface) -> str:
    """``up`` / ``down`` / ``lowerlayerdown`` (logical interfaces whose members are down)."""
    if intf.admin_up and intf.oper_up:
        return "up"
    if intf.admin_up and intf.kind in (IfKind.PORT_CHANNEL, IfKind.SVI):
        return "lowerlayerdown"
    return "down"


def _reason(intf: Interface) -> str:
    if not intf.admin_up:
        return "disabled"
    return "connected" if intf.oper_up else "notconnect"


def speed(kbps: int) -> str:
    """``10Gb/s`` style speed from kbit/s.

    Examples:
        >>> speed(25_000_000)
        '25Gb/s'
        >>> speed(100_000)
        '100Mb/s'
    """
    return f"{kbps // 1_000_000}Gb/s" if kbps >= 1_000_000 else f"{kbps // 1000}Mb/s"


def ip_mtu(intf: Interface) -> int:
    return _LOOPBACK_MTU if intf.kind is IfKind.LOOPBACK else intf.mtu


def _address_lines(intf: Interface) -> list[str]:
    bandwidth = "" if intf.kind in (IfKind.LOOPBACK, IfKind.SVI) else f", BW {intf.bandwidth_kbps} kbit"
    if intf.channel_group:
        return [f"  Member of {intf.channel_group}", f"  Ethernet MTU {_L2_MTU} bytes{bandwidth}"]
    if is_switchport(intf):
        return [f"  Ethernet MTU {_L2_MTU} bytes{bandwidth}"]
    if intf.ipv4 is None:
        head = ["  No Internet protocol address assigned"]
    else:
        head = [f"  Internet address is {intf.ipv4.with_prefixlen}", "  Broadcast address is 255.255.255.255"]
    return [*head, *_ipv6_lines(intf), f"  IP MTU {ip_mtu(intf)} bytes (default){bandwidth}"]


def _ipv6_lines(intf: Interface) -> list[str]:
    """EOS lists an interface's IPv6 link-local and global addresses under its IPv4 address."""
    if not intf.ipv6:
        return []
    lines = [f"  IPv6 link-local address is {text.link_local(intf.mac)}", "  IPv6 global unicast address(es):"]
    return lines + [f"    {a.ip}, subnet is {a.network}" for a in intf.ipv6]


def _hardware_line(intf: Interface) -> str:
    hardware = _HARDWARE[intf.kind]
    if intf.kind is IfKind.LOOPBACK:
        return f"  Hardware is {hardware}"
    mac = dotted_mac(intf.mac)
    bia = "" if intf.kind is IfKind.PORT_CHANNEL else f" (bia {mac})"
    return f"  Hardware is {hardware}, address is {mac}{bia}"


def _phy_lines(intf: Interface, dev: DeviceState) -> list[str]:
    if intf.kind is IfKind.PORT_CHANNEL:
        members = [m for m in intf.members if m in by_name(dev) and by_name(dev)[m].oper_up]
        return [
            f"  Full-duplex, {speed(intf.bandwidth_kbps)}",
            f"  Active members in this channel: {len(members)}",
            *(f"  ... {m} , Full-duplex, {speed(by_name(dev)[m].bandwidth_kbps)}" for m in members),
            "  Fallback mode is: off",
        ]
    if intf.kind in (IfKind.PHYSICAL, IfKind.MGMT):
        negotiation = "on" if intf.kind is IfKind.MGMT else "off"
        return [f"  Full-duplex, {speed(intf.bandwidth_kbps)}, auto negotiation: {negotiation}, uni-link: n/a"]
    return []


def _rate(packets: int) -> str:
    return f"{packets / 100_000:.1f} kbps" if packets else "0 bps"


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" + ("" if count == 1 else "s")


def _counters(intf: Interface, n: int) -> list[str]:
    if intf.kind in (IfKind.LOOPBACK, IfKind.SVI):
        return []
    pkts_in, pkts_out = (1_200_345 + 7_919 * n, 980_112 + 6_733 * n) if intf.oper_up else (0, 0)
    rows = [
        "  Loopback Mode : None",
        "  2 link status changes since last clear",
        '  Last clearing of "show interface" counters never',
        f"  5 minutes input rate {_rate(pkts_in)} (0.0% with framing overhead), {pkts_in // 100_000} packets/sec",
        f"  5 minutes output rate {_rate(pkts_out)} (0.0% with framing overhead), {pkts_out // 100_000} packets/sec",
        f"     {pkts_in} packets input, {pkts_in * 412} bytes",
        f"     Received {pkts_in // 50} broadcasts, {pkts_in // 20} multicast",
        "     0 runts, 0 giants",
        "     0 input errors, 0 CRC, 0 alignment, 0 symbol, 0 input discards",
        "     0 PAUSE input",
        f"     {pkts_out} packets output, {pkts_out * 388} bytes",
        f"     Sent {pkts_out // 60} broadcasts, {pkts_out // 25} multicast",
        "     0 output errors, 0 collisions",
        "     0 late collision, 0 deferred, 0 output discards",
        "     0 PAUSE output",
    ]
    if intf.kind is IfKind.PORT_CHANNEL:
        drop = ("     0 runts", "     0 PAUSE", "  Loopback", "     0 late")
        rows = [r for r in rows if not r.startswith(drop)]
        rows = [
            r.replace("0 CRC, 0 alignment, 0 symbol, ", "").replace("0 collisions", "0 output discards") for r in rows
        ]
    return rows


def _interface_block(intf: Interface, dev: DeviceState, n: int) -> list[str]:
    rows = [
        f"{intf.name} is {link_status(intf)}, line protocol is {protocol_status(intf)} ({_reason(intf)})",
        _hardware_line(intf),
    ]
    if intf.description:
        rows.append(f"  Description: {intf.description}")
    rows += [*_address_lines(intf), *_phy_lines(intf, dev)]
    state = "Up" if intf.oper_up and intf.admin_up else "Down"
    parts = ((3 + n % 20, "day"), (1 + n % 23, "hour"), (1 + (7 * n) % 59, "minute"), (1 + (13 * n) % 59, "second"))
    since = ", ".join(_plural(count, unit) for count, unit in parts)
    rows.append(f"  {state} {since}")
    return rows + _counters(intf, n)


def show_interfaces(ctx: RenderContext) -> str:
    dev = ctx.dev
    rows: list[str] = []
    for n, intf in enumerate(ordered(dev.interfaces)):
        rows += _interface_block(intf, dev, n)
    return lines(rows)


def _vlan_column(intf: Interface) -> str:
    if intf.channel_group:
        return f"in {short_name(intf.channel_group)}"
    if not is_switchport(intf):
        return "routed"
    return "trunk" if intf.mode.value == "trunk" else str(intf.access_vlan or 1)


def _type_column(intf: Interface) -> str:
    if intf.kind is IfKind.MGMT:
        return "10/100/1000"
    if intf.kind is IfKind.PORT_CHANNEL:
        return "N/A"
    if not intf.oper_up:
        return "Not Present"
    return {1_000_000: "1000BASE-T", 10_000_000: "10GBASE-SR", 25_000_000: "25GBASE-SR", 40_000_000: "40GBASE-SR4"}.get(
        intf.bandwidth_kbps, "100GBASE-SR4"
    )


def _status_row(intf: Interface, name_width: int) -> str:
    status = {"connected": "connected", "notconnect": "notconnect", "disabled": "disabled"}[_reason(intf)]
    duplex, spd = (
        ("a-full", "a-" + speed(intf.bandwidth_kbps)[:-3])
        if intf.kind is IfKind.MGMT
        else ("full", speed(intf.bandwidth_kbps)[:-3])
    )
    return (
        f"{short_name(intf.name):<10} {intf.description:<{name_width}} {status:<12} "
        f"{_vlan_column(intf):<8} {duplex:<6} {spd:<6} {_type_column(intf):<12}"
    ).rstrip()


def show_interfaces_status(ctx: RenderContext) -> str:
    shown = [i for i in ordered(ctx.dev.interfaces) if i.kind in (IfKind.PHYSICAL, IfKind.MGMT, IfKind.PORT_CHANNEL)]
    width = max([14, *(len(i.description) for i in shown)])
    header = f"{'Port':<10} {'Name':<{width}} {'Status':<12} {'Vlan':<8} Duplex Speed  Type         Flags"
    return lines([header, *(_status_row(i, width) for i in shown)])


def description_status(intf: Interface) -> str:
    return "admin down" if not intf.admin_up else ("up" if intf.oper_up else "down")


def show_interfaces_description(ctx: RenderContext) -> str:
    rows = [f"{'Interface':<30} {'Status':<14} {'Protocol':<18} Description"]
    for intf in ordered(ctx.dev.interfaces):
        row = f"{short_name(intf.name):<30} {description_status(intf):<14} {protocol_status(intf):<18} "
        rows.append((row + intf.description).rstrip())
    return lines(rows)


def brief_status(intf: Interface) -> str:
    """``show ip interface brief`` keeps one word per column (``down`` when admin down)."""
    return "up" if intf.admin_up and intf.oper_up else "down"


def in_ip_brief(intf: Interface) -> bool:
    return intf.ipv4 is not None or (not is_switchport(intf) and not intf.channel_group)


def show_ip_interface_brief(ctx: RenderContext) -> str:
    rows = [
        f"{'':<78}Address",
        f"{'Interface':<17} {'IP Address':<21} {'Status':<12} {'Protocol':<14} {'MTU':>9} Owner",
        f"{'-' * 17} {'-' * 21} {'-' * 12} {'-' * 14} {'-' * 9} {'-' * 7}",
    ]
    for intf in ordered(i for i in ctx.dev.interfaces if in_ip_brief(i)):
        address = intf.ipv4.with_prefixlen if intf.ipv4 else "unassigned"
        rows.append(
            f"{intf.name:<17} {address:<21} {brief_status(intf):<12} {protocol_status(intf):<14} {ip_mtu(intf):>9}"
        )
    return lines(rows)
