"""Arista EOS (`` | json``) readers: the platform's documents -> the rows its text templates give.

Each reader takes the decoded document of one command and returns the rows the text form's
template gives for the same output, under the same field names and with the same kind of values
(strings as the text prints them: ``"9214"``, ``"B E"``, ``"Full-duplex"``), so that the text
form's normaliser row validates and builds the records of both forms.

The document is untrusted. The outer shape (``{"vrfs": {...}}``, ``{"interfaces": {...}}``) must
be the platform's: a missing key or a value of the wrong type raises (``parsers.structured`` makes
it a ParseError naming it). One entry that cannot be read (a route whose ``vias`` is not a list, a
count that is a string, a text longer than :data:`MAX_TEXT`, keys such as interface names
included) is a per-entry problem naming the entry and why; the others are kept and the read is
partial. Text is kept as the document gives it: control characters are reported for the three
platforms' readers alike by ``structured.checked`` (the entry kept, as the text path keeps it).
A command that fails in JSON mode prints EOS's errors envelope (``{"errors": ["BGP inactive"]}``):
the feature's "not running" message makes the read FEATURE_OFF, any other error a ParseError
quoting it.

Shapes: see ``netatlas.lab.render.eos.json_*`` (the lab's renderers, built from public samples
of real output) and ``tests/unit/collect/test_json_eos.py``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from netatlas.collect.parsers.table import EOS_BGP_OFF, EOS_OSPF_OFF, LLDP_OFF
from netatlas.domain.errors import ParseError
from netatlas.domain.text import clean

if TYPE_CHECKING:
    from netatlas.collect.parsers.structured import ReaderRow, Reading

Row = dict[str, Any]
EntryReader = Callable[[str, Any], list[Row]]  # (the entry's key, its value) -> its rows

PLATFORM = "arista_eos"
MAX_TEXT = 4096  # a longer text is no name, text or count a device prints: its entry is refused (all 3 readers)
_ROUTE_CODES = {
    "connected": "C", "static": "S", "kernel": "K", "ospfIntraArea": "O", "ospfInterArea": "O IA",
    "ospfExternalType1": "O E1", "ospfExternalType2": "O E2", "ospfNssaExternalType1": "O N1",
    "ospfNssaExternalType2": "O N2", "eBGP": "B E", "iBGP": "B I", "bgp": "B",
}
_DUPLEX = {"duplexFull": "Full-duplex", "duplexHalf": "Half-duplex"}


class EntryError(ValueError):
    """One entry of a document cannot be read (the reader names it and goes on)."""


# ---- checked access ------------------------------------------------------------------------


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"{what} is a {type(value).__name__}, not an object")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"{what} is a {type(value).__name__}, not a list")
    return value


def _text(entry: dict[str, Any], key: str, default: str | None = None) -> str:
    """A string field (``default`` when absent and one is given); any other type is an error."""
    if key not in entry and default is not None:
        return default
    value = entry[key]
    if not isinstance(value, str):
        raise EntryError(f"{key!r} is a {type(value).__name__}, not a string")
    return name(value, repr(key))


def name(value: str, what: str) -> str:
    """A text of at most :data:`MAX_TEXT` characters (a key: an interface, VRF, prefix; or a value).

    Examples:
        >>> name("Ethernet1", "interface")
        'Ethernet1'
        >>> name("E" * 5000, "interface")
        Traceback (most recent call last):
        ...
        netatlas.collect.parsers.json_eos.EntryError: interface is 5000 characters long (at most 4096)
    """
    if len(value) > MAX_TEXT:
        raise EntryError(f"{what} is {len(value)} characters long (at most {MAX_TEXT})")
    return value


def _number(entry: dict[str, Any], key: str) -> int | None:
    """A whole number field (None when absent); floats are truncated, booleans and NaN refused."""
    if key not in entry:
        return None
    value = entry[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise EntryError(f"{key!r} is not a number: {_short(value)}")
    return int(value)


def _count(entry: dict[str, Any], key: str) -> str:
    """A number field as the text prints it (``""`` when absent)."""
    value = _number(entry, key)
    return "" if value is None else str(value)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _unquoted(value: str) -> str:
    """EOS quotes a port id of type interface name: ``"\\"Ethernet1\\""`` -> ``Ethernet1``."""
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


# ---- the reading loop ----------------------------------------------------------------------


def _reading(rows: list[Row], problems: tuple[str, ...] = (), feature_off: str = "") -> Reading:
    """A :class:`~netatlas.collect.parsers.structured.Reading` (imported here: that module imports this one)."""
    from netatlas.collect.parsers.structured import Reading

    return Reading(rows, problems, feature_off)


def _read(entries: Iterator[tuple[str, str, Any]], read_entry: EntryReader) -> Reading:
    """Rows of every entry (``(label, key, value)``); one that fails is a problem naming it and why."""
    rows: list[Row] = []
    problems: list[str] = []
    for number, (label, key, value) in enumerate(entries, start=1):
        try:
            rows += read_entry(key, value)
        except (EntryError, KeyError, TypeError, ValueError) as exc:
            why = f"no {exc}" if isinstance(exc, KeyError) else str(exc)
            problems.append(f"entry {number} ({label}): {why[:200]} (entry dropped)")
    return _reading(rows, tuple(problems))


def _off_or_errors(document: Any, off: re.Pattern[str] | None) -> Reading | None:
    """The errors envelope: FEATURE_OFF when it is the feature's "not running" message, else ParseError."""
    if not isinstance(document, dict) or "errors" not in document:
        return None
    messages = [m for m in _list(document["errors"], "'errors'") if isinstance(m, str)]
    if messages and off is not None and all(_says_off(off, m) for m in messages):
        return _reading([], feature_off=" ".join(dict.fromkeys(m.strip() for m in messages)))
    raise ParseError(f"the device answered with errors: {_short(messages or document['errors'], 200)}")


