"""Facts and interfaces: one builder per platform's template, and their normaliser rows."""

from __future__ import annotations

from dataclasses import replace

from netatlas.collect.parsers import fields as f
from netatlas.collect.parsers.common import port, uptime_seconds
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


def _junos_version(rows: list[Row], platform: str) -> DeviceRecords:
    r = rows[0]
    return DeviceRecords(facts=Facts(r["hostname"], r["model"], "", r["junos_version"], "juniper"))


# ---- interfaces ----------------------------------------------------------------------------


def _ipv4(r: Row) -> tuple[str, ...]:
    if not r["ip_address"]:
        return ()
    if "/" in r["ip_address"]:  # EOS: "10.0.0.1/31"
        address, length = r["ip_address"].split("/", 1)
        return (f.ip_interface(address, length, "ip_address"),)
    return (f.ip_interface(r["ip_address"], r["prefix_length"], "ip_address/prefix_length"),)


def _ios_interfaces(rows: list[Row], platform: str) -> DeviceRecords:
    return _build(rows, platform, "protocol_status")


def _nxos_interfaces(rows: list[Row], platform: str) -> DeviceRecords:
    return _build(rows, platform, "link_status")


def _build(rows: list[Row], platform: str, oper_field: str) -> DeviceRecords:
    out = [
        Interface(
            name=f.interface(r["interface"], platform),
            admin_up="administratively" not in r["link_status"].lower(),
            oper_up=(r[oper_field].split() or [""])[0].lower() == "up",
            description=r["description"],
            ipv4=_ipv4(r),
            mac=f.optional_mac(r["mac_address"], "mac_address"),
            mtu=f.optional_int(r["mtu"], "mtu"),
        )
        for r in rows
    ]
    return DeviceRecords(interfaces=out)


def _junos_address(r: Row) -> str:
    length = "32" if r["destination"] in ("", "Unspecified") else r["destination"].rsplit("/", 1)[-1]
    return f.ip_interface(r["local"], length, "local/destination")


def _junos_interfaces(rows: list[Row], platform: str) -> DeviceRecords:
    """Physical rows become interfaces; a unit's address goes on its port (``irb.N`` units stay)."""
    by_name: dict[str, Interface] = {}
    for r in rows:
        name = port(r["interface"], platform)
        if r["admin_state"]:
            by_name[name] = Interface(
                name=name,
                admin_up=r["admin_state"] == "Enabled",
                oper_up=r["link_status"] == "Up",
                description=r["description"],
                mtu=int(r["mtu"]) if r["mtu"].isdigit() else None,
            )
        elif name not in by_name:  # irb.N: a logical interface of its own
            by_name[name] = Interface(name, True, r["link_status"] == "Up", description=r["description"],
                                      mtu=int(r["mtu"]) if r["mtu"].isdigit() else None)
        if r["local"]:
            intf = by_name[name]
            by_name[name] = _with_address(intf, _junos_address(r))
    return DeviceRecords(interfaces=list(by_name.values()))


def _with_address(intf: Interface, address: str) -> Interface:
    return replace(intf, ipv4=(*intf.ipv4, address))


_VERSION_QUIET = rx(r".*")  # show version always has exactly one entry (``single``)
_FREE_QUIET = rx(r"\s*")  # free-form (lenient) outputs: only lines after the last understood one are checked
_IF_QUIET = rx(r"\s*|\s{2,}\S.*")  # trailing counters of the last interface (indented)
_NXOS_VERSION_TAIL = rx(r"\s*|\s+\S.*|plugin|Active Packages?(?:\(s\))?:?")
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
    Normaliser("juniper_junos", "show version", fields("hostname", "model", "junos_version"), _junos_version,
               rx(r"^Hostname: "), _VERSION_QUIET, single=True),
    Normaliser("cisco_ios", "show interfaces",
               fields("interface", "link_status", "protocol_status", "description", "ip_address", "prefix_length",
                      "mac_address", "mtu"),
               _ios_interfaces, _CISCO_IF_ENTRY, _IF_QUIET, lenient=True),
    Normaliser("cisco_nxos", "show interface",
               fields("interface", "link_status", "description", "ip_address", "prefix_length", "mac_address",
                      "mtu"),
               _nxos_interfaces, _CISCO_IF_ENTRY, _IF_QUIET, lenient=True),
    Normaliser("arista_eos", "show interfaces",
               fields("interface", "link_status", "protocol_status", "description", "ip_address", "mac_address",
                      "mtu"),
               _ios_interfaces, _CISCO_IF_ENTRY, _IF_QUIET, lenient=True),
    Normaliser("juniper_junos", "show interfaces",
               fields("interface", "link_status", "admin_state", "description", "destination", "local", "mtu"),
               _junos_interfaces, rx(r"^Physical interface: "), _IF_QUIET),
)
