"""What the discovery integration tests share: labs, databases, running discovery and the CLI, truth checks.

Every test drives the real pipeline (SSH to a served lab, ntc-templates, the database); these
helpers only set it up and read the results back from the database.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import subprocess
import sys
import uuid
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import psycopg
import yaml
from sqlalchemy import MetaData, select

from netatlas.domain.datatypes import route_data_type
from netatlas.domain.inventory import InventoryDevice
from netatlas.domain.names import canonical_interface
from netatlas.domain.records import DataType, DeviceRecords, JobStatus, Unmanaged
from netatlas.inventory import Inventory, load_credentials, load_inventory
from netatlas.jobs.crawl import CrawlOptions
from netatlas.jobs.discovery import DiscoveryRequest, DiscoveryService
from netatlas.jobs.queries import JobQueries
from netatlas.lab.runtime import Lab, prepare_lab
from netatlas.lab.server import ServedDevice
from netatlas.secrets import SecretBox
from netatlas.settings import Settings, load_settings
from netatlas.settings_light import secure_sqlite_file
from netatlas.store import Database, JobDetail, JobRepo, SnapshotRepo
from tests.support.expected import canonical, expected

SEED = 7
ALL_TYPES: frozenset[DataType] = frozenset(DataType) - {DataType.FACTS}
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
CLI = [sys.executable, "-m", "netatlas.cli.main"]
REPO = Path(__file__).resolve().parents[3]
# Short timeouts and a small backoff, so faulty devices cost seconds, not minutes (yet long enough
# for a healthy device's biggest output on a loaded machine).
FAST_FAILURE = {"connect_timeout": 3.0, "command_timeout": 2.0, "device_timeout": 15.0, "retry_backoff": 0.05}


def free_port(network: IPv4Network) -> int:
    """A TCP port nothing uses on the network's first address (the lab binds every address on it)."""
    with socket.socket() as sock:
        sock.bind((str(network.network_address + 1), 0))
        return int(sock.getsockname()[1])


def make_lab(scenario: str, devices: int, network: IPv4Network, *, faults: str = "", port: int | None = None) -> Lab:
    return prepare_lab(scenario, devices, SEED, faults=faults, port=port or free_port(network), mgmt_network=network)


def write_inventory(document: Mapping[str, Any], path: Path) -> Path:
    path.write_text(yaml.safe_dump(dict(document), sort_keys=False))
    return path


