"""The records discovery must produce for a lab device, computed from its state (the ground truth).

Independent of ``netatlas.collect.parsers``: it reads only the lab's :class:`DeviceState` and RIB
and knows what each platform's commands *show* (which VRFs, whether local routes or the device's
own ARP entries appear, how JunOS resolves a BGP next hop). Used by the parser fixtures and by
the integration tests that compare stored records with the truth.

* :func:`expected` -- everything a full collection of ``data_types`` yields (commands merged);
* :func:`expected_command` -- what one command of the platform table yields.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from dataclasses import replace as dc_replace
from ipaddress import ip_interface

from netatlas.collect.platforms import PLATFORMS
from netatlas.domain import records as d
from netatlas.domain.names import normalize_hostname
from netatlas.domain.records import DataType, DeviceRecords
from netatlas.lab.model import (
    DeviceState,
    IfKind,
    Interface,
    NeighborAdvert,
    NeighborProtocol,
    Platform,
    PortMode,
    Route,
)
from tests.support.expected_routes import routes_shown

Rib = Callable[[], Sequence[Route]]
_SECONDS = {"year": 365 * 86400, "week": 7 * 86400, "day": 86400, "hour": 3600, "minute": 60, "second": 1}
_VENDOR = {Platform.CISCO_IOS: "cisco", Platform.CISCO_NXOS: "cisco", Platform.ARISTA_EOS: "arista",
           Platform.JUNIPER_JUNOS: "juniper"}
_CAPS = {"Bridge": "B", "Router": "R", "Telephone": "T", "WLAN": "W", "Station": "S", "Other": "O"}


@dataclass(frozen=True, slots=True)
class View:
    """One device as the expectations need it."""

    dev: DeviceState
    rib: Rib
    structured: bool | None = None  # one command's form; None: as collection reads (structured where spoken)

    @property
    def platform(self) -> Platform:
        return self.dev.platform

    def shows(self, vrf: str) -> bool:
        """Whether collection reaches this VRF: an image refusing ``vrf all`` forms (an old NX-OS) is read
        with the plain forms, which show the default VRF only."""
        return vrf == "default" or not any(f.argument == "all" for f in self.dev.rejected_forms)

    @property
    def reads_json(self) -> bool:
        """Whether the output read is the structured form (an old image refusing ``| json`` is read as text)."""
        if self.structured is not None:
            return self.structured
        return not any(f.keyword == "json" for f in self.dev.rejected_forms)


# ---- facts -----------------------------------------------------------------------------------


def _seconds(uptime: str) -> str:
    import re

    found = re.findall(r"(\d+)\s*(year|week|day|hour|minute|second)", uptime)
    return str(sum(int(n) * _SECONDS[u] for n, u in found)) if found else ""


def facts(v: View) -> d.Facts:
    dev, p = v.dev, v.platform
    model = {Platform.CISCO_NXOS: dev.model.split("-", 1)[-1], Platform.JUNIPER_JUNOS: dev.model.lower()}
    serial = dev.serial  # JunOS: from show chassis hardware
    uptime = "" if p is Platform.JUNIPER_JUNOS else _seconds(dev.uptime)
    members = tuple(f"fpc{m.fpc}" for m in dev.vc_members)  # JunOS virtual chassis, as show version names them
    return d.Facts(dev.hostname, model.get(p, dev.model), serial, dev.os_version, _VENDOR[p], uptime, members)


# ---- interfaces ------------------------------------------------------------------------------


def _mtu(v: View, i: Interface) -> int | None:
    """The MTU the interface command prints (JunOS: the physical, L2 MTU; EOS switchports: 9214)."""
    if v.platform is Platform.JUNIPER_JUNOS:  # an irb unit prints its inet MTU
        return None if i.kind is IfKind.LOOPBACK else i.mtu + (0 if i.kind is IfKind.SVI else 14)
    if i.kind is IfKind.LOOPBACK:
        return {Platform.CISCO_IOS: 1514, Platform.ARISTA_EOS: 65535}.get(v.platform, i.mtu)
    l2 = i.channel_group or (i.kind in (IfKind.PHYSICAL, IfKind.PORT_CHANNEL) and i.mode is not PortMode.ROUTED)
    return 9214 if v.platform is Platform.ARISTA_EOS and l2 else i.mtu


def _link_local(mac: str) -> str:
    """The EUI-64 link-local address (``/64``) of a MAC.

    Examples:
        >>> _link_local("2c:6b:f5:00:00:05")
        'fe80::2e6b:f5ff:fe00:5/64'
    """
    octets = bytes.fromhex(mac.replace(":", ""))
    eui = bytes([octets[0] ^ 0x02, *octets[1:3], 0xFF, 0xFE, *octets[3:]])
    return str(ip_interface((b"\xfe\x80" + bytes(6) + eui, 64)))


def _ipv6(v: View, i: Interface) -> tuple[str, ...]:
    """The IPv6 addresses the interface command prints: EOS (an L3 port) the link-local one first,
    JunOS (a unit with inet) the global ones first, link-local last (not on lo0); IOS and NX-OS none."""
    globals_ = tuple(a.with_prefixlen for a in i.ipv6)
    if not i.ipv6 or i.channel_group:
        return ()
    l2 = i.kind in (IfKind.PHYSICAL, IfKind.PORT_CHANNEL) and i.mode is not PortMode.ROUTED
    if v.platform is Platform.ARISTA_EOS and not l2:
        return (_link_local(i.mac), *globals_)
    if v.platform is Platform.JUNIPER_JUNOS and i.ipv4 is not None:
        return (*globals_, *(() if i.kind is IfKind.LOOPBACK else (_link_local(i.mac),)))
    return ()


@dataclass(frozen=True, slots=True)
class LinkShown:
    """How a platform's interface command shows a port's link: which kinds print a duplex/speed line, whether
    it says full duplex and the speed only while the port is up (else ``auto``: none), how a port-channel's speed
    is counted, where membership is printed (the member's own line, the aggregate's member list) and whether it
    prints a duplex at all."""

    kinds: frozenset[IfKind]
    when_up: str  # "" always; "oper" the port's operational state; "both" admin and operational
    channel_speed: str  # "aggregate" the port-channel's bandwidth; "member" one member's share
    on_member: bool  # "Belongs to Po1" / "Member of Port-Channel1" / "AE bundle: ae0.0"
    on_aggregate: bool  # "Members in this channel: ..."
    duplex: bool = True


_ETHERNET = frozenset({IfKind.PHYSICAL, IfKind.PORT_CHANNEL, IfKind.MGMT})
_LINK_SHOWN = {
    Platform.CISCO_IOS: LinkShown(_ETHERNET, "oper", "member", on_member=False, on_aggregate=True),
    Platform.CISCO_NXOS: LinkShown(_ETHERNET, "both", "aggregate", on_member=True, on_aggregate=True),
    Platform.ARISTA_EOS: LinkShown(_ETHERNET, "", "aggregate", on_member=True, on_aggregate=False),
    Platform.JUNIPER_JUNOS: LinkShown(_ETHERNET, "", "aggregate", on_member=True, on_aggregate=False, duplex=False),
}


def _speed_duplex(v: View, i: Interface) -> tuple[int | None, str]:
    """(Mb/s, duplex) the interface command prints: none for logical interfaces and for a port that is down where
    the platform then prints ``auto``; a port-channel's speed is the bundle's or one member's."""
    shown = _LINK_SHOWN[v.platform]
    up = {"": True, "oper": i.oper_up, "both": i.admin_up and i.oper_up}[shown.when_up]
    if i.kind not in shown.kinds or not up:
        return None, ""
    kbps = i.bandwidth_kbps
    if i.kind is IfKind.PORT_CHANNEL and shown.channel_speed == "member":
        kbps //= max(len(i.members), 1)
    return kbps // 1000, "full" if shown.duplex else ""


