"""What the job engine needs from the outside, as small protocols (fakes in unit tests).

The engine never touches SQL or SSH directly: ``JobStore`` is implemented over the store's
repositories (``netatlas.jobs.storeport``), ``Collect`` is ``netatlas.collect.collector``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from netatlas.domain.errors import NetatlasError
from netatlas.domain.inventory import Credential, InventoryDevice
from netatlas.domain.records import DataType, DeviceResult, DeviceStatus, ErrorKind, JobStatus


class ResultRejected(NetatlasError):
    """The store refused one device's result (a value the database cannot hold) while the database
    itself works: that device's failure, not the job's (unlike ``StoreError``)."""


@dataclass(frozen=True, slots=True)
class DeviceUpdate:
    status: DeviceStatus
    step: str | None = None
    attempt: int | None = None
    error_kind: ErrorKind | None = None
    error: str | None = None
    warning: str | None = None


class JobStore(Protocol):
    """Synchronous persistence calls; the engine runs them off the event loop."""

    def pending_devices(self, job_id: str) -> list[InventoryDevice]: ...

    def credential(self, name: str) -> Credential: ...

    def update_device(self, job_id: str, device: str, update: DeviceUpdate) -> None: ...

    def update_steps(self, job_id: str, steps: dict[str, str]) -> None:
        """Several running devices' current steps (``{device: step}``, status running) in one
        transaction: the engine's progress batch, written at most every ``STEP_WRITE_S``."""

    def finish_device(self, job_id: str, result: DeviceResult, final: DeviceUpdate) -> None:
        """Store the device's result (its snapshot) and its row's ``final`` update in ONE transaction,
        so neither exists without the other. A device that already has its snapshot in this job is
        left as it is (a repeated delivery). ``StoreError``: the database cannot be used; any other
        exception (``ResultRejected`` included) is about this device's data."""

    def add_devices(self, job_id: str, devices: list[InventoryDevice]) -> None: ...

    def is_cancelling(self, job_id: str) -> bool: ...

    def start_job(self, job_id: str) -> None:
        """The job is running, owned by this process (host, pid), with a first heartbeat."""

    def heartbeat(self, job_id: str) -> bool:
        """Refresh the heartbeat; False when the job already ended (recovered by someone else)."""

    def end_job(self, job_id: str, status: JobStatus, message: str) -> bool:
        """Final status and message; every unfinished device row made final. False if it had ended."""


class Collect(Protocol):
    def __call__(self, device: InventoryDevice, credential: Credential, wanted: frozenset[DataType], *,
                 should_stop: Callable[[], Awaitable[bool]],
                 on_step: Callable[[str], Awaitable[None]]) -> Awaitable[DeviceResult]: ...
