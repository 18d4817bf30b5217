"""JunOS: every normaliser row of the platform, and the JunOS-only readings they need.

What real JunOS output adds to what the lab prints, and how each row reads it:

* ``{master:0}``, ``{primary:node0}``, ``{backup:1}``, ``{linecard:2}`` lines (EX/QFX virtual
  chassis, SRX clusters) come before every prompt: netatlas's templates skip them, and every row
  lists them as quiet (:data:`BANNER`);
* ``show version`` of a virtual chassis (``fpc0:``/``fpc1:``) or an SRX cluster (``node0:``/
  ``node1:``) prints one section per member: one :class:`Facts`, ``members`` in order; the
  version is the ``Junos:`` line, else the first package version that reads as a release;
* the serial is the ``Chassis`` line of ``show chassis hardware`` (the first member's);
* MAC tables in both formats: ELS (flags ``D``, ``DL``, ``DR``, ``S``...) and non-ELS (``Learn``,
  ``Static``, ``Flood``); a VLAN is a name, read as a number when it is one (:func:`vlan_number`);
* ``show bgp summary``: peers in every state (not only ``Establ``), asdot AS numbers, counts inline
  or per RIB line; the VRF of an Established peer is its RIB's, of any other peer unknown (``""``);
* ``show route``: IPv4 and IPv6 unicast tables (``inet.0``, ``inet6.0``, ``VRF.inet.0``,
  ``VRF.inet6.0``); ``inet.3``, ``mpls.0`` and other tables are not IP forwarding tables and are
  skipped; ``[OSPF/150/10]`` preferences; active entries only (``*``): an inactive one (floating
  static, BGP's second path, a backup) is not a route and never adds its hops as equal-cost ones;
* ``show interfaces``: a port's speed is its ``Speed:`` (``1000mbps``, ``10Gbps``; ``Auto``: none), its
  duplex the ``Link-mode:`` some models print (the lab prints none); a member of an aggregate says
  so in its unit (``Protocol aenet, AE bundle: ae0.0, Link Index: 0``): the port's channel is ``ae0``;
* "feature off" messages (``BGP is not running``, ``warning: lldp subsystem not running``...).
"""

from __future__ import annotations

import re
from dataclasses import replace

from netatlas.collect.parsers import fields as f
from netatlas.collect.parsers.common import adjacency_state
from netatlas.collect.parsers.neighbors import NeighborFields, builder
from netatlas.collect.parsers.routes import hop as shared_hop
from netatlas.collect.parsers.table import Normaliser, Row, fields, rx
from netatlas.domain.names import physical_port
from netatlas.domain.records import (
    ArpEntry,
    BgpSession,
    DeviceRecords,
    Facts,
    Interface,
    MacEntry,
    NextHop,
    OspfNeighbor,
    Route,
)

PLATFORM = "juniper_junos"
BANNER = r"\{[\w-]+(?::[\w-]+)?\}"  # {master:0}, {primary:node0}, {backup:1}, {linecard:2}
_IP = r"\d+\.\d+\.\d+\.\d+"
_MAC = r"[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}"
_RELEASE = re.compile(r"\d+\.\d+[A-Z][\w.-]*")  # 21.4R3-S3.4, 13.2X51-D35.3, 21.1X3.3

# Feature-off messages (full lines, stripped).
_SUBSYSTEM_OFF = r"(?:warning|error): (?:the )?{name} subsystem (?:is )?not running\.?(?: - [^\n]*)?"
LLDP_OFF = rx(_SUBSYSTEM_OFF.format(name="lldp") + r"|LLDP is not running\.?")
OSPF_OFF = rx(r"(?:(?:warning|error): )?OSPF (?:instance )?is not running\.?|" + _SUBSYSTEM_OFF.format(name="ospf"))
BGP_OFF = rx(r"(?:(?:warning|error): )?BGP is not running\.?|" + _SUBSYSTEM_OFF.format(name="bgp"))
L2_OFF = rx(_SUBSYSTEM_OFF.format(name=r"(?:ethernet-switching|l2-learning|l2ald)"))


def quiet(*patterns: str) -> str:
    """A row's quiet lines: blank lines, the prompt banner and ``patterns``.

    Examples:
        >>> bool(re.fullmatch(quiet("Total: \\\\d+"), "{primary:node0}"))
        True
    """
    return "|".join((r"\s*", BANNER, *patterns))


