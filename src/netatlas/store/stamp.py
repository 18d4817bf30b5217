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

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from netatlas.store.tables import DeviceRow, SnapshotRow, TopologyOverrideRow


def current_stamp(session: Session) -> tuple[object, ...]:
    snapshots = session.execute(select(func.count(SnapshotRow.id), func.max(SnapshotRow.id))).one()
    overrides = session.execute(select(func.count(TopologyOverrideRow.id), func.max(TopologyOverrideRow.id))).one()
    devices = hashlib.blake2b(digest_size=16)
    for row in session.execute(select(DeviceRow.name, DeviceRow.platform, DeviceRow.host, DeviceRow.site,
                                      DeviceRow.role).order_by(DeviceRow.name)):
        devices.update(repr(tuple(row)).encode())
    return tuple(snapshots), tuple(overrides), devices.hexdigest()
