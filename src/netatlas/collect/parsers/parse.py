"""``parse_output``: one command's raw text -> the domain records for the data types it serves."""

from __future__ import annotations

from dataclasses import fields as dc_fields
from dataclasses import replace

from netatlas.collect.parsers import device, neighbors, routes, sessions
from netatlas.collect.parsers.fields import FieldError
from netatlas.collect.parsers.table import Normaliser
from netatlas.collect.parsers.templates import parse_rows, template
from netatlas.domain.errors import ParseError
from netatlas.domain.records import DataType, DeviceRecords, Facts, ParseOutcome

NORMALISERS: tuple[Normaliser, ...] = (
    *device.NORMALISERS,
    *neighbors.NORMALISERS,
    *routes.NORMALISERS,
    *sessions.NORMALISERS,
)
# Which route protocols each route data type keeps (nothing else: not connected, not local).
ROUTE_PROTOCOLS = {DataType.STATIC_ROUTES: "static", DataType.OSPF_ROUTES: "ospf", DataType.BGP_ROUTES: "bgp"}
# DeviceRecords list field per data type (facts and routes are handled separately).
LIST_FIELDS = {
    DataType.INTERFACES: ("interfaces",),
    DataType.ROUTING_NEIGHBORS: ("ospf_neighbors", "bgp_sessions"),
    DataType.MAC: ("mac_table",),
    DataType.ARP: ("arp",),
}
NEIGHBOR_PROTOCOLS = {DataType.CDP: "cdp", DataType.LLDP: "lldp"}


def normaliser(platform: str, command: str) -> Normaliser:
    """The normaliser row for a command as sent (per-interface forms included)."""
    for row in NORMALISERS:
        if row.platform == platform and row.matches(command):
            return row
    raise ParseError(f"{platform} {command!r}: no normaliser for this command")


def parse_output(platform: str, command: str, text: str, data_types: frozenset[DataType]) -> DeviceRecords:
    """Parse one command's output into records for ``data_types`` (raises :class:`ParseError`)."""
    row = normaliser(platform, command)
    rows = parse_rows(platform, command, text)
    _check_rows(row, command, text, len(rows))
    try:
        records = row.build(rows, platform)
    except (FieldError, KeyError) as exc:
        raise ParseError(f"{platform} {command!r}: {exc}") from exc
    return select(records, data_types)


def parse_command(platform: str, command: str, text: str, data_types: frozenset[DataType]) -> ParseOutcome:
    """Parse one command's output: records plus how completely the text was understood.

    Raises :class:`ParseError` when the output cannot be trusted at all.
    """
    return ParseOutcome(parse_output(platform, command, text, data_types))


def _check_rows(row: Normaliser, command: str, text: str, count: int) -> None:
    where = f"{row.platform} {command!r}"
    if row.single and count != 1:
        raise ParseError(f"{where}: expected one record, the template gave {count}")
    entries = row.entry_count(text)
    if count < entries:
        raise ParseError(f"{where}: the output lists {entries} entries but the template parsed {count}")
    if count == 0:
        junk = row.junk(text)
        if junk:
            raise ParseError(f"{where}: nothing parsed from {len(junk)} unrecognised line(s), first: {junk[0][:80]!r}")


def select(records: DeviceRecords, data_types: frozenset[DataType]) -> DeviceRecords:
    """Keep only what ``data_types`` asks for (routes: only the requested protocols)."""
    out = DeviceRecords(facts=records.facts if DataType.FACTS in data_types else None)
    for data_type, names in LIST_FIELDS.items():
        if data_type in data_types:
            for name in names:
                setattr(out, name, getattr(records, name))
    protocols = {ROUTE_PROTOCOLS[t] for t in data_types if t in ROUTE_PROTOCOLS}
    out.routes = [r for r in records.routes if r.protocol in protocols]
    wanted = {NEIGHBOR_PROTOCOLS[t] for t in data_types if t in NEIGHBOR_PROTOCOLS}
    out.neighbors = [n for n in records.neighbors if n.protocol in wanted]
    return out


def merge_records(into: DeviceRecords, extra: DeviceRecords) -> DeviceRecords:
    """Combine the records of two commands of one device (facts field by field, lists appended).

    A neighbor from a detail command (JunOS per-interface LLDP) replaces the summary entry with
    the same protocol, local interface and remote name.

    Examples:
        >>> a = DeviceRecords(facts=Facts("", model="DCS-7050SX3"))
        >>> merge_records(a, DeviceRecords(facts=Facts("leaf1"))).facts
        Facts(hostname='leaf1', model='DCS-7050SX3', serial='', os_version='', vendor='', uptime='')
    """
    out = DeviceRecords(facts=_merge_facts(into.facts, extra.facts))
    for field in dc_fields(DeviceRecords):
        if field.name not in ("facts", "neighbors"):
            setattr(out, field.name, [*getattr(into, field.name), *getattr(extra, field.name)])
    replaced = {(n.protocol, n.local_interface, n.remote_name) for n in extra.neighbors}
    out.neighbors = [n for n in into.neighbors if (n.protocol, n.local_interface, n.remote_name) not in replaced]
    out.neighbors += extra.neighbors
    return out


def _merge_facts(a: Facts | None, b: Facts | None) -> Facts | None:
    if a is None or b is None:
        return a or b
    changes = {fd.name: getattr(b, fd.name) for fd in dc_fields(Facts) if getattr(b, fd.name)}
    return replace(a, **changes)


def required_fields_missing() -> list[tuple[str, str, list[str]]]:
    """(platform, command, missing fields) for every row whose template no longer has a field we read."""
    missing = []
    for row in NORMALISERS:
        command = row.command.format(interface="ge-0/0/0")
        header = set(template(row.platform, command).header)
        lost = sorted(row.requires - header)
        if lost:
            missing.append((row.platform, row.command, lost))
    return missing