def port(name: str, platform: str = PLATFORM) -> str:
    """The physical port of a logical unit (channelized ports too); ``irb.10``, ``vlan.20`` stay.

    Examples:
        >>> port("xe-0/0/51:0.0"), port("ae3.0"), port("irb.10"), port("ge-0/0/1")
        ('xe-0/0/51:0', 'ae3', 'irb.10', 'ge-0/0/1')
    """
    return physical_port(name, platform)


# ---- facts -----------------------------------------------------------------------------------


def release(row: Row) -> str:
    """The ``Junos:`` version, else the first package version that reads as a release.

    Examples:
        >>> release({"junos_version": "", "package_version": ["20220419.9889e6f_x", "21.1X3.3"]})
        '21.1X3.3'
        >>> release({"junos_version": "21.4R3-S3.4", "package_version": []})
        '21.4R3-S3.4'
    """
    if row["junos_version"]:
        return str(row["junos_version"])
    return next((v for v in row["package_version"] if _RELEASE.fullmatch(v)), "")


def _version(rows: list[Row], platform: str) -> DeviceRecords:
    if not rows:
        return DeviceRecords()
    first = rows[0]
    members = tuple(r["member"] for r in rows if r["member"])
    facts = Facts(first["hostname"], first["model"], first["serial_number"], release(first), "juniper",
                  members=members)
    return DeviceRecords(facts=facts)


def _hardware(rows: list[Row], platform: str) -> DeviceRecords:
    """The chassis serial (of the first member of a cluster)."""
    return DeviceRecords(facts=Facts("", serial=rows[0]["serial_number"])) if rows else DeviceRecords()


# ---- interfaces ------------------------------------------------------------------------------


_INTERNAL_UNITS = frozenset({"lo0.16384", "lo0.16385"})


def _addresses(r: Row, inet6: bool) -> tuple[str, ...]:
    """The unit's IPv4 (or, ``inet6``, IPv6: link-local too) addresses with their lengths.

    Examples:
        >>> row = {"interface": "ge-0/0/0.0", "address": [
        ...     {"local": "10.0.0.1", "destination": "10.0.0.0/31"},
        ...     {"local": "2001:db8::1", "destination": "2001:db8::/64"},
        ...     {"local": "fe80::1", "destination": "fe80::/64"}, {"local": "2001:db8:1::1", "destination": ""}]}
        >>> _addresses(row, False), _addresses(row, True)
        (('10.0.0.1/31',), ('2001:db8::1/64', 'fe80::1/64', '2001:db8:1::1/128'))
    """
    out = []
    for address in r["address"]:
        if (":" in address["local"]) is not inet6 or r["interface"] in _INTERNAL_UNITS:
            continue  # the other family; lo0.16384/16385: JunOS's internal units (127.0.0.1)
        destination = address["destination"] or "Unspecified"  # lo0 prints "Local:" alone
        host = "128" if inet6 else "32"
        length = host if destination == "Unspecified" else destination.rsplit("/", 1)[-1]
        out.append(f.ip_interface(address["local"], length, "address"))
    return tuple(out)


def _physical(r: Row, name: str) -> Interface:
    """A physical row: its state, MTU, speed and duplex (``Speed: 10Gbps``, ``Link-mode: Full-duplex``)."""
    mtu = int(r["mtu"]) if r["mtu"].isdigit() else None
    return Interface(name, r["admin_state"] == "Enabled", r["link_status"] == "Up", description=r["description"],
                     mtu=mtu, speed_mbps=f.speed_mbps(r.get("speed", ""), "speed"),
                     duplex=f.duplex(r.get("duplex", ""), "duplex"))


def _unit(intf: Interface, r: Row, platform: str) -> Interface:
    """What a logical unit adds to its port: its addresses, and its bundle (``AE bundle: ae0.0``: the port is
    a member of ``ae0``)."""
    ipv4, ipv6 = _addresses(r, inet6=False), _addresses(r, inet6=True)
    bundle = r.get("channel", "")  # .get: the corpus's ntc-templates rows have no bundle
    channel = port(bundle, platform) if bundle else intf.channel
    if not (ipv4 or ipv6) and channel == intf.channel:
        return intf
    return replace(intf, ipv4=(*intf.ipv4, *ipv4), ipv6=(*intf.ipv6, *ipv6), channel=channel)


