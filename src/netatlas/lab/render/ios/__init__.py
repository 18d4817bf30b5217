"""Cisco IOS / IOS-XE renderer (Catalyst 9300/3850 switches, ISR/ASR routers).

Every renderer prints the exact text IOS-XE prints, in the shape ntc-templates parses.
``COMMANDS`` is the platform's command table consumed by the lab shell.
"""

from __future__ import annotations

from netatlas.lab.model import Platform, RouteProto
from netatlas.lab.render.base import CommandSpec
from netatlas.lab.render.ios import (
    bgp_neighbors,
    config,
    interfaces,
    neighbors,
    protocols,
    route_detail,
    switching,
    system,
    tables,
)
from netatlas.lab.render.ios.routes import route_renderer, route_renderer_all_vrfs
from netatlas.lab.render.variations import gated

_C, _L, _S, _O, _B = (RouteProto.CONNECTED, RouteProto.LOCAL, RouteProto.STATIC, RouteProto.OSPF, RouteProto.BGP)
_ROUTE_FILTERS: tuple[tuple[str, tuple[RouteProto, ...]], ...] = (
    ("static", (_S,)),
    ("ospf", (_O,)),
    ("bgp", (_B,)),
    ("connected", (_C, _L)),
)


def _route_commands() -> list[CommandSpec]:
    specs = [
        CommandSpec("show ip route", route_renderer()),
        CommandSpec("show ip route vrf =*", route_renderer_all_vrfs()),
        CommandSpec("show ip route vrf <vrf>", route_renderer()),
    ]
    for word, protos in _ROUTE_FILTERS:
        specs += [
            CommandSpec(f"show ip route {word}", route_renderer(*protos)),
            CommandSpec(f"show ip route vrf =* {word}", route_renderer_all_vrfs(*protos)),
            CommandSpec(f"show ip route vrf <vrf> {word}", route_renderer(*protos)),
        ]
    specs += [
        CommandSpec(f"show ip route{vrf} <address>{mask}", route_detail.show_ip_route_detail)
        for vrf in ("", " vrf <vrf>")
        for mask in ("", " <mask>")
    ]
    return specs


def _bgp_neighbor_commands() -> list[CommandSpec]:
    """What NAPALM's ``get_bgp_neighbors[_detail]``/``get_route_to`` and ntc-templates ask for."""
    default, vrf = (
        bgp_neighbors.neighbors_renderer(bgp_neighbors.in_default),
        bgp_neighbors.neighbors_renderer(bgp_neighbors.in_vrf),
    )
    unused = ("ipv4 multicast", "ipv6 unicast", "ipv6 multicast", "vpnv6 unicast all", "ipv4 mdt all")
    return [
        CommandSpec("show ip bgp neighbors", default),
        CommandSpec("show ip bgp ipv4 unicast neighbors <neighbor>", default),
        CommandSpec("show ip bgp vpnv4 all neighbors", vrf),
        CommandSpec("show ip bgp vpnv4 all neighbors <neighbor>", vrf),
        CommandSpec("show bgp ipv4 unicast neighbors", default),
        CommandSpec("show bgp vpnv4 unicast all neighbors", vrf),
        *[CommandSpec(f"show bgp {family} neighbors", bgp_neighbors.no_peers) for family in unused],
    ]


COMMANDS: list[CommandSpec] = gated(Platform.CISCO_IOS, [
    CommandSpec("show version", system.show_version),
    CommandSpec("show inventory", system.show_inventory),
    CommandSpec("show clock", system.show_clock),
    CommandSpec("show hosts", system.show_hosts),
    CommandSpec("show interfaces", interfaces.show_interfaces),
    CommandSpec("show ip interface brief", interfaces.show_ip_interface_brief),
    CommandSpec("show ip interface", interfaces.show_ip_interface),
    CommandSpec("show interfaces description", interfaces.show_interfaces_description),
    CommandSpec("show interfaces status", switching.show_interfaces_status),
    CommandSpec("show interfaces switchport", switching.show_interfaces_switchport),
    CommandSpec("show vlan brief", switching.show_vlan_brief),
    CommandSpec("show etherchannel summary", switching.show_etherchannel_summary),
    CommandSpec("show mac address-table", switching.show_mac_address_table),
    CommandSpec("show cdp neighbors", neighbors.show_cdp_neighbors),
    CommandSpec("show cdp neighbors detail", neighbors.show_cdp_neighbors_detail),
    CommandSpec("show lldp neighbors", neighbors.show_lldp_neighbors),
    CommandSpec("show lldp neighbors detail", neighbors.show_lldp_neighbors_detail),
    *_route_commands(),
    CommandSpec("show ip ospf neighbor", protocols.show_ip_ospf_neighbor),
    CommandSpec("show ip ospf neighbor detail", protocols.show_ip_ospf_neighbor_detail),
    CommandSpec("show ip bgp summary", protocols.show_ip_bgp_summary),
    CommandSpec("show ip bgp vpnv4 vrf <vrf> summary", protocols.show_ip_bgp_vpnv4_vrf_summary),
    CommandSpec("show bgp vpnv4 unicast vrf <vrf> summary", protocols.show_ip_bgp_vpnv4_vrf_summary),
    CommandSpec("show bgp all summary", protocols.show_bgp_all_summary),
    CommandSpec("show ip bgp all summary", protocols.show_bgp_all_summary),
    CommandSpec("show ip bgp", protocols.show_ip_bgp),
    CommandSpec("show ip bgp <prefix>", route_detail.show_ip_bgp_prefix),
    *_bgp_neighbor_commands(),
    CommandSpec("show ip protocols", route_detail.show_ip_protocols),
    CommandSpec("show ip arp", tables.show_ip_arp),
    CommandSpec("show ip arp vrf <vrf>", tables.show_ip_arp),
    CommandSpec("show arp", tables.show_arp),
    CommandSpec("show vrf", tables.show_vrf),
    CommandSpec("show vrf detail", tables.show_vrf_detail),
    CommandSpec("show ip vrf", tables.show_ip_vrf),
    CommandSpec("show running-config", config.show_running_config),
])

__all__ = ["COMMANDS"]
