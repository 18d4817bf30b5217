"""`show interface` (the long form) for each interface kind NX-OS has."""

from __future__ import annotations

from netatlas.lab.model import DeviceState, IfKind, Interface, PortMode
from netatlas.lab.render.base import RenderContext

from ._fmt import dotted_mac, is_up, join, short_if, speed_long

_RX_TX = [
    "  RX",
    "    104567 unicast packets  20345 multicast packets  310 broadcast packets",
    "    125222 input packets  40561234 bytes",
    "    0 jumbo packets  0 storm suppression bytes",
    "    0 runts  0 giants  0 CRC  0 no buffer",
    "    0 input error  0 short frame  0 overrun   0 underrun  0 ignored",
    "    0 watchdog  0 bad etype drop  0 bad proto drop  0 if down drop",
    "    0 input with dribble  0 input discard",
    "    0 Rx pause",
    "  TX",
    "    98765 unicast packets  30123 multicast packets  12 broadcast packets",
    "    128900 output packets  38877120 bytes",
    "    0 jumbo packets",
    "    0 output error  0 collision  0 deferred  0 late collision",
    "    0 lost carrier  0 no carrier  0 babble  0 output discard",
    "    0 Tx pause",
]
_RATES = [
    "  Load-Interval #1: 30 seconds",
    "    30 seconds input rate 2208 bits/sec, 2 packets/sec",
    "    30 seconds output rate 1904 bits/sec, 1 packets/sec",
    "    input rate 2.21 Kbps, 2 pps; output rate 1.90 Kbps, 1 pps",
    "  Load-Interval #2: 5 minute (300 seconds)",
    "    300 seconds input rate 1672 bits/sec, 2 packets/sec",
    "    300 seconds output rate 1440 bits/sec, 1 packets/sec",
    "    input rate 1.67 Kbps, 2 pps; output rate 1.44 Kbps, 1 pps",
]


def down_reason(intf: Interface) -> str:
    if not intf.admin_up:
        return "Administratively down"
    if intf.kind == IfKind.PORT_CHANNEL:
        return "No operational members"
    return "Link not connected"


def _status_line(intf: Interface) -> str:
    if is_up(intf):
        return f"{intf.name} is up"
    return f"{intf.name} is down ({down_reason(intf)})"


def _admin_line(intf: Interface) -> str:
    state = "up" if intf.admin_up else "down"
    return (
        f"admin state is {state}, Dedicated Interface" if intf.kind == IfKind.PHYSICAL else (f"admin state is {state},")
    )


def _common(intf: Interface, hardware: str, delay: int = 10) -> list[str]:
    mac = dotted_mac(intf.mac)
    lines = [f"  Hardware: {hardware}, address: {mac} (bia {mac})"]
    if intf.description:
        lines.append(f"  Description: {intf.description}")
    if intf.ipv4 is not None:
        lines.append(f"  Internet Address is {intf.ipv4.with_prefixlen}")
    lines += [
        f"  MTU {intf.mtu} bytes, BW {intf.bandwidth_kbps} Kbit , DLY {delay} usec",
        "  reliability 255/255, txload 1/255, rxload 1/255",
        "  Encapsulation ARPA, medium is broadcast",
    ]
    return lines


def _duplex(intf: Interface) -> str:
    if is_up(intf):
        return f"  full-duplex, {speed_long(intf.bandwidth_kbps)}"
    return "  auto-duplex, auto-speed"


def _ethernet(intf: Interface) -> list[str]:
    lines = [_status_line(intf), _admin_line(intf)]
    if intf.channel_group:
        lines.append(f"  Belongs to {short_if(intf.channel_group)}")
    hardware = "40000/100000 Ethernet" if intf.bandwidth_kbps >= 40_000_000 else "100/1000/10000/25000 Ethernet"
    lines += _common(intf, hardware)
    media = f", media type is {intf.bandwidth_kbps // 1_000_000}G" if is_up(intf) else ""
    lines += [
        f"  Port mode is {intf.mode.value}",
        _duplex(intf) + media,
        "  Beacon is turned off",
        "  Auto-Negotiation is turned on  FEC mode is Auto",
        "  Input flow-control is off, output flow-control is off",
        "  Auto-mdix is turned off",
        "  Rate mode is dedicated",
        "  Switchport monitor is off ",
        "  EtherType is 0x8100 ",
        "  EEE (efficient-ethernet) : n/a",
        "    admin fec state is auto, oper fec state is off",
        "  Last link flapped 3week(s) 2day(s)",
        '  Last clearing of "show interface" counters never',
        "  2 interface resets",
        *_RATES,
        *_RX_TX,
    ]
    return lines