def _interfaces(rows: list[Row], platform: str) -> DeviceRecords:
    """Physical rows become interfaces; a unit's IPv4 and IPv6 addresses and AE bundle go on its port (``irb.N``
    units stay)."""
    by_name: dict[str, Interface] = {}
    for r in rows:
        name = port(r["interface"], platform)
        if r["admin_state"]:
            by_name[name] = _physical(r, name)
        elif name not in by_name:  # irb.N: a logical interface of its own
            mtu = int(r["mtu"]) if r["mtu"].isdigit() else None
            by_name[name] = Interface(name, True, r["link_status"] == "Up", description=r["description"], mtu=mtu)
        by_name[name] = _unit(by_name[name], r, platform)
    return DeviceRecords(interfaces=list(by_name.values()))


# ---- OSPF, BGP -------------------------------------------------------------------------------


def _ospf(rows: list[Row], platform: str) -> DeviceRecords:
    out = [OspfNeighbor(f.ip(r["neighbor_id"], "neighbor_id"), f.ip(r["ip_address"], "ip_address"),
                        port(r["interface"], platform), adjacency_state(r["state"]), "default")
           for r in rows]
    return DeviceRecords(ospf_neighbors=out)


def table_vrf(table: str) -> str:
    """The VRF of a JunOS routing table: ``default`` for the master instance's tables.

    Examples:
        >>> table_vrf("inet.0"), table_vrf("inet6.0"), table_vrf("BLUE.inet6.0"), table_vrf("bgp.l3vpn.0")
        ('default', 'default', 'BLUE', 'default')
    """
    for suffix in (".inet.0", ".inet6.0"):
        if table.endswith(suffix):
            return table.removesuffix(suffix)
    return "default"


def _peer_state(state: str) -> str:
    """``Established`` for ``Establ``; other states as shown, without the ``(Idle)`` detail.

    Examples:
        >>> _peer_state("Establ"), _peer_state("Idle (Idle)"), _peer_state("Active")
        ('Established', 'Idle', 'Active')
    """
    word = state.split(maxsplit=1)[0] if state.split() else ""
    return "Established" if word.lower().startswith("establ") else word


def _received(r: Row) -> tuple[str, int | None]:
    """(VRF, prefixes received) of one peer; an inline count is the master instance's."""
    if r["counts"]:
        return "default", f.integer(r["counts"].split()[0].split("/")[1], "counts")
    ribs = r["rib"]
    if not ribs:
        return "", None  # not Established: JunOS does not say which instance the peer belongs to
    vrf = table_vrf(ribs[0]["table"])
    return vrf, sum(int(rib["received"]) for rib in ribs if table_vrf(rib["table"]) == vrf)


def _bgp(rows: list[Row], platform: str) -> DeviceRecords:
    out = []
    for r in rows:
        vrf, received = _received(r)
        state = "Established" if r["counts"] else _peer_state(r["state"])
        out.append(BgpSession(f.ip(r["peer_ip"], "peer_ip"), f.asn(r["peer_as"], "peer_as"), state,
                              received if state == "Established" else None, vrf))
    return DeviceRecords(bgp_sessions=out)


# ---- MAC, ARP --------------------------------------------------------------------------------

_VLAN = re.compile(r"(?:vlan[-_.]?)?(\d{1,4})", re.IGNORECASE)
_NOT_PORTS = frozenset({"Router", "CPU", "All-members", "-"})


def vlan_number(name: str) -> int:
    """The VLAN id a JunOS VLAN name states (``Vlan100``, ``vlan-20``, ``30``), else 0 (unknown).

    JunOS MAC tables print the VLAN *name*; only a name that is a number or ``vlan`` + number says
    its tag. Other names (``default``, ``BD-903691``, ``users``) keep the entry with VLAN 0.

    Examples:
        >>> vlan_number("Vlan100"), vlan_number("vlan.20"), vlan_number("30"), vlan_number("BD-903691")
        (100, 20, 30, 0)
        >>> vlan_number("default"), vlan_number("vlan5000")
        (0, 0)
    """
    match = _VLAN.fullmatch(name.strip())
    number = int(match[1]) if match else 0
    return number if 1 <= number <= 4094 else 0


def _dynamic(flag: str) -> bool:
    """ELS flags with ``D`` (``D``, ``DL``, ``DR``) and non-ELS ``Learn`` are learned; the rest static.

    Examples:
        >>> _dynamic("DL"), _dynamic("DR"), _dynamic("Learn"), _dynamic("S"), _dynamic("Static")
        (True, True, True, False, False)
    """
    return flag.startswith("D") or flag.lower().startswith("learn")


def _mac(rows: list[Row], platform: str) -> DeviceRecords:
    out = []
    for r in rows:
        where = r["logical_interface"]
        if r["mac_address"] == "*" or where in _NOT_PORTS or r["mac_flag"] == "Flood":
            continue  # flood entries and the switch's own addresses are not learned hosts
        out.append(MacEntry(f.mac(r["mac_address"], "mac_address"), vlan_number(r["vlan_name"]),
                            port(where, platform), _dynamic(r["mac_flag"])))
    return DeviceRecords(mac_table=out)


