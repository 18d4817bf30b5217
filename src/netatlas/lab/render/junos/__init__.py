"""JunOS (MX/SRX/EX/QFX, Junos 21-23) renderers: the command table the lab shell matches against."""

from __future__ import annotations

from netatlas.lab.model import Platform
from netatlas.lab.render.base import CommandSpec
from netatlas.lab.render.junos import (
    config,
    facts,
    interfaces,
    json_interfaces,
    json_l2,
    json_protocols,
    json_routes,
    l2,
    protocols,
    routes,
)
from netatlas.lab.render.variations import gated

COMMANDS: list[CommandSpec] = gated(Platform.JUNIPER_JUNOS, [
    CommandSpec("show version", facts.show_version),
    CommandSpec("show chassis hardware", facts.show_chassis_hardware),
    CommandSpec("show system uptime", facts.show_system_uptime),
    CommandSpec("show configuration", config.show_configuration),
    CommandSpec("show interfaces", interfaces.show_interfaces, json_interfaces.show_interfaces),
    CommandSpec("show interfaces terse", interfaces.show_interfaces_terse),
    CommandSpec("show interfaces descriptions", interfaces.show_interfaces_descriptions),
    CommandSpec("show lacp interfaces", interfaces.show_lacp_interfaces),
    CommandSpec("show lldp neighbors", l2.show_lldp_neighbors, json_l2.show_lldp_neighbors),
    CommandSpec("show lldp neighbors interface <interface>", l2.show_lldp_neighbors_interface,
                json_l2.show_lldp_neighbors_interface),
    CommandSpec("show ethernet-switching table", l2.show_ethernet_switching_table,
                json_l2.show_ethernet_switching_table),
    CommandSpec("show vlans", l2.show_vlans),
    CommandSpec("show arp no-resolve", l2.show_arp_no_resolve, json_l2.show_arp_no_resolve),
    CommandSpec("show arp", l2.show_arp),
    CommandSpec("show route", routes.show_route, json_routes.show_route),
    CommandSpec("show route table <table>", routes.show_route_table),
    CommandSpec("show route protocol static", routes.show_route_protocol("static"),
                json_routes.show_route_protocol("static")),
    CommandSpec("show route protocol ospf", routes.show_route_protocol("ospf"),
                json_routes.show_route_protocol("ospf")),
    CommandSpec("show route protocol bgp", routes.show_route_protocol("bgp"),
                json_routes.show_route_protocol("bgp")),
    CommandSpec("show route protocol direct", routes.show_route_protocol("direct")),
    CommandSpec("show route summary", routes.show_route_summary),
    CommandSpec("show ospf neighbor", protocols.show_ospf_neighbor, json_protocols.show_ospf_neighbor),
    CommandSpec("show bgp summary", protocols.show_bgp_summary, json_protocols.show_bgp_summary),
])

__all__ = ["COMMANDS"]
