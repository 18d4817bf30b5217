"""Storage: SQLAlchemy tables, packaged Alembic migrations and repositories.

Rows never leave this package: repositories take and return domain records and the small views
in ``netatlas.store.views``. Typical use::

    db = Database.open("sqlite:///netatlas.db")       # checks the schema (`netatlas db upgrade` migrates)
    with db.session() as session:                     # one unit of work
        job_id = JobRepo(session).create(devices, {"data_types": ["cdp"]})
    with db.session() as session:
        SnapshotRepo(session).save(job_id, "sw1", result)
"""

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
