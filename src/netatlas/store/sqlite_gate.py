"""One SQLite writer at a time, queued: threads on a lock, processes on ``flock``.

SQLite lets one connection write at a time; the others wait in its busy handler, which sleeps and
tries again, longer each time (1, 2, 5, 10, 15, 20, 25... up to 100 ms a try). Under steady
contention (a discovery: the parse worker storing snapshots, the job's progress rows, the host-key
store, each on its own connection) a writer that has lost a few tries sleeps 25-100 ms while the
lock is free after one: on the 1,000-device lab the worker that stores every snapshot waited 3.9 s
of a 40 s run, up to 332 ms at a time, and the session process's threads 33 s in all.

The gate makes writers queue instead: before ``BEGIN IMMEDIATE`` a connection enters its file's
gate (a ``threading.Lock``, handed over at once to the next thread of this process, then a
``flock`` on ``<database>-writer`` between processes, tried every 0.1-2 ms), and leaves it when
its transaction ends (commit, rollback, close). The gate only orders writers: SQLite's own lock
stays the truth. A writer that cannot enter within the busy timeout, a thread that already holds
the gate through another connection, and a lock file that cannot be opened (a read-only directory)
go straight to SQLite's lock, as before.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

_POLL_MIN_S, _POLL_MAX_S = 0.0001, 0.002


class Gate:
    """The writers' queue of one database file in this process."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._threads = threading.Lock()
        self._owner: int | None = None  # the thread (ident) inside
        self._fd: int | None = None

    def enter(self, timeout_s: float) -> bool:
        """Wait for the gate; False (not entered) after ``timeout_s``, or at once for a thread inside."""
        me = threading.get_ident()
        if self._owner == me:
            return False
        deadline = time.monotonic() + timeout_s
        if not self._threads.acquire(timeout=timeout_s):
            return False
        if not self._lock_file(deadline):
            self._threads.release()
            return False
        self._owner = me
        return True

    def leave(self) -> None:
        self._owner = None
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()

    def _lock_file(self, deadline: float) -> bool:
        if self._fd is None:
            try:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError:
                return True  # no file to queue on between processes: this process's threads still queue
        pause = _POLL_MIN_S
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(pause)
                pause = min(pause * 2, _POLL_MAX_S)


_gates: dict[Path, Gate] = {}
_gates_lock = threading.Lock()


def gate_for(database: Path) -> Gate:
    """The gate of ``database`` in this process (one per file, whichever engine opens it)."""
    with _gates_lock:
        gate = _gates.get(database)
        if gate is None:
            gate = _gates[database] = Gate(database.with_name(database.name + "-writer"))
        return gate


def _forget_after_fork() -> None:
    """A forked child starts with no gate: one inherited mid-transaction would be held forever (the
    thread inside does not exist there), and its ``flock`` is the parent's."""
    global _gates_lock  # noqa: PLW0603 - a fresh lock: the parent's may have been held at the fork
    _gates.clear()
    _gates_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)


class GatedConnection(sqlite3.Connection):
    """A connection that queues at its database's gate before writing and leaves it when its
    transaction ends (``database`` and ``timeout_s`` set per engine: :func:`gated_factory`)."""

    database: Path
    timeout_s: float
    _entered: tuple[Gate, int] | None = None  # the gate entered, by which process

    def begin_writing(self) -> None:
        """Queue for the gate, before ``BEGIN IMMEDIATE``."""
        if self._entered is None:
            gate = gate_for(self.database)
            if gate.enter(self.timeout_s):
                self._entered = (gate, os.getpid())

    def done_writing(self) -> None:
        entered, self._entered = self._entered, None
        if entered is not None and entered[1] == os.getpid():  # never the parent's, from a forked child
            entered[0].leave()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.done_writing()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.done_writing()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.done_writing()


def gated_factory(database: Path, timeout_s: float) -> type[GatedConnection]:
    """A ``sqlite3.connect(factory=...)`` class whose connections queue at ``database``'s gate."""
    attrs: dict[str, Any] = {"database": database, "timeout_s": timeout_s}
    return type("GatedConnection", (GatedConnection,), attrs)
