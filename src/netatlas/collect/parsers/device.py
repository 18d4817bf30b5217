"""Facts and interfaces: one builder per platform's template, and their normaliser rows."""

from __future__ import annotations

import re
from dataclasses import replace

from netatlas.collect.parsers import fields as f
from netatlas.collect.parsers.common import uptime_seconds
from netatlas.collect.parsers.table import Normaliser, Row, fields, rx
from netatlas.domain.records import DeviceRecords, Facts, Interface

# ---- facts ---------------------------------------------------------------------------------


def _ios_version(rows: list[Row], platform: str) -> DeviceRecords:
    r = rows[0]
    facts = Facts(r["hostname"], f.first(r["hardware"]), f.first(r["serial"]), r["version"], "cisco",
                  uptime_seconds(r["uptime"]))
    return DeviceRecords(facts=facts)


def _nxos_version(rows: list[Row], platform: str) -> DeviceRecords:
    r = rows[0]
    return DeviceRecords(facts=Facts(r["hostname"], r["platform"], r["serial"], r["os"], "cisco",
                                     uptime_seconds(r["uptime"])))


def _eos_version(rows: list[Row], platform: str) -> DeviceRecords:
    r = rows[0]
    return DeviceRecords(facts=Facts("", r["model"], r["serial_number"], r["image"], "arista",
                                     uptime_seconds(r["uptime"])))


def _eos_hostname(rows: list[Row], platform: str) -> DeviceRecords:
    return DeviceRecords(facts=Facts(rows[0]["hostname"]))


# ---- interfaces ----------------------------------------------------------------------------


def _ipv4(r: Row) -> tuple[str, ...]:
    if not r["ip_address"]:
        return ()
    if "/" in r["ip_address"]:  # EOS: "10.0.0.1/31"
        address, length = r["ip_address"].split("/", 1)
        return (f.ip_interface(address, length, "ip_address"),)
    return (f.ip_interface(r["ip_address"], r["prefix_length"], "ip_address/prefix_length"),)


def _ipv6(r: Row) -> tuple[str, ...]:
    """EOS: the link-local address, then each global one with its subnet's length, as printed (netatlas's
    template; rows without these columns, ntc-templates' own, give none).

    Examples:
        >>> _ipv6({"ipv6_link_local": "fe80::1/64", "ipv6_global": ["2001:DB8::1"], "ipv6_subnet": ["2001:db8::/64"]})
        ('fe80::1/64', '2001:db8::1/64')
    """
    address, _, length = r.get("ipv6_link_local", "").partition("/")
    local = (f.ip_interface(address, length, "ipv6_link_local"),) if address else ()
    return local + tuple(f.ip_interface(address, subnet.rsplit("/", 1)[-1], "ipv6_global")
                         for address, subnet in zip(r.get("ipv6_global", []), r.get("ipv6_subnet", []), strict=True))


def _ios_interfaces(rows: list[Row], platform: str) -> DeviceRecords:
    return _build(rows, platform, "protocol_status")


def _eos_interfaces(rows: list[Row], platform: str) -> DeviceRecords:
    return DeviceRecords(interfaces=[replace(i, ipv6=_ipv6(r))
                                     for i, r in zip(_build(rows, platform, "protocol_status").interfaces, rows,
                                                     strict=True)])


def _nxos_interfaces(rows: list[Row], platform: str) -> DeviceRecords:
    return _build(rows, platform, "link_status")


def members(rows: list[Row], platform: str) -> dict[str, str]:
    """Member -> its aggregate, from the aggregates' member lists (``Members in this channel: Gi1/0/1 Gi1/0/2``,
    NX-OS ``Eth1/49, Eth1/50``, IOS-XE one ``Member N :`` line each), canonical names.

    Examples:
        >>> members([{"interface": "port-channel1", "members": ["Eth1/49, Eth1/50"]}], "cisco_nxos")
        {'Ethernet1/49': 'port-channel1', 'Ethernet1/50': 'port-channel1'}
        >>> members([{"interface": "Port-channel2", "members": ["Gi1/0/1 Gi1/0/2"]}, {"interface": "Gi1/0/3"}],
        ...         "cisco_ios")
        {'GigabitEthernet1/0/1': 'Port-channel2', 'GigabitEthernet1/0/2': 'Port-channel2'}
    """
    out: dict[str, str] = {}
    for r in rows:
        names = (name for item in r.get("members", ()) for name in _MEMBER_SPLIT.split(item) if name)
        for name in names:
            out.setdefault(f.interface(name, platform), f.interface(r["interface"], platform))
    return out