def _arp(rows: list[Row], platform: str) -> DeviceRecords:
    out = [ArpEntry(f.ip(r["ip_address"], "ip_address"), f.mac(r["mac_address"], "mac_address"),
                    port(r["interface"], platform), "") for r in rows]
    return DeviceRecords(arp=out)


# ---- routes ----------------------------------------------------------------------------------

PROTOCOLS = {"Direct": "connected", "Local": "local", "Static": "static", "OSPF": "ospf", "OSPF3": "ospf",
             "BGP": "bgp"}
ATTACHED = ("connected", "local")
_UNICAST = re.compile(r"(?:[^.]+\.)?inet6?\.0")  # inet.0, inet6.0, VRF.inet.0, VRF.inet6.0
_ASN_TOKEN = re.compile(r"\d+(?:\.\d+)?")


def as_path(text: str) -> str:
    """AS numbers of a path in asplain, sets and confederations flattened, origin and local AS dropped.

    Examples:
        >>> as_path("65000.1000 4200000001 {64512 64513} I")
        '4259841000 4200000001 64512 64513'
        >>> as_path("(65151 65000) I"), as_path("[65001] 65002 ?"), as_path("I")
        ('65151 65000', '65002', '')
    """
    text = re.sub(r"\[[^\]]*\]", " ", text)  # [local AS]
    tokens = text.replace("(", " ").replace(")", " ").replace("{", " ").replace("}", " ").split()
    return " ".join(str(f.asn(t, "as_path")) for t in tokens if _ASN_TOKEN.fullmatch(t))


def _hops(r: Row, protocol: str, platform: str) -> tuple[NextHop, ...]:
    hops = []
    for hop in r["hop"]:
        address = "" if protocol in ATTACHED or not hop["address"] else f.ip(hop["address"], "hop")
        hops.append(shared_hop(address, port(hop["interface"] or "", platform)))
    return tuple(dict.fromkeys(hops))


def _route(r: Row, platform: str) -> Route | None:
    if not _UNICAST.fullmatch(r["table"]) or r["next_hop_type"] == "MultiRecv":
        return None  # inet.3, mpls.0, ...: not IP forwarding; 224.0.0.5/32 MultiRecv: OSPF's receive entry
    if not r["hop"] and not r["next_hop_type"]:  # every entry prints a next-hop line: this one was cut
        raise f.FieldError("hop", r["prefix"], "an entry without its next-hop line (output cut?)")
    protocol = PROTOCOLS.get(r["protocol"], r["protocol"].lower())
    return Route(table_vrf(r["table"]), f.prefix(r["prefix"], None, "prefix"), protocol,
                 _hops(r, protocol, platform), f.integer(r["preference"], "preference"),
                 f.optional_int(r["metric"], "metric"), "", as_path(r["as_path"]))


def _routes(rows: list[Row], platform: str) -> DeviceRecords:
    """The active entries (``*``/``+``), one route per (VRF, prefix, protocol), as other platforms list routes.

    JunOS also lists inactive entries: another protocol's route to the prefix (a floating static),
    BGP's second-best path, a backup. They do not forward, so they are not routes of the table,
    and their next hops are never added to the active route as equal-cost ones.
    """
    out: dict[tuple[str, str, str], Route] = {}
    for r in rows:
        route = _route(r, platform) if r["active"] in ("*", "+") else None
        if route is not None:
            out.setdefault((route.vrf, route.prefix, route.protocol), route)
    return DeviceRecords(routes=list(out.values()))


# ---- rows ------------------------------------------------------------------------------------

_ROUTE_FIELDS = fields("table", "prefix", "active", "protocol", "preference", "metric", "as_path", "next_hop_type",
                       "hop")
_ROUTE_ENTRY = r"^\S.*?\s+[*+-]?\[[\w-]+/\d+|^\s+[*+-]?\[[\w-]+/\d+"
_ROUTE_QUIET = quiet(r"\S+: \d+ destinations, .*", r"\+ = Active Route, .*", r"Restart (?:Complete|Pending.*)")
_LLDP = NeighborFields("lldp", "local_interface", "neighbor_name", "neighbor_interface", fallback_name="chassis_id")
_LLDP_DETAIL = NeighborFields("lldp", "local_interface", "system_name", "port_id", "mgmt_address",
                              "system_description", "capabilities_enabled", "chassis_id")
