"""CDP and LLDP neighbor tables, summary and detail."""

from __future__ import annotations

from netatlas.lab.model import NeighborAdvert, NeighborProtocol
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.ios._common import cdp_name, dotted_mac, lines, short_name

_CDP_LETTERS = {
    "Router": "R",
    "Trans-Bridge": "T",
    "Source-Route-Bridge": "B",
    "Switch": "S",
    "Host": "H",
    "IGMP": "I",
    "Repeater": "r",
    "Phone": "P",
    "Remote": "D",
    "CVTA": "C",
    "Two-port Mac Relay": "M",
}
_CDP_WORDS = {"R": "Router", "B": "Switch", "T": "Phone", "S": "Host", "W": "Host", "P": "Repeater"}
_LLDP_LETTERS = {
    "Router": "R",
    "Switch": "B",
    "Trans-Bridge": "B",
    "Phone": "T",
    "Host": "S",
    "IGMP": "",
    "Repeater": "P",
    "Two-port Mac Relay": "",
    "Remote": "",
    "CVTA": "",
    "WLAN": "W",
}
_CDP_LEGEND = """\
Capability Codes: R - Router, T - Trans Bridge, B - Source Route Bridge
                  S - Switch, H - Host, I - IGMP, r - Repeater, P - Phone,\x20
                  D - Remote, C - CVTA, M - Two-port Mac Relay\x20
"""
_LLDP_LEGEND = """\
Capability codes:
    (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device
    (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other
"""
_DASHES = "-" * 48


def _of(ctx: RenderContext, protocol: NeighborProtocol) -> list[NeighborAdvert]:
    return [n for n in ctx.dev.neighbors if n.protocol is protocol]


def cdp_words(caps: tuple[str, ...]) -> list[str]:
    """CDP capability words; LLDP letters are translated when a scenario gave those."""
    return [_CDP_WORDS.get(c, c) if len(c) == 1 else c for c in caps]


def lldp_letters(caps: tuple[str, ...]) -> str:
    letters = [c if len(c) == 1 else _LLDP_LETTERS.get(c, "O") for c in caps]
    return ",".join(dict.fromkeys(x for x in letters if x))


def cdp_platform_short(platform: str) -> str:
    """The summary's Platform column: without the vendor word, cut to nine characters."""
    words = platform.split()
    text = " ".join(words[1:]) if words and words[0].lower() == "cisco" and len(words) > 1 else platform
    return text[:9]


def show_cdp_neighbors(ctx: RenderContext) -> str:
    rows = [_CDP_LEGEND, "Device ID        Local Intrfce     Holdtme    Capability  Platform  Port ID"]
    adverts = _of(ctx, NeighborProtocol.CDP)
    for nbr in adverts:
        letters = " ".join(_CDP_LETTERS.get(w, w[:1]) for w in cdp_words(nbr.capabilities))
        body = (
            f"{cdp_name(nbr.local_interface):<18}{nbr.holdtime:<11}{letters:>10}  "
            f"{cdp_platform_short(nbr.remote_platform):<9} {cdp_name(nbr.remote_interface)}"
        )
        if len(nbr.device_id) > 16:
            rows += [nbr.device_id, " " * 17 + body]
        else:
            rows.append(f"{nbr.device_id:<17}{body}")
    rows += ["", f"Total cdp entries displayed : {len(adverts)}"]
    return lines(rows)


def _cdp_detail(nbr: NeighborAdvert) -> list[str]:
    address = [f"  IP address: {nbr.mgmt_ip}"] if nbr.mgmt_ip else []
    caps = " ".join(cdp_words(nbr.capabilities))
    rows = [
        "-------------------------",
        f"Device ID: {nbr.device_id}",
        "Entry address(es): ",
        *address,
        f"Platform: {nbr.remote_platform},  Capabilities: {caps} ",
        f"Interface: {nbr.local_interface},  Port ID (outgoing port): {nbr.remote_interface}",
        f"Holdtime : {nbr.holdtime} sec",
        "",
        "Version :",
        *nbr.software.splitlines(),
        "",
        "advertisement version: 2",
    ]
    if nbr.native_vlan is not None:
        rows.append(f"Native VLAN: {nbr.native_vlan}")
    rows += ["Duplex: full", "Management address(es): ", *address, ""]
    return rows


def show_cdp_neighbors_detail(ctx: RenderContext) -> str:
    adverts = _of(ctx, NeighborProtocol.CDP)
    rows = [row for nbr in adverts for row in _cdp_detail(nbr)]
    return lines([*rows, "", f"Total cdp entries displayed : {len(adverts)}"])


def show_lldp_neighbors(ctx: RenderContext) -> str:
    adverts = _of(ctx, NeighborProtocol.LLDP)
    rows = [_LLDP_LEGEND, "Device ID           Local Intf     Hold-time  Capability      Port ID"]
    for nbr in adverts:
        rows.append(
            f"{nbr.device_id[:20]:<20}{short_name(nbr.local_interface):<15}{nbr.holdtime:<11}"
            f"{lldp_letters(nbr.capabilities):<16}{nbr.remote_interface}"
        )
    return lines([*rows, "", f"Total entries displayed: {len(adverts)}", ""])


def _lldp_detail(nbr: NeighborAdvert) -> list[str]:
    caps = lldp_letters(nbr.capabilities)
    address = (
        ["Management Addresses:", f"    IP: {nbr.mgmt_ip}"]
        if nbr.mgmt_ip
        else ["Management Addresses - not advertised"]
    )
    vlan = f"Vlan ID: {nbr.native_vlan}" if nbr.native_vlan is not None else "Vlan ID: - not advertised"
    descr = nbr.remote_port_description or nbr.remote_interface
    return [
        _DASHES,
        f"Local Intf: {short_name(nbr.local_interface)}",
        f"Chassis id: {dotted_mac(nbr.chassis_id)}",
        f"Port id: {nbr.remote_interface}",
        f"Port Description: {descr}",
        f"System Name: {nbr.device_id}",
        "",
        "System Description: ",
        *(nbr.software or nbr.remote_platform).splitlines(),
        "",
        f"Time remaining: {max(nbr.holdtime - 29, 1)} seconds",
        f"System Capabilities: {caps}",
        f"Enabled Capabilities: {caps}",
        *address,
        "Auto Negotiation - not supported",
        "Physical media capabilities - not advertised",
        "Media Attachment Unit type - not advertised",
        vlan,
        "",
    ]


def show_lldp_neighbors_detail(ctx: RenderContext) -> str:
    adverts = _of(ctx, NeighborProtocol.LLDP)
    rows = [row for nbr in adverts for row in _lldp_detail(nbr)]
    return lines(["", *rows, "", f"Total entries displayed: {len(adverts)}", ""])