def _interface(r: Row, platform: str, oper_field: str) -> Interface:
    return Interface(
        name=f.interface(r["interface"], platform),
        admin_up="administratively" not in r["link_status"].lower(),
        oper_up=(r[oper_field].split() or [""])[0].lower() == "up",
        description=r["description"],
        ipv4=_ipv4(r),
        mac=f.optional_mac(r["mac_address"], "mac_address"),
        mtu=f.optional_int(r["mtu"], "mtu"),
        channel=f.interface(r.get("channel", ""), platform),  # the member's own line (NX-OS, EOS)
        speed_mbps=f.speed_mbps(r.get("speed", ""), "speed"),  # .get: the corpus's ntc-templates rows lack some
        duplex=f.duplex(r.get("duplex", ""), "duplex"),
    )


def _build(rows: list[Row], platform: str, oper_field: str) -> DeviceRecords:
    """Interfaces; a member named by its aggregate's member list gets the aggregate as its channel."""
    out = [_interface(r, platform, oper_field) for r in rows]
    channel_of = members(rows, platform)
    return DeviceRecords(interfaces=[i if i.channel else replace(i, channel=channel_of.get(i.name, "")) for i in out])


_VERSION_QUIET = rx(r".*")  # show version always has exactly one entry (``single``)
_FREE_QUIET = rx(r"\s*")  # free-form (lenient) outputs: only lines after the last understood one are checked
_IF_QUIET = rx(r"\s*|\s{2,}\S.*")  # trailing counters of the last interface (indented)
_NXOS_VERSION_TAIL = rx(r"\s*|  (?:System version|Service):.*|  \w+ Plugin(?:, \w+ Plugin)*|plugin"
                        r"|Active Packages?(?:\(s\))?:?|\s+\S+\.(?:rpm|lib32_n9000)")  # the tail it does not read
_IF_OPTIONAL = fields("mac_address", "speed", "duplex")  # a mangled value costs the interface that value only
_MEMBER_SPLIT = re.compile(r"[,\s]+")
_CISCO_IF_ENTRY = rx(r"^\S+ is (?:up|down|administratively down)")

NORMALISERS: tuple[Normaliser, ...] = (
    Normaliser("cisco_ios", "show version", fields("hostname", "hardware", "serial", "version", "uptime"),
               _ios_version, rx(r"^\S+ uptime is "), _FREE_QUIET, single=True, lenient=True),
    Normaliser("cisco_nxos", "show version", fields("hostname", "platform", "serial", "os", "uptime"),
               _nxos_version, rx(r"^\s+Device name: "), _NXOS_VERSION_TAIL, single=True, lenient=True),
    Normaliser("arista_eos", "show version", fields("model", "serial_number", "image", "uptime"),
               _eos_version, rx(r"^Software image version: "), _FREE_QUIET, single=True, lenient=True),
    Normaliser("arista_eos", "show hostname", fields("hostname"), _eos_hostname, rx(r"^Hostname: "),
               _FREE_QUIET, single=True, lenient=True),
    Normaliser("cisco_ios", "show interfaces",
               fields("interface", "link_status", "protocol_status", "description", "ip_address", "prefix_length",
                      "mac_address", "mtu", "speed", "duplex", "members"),
               _ios_interfaces, _CISCO_IF_ENTRY, _IF_QUIET, lenient=True, optional=_IF_OPTIONAL),
    Normaliser("cisco_nxos", "show interface",
               fields("interface", "link_status", "description", "ip_address", "prefix_length", "mac_address",
                      "mtu", "speed", "duplex", "channel", "members"),
               _nxos_interfaces, _CISCO_IF_ENTRY, _IF_QUIET, lenient=True, optional=_IF_OPTIONAL),
    Normaliser("arista_eos", "show interfaces",
               fields("interface", "link_status", "protocol_status", "description", "ip_address", "mac_address",
                      "mtu", "speed", "duplex", "channel"),
               _eos_interfaces, _CISCO_IF_ENTRY, _IF_QUIET, lenient=True, optional=_IF_OPTIONAL),
)