def _says_off(off: re.Pattern[str], message: str) -> bool:
    """The text form's feature-off line (``% BGP inactive``), which JSON mode prints without its ``%``."""
    line = message.strip()
    return bool(off.fullmatch(line) or off.fullmatch(f"% {line}"))


def _vrfs(document: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """``{"vrfs": {name: {...}}}`` -> (checked name, table) pairs."""
    for vrf, table in _object(_object(document, "the document")["vrfs"], "'vrfs'").items():
        yield name(vrf, "VRF"), _object(table, f"VRF {_short(vrf)}")


Entries = Callable[[str, dict[str, Any]], Iterator[tuple[str, str, Any]]]  # (VRF, its table) -> its entries


def _per_vrf(document: Any, entries: Entries, read_entry: Callable[[str], EntryReader]) -> Reading:
    """Every VRF's entries read, rows and problems together."""
    rows: list[Row] = []
    problems: list[str] = []
    for vrf, table in _vrfs(document):
        reading = _read(entries(clean(vrf[:60]), table), read_entry(vrf))  # labels shown safely, rows as given
        rows += reading.rows
        problems += reading.problems
    return _reading(rows, tuple(problems))


# ---- facts ---------------------------------------------------------------------------------


def show_version(document: Any) -> Reading:
    doc = _object(document, "the document")
    uptime = _number(doc, "uptime")
    return _reading([{"model": _text(doc, "modelName"), "serial_number": _text(doc, "serialNumber"),
                     "image": _text(doc, "version"), "uptime": "" if uptime is None else f"{uptime} seconds"}])


def show_hostname(document: Any) -> Reading:
    doc = _object(document, "the document")
    return _reading([{"hostname": _text(doc, "hostname"), "fqdn": _text(doc, "fqdn", "")}])


# ---- interfaces ----------------------------------------------------------------------------


def _link_status(entry: dict[str, Any]) -> str:
    status = _text(entry, "interfaceStatus")
    if status == "disabled":
        return "administratively down"
    return "up" if status == "connected" else "down"


def _ipv4(entry: dict[str, Any]) -> str:
    for address in _list(entry.get("interfaceAddress", []), "'interfaceAddress'"):
        primary = _object(_object(address, "an address")["primaryIp"], "'primaryIp'")
        ip, length = _text(primary, "address"), _number(primary, "maskLen")
        if ip != "0.0.0.0" and length is not None:  # noqa: S104 - EOS's "no address", never bound
            return f"{ip}/{length}"
    return ""


def _ipv6(entry: dict[str, Any]) -> Row:
    block = entry.get("interfaceAddressIp6")
    if block is None:
        return {"ipv6_link_local": "", "ipv6_global": [], "ipv6_subnet": []}
    block = _object(block, "'interfaceAddressIp6'")
    local = block.get("linkLocalIp6")
    link_local = ""
    if local is not None:
        local = _object(local, "'linkLocalIp6'")
        link_local = f"{_text(local, 'address')}/{_text(local, 'subnet').rpartition('/')[2]}"
    listed = _list(block.get("globalUnicastIp6s", []), "'globalUnicastIp6s'")
    globals_ = [_object(g, "a global address") for g in listed]
    return {"ipv6_link_local": link_local, "ipv6_global": [_text(g, "address") for g in globals_],
            "ipv6_subnet": [_text(g, "subnet") for g in globals_]}


def _speed(entry: dict[str, Any]) -> str:
    """``bandwidth`` (bit/s) as the text's speed, on the interfaces whose text prints one (with a duplex)."""
    bandwidth = _number(entry, "bandwidth")
    if "duplex" not in entry or not bandwidth or bandwidth < 0:
        return ""
    return f"{bandwidth // 1_000_000}Mb/s" if bandwidth % 1_000_000 == 0 else f"{bandwidth // 1000}kbps"


def _interface(key: str, value: Any) -> list[Row]:
    entry = _object(value, "the interface")
    membership = _text(entry, "interfaceMembership", "")
    return [{
        "interface": name(key, "interface"),
        "link_status": _link_status(entry),
        "protocol_status": _text(entry, "lineProtocolStatus"),
        "description": _text(entry, "description", ""),
        "ip_address": _ipv4(entry),
        "mac_address": _text(entry, "physicalAddress", ""),
        "mtu": _count(entry, "mtu"),
        "speed": _speed(entry),
        "duplex": _DUPLEX.get(_text(entry, "duplex", ""), ""),
        "channel": membership.removeprefix("Member of ").strip() if membership.startswith("Member of ") else "",
        **_ipv6(entry),
    }]


def show_interfaces(document: Any) -> Reading:
    table = _object(_object(document, "the document")["interfaces"], "'interfaces'")
    return _read(((_short(k), k, v) for k, v in table.items()), _interface)


# ---- LLDP ----------------------------------------------------------------------------------


def _mgmt(entry: dict[str, Any]) -> str:
    addresses = [_object(a, "a management address")
                 for a in _list(entry.get("managementAddresses", []), "'managementAddresses'")]
    ipv4 = [a for a in addresses if a.get("addressType") == "ipv4"]
    return _text((ipv4 or addresses)[0], "address") if addresses else ""


def _port_id(port: dict[str, Any]) -> str:
    plain = port.get("interfaceId_v2")
    return plain if isinstance(plain, str) and plain else _unquoted(_text(port, "interfaceId"))


def _lldp_port(key: str, value: Any) -> list[Row]:
    local = name(key, "interface")
    rows = []
    for neighbor in _list(_object(value, "the port")["lldpNeighborInfo"], "'lldpNeighborInfo'"):
        entry = _object(neighbor, "a neighbor")
        rows.append({
            "local_interface": local,
            "neighbor_name": _text(entry, "systemName", ""),
            "chassis_id": _text(entry, "chassisId", ""),
            "neighbor_interface": _port_id(_object(entry["neighborInterfaceInfo"], "'neighborInterfaceInfo'")),
            "mgmt_address": _mgmt(entry),
            "neighbor_description": _text(entry, "systemDescription", ""),
        })
    return rows


def show_lldp_neighbors_detail(document: Any) -> Reading:
    off = _off_or_errors(document, LLDP_OFF)
    if off is not None:
        return off
    table = _object(_object(document, "the document")["lldpNeighbors"], "'lldpNeighbors'")
    return _read(((_short(k), k, v) for k, v in table.items()), _lldp_port)


# ---- routes --------------------------------------------------------------------------------


def _route(vrf: str) -> EntryReader:
    def read(prefix: str, value: Any) -> list[Row]:
        entry = _object(value, "the route")
        network, slash, length = name(prefix, "prefix").partition("/")
        if not slash:
            raise EntryError(f"prefix {_short(prefix)} has no length")
        kind = _text(entry, "routeType")
        hops, interfaces = [], []
        for via in _list(entry["vias"], "'vias'"):
            hop = _object(via, "a via")
            address = _text(hop, "nexthopAddr", "")
            hops.append(address or "connected")
            interfaces.append(_text(hop, "interface", ""))
        return [{"vrf": vrf, "protocol": _ROUTE_CODES.get(kind, kind), "network": network, "prefix_length": length,
                 "distance": _count(entry, "preference"), "metric": _count(entry, "metric"),
                 "next_hop": hops, "interface": interfaces}]

    return read


def _routes(vrf: str, table: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    routes = _object(table["routes"], f"the routes of VRF {vrf}")
    return ((f"VRF {vrf} {_short(p)}", p, v) for p, v in routes.items())


def show_ip_route(document: Any) -> Reading:
    return _per_vrf(document, _routes, _route)


# ---- sessions, MAC, ARP --------------------------------------------------------------------


def _ospf_neighbor(vrf: str) -> EntryReader:
    def read(_key: str, value: Any) -> list[Row]:
        entry = _object(value, "the neighbor")
        return [{"neighbor_id": _text(entry, "routerId"), "ip_address": _text(entry, "interfaceAddress"),
                 "interface": _text(entry, "interfaceName"),
                 "state": _text(entry, "adjacencyState"), "vrf": vrf}]

    return read


def _ospf_entries(vrf: str, table: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    for process, instance in _object(table["instList"], f"'instList' of VRF {vrf}").items():
        entries = _list(_object(instance, f"instance {_short(process)}")["ospfNeighborEntries"],
                        "'ospfNeighborEntries'")
        yield from ((f"VRF {vrf} neighbor {n}", "", e) for n, e in enumerate(entries, 1))


def show_ip_ospf_neighbor(document: Any) -> Reading:
    off = _off_or_errors(document, EOS_OSPF_OFF)
    return off if off is not None else _per_vrf(document, _ospf_entries, _ospf_neighbor)


def _bgp_peer(vrf: str) -> EntryReader:
    def read(address: str, value: Any) -> list[Row]:
        entry = _object(value, "the peer")
        asn = entry["asn"]
        if isinstance(asn, bool) or not isinstance(asn, str | int):
            raise EntryError(f"'asn' is not an AS number: {_short(asn)}")
        return [{"bgp_neigh": name(address, "peer"), "neigh_as": str(asn), "state": _text(entry, "peerState"),
                 "state_pfxrcd": _count(entry, "prefixReceived"), "vrf": vrf}]

    return read


def _peers(vrf: str, table: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    peers = _object(table.get("peers", {}), f"the peers of VRF {vrf}")
    return ((f"VRF {vrf} {_short(p)}", p, v) for p, v in peers.items())


def show_ip_bgp_summary(document: Any) -> Reading:
    off = _off_or_errors(document, EOS_BGP_OFF)
    return off if off is not None else _per_vrf(document, _peers, _bgp_peer)


def _mac(_key: str, value: Any) -> list[Row]:
    entry = _object(value, "the entry")
    vlan = _number(entry, "vlanId")
    return [{"mac_address": _text(entry, "macAddress"), "vlan_id": "" if vlan is None else str(vlan),
             "destination_port": [_text(entry, "interface")], "type": _text(entry, "entryType")}]


def show_mac_address_table(document: Any) -> Reading:
    table = _object(_object(document, "the document")["unicastTable"], "'unicastTable'")
    entries = _list(table["tableEntries"], "'tableEntries'")
    return _read(((f"MAC entry {n}", "", e) for n, e in enumerate(entries, 1)), _mac)


def _arp(vrf: str) -> EntryReader:
    def read(_key: str, value: Any) -> list[Row]:
        entry = _object(value, "the entry")
        return [{"ip_address": _text(entry, "address"), "mac_address": _text(entry, "hwAddress"),
                 "interface": _text(entry, "interface"), "vrf": vrf}]

    return read


def _arp_entries(vrf: str, table: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    entries = _list(table["ipV4Neighbors"], f"'ipV4Neighbors' of VRF {vrf}")
    return ((f"VRF {vrf} entry {n}", "", e) for n, e in enumerate(entries, 1))


def show_ip_arp(document: Any) -> Reading:
    return _per_vrf(document, _arp_entries, _arp)


READERS: tuple[ReaderRow, ...] = (
    (PLATFORM, "show version", show_version),
    (PLATFORM, "show hostname", show_hostname),
    (PLATFORM, "show interfaces", show_interfaces),
    (PLATFORM, "show lldp neighbors detail", show_lldp_neighbors_detail),
    (PLATFORM, "show ip route vrf all", show_ip_route),
    (PLATFORM, "show ip ospf neighbor vrf all", show_ip_ospf_neighbor),
    (PLATFORM, "show ip bgp summary vrf all", show_ip_bgp_summary),
    (PLATFORM, "show mac address-table", show_mac_address_table),
    (PLATFORM, "show ip arp vrf all", show_ip_arp),
)
