"""No secret in plain text anywhere in the database: every column of every table is searched."""

from __future__ import annotations

import contextlib
import json
import zlib
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import MetaData, select

from netatlas.domain.records import DeviceStatus
from netatlas.store import CredentialRepo, Database, DeviceRepo, JobRepo, SnapshotRepo
from tests.integration.store import factories

pytestmark = pytest.mark.integration
PASSWORD, ENABLE = "Corr3ct-Horse-Battery!", "En4ble-Staple?"


def _texts(value: Any) -> list[str]:
    """Every readable form of a stored value: text, JSON, bytes as-is and zlib-inflated."""
    if isinstance(value, bytes | memoryview):
        data = bytes(value)
        forms = [data.decode("latin-1")]
        with contextlib.suppress(zlib.error):
            forms.append(zlib.decompress(data).decode("utf-8", "replace"))
        return forms
    return [json.dumps(value) if isinstance(value, dict | list) else str(value)]


def _everything(db: Database) -> tuple[int, list[str]]:
    """How many tables were read, and every value in them in every readable form."""
    metadata = MetaData()
    metadata.reflect(db.engine)
    found: list[str] = []
    with db.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                found.extend(text for value in row for text in _texts(value))
    return len(metadata.sorted_tables), found


def test_no_plaintext_secret_in_any_column(db: Database) -> None:
    key = Fernet(Fernet.generate_key())
    ciphertext = key.encrypt(json.dumps({"password": PASSWORD, "enable_secret": ENABLE}).encode())
    result = factories.result("sw1", route_count=50)
    with db.session() as session:
        CredentialRepo(session).upsert("lab", "netops", ciphertext)
        DeviceRepo(session).upsert(factories.device("sw1"))
        job_id = JobRepo(session).create([factories.device("sw1")], {"credentials": "lab", "data_types": ["cdp"]})
    with db.session() as session:
        SnapshotRepo(session).save(job_id, "sw1", result, requested=factories.ALL_TYPES)
        JobRepo(session).update_device(job_id, "sw1", DeviceStatus.COMPLETED)
    tables, values = _everything(db)
    assert tables >= 15 and len(values) > 500  # the search really read the data
    assert any("show ip route" in value for value in values)  # and inflated the raw outputs
    leaks = [value[:80] for value in values if PASSWORD in value or ENABLE in value]
    assert leaks == []
    with db.session() as session:  # the ciphertext is what the secrets module can decrypt
        assert PASSWORD in key.decrypt(CredentialRepo(session).get("lab").ciphertext).decode()
