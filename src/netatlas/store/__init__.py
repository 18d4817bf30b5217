"""Storage: SQLAlchemy tables, packaged Alembic migrations and repositories.

Rows never leave this package: repositories take and return domain records and the small views
in ``netatlas.store.views``. Typical use::

    db = Database.open("sqlite:///netatlas.db")       # checks the schema (`netatlas db upgrade` migrates)
    with db.session() as session:                     # one unit of work
        job_id = JobRepo(session).create(devices, {"data_types": ["cdp"]})
    with db.session() as session:
        SnapshotRepo(session).save(job_id, "sw1", result)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netatlas.store.accounts import (
        ThrottleRepo,
        TokenMatch,
        TokenRepo,
        TokenView,
        UserLogin,
        UserRepo,
        UserSession,
        UserView,
    )
    from netatlas.store.database import Database
    from netatlas.store.hostkeys import HostKeyEntry, HostKeyRepo, StoredHostKey, TrustSource
    from netatlas.store.inventory import Claim, ClaimOutcome, CredentialRepo, DeviceRepo, InventoryConflict
    from netatlas.store.jobs import JobRepo, check_no_secrets
    from netatlas.store.meta import MetaRepo
    from netatlas.store.snapshots import SnapshotRepo, collected_types
    from netatlas.store.topology import DeviceState, Run, StoredInput, StoredOverride, TopologyRepo
    from netatlas.store.views import (
        JobCounts,
        JobDetail,
        JobDeviceView,
        JobView,
        Latest,
        Origin,
        SnapshotView,
        StoredCredential,
        StoredDevice,
    )

# Names load their module on first use (PEP 562): `from netatlas.store import JobRepo` imports the jobs
# repository and the tables, not the topology or accounts repositories (`netatlas jobs list` stays light).
_HOMES: dict[str, str] = {
    "ThrottleRepo": "accounts", "TokenMatch": "accounts", "TokenRepo": "accounts", "TokenView": "accounts",
    "UserLogin": "accounts", "UserRepo": "accounts", "UserSession": "accounts", "UserView": "accounts",
    "Database": "database",
    "HostKeyEntry": "hostkeys", "HostKeyRepo": "hostkeys", "StoredHostKey": "hostkeys", "TrustSource": "hostkeys",
    "Claim": "inventory", "ClaimOutcome": "inventory", "CredentialRepo": "inventory", "DeviceRepo": "inventory",
    "InventoryConflict": "inventory",
    "JobRepo": "jobs", "check_no_secrets": "jobs",
    "MetaRepo": "meta",
    "SnapshotRepo": "snapshots", "collected_types": "snapshots",
    "DeviceState": "topology", "Run": "topology", "StoredInput": "topology", "StoredOverride": "topology",
    "TopologyRepo": "topology",
    "JobCounts": "views", "JobDetail": "views", "JobDeviceView": "views", "JobView": "views", "Latest": "views",
    "Origin": "views", "SnapshotView": "views", "StoredCredential": "views", "StoredDevice": "views",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "Claim",
    "ClaimOutcome",
    "CredentialRepo",
    "Database",
    "DeviceRepo",
    "DeviceState",
    "HostKeyEntry",
    "HostKeyRepo",
    "InventoryConflict",
    "JobCounts",
    "JobDetail",
    "JobDeviceView",
    "JobRepo",
    "JobView",
    "Latest",
    "MetaRepo",
    "Origin",
    "Run",
    "SnapshotRepo",
    "SnapshotView",
    "StoredCredential",
    "StoredDevice",
    "StoredHostKey",
    "StoredInput",
    "StoredOverride",
    "ThrottleRepo",
    "TokenMatch",
    "TokenRepo",
    "TokenView",
    "TopologyRepo",
    "TrustSource",
    "UserLogin",
    "UserRepo",
    "UserSession",
    "UserView",
    "check_no_secrets",
    "collected_types",
]
