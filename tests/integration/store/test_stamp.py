"""The current topology's stamp (``netatlas.store.stamp``) on both backends: equal while nothing the
topology is built from changed, different after any device field it reads, a device added or
removed."""

from __future__ import annotations

import dataclasses

from netatlas.store import Database
from netatlas.store.inventory import DeviceRepo
from netatlas.store.stamp import current_stamp
from tests.integration.store.factories import device


def _stamp(db: Database) -> tuple[object, ...]:
    with db.session(readonly=True) as session:
        return current_stamp(session)


def test_stamp_follows_every_device_field_the_topology_reads(db: Database) -> None:
    with db.session() as session:
        DeviceRepo(session).upsert_many([device("sw1", 1), device("sw2", 2), device("sw10", 10)])
    first = _stamp(db)
    assert _stamp(db) == first  # nothing changed: the same stamp, read twice
    seen = {first}
    base = device("sw2", 2)
    changes = (dataclasses.replace(base, site="dc2"), dataclasses.replace(base, site="dc2", role="core"),
               dataclasses.replace(base, site="dc2", role="core", host="127.30.0.99"),
               dataclasses.replace(base, site="dc2", role="core", host="127.30.0.99", platform="cisco_nxos"))
    for change in changes:
        with db.session() as session:
            DeviceRepo(session).upsert(change)
        now = _stamp(db)
        assert now not in seen, change
        seen.add(now)
    with db.session() as session:
        DeviceRepo(session).delete("sw10")
    removed = _stamp(db)
    assert removed not in seen
    with db.session() as session:
        DeviceRepo(session).upsert(device("sw10", 10))
    assert _stamp(db) not in {removed}


def test_stamp_tells_which_field_holds_a_value(db: Database) -> None:
    with db.session() as session:
        DeviceRepo(session).upsert(dataclasses.replace(device("sw1", 1), site="a", role="b"))
    before = _stamp(db)
    with db.session() as session:
        DeviceRepo(session).upsert(dataclasses.replace(device("sw1", 1), site="b", role="a"))
    assert _stamp(db) != before


def test_stamp_of_an_empty_inventory(db: Database) -> None:
    assert _stamp(db) == _stamp(db)
