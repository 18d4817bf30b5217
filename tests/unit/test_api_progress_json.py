"""The progress document's fast serialization equals the schema's (``ProgressOut``), byte for byte.

``progress_json`` and ``progress_document`` serialize the ``JobProgress`` dataclass directly (the
hot path of every progress poll and event stream); ``ProgressOut`` is the schema the OpenAPI spec
and clients know. Any field added to one and not the other, renamed or reordered, fails here.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, datetime, timedelta

import pytest

from netatlas.api.schemas.discovery import DeviceProgressOut, ProgressOut, progress_document, progress_json
from netatlas.jobs.progress import WAITING_FOR_WORKER, DeviceProgress, JobProgress

T0 = datetime(2026, 1, 1, 12, 30, 5, 123456, tzinfo=UTC)


def device(i: int) -> DeviceProgress:
    final = i % 3 == 0
    return DeviceProgress(
        device_id=f"sw{i}", device_name=f"sw{i}", status=("completed", "running", "failed", "pending")[i % 4],
        progress_percentage=(100, 33, 100, 0)[i % 4], current_task=None if final else f"show ip route vrf \u00e9{i}",
        error="timed out \"quoted\" \u2028" if i % 4 == 2 else None, error_kind="timeout" if i % 4 == 2 else None,
        attempt=i % 3, started_at=T0 + timedelta(seconds=i) if i % 4 else None,
        completed_at=T0 + timedelta(seconds=2 * i) if final else None)


def job(*, status: str = "running", limit: int | None = 50, devices: int = 7, percentage: float = 33.3,
        error: str | None = None) -> JobProgress:
    return JobProgress(job_id="3f0c-job", status=status, total_devices=12, completed_devices=3, failed_devices=1,
                       cancelled_devices=0, progress_percentage=percentage, created_at=T0,
                       started_at=T0 + timedelta(milliseconds=1), completed_at=None, error=error,
                       requested_by="token:ci", final=False, devices=tuple(device(i) for i in range(devices)),
                       offset=5, limit=limit, more=True)


CASES = [job(), job(status=WAITING_FOR_WORKER, devices=0, percentage=0.0), job(limit=None, percentage=100.0),
         job(status="interrupted", error="the server stopped \u00e0 mi-chemin", percentage=0.0)]


@pytest.mark.parametrize("progress", CASES)
def test_fast_json_equals_the_schema(progress: JobProgress) -> None:
    expected = ProgressOut.of(progress)
    assert progress_json(progress) == expected.model_dump_json().encode()
    assert progress_document(progress) == expected.model_dump(mode="json")
    assert json.loads(progress_json(progress)) == progress_document(progress)


def test_the_dataclasses_carry_the_schema_fields_in_its_order() -> None:
    assert [f.name for f in fields(JobProgress) if f.name != "final"] == list(ProgressOut.model_fields)
    assert [f.name for f in fields(DeviceProgress)] == list(DeviceProgressOut.model_fields)
