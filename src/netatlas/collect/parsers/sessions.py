"""OSPF neighbors, BGP sessions, MAC and ARP tables: a field map per (platform, command).

A map names the template field for each record field. ``vrf`` is a field name, or a constant
in angle brackets when the command does not print the VRF: ``<default>`` for commands that
show only the global table, ``<>`` (unknown) for commands that mix VRFs without saying which.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from netatlas.collect.parsers import fields as f
from netatlas.collect.parsers.common import adjacency_state, bgp_state, port, vrf_name
from netatlas.collect.parsers.table import (
    EOS_BGP_OFF,
    EOS_OSPF_OFF,
    IOS_BGP_OFF,
    IOS_OSPF_OFF,
    NXOS_BGP_OFF,
    NXOS_OSPF_OFF,
    Builder,
    Normaliser,
    Row,
    placeholders,
    rx,
)
from netatlas.domain.records import ArpEntry, BgpSession, DeviceRecords, MacEntry, OspfNeighbor

NOT_PORTS = frozenset({"CPU", "Router", "Switch", "sup-eth1(R)", "Sup-eth1(R)"})


@dataclass(frozen=True, slots=True)
class Fields:
    """Template field per record field (``""``: not read); ``vrf`` may be a ``<constant>``."""

    a: str  # OSPF router id / BGP peer / MAC / ARP ip
    b: str  # OSPF address / BGP remote AS / MAC vlan / ARP mac
    c: str  # OSPF interface / BGP state / MAC port / ARP interface
    d: str = ""  # OSPF state / BGP prefixes / MAC type
    vrf: str = "<default>"

    def required(self) -> frozenset[str]:
        return frozenset(x for x in (self.a, self.b, self.c, self.d, self.vrf) if x and not x.startswith("<"))

    def vrf_of(self, row: Row) -> str:
        return self.vrf[1:-1] if self.vrf.startswith("<") else vrf_name(row[self.vrf])


def _ospf(m: Fields) -> Builder:
    def build(rows: list[Row], platform: str) -> DeviceRecords:
        out = [
            OspfNeighbor(f.ip(r[m.a], m.a), f.ip(r[m.b], m.b), port(r[m.c], platform), adjacency_state(r[m.d]),
                         m.vrf_of(r))
            for r in rows
        ]
        return DeviceRecords(ospf_neighbors=out)

    return build


def _bgp(m: Fields) -> Builder:
    def build(rows: list[Row], platform: str) -> DeviceRecords:
        out = []
        for r in rows:
            state = bgp_state(r[m.c])
            count = r[m.d] if m.d and state == "Established" else ""
            count = count if count.strip().isdigit() else (r[m.c] if r[m.c].strip().isdigit() else "")
            out.append(BgpSession(f.ip(r[m.a], m.a), f.asn(r[m.b], m.b), state,
                                  f.optional_int(count, m.d or m.c), m.vrf_of(r)))
        return DeviceRecords(bgp_sessions=out)

    return build


def _mac(m: Fields) -> Builder:
    def build(rows: list[Row], platform: str) -> DeviceRecords:
        out = []
        for r in rows:
            where = f.first(r[m.c]).strip()
            if where in NOT_PORTS or not r[m.b].strip().isdigit():
                continue  # CPU/router entries and "All" VLAN rows are not learned addresses
            dynamic = r[m.d].strip().lower() in ("dynamic", "d")
            out.append(MacEntry(f.mac(r[m.a], m.a), f.integer(r[m.b], m.b), port(where, platform), dynamic))
        return DeviceRecords(mac_table=out)

    return build


def _arp(m: Fields) -> Builder:
    def build(rows: list[Row], platform: str) -> DeviceRecords:
        out = [
            ArpEntry(f.ip(r[m.a], m.a), f.mac(r[m.b], m.b), port(r[m.c].split(",")[0], platform), m.vrf_of(r))
            for r in rows
            if r[m.b].strip().lower() not in ("incomplete", "(incomplete)")
        ]
        return DeviceRecords(arp=out)

    return build


def _row(platform: str, command: str, make: Callable[[Fields], Builder], m: Fields, entries: str,
         quiet: str, **reading: Any) -> Normaliser:
    """A row; ``reading`` holds the :class:`Normaliser` reading rules (feature_off, total, lenient)."""
    requires = m.required() - set(placeholders(command))  # a VRF the command names is no template field
    return Normaliser(platform, command, requires, make(m), rx(entries), rx(quiet), **reading)


_IP = r"\d+\.\d+\.\d+\.\d+"
_OSPF_CISCO = rf"^\s*{_IP}\s+\d+\s+\w+/"
_BGP_CISCO = rf"^{_IP}\s+4\s+\d+"
_MAC_DOTTED = r"[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}"
# Catalyst tables: unicast entries are what we read; legends, per-linecard headings, counters and the
# "Multicast Entries" section (type system/igmp, port lists over several lines) are not entries.
_IOS_MAC_UNICAST = rf"(?i)^[*RD# ]?\s*\d+\s+{_MAC_DOTTED}\s+(?:dynamic|static|secure|sticky)"
_IOS_MAC_QUIET = (
    r"\s*|\s+Mac Address Table|[-+]+|\s*Vlan\s+Mac Address\s+Type.*|-+\s+-+\s+-+\s+-+"
    rf"|\s*All\s+{_MAC_DOTTED}\s+STATIC\s+CPU|Total Mac Addresses for this criterion: \d+"
    r"|Legend: .*|\s{8}\S.* - .*|Displaying entries from .*:|(?:Unicast|Multicast) Entries"
    r"|\s*vlan\s+mac address\s+type.*"
    rf"|\s*\S+\s+{_MAC_DOTTED}\s+(?:system|igmp)\b.*|\s{{20,}}[\w/,.-]+"
    r"|[\w ()-]+ Count:\s+\d+|Total MAC addresses:\s+\d+|Non-static Address Table:"
)

NORMALISERS: tuple[Normaliser, ...] = (
    _row("cisco_ios", "show ip ospf neighbor", _ospf, Fields("neighbor_id", "ip_address", "interface", "state", "<>"),
         _OSPF_CISCO, r"\s*|Neighbor ID\s+Pri\s+State.*", feature_off=IOS_OSPF_OFF),
    _row("cisco_nxos", "show ip ospf neighbors vrf all", _ospf,
         Fields("neighbor_id", "ip_address", "interface", "state", "vrf"), _OSPF_CISCO,
         r"\s*| OSPF Process ID \d+ VRF \S+| Total number of neighbors: \d+| Neighbor ID\s+Pri State.*",
         feature_off=NXOS_OSPF_OFF),
    _row("cisco_nxos", "show ip ospf neighbors", _ospf,  # fallback for old NX-OS without `vrf all`
         Fields("neighbor_id", "ip_address", "interface", "state", "vrf"), _OSPF_CISCO,
         r"\s*| OSPF Process ID \d+ VRF \S+| Total number of neighbors: \d+| Neighbor ID\s+Pri State.*",
         feature_off=NXOS_OSPF_OFF),
    _row("arista_eos", "show ip ospf neighbor vrf all", _ospf,
         Fields("neighbor_id", "ip_address", "interface", "state", "vrf"),
         rf"^{_IP}\s+(?:\d+\s+)?\S+\s+\d+\s+\w+",  # older EOS prints no Instance column
         r"\s*|Neighbor ID\s+(?:Instance\s+)?VRF.*", feature_off=EOS_OSPF_OFF),
    _row("cisco_ios", "show ip bgp summary", _bgp,
         Fields("bgp_neighbor", "neighbor_as", "state_or_prefixes_received"), _BGP_CISCO,
         r"\s*|BGP router identifier .*", feature_off=IOS_BGP_OFF, lenient=True),
    _row("cisco_ios", "show ip bgp vpnv4 vrf {vrf} summary", _bgp,  # a VRF's sessions (IOS: one VRF per command)
         Fields("bgp_neighbor", "neighbor_as", "state_or_prefixes_received", vrf="vrf"), _BGP_CISCO,
         r"\s*|BGP router identifier .*", feature_off=IOS_BGP_OFF, lenient=True),
    _row("cisco_nxos", "show ip bgp summary vrf all", _bgp,
         Fields("bgp_neigh", "neigh_as", "state_pfxrcd", vrf="vrf"), _BGP_CISCO,
         r"\s*|BGP summary information for VRF .*|BGP router identifier .*|BGP table version .*"
         r"|\d+ network entries .*|BGP attribute entries .*|BGP community entries .*|Neighbor\s+V\s+AS.*",
         feature_off=NXOS_BGP_OFF, lenient=True),
    _row("cisco_nxos", "show ip bgp summary", _bgp,  # fallback for old NX-OS without `vrf all`
         Fields("bgp_neigh", "neigh_as", "state_pfxrcd", vrf="vrf"), _BGP_CISCO,
         r"\s*|BGP summary information for VRF .*|BGP router identifier .*|BGP table version .*"
         r"|\d+ network entries .*|BGP attribute entries .*|BGP community entries .*|Neighbor\s+V\s+AS.*",
         feature_off=NXOS_BGP_OFF, lenient=True),
    _row("arista_eos", "show ip bgp summary vrf all", _bgp,
         Fields("bgp_neigh", "neigh_as", "state", "state_pfxrcd", "vrf"),
         rf"^\s*(?:\S.*\s)?{_IP}\s+4\s+\d+",  # older EOS: no VRF heading, no indent, no Description
         r"\s*|BGP summary information for VRF .*|Router identifier .*|Neighbor Status Codes: .*"
         r"|\s+Description\s+Neighbor\s+V\s+AS.*", feature_off=EOS_BGP_OFF, lenient=True),
    _row("cisco_ios", "show mac address-table", _mac,
         Fields("destination_address", "vlan_id", "destination_port", "type"), _IOS_MAC_UNICAST, _IOS_MAC_QUIET),
    _row("cisco_nxos", "show mac address-table", _mac, Fields("mac_address", "vlan_id", "ports", "type"),
         rf"^[*+GOC ]\s+\d+\s+{_MAC_DOTTED}",
         r"\s*|Legend:|\s+[*(].*|\s+age - .*|\s+VLAN\s+MAC Address\s+Type.*|-+\+-+.*"),
    _row("arista_eos", "show mac address-table", _mac,
         Fields("mac_address", "vlan_id", "destination_port", "type"), rf"^\s+\d+\s+{_MAC_DOTTED}\s+(?:DYNAMIC|STATIC)",
         r"\s*|\s+(?:Multicast )?Mac Address Table|-+|Vlan\s+Mac Address\s+Type.*|-+\s+-+.*"
         r"|Total Mac Addresses for this criterion: 0"),
    _row("cisco_ios", "show ip arp", _arp, Fields("ip_address", "mac_address", "interface"),
         rf"^Internet\s+{_IP}\s", r"\s*|Protocol\s+Address\s+Age.*"),
    _row("cisco_ios", "show ip arp vrf {vrf}", _arp, Fields("ip_address", "mac_address", "interface", vrf="vrf"),
         rf"^Internet\s+{_IP}\s", r"\s*|Protocol\s+Address\s+Age.*"),  # a VRF's table (IOS: one VRF per command)
    _row("cisco_nxos", "show ip arp vrf all", _arp, Fields("ip_address", "mac_address", "interface", vrf="<>"),
         rf"^{_IP}\s+\S+\s+{_MAC_DOTTED}",
         r"\s*|Flags: .*|\s{7}\S.*|IP ARP Table for all contexts|Total number of entries: \d+|Address\s+Age\s+MAC.*",
         total=rx(r"^Total number of entries: (?P<total>\d+)")),
    _row("cisco_nxos", "show ip arp", _arp, Fields("ip_address", "mac_address", "interface", vrf="<>"),
         rf"^{_IP}\s+\S+\s+{_MAC_DOTTED}",  # fallback for old NX-OS without `vrf all`
         r"\s*|Flags: .*|\s{7}\S.*|IP ARP Table for context \S+|Total number of entries: \d+|Address\s+Age\s+MAC.*",
         total=rx(r"^Total number of entries: (?P<total>\d+)")),
    _row("arista_eos", "show ip arp vrf all", _arp, Fields("ip_address", "mac_address", "interface", vrf="vrf"),
         rf"^{_IP}\s+\S+\s+{_MAC_DOTTED}", r"\s*|VRF: \S+|Address\s+Age \(sec\)\s+Hardware Addr.*"),
)
