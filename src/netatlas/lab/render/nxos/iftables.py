"""Interface tables: show interface brief / status / description."""

from __future__ import annotations

from netatlas.lab.model import DeviceState, IfKind, Interface, PortMode
from netatlas.lab.render.base import RenderContext

from ._fmt import cols, is_up, join, of_kind, short_if, speed_short
from .interfaces import down_reason, interface_order, vlan_column

RULE = "-" * 80
RULE79 = "-" * 79


def _po_number(intf: Interface) -> str:
    return intf.channel_group.removeprefix("port-channel") if intf.channel_group else "--"


def _brief_speed(intf: Interface) -> str:
    suffix = "(D)" if intf.kind == IfKind.PHYSICAL or is_up(intf) else "(I)"
    return (speed_short(intf.bandwidth_kbps) if is_up(intf) else "auto") + suffix


def _brief_reason(intf: Interface) -> str:
    return "none" if is_up(intf) else down_reason(intf)


def _updown(intf: Interface) -> str:
    return "up" if is_up(intf) else "down"


def _brief_mgmt(dev: DeviceState) -> list[str]:
    lines = [RULE, "Port   VRF          Status IP Address                              Speed    MTU", RULE]
    for intf in of_kind(dev, IfKind.MGMT):
        addr = str(intf.ipv4.ip) if intf.ipv4 else "--"
        speed = speed_short(intf.bandwidth_kbps) if is_up(intf) else "--"
        lines.append(cols([intf.name, "--", _updown(intf), addr, speed, str(intf.mtu)], [7, 13, 7, 40, 9]))
    return lines


def _brief_eth_row(intf: Interface) -> str:
    head = cols(
        [short_if(intf.name), vlan_column(intf), "eth", intf.mode.value, _updown(intf), _brief_reason(intf)],
        [14, 8, 5, 7, 8, 25],
    )
    return f"{head.ljust(67)}{_brief_speed(intf):>9} {_po_number(intf)}"


def _brief_eth(dev: DeviceState) -> list[str]:
    lines = [
        RULE,
        "Ethernet      VLAN    Type Mode   Status  Reason                   Speed     Port",
        "Interface                                                                    Ch #",
        RULE,
    ]
    return lines + [_brief_eth_row(i) for i in of_kind(dev, IfKind.PHYSICAL)]


def _brief_po_row(intf: Interface) -> str:
    head = cols(
        [short_if(intf.name), vlan_column(intf), "eth", intf.mode.value, _updown(intf), _brief_reason(intf)],
        [13, 8, 5, 7, 8, 26],
    )
    return f"{head.ljust(66)}{_brief_speed(intf):>9}  lacp"


def _brief_po(dev: DeviceState) -> list[str]:
    lines = [
        RULE,
        "Port-channel VLAN    Type Mode   Status  Reason                    Speed   Protocol",
        "Interface",
        RULE,
    ]
    return lines + [_brief_po_row(i) for i in of_kind(dev, IfKind.PORT_CHANNEL)]


def _brief_lo(dev: DeviceState) -> list[str]:
    lines = [RULE, "Interface     Status     Description", RULE]
    for intf in of_kind(dev, IfKind.LOOPBACK):
        lines.append(cols([short_if(intf.name), _updown(intf), intf.description or "--"], [14, 11]))
    return lines


def _brief_vlan(dev: DeviceState) -> list[str]:
    lines = [RULE79, "Interface Secondary VLAN(Type)                    Status Reason", RULE79]
    for intf in of_kind(dev, IfKind.SVI):
        reason = "--" if is_up(intf) else ("Admin" if not intf.admin_up else "VLAN/BD is down")
        lines.append(cols([intf.name, "--", _updown(intf), reason], [10, 40, 7]))
    return lines


def show_interface_brief(ctx: RenderContext) -> str:
    dev = ctx.dev
    sections = [
        (IfKind.MGMT, _brief_mgmt),
        (IfKind.PHYSICAL, _brief_eth),
        (IfKind.PORT_CHANNEL, _brief_po),
        (IfKind.LOOPBACK, _brief_lo),
        (IfKind.SVI, _brief_vlan),
    ]
    lines: list[str] = []
    for kind, build in sections:
        if of_kind(dev, kind):
            lines += ["", *build(dev)]
    return join([*lines, ""]) if lines else ""


def status_word(intf: Interface) -> str:
    """The 9-character status column of `show interface status`."""
    if not intf.admin_up:
        return "disabled"
    if intf.oper_up:
        return "connected"
    if intf.kind == IfKind.PORT_CHANNEL:
        return "noOperMem"
    return "down" if intf.kind == IfKind.SVI else "notconnec"


def _status_vlan(intf: Interface) -> str:
    if intf.kind in (IfKind.PHYSICAL, IfKind.PORT_CHANNEL) and intf.mode != PortMode.ROUTED:
        return "trunk" if intf.mode == PortMode.TRUNK else str(intf.access_vlan or 1)
    return "routed"


def _status_type(intf: Interface) -> str:
    if intf.kind != IfKind.PHYSICAL:
        return "--"
    gbps = intf.bandwidth_kbps // 1_000_000
    return {1: "1000base-T", 10: "10Gbase-SR", 25: "SFP-H25G-CU2M", 40: "QSFP-40G-SR4"}.get(gbps, "QSFP-100G-SR4")


def _status_row(intf: Interface) -> str:
    up = is_up(intf) and intf.kind in (IfKind.PHYSICAL, IfKind.PORT_CHANNEL, IfKind.MGMT)
    duplex = "full" if up else "auto"
    speed = speed_short(intf.bandwidth_kbps) if up else "auto"
    name = (intf.description or "--")[:18]
    values = [short_if(intf.name), name, status_word(intf), _status_vlan(intf), duplex, speed]
    return cols([*values, _status_type(intf)], [14, 19, 10, 10, 8, 8])


def show_interface_status(ctx: RenderContext) -> str:
    lines = [RULE, "Port          Name               Status    Vlan      Duplex  Speed   Type", RULE]
    lines += [_status_row(i) for i in interface_order(ctx.dev)]
    return join([*lines, ""])


def _desc_table(dev: DeviceState, kinds: tuple[IfKind, ...]) -> list[str]:
    rows = [i for i in dev.interfaces if i.kind in kinds]
    if not rows:
        return []
    header = "Interface                Description".ljust(79)
    lines = ["", RULE79, header, RULE79]
    return lines + [cols([short_if(i.name), i.description or "--"], [25]) for i in rows]


def _desc_eth(dev: DeviceState) -> list[str]:
    rows = of_kind(dev, IfKind.PHYSICAL)
    if not rows:
        return []
    lines = ["", RULE79, "Port          Type   Speed   Description", RULE79]
    for intf in rows:
        values = [short_if(intf.name), "eth", speed_short(intf.bandwidth_kbps), intf.description or "--"]
        lines.append(cols(values, [14, 7, 8]))
    return lines


def show_interface_description(ctx: RenderContext) -> str:
    dev = ctx.dev
    lines = _desc_table(dev, (IfKind.MGMT,)) + _desc_eth(dev)
    lines += _desc_table(dev, (IfKind.PORT_CHANNEL,)) + _desc_table(dev, (IfKind.LOOPBACK, IfKind.SVI))
    return join([*lines, ""]) if lines else ""
