"""Cisco NX-OS (Nexus 9000/7000, NX-OS 9.3/10.x) renderers and the platform's command table.

Every renderer is a pure ``(RenderContext) -> str`` printing what NX-OS prints, in the
formats ntc-templates parses.  Tables use NX-OS short names (``Eth1/1``, ``Po10``,
``Lo0``); long forms (`show interface`, ARP, CDP detail) use the full names.
"""

from __future__ import annotations

from netatlas.lab.model import Platform, RouteProto
from netatlas.lab.render.base import CommandSpec, RenderFn
from netatlas.lab.render.variations import gated

from . import facts, iftables, interfaces, layer2, layer3, neighbors, protocols, tables
from .config import show_running_config
from .routes import ospf_tag_view, route_view

_PROTOCOLS = {"static": RouteProto.STATIC, "ospf": RouteProto.OSPF, "bgp": RouteProto.BGP}
_OSPF_TAGS = range(1, 11)  # `show ip route ospf-<tag>` for the usual process tags


def _route_rows() -> list[tuple[str, RenderFn]]:
    rows: list[tuple[str, RenderFn]] = [
        ("show ip route", route_view()),
        ("show ip route vrf all", route_view(vrf="all")),
        ("show ip route vrf <vrf>", route_view(vrf=None)),
    ]
    for word, proto in _PROTOCOLS.items():
        rows += [
            (f"show ip route {word}", route_view(proto)),
            (f"show ip route {word} vrf all", route_view(proto, "all")),
            (f"show ip route {word} vrf <vrf>", route_view(proto, None)),
        ]
    for tag in _OSPF_TAGS:
        rows += [
            (f"show ip route =ospf-{tag}", ospf_tag_view(tag)),
            (f"show ip route =ospf-{tag} vrf all", ospf_tag_view(tag, "all")),
            (f"show ip route =ospf-{tag} vrf <vrf>", ospf_tag_view(tag, None)),
        ]
    return rows


_ROWS: list[tuple[str, RenderFn]] = [
    ("show version", facts.show_version),
    ("show inventory", facts.show_inventory),
    ("show hostname", facts.show_hostname),
    ("show clock", facts.show_clock),
    ("show feature", facts.show_feature),
    ("show running-config", show_running_config),
    ("show interface", interfaces.show_interface),
    ("show interface brief", iftables.show_interface_brief),
    ("show interface status", iftables.show_interface_status),
    ("show interface description", iftables.show_interface_description),
    ("show ip interface brief", layer3.show_ip_interface_brief),
    ("show ip interface brief vrf all", layer3.show_ip_interface_brief_vrf_all),
    ("show ip interface brief vrf <vrf>", layer3.show_ip_interface_brief_vrf),
    ("show ip interface vrf all", layer3.show_ip_interface_vrf_all),
    ("show vlan brief", layer2.show_vlan_brief),
    ("show port-channel summary", layer2.show_port_channel_summary),
    ("show mac address-table", layer2.show_mac_address_table),
    ("show cdp neighbors", neighbors.show_cdp_neighbors),
    ("show cdp neighbors detail", neighbors.show_cdp_neighbors_detail),
    ("show lldp neighbors", neighbors.show_lldp_neighbors),
    ("show lldp neighbors detail", neighbors.show_lldp_neighbors_detail),
    *_route_rows(),
    ("show ip ospf neighbors", protocols.show_ip_ospf_neighbors),
    ("show ip ospf neighbors vrf all", protocols.show_ip_ospf_neighbors_vrf_all),
    ("show ip bgp summary", protocols.show_ip_bgp_summary),
    ("show ip bgp summary vrf all", protocols.show_ip_bgp_summary_vrf_all),
    ("show bgp ipv4 unicast summary vrf all", protocols.show_ip_bgp_summary_vrf_all),
    ("show bgp all summary vrf all", protocols.show_ip_bgp_summary_vrf_all),  # NAPALM nxos_ssh get_bgp_neighbors
    ("show ip arp", tables.show_ip_arp),
    ("show ip arp vrf all", tables.show_ip_arp_vrf_all),
    ("show ip arp vrf <vrf>", tables.show_ip_arp_vrf),
    ("show vrf", tables.show_vrf),
    ("show vrf detail", tables.show_vrf_detail),
]

COMMANDS: list[CommandSpec] = gated(Platform.CISCO_NXOS, [CommandSpec(pattern, render) for pattern, render in _ROWS])

__all__ = ["COMMANDS"]
