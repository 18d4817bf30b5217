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
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, true

from netatlas.domain.datatypes import RECORD_FIELDS, DataTypeSpec, spec_of
from netatlas.domain.datatypes import route_data_type as _route_type
from netatlas.domain.records import DataType, DeviceRecords, NextHop
from netatlas.domain.text import clean
from netatlas.store import tables as t

Row = dict[str, Any]


def route_data_type(protocol: str) -> str:
    """The route row's ``data_type`` column: the route data type of its protocol, "" for the rest.

    Examples:
        >>> route_data_type("ospf"), route_data_type("connected")
        ('ospf_routes', '')
    """
    kind = _route_type(protocol)
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
class RecordSpec:
    """The table of one ``DeviceRecords`` attribute; its record class comes from the data-type registry."""

    table: type[t.Base]
    attribute: str  # the DeviceRecords list it fills
    encode: Callable[[Row], Row] = _same  # record fields -> column values
    decode: Callable[[Row], Row] = _same  # column values -> record fields
    # The rows of one data type where several share this table (``DataTypeSpec.protocol``).
    of_type: Callable[[DataTypeSpec], ColumnElement[bool]] | None = None
    own: frozenset[str] = frozenset()  # fields whose strings ``encode`` cleans itself (passed to it as they are)

    @property
    def record(self) -> type[Any]:
        return RECORD_FIELDS[self.attribute].record

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self.record))

    def rows(self, snapshot_id: int, records: Iterable[Any]) -> list[Row]:
        """One row per record, every string cleaned (:func:`cleaned`). A table's strings repeat (VRF,
        protocol, interface names): each distinct one is cleaned once per call."""
        names, own = self.field_names, self.own
        memo: dict[str, str] = {}
        encode, found = self.encode, []
        for record in records:
            row: Row = {"snapshot_id": snapshot_id}
            for name in names:
                value = getattr(record, name)
                if type(value) is str:
                    text = memo.get(value)
                    row[name] = text if text is not None else memo.setdefault(value, clean(value))
                else:
                    row[name] = value if name in own else cleaned(value)
            found.append(encode(row))
        return found

    def record_of(self, row: Mapping[Any, Any]) -> Any:
        return self.record(**self.decode({n: row[n] for n in self.field_names}))

    def columns(self) -> list[Any]:
        return [self.table.__table__.c[n] for n in ("snapshot_id", *self.field_names)]


def _encode_interface(row: Row) -> Row:
    row["ipv4"], row["ipv6"] = list(row["ipv4"]), list(row["ipv6"])  # the row is RecordSpec.rows' own
    return row


def _decode_interface(row: Row) -> Row:
    return {**row, "ipv4": tuple(row["ipv4"]), "ipv6": tuple(row["ipv6"])}


def _encode_route(row: Row) -> Row:
    row["next_hops"] = [_hop(hop) for hop in row["next_hops"]]  # the row is RecordSpec.rows' own
    row["data_type"] = _route_data_type(row["protocol"])
    return row


@lru_cache(maxsize=4_096)
def _hop(hop: NextHop) -> list[str]:
    """A next hop's column value (a table's routes share a few next hops: each cleaned once). The
    list is shared by the rows that name the hop: rows are encoded as they are, never changed."""
    return [clean(hop.address), clean(hop.interface)]


@lru_cache(maxsize=64)
def _route_data_type(protocol: str) -> str:
    return route_data_type(protocol)


def _decode_route(row: Row) -> Row:
    return {**row, "next_hops": tuple(NextHop(address, interface) for address, interface in row["next_hops"])}


INTERFACES = RecordSpec(t.InterfaceRow, "interfaces", _encode_interface, _decode_interface)
NEIGHBORS = RecordSpec(t.NeighborRow, "neighbors", of_type=lambda spec: t.NeighborRow.protocol == spec.protocol)
ROUTES = RecordSpec(t.RouteRow, "routes", _encode_route, _decode_route,
                    of_type=lambda spec: t.RouteRow.data_type == spec.data_type.value, own=frozenset({"next_hops"}))
OSPF_NEIGHBORS = RecordSpec(t.OspfNeighborRow, "ospf_neighbors")
BGP_SESSIONS = RecordSpec(t.BgpSessionRow, "bgp_sessions")
MAC_TABLE = RecordSpec(t.MacEntryRow, "mac_table")
ARP = RecordSpec(t.ArpEntryRow, "arp")
SPECS: tuple[RecordSpec, ...] = (INTERFACES, NEIGHBORS, ROUTES, OSPF_NEIGHBORS, BGP_SESSIONS, MAC_TABLE, ARP)
BY_ATTRIBUTE = {spec.attribute: spec for spec in SPECS}  # facts live on the snapshot row itself


@dataclass(frozen=True, slots=True)
class KindQuery:
    """Where the records of one data type live: a spec and the filter on its rows."""

    spec: RecordSpec
    where: ColumnElement[bool]


def kind_queries(kind: DataType) -> tuple[KindQuery, ...]:
    """The record queries that make up ``kind``, from its row in ``netatlas.domain.datatypes``
    (facts live on the snapshot itself: none)."""
    spec = spec_of(kind)
    found = []
    for one in spec.fields:
        table = BY_ATTRIBUTE.get(one.attribute)
        if table is not None:
            found.append(KindQuery(table, table.of_type(spec) if spec.protocol and table.of_type else true()))
    return tuple(found)


def add_records(target: DeviceRecords, spec: RecordSpec, records: Iterable[Any]) -> None:
    getattr(target, spec.attribute).extend(records)
