"""Fixtures of the API integration tests: a fresh database per module on SQLite and PostgreSQL
(as the discovery tests have), and no ``NETATLAS_*`` from outside."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.discovery.helpers import migrated, pg_database

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="module", autouse=True)
def _no_outside_settings() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("NETATLAS_")]:
            patch.delenv(name)
        yield


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="module")
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    if backend == "sqlite":
        yield migrated(f"sqlite:///{tmp_path_factory.mktemp(f'{module}-db') / 'netatlas.db'}")
        return
    with pg_database(module) as url:
        yield migrated(url)


@pytest.fixture(scope="module")
def home(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp(f"home-{backend}")
