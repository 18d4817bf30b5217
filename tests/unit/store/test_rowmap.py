"""The store maps through the data-type registry: one record table per list attribute, each type's rows found."""

from __future__ import annotations

import pytest

from netatlas.domain.datatypes import DATA_TYPES, RECORD_FIELDS, spec_of
from netatlas.domain.records import DataType, Interface, NextHop, Route
from netatlas.store import rowmap


def test_every_list_attribute_has_exactly_one_table() -> None:
    attributes = [spec.attribute for spec in rowmap.SPECS]
    assert sorted(attributes) == sorted(a for a in RECORD_FIELDS if a != "facts"), "facts live on the snapshot row"
    assert len(set(attributes)) == len(attributes)
    assert len({spec.table for spec in rowmap.SPECS}) == len(rowmap.SPECS)


def test_a_shared_table_can_tell_its_data_types_apart() -> None:
    shared = {one.attribute for spec in DATA_TYPES if spec.protocol for one in spec.fields}
    assert shared == {"neighbors", "routes"}
    assert all(rowmap.BY_ATTRIBUTE[attribute].of_type is not None for attribute in shared)


@pytest.mark.parametrize("kind", [k for k in DataType if k is not DataType.FACTS], ids=str)
def test_kind_queries_read_the_tables_of_the_row(kind: DataType) -> None:
    queries = rowmap.kind_queries(kind)
    assert [q.spec.attribute for q in queries] == [one.attribute for one in spec_of(kind).fields]
    filters = [str(q.where.compile(compile_kwargs={"literal_binds": True})) for q in queries]
    if spec_of(kind).protocol:
        assert any(spec_of(kind).protocol in f for f in filters), filters
    else:
        assert filters == ["true"] * len(queries), filters


def test_route_rows_carry_their_data_type() -> None:
    assert rowmap.route_data_type("BGP") == "bgp_routes"
    assert rowmap.route_data_type("local") == ""
    assert rowmap.kind_queries(DataType.FACTS) == ()


def test_rows_clean_every_string_once_per_value_and_keep_each_rows_own_values() -> None:
    """Repeated strings and shared next hops are cleaned once, yet every row reads as if built alone:
    hostile text escaped wherever it appears, tuples as lists, each route's data type."""
    evil, hop = "Gi1\x1b[2J", NextHop("10.0.0.1", "Eth\u202e1")
    routes = [Route("red\x07", f"10.{i}.0.0/16", "ospf" if i % 2 else "static", (hop, NextHop("", evil)), 110, i)
              for i in range(3)]
    interfaces = [Interface(evil, True, True, ipv4=("10.0.0.1/24",)), Interface("Gi2", True, False, description=evil)]
    route_rows = rowmap.ROUTES.rows(7, routes)
    assert route_rows[1] == {"snapshot_id": 7, "vrf": "red\\x07", "prefix": "10.1.0.0/16", "protocol": "ospf",
                             "next_hops": [["10.0.0.1", "Eth\\u202e1"], ["", "Gi1\\x1b[2J"]], "distance": 110,
                             "metric": 1, "route_type": "", "as_path": "", "data_type": "ospf_routes"}
    assert [r["data_type"] for r in route_rows] == ["static_routes", "ospf_routes", "static_routes"]
    assert [r["prefix"] for r in route_rows] == ["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"]
    rows = rowmap.INTERFACES.rows(7, interfaces)
    assert (rows[0]["name"], rows[0]["ipv4"], rows[1]["description"]) == ("Gi1\\x1b[2J", ["10.0.0.1/24"],
                                                                          "Gi1\\x1b[2J")
    assert [rowmap.ROUTES.record_of(r) for r in route_rows] == [
        Route("red\\x07", r.prefix, r.protocol, (NextHop("10.0.0.1", "Eth\\u202e1"), NextHop("", "Gi1\\x1b[2J")),
              110, r.metric) for r in routes]
