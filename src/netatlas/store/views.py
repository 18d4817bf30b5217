"""What repositories return besides domain records: small frozen views of stored rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from netatlas.domain.inventory import InventoryDevice
from netatlas.domain.records import Coverage, DataType, DeviceRecords, DeviceStatus, ErrorKind, Facts, JobStatus


@dataclass(frozen=True, slots=True)
class StoredCredential:
    """A credential set as stored: ``ciphertext`` is for ``netatlas.secrets`` to decrypt."""

    name: str
    username: str
    ciphertext: bytes = field(repr=False)
    updated_at: datetime | None = None


class Origin(StrEnum):
    """Where a stored device entry came from: the operator's inventory wins over the others."""

    INVENTORY = "inventory"
    CRAWLED = "crawled"  # named by a neighbor's CDP/LLDP advertisement (``advertised_by``)
    SEED = "seed"  # identified by logging in to a seed address


@dataclass(frozen=True, slots=True)
class StoredDevice:
    device: InventoryDevice
    created_at: datetime
    updated_at: datetime
    origin: Origin = Origin.INVENTORY
    advertised_by: str = ""  # crawled: the device whose neighbor table named it


@dataclass(frozen=True, slots=True)
class JobCounts:
    """Devices of a job by outcome; ``cancelled`` also counts devices interrupted with their job."""

    total: int = 0
    completed: int = 0
    failed: int = 0
    cancelled: int = 0

    @property
    def done(self) -> int:
        return self.completed + self.failed + self.cancelled

    @property
    def remaining(self) -> int:
        return self.total - self.done


@dataclass(frozen=True, slots=True)
class JobView:
    id: str
    kind: str
    status: JobStatus
    options: dict[str, Any]
    counts: JobCounts
    requested_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    owner_host: str = ""  # the process that runs (or ran) it: host and pid
    owner_pid: int | None = None
    heartbeat_at: datetime | None = None
    message: str = ""  # why it ended as it did (interrupted, storage failure, signal)


@dataclass(frozen=True, slots=True)
class JobDeviceView:
    job_id: str
    device_name: str
    host: str
    port: int
    platform: str
    credential: str  # the credential set's name
    status: DeviceStatus
    step: str | None
    attempt: int
    error_kind: ErrorKind | None
    error: str
    started_at: datetime | None
    finished_at: datetime | None
    duration_s: float | None
    warning: str = ""  # e.g. legacy SSH algorithms were used


@dataclass(frozen=True, slots=True)
class JobDetail:
    job: JobView
    devices: tuple[JobDeviceView, ...]


@dataclass(frozen=True, slots=True)
class SnapshotView:
    id: int
    job_id: str
    device_name: str
    collected_at: datetime
    ok: bool
    data_types: frozenset[DataType]  # collected without error
    error_kind: ErrorKind | None
    error: str
    duration_s: float
    facts: Facts | None
    coverage: dict[DataType, TypeCoverage] = field(default_factory=dict)  # per collected type (partial, off)
    identity: str = ""  # the normalised host name neighbors know the device by ("" without facts)


@dataclass(frozen=True, slots=True)
class TypeCoverage:
    """How completely a snapshot holds one data type: ``partial`` with the reason, ``feature_off``..."""

    status: Coverage
    note: str = ""


@dataclass(frozen=True, slots=True)
class Latest:
    """A device's current records of one data type, and the snapshot they come from."""

    snapshot: SnapshotView
    records: DeviceRecords
