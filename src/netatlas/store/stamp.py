"""A stamp of what the current topology is built from: equal stamps, equal current state.

The current topology (``TopologyRepo.current_input``) is read from the inventory's devices (name,
platform, address, site, role), every device's newest snapshots and the operator overrides.
Snapshots and overrides are only ever added or deleted, never changed in place, so their number
and largest id change with every change to them; the devices' columns are hashed as they are.
The API keeps a built topology while the stamp stays the same (``netatlas.api.routes.topology``):
reading the stamp costs a few milliseconds where reading and building the topology costs seconds.

Read the stamp *before* the topology: a change landing in between makes the next stamp differ, so a
topology is never kept under a stamp older than what it shows... only newer, which costs one
rebuild.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from netatlas.store.tables import DeviceRow, SnapshotRow, TopologyOverrideRow


def current_stamp(session: Session) -> tuple[object, ...]:
    snapshots = session.execute(select(func.count(SnapshotRow.id), func.max(SnapshotRow.id))).one()
    overrides = session.execute(select(func.count(TopologyOverrideRow.id), func.max(TopologyOverrideRow.id))).one()
    return tuple(snapshots), tuple(overrides), _devices(session)


# Each device's fields (all NOT NULL) joined by the unit separator, devices by the record separator.
_FIELDS = (DeviceRow.name, DeviceRow.platform, DeviceRow.host, DeviceRow.site, DeviceRow.role)
_UNIT, _RECORD = "\x1f", "\x1e"


def _devices(session: Session) -> str:
    """A digest of every device's (name, platform, address, site, role), in name order. The database
    joins the rows into one string (PostgreSQL ``string_agg``, SQLite ``group_concat`` over an ordered
    subquery), so 10,000 devices cost one value crossing to Python instead of 10,000 rows: the API
    reads this stamp before every answer from its kept view."""
    joined: ColumnElement[str] = _FIELDS[0].expression
    for field in _FIELDS[1:]:
        joined = joined.op("||")(literal(_UNIT)).op("||")(field)
    if session.get_bind().dialect.name == "postgresql":
        query = select(func.string_agg(joined, aggregate_order_by(literal(_RECORD), DeviceRow.name)))
    else:  # SQLite keeps the subquery's order in practice; another order only costs one rebuild
        ordered = select(joined.label("row")).order_by(DeviceRow.name).subquery()
        query = select(func.group_concat(ordered.c.row, _RECORD))
    text = session.execute(query).scalar() or ""
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
