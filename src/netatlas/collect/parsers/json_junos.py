"""JunOS (`` | display json``) readers: the platform's documents -> the rows its text templates give.

JunOS converts its XML reply mechanically: ``{"<reply>": [{...}]}``, every child element a list of
objects, every text element ``[{"data": "text"}]`` (numbers too are strings; an empty element is
``{"data": [null]}``), XML attributes under ``"attributes"``. :func:`text` reads one such leaf;
the readers give the rows of the command's text template (``collect/templates/juniper_junos_*``),
under its field names, to the same normaliser row (``parsers.junos``).

The document is untrusted: a leaf that is not text or is longer than :data:`MAX_TEXT` is refused
(:class:`TypeError`/:class:`ValueError`); inside an entry (one route destination) that makes the
entry a *problem* (named, with why) and the read partial; outside an entry (the reply, a table)
it is a wrong document: ``parsers.structured.read`` raises
:class:`~netatlas.domain.errors.ParseError`. Text is kept as the document gives it: control
characters are reported for the three platforms' readers alike by ``structured.checked`` (the
entry kept, as the text path keeps it).

Which forms the platform row sends is ``collect.forms.junos`` (measured there); the readers of the
others (OSPF, BGP summary, LLDP) are kept and tested, for a device or a choice that needs them.

Public samples the readers were checked against (read, not copied): Batfish's lab_validation
tests (``parsers/junos/commands/routes``, ``bgp_routes``: ``show route [protocol bgp] | display
json`` from MX 17.4/18.x), ipSpace.net's "Junos JSON" article (vSRX 20.3).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from netatlas.domain.text import clean

if TYPE_CHECKING:
    from netatlas.collect.parsers.structured import ReaderRow, Reading

PLATFORM = "juniper_junos"
MAX_TEXT = 4096  # a longer leaf is no name, text or count a device prints: its entry is refused (all 3 readers)

Element = dict[str, Any]
Row = dict[str, Any]


def _reading(rows: list[Row], problems: list[str]) -> Reading:
    from netatlas.collect.parsers.structured import Reading  # structured imports this module: not at the top

    return Reading(rows, tuple(problems))


def top(document: Any, name: str) -> Element:
    """The one element of the reply ``name`` (``{"route-information": [{...}]}``).

    Examples:
        >>> top({"route-information": [{"route-table": []}]}, "route-information")
        {'route-table': []}
        >>> top([], "route-information")
        Traceback (most recent call last):
        ...
        TypeError: the document is a list, not an object
    """
    if not isinstance(document, dict):
        raise TypeError(f"the document is a {type(document).__name__}, not an object")
    items = document[name]
    if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
        raise TypeError(f"{name!r} is not a list holding one object")
    return items[0]


def children(element: Element, key: str) -> list[Element]:
    """The child elements ``key`` (none: ``[]``); a value that is not a list of objects is refused."""
    items = element.get(key, [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise TypeError(f"{key!r} is not a list of objects")
    return items


def text(element: Element, key: str) -> str:
    """The text of the leaf ``key`` (absent or empty ``[null]``: ``""``), stripped; control characters
    are kept (``structured.checked`` reports them).

    Examples:
        >>> text({"age": [{"data": "2d 02:38:51", "attributes": {"junos:seconds": "182331"}}]}, "age")
        '2d 02:38:51'
        >>> text({"selected-next-hop": [{"data": [None]}]}, "selected-next-hop"), text({}, "to")
        ('', '')
        >>> text({"via": [{"data": "ge-0/0/0.0\\x00"}]}, "via")
        'ge-0/0/0.0\\x00'
        >>> text({"via": [{"data": True}]}, "via")
        Traceback (most recent call last):
        ...
        TypeError: 'via' is a bool, not text
    """
    items = element.get(key)
    if items is None:
        return ""
    if not isinstance(items, list) or not items or not isinstance(items[0], dict):
        raise TypeError(f"{key!r} is not a leaf ([{{'data': ...}}])")
    data = items[0].get("data")
    if isinstance(data, int | float) and not isinstance(data, bool):
        data = str(data)
    if type(data) is str:  # the common case
        if len(data) > MAX_TEXT:
            raise ValueError(f"{key!r} is {len(data)} characters long (at most {MAX_TEXT})")
        return data.strip()
    if data is None or data == [None]:
        return ""
    raise TypeError(f"{key!r} is a {type(data).__name__}, not text")


def present(element: Element, key: str) -> bool:
    """Whether the element has the child ``key`` (a flag such as ``selected-next-hop``)."""
    return bool(element.get(key))


def _label(item: Element, key: str) -> str:
    """What names an entry in a problem, cut short and shown safely (escaped)."""
    try:
        return clean(text(item, key)[:60])
    except (TypeError, ValueError):
        return "?"


def each(items: Iterable[Element], name_key: str, what: str, read: Callable[[Element], list[Row]],
         problems: list[str]) -> list[Row]:
    """The rows of every entry; an entry that cannot be read becomes a problem naming it and why."""
    rows: list[Row] = []
    for n, item in enumerate(items, 1):
        try:
            rows += read(item)
        except KeyError as exc:
            problems.append(f"{what} {n} ({_label(item, name_key)}): no {exc}")
        except (TypeError, ValueError) as exc:
            problems.append(f"{what} {n} ({_label(item, name_key)}): {exc}")
    return rows


def required(element: Element, key: str) -> str:
    """A leaf the entry cannot do without: KeyError when absent or empty."""
    value = text(element, key)
    if not value:
        raise KeyError(key)
    return value


# ---- show route ------------------------------------------------------------------------------


def _hop(nh: Element) -> Row:
    address = text(nh, "to")
    interface = text(nh, "via") or text(nh, "nh-local-interface")
    return {"selected": ">" if present(nh, "selected-next-hop") else "", "address": address or None,
            "interface": interface or None, "label": text(nh, "mpls-label") or None}


def _as_path(entry: Element) -> str:
    """``65001 65002 I`` (a few releases print ``AS path: 65001 I``)."""
    path = text(entry, "as-path").removeprefix("AS path:").strip()
    return path.split(",", 1)[0].strip()


def _route_entry(table: str, prefix: str, entry: Element) -> Row:
    return {
        "table": table, "prefix": prefix, "active": text(entry, "active-tag"),
        "protocol": required(entry, "protocol-name"), "preference": text(entry, "preference"),
        "preference2": text(entry, "preference2"), "age": text(entry, "age"),
        "metric": text(entry, "metric") or text(entry, "med"), "tag": text(entry, "rt-tag"),
        "local_pref": text(entry, "local-preference"), "from": text(entry, "learned-from"),
        "as_path": _as_path(entry), "next_hop_type": text(entry, "nh-type"),
        "hop": [_hop(nh) for nh in children(entry, "nh")],
    }


def _destination(rt: Element) -> str:
    """``10.0.0.0/24``; some releases print the length apart (``rt-prefix-length``)."""
    destination, length = required(rt, "rt-destination"), text(rt, "rt-prefix-length")
    return f"{destination}/{length}" if length and "/" not in destination else destination


def read_routes(document: Any) -> Reading:
    """``show route [protocol P] | display json``: one row per route entry (the template's rows)."""
    reply = top(document, "route-information")
    rows: list[Row] = []
    problems: list[str] = []
    for table in children(reply, "route-table"):
        name = required(table, "table-name")

        def destination(rt: Element, name: str = name) -> list[Row]:
            prefix = _destination(rt)
            return [_route_entry(name, prefix, entry) for entry in children(rt, "rt-entry")]

        rows += each(children(table, "rt"), "rt-destination", f"{name} destination", destination, problems)
    return _reading(rows, problems)


# ---- show interfaces -------------------------------------------------------------------------


def _addresses(unit: Element) -> list[Row]:
    return [{"destination": text(address, "ifa-destination"), "local": required(address, "ifa-local")}
            for family in children(unit, "address-family") for address in children(family, "interface-address")]


def _family(unit: Element, name: str) -> Element | None:
    return next((f for f in children(unit, "address-family") if text(f, "address-family-name") == name), None)


def _unit_row(unit: Element) -> Row:
    """A logical unit as the template gives it: no admin state; the MTU of its ``inet`` family."""
    flags = children(unit, "if-config-flags")
    up = bool(flags) and present(flags[0], "iff-up")
    inet, aenet = _family(unit, "inet"), _family(unit, "aenet")
    return {"interface": required(unit, "name"), "link_status": "Up" if up else "Down", "admin_state": "",
            "description": text(unit, "description"), "mtu": text(inet, "mtu") if inet is not None else "",
            "speed": "", "duplex": "", "channel": text(aenet, "ae-bundle-name") if aenet is not None else "",
            "address": _addresses(unit)}


_ADMIN = {"up": "Enabled", "down": "Administratively down"}


def _port_rows(port: Element) -> list[Row]:
    admin = required(port, "admin-status")
    if admin not in _ADMIN:
        raise ValueError(f"'admin-status' is {admin[:20]!r}, not up or down")
    row = {"interface": required(port, "name"), "link_status": required(port, "oper-status").capitalize(),
           "admin_state": _ADMIN[admin], "description": text(port, "description"), "mtu": text(port, "mtu"),
           "speed": text(port, "speed"), "duplex": text(port, "link-mode"), "channel": "", "address": []}
    return [row, *(_unit_row(unit) for unit in children(port, "logical-interface"))]


def read_interfaces(document: Any) -> Reading:
    """``show interfaces | display json``: a row per port, then one per unit, as the template gives them."""
    reply = top(document, "interface-information")
    problems: list[str] = []
    rows = each(children(reply, "physical-interface"), "name", "interface", _port_rows, problems)
    return _reading(rows, problems)


# ---- LLDP, OSPF, BGP, MAC, ARP ----------------------------------------------------------------


def _lldp_local(entry: Element) -> str:
    """The local port: ``lldp-local-port-id`` in the summary of most releases, else ``lldp-local-interface``."""
    local = text(entry, "lldp-local-interface")
    port = text(entry, "lldp-local-port-id")
    return local or port if not (local and port.isdigit()) else local


def _lldp_row(entry: Element) -> list[Row]:
    local = _lldp_local(entry)
    if not local:
        raise KeyError("lldp-local-port-id")
    return [{"local_interface": local, "parent_interface": text(entry, "lldp-local-parent-interface-name"),
             "chassis_id": required(entry, "lldp-remote-chassis-id"),
             "neighbor_interface": text(entry, "lldp-remote-port-id"),
             "neighbor_name": text(entry, "lldp-remote-system-name")}]


def read_lldp(document: Any) -> Reading:
    """``show lldp neighbors | display json``."""
    reply = top(document, "lldp-neighbors-information")
    problems: list[str] = []
    rows = each(children(reply, "lldp-neighbor-information"), "lldp-local-port-id", "neighbor", _lldp_row, problems)
    return _reading(rows, problems)


def _system_description(entry: Element) -> str:
    wrapped = children(entry, "lldp-system-description")
    return text(wrapped[0], "lldp-remote-system-description") if wrapped else text(
        entry, "lldp-remote-system-description")


def _lldp_detail_row(entry: Element) -> list[Row]:
    local = _lldp_local(entry)
    if not local:
        raise KeyError("lldp-local-interface")
    return [{"local_interface": local, "parent_interface": text(entry, "lldp-local-parent-interface-name"),
             "chassis_type": text(entry, "lldp-remote-chassis-id-subtype"),
             "chassis_id": text(entry, "lldp-remote-chassis-id"),
             "port_type": text(entry, "lldp-remote-port-id-subtype"), "port_id": text(entry, "lldp-remote-port-id"),
             "port_description": text(entry, "lldp-remote-port-description"),
             "system_name": text(entry, "lldp-remote-system-name"), "system_description": _system_description(entry),
             "capabilities_supported": text(entry, "lldp-remote-system-capabilities-supported"),
             "capabilities_enabled": text(entry, "lldp-remote-system-capabilities-enabled"),
             "mgmt_address": text(entry, "lldp-remote-management-address")}]


def read_lldp_detail(document: Any) -> Reading:
    """``show lldp neighbors interface X | display json`` (style ``detail``)."""
    reply = top(document, "lldp-neighbors-information")
    problems: list[str] = []
    rows = each(children(reply, "lldp-neighbor-information"), "lldp-local-interface", "neighbor", _lldp_detail_row,
                problems)
    return _reading(rows, problems)


def _ospf_row(entry: Element) -> list[Row]:
    return [{"ip_address": required(entry, "neighbor-address"), "interface": required(entry, "interface-name"),
             "state": required(entry, "ospf-neighbor-state"), "neighbor_id": required(entry, "neighbor-id"),
             "priority": text(entry, "neighbor-priority"), "dead_time": text(entry, "activity-timer")}]


def read_ospf(document: Any) -> Reading:
    """``show ospf neighbor | display json``."""
    reply = top(document, "ospf-neighbor-information")
    problems: list[str] = []
    rows = each(children(reply, "ospf-neighbor"), "neighbor-address", "neighbor", _ospf_row, problems)
    return _reading(rows, problems)


def _rib(rib: Element) -> Row:
    return {"table": required(rib, "name"), "active": text(rib, "active-prefix-count") or "0",
            "received": text(rib, "received-prefix-count") or "0",
            "accepted": text(rib, "accepted-prefix-count") or "0",
            "damped": text(rib, "suppressed-prefix-count") or "0"}


def _bgp_row(peer: Element) -> list[Row]:
    ribs = [_rib(rib) for rib in children(peer, "bgp-rib")]
    for rib in ribs:
        for key in ("active", "received", "accepted", "damped"):
            if not rib[key].isdigit():
                raise ValueError(f"{rib['table'][:40]}: {key} count {rib[key][:20]!r} is not a number")
    return [{"peer_ip": required(peer, "peer-address"), "peer_as": required(peer, "peer-as"),
             "in_pkt": text(peer, "input-messages"), "out_pkt": text(peer, "output-messages"),
             "out_q": text(peer, "route-queue-count"), "flaps": text(peer, "flap-count"),
             "up_down": text(peer, "elapsed-time"), "state": required(peer, "peer-state"), "counts": "", "rib": ribs}]


def read_bgp(document: Any) -> Reading:
    """``show bgp summary | display json``: a peer's prefix counts per RIB (``bgp-rib``), never inline."""
    reply = top(document, "bgp-information")
    problems: list[str] = []
    peers = children(reply, "bgp-peer")
    rows = each(peers, "peer-address", "peer", _bgp_row, problems)
    listed = text(reply, "peer-count")
    if listed.isdigit() and int(listed) != len(peers):
        problems.append(f"the document counts {listed} peers but lists {len(peers)}")
    return _reading(rows, problems)


def _mac_row(instance: str, entry: Element) -> list[Row]:
    return [{"instance": instance, "vlan_name": text(entry, "l2ng-l2-mac-vlan-name"),
             "mac_address": required(entry, "l2ng-l2-mac-address"), "mac_flag": text(entry, "l2ng-l2-mac-flags"),
             "age": text(entry, "l2ng-l2-mac-age"),
             "logical_interface": required(entry, "l2ng-l2-mac-logical-interface")}]


def read_mac(document: Any) -> Reading:
    """``show ethernet-switching table | display json`` (ELS ``l2ng``); the count checked against the entries."""
    reply = top(document, "l2ng-l2ald-rtb-macdb")
    rows: list[Row] = []
    problems: list[str] = []
    for vlan in children(reply, "l2ng-l2ald-mac-entry-vlan"):
        instance = text(vlan, "l2ng-l2-mac-routing-instance")
        entries = children(vlan, "l2ng-mac-entry")
        rows += each(entries, "l2ng-l2-mac-address", "MAC entry", functools.partial(_mac_row, instance), problems)
        count = text(vlan, "mac-count-global")
        if count.isdigit() and int(count) != len(entries):
            problems.append(f"the table counts {count} entries but lists {len(entries)}")
    return _reading(rows, problems)


def _arp_row(entry: Element) -> list[Row]:
    flags = children(entry, "arp-table-entry-flags")
    return [{"mac_address": required(entry, "mac-address"), "ip_address": required(entry, "ip-address"),
             "interface": required(entry, "interface-name"), "physical_interface": "",
             "flags": " ".join(flags[0]) if flags else ""}]


def read_arp(document: Any) -> Reading:
    """``show arp no-resolve | display json``; ``arp-entry-count`` checked against the entries."""
    reply = top(document, "arp-table-information")
    problems: list[str] = []
    entries = children(reply, "arp-table-entry")
    rows = each(entries, "ip-address", "ARP entry", _arp_row, problems)
    count = text(reply, "arp-entry-count")
    if count.isdigit() and int(count) != len(entries):
        problems.append(f"the table counts {count} entries but lists {len(entries)}")
    return _reading(rows, problems)


READERS: tuple[ReaderRow, ...] = (
    (PLATFORM, "show lldp neighbors", read_lldp),
    (PLATFORM, "show lldp neighbors interface {interface}", read_lldp_detail),
    (PLATFORM, "show ospf neighbor", read_ospf),
    (PLATFORM, "show bgp summary", read_bgp),
    (PLATFORM, "show ethernet-switching table", read_mac),
    (PLATFORM, "show arp no-resolve", read_arp),
    (PLATFORM, "show interfaces", read_interfaces),
    (PLATFORM, "show route", read_routes),
    (PLATFORM, "show route protocol static", read_routes),
    (PLATFORM, "show route protocol ospf", read_routes),
    (PLATFORM, "show route protocol bgp", read_routes),
)
