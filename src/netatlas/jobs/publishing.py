"""The engine's progress hook: a ``JobStore`` that publishes an event after each write it makes.

The engine writes every transition through its ``JobStore`` (a device's step, its final status,
the job's start and end); wrapping the store makes each committed write also a
:class:`ProgressEvent` on the process's bus, so live streams (SSE) follow the engine itself,
whichever executor runs it, and no client polls the database. An event is published only after
its write returned: a subscriber that reads the rows on an event sees what the event announced.
"""

from __future__ import annotations

from netatlas.domain.inventory import Credential, InventoryDevice
from netatlas.domain.records import DeviceResult, DeviceStatus, JobStatus
from netatlas.jobs.events import EventSink, ProgressEvent
from netatlas.jobs.ports import DeviceUpdate, JobStore


class PublishingJobStore:
    def __init__(self, store: JobStore, sink: EventSink) -> None:
        self._store, self._sink = store, sink
        self._ended: set[str] = set()  # devices whose final event went out: a late step batch says nothing of them

    def pending_devices(self, job_id: str) -> list[InventoryDevice]:
        return self._store.pending_devices(job_id)

    def credential(self, name: str) -> Credential:
        return self._store.credential(name)

    def update_device(self, job_id: str, device: str, update: DeviceUpdate) -> None:
        self._store.update_device(job_id, device, update)
        self._device(job_id, device, update)

    def update_steps(self, job_id: str, steps: dict[str, str]) -> None:
        """The inner store's batch (one transaction), then one event per device."""
        self._store.update_steps(job_id, steps)
        for device, step in steps.items():
            if device in self._ended:  # stored meanwhile on another thread: its row kept its final status
                continue
            self._device(job_id, device, DeviceUpdate(DeviceStatus.RUNNING, step=step))

    def finish_device(self, job_id: str, result: DeviceResult, final: DeviceUpdate) -> None:
        self._store.finish_device(job_id, result, final)
        self._ended.add(result.name)
        self._device(job_id, result.name, final)

    def add_devices(self, job_id: str, devices: list[InventoryDevice]) -> None:
        self._store.add_devices(job_id, devices)
        for device in devices:
            self._sink.publish(ProgressEvent(job_id, "device", "pending", device=device.name))

    def is_cancelling(self, job_id: str) -> bool:
        return self._store.is_cancelling(job_id)

    def start_job(self, job_id: str) -> None:
        self._store.start_job(job_id)
        self._sink.publish(ProgressEvent(job_id, "job", JobStatus.RUNNING.value))

    def heartbeat(self, job_id: str) -> bool:
        return self._store.heartbeat(job_id)

    def end_job(self, job_id: str, status: JobStatus, message: str) -> bool:
        ended = self._store.end_job(job_id, status, message)
        if ended:
            self._sink.publish(ProgressEvent(job_id, "job", status.value, error=message))
        return ended

    def _device(self, job_id: str, device: str, update: DeviceUpdate) -> None:
        self._sink.publish(ProgressEvent(job_id, "device", update.status.value, device=device,
                                         step=update.step or "", error_kind=update.error_kind.value
                                         if update.error_kind else "", error=update.error or ""))
