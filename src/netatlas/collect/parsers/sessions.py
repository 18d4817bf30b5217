"""OSPF neighbors, BGP sessions, MAC and ARP tables: a field map per (platform, command).

A map (:class:`OspfMap`, :class:`BgpMap`, :class:`MacMap`, :class:`ArpMap`) names the template
field for each record field and builds the records. ``vrf`` is a field name, or a constant
in angle brackets when the command does not print the VRF: ``<default>`` for commands that
show only the global table, ``<>`` (unknown) for commands that mix VRFs without saying which.
A structured reader that does know the VRF (NX-OS ``show ip arp vrf all | json`` names it per
table) puts it in the row's ``vrf`` field, which takes precedence over ``<>``: the same command's
text form keeps the VRF unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import fields as dc_fields
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
class _Map:
    """Template field per record field (``""``: not read); ``vrf`` may be a ``<constant>``."""

    def required(self) -> frozenset[str]:
        names = (getattr(self, fd.name) for fd in dc_fields(self))
        return frozenset(x for x in names if x and not x.startswith("<"))


def _vrf_of(vrf: str, row: Row) -> str:
    """The row's VRF: a named field, a constant, or unknown (``<>``) unless the row itself names one.

    Examples:
        >>> _vrf_of("<default>", {}), _vrf_of("<>", {}), _vrf_of("<>", {"vrf": "BLUE"})
        ('default', '', 'BLUE')
    """
    if vrf == "<>" and row.get("vrf"):
        return vrf_name(row["vrf"])
    return vrf[1:-1] if vrf.startswith("<") else vrf_name(row[vrf])


@dataclass(frozen=True, slots=True)
class OspfMap(_Map):
    router_id: str
    address: str
    interface: str
    state: str
    vrf: str = "<default>"

    def builder(self) -> Builder:
        def build(rows: list[Row], platform: str) -> DeviceRecords:
            return DeviceRecords(ospf_neighbors=[self._neighbor(r, platform) for r in rows])

        return build

    def _neighbor(self, r: Row, platform: str) -> OspfNeighbor:
        return OspfNeighbor(f.ip(r[self.router_id], self.router_id), f.ip(r[self.address], self.address),
                            port(r[self.interface], platform), adjacency_state(r[self.state]), _vrf_of(self.vrf, r))


@dataclass(frozen=True, slots=True)
class BgpMap(_Map):
    peer: str
    remote_as: str
    state: str  # the state, or the prefix count when Established (Cisco's State/PfxRcd column)
    prefixes: str = ""  # a separate prefix-count column, when the platform has one
    vrf: str = "<default>"

    def builder(self) -> Builder:
        def build(rows: list[Row], platform: str) -> DeviceRecords:
            return DeviceRecords(bgp_sessions=[self._session(r) for r in rows])

        return build

    def _session(self, r: Row) -> BgpSession:
        shown = r[self.state].strip() or (r[self.prefixes].strip() if self.prefixes else "")  # older EOS: one column
        state = bgp_state(shown)
        if not state:  # a line cut before its state column
            raise f.FieldError(self.state, "", "no session state")
        counts = (r[self.prefixes].strip() if self.prefixes else "", r[self.state].strip())
        count = next((c for c in counts if c.isdigit()), "") if state == "Established" else ""
        return BgpSession(f.ip(r[self.peer], self.peer), f.asn(r[self.remote_as], self.remote_as), state,
                          f.optional_int(count, self.prefixes or self.state), _vrf_of(self.vrf, r))


@dataclass(frozen=True, slots=True)
class MacMap(_Map):
    mac: str
    vlan: str
    port: str
    kind: str  # dynamic / static

    def builder(self) -> Builder:
        def build(rows: list[Row], platform: str) -> DeviceRecords:
            return DeviceRecords(mac_table=[e for r in rows if (e := self._entry(r, platform)) is not None])

        return build

    def _entry(self, r: Row, platform: str) -> MacEntry | None:
        where = f.first(r[self.port]).strip()
        if where in NOT_PORTS or not r[self.vlan].strip().isdigit():
            return None  # CPU/router entries and "All" VLAN rows are not learned addresses
        dynamic = r[self.kind].strip().lower() in ("dynamic", "d")
        return MacEntry(f.mac(r[self.mac], self.mac), f.integer(r[self.vlan], self.vlan), port(where, platform),
                        dynamic)


@dataclass(frozen=True, slots=True)
class ArpMap(_Map):
    ip: str
    mac: str
    interface: str
    vrf: str = "<default>"

    def builder(self) -> Builder:
        def build(rows: list[Row], platform: str) -> DeviceRecords:
            return DeviceRecords(arp=[self._entry(r, platform) for r in rows
                                      if r[self.mac].strip().lower() not in ("incomplete", "(incomplete)")])

        return build

    def _entry(self, r: Row, platform: str) -> ArpEntry:
        return ArpEntry(f.ip(r[self.ip], self.ip), f.mac(r[self.mac], self.mac),
                        port(r[self.interface].split(",")[0], platform), _vrf_of(self.vrf, r))


Map = OspfMap | BgpMap | MacMap | ArpMap


def _row(platform: str, command: str, m: Map, entries: str, quiet: str, **reading: Any) -> Normaliser:
    """A row; ``reading`` holds the :class:`Normaliser` reading rules (feature_off, total, lenient)."""
    requires = m.required() - set(placeholders(command))  # a VRF the command names is no template field
    return Normaliser(platform, command, requires, m.builder(), rx(entries), rx(quiet), **reading)


_IP = r"\d+\.\d+\.\d+\.\d+"
_OSPF_CISCO = rf"^\s*{_IP}\s+\d+\s+\w+/"
_BGP_CISCO = rf"^{_IP}\s+4\s+\d+"
_MAC_DOTTED = r"[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}"
# Catalyst tables: unicast entries are what we read; legends, per-linecard headings, counters and the
# "Multicast Entries" section (type system/igmp, port lists over several lines) are not entries.
_NXOS_OSPF_TOTAL = rx(r"^ Total number of neighbors: (?P<total>\d+)")  # one per VRF
_MAC_TOTAL = rx(r"^Total Mac Addresses for this criterion: (?P<total>\d+)")  # every entry, CPU ones too
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
    _row("cisco_ios", "show ip ospf neighbor", OspfMap("neighbor_id", "ip_address", "interface", "state", "<>"),
         _OSPF_CISCO, r"\s*|Neighbor ID\s+Pri\s+State.*", feature_off=IOS_OSPF_OFF),
    _row("cisco_nxos", "show ip ospf neighbors vrf all",
         OspfMap("neighbor_id", "ip_address", "interface", "state", "vrf"), _OSPF_CISCO,
         r"\s*| OSPF Process ID \d+ VRF \S+| Total number of neighbors: \d+| Neighbor ID\s+Pri State.*",
         feature_off=NXOS_OSPF_OFF, total=_NXOS_OSPF_TOTAL),
    _row("cisco_nxos", "show ip ospf neighbors",  # fallback for old NX-OS without `vrf all`
         OspfMap("neighbor_id", "ip_address", "interface", "state", "vrf"), _OSPF_CISCO,
         r"\s*| OSPF Process ID \d+ VRF \S+| Total number of neighbors: \d+| Neighbor ID\s+Pri State.*",
         feature_off=NXOS_OSPF_OFF, total=_NXOS_OSPF_TOTAL),
    _row("arista_eos", "show ip ospf neighbor vrf all",
         OspfMap("neighbor_id", "ip_address", "interface", "state", "vrf"),
         rf"^{_IP}\s+(?:\d+\s+)?\S+\s+\d+\s+\w+",  # older EOS prints no Instance column
         r"\s*|Neighbor ID\s+(?:Instance\s+)?VRF.*", feature_off=EOS_OSPF_OFF),
    _row("cisco_ios", "show ip bgp summary",
         BgpMap("bgp_neighbor", "neighbor_as", "state_or_prefixes_received"), _BGP_CISCO,
         r"\s*|BGP router identifier .*", feature_off=IOS_BGP_OFF, lenient=True),
    _row("cisco_ios", "show ip bgp vpnv4 vrf {vrf} summary",  # a VRF's sessions (IOS: one VRF per command)
         BgpMap("bgp_neighbor", "neighbor_as", "state_or_prefixes_received", vrf="vrf"), _BGP_CISCO,
         r"\s*|BGP router identifier .*", feature_off=IOS_BGP_OFF, lenient=True),
    _row("cisco_nxos", "show ip bgp summary vrf all",
         BgpMap("bgp_neigh", "neigh_as", "state_pfxrcd", vrf="vrf"), _BGP_CISCO,
         r"\s*|BGP summary information for VRF .*|BGP router identifier .*|BGP table version .*"
         r"|\d+ network entries .*|BGP attribute entries .*|BGP community entries .*|Neighbor\s+V\s+AS.*",
         feature_off=NXOS_BGP_OFF, lenient=True),
    _row("cisco_nxos", "show ip bgp summary",  # fallback for old NX-OS without `vrf all`
         BgpMap("bgp_neigh", "neigh_as", "state_pfxrcd", vrf="vrf"), _BGP_CISCO,
         r"\s*|BGP summary information for VRF .*|BGP router identifier .*|BGP table version .*"
         r"|\d+ network entries .*|BGP attribute entries .*|BGP community entries .*|Neighbor\s+V\s+AS.*",
         feature_off=NXOS_BGP_OFF, lenient=True),
    _row("arista_eos", "show ip bgp summary vrf all", BgpMap("bgp_neigh", "neigh_as", "state", "state_pfxrcd", "vrf"),
         rf"^\s*(?:\S.*\s)?{_IP}\s+4\s+\d+",  # older EOS: no VRF heading, no indent, no Description
         r"\s*|BGP summary information for VRF .*|Router identifier .*|Neighbor Status Codes: .*"
         r"|\s+Description\s+Neighbor\s+V\s+AS.*", feature_off=EOS_BGP_OFF, lenient=True),
    _row("cisco_ios", "show mac address-table",
         MacMap("destination_address", "vlan_id", "destination_port", "type"), _IOS_MAC_UNICAST, _IOS_MAC_QUIET,
         total=_MAC_TOTAL),
    _row("cisco_nxos", "show mac address-table", MacMap("mac_address", "vlan_id", "ports", "type"),
         rf"^[*+GOC ]\s+\d+\s+{_MAC_DOTTED}",
         r"\s*|Legend:|\s+[*(].*|\s+age - .*|\s+VLAN\s+MAC Address\s+Type.*|-+\+-+.*"),
    _row("arista_eos", "show mac address-table",
         MacMap("mac_address", "vlan_id", "destination_port", "type"), rf"^\s+\d+\s+{_MAC_DOTTED}\s+(?:DYNAMIC|STATIC)",
         r"\s*|\s+(?:Multicast )?Mac Address Table|-+|Vlan\s+Mac Address\s+Type.*|-+\s+-+.*"
         r"|Total Mac Addresses for this criterion: \d+",
         total=_MAC_TOTAL),
    _row("cisco_ios", "show ip arp", ArpMap("ip_address", "mac_address", "interface"),
         rf"^Internet\s+{_IP}\s", r"\s*|Protocol\s+Address\s+Age.*"),
    _row("cisco_ios", "show ip arp vrf {vrf}", ArpMap("ip_address", "mac_address", "interface", vrf="vrf"),
         rf"^Internet\s+{_IP}\s", r"\s*|Protocol\s+Address\s+Age.*"),  # a VRF's table (IOS: one VRF per command)
    _row("cisco_nxos", "show ip arp vrf all", ArpMap("ip_address", "mac_address", "interface", vrf="<>"),
         rf"^{_IP}\s+\S+\s+{_MAC_DOTTED}",
         r"\s*|Flags: .*|\s{7}\S.* - .*|IP ARP Table for all contexts|Total number of entries: \d+"
         r"|Address\s+Age\s+MAC.*",
         total=rx(r"^Total number of entries: (?P<total>\d+)")),
    _row("cisco_nxos", "show ip arp", ArpMap("ip_address", "mac_address", "interface", vrf="<>"),
         rf"^{_IP}\s+\S+\s+{_MAC_DOTTED}",  # fallback for old NX-OS without `vrf all`
         r"\s*|Flags: .*|\s{7}\S.* - .*|IP ARP Table for context \S+|Total number of entries: \d+"
         r"|Address\s+Age\s+MAC.*",
         total=rx(r"^Total number of entries: (?P<total>\d+)")),
    _row("arista_eos", "show ip arp vrf all", ArpMap("ip_address", "mac_address", "interface", vrf="vrf"),
         rf"^{_IP}\s+\S+\s+{_MAC_DOTTED}", r"\s*|VRF: \S+|Address\s+Age \(sec\)\s+Hardware Addr.*"),
)
