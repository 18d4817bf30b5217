"""Arista EOS (4.2x, 7050/7280) renderers: the command table the lab shell matches against.

EOS does not speak CDP: no ``show cdp ...`` row, so the shell answers with EOS's
invalid-input error. The data commands netatlas reads also answer `` | json`` (``render_json``,
the ``json_*`` modules), built from the same state as their text.
"""

from __future__ import annotations

from netatlas.lab.model import Platform, RouteProto
from netatlas.lab.render.base import CommandSpec
from netatlas.lab.render.eos import (
    bgp,
    config,
    interfaces,
    json_bgp,
    json_interfaces,
    json_neighbors,
    json_routing,
    json_switching,
    json_system,
    neighbors,
    routing,
    switching,
    system,
)
from netatlas.lab.render.eos.json_common import gated_with_json

COMMANDS: list[CommandSpec] = gated_with_json(Platform.ARISTA_EOS, [
    CommandSpec("show version", system.show_version, json_system.show_version),
    CommandSpec("show hostname", system.show_hostname, json_system.show_hostname),
    CommandSpec("show inventory", system.show_inventory),
    CommandSpec("show clock", system.show_clock),
    CommandSpec("show interfaces", interfaces.show_interfaces, json_interfaces.show_interfaces),
    CommandSpec("show interfaces status", interfaces.show_interfaces_status),
    CommandSpec("show interfaces description", interfaces.show_interfaces_description),
    CommandSpec("show ip interface brief", interfaces.show_ip_interface_brief),
    CommandSpec("show vlan", switching.show_vlan),
    CommandSpec("show port-channel summary", switching.show_port_channel_summary),
    CommandSpec("show vrf", switching.show_vrf),
    CommandSpec("show mac address-table", switching.show_mac_address_table,
                json_switching.show_mac_address_table),
    CommandSpec("show ip arp", switching.show_ip_arp, json_switching.show_ip_arp),
    CommandSpec("show ip arp vrf =all", switching.show_ip_arp_vrf_all, json_switching.show_ip_arp_vrf_all),
    CommandSpec("show ip arp vrf <vrf>", switching.show_ip_arp, json_switching.show_ip_arp),
    CommandSpec("show arp", switching.show_ip_arp),
    CommandSpec("show lldp", neighbors.show_lldp),
    CommandSpec("show lldp neighbors", neighbors.show_lldp_neighbors),
    CommandSpec("show lldp neighbors detail", neighbors.show_lldp_neighbors_detail,
                json_neighbors.show_lldp_neighbors_detail),
    CommandSpec("show ip route", routing.show_ip_route, json_routing.show_ip_route),
    CommandSpec("show ip route vrf =all", routing.show_ip_route_vrf_all, json_routing.show_ip_route_vrf_all),
    CommandSpec("show ip route vrf <vrf>", routing.show_ip_route, json_routing.show_ip_route),
    CommandSpec("show ip route static", routing.by_protocol(RouteProto.STATIC)),
    CommandSpec("show ip route ospf", routing.by_protocol(RouteProto.OSPF)),
    CommandSpec("show ip route bgp", routing.by_protocol(RouteProto.BGP)),
    CommandSpec("show ip route connected", routing.by_protocol(RouteProto.CONNECTED)),
    CommandSpec("show ip ospf neighbor", routing.show_ip_ospf_neighbor, json_routing.show_ip_ospf_neighbor),
    CommandSpec("show ip ospf neighbor vrf =all", routing.show_ip_ospf_neighbor_vrf_all,
                json_routing.show_ip_ospf_neighbor_vrf_all),
    CommandSpec("show ip bgp summary", bgp.show_ip_bgp_summary, json_bgp.show_ip_bgp_summary),
    CommandSpec("show ip bgp summary vrf =all", bgp.show_ip_bgp_summary_vrf_all,
                json_bgp.show_ip_bgp_summary_vrf_all),
    CommandSpec("show ip bgp", bgp.show_ip_bgp),
    CommandSpec("show running-config", config.show_running_config),
])

__all__ = ["COMMANDS"]
