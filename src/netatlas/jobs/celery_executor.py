"""The Celery executor (being written: see the service-form issue)."""

from __future__ import annotations

from typing import Any

from netatlas.jobs.events import ProgressEvent
from netatlas.settings import Settings
from netatlas.store import Database


class RedisBus:
    def __init__(self, url: str) -> None:
        self.url = url

    def publish(self, event: ProgressEvent) -> None:
        return None

    def subscribe(self, job_id: str) -> Any:
        raise NotImplementedError


class CeleryExecutor:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings, self.db = settings, db

    def submit(self, job_id: str) -> None:
        raise NotImplementedError

    def cancel(self, job_id: str) -> bool:
        raise NotImplementedError

    def health(self) -> dict[str, Any]:
        return {"executor": "celery", "ok": False}
