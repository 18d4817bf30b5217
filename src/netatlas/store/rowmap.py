"""Domain records to row dicts and back, one ``RecordSpec`` per record table.

Column names are the record's field names; tuples become JSON lists (``Interface.ipv4``,
``Route.next_hops`` as ``[[address, interface], ...]``). A route row also carries the route
data type its protocol belongs to, so "latest static routes" is one indexed filter. Every
string a record holds came from a device: it is cleaned (``netatlas.domain.text.clean``) on
the way in, so both backends store the same bounded, printable text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, true

from netatlas.domain.records import (
    ArpEntry,
    BgpSession,
    DataType,
    DeviceRecords,
    Interface,
    MacEntry,
    Neighbor,
    NextHop,
    OspfNeighbor,
    Route,
)
from netatlas.domain.text import clean
from netatlas.store import tables as t

R = TypeVar("R")
Row = dict[str, Any]
ROUTE_TYPE_OF_PROTOCOL = {"static": DataType.STATIC_ROUTES, "ospf": DataType.OSPF_ROUTES, "bgp": DataType.BGP_ROUTES}


def route_data_type(protocol: str) -> str:
    """The route data type a protocol belongs to; "" for connected, local and the rest.

    Examples:
        >>> route_data_type("ospf"), route_data_type("connected")
        ('ospf_routes', '')
    """
    kind = ROUTE_TYPE_OF_PROTOCOL.get(protocol.lower())
    return kind.value if kind else ""


def _same(row: Row) -> Row:
    return row


def cleaned(value: Any) -> Any:
    """``value`` with every string in it cleaned, tuples of strings included (nested records are
    cleaned by their spec's ``encode``).

    Examples:
        >>> cleaned(("eth0\\x1b[2J", 3))
        ('eth0\\\\x1b[2J', 3)
        >>> cleaned("Gi1\\u202e")
        'Gi1\\\\u202e'
    """
    kind = type(value)
    if kind is str:
        return clean(value)
    if kind is tuple:
        return tuple(map(cleaned, value))
    return value


@dataclass(frozen=True, slots=True)
class RecordSpec(Generic[R]):
    table: type[t.Base]
    record: type[R]
    attribute: str  # the DeviceRecords list it fills
    encode: Callable[[Row], Row] = _same  # record fields -> column values
    decode: Callable[[Row], Row] = _same  # column values -> record fields

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self.record))  # type: ignore[arg-type]

    def rows(self, snapshot_id: int, records: Iterable[R]) -> list[Row]:
        names = self.field_names
        return [self.encode({"snapshot_id": snapshot_id, **{n: cleaned(getattr(r, n)) for n in names}})
                for r in records]

    def record_of(self, row: Mapping[Any, Any]) -> R:
        return self.record(**self.decode({n: row[n] for n in self.field_names}))

    def columns(self) -> list[Any]:
        return [self.table.__table__.c[n] for n in ("snapshot_id", *self.field_names)]


def _encode_interface(row: Row) -> Row:
    return {**row, "ipv4": list(row["ipv4"]), "ipv6": list(row["ipv6"])}


def _decode_interface(row: Row) -> Row:
    return {**row, "ipv4": tuple(row["ipv4"]), "ipv6": tuple(row["ipv6"])}


def _encode_route(row: Row) -> Row:
    hops = [[clean(hop.address), clean(hop.interface)] for hop in row["next_hops"]]
    return {**row, "next_hops": hops, "data_type": route_data_type(row["protocol"])}


def _decode_route(row: Row) -> Row:
    return {**row, "next_hops": tuple(NextHop(address, interface) for address, interface in row["next_hops"])}


INTERFACES = RecordSpec(t.InterfaceRow, Interface, "interfaces", _encode_interface, _decode_interface)
NEIGHBORS = RecordSpec(t.NeighborRow, Neighbor, "neighbors")
ROUTES = RecordSpec(t.RouteRow, Route, "routes", _encode_route, _decode_route)
OSPF_NEIGHBORS = RecordSpec(t.OspfNeighborRow, OspfNeighbor, "ospf_neighbors")
BGP_SESSIONS = RecordSpec(t.BgpSessionRow, BgpSession, "bgp_sessions")
MAC_TABLE = RecordSpec(t.MacEntryRow, MacEntry, "mac_table")
ARP = RecordSpec(t.ArpEntryRow, ArpEntry, "arp")
SPECS: tuple[RecordSpec[Any], ...] = (INTERFACES, NEIGHBORS, ROUTES, OSPF_NEIGHBORS, BGP_SESSIONS, MAC_TABLE, ARP)


@dataclass(frozen=True, slots=True)
class KindQuery:
    """Where the records of one data type live: a spec and the filter on its rows."""

    spec: RecordSpec[Any]
    where: ColumnElement[bool]


def kind_queries(kind: DataType) -> tuple[KindQuery, ...]:
    """The record queries that make up ``kind`` (facts live on the snapshot itself: none)."""
    if kind in ROUTE_TYPE_OF_PROTOCOL.values():
        return (KindQuery(ROUTES, t.RouteRow.data_type == kind.value),)
    if kind in (DataType.CDP, DataType.LLDP):
        return (KindQuery(NEIGHBORS, t.NeighborRow.protocol == kind.value),)
    by_kind: dict[DataType, tuple[RecordSpec[Any], ...]] = {
        DataType.INTERFACES: (INTERFACES,),
        DataType.ROUTING_NEIGHBORS: (OSPF_NEIGHBORS, BGP_SESSIONS),
        DataType.MAC: (MAC_TABLE,),
        DataType.ARP: (ARP,),
    }
    return tuple(KindQuery(spec, true()) for spec in by_kind.get(kind, ()))


def add_records(target: DeviceRecords, spec: RecordSpec[Any], records: Iterable[Any]) -> None:
    getattr(target, spec.attribute).extend(records)
