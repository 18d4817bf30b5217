"""CDP and LLDP neighbor views (summary and detail)."""

from __future__ import annotations

from netatlas.lab.model import NeighborAdvert, NeighborProtocol
from netatlas.lab.render.base import RenderContext

from ._fmt import cdp_port, cols, dotted_mac, join, lldp_port, short_if

# CDP capability words and the letters of the NX-OS legend.
_CDP_LETTER = {
    "Router": "R",
    "Trans-Bridge": "T",
    "Source-Route-Bridge": "B",
    "Switch": "S",
    "Host": "H",
    "IGMP": "I",
    "Repeater": "r",
    "Phone": "V",
    "VoIP-Phone": "V",
    "Remotely-Managed-Device": "D",
    "Supports-STP-Dispute": "s",
}
_CDP_WORD = {"R": "Router", "S": "Switch", "B": "Switch", "T": "Phone", "W": "Trans-Bridge", "H": "Host"}
# LLDP capability letters (words mapped for adverts written with CDP-style names).
_LLDP_LETTER = {"Router": "R", "Switch": "B", "Bridge": "B", "Phone": "T", "Host": "S", "Station": "S"}

_CDP_LEGEND = [
    "Capability Codes: R - Router, T - Trans-Bridge, B - Source-Route-Bridge",
    "                  S - Switch, H - Host, I - IGMP, r - Repeater,",
    "                  V - VoIP-Phone, D - Remotely-Managed-Device,",
    "                  s - Supports-STP-Dispute",
    "",
    "Device-ID          Local Intrfce  Hldtme Capability  Platform      Port ID",
]
_LLDP_LEGEND = [
    "Capability codes:",
    "  (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device",
    "  (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other",
    "Device ID            Local Intf      Hold-time  Capability  Port ID  ",
]


def _adverts(ctx: RenderContext, protocol: NeighborProtocol) -> list[NeighborAdvert]:
    return [n for n in ctx.dev.neighbors if n.protocol == protocol]


def cdp_platform(advert: NeighborAdvert) -> str:
    """CDP platform as the summary prints it: without the leading ``cisco ``."""
    platform = advert.remote_platform
    return platform[6:] if platform.lower().startswith("cisco ") else platform


def cdp_word_list(advert: NeighborAdvert) -> list[str]:
    """The advertised capabilities as CDP words (``IGMP Filtering`` is one)."""
    return [_CDP_WORD.get(c, c) for c in advert.capabilities]


def cdp_words(advert: NeighborAdvert) -> str:
    return " ".join(cdp_word_list(advert))


def _cdp_letters(advert: NeighborAdvert) -> str:
    words = cdp_words(advert).replace("IGMP Filtering", "IGMP").split()
    return " ".join(_CDP_LETTER[w] for w in words if w in _CDP_LETTER)


def lldp_letters(advert: NeighborAdvert) -> list[str]:
    letters = [_LLDP_LETTER.get(c, c) for c in advert.capabilities]
    return [c for c in dict.fromkeys(letters) if len(c) == 1]


def _cdp_row(advert: NeighborAdvert) -> list[str]:
    values = [short_if(advert.local_interface), str(advert.holdtime), _cdp_letters(advert)]
    tail = cols([*values, cdp_platform(advert), cdp_port(advert.remote_interface)], [15, 7, 10, 14])
    if len(advert.device_id) >= 20:
        return [advert.device_id, " " * 20 + tail]
    return [advert.device_id.ljust(20) + tail]


def show_cdp_neighbors(ctx: RenderContext) -> str:
    adverts = _adverts(ctx, NeighborProtocol.CDP)
    lines = list(_CDP_LEGEND)
    for advert in adverts:
        lines += _cdp_row(advert)
    return join([*lines, "", f"Total entries displayed: {len(adverts)}", ""])


def _cdp_addresses(title: str, advert: NeighborAdvert) -> list[str]:
    return [title, f"    IPv4 Address: {advert.mgmt_ip}"] if advert.mgmt_ip else []


def _cdp_detail(advert: NeighborAdvert) -> list[str]:
    lines = ["-" * 40, f"Device ID:{advert.device_id}"]
    if "(" in advert.device_id:
        lines.append(f"System Name: {advert.device_id.split('(', 1)[0]}")
    lines += ["", *_cdp_addresses("Interface address(es):", advert)]
    lines += [
        f"Platform: {advert.remote_platform}, Capabilities: {cdp_words(advert)}",
        f"Interface: {advert.local_interface}, Port ID (outgoing port): {advert.remote_interface}",
        f"Holdtime: {advert.holdtime} sec",
        "",
        "Version:",
        *advert.software.splitlines(),
        "",
        "Advertisement Version: 2",
        "",
    ]
    if advert.native_vlan is not None:
        lines.append(f"Native VLAN: {advert.native_vlan}")
    lines += ["Duplex: full", "", "MTU: 1500", *_cdp_addresses("Mgmt address(es):", advert)]
    return lines


def show_cdp_neighbors_detail(ctx: RenderContext) -> str:
    lines: list[str] = []
    for advert in _adverts(ctx, NeighborProtocol.CDP):
        lines += _cdp_detail(advert)
    return join(lines)


def _lldp_row(advert: NeighborAdvert) -> list[str]:
    values = [short_if(advert.local_interface), str(advert.holdtime), "".join(lldp_letters(advert))]
    tail = cols([*values, lldp_port(advert.remote_interface).ljust(14)], [16, 11, 13])
    if len(advert.device_id) > 20:
        return [advert.device_id, " " * 21 + tail]
    return [advert.device_id.ljust(21) + tail]


def show_lldp_neighbors(ctx: RenderContext) -> str:
    adverts = _adverts(ctx, NeighborProtocol.LLDP)
    lines = list(_LLDP_LEGEND)
    for advert in adverts:
        lines += _lldp_row(advert)
    return join([*lines, f"Total entries displayed: {len(adverts)}"])


def _lldp_detail(advert: NeighborAdvert) -> list[str]:
    caps = ", ".join(lldp_letters(advert))
    mgmt = str(advert.mgmt_ip) if advert.mgmt_ip else "not advertised"
    vlan = str(advert.native_vlan) if advert.native_vlan is not None else "not advertised"
    return [
        f"Chassis id: {dotted_mac(advert.chassis_id)}",
        f"Port id: {advert.remote_interface}",
        f"Local Port id: {short_if(advert.local_interface)}",
        f"Port Description: {advert.remote_port_description or 'null'}",
        f"System Name: {advert.device_id}",
        f"System Description: {advert.software}",
        f"Time remaining: {max(advert.holdtime - 23, 1)} seconds",
        f"System Capabilities: {caps}",
        f"Enabled Capabilities: {caps}",
        f"Management Address: {mgmt}",
        "Management Address IPV6: not advertised",
        f"Vlan ID: {vlan}",
        "",
    ]


def show_lldp_neighbors_detail(ctx: RenderContext) -> str:
    adverts = _adverts(ctx, NeighborProtocol.LLDP)
    lines = [*_LLDP_LEGEND, ""]
    for advert in adverts:
        lines += _lldp_detail(advert)
    return join([*lines, "", f"Total entries displayed: {len(adverts)}"])
