"""SQLite writers queue at the file's gate (``store.sqlite_gate``): a thread or process waiting to
write enters as soon as the writer before it ends its transaction, however it ends (commit,
rollback, close), and the gate never stands between a writer and SQLite's own lock otherwise."""

from __future__ import annotations

import contextlib
import fcntl
import multiprocessing
import os
import threading
from collections.abc import Iterator
from multiprocessing.synchronize import Event
from pathlib import Path

import pytest
from sqlalchemy import text

from netatlas.store import Database
from netatlas.store.sqlite_gate import Gate, GatedConnection, gate_for

SETTLE_S = 0.2  # how long a waiter is given to (wrongly) get past a held gate


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    db = Database.open(f"sqlite:///{tmp_path / 'gate.db'}", upgrade=True)
    try:
        yield db
    finally:
        db.engine.dispose()


def _writes_in_thread(db: Database, entered: threading.Event) -> threading.Thread:
    def write() -> None:
        with db.connection() as conn:
            entered.set()
            conn.execute(text("INSERT INTO meta (key, value) VALUES ('t', 'waiter')"))

    thread = threading.Thread(target=write)
    thread.start()
    return thread


@pytest.mark.parametrize("ending", ["commit", "rollback"])
def test_a_writer_waits_at_the_gate_until_the_one_inside_ends(sqlite_db: Database, ending: str) -> None:
    entered = threading.Event()
    failing = pytest.raises(RuntimeError) if ending == "rollback" else contextlib.nullcontext()
    with failing, sqlite_db.connection() as conn:
        raw = conn.connection.dbapi_connection
        assert isinstance(raw, GatedConnection) and raw._entered is not None  # inside the gate
        waiter = _writes_in_thread(sqlite_db, entered)
        assert not entered.wait(SETTLE_S)  # queued, not inside
        if ending == "rollback":
            raise RuntimeError("the unit of work fails")
    waiter.join(10)
    assert entered.is_set() and not waiter.is_alive()
    with sqlite_db.connection(readonly=True) as conn:
        assert conn.execute(text("SELECT value FROM meta WHERE key = 't'")).scalar() == "waiter"


def test_readers_never_queue(sqlite_db: Database) -> None:
    with sqlite_db.connection(), sqlite_db.connection(readonly=True) as reader:
        assert reader.execute(text("SELECT 1")).scalar() == 1


def test_a_writer_in_another_process_waits_for_the_lock_file(sqlite_db: Database, tmp_path: Path) -> None:
    """Between processes the gate is a ``flock`` on ``<database>-writer``: held elsewhere, it keeps this
    process's writer out until released."""
    held, release = multiprocessing.get_context("fork").Event(), multiprocessing.get_context("fork").Event()
    child = multiprocessing.get_context("fork").Process(target=_hold_lock_file, args=(tmp_path / "gate.db-writer",
                                                                                      held, release))
    child.start()
    try:
        assert held.wait(10)
        entered = threading.Event()
        waiter = _writes_in_thread(sqlite_db, entered)
        assert not entered.wait(SETTLE_S)
        release.set()
        waiter.join(10)
        assert entered.is_set()
    finally:
        release.set()
        child.join(10)


def _hold_lock_file(path: Path, held: Event, release: Event) -> None:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    held.set()
    release.wait(10)
    os._exit(0)


def test_a_thread_inside_is_not_made_to_wait_for_itself(tmp_path: Path) -> None:
    gate = Gate(tmp_path / "x-writer")
    assert gate.enter(1.0)
    assert not gate.enter(1.0)  # a second connection of the same thread: straight to SQLite's lock
    gate.leave()
    assert gate.enter(1.0)
    gate.leave()


def test_a_gate_that_cannot_be_entered_in_time_lets_the_writer_go_to_sqlite(tmp_path: Path) -> None:
    gate, other = Gate(tmp_path / "x-writer"), Gate(tmp_path / "x-writer")  # two processes' gates, as it were
    assert gate.enter(1.0)
    outcome: list[bool] = []
    thread = threading.Thread(target=lambda: outcome.append(other.enter(0.05)))
    thread.start()
    thread.join(10)
    assert outcome == [False]
    gate.leave()


def test_no_lock_file_still_queues_this_processes_threads(tmp_path: Path) -> None:
    gate = Gate(tmp_path / "missing-dir" / "x-writer")
    assert gate.enter(1.0)
    outcome: list[bool] = []
    thread = threading.Thread(target=lambda: outcome.append(gate.enter(0.05)))
    thread.start()
    thread.join(10)
    assert outcome == [False]
    gate.leave()


def test_a_forked_child_starts_with_its_own_gates(tmp_path: Path) -> None:
    gate = gate_for(tmp_path / "f.db")
    assert gate.enter(1.0)
    try:
        ctx = multiprocessing.get_context("fork")
        queue: multiprocessing.Queue[bool] = ctx.Queue()
        child = ctx.Process(target=_child_gate, args=(tmp_path / "f.db", queue))
        child.start()
        child.join(10)
        assert queue.get(timeout=5) is True  # not the parent's gate (held at the fork)
    finally:
        gate.leave()


def _child_gate(path: Path, queue: multiprocessing.Queue[bool]) -> None:
    queue.put(gate_for(path) is not None and gate_for(path)._owner is None)
