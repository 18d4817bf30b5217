"""The store maps through the data-type registry: one record table per list attribute, each type's rows found."""

from __future__ import annotations

import pytest

from netatlas.domain.datatypes import DATA_TYPES, RECORD_FIELDS, spec_of
from netatlas.domain.records import DataType
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