def _channels(v: View) -> dict[str, str]:
    """Member -> its port-channel, where the interface command says so (on the member, on the aggregate)."""
    shown = _LINK_SHOWN[v.platform]
    out = {i.name: i.channel_group for i in v.dev.interfaces if shown.on_member and i.channel_group}
    for i in v.dev.interfaces:
        if shown.on_aggregate and i.kind is IfKind.PORT_CHANNEL:
            out.update({m: i.name for m in i.members if m not in out})
    return out


def interfaces(v: View) -> list[d.Interface]:
    out = []
    junos = v.platform is Platform.JUNIPER_JUNOS
    channels = _channels(v)
    for i in v.dev.interfaces:
        mac = "" if i.kind is IfKind.LOOPBACK or junos else i.mac
        ipv4 = (i.ipv4.with_prefixlen,) if i.ipv4 else ()
        speed, duplex = _speed_duplex(v, i)
        out.append(d.Interface(i.name, i.admin_up, i.admin_up and i.oper_up, i.description, ipv4, mac,
                               _mtu(v, i), ipv6=_ipv6(v, i), channel=channels.get(i.name, ""), speed_mbps=speed,
                               duplex=duplex))
    if junos and any(i.kind is IfKind.SVI for i in v.dev.interfaces):
        out.append(d.Interface("irb", True, True, mtu=1514))
    return out


