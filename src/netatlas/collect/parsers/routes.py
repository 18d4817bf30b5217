"""Routes: per-platform row readers, protocol/type vocabularies as tables, ECMP grouping.

Every platform's reader turns one template row into a :class:`Route` (with one or more next hops);
:func:`group` then merges rows for the same (VRF, prefix, protocol) into one route with all its
ECMP next hops, in the order shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

from netatlas.collect.parsers import fields as f
from netatlas.collect.parsers.common import port, vrf_name
from netatlas.collect.parsers.table import Normaliser, Row, fields, rx
from netatlas.domain.records import DeviceRecords, NextHop, Route

# Platform protocol words -> (protocol, route_type). Checked by exact word, then by prefix.
IOS_CODES = {"C": "connected", "L": "local", "S": "static", "O": "ospf", "B": "bgp"}
IOS_TYPES = {"IA": "inter", "E1": "ext1", "E2": "ext2", "N1": "ext1", "N2": "ext2"}
EOS_CODES = {
    "C": ("connected", ""), "S": ("static", ""), "O": ("ospf", "intra"), "O IA": ("ospf", "inter"),
    "O E1": ("ospf", "ext1"), "O E2": ("ospf", "ext2"), "B E": ("bgp", "external"), "B I": ("bgp", "internal"),
    "B": ("bgp", ""),
}
NXOS_PREFIXES = {"direct": "connected", "local": "local", "static": "static", "ospf-": "ospf", "bgp-": "bgp"}
NXOS_TYPES = {"intra": "intra", "inter": "inter", "type-1": "ext1", "type-2": "ext2", "internal": "internal",
              "external": "external"}
BGP_DISTANCE_TYPE = {200: "internal", 20: "external"}  # IOS prints no iBGP/eBGP mark: its default distances
ATTACHED = ("connected", "local")

Reader = Callable[[Row, str], Route | None]


def _prefix(r: Row) -> str:
    return f.prefix(r["network"], r["prefix_length"], "network/prefix_length")


@lru_cache(maxsize=65_536)
def hop(address: str, interface: str) -> NextHop:
    """A shared next hop: a table's thousands of routes name a few of them, and one object each keeps
    the records small in memory and in the pool's pickles (which keep shared objects shared).

    Examples:
        >>> hop("10.0.0.1", "Ethernet1") is hop("10.0.0.1", "Ethernet1")
        True
    """
    return NextHop(address, interface)


def _forwarding(hops: tuple[NextHop, ...]) -> tuple[NextHop, ...]:
    """The next hops of a route, which has at least one with an address or an interface.

    A route without one is a line cut before its ``via`` (or a template misreading): never a route.

    Examples:
        >>> _forwarding((NextHop("", ""),))
        Traceback (most recent call last):
        ...
        netatlas.collect.parsers.fields.FieldError: field 'next_hop': a route without a next hop or interface: ''
    """
    if not any(h.address or h.interface for h in hops):
        raise f.FieldError("next_hop", "", "a route without a next hop or interface")
    return hops


def _ios(r: Row, platform: str) -> Route | None:
    code = r["protocol"].strip()
    protocol = IOS_CODES.get(code, code)
    distance = f.optional_int(r["distance"], "distance")
    route_type = IOS_TYPES.get(r["type"].strip(), "intra") if protocol == "ospf" else ""
    if protocol == "bgp" and distance is not None:
        route_type = BGP_DISTANCE_TYPE.get(distance, "")
    address = "" if protocol in ATTACHED else f.optional_ip(r["nexthop_ip"], "nexthop_ip")
    hops = _forwarding((hop(address, port(r["nexthop_if"], platform)),))
    return Route(vrf_name(r["vrf"]), _prefix(r), protocol, hops, distance, f.optional_int(r["metric"], "metric"),
                 route_type)


@lru_cache(maxsize=1_024)  # pure: a table names a few protocols over thousands of rows
def _nxos_protocol(word: str) -> str:
    for head, protocol in NXOS_PREFIXES.items():
        if word == head or (head.endswith("-") and word.startswith(head)):
            return protocol
    return word


def _nxos(r: Row, platform: str) -> Route | None:
    if not r["protocol"]:
        return None
    protocol = _nxos_protocol(r["protocol"].strip())
    address = "" if protocol in ATTACHED else f.optional_ip(r["nexthop_ip"], "nexthop_ip")
    hops = _forwarding((hop(address, port(r["nexthop_if"], platform)),))
    return Route(vrf_name(r["vrf"]), _prefix(r), protocol, hops, f.optional_int(r["distance"], "distance"),
                 f.optional_int(r["metric"], "metric"), NXOS_TYPES.get(r["type"].strip(), ""))


def _eos(r: Row, platform: str) -> Route | None:
    code = " ".join(r["protocol"].split())
    protocol, route_type = EOS_CODES.get(code, (code, ""))
    hops = tuple(
        hop("" if address == "connected" else f.ip(address, "next_hop"), port(intf.split(",")[0], platform))
        for address, intf in zip(r["next_hop"], r["interface"], strict=False)
    )
    return Route(vrf_name(r["vrf"]), _prefix(r), protocol, _forwarding(hops), f.optional_int(r["distance"], "distance"),
                 f.optional_int(r["metric"], "metric"), route_type)


def group(routes: list[Route]) -> list[Route]:
    """One route per (VRF, prefix, protocol) carrying every next hop, in first-seen order.

    A route's next hops are gathered in a list and the route rebuilt once, not once per extra hop.

    Examples:
        >>> a, b = NextHop("10.0.0.1", "Ethernet1"), NextHop("10.0.0.5", "Ethernet2")
        >>> rows = [Route("default", "10.9.0.0/16", "ospf", (a,)), Route("default", "10.9.0.0/16", "ospf", (b,)),
        ...         Route("default", "10.9.0.0/16", "ospf", (a,)), Route("default", "10.8.0.0/16", "ospf", (b,))]
        >>> [(r.prefix, [h.address for h in r.next_hops]) for r in group(rows)]
        [('10.9.0.0/16', ['10.0.0.1', '10.0.0.5']), ('10.8.0.0/16', ['10.0.0.5'])]
    """
    first: dict[tuple[str, str, str], Route] = {}
    hops: dict[tuple[str, str, str], list[NextHop]] = {}
    for route in routes:
        key = (route.vrf, route.prefix, route.protocol)
        seen = first.get(key)
        if seen is None:
            first[key] = route
            continue
        gathered = hops.get(key)
        if gathered is None:
            gathered = hops[key] = list(seen.next_hops)
        gathered.extend(h for h in route.next_hops if h not in gathered)
    return [replace(route, next_hops=tuple(hops[key])) if key in hops and len(hops[key]) > len(route.next_hops)
            else route for key, route in first.items()]


def _nxos_grouped(rows: list[Row], platform: str) -> DeviceRecords:
    """``builder(_nxos)`` without a Route per row: NX-OS prints a row per next hop (~8 per prefix in a
    fabric), each row read and checked as :func:`_nxos` reads it (same fields, same order, same
    errors) and folded into its (VRF, prefix, protocol) as :func:`group` folds routes.

    Examples:
        >>> row = {"vrf": "default", "protocol": "ospf-1", "type": "intra", "network": "10.9.0.0",
        ...        "prefix_length": "16", "distance": "110", "metric": "41", "nexthop_ip": "10.0.0.1",
        ...        "nexthop_if": "Eth1/1"}
        >>> rows = [row, {**row, "nexthop_ip": "10.0.0.5", "nexthop_if": "Eth1/2"}, row]
        >>> _nxos_grouped(rows, "cisco_nxos") == builder(_nxos)(rows, "cisco_nxos")
        True
    """
    first: dict[tuple[str, str, str], tuple[Route, list[NextHop]]] = {}
    for r in rows:
        if not r["protocol"]:
            continue
        protocol = _nxos_protocol(r["protocol"].strip())
        address = "" if protocol in ATTACHED else f.optional_ip(r["nexthop_ip"], "nexthop_ip")
        one = _forwarding((hop(address, port(r["nexthop_if"], platform)),))[0]
        vrf, prefix = vrf_name(r["vrf"]), _prefix(r)
        distance, metric = f.optional_int(r["distance"], "distance"), f.optional_int(r["metric"], "metric")
        key = (vrf, prefix, protocol)
        seen = first.get(key)
        if seen is None:
            first[key] = (Route(vrf, prefix, protocol, (one,), distance, metric, NXOS_TYPES.get(r["type"].strip(), "")),
                          [one])
        elif one not in seen[1]:
            seen[1].append(one)
    return DeviceRecords(routes=[route if len(hops) == 1 else replace(route, next_hops=tuple(hops))
                                 for route, hops in first.values()])


def builder(read: Reader) -> Callable[[list[Row], str], DeviceRecords]:
    def build(rows: list[Row], platform: str) -> DeviceRecords:
        return DeviceRecords(routes=group([r for row in rows if (r := read(row, platform)) is not None]))

    return build


_IOS_FIELDS = fields("vrf", "protocol", "type", "network", "prefix_length", "distance", "metric", "nexthop_ip",
                     "nexthop_if")
_NXOS_FIELDS = _IOS_FIELDS
_EOS_FIELDS = fields("vrf", "protocol", "network", "prefix_length", "distance", "metric", "next_hop", "interface")
_CISCO_KEY = ("vrf", "protocol", "network", "prefix_length")  # one entry line per prefix, a row per next hop
_IOS_MARK = r"^Gateway of last resort"  # printed after the legend, routes or not (EOS: not always)
_NXOS_MARK = r'^IP Route Table for VRF "'
_NXOS_KEY = ("vrf", "network", "prefix_length")  # one "prefix, ubest/mbest" line, a row per next hop
# Entry lines by their start only (code and prefix), so that a line cut after its prefix still counts.
_IOS_ENTRY = r"^[A-Za-z][A-Za-z0-9*+%& ]{0,8}\s+\d+\.\d+\.\d+\.\d+(?:/\d+)?(?:\s|$)"
_IOS_QUIET = (
    r"\s*|Codes: .*|\s{5,}\S.* - .*|Gateway of last resort .*|Routing Table: \S+"
    r"|\s+\d+\.\d+\.\d+\.\d+/\d+ is (?:variably )?subnetted, .*"
    r"|\w{3} \w{3} +\d+ [\d:.]+ \w+"  # a timestamp line some images print first
)
_NXOS_ENTRY = r"^\d+\.\d+\.\d+\.\d+/\d+,"
_NXOS_QUIET = r"\s*|IP Route Table for VRF \"\S+\"|'\*\*?' denotes .*|'\[x/y\]' denotes .*|'%<string>' in via .*"
_EOS_ENTRY = r"^ [A-Z][A-Z0-9 ]{0,7}\s+\d+\.\d+\.\d+\.\d+/\d+\b"
_EOS_QUIET = r"\s*|VRF: \S+|Codes: .*|\s{7}\S.* - .*|Gateway of last resort.*"


def _rows(platform: str, commands: tuple[str, ...], read: Reader, required: frozenset[str], entry: str,
          quiet: str, key: tuple[str, ...] = (), marker: str | None = None) -> list[Normaliser]:
    mark = rx(marker) if marker else None
    build = _nxos_grouped if read is _nxos else builder(read)
    return [Normaliser(platform, c, required, build, rx(entry), rx(quiet), entry_key=key, marker=mark)
            for c in commands]


NORMALISERS: tuple[Normaliser, ...] = (
    *_rows("cisco_ios", ("show ip route vrf *", "show ip route vrf * static", "show ip route vrf * ospf",
                         "show ip route vrf * bgp"), _ios, _IOS_FIELDS, _IOS_ENTRY, _IOS_QUIET, _CISCO_KEY, _IOS_MARK),
    *_rows("cisco_ios", ("show ip route", "show ip route static", "show ip route ospf", "show ip route bgp"),
           _ios, _IOS_FIELDS, _IOS_ENTRY, _IOS_QUIET, _CISCO_KEY, _IOS_MARK),  # fallbacks: images without VRFs
    *_rows("cisco_nxos", ("show ip route vrf all", "show ip route static vrf all", "show ip route ospf vrf all",
                          "show ip route bgp vrf all"), _nxos, _NXOS_FIELDS, _NXOS_ENTRY, _NXOS_QUIET,
           _NXOS_KEY, _NXOS_MARK),
    *_rows("cisco_nxos", ("show ip route", "show ip route static", "show ip route ospf", "show ip route bgp"),
           _nxos, _NXOS_FIELDS, _NXOS_ENTRY, _NXOS_QUIET, _NXOS_KEY, _NXOS_MARK),  # fallbacks: no `vrf all`
    *_rows("arista_eos", ("show ip route vrf all",), _eos, _EOS_FIELDS, _EOS_ENTRY, _EOS_QUIET),
)
