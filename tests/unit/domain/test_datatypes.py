"""The data-type registry: one complete row per data type, every ``DeviceRecords`` field owned."""

from __future__ import annotations

import typing
from dataclasses import fields

import pytest

from netatlas.domain import records as records_module
from netatlas.domain.datatypes import DATA_TYPES, ONLY_WORDS, RECORD_KINDS, select, spec_of
from netatlas.domain.records import (
    ROUTE_TYPES,
    DataType,
    DeviceRecords,
    Facts,
    Neighbor,
    NextHop,
    Route,
)


def _item_type(attribute: str) -> object:
    """The record class a DeviceRecords field holds (``list[X]`` -> X, ``X | None`` -> X)."""
    hint = typing.get_type_hints(DeviceRecords, vars(records_module))[attribute]
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return args[0] if args else hint


def test_every_data_type_has_exactly_one_row() -> None:
    assert [spec.data_type for spec in DATA_TYPES] == list(DataType)


@pytest.mark.parametrize("data_type", list(DataType), ids=str)
def test_every_row_is_complete(data_type: DataType) -> None:
    spec = spec_of(data_type)
    assert spec.flag.startswith("include_") and spec.fields
    assert spec.only or data_type is DataType.FACTS, "every type but facts can be asked for with --only"
    for one in spec.fields:
        assert one.attribute in {f.name for f in fields(DeviceRecords)}, one.attribute
        assert _item_type(one.attribute) is one.record, f"{one.attribute} holds {one.record.__name__}"
        record_fields = {f.name for f in fields(one.record)}
        assert set(one.columns) <= record_fields, set(one.columns) - record_fields
        assert bool(one.kind) == bool(one.columns), "a --kind table has columns"
        if spec.protocol:
            assert "protocol" in record_fields, "a protocol filter needs records with a protocol"


def test_every_records_field_is_owned_by_exactly_one_row() -> None:
    """A field several types share (neighbors, routes) is split between them by ``protocol``."""
    owners: dict[str, list[str]] = {f.name: [] for f in fields(DeviceRecords)}
    for spec in DATA_TYPES:
        for one in spec.fields:
            owners[one.attribute].append(spec.protocol)
    for attribute, protocols in owners.items():
        assert protocols, f"DeviceRecords.{attribute} belongs to no data type"
        if len(protocols) > 1:
            assert all(protocols) and len(set(protocols)) == len(protocols), f"{attribute}: {protocols}"


def test_flags_and_words_are_unique() -> None:
    flags = [spec.flag for spec in DATA_TYPES]
    assert len(set(flags)) == len(flags)
    words = [spec.only for spec in DATA_TYPES if spec.only]
    assert len(set(words)) == len(words)


def test_cli_names_stay_as_documented() -> None:
    """``discover --only`` and ``devices data --kind`` words are a user interface (docs/cli.md)."""
    assert list(ONLY_WORDS) == ["interfaces", "cdp", "lldp", "routes", "static", "ospf", "bgp", "neighbors",
                                "mac", "arp"]
    assert ONLY_WORDS["routes"] == ROUTE_TYPES
    assert list(RECORD_KINDS) == ["interfaces", "cdp", "lldp", "routes", "ospf", "bgp", "mac", "arp"]
    assert RECORD_KINDS["routes"].data_types == tuple(t for t in DataType if t in ROUTE_TYPES)
    assert RECORD_KINDS["bgp"].field.attribute == "bgp_sessions"


def test_the_route_group_is_the_route_types() -> None:
    assert {spec.data_type for spec in DATA_TYPES if spec.group == "routes"} == ROUTE_TYPES


def test_select_keeps_only_the_asked_types_in_order() -> None:
    routes = [Route("default", f"10.0.{i}.0/24", protocol, (NextHop("10.9.9.9"),))
              for i, protocol in enumerate(("bgp", "connected", "static", "ospf", "static"))]
    everything = DeviceRecords(facts=Facts("r1"), routes=routes,
                               neighbors=[Neighbor("lldp", "Gi1", "a", "x"), Neighbor("cdp", "Gi2", "b", "y")])
    picked = select(everything, {DataType.STATIC_ROUTES, DataType.BGP_ROUTES, DataType.CDP})
    assert [r.prefix for r in picked.routes] == ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.4.0/24"]
    assert [n.remote_name for n in picked.neighbors] == ["b"]
    assert picked.facts is None and picked.interfaces == []
    assert select(everything, set(DataType)).routes == routes
    assert select(everything, {DataType.CDP}).routes == [], "attached routes come with route types only"


def test_merge_fills_facts_and_appends_lists() -> None:
    first = DeviceRecords(facts=Facts("", model="DCS-7050SX3"), routes=[Route("default", "10.0.0.0/8", "static")])
    first.merge(DeviceRecords(facts=Facts("leaf1", model="other"), routes=[Route("blue", "10.0.0.0/8", "static")]))
    assert first.facts == Facts("leaf1", model="DCS-7050SX3"), "known fields win, empty ones are filled"
    assert [r.vrf for r in first.routes] == ["default", "blue"]