def _port_channel(intf: Interface) -> list[str]:
    lines = [_status_line(intf), _admin_line(intf), *_common(intf, "Port-Channel")]
    members = ", ".join(short_if(m) for m in intf.members)
    lines += [
        f"  Port mode is {intf.mode.value}",
        _duplex(intf),
        "  Input flow-control is off, output flow-control is off",
        "  Auto-mdix is turned off",
        "  Switchport monitor is off ",
        "  EtherType is 0x8100 ",
        f"  Members in this channel: {members}" if members else "  No members",
        '  Last clearing of "show interface" counters never',
        "  1 interface resets",
        *_RATES,
        *_RX_TX,
    ]
    return lines


def _svi(intf: Interface) -> list[str]:
    state = "up" if is_up(intf) else "down"
    first = f"{intf.name} is {state}, line protocol is {state}"
    if not intf.admin_up:
        first = f"{intf.name} is down (Administratively down), line protocol is down"
    lines = [first, f"  Hardware is EtherSVI, address is  {dotted_mac(intf.mac)}"]
    if intf.description:
        lines.append(f"  Description: {intf.description}")
    if intf.ipv4 is not None:
        lines.append(f"  Internet Address is {intf.ipv4.with_prefixlen}")
    lines += [
        f"  MTU {intf.mtu} bytes, BW {intf.bandwidth_kbps} Kbit, DLY 10 usec,",
        "   reliability 255/255, txload 1/255, rxload 1/255",
        "  Encapsulation ARPA, loopback not set",
        "  Keepalive not supported",
        "  ARP type: ARPA",
        '  Last clearing of "show interface" counters never',
        "  L3 in Switched:",
        "    ucast: 12034 pkts, 1540352 bytes",
        "  L3 out Switched:",
        "    ucast: 11877 pkts, 1520256 bytes",
    ]
    return lines


def _loopback(intf: Interface) -> list[str]:
    lines = [_status_line(intf), _admin_line(intf), "  Hardware: Loopback"]
    if intf.description:
        lines.append(f"  Description: {intf.description}")
    if intf.ipv4 is not None:
        lines.append(f"  Internet Address is {intf.ipv4.with_prefixlen}")
    lines += [
        f"  MTU {intf.mtu} bytes, BW 8000000 Kbit, DLY 5000 usec",
        "  reliability 255/255, txload 1/255, rxload 1/255",
        "  Encapsulation LOOPBACK, medium is broadcast",
        "  Port mode is routed",
        "  Auto-mdix is turned off",
        "    0 packets input 0 bytes",
        "    0 multicast frames 0 compressed",
        "    0 input errors 0 frame 0 overrun 0 fifo",
        "    0 packets output 0 bytes 0 underruns",
        "    0 output errors 0 collisions 0 fifo",
        "    0 out_carrier_errors",
    ]
    return lines


def _mgmt(intf: Interface) -> list[str]:
    lines = [_status_line(intf), _admin_line(intf), *_common(intf, "GigabitEthernet")]
    lines += [
        _duplex(intf),
        "  Auto-Negotiation is turned on",
        "  Auto-mdix is turned off",
        "  EtherType is 0x0000 ",
        "  1 minute input rate 1648 bits/sec, 2 packets/sec",
        "  1 minute output rate 256 bits/sec, 0 packets/sec",
        "  Rx",
        "    1264938 input packets 16674 unicast packets 817299 multicast packets",
        "    430965 broadcast packets 94152708 bytes",
        "  Tx",
        "    22966 output packets 14291 unicast packets 8666 multicast packets",
        "    9 broadcast packets 4260032 bytes",
        "  Management transceiver: Absent",
        "  Active connector: RJ45",
    ]
    return lines


_BY_KIND = {
    IfKind.PHYSICAL: _ethernet,
    IfKind.PORT_CHANNEL: _port_channel,
    IfKind.SVI: _svi,
    IfKind.LOOPBACK: _loopback,
    IfKind.MGMT: _mgmt,
}


def interface_order(dev: DeviceState) -> list[Interface]:
    """The order NX-OS lists interfaces in: mgmt0, Ethernet, port-channel, loopback, Vlan."""
    rank = [IfKind.MGMT, IfKind.PHYSICAL, IfKind.PORT_CHANNEL, IfKind.LOOPBACK, IfKind.SVI]
    return sorted(dev.interfaces, key=lambda i: rank.index(i.kind))


def show_interface(ctx: RenderContext) -> str:
    blocks = ["\n".join(_BY_KIND[i.kind](i)) for i in interface_order(ctx.dev)]
    return join(["\n\n".join(blocks)]) if blocks else ""


def vlan_column(intf: Interface) -> str:
    if intf.mode == PortMode.ACCESS:
        return str(intf.access_vlan or 1)
    if intf.mode == PortMode.TRUNK:
        return "1"
    return "--"
