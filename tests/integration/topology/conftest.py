"""The topology CLI tests reuse the discovery fixtures: a fresh database per module on SQLite and
PostgreSQL (``db_url``), a NETATLAS_HOME per backend (``home``), no NETATLAS_* from outside."""

from __future__ import annotations

from tests.integration.discovery.conftest import _no_outside_settings, backend, db_url, home

__all__ = ["_no_outside_settings", "backend", "db_url", "home"]
