"""The kept current view (``CurrentView``) behind ``TopologyService``: the same answers as a fresh
read and build, a rebuild after every change of the store (a new snapshot, an override, an
inventory edit), one build shared by concurrent queries, and a warm-up that waits for running jobs.

The store is a SQLite file holding a small synthetic network (``bench/synthetic_topology.py``:
backbone, cores, a campus and a data-centre pod), written as discovery writes it.
"""

from __future__ import annotations

import importlib
import random
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from netatlas.domain.records import DataType, DeviceRecords, DeviceResult, DeviceStatus, ErrorKind, JobStatus
from netatlas.jobs.current_topology import CurrentView, KeptView
from netatlas.jobs.topology import TopologyRequestError, TopologyService
from netatlas.store import Database, DeviceRepo, JobRepo, SnapshotRepo
from netatlas.topology.build import build
from netatlas.topology.paths import trace

BENCH_DIR = Path(__file__).resolve().parents[3] / "bench"
DEVICES = 60


def _generator() -> Any:
    sys.path.insert(0, str(BENCH_DIR))
    try:
        return importlib.import_module("synthetic_topology")
    finally:
        sys.path.remove(str(BENCH_DIR))


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    generator = _generator()
    database = Database.open(f"sqlite:///{tmp_path_factory.mktemp('kept') / 'netatlas.db'}", upgrade=True)
    with database.session() as session:
        job = JobRepo(session).create([], {"data_types": sorted(DataType)}, requested_by="tests")
        JobRepo(session).set_status(job, JobStatus.RUNNING)
        pairs = list(generator.records(generator.plan(DEVICES, 3), 1))
        DeviceRepo(session).upsert_many([device for device, _ in pairs])
        JobRepo(session).add_devices(job, [device for device, _ in pairs])
        for device, records in pairs:
            JobRepo(session).update_device(job, device.name, DeviceStatus.COMPLETED)
            SnapshotRepo(session).save(job, device.name, DeviceResult(device.name, True, records,
                                                                      asked=frozenset(DataType)),
                                       collected_at=datetime(2026, 1, 1, tzinfo=UTC))
        JobRepo(session).finish(job, JobStatus.COMPLETED)
    yield database
    database.close()


def hosts(service: TopologyService) -> list[str]:
    return sorted(e.ip for e in service.topology().endpoints if e.ip)


def pairs(service: TopologyService) -> list[tuple[str, str]]:
    found = hosts(service)
    return [(one, two) for one, two in (random.Random(i).sample(found, 2) for i in range(8))]


def test_the_kept_view_answers_as_a_fresh_read_and_build(db: Database) -> None:
    current = CurrentView(db)
    kept, fresh = TopologyService(db, current), TopologyService(db)
    inp = fresh.topology_input()
    topology = build(inp)
    asked = pairs(kept)
    assert len(asked) >= 5
    for source, destination in asked:
        found = kept.path(source, destination)
        assert found == trace(inp, topology, source, destination) == fresh.path(source, destination)
        assert found.complete
    assert max(len(fresh.path(*pair).hops) for pair in asked) >= 4  # across the network
    assert kept.summary() == fresh.summary()
    assert kept.analysis() == fresh.analysis()
    assert kept.where(asked[0][0]) == fresh.where(asked[0][0])
    assert kept.show(layer="l2", node="bb1") == fresh.show(layer="l2", node="bb1")
    assert kept.export("json") == fresh.export("json")
    assert current.builds == 1  # every query above shared one view
    view = current.get()
    assert view.analysis() is view.analysis()  # made once per view


def test_a_job_view_is_built_for_the_call(db: Database) -> None:
    current = CurrentView(db)
    service = TopologyService(db, current)
    job = service.runs()[0].job_id
    source, destination = pairs(service)[0]
    assert service.path(source, destination, job=job) == TopologyService(db).path(source, destination)
    assert service.topology(job).label == job
    assert current.builds == 1


def test_every_change_of_the_store_rebuilds_the_next_query(db: Database) -> None:
    current = CurrentView(db)
    service = TopologyService(db, current)
    source, destination = pairs(service)[0]
    before = service.path(source, destination)
    first = current.get()
    assert current.builds == 1 and current.get() is first

    link = next(x for x in first.topology.links if x.layer == "l2")
    added = service.add_override("confirm", f"{link.a.node}:{link.a.interface}", f"{link.b.node}:{link.b.interface}")
    assert current.get() is not first and current.builds == 2
    shown = next(x for x in service.topology().links if x.key == link.key)
    assert (shown.state.value, shown.override_id) == ("confirmed", added.id)
    service.remove_override(added.id)
    assert next(x for x in service.topology().links if x.key == link.key).override_id is None
    assert current.builds == 3

    gateway = before.hops[0].device
    with db.session() as session:  # a failed attempt: shown on its node, its last good records kept
        job = JobRepo(session).create([], {"data_types": ["routes"]}, requested_by="tests")
        SnapshotRepo(session).save(job, gateway, DeviceResult(gateway, False, error_kind=ErrorKind.AUTH_FAILED,
                                                              error="refused"))
    assert service.topology().nodes[gateway].error_kind == "auth_failed" and current.builds == 4
    with db.session() as session:  # a good collection that found nothing: the path no longer starts there
        job = JobRepo(session).create([], {"data_types": sorted(DataType)}, requested_by="tests")
        SnapshotRepo(session).save(job, gateway, DeviceResult(gateway, True, DeviceRecords(),
                                                              asked=frozenset(DataType)))
    for asking in (service, TopologyService(db)):  # the source's only gateway: no longer a path from there
        with pytest.raises(TopologyRequestError, match="no device has"):
            asking.path(source, destination)
    assert current.builds == 5

    with db.session() as session:  # an inventory edit (site) changes the stamp too
        repo = DeviceRepo(session)
        repo.upsert(replace(repo.named([gateway])[0], site="elsewhere"))
    assert service.topology().nodes[gateway].site == "elsewhere" and current.builds == 6


def test_two_threads_share_one_build(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    current = CurrentView(db)
    started = threading.Event()
    build_view = current._build

    def slow_build(stamp: tuple[object, ...]) -> KeptView:
        started.set()
        threading.Event().wait(0.3)  # the other thread asks meanwhile
        return build_view(stamp)

    monkeypatch.setattr(current, "_build", slow_build)
    got: list[KeptView] = []

    def ask() -> None:
        got.append(current.get())

    first = threading.Thread(target=ask)
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=ask)
    second.start()
    first.join(30)
    second.join(30)
    assert len(got) == 2 and got[0] is got[1]
    assert current.builds == 1


def test_warm_builds_ahead_and_waits_for_a_running_job(db: Database) -> None:
    current = CurrentView(db)
    assert not current.built
    assert current.warm() is True and current.built and current.builds == 1
    assert current.warm() is False
    with db.session() as session:
        job = JobRepo(session).create([], {"data_types": ["mac_table"]}, requested_by="tests")
        JobRepo(session).set_status(job, JobStatus.RUNNING)
        SnapshotRepo(session).save(job, "bb1", DeviceResult("bb1", False, error_kind=ErrorKind.TIMEOUT,
                                                            error="timed out"))
    assert current.warm() is False and current.builds == 1  # changed, but a job runs
    with db.session() as session:
        JobRepo(session).finish(job, JobStatus.COMPLETED)
    assert current.warm() is True and current.builds == 2
    assert current.get().topology.nodes["bb1"].error_kind == "timeout"