# ---- neighbors -------------------------------------------------------------------------------


def _lldp_platform(v: View, n: NeighborAdvert) -> str:
    text = n.software or n.remote_platform
    return text.splitlines()[0] if text else ""


def neighbor(v: View, n: NeighborAdvert, detail: bool = True) -> d.Neighbor:
    raw = n.device_id or n.chassis_id
    base = d.Neighbor(str(n.protocol), n.local_interface, normalize_hostname(raw), n.remote_interface, raw)
    if not detail:
        return base
    mgmt = str(n.mgmt_ip) if n.mgmt_ip else ""
    if n.protocol is NeighborProtocol.CDP:
        return dc_replace(base, mgmt_ip=mgmt, remote_platform=n.remote_platform, capabilities=" ".join(n.capabilities))
    caps = "" if v.platform is Platform.ARISTA_EOS else ",".join(_CAPS.get(c, c) for c in n.capabilities)
    return dc_replace(base, mgmt_ip=mgmt, remote_platform=_lldp_platform(v, n), capabilities=caps)


def neighbors(v: View, protocol: NeighborProtocol, interface: str | None = None, detail: bool = True
              ) -> list[d.Neighbor]:
    return [
        neighbor(v, n, detail)
        for n in v.dev.neighbors
        if n.protocol is protocol and (interface is None or n.local_interface == interface)
    ]


# ---- routing neighbors -----------------------------------------------------------------------


def ospf_neighbors(v: View) -> list[d.OspfNeighbor]:
    p = v.platform
    shown = [n for n in v.dev.ospf_neighbors
             if (p is not Platform.JUNIPER_JUNOS or n.vrf == "default") and v.shows(n.vrf)]
    vrf: Callable[[str], str] = (lambda x: "") if p is Platform.CISCO_IOS else (lambda x: x)
    return [d.OspfNeighbor(str(n.router_id), str(n.address), n.interface, "FULL", vrf(n.vrf)) for n in shown]


def bgp_sessions(v: View, vrf: str | None = None) -> list[d.BgpSession]:
    """Every session collection reads (IOS: the global summary, then one summary per VRF); ``vrf``: one
    IOS command's (``default`` for ``show ip bgp summary``)."""
    v.rib()  # the lab fills received-prefix counts when it computes the RIB
    junos = v.platform is Platform.JUNIPER_JUNOS
    out = []
    for p in v.dev.bgp_peers:
        if (vrf is not None and p.vrf != vrf) or not v.shows(p.vrf):
            continue
        up = p.state.lower().startswith("establ")
        if junos and not up:  # listed, but JunOS does not say the VRF of a peer that is not Established
            out.append(d.BgpSession(str(p.address), p.remote_as, p.state, None, ""))
            continue
        state = "Established" if up else p.state
        out.append(d.BgpSession(str(p.address), p.remote_as, state, p.prefixes_received if up else None, p.vrf))
    return out


