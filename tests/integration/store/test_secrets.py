"""No secret in plain text anywhere in the database (every column of every table searched); meta values and
the per-deployment salt are agreed atomically by processes starting at once, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import json
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import MetaData, select

from netatlas.domain.records import DeviceStatus
from netatlas.secrets import CHECK_META, KDF_META, SecretBox
from netatlas.settings import load_settings
from netatlas.store import CredentialRepo, Database, DeviceRepo, JobRepo, MetaRepo, SnapshotRepo
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
        SnapshotRepo(session).save(job_id, "sw1", result)
        JobRepo(session).update_device(job_id, "sw1", DeviceStatus.COMPLETED)
    tables, values = _everything(db)
    assert tables >= 15 and len(values) > 500  # the search really read the data
    assert any("show ip route" in value for value in values)  # and inflated the raw outputs
    leaks = [value[:80] for value in values if PASSWORD in value or ENABLE in value]
    assert leaks == []
    with db.session() as session:  # the ciphertext is what the secrets module can decrypt
        assert PASSWORD in key.decrypt(CredentialRepo(session).get("lab").ciphertext).decode()


def test_set_if_absent_is_atomic_across_sessions(db: Database) -> None:
    """Eight sessions race to store their own value: every one of them reads back the same, first one."""
    barrier = threading.Barrier(8)

    def race(value: str) -> str:
        barrier.wait()
        with db.session() as session:
            return MetaRepo(session).set_if_absent("race", value)

    with ThreadPoolExecutor(8) as pool:
        stored = list(pool.map(race, [f"value-{i}" for i in range(8)]))
    assert len(set(stored)) == 1 and stored[0].startswith("value-")
    with db.session() as session:
        repo = MetaRepo(session)
        assert repo.get("race") == stored[0]
        repo.set("race", "replaced")
        assert (repo.get("race"), repo.get("absent")) == ("replaced", None)


def test_processes_starting_at_once_agree_on_the_salt_and_the_key(db: Database, tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path, database_url=str(db.url.render_as_string(hide_password=False)),
                             secret_key="four workers start at the same time")
    barrier = threading.Barrier(4)

    def start(_: int) -> SecretBox:
        barrier.wait()
        return SecretBox.for_database(settings, db)

    with ThreadPoolExecutor(4) as pool:
        boxes = list(pool.map(start, range(4)))
    token = boxes[0].encrypt(PASSWORD)
    assert {box.decrypt(token) for box in boxes} == {PASSWORD}
    with db.session() as session:
        stored = {key: MetaRepo(session).get(key) for key in (KDF_META, CHECK_META)}
    assert all(stored.values())
    _, values = _everything(db)
    assert [v for v in values if "four workers" in v] == []  # the passphrase is never stored
