"""Cisco NX-OS (`` | json``) readers: the platform's documents -> the rows its text templates give.

Each reader walks NX-OS's ``TABLE_x``/``ROW_x`` wrappers (a ``ROW_x`` is an object when the table
has one row, and the table is absent when it has none) and returns the rows the command's text
template would give, under the template's field names, every value a string (a list where the
template's value is a list): the text form's normaliser row then validates and builds the records.

The document is untrusted. The shape the platform always prints (the top object, a ``TABLE_x``
holding its ``ROW_x``) raises when it is wrong (``structured.read``: a ParseError naming it); an
entry that cannot be read (not an object, a key missing, a value of the wrong type, more than
:data:`MAX_TEXT` characters) is one *problem* naming the entry and why, and the others are kept:
the read is partial, never silently short. Text is kept as the document gives it: control
characters are reported for the three platforms' readers alike by ``structured.checked`` (the
entry kept, as the text path keeps it).

Examples:
    >>> reading = read_arp({"TABLE_vrf": {"ROW_vrf": {"vrf-name-out": "default", "TABLE_adj": {"ROW_adj": [
    ...     {"ip-addr-out": "10.0.0.2", "time-stamp": "00:01:02", "mac": "0050.56ab.0001", "intf-out": "Vlan10"},
    ...     {"ip-addr-out": 7, "time-stamp": "-", "mac": ["x"], "intf-out": "Vlan10"}]}}}})
    >>> reading.rows[0]["ip_address"], reading.problems
    ('10.0.0.2', ("vrf default entry 2 (7): 'mac' is a list, not text",))
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from netatlas.domain.text import clean

if TYPE_CHECKING:
    from netatlas.collect.parsers.structured import ReaderRow, Reading

Row = dict[str, Any]
MAX_TEXT = 4096  # a longer value is no name, text or count a device prints: its entry is refused (all 3 readers)


class BadEntry(ValueError):
    """One entry of a table cannot be read (the reason is the message)."""


def text(entry: Row, key: str, default: str | None = None, *, multiline: bool = False) -> str:
    """``entry[key]`` as text: a string (first line where ``multiline``) or a whole number as printed.

    The string is kept as given, control characters too (``structured.checked`` reports them).

    Examples:
        >>> text({"a": 7}, "a"), text({}, "a", ""), text({"a": "x\\ny"}, "a", multiline=True)
        ('7', '', 'x')
        >>> text({"a": "sw1\\x1b[2J"}, "a")
        'sw1\\x1b[2J'
        >>> text({"a": [7]}, "a")
        Traceback (most recent call last):
        ...
        netatlas.collect.parsers.json_nxos.BadEntry: 'a' is a list, not text
    """
    value = entry.get(key) if isinstance(entry, dict) else None
    if type(value) is str and not multiline and len(value) <= MAX_TEXT:
        return value  # the common case
    if value is None:
        if default is None:
            raise BadEntry(f"no {key!r}")
        return default
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadEntry(f"{key!r} is a {_kind(value)}, not text")
    value = str(value)
    if len(value) > MAX_TEXT:
        raise BadEntry(f"{key!r} is {len(value)} characters long (at most {MAX_TEXT})")
    return value.split("\n", 1)[0].rstrip("\r") if multiline else value


def words(entry: Row, key: str) -> list[str]:
    """A value NX-OS prints as a list, or as a plain string when it holds one item (``capability``)."""
    value = entry.get(key)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [text({key: item}, key) for item in items]


def rows(parent: Any, name: str) -> list[Any]:
    """The rows of ``TABLE_<name>`` in ``parent``: none when the table is absent, one when ``ROW_<name>``
    is an object; a wrapper of another shape raises (TypeError, KeyError: not the platform's document).

    Examples:
        >>> rows({}, "adj"), rows({"TABLE_adj": {"ROW_adj": {"a": 1}}}, "adj")
        ([], [{'a': 1}])
        >>> rows({"TABLE_adj": []}, "adj")
        Traceback (most recent call last):
        ...
        TypeError: TABLE_adj is a list, not an object
    """
    if not isinstance(parent, dict):
        raise TypeError(f"an object holding TABLE_{name} is a {_kind(parent)}")
    table = parent.get(f"TABLE_{name}")
    if table is None:
        return []
    if not isinstance(table, dict):
        raise TypeError(f"TABLE_{name} is a {_kind(table)}, not an object")
    found = table[f"ROW_{name}"]
    if isinstance(found, dict):
        return [found]
    if isinstance(found, list):
        return found
    raise TypeError(f"ROW_{name} is a {_kind(found)}, not a row or a list of rows")


def _kind(value: Any) -> str:
    return {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), type(value).__name__)


def _name(entry: Any, keys: tuple[str, ...]) -> str:
    """What names an entry in a problem (its first key that is text), cut short and shown safely (escaped)."""
    if isinstance(entry, dict):
        for key in keys:
            value = entry.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool):
                return clean(str(value)[:60])
    return "?"


class _Collect:
    """Rows and problems of one read: :meth:`each` reads every entry of a table, a bad entry is a problem."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.problems: list[str] = []

    def guard(self, label: str, number: int, entry: Any, keys: tuple[str, ...], read: Callable[[], None]) -> None:
        """Run ``read`` for one entry; what makes it unreadable becomes a problem naming the entry."""
        try:
            read()
        except (BadEntry, KeyError, TypeError, ValueError) as exc:
            why = f"no {exc}" if isinstance(exc, KeyError) else str(exc)
            self.problems.append(f"{label}entry {number} ({_name(entry, keys)}): {why[:200]}")

    def reading(self) -> Reading:
        return _reading(self.rows, tuple(self.problems))


def _reading(found: list[Row], problems: tuple[str, ...] = ()) -> Reading:
    from netatlas.collect.parsers.structured import Reading  # here: structured imports this module

    return Reading(found, problems)


def _table(found: _Collect, parent: Any, name: str, label: str, keys: tuple[str, ...],
           read: Callable[[Row], Row | list[Row]]) -> None:
    """Read every row of ``TABLE_<name>`` with ``read`` (a row, or several), into ``found``."""
    for number, entry in enumerate(rows(parent, name), start=1):
        def one(entry: Any = entry) -> None:
            if not isinstance(entry, dict):
                raise BadEntry(f"a {_kind(entry)}, not an object")
            out = read(entry)
            found.rows.extend(out if isinstance(out, list) else [out])
        found.guard(label, number, entry, keys, one)


def _nested(found: _Collect, parent: Any, name: str, label: str, keys: tuple[str, ...],
            inner: Callable[[Row, str], None]) -> None:
    """For each row of an outer table (a VRF), run ``inner`` with the row and its label; a bad outer
    row is one problem."""
    for number, entry in enumerate(rows(parent, name), start=1):
        def one(entry: Any = entry) -> None:
            if not isinstance(entry, dict):
                raise BadEntry(f"a {_kind(entry)}, not an object")
            inner(entry, f"{name} {_name(entry, keys)} ")
        found.guard(f"{name} ", number, entry, keys, one)


# ---- show version ------------------------------------------------------------------------------

_NEXUS = re.compile(r"(?:cisco\s+)?(?:Nexus\s?\d+\s+)?(?P<platform>\S+)(?:\s+[Cc]hassis.*)?")


def read_version(doc: Any) -> Reading:
    """``show version``: one row (``hostname``, ``platform``, ``serial``, ``os``, ``uptime`` as the text's
    ``N day(s), N hour(s), ...``); an image's version key by age: ``nxos_ver_str``, ``sys_ver_str``,
    ``kickstart_ver_str``."""
    if not isinstance(doc, dict):
        raise TypeError(f"the document is a {_kind(doc)}, not an object")
    try:
        version = next(text(doc, k) for k in ("nxos_ver_str", "sys_ver_str", "kickstart_ver_str") if k in doc)
    except StopIteration:
        raise KeyError("'nxos_ver_str'") from None
    chassis = _NEXUS.fullmatch(text(doc, "chassis_id", ""))
    uptime = [text(doc, f"kern_uptm_{unit}", "0") for unit in ("days", "hrs", "mins", "secs")]
    if not all(u.isdigit() for u in uptime):
        raise ValueError(f"kern_uptm_* are not whole numbers: {uptime}")
    row = {"hostname": text(doc, "host_name"), "platform": chassis["platform"] if chassis else "",
           "serial": text(doc, "proc_board_id", ""), "os": version, "bios": text(doc, "bios_ver_str", ""),
           "boot_image": text(doc, "nxos_file_name", text(doc, "kick_file_name", "")),
           "last_reboot_reason": text(doc, "rr_reason", ""),
           "uptime": "{} day(s), {} hour(s), {} minute(s), {} second(s)".format(*uptime)}
    return _reading([row])


# ---- show interface ----------------------------------------------------------------------------


def _link_status(entry: Row, prefix: str) -> str:
    """The text's ``LINK_STATUS``: ``up``, ``down``, or ``administratively down``."""
    svi = prefix == "svi"
    admin = text(entry, "svi_admin_state" if svi else "admin_state", "up")
    state = text(entry, "svi_line_proto" if svi else "state")
    return "administratively down" if admin.lower() == "down" else state


def _interface(entry: Row) -> Row:
    prefix = "svi" if "svi_line_proto" in entry else "eth"
    bundle = text(entry, "eth_bundle", "")
    if bundle and not bundle.isdigit():
        raise BadEntry(f"'eth_bundle' is not a port-channel number: {bundle[:40]!r}")
    members = text(entry, "eth_members", "")
    return {"interface": text(entry, "interface"), "link_status": _link_status(entry, prefix),
            "description": text(entry, "desc", ""), "ip_address": text(entry, f"{prefix}_ip_addr", ""),
            "prefix_length": text(entry, f"{prefix}_ip_mask", ""),
            "mac_address": text(entry, "svi_mac" if prefix == "svi" else "eth_hw_addr", ""),
            "mtu": text(entry, f"{prefix}_mtu", ""), "speed": text(entry, "eth_speed", ""),
            "duplex": text(entry, "eth_duplex", ""), "channel": f"port-channel{bundle}" if bundle else "",
            "members": [members] if members else []}


def read_interfaces(doc: Any) -> Reading:
    found = _Collect()
    _table(found, doc, "interface", "", ("interface",), _interface)
    return found.reading()


# ---- CDP and LLDP ------------------------------------------------------------------------------

# The document's CDP capability words -> the text detail's (``IGMP_cnd_filtering`` -> ``IGMP Filtering``).
CDP_WORDS = {"router": "Router", "switch": "Switch", "host": "Host", "trans-bridge": "Trans-Bridge",
             "source-route-bridge": "Source-Route-Bridge", "repeater": "Repeater", "phone": "Phone",
             "igmp_cnd_filtering": "IGMP Filtering", "remotely-managed-device": "Remotely-Managed-Device"}
_NOT_ADVERTISED = "not advertised"


def _cdp(entry: Row) -> Row:
    caps = " ".join(CDP_WORDS.get(w.lower(), w) for w in words(entry, "capability"))
    return {"chassis_id": text(entry, "device_id"), "neighbor_name": text(entry, "sysname", ""),
            "mgmt_address": text(entry, "v4mgmtaddr", ""), "platform": text(entry, "platform_id", ""),
            "neighbor_interface": text(entry, "port_id"), "local_interface": text(entry, "intf_id"),
            "neighbor_description": text(entry, "version", "", multiline=True),
            "interface_ip": text(entry, "v4addr", ""), "capabilities": caps}


def read_cdp(doc: Any) -> Reading:
    found = _Collect()
    _table(found, doc, "cdp_neighbor_detail_info", "", ("device_id", "intf_id"), _cdp)
    return found.reading()


def _advertised(entry: Row, key: str) -> str:
    value = text(entry, key, "")
    return "" if value.lower() == _NOT_ADVERTISED else value


def _lldp(entry: Row) -> Row:
    return {"neighbor_name": text(entry, "sys_name", ""), "local_interface": text(entry, "l_port_id"),
            "neighbor_interface": text(entry, "port_id"), "chassis_id": text(entry, "chassis_id", ""),
            "mgmt_address": _advertised(entry, "mgmt_addr"),
            "neighbor_description": text(entry, "sys_desc", "", multiline=True),
            "capabilities": text(entry, "system_capability", ""), "vlan_id": _advertised(entry, "vlan_id")}


def read_lldp(doc: Any) -> Reading:
    found = _Collect()
    _table(found, doc, "nbor_detail", "", ("sys_name", "l_port_id"), _lldp)
    count = doc.get("neigh_count") if isinstance(doc, dict) else None
    listed = len(rows(doc, "nbor_detail"))
    if isinstance(count, int) and not isinstance(count, bool) and count != listed:
        found.problems.append(f"neigh_count says {count} neighbors, the table lists {listed}")
    return found.reading()


# ---- routes ------------------------------------------------------------------------------------


def _paths(prefix: Row, vrf: str) -> list[Row]:
    network, _, length = text(prefix, "ipprefix").partition("/")
    out = []
    for path in rows(prefix, "path"):
        if not isinstance(path, dict):
            raise BadEntry(f"a path is a {_kind(path)}, not an object")
        out.append({"vrf": vrf, "protocol": text(path, "clientname"), "type": text(path, "type", ""),
                    "network": network, "prefix_length": length, "distance": text(path, "pref", ""),
                    "metric": text(path, "metric", ""), "nexthop_ip": text(path, "ipnexthop", ""),
                    "nexthop_if": text(path, "ifname", ""), "uptime": text(path, "uptime", "")})
    if not out:
        raise BadEntry("no path")
    return out


def read_routes(doc: Any) -> Reading:
    """``show ip route [<protocol>] [vrf ...]``: a row per next hop (``vrf``, ``protocol`` as
    ``clientname`` says it, ``type``, ``network``/``prefix_length``, ``distance``, ``metric``, ...)."""
    found = _Collect()

    def vrf_rows(vrf: Row, label: str) -> None:
        name = text(vrf, "vrf-name-out")
        for family in rows(vrf, "addrf"):
            if isinstance(family, dict) and text(family, "addrf", "ipv4") == "ipv4":
                _table(found, family, "prefix", label, ("ipprefix",), lambda p: _paths(p, name))

    _nested(found, doc, "vrf", "vrf", ("vrf-name-out",), vrf_rows)
    return found.reading()


# ---- OSPF, BGP, MAC, ARP -----------------------------------------------------------------------


def read_ospf(doc: Any) -> Reading:
    """``show ip ospf neighbors [vrf all]``: the text's ``STATE`` is ``FULL/DR`` (state and DR role)."""
    found = _Collect()

    def ctx_rows(ctx: Row, label: str) -> None:
        vrf, pid = text(ctx, "cname"), text(ctx, "ptag", "")
        listed = rows(ctx, "nbr")
        _table(found, ctx, "nbr", label, ("rid", "intf"), lambda n: {
            "ospf_pid": pid, "vrf": vrf, "neighbor_id": text(n, "rid"),
            "state": f"{text(n, 'state')}/{text(n, 'drstate', '-')}", "uptime": text(n, "uptime", ""),
            "ip_address": text(n, "addr"), "interface": text(n, "intf")})
        count = text(ctx, "nbrcount", str(len(listed)))
        if count != str(len(listed)):
            found.problems.append(f"{label}nbrcount says {count[:20]} neighbors, the table lists {len(listed)}")

    _nested(found, doc, "ctx", "ctx", ("cname",), ctx_rows)
    return found.reading()


def _session(neighbor: Row, vrf: str, router_id: str, local_as: str) -> Row:
    state = text(neighbor, "state")
    shown = text(neighbor, "prefixreceived") if state.lower() == "established" else state
    return {"router_id": router_id, "local_as": local_as, "vrf": vrf, "bgp_neigh": text(neighbor, "neighborid"),
            "neigh_as": text(neighbor, "neighboras"), "msg_rcvd": text(neighbor, "msgrecvd", ""),
            "msg_sent": text(neighbor, "msgsent", ""), "in_queue": text(neighbor, "inq", ""),
            "out_queue": text(neighbor, "outq", ""), "up_down": text(neighbor, "time", ""), "state_pfxrcd": shown}


def read_bgp(doc: Any) -> Reading:
    """``show ip bgp summary [vrf all]``: the IPv4 unicast sessions of every VRF; the text's
    ``STATE_PFXRCD`` is the prefix count of an Established session, else its state."""
    found = _Collect()

    def vrf_rows(vrf: Row, label: str) -> None:
        name, router_id, local_as = text(vrf, "vrf-name-out"), text(vrf, "vrf-router-id", ""), text(
            vrf, "vrf-local-as", "")
        for af in rows(vrf, "af"):
            for saf in rows(af, "saf"):
                if isinstance(saf, dict) and text(saf, "af-name", "IPv4 Unicast") == "IPv4 Unicast":
                    _table(found, saf, "neighbor", label, ("neighborid",),
                           lambda n: _session(n, name, router_id, local_as))

    _nested(found, doc, "vrf", "vrf", ("vrf-name-out",), vrf_rows)
    return found.reading()


def read_mac(doc: Any) -> Reading:
    found = _Collect()
    _table(found, doc, "mac_address", "", ("disp_mac_addr",), lambda e: {
        "vlan_id": text(e, "disp_vlan"), "mac_address": text(e, "disp_mac_addr"), "type": text(e, "disp_type"),
        "age": text(e, "disp_age", ""), "secure": text(e, "disp_is_secure", ""),
        "ntfy": text(e, "disp_is_ntfy", ""), "ports": text(e, "disp_port")})
    return found.reading()


def read_arp(doc: Any) -> Reading:
    """``show ip arp [vrf ...]``: the text's rows, and each entry's ``vrf`` (``vrf-name-out``), which the
    text's flat table does not print (the normaliser row reads the VRF as unknown, as in text)."""
    found = _Collect()

    def vrf_rows(vrf: Row, label: str) -> None:
        name = text(vrf, "vrf-name-out")
        _table(found, vrf, "adj", label, ("ip-addr-out",), lambda a: {
            "ip_address": text(a, "ip-addr-out"), "age": text(a, "time-stamp", ""), "mac_address": text(a, "mac"),
            "interface": text(a, "intf-out", ""), "vrf": name})

    _nested(found, doc, "vrf", "vrf", ("vrf-name-out",), vrf_rows)
    return found.reading()


_ROUTES = tuple(f"show ip route{proto}{vrf}" for vrf in ("", " vrf all") for proto in ("", " static", " ospf", " bgp"))
READERS: tuple[ReaderRow, ...] = (
    ("cisco_nxos", "show version", read_version),
    ("cisco_nxos", "show interface", read_interfaces),
    ("cisco_nxos", "show cdp neighbors detail", read_cdp),
    ("cisco_nxos", "show lldp neighbors detail", read_lldp),
    *(("cisco_nxos", command, read_routes) for command in _ROUTES),
    ("cisco_nxos", "show ip ospf neighbors vrf all", read_ospf),
    ("cisco_nxos", "show ip ospf neighbors", read_ospf),
    ("cisco_nxos", "show ip bgp summary vrf all", read_bgp),
    ("cisco_nxos", "show ip bgp summary", read_bgp),
    ("cisco_nxos", "show mac address-table", read_mac),
    ("cisco_nxos", "show ip arp vrf all", read_arp),
    ("cisco_nxos", "show ip arp", read_arp),
)
