"""Cisco NX-OS (Nexus 9000/7000, NX-OS 9.3/10.x) renderers and the platform's command table.

Every renderer is a pure ``(RenderContext) -> str`` printing what NX-OS prints, in the
formats ntc-templates parses; the ``json_*`` modules print the ``| json`` documents of the
commands the collector reads in structured form, built from the same state (never from text).
Tables use NX-OS short names (``Eth1/1``, ``Po10``,
``Lo0``); long forms (`show interface`, ARP, CDP detail) use the full names.
"""

from __future__ import annotations

from netatlas.lab.model import Platform, RouteProto
from netatlas.lab.render.base import CommandSpec, RenderFn
from netatlas.lab.render.variations import gated

from . import facts, iftables, interfaces, json_facts, json_tables, layer2, layer3, neighbors, protocols, tables
from .config import show_running_config
from .json_interfaces import show_interface_json
from .json_neighbors import show_cdp_neighbors_detail_json, show_lldp_neighbors_detail_json
from .json_routes import ospf_tag_json, route_json
from .routes import ospf_tag_view, route_view

_PROTOCOLS = {"static": RouteProto.STATIC, "ospf": RouteProto.OSPF, "bgp": RouteProto.BGP}
_OSPF_TAGS = range(1, 11)  # `show ip route ospf-<tag>` for the usual process tags


Row = tuple[str, RenderFn, RenderFn | None]  # (pattern, text renderer, `| json` renderer or None)


def _route_rows() -> list[Row]:
    rows: list[Row] = []
    for vrf, words in (("default", ""), ("all", " vrf all"), (None, " vrf <vrf>")):
        rows.append((f"show ip route{words}", route_view(vrf=vrf), route_json(vrf=vrf)))
        rows += [(f"show ip route {word}{words}", route_view(proto, vrf), route_json(proto, vrf))
                 for word, proto in _PROTOCOLS.items()]
        rows += [(f"show ip route =ospf-{tag}{words}", ospf_tag_view(tag, vrf), ospf_tag_json(tag, vrf))
                 for tag in _OSPF_TAGS]
    return rows


_ROWS: list[Row] = [
    ("show version", facts.show_version, json_facts.show_version_json),
    ("show inventory", facts.show_inventory, None),
    ("show hostname", facts.show_hostname, None),
    ("show clock", facts.show_clock, None),
    ("show feature", facts.show_feature, None),
    ("show running-config", show_running_config, None),
    ("show interface", interfaces.show_interface, show_interface_json),
    ("show interface brief", iftables.show_interface_brief, None),
    ("show interface status", iftables.show_interface_status, None),
    ("show interface description", iftables.show_interface_description, None),
    ("show ip interface brief", layer3.show_ip_interface_brief, None),
    ("show ip interface brief vrf all", layer3.show_ip_interface_brief_vrf_all, None),
    ("show ip interface brief vrf <vrf>", layer3.show_ip_interface_brief_vrf, None),
    ("show ip interface vrf all", layer3.show_ip_interface_vrf_all, None),
    ("show vlan brief", layer2.show_vlan_brief, None),
    ("show port-channel summary", layer2.show_port_channel_summary, None),
    ("show mac address-table", layer2.show_mac_address_table, json_tables.show_mac_address_table_json),
    ("show cdp neighbors", neighbors.show_cdp_neighbors, None),
    ("show cdp neighbors detail", neighbors.show_cdp_neighbors_detail, show_cdp_neighbors_detail_json),
    ("show lldp neighbors", neighbors.show_lldp_neighbors, None),
    ("show lldp neighbors detail", neighbors.show_lldp_neighbors_detail, show_lldp_neighbors_detail_json),
    *_route_rows(),
    ("show ip ospf neighbors", protocols.show_ip_ospf_neighbors, json_tables.show_ip_ospf_neighbors_json),
    ("show ip ospf neighbors vrf all", protocols.show_ip_ospf_neighbors_vrf_all,
     json_tables.show_ip_ospf_neighbors_vrf_all_json),
    ("show ip bgp summary", protocols.show_ip_bgp_summary, json_tables.show_ip_bgp_summary_json),
    ("show ip bgp summary vrf all", protocols.show_ip_bgp_summary_vrf_all,
     json_tables.show_ip_bgp_summary_vrf_all_json),
    ("show bgp ipv4 unicast summary vrf all", protocols.show_ip_bgp_summary_vrf_all, None),
    ("show bgp all summary vrf all", protocols.show_ip_bgp_summary_vrf_all, None),  # NAPALM nxos_ssh get_bgp_neighbors
    ("show ip arp", tables.show_ip_arp, json_tables.show_ip_arp_json),
    ("show ip arp vrf all", tables.show_ip_arp_vrf_all, json_tables.show_ip_arp_vrf_all_json),
    ("show ip arp vrf <vrf>", tables.show_ip_arp_vrf, json_tables.show_ip_arp_vrf_json),
    ("show vrf", tables.show_vrf, None),
    ("show vrf detail", tables.show_vrf_detail, None),
]

# Each row's `| json` form where NX-OS has one for it (json_*.py); None: refused at the pipe, as a command
# the lab does not render as a document (the collector reads those as text).
COMMANDS: list[CommandSpec] = gated(Platform.CISCO_NXOS, [CommandSpec(pattern, render, render_json=as_json)
                                                          for pattern, render, as_json in _ROWS])

__all__ = ["COMMANDS"]
