"""LLDP: ``show lldp``, ``show lldp neighbors`` and ``show lldp neighbors detail``.

EOS does not speak CDP, so only LLDP adverts are printed.
"""

from __future__ import annotations

from netatlas.lab.model import DeviceState, IfKind, Interface, NeighborAdvert, NeighborProtocol
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.eos._common import dotted_mac, hms, lines, short_name
from netatlas.lab.render.eos._common import sorted_interfaces as ordered

_CAPABILITIES = {
    "B": "Bridge",
    "R": "Router",
    "T": "Telephone",
    "W": "WLAN Access Point",
    "S": "Station Only",
    "O": "Other",
    "C": "DOCSIS Cable Device",
    "P": "Repeater",
    "SWITCH": "Bridge",
}
_TTL = 120


def lldp_adverts(dev: DeviceState) -> list[NeighborAdvert]:
    return [n for n in dev.neighbors if n.protocol is NeighborProtocol.LLDP]


def lldp_ports(dev: DeviceState) -> list[Interface]:
    return [i for i in ordered(dev.interfaces) if i.kind in (IfKind.PHYSICAL, IfKind.MGMT)]


def capabilities(advert: NeighborAdvert) -> str:
    names = [_CAPABILITIES.get(c.upper(), c) for c in advert.capabilities]
    return ", ".join(dict.fromkeys(names))


def system_description(advert: NeighborAdvert) -> str:
    return advert.software or advert.remote_platform


def show_lldp_neighbors(ctx: RenderContext) -> str:
    adverts = lldp_adverts(ctx.dev)
    rows = [
        "Last table change time   : 2 days, 3:14:07 ago",
        f"Number of table inserts  : {len(adverts)}",
        "Number of table deletes  : 0",
        "Number of table drops    : 0",
        "Number of table age-outs : 0",
        "",
        "Port          Neighbor Device ID       Neighbor Port ID    TTL",
        "---------- ------------------------ ---------------------- ---",
    ]
    order = {i.name: n for n, i in enumerate(lldp_ports(ctx.dev))}
    for adv in sorted(adverts, key=lambda a: order.get(a.local_interface, len(order))):
        rows.append(f"{short_name(adv.local_interface):<13} {adv.device_id:<24} {adv.remote_interface:<19} {_TTL}")
    return lines(rows)


def _port_id(advert: NeighborAdvert) -> tuple[str, str]:
    """(Port ID type line, quoted port id) as EOS prints them."""
    if advert.remote_interface.isdigit():
        return "Locally assigned (7)", advert.remote_interface
    return "Interface name (5)", advert.remote_interface


def _mgmt_lines(advert: NeighborAdvert) -> list[str]:
    if advert.mgmt_ip is None:
        return []
    return [
        "  - Management Address Subtype: IPv4 (1)",
        f"    Management Address        : {advert.mgmt_ip}",
        "    Interface Number Subtype  : ifIndex (2)",
        "    Interface Number          : 999001",
        "    OID String                : ",
    ]


def _neighbor_block(advert: NeighborAdvert, n: int) -> list[str]:
    chassis = dotted_mac(advert.chassis_id)
    port_type, port_id = _port_id(advert)
    age = 3 + (n * 7) % 27
    rows = [
        f'  Neighbor {chassis}/"{port_id}", age {age} seconds',
        f"  Discovered 2 days, {hms(11_000 + n * 61)} ago; Last changed 2 days, {hms(11_000 + n * 61)} ago",
        "  - Chassis ID type: MAC address (4)",
        f"    Chassis ID     : {chassis}",
        f"  - Port ID type: {port_type}",
        f'    Port ID     : "{port_id}"',
        f"  - Time To Live: {_TTL} seconds",
    ]
    if advert.remote_port_description:
        rows.append(f'  - Port Description: "{advert.remote_port_description}"')
    caps = capabilities(advert)
    rows += [
        f'  - System Name: "{advert.device_id}"',
        f'  - System Description: "{system_description(advert)}"',
        f"  - System Capabilities : {caps}",
        f"    Enabled Capabilities: {caps}",
        *_mgmt_lines(advert),
        f"  - IEEE802.1 Port VLAN ID: {advert.native_vlan or 1}",
        "  - IEEE802.1/IEEE802.3 Link Aggregation",
        "    Link Aggregation Status: Capable, Disabled (0x01)",
        "    Port ID                : 0",
        "  - IEEE802.3 Maximum Frame Size: 9236 bytes",
    ]
    return rows


def show_lldp_neighbors_detail(ctx: RenderContext) -> str:
    adverts = lldp_adverts(ctx.dev)
    rows: list[str] = []
    n = 0
    for intf in lldp_ports(ctx.dev):
        heard = [a for a in adverts if a.local_interface == intf.name]
        rows += [f"Interface {intf.name} detected {len(heard)} LLDP neighbors:", ""]
        for advert in heard:
            rows += [*_neighbor_block(advert, n), ""]
            n += 1
    return lines(rows)


def show_lldp(ctx: RenderContext) -> str:
    rows = [
        "LLDP transmit interval      : 30 seconds",
        f"LLDP transmit holdtime      : {_TTL} seconds",
        "LLDP reinitialization delay : 2 seconds",
        "LLDP Management Address VRF : default",
        "",
        "Port             Tx Enabled      Rx Enabled",
    ]
    for intf in lldp_ports(ctx.dev):
        rows.append(f"{short_name(intf.name):<16} {intf.lldp_transmit!s:<15} True")
    return lines(rows)
