"""Interface views: ``show interfaces``, ``show ip interface [brief]``, ``show interfaces description``."""

from __future__ import annotations

from netatlas.lab.model import IfKind, Interface
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.ios._common import dotted_mac, lines, short_name, speed_text, status_words

_HARDWARE = (
    ("TwentyFiveGigE", "Twenty Five Gigabit Ethernet", "SFP-25GBase-SR"),
    ("TenGigabitEthernet", "Ten Gigabit Ethernet", "SFP-10GBase-SR"),
    ("FortyGigabitEthernet", "Forty Gigabit Ethernet", "QSFP 40G SR4 SFP"),
    ("GigabitEthernet", "Gigabit Ethernet", "10/100/1000BaseTX"),
)
_COUNTERS = """\
  Last clearing of "show interface" counters never
  Input queue: 0/2000/0/0 (size/max/drops/flushes); Total output drops: 0
  Queueing strategy: fifo
  Output queue: 0/40 (size/max)
  5 minute input rate {irate} bits/sec, {ipps} packets/sec
  5 minute output rate {orate} bits/sec, {opps} packets/sec
     {ipkts} packets input, {ibytes} bytes, 0 no buffer
     Received 28184 broadcasts (21034 multicasts)
     0 runts, 0 giants, 0 throttles\x20
     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored
     0 watchdog, 21034 multicast, 0 pause input
     0 input packets with dribble condition detected
     {opkts} packets output, {obytes} bytes, 0 underruns
     0 output errors, 0 collisions, 1 interface resets
     0 unknown protocol drops
     0 babbles, 0 late collision, 0 deferred
     0 lost carrier, 0 no carrier, 0 pause output
     0 output buffer failures, 0 output buffers swapped out"""


def _hardware(intf: Interface) -> tuple[str, str]:
    """(``Hardware is`` text, media type) for an interface."""
    if intf.kind is IfKind.PORT_CHANNEL:
        return "EtherChannel", "N/A"
    if intf.kind is IfKind.SVI:
        return "Ethernet SVI", ""
    if intf.kind is IfKind.MGMT:
        return "RP management port", "RJ45"
    for prefix, text, media in _HARDWARE:
        if intf.name.startswith(prefix):
            return text, media
    return "Ethernet", "RJ45"


def _suffix(intf: Interface) -> str:
    """Catalyst switches append the port state to the line protocol of Ethernet ports."""
    if intf.kind not in (IfKind.PHYSICAL, IfKind.PORT_CHANNEL):
        return ""
    if not intf.admin_up:
        return " (disabled)"
    return " (connected)" if intf.oper_up else " (notconnect)"


def _duplex_line(intf: Interface, media: str) -> str:
    if not intf.oper_up:
        return f"  Auto-duplex, Auto-speed, media type is {media}"
    if intf.kind is IfKind.PORT_CHANNEL:
        member_kbps = intf.bandwidth_kbps // max(len(intf.members), 1)
        return f"  Full-duplex, {speed_text(member_kbps)}, link type is auto, media type is N/A"
    return f"  Full-duplex, {speed_text(intf.bandwidth_kbps)}, link type is auto, media type is {media}"


def _loopback_block(intf: Interface) -> list[str]:
    return [
        "  Hardware is Loopback",
        *([f"  Description: {intf.description}"] if intf.description else []),
        *([f"  Internet address is {intf.ipv4.with_prefixlen}"] if intf.ipv4 else []),
        "  MTU 1514 bytes, BW 8000000 Kbit/sec, DLY 5000 usec, ",
        "     reliability 255/255, txload 1/255, rxload 1/255",
        "  Encapsulation LOOPBACK, loopback not set",
        "  Keepalive set (10 sec)",
        "  Last input never, output never, output hang never",
    ]


def _ethernet_block(intf: Interface) -> list[str]:
    hardware, media = _hardware(intf)
    mac = dotted_mac(intf.mac)
    rows = [f"  Hardware is {hardware}, address is {mac} (bia {mac})"]
    rows += [f"  Description: {intf.description}"] if intf.description else []
    rows += [f"  Internet address is {intf.ipv4.with_prefixlen}"] if intf.ipv4 else []
    rows += [
        f"  MTU {intf.mtu} bytes, BW {intf.bandwidth_kbps} Kbit/sec, DLY 10 usec, ",
        "     reliability 255/255, txload 1/255, rxload 1/255",
        "  Encapsulation ARPA, loopback not set",
        "  Keepalive set (10 sec)",
    ]
    if intf.kind is not IfKind.SVI:
        rows += [_duplex_line(intf, media), "  input flow-control is off, output flow-control is unsupported "]
    if intf.kind is IfKind.PORT_CHANNEL:
        rows.append("  Members in this channel: " + " ".join(short_name(m) for m in intf.members) + " ")
    rows += ["  ARP type: ARPA, ARP Timeout 04:00:00"]
    rows += [
        "  Last input 00:00:00, output 00:00:00, output hang never"
        if intf.oper_up
        else "  Last input never, output never, output hang never"
    ]
    return rows