# ---- L2 ------------------------------------------------------------------------------------


def mac_table(v: View) -> list[d.MacEntry]:
    return [d.MacEntry(m.mac, m.vlan, m.interface, m.dynamic) for m in v.dev.mac_table]


def arp(v: View, vrf: str | None = None) -> list[d.ArpEntry]:
    """Every entry collection reads (IOS: ``show ip arp``, then ``show ip arp vrf NAME`` per VRF);
    ``vrf``: one IOS command's (``default`` for the global ``show ip arp``)."""
    p = v.platform
    out = []
    for a in v.dev.arp:
        if vrf is not None and a.vrf != vrf:
            continue
        if (p is not Platform.CISCO_IOS and a.age_min < 0) or not v.shows(a.vrf):
            continue  # the device's own addresses are not listed; nor VRFs an old image cannot show
        shown = a.vrf if p in (Platform.CISCO_IOS, Platform.ARISTA_EOS) or (
            p is Platform.CISCO_NXOS and v.reads_json) else ""  # NX-OS text does not name the VRF; its JSON does
        out.append(d.ArpEntry(str(a.address), a.mac, a.interface, shown))
    return out


# ---- per command -----------------------------------------------------------------------------

_ROUTE_PROTOCOLS = {DataType.STATIC_ROUTES: "static", DataType.OSPF_ROUTES: "ospf", DataType.BGP_ROUTES: "bgp"}


def _routes(v: View, types: frozenset[DataType], only: str | None = None) -> list[d.Route]:
    wanted = {_ROUTE_PROTOCOLS[t] for t in types if t in _ROUTE_PROTOCOLS}
    if only is not None:
        wanted &= {only}
    elif wanted:  # a whole-RIB command: its attached routes come with any route type
        wanted |= {"connected", "local"}
    return [r for r in routes_shown(v.dev, v.rib) if r.protocol in wanted and v.shows(r.vrf)]


_Part = Callable[[View, str, frozenset[DataType]], DeviceRecords]


def _version(v: View, command: str, types: frozenset[DataType]) -> DeviceRecords:
    shown = dc_replace(facts(v), hostname="") if v.platform is Platform.ARISTA_EOS else facts(v)
    if v.platform is Platform.JUNIPER_JUNOS:  # the serial is in show chassis hardware
        shown = dc_replace(shown, serial="")
    return DeviceRecords(facts=shown)


def _lldp(v: View, command: str, types: frozenset[DataType]) -> DeviceRecords:
    if command == "show lldp neighbors":  # JunOS summary: no management address or description
        return DeviceRecords(neighbors=neighbors(v, NeighborProtocol.LLDP, detail=False))
    port = command.rsplit(maxsplit=1)[-1] if " interface " in command else None
    return DeviceRecords(neighbors=neighbors(v, NeighborProtocol.LLDP, interface=port))


def _ios_vrf(v: View, command: str) -> str | None:
    """The one VRF an IOS ARP or BGP summary command shows (``default``: the global one); other platforms None."""
    if v.platform is not Platform.CISCO_IOS:
        return None
    words = command.split()
    return words[words.index("vrf") + 1] if "vrf" in words else "default"


def _route_part(v: View, command: str, types: frozenset[DataType]) -> DeviceRecords:
    only = next((w for w in command.split() if w in ("static", "ospf", "bgp")), None)
    return DeviceRecords(routes=_routes(v, types, only))


