"""One row per data type: everything the other layers need to know about it.

A :class:`DataTypeSpec` says which ``DeviceRecords`` attribute(s) a data type fills and with which
record class, the API request flag that selects it, the ``discover --only`` word, how the CLI
shows it, and -- where several data types share one attribute (CDP and LLDP in ``neighbors``,
the route types in ``routes``) -- the ``protocol`` value that tells their records apart. Parsing
(:func:`select`), the store (record tables per data type, the route row's data type) and the CLI
(``--only`` words, ``--kind`` tables) derive from :data:`DATA_TYPES`; adding a data type adds a
row here (and its record class, table and parsers), never a branch elsewhere.

Examples:
    >>> spec_of(DataType.CDP).flag, spec_of(DataType.CDP).protocol, FLAGS["include_mac_table"]
    ('include_cdp_neighbors', 'cdp', <DataType.MAC: 'mac'>)
    >>> sorted(t.value for t in ONLY_WORDS["routes"])
    ['bgp_routes', 'ospf_routes', 'static_routes']
    >>> route_data_type("OSPF"), route_data_type("connected")
    (<DataType.OSPF_ROUTES: 'ospf_routes'>, None)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from netatlas.domain.records import (
    ArpEntry,
    BgpSession,
    DataType,
    DeviceRecords,
    Facts,
    Interface,
    MacEntry,
    Neighbor,
    OspfNeighbor,
    Route,
)


@dataclass(frozen=True, slots=True)
class RecordField:
    """One ``DeviceRecords`` attribute a data type fills, and how ``devices data --kind`` shows it."""

    attribute: str  # the DeviceRecords field
    record: type[Any]  # the class of its records
    kind: str = ""  # the ``devices data --kind`` name ("" : not shown that way, e.g. facts)
    columns: tuple[str, ...] = ()  # the table's columns (``--json`` has every field)


@dataclass(frozen=True, slots=True)
class DataTypeSpec:
    """Everything about one data type; see the module docstring."""

    data_type: DataType
    flag: str  # the API request flag that selects it (``include_*``)
    only: str  # its ``discover --only`` word ("" : always collected)
    fields: tuple[RecordField, ...]
    protocol: str = ""  # where the attribute is shared: the ``protocol`` of this type's records
    group: str = ""  # an ``--only`` word that names it with others ("routes")

    def keeps(self, record: Any) -> bool:
        """True when ``record`` (of one of its fields) belongs to this data type.

        A route whose protocol no route type claims (connected, local) comes with every route
        type whose command printed it: it places each interface in its VRF for the topology.

        Examples:
            >>> spec_of(DataType.LLDP).keeps(Neighbor("cdp", "Gi1", "sw1", "Gi2"))
            False
            >>> spec_of(DataType.STATIC_ROUTES).keeps(Route("default", "10.0.0.0/31", "connected"))
            True
        """
        if not self.protocol or record.protocol == self.protocol:
            return True
        return isinstance(record, Route) and route_data_type(record.protocol) is None


_NEIGHBOR_COLUMNS = ("local_interface", "remote_name", "remote_interface", "mgmt_ip", "remote_platform")
_ROUTES = RecordField("routes", Route, "routes", ("vrf", "prefix", "protocol", "next_hops", "distance", "metric"))

DATA_TYPES: tuple[DataTypeSpec, ...] = (
    DataTypeSpec(DataType.FACTS, "include_facts", "", (RecordField("facts", Facts),)),
    DataTypeSpec(DataType.INTERFACES, "include_interfaces", "interfaces", (RecordField(
        "interfaces", Interface, "interfaces", ("name", "admin_up", "oper_up", "ipv4", "vrf", "description")),)),
    DataTypeSpec(DataType.CDP, "include_cdp_neighbors", "cdp",
                 (RecordField("neighbors", Neighbor, "cdp", _NEIGHBOR_COLUMNS),), protocol="cdp"),
    DataTypeSpec(DataType.LLDP, "include_lldp_neighbors", "lldp",
                 (RecordField("neighbors", Neighbor, "lldp", _NEIGHBOR_COLUMNS),), protocol="lldp"),
    DataTypeSpec(DataType.STATIC_ROUTES, "include_static_routes", "static", (_ROUTES,), "static", "routes"),
    DataTypeSpec(DataType.OSPF_ROUTES, "include_ospf_routes", "ospf", (_ROUTES,), "ospf", "routes"),
    DataTypeSpec(DataType.BGP_ROUTES, "include_bgp_routes", "bgp", (_ROUTES,), "bgp", "routes"),
    DataTypeSpec(DataType.ROUTING_NEIGHBORS, "include_routing_neighbors", "neighbors", (
        RecordField("ospf_neighbors", OspfNeighbor, "ospf", ("router_id", "address", "interface", "state", "vrf")),
        RecordField("bgp_sessions", BgpSession, "bgp", ("peer", "remote_as", "state", "prefixes_received", "vrf")))),
    DataTypeSpec(DataType.MAC, "include_mac_table", "mac",
                 (RecordField("mac_table", MacEntry, "mac", ("mac", "vlan", "interface", "dynamic")),)),
    DataTypeSpec(DataType.ARP, "include_arp", "arp",
                 (RecordField("arp", ArpEntry, "arp", ("ip", "mac", "interface", "vrf")),)),
)
_BY_TYPE = {spec.data_type: spec for spec in DATA_TYPES}


def spec_of(data_type: DataType) -> DataTypeSpec:
    """The row of ``data_type``."""
    return _BY_TYPE[data_type]


FLAGS: Mapping[str, DataType] = {spec.flag: spec.data_type for spec in DATA_TYPES}  # request flag -> type


def _only_words() -> dict[str, frozenset[DataType]]:
    """``discover --only`` word -> data types: each type's word, and each group's before its first member."""
    words: dict[str, set[DataType]] = {}
    for spec in DATA_TYPES:
        if spec.group:
            words.setdefault(spec.group, set()).add(spec.data_type)
        if spec.only:
            words.setdefault(spec.only, set()).add(spec.data_type)
    return {word: frozenset(types) for word, types in words.items()}


@dataclass(frozen=True, slots=True)
class RecordKind:
    """A ``devices data --kind`` table: one record attribute, read from the current state of these types."""

    name: str
    data_types: tuple[DataType, ...]
    field: RecordField


def _record_kinds() -> dict[str, RecordKind]:
    kinds: dict[str, RecordKind] = {}
    for spec in DATA_TYPES:
        for one in spec.fields:
            if one.kind:
                known = kinds.get(one.kind)
                types = (*known.data_types, spec.data_type) if known else (spec.data_type,)
                kinds[one.kind] = RecordKind(one.kind, types, one)
    return kinds


ONLY_WORDS: Mapping[str, frozenset[DataType]] = _only_words()
RECORD_FIELDS: Mapping[str, RecordField] = {one.attribute: one for spec in DATA_TYPES for one in spec.fields}
RECORD_KINDS: Mapping[str, RecordKind] = _record_kinds()
_ROUTE_TYPE = {spec.protocol: spec.data_type for spec in DATA_TYPES if _ROUTES in spec.fields}


def route_data_type(protocol: str) -> DataType | None:
    """The route data type a route protocol belongs to; None for connected, local and the rest."""
    return _ROUTE_TYPE.get(protocol.lower())


def select(records: DeviceRecords, data_types: Iterable[DataType]) -> DeviceRecords:
    """Only the records of ``data_types`` (a shared attribute: only the asked protocols), in their order.

    Examples:
        >>> mixed = DeviceRecords(neighbors=[Neighbor("cdp", "Gi1", "a", "x"), Neighbor("lldp", "Gi2", "b", "y")])
        >>> [n.remote_name for n in select(mixed, {DataType.LLDP}).neighbors]
        ['b']
        >>> select(DeviceRecords(facts=Facts("r1")), {DataType.ARP}).facts is None
        True
    """
    specs = [_BY_TYPE[t] for t in set(data_types)]
    out = DeviceRecords()
    for attribute in {one.attribute for spec in specs for one in spec.fields}:
        mine = [spec for spec in specs if any(one.attribute == attribute for one in spec.fields)]
        held = getattr(records, attribute)
        if isinstance(held, list):
            held = [r for r in held if any(spec.keeps(r) for spec in mine)]
        setattr(out, attribute, held)
    return out