def _counters(intf: Interface) -> str:
    seed = sum(map(ord, intf.name)) * 7919
    up = intf.oper_up and intf.admin_up
    ipkts, opkts = (seed * 13, seed * 17) if up else (0, 0)
    return _COUNTERS.format(
        irate=(seed % 9000) * int(up),
        ipps=(seed % 20) * int(up),
        orate=(seed % 7000) * int(up),
        opps=(seed % 15) * int(up),
        ipkts=ipkts,
        ibytes=ipkts * 412,
        opkts=opkts,
        obytes=opkts * 388,
    )


def interface_block(intf: Interface) -> list[str]:
    link, proto = status_words(intf)
    rows = [f"{intf.name} is {link}, line protocol is {proto}{_suffix(intf)} "]
    rows += _loopback_block(intf) if intf.kind is IfKind.LOOPBACK else _ethernet_block(intf)
    return [*rows, _counters(intf)]


def show_interfaces(ctx: RenderContext) -> str:
    return lines(row for intf in ctx.dev.interfaces for row in interface_block(intf))


def show_ip_interface_brief(ctx: RenderContext) -> str:
    rows = ["Interface              IP-Address      OK? Method Status                Protocol"]
    for intf in ctx.dev.interfaces:
        link, proto = status_words(intf)
        address, method = (str(intf.ipv4.ip), "NVRAM") if intf.ipv4 else ("unassigned", "unset")
        rows.append(f"{intf.name:<22} {address:<15} YES {method:<6} {link:<21} {proto:<8}")
    return lines(rows)


_IP_DETAIL = """\
  Broadcast address is 255.255.255.255
  Address determined by non-volatile memory
  MTU is {mtu} bytes
  Helper address is not set
  Directed broadcast forwarding is disabled
{multicast}  Outgoing Common access list is not set\x20
  Outgoing access list is not set
  Inbound Common access list is not set\x20
  Inbound  access list is not set
  Proxy ARP is enabled
  Local Proxy ARP is disabled
  Security level is default
  Split horizon is enabled
  ICMP redirects are always sent
  ICMP unreachables are always sent
  ICMP mask replies are never sent
  IP fast switching is enabled
  IP Flow switching is disabled
  IP CEF switching is enabled
  IP CEF switching turbo vector
  IP Null turbo vector
{vrf}  Associated unicast routing topologies:
        Topology "base", operation state is {topo}
  IP multicast fast switching is enabled
  IP multicast distributed fast switching is disabled
  IP route-cache flags are Fast, CEF
  Router Discovery is disabled
  IP output packet accounting is disabled
  IP access violation accounting is disabled
  TCP/IP header compression is disabled
  RTP/IP header compression is disabled
  Probe proxy name replies are disabled
  Policy routing is disabled
  Network address translation is disabled
  BGP Policy Mapping is disabled
  Input features: MCI Check
  IPv4 WCCP Redirect outbound is disabled
  IPv4 WCCP Redirect inbound is disabled
  IPv4 WCCP Redirect exclude is disabled"""


def _ip_block(intf: Interface) -> list[str]:
    link, proto = status_words(intf)
    head = f"{intf.name} is {link}, line protocol is {proto}"
    if intf.ipv4 is None:
        return [head, "  Internet protocol processing disabled"]
    multicast = "  Multicast reserved groups joined: 224.0.0.5 224.0.0.6\n" if intf.ospf_area else ""
    vrf = f'  VPN Routing/Forwarding "{intf.vrf}"\n' if intf.vrf != "default" else ""
    topo = "UP" if proto == "up" else "DOWN"
    body = _IP_DETAIL.format(mtu=intf.mtu, multicast=multicast, vrf=vrf, topo=topo)
    return [head, f"  Internet address is {intf.ipv4.with_prefixlen}", body]


def show_ip_interface(ctx: RenderContext) -> str:
    return lines(row for intf in ctx.dev.interfaces for row in _ip_block(intf))


def show_interfaces_description(ctx: RenderContext) -> str:
    rows = ["Interface                      Status         Protocol Description"]
    for intf in ctx.dev.interfaces:
        link, proto = status_words(intf)
        status = "admin down" if link.startswith("admin") else link
        rows.append(f"{short_name(intf.name):<31}{status:<15}{proto:<9}{intf.description}".rstrip())
    return lines(rows)
