"""The discovery use case and its executors (local asyncio now, Celery later)."""