@contextmanager
def pg_database(purpose: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for the block (dropped afterwards); yields its URL."""
    name = f"netatlas_{purpose}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_URL.format(name=name)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrated(url: str) -> str:
    """``url`` with its schema upgraded, as ``netatlas db upgrade`` leaves it (the CLI only upgrades the
    embedded default by itself); returns the URL. A SQLite file is made private first, as the CLI makes it."""
    if url.startswith("sqlite:///"):
        secure_sqlite_file(Path(url.removeprefix("sqlite:///")))
    Database.open(url, upgrade=True).close()
    return url


@dataclass(slots=True)
class Discovery:
    """The discovery service over one database, as the CLI builds it (key file under ``home``)."""

    settings: Settings
    db: Database
    service: DiscoveryService

    @classmethod
    def open(cls, db_url: str, home: Path, **overrides: Any) -> Discovery:
        settings = load_settings(home=home, database_url=db_url, **overrides)
        db = Database.open(settings.database_url, upgrade=True)
        return cls(settings, db, DiscoveryService(db, SecretBox.for_database(settings, db), settings))

    def import_file(self, path: Path) -> list[InventoryDevice]:
        inventory = load_inventory(path)
        self.service.import_inventory(inventory)
        return inventory.devices

    def import_credentials(self, path: Path) -> None:
        """Only the credential sets of a file holding nothing but ``credentials:`` (no device)."""
        self.service.import_inventory(Inventory(devices=[], credentials=load_credentials(path)))

    def start(self, devices: Sequence[InventoryDevice], types: frozenset[DataType] = ALL_TYPES,
              concurrency: int = 20, crawl: CrawlOptions | None = None) -> tuple[str, DiscoveryRequest]:
        request = DiscoveryRequest(types, concurrency, crawl)
        return self.service.start(devices, request), request

    def run(self, devices: Sequence[InventoryDevice], types: frozenset[DataType] = ALL_TYPES,
            concurrency: int = 20, crawl: CrawlOptions | None = None) -> str:
        job_id, request = self.start(devices, types, concurrency, crawl)
        asyncio.run(self.service.run(job_id, request))
        return job_id

    def run_job(self, job_id: str) -> JobStatus:
        """Run (or resume) a stored job knowing only its id, as any executor does."""
        return asyncio.run(self.service.run_job(job_id))

    def unmanaged(self, job_id: str) -> tuple[Unmanaged, ...]:
        """The neighbors the job's crawl did not visit, as stored."""
        return JobQueries(self.db).detail(job_id).unmanaged

    def detail(self, job_id: str) -> JobDetail:
        with self.db.session(readonly=True) as session:
            return JobRepo(session).show(job_id)

    def close(self) -> None:
        self.db.close()


def cli_env(home: Path, **settings: Any) -> dict[str, str]:
    """The environment of a CLI subprocess: no NETATLAS_* from outside, ``home`` and ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETATLAS_")}
    env["NETATLAS_HOME"] = str(home)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO / "src"), env.get("PYTHONPATH", "")) if p)
    env["COLUMNS"] = "200"  # rich would wrap long messages at 80 columns
    env.update({f"NETATLAS_{k.upper()}": str(v) for k, v in settings.items()})
    return env


def cli(args: Sequence[str], home: Path, *, timeout: float = 120, **settings: Any) -> subprocess.CompletedProcess[str]:
    """Run ``netatlas ARGS`` as a subprocess (the real entry point) and capture its output."""
    return subprocess.run([*CLI, *args], env=cli_env(home, **settings), capture_output=True, text=True,
                          timeout=timeout, check=False)


def cli_json(args: Sequence[str], home: Path, **settings: Any) -> tuple[int, Any]:
    done = cli([*args, "--json"], home, **settings)
    assert done.stdout.strip(), f"no JSON on stdout (exit {done.returncode}): {done.stderr[-2000:]}"
    return done.returncode, json.loads(done.stdout)


# ---- reading back what was stored --------------------------------------------------------------


def truth_mismatches(db: Database, device: ServedDevice, kinds: frozenset[DataType] = frozenset(DataType),
                     job_id: str | None = None) -> list[str]:
    """Where the device's stored current records differ from the truth, kind by kind (empty: equal)."""
    problems = []
    name = device.state.hostname
    with db.session(readonly=True) as session:
        repo = SnapshotRepo(session)
        for kind in sorted(kinds):
            latest = repo.latest(name, kind)
            if latest is None:
                problems.append(f"{name} {kind}: nothing stored")
                continue
            if job_id is not None and latest.snapshot.job_id != job_id:
                problems.append(f"{name} {kind}: current state is from job {latest.snapshot.job_id}, not {job_id}")
            records = expected(device.state, device.rib, frozenset({kind}))
            # a route type's own rows (the attached routes that came with it are read by ``current``)
            records.routes = [r for r in records.routes if route_data_type(r.protocol) == kind]
            want = canonical(records)
            got = canonical(latest.records)
            problems += [f"{name} {kind} {field}: stored {got[field]!r}\n  truth {want[field]!r}"
                         for field in want if got[field] != want[field]]
    return problems


def record_count(records: DeviceRecords) -> int:
    plain = records.as_dict()
    return sum(len(v) for v in plain.values() if isinstance(v, list)) + (records.facts is not None)


def stored_links(db: Database, lab: Lab) -> set[tuple[str, frozenset[tuple[str, str]]]]:
    """(protocol, {(node, port), (node, port)}) for every current CDP/LLDP neighbor of a lab device."""
    platforms = {d.state.hostname: d.state.platform for d in lab.devices}
    links = set()
    with db.session(readonly=True) as session:
        repo = SnapshotRepo(session)
        for kind in (DataType.CDP, DataType.LLDP):
            for name, latest in repo.latest_for_all(kind).items():
                for n in latest.records.neighbors:
                    remote_port = n.remote_interface
                    if n.remote_name in platforms:
                        remote_port = canonical_interface(remote_port, platforms[n.remote_name])
                    local = n.local_interface.split(".", 1)[0]
                    links.add((n.protocol, frozenset({(name, local), (n.remote_name, remote_port)})))
    return links


def truth_links(lab: Lab) -> set[tuple[str, frozenset[tuple[str, str]]]]:
    """The lab's L2 links, once per protocol that reports them (at least one side)."""
    found = set()
    for link in lab.truth()["links"]:
        if link["layer"] == "l2":
            ends = frozenset({(link["a"]["node"], link["a"]["interface"]), (link["b"]["node"], link["b"]["interface"])})
            found |= {(protocol, ends) for protocol in link["protocols"]}
    return found


def dump_tables(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (as the database has them, reflected), sorted: to prove nothing changed."""
    meta = MetaData()
    meta.reflect(db.engine)
    with db.engine.connect() as connection:
        return {name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
                for name, table in sorted(meta.tables.items())}


def stored_texts(db: Database) -> Iterator[tuple[str, bytes]]:
    """Every value of every column of every table as bytes (blobs also decompressed when they are zlib)."""
    for table, rows in dump_tables(db).items():
        for row in rows:
            for value in row:
                for blob in _as_bytes(value):
                    yield table, blob


def _as_bytes(value: Any) -> Iterator[bytes]:
    if value is None or isinstance(value, bool | int | float):
        yield str(value).encode()
    elif isinstance(value, bytes | memoryview):
        raw = bytes(value)
        yield raw
        try:
            inflated = zlib.decompress(raw)
        except zlib.error:
            inflated = b""
        yield inflated
    elif isinstance(value, str):
        yield value.encode()
    else:  # JSON columns, datetimes
        yield json.dumps(value, default=str).encode()


class Captured(logging.Handler):
    """Keeps every record of a logger (and its children) at DEBUG while installed."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @contextmanager
    def on(self, logger_name: str) -> Iterator[Captured]:
        logger = logging.getLogger(logger_name)
        level = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(self)
        try:
            yield self
        finally:
            logger.removeHandler(self)
            logger.setLevel(level)

    def messages(self) -> list[str]:
        return [record.getMessage() for record in self.records]
