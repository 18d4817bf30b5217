"""The fields of a device's records the builder reads, column by column.

The builder walks about a million and a half records for a 10,000-device network. Making each one a
validated record object only for the builder to read three of its fields was most of the cost of a
build, so the builder reads columns: one sequence per field, value ``i`` of every column of a table
being record ``i``. The store hands them over as it packed them (``netatlas.store.snapshots``:
``PACK_HEAD`` names the same fields); anything else (tests, views read from record rows) gets them
from its records with :meth:`DeviceColumns.of`. A next hop is an ``(address, interface)`` pair.

Examples:
    >>> from netatlas.domain.records import DeviceRecords, MacEntry
    >>> cols = DeviceColumns.of(DeviceRecords(mac_table=[MacEntry("aa:bb:cc:00:00:01", 10, "Gi1/0/1")]))
    >>> list(cols.mac_table.interface), len(cols.interfaces.name)
    (['Gi1/0/1'], 0)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple

from netatlas.domain.records import DeviceRecords


class InterfaceColumns(NamedTuple):
    name: Sequence[str] = ()
    oper_up: Sequence[bool] = ()
    vrf: Sequence[str] = ()
    channel: Sequence[str] = ()
    mac: Sequence[str] = ()
    ipv4: Sequence[Sequence[str]] = ()
    ipv6: Sequence[Sequence[str]] = ()


class NeighborColumns(NamedTuple):
    protocol: Sequence[str] = ()
    local_interface: Sequence[str] = ()
    remote_name: Sequence[str] = ()
    remote_interface: Sequence[str] = ()
    remote_name_raw: Sequence[str] = ()
    mgmt_ip: Sequence[str] = ()
    remote_platform: Sequence[str] = ()
    capabilities: Sequence[str] = ()


class RouteColumns(NamedTuple):
    vrf: Sequence[str] = ()
    prefix: Sequence[str] = ()
    protocol: Sequence[str] = ()
    next_hops: Sequence[Sequence[Sequence[str]]] = ()  # per route: (address, interface) pairs


class OspfColumns(NamedTuple):
    address: Sequence[str] = ()
    vrf: Sequence[str] = ()


class BgpColumns(NamedTuple):
    peer: Sequence[str] = ()
    remote_as: Sequence[int] = ()
    state: Sequence[str] = ()
    vrf: Sequence[str] = ()


class MacColumns(NamedTuple):
    mac: Sequence[str] = ()
    vlan: Sequence[int] = ()
    interface: Sequence[str] = ()


class ArpColumns(NamedTuple):
    ip: Sequence[str] = ()
    mac: Sequence[str] = ()
    vrf: Sequence[str] = ()


_EMPTY: dict[str, Any] = {"interfaces": InterfaceColumns(), "neighbors": NeighborColumns(), "routes": RouteColumns(),
          "ospf_neighbors": OspfColumns(), "bgp_sessions": BgpColumns(), "mac_table": MacColumns(),
          "arp": ArpColumns()}


@dataclass(frozen=True, slots=True)
class DeviceColumns:
    """One device's records as the builder reads them (see the module docstring)."""

    interfaces: InterfaceColumns = field(default_factory=InterfaceColumns)
    neighbors: NeighborColumns = field(default_factory=NeighborColumns)
    routes: RouteColumns = field(default_factory=RouteColumns)
    ospf_neighbors: OspfColumns = field(default_factory=OspfColumns)
    bgp_sessions: BgpColumns = field(default_factory=BgpColumns)
    mac_table: MacColumns = field(default_factory=MacColumns)
    arp: ArpColumns = field(default_factory=ArpColumns)

    @classmethod
    def of(cls, records: DeviceRecords) -> DeviceColumns:
        """The columns of ``records``."""
        found: dict[str, Any] = {}
        for one in fields(cls):
            kind = type(_EMPTY[one.name])
            rows = getattr(records, one.name)
            if not rows:
                continue
            columns = [[getattr(r, name) for r in rows] for name in kind._fields]
            if one.name == "routes":
                columns[-1] = [tuple((hop.address, hop.interface) for hop in hops) for hops in columns[-1]]
            found[one.name] = kind(*columns)
        return cls(**found)

    @classmethod
    def of_columns(cls, tables: Mapping[str, Sequence[Sequence[Any]]]) -> DeviceColumns:
        """The columns of a mapping of ``DeviceRecords`` attribute -> the values of each of its
        fields in :data:`FIELDS` order (a table left out: empty).

        Examples:
            >>> DeviceColumns.of_columns({"arp": [["10.0.0.1"], ["aa:bb:cc:00:00:01"], ["default"]]}).arp.mac
            ['aa:bb:cc:00:00:01']
        """
        made = object.__new__(cls)  # each slot set by its descriptor: one device's columns per call, 10,000 a view
        for attribute, kind, empty, put in _SLOTS:
            columns = tables.get(attribute)
            put(made, empty if columns is None else kind(*columns))
        return made


_KINDS: dict[str, Any] = {name: type(empty) for name, empty in _EMPTY.items()}
_SLOTS = [(one.name, _KINDS[one.name], _EMPTY[one.name], getattr(DeviceColumns, one.name).__set__)
          for one in fields(DeviceColumns)]
FIELDS: dict[str, tuple[str, ...]] = {name: kind._fields for name, kind in _KINDS.items()}  # the store packs them so
