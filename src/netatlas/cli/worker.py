"""``netatlas worker``: a Celery worker for discovery jobs. Being written."""

from __future__ import annotations


def worker() -> None:
    """Run a Celery worker (being written)."""
    raise NotImplementedError