_MAC_QUIET = quiet(r"MAC flags .*", r"\s*SE - .*", r"\s*\S+ - .*\)", r"Ethernet switching table : \d+ entries, .*",
                   r"Routing instance : \S+", r"\s*Vlan\s+MAC\s+MAC.*", r"\s*name\s+address\s+flags.*",
                   r"Ethernet-switching table: .*", r"\s+VLAN\s+MAC address\s+Type.*")
_BGP_QUIET = quiet(r"Threading mode: .*", r"Default eBGP mode: .*", r"Groups: .*", r"Unconfigured peers: \d+",
                   r"Table\s+Tot Paths.*", r"\S+\.\d+(?:\s+\d+){6}", r"\S+\.\d+", r"\s+\d+(?:\s+\d+){5}",
                   r"Peer\s+AS\s+InPkt.*")
_MEMBER = r"(?:fpc|node|member|lcc|sfc|scc|re)\d+:"  # a member's section of a VC, cluster or multi-RE output
_HARDWARE_QUIET = quiet(_MEMBER, r"-+", r"Hardware inventory:", r"Item\s+Version\s+Part number.*")


def _route_row(command: str) -> Normaliser:
    return Normaliser(PLATFORM, command, _ROUTE_FIELDS, _routes, rx(_ROUTE_ENTRY), rx(_ROUTE_QUIET))


NORMALISERS: tuple[Normaliser, ...] = (
    Normaliser(PLATFORM, "show version", fields("member", "hostname", "model", "junos_version", "serial_number",
                                                "package_version"),
               _version, rx(r"^Hostname: "), rx(quiet(_MEMBER, r"-+")), lenient=True),
    Normaliser(PLATFORM, "show chassis hardware", fields("serial_number"), _hardware, rx(r"^Chassis\s+\S+\s+\S"),
               rx(_HARDWARE_QUIET), lenient=True),
    Normaliser(PLATFORM, "show interfaces",
               fields("interface", "link_status", "admin_state", "description", "address", "mtu", "speed", "duplex",
                      "channel"),
               _interfaces, rx(r"^Physical interface: "), rx(quiet(r"\s{2,}\S.*")), lenient=True,
               optional=fields("speed", "duplex")),
    Normaliser(PLATFORM, "show lldp neighbors", _LLDP.required(), builder(_LLDP),
               rx(r"^(?!Local Interface)\S+\s+\S+\s+\S+\s+\S"), rx(quiet(r"Local Interface\s+Parent Interface.*")),
               feature_off=LLDP_OFF),
    Normaliser(PLATFORM, "show lldp neighbors interface {interface}", _LLDP_DETAIL.required(), builder(_LLDP_DETAIL),
               rx(r"^Local Interface\s+:"), rx(quiet(r"LLDP Neighbor Information:")), feature_off=LLDP_OFF,
               optional=frozenset({"mgmt_address"})),
    Normaliser(PLATFORM, "show ospf neighbor", fields("neighbor_id", "ip_address", "interface", "state"), _ospf,
               rx(rf"^{_IP}\s+\S+\s+\w+\s+{_IP}"), rx(quiet(r"Address\s+Interface\s+State.*")), feature_off=OSPF_OFF),
    Normaliser(PLATFORM, "show bgp summary", fields("peer_ip", "peer_as", "state", "counts", "rib"), _bgp,
               rx(r"^[0-9a-fA-F.:]+\s+\d+(?:\.\d+)?\s+\d+\s+\d+\s+\d+\s+\d+\s"), rx(_BGP_QUIET), feature_off=BGP_OFF,
               total=rx(r"^Groups: \d+ Peers: (?P<total>\d+)")),
    Normaliser(PLATFORM, "show ethernet-switching table",
               fields("vlan_name", "mac_address", "mac_flag", "logical_interface"), _mac,
               rx(rf"^\s*\S+\s+{_MAC}\s"), rx(_MAC_QUIET), feature_off=L2_OFF,
               total=rx(r"^Ethernet switching table : (?P<total>\d+) entries")),
    Normaliser(PLATFORM, "show arp no-resolve", fields("ip_address", "mac_address", "interface"), _arp,
               rx(rf"^{_MAC}\s+\S+"), rx(quiet(r"MAC Address\s+Address\s+Interface.*", r"Total entries: \d+")),
               total=rx(r"^Total entries: (?P<total>\d+)")),
    *(_route_row(c) for c in ("show route", "show route protocol static", "show route protocol ospf",
                              "show route protocol bgp")),
)