# (words the command contains, what it shows), first match wins.
_PARTS: tuple[tuple[frozenset[str], _Part], ...] = (
    (frozenset({"hostname"}), lambda v, c, t: DeviceRecords(facts=d.Facts(v.dev.hostname))),
    (frozenset({"version"}), _version),
    (frozenset({"chassis", "hardware"}), lambda v, c, t: DeviceRecords(facts=d.Facts("", serial=v.dev.serial))),
    (frozenset({"cdp"}), lambda v, c, t: DeviceRecords(neighbors=neighbors(v, NeighborProtocol.CDP))),
    (frozenset({"lldp"}), _lldp),
    (frozenset({"route"}), _route_part),
    (frozenset({"ospf"}), lambda v, c, t: DeviceRecords(ospf_neighbors=ospf_neighbors(v))),
    (frozenset({"bgp"}), lambda v, c, t: DeviceRecords(bgp_sessions=bgp_sessions(v, _ios_vrf(v, c)))),
    (frozenset({"mac"}), lambda v, c, t: DeviceRecords(mac_table=mac_table(v))),
    (frozenset({"ethernet-switching"}), lambda v, c, t: DeviceRecords(mac_table=mac_table(v))),
    (frozenset({"arp"}), lambda v, c, t: DeviceRecords(arp=arp(v, _ios_vrf(v, c)))),
    (frozenset({"interfaces"}), lambda v, c, t: DeviceRecords(interfaces=interfaces(v))),
    (frozenset({"interface"}), lambda v, c, t: DeviceRecords(interfaces=interfaces(v))),
)


def _part(v: View, command: str, types: frozenset[DataType]) -> DeviceRecords:
    """What one command shows (before the data-type filter for lists)."""
    words = set(command.split())
    for needed, make in _PARTS:
        if needed <= words:
            return make(v, command, types)
    raise KeyError(f"{v.platform}: no expectation for {command!r}")


def _filter(records: DeviceRecords, types: frozenset[DataType]) -> DeviceRecords:
    keep = {
        "interfaces": DataType.INTERFACES in types,
        "ospf_neighbors": DataType.ROUTING_NEIGHBORS in types,
        "bgp_sessions": DataType.ROUTING_NEIGHBORS in types,
        "mac_table": DataType.MAC in types,
        "arp": DataType.ARP in types,
    }
    protocols = {t.value for t in types if t in (DataType.CDP, DataType.LLDP)}
    return DeviceRecords(
        facts=records.facts if DataType.FACTS in types else None,
        neighbors=[n for n in records.neighbors if n.protocol in protocols],
        routes=records.routes,
        **{name: getattr(records, name) if wanted else [] for name, wanted in keep.items()},
    )


def expected_command(dev: DeviceState, rib: Rib, command: str, types: frozenset[DataType]) -> DeviceRecords:
    """What ``parse_output(platform, command, output, types)`` must return for this device (a structured
    form, ``... | json``, the same as its text form, but for the VRF of NX-OS ARP entries, which only
    the JSON names)."""
    spec = PLATFORMS[str(dev.platform)]
    structured, command = spec.structured(command), spec.text_form(command)
    return _filter(_part(View(dev, rib, structured), command, types), types)


def expected(dev: DeviceState, rib: Rib, types: frozenset[DataType]) -> DeviceRecords:
    """Everything a full collection of ``types`` yields for this device (LLDP in its detail form)."""
    v = View(dev, rib)
    out = DeviceRecords(facts=facts(v) if DataType.FACTS in types else None)
    if DataType.INTERFACES in types:
        out.interfaces = interfaces(v)
    for data_type, protocol in ((DataType.CDP, NeighborProtocol.CDP), (DataType.LLDP, NeighborProtocol.LLDP)):
        no_cdp = protocol is NeighborProtocol.CDP and v.platform in (Platform.ARISTA_EOS, Platform.JUNIPER_JUNOS)
        if data_type in types and not no_cdp:
            out.neighbors += neighbors(v, protocol)
    out.routes = _routes(v, types)
    if DataType.ROUTING_NEIGHBORS in types:
        out.ospf_neighbors, out.bgp_sessions = ospf_neighbors(v), bgp_sessions(v)
    if DataType.MAC in types:
        out.mac_table = mac_table(v)
    if DataType.ARP in types:
        out.arp = arp(v)
    return out


def canonical(records: DeviceRecords) -> dict[str, object]:
    """Plain data with every list sorted (and each route's next hops), for order-free comparison."""
    plain = records.as_dict()
    for route in plain["routes"]:
        route["next_hops"] = sorted(route["next_hops"], key=repr)
    for name, value in plain.items():
        if isinstance(value, list):
            plain[name] = sorted(value, key=repr)
    return plain
