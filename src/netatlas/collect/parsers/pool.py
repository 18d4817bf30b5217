"""Parsing off the event loop: large outputs go to a shared process pool, small ones parse inline.

The pool belongs to the process, not to a job: it is created on first use (:func:`start_pool` or
the first large output; :data:`POOL_WORKERS` workers), shared by every job the process runs at
the same time, and stopped at process exit or by the process owner with :func:`shutdown_pool`
(never by a job: one job ending must not stop another's parses). A child forked from a process
that had a pool (a Celery prefork worker) starts its own. A worker that dies (killed, out of
memory) breaks its pool: the pool is replaced and the output parsed again once. Each worker
compiles the templates it needs once and keeps them.

Break-even, measured on the project's 2-core machine (``/tmp`` script in the issue-3 report):
a pooled call costs the parent process 0.13-0.5 ms of CPU (pickling both ways) whatever the
size, while parsing inline costs 0.15-0.25 ms for small outputs and 2.7-4.5 ms for a 10-33 kB
route or interface table (3-7 MB/s). Below ~2 kB the pool saves nothing; from ~8 kB it frees the
event loop of 2 ms or more per call. The pool adds ~0.3 ms of total CPU per call, so on a small
machine where the workers compete with the loop the threshold stays above the small tables:
:data:`POOL_THRESHOLD` is 8,000 characters.

While the pool is busy (:data:`BUSY_PARSES` parses in it at once), outputs up to
:data:`BUSY_INLINE_MAX` characters parse here instead: measured on the 1,000-device lab's outputs, the
8-128 kB ones (interface and neighbor tables, mostly JSON) take 0.6-0.9 ms each to read, about what a
pooled call costs this process anyway, while each waited behind the worker's queue (route tables of
~0.7 MB at ~22 ms each, and the snapshots it stores): the one worker was the run's bottleneck.

Structured outputs (``| json``, ``| display json``) follow the same rule. Parsing them inline up to
128 KiB (decoding is C code, no TextFSM) looked cheaper per call, but it put every device's reading
and normalising on the one process that also runs the SSH sessions: on the 1,000-device lab that
process became the bottleneck (94.2 s wall, 106 s CPU against 83.3 s and 89 s with the pool's
threshold; ``bench/results/discovery*.json``).

Workers: one per core but one (:data:`POOL_WORKERS`, at least one). The process that runs every
SSH session is the bottleneck of a discovery (its CPU is most of the run's); the pool needs far less
than the other cores (structured outputs are cheap to read), and each spawned worker holds ~40 MB.

A long output arrives packed (zlib level 1: how the collector holds it from the moment it is read to
the moment it is stored) and crosses to the worker packed. :func:`call_in_pool` runs other long work
there from a plain thread (the job store writes each device's snapshot from the worker:
``netatlas.jobs.storeport``).

Records cross the process boundary as ``(class, field values)`` (:func:`_register_compact`): the
default pickling of a frozen, slotted dataclass (``__getstate__``/``__setstate__`` walking
``dataclasses.fields`` for every object) costs both processes ~40 % more for a routing table.
"""

from __future__ import annotations

import asyncio
import atexit
import copyreg
import ctypes
import dataclasses
import multiprocessing
import os
import signal
import threading
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import ParamSpec, TypeVar

from netatlas.collect.parsers.parse import parse_command, parse_output
from netatlas.domain.records import (
    ArpEntry,
    BgpSession,
    DataType,
    DeviceRecords,
    Facts,
    Interface,
    MacEntry,
    Neighbor,
    NextHop,
    OspfNeighbor,
    ParseOutcome,
    Route,
    unpack_text,
)

POOL_THRESHOLD = 8_000  # characters; outputs larger than this parse in the pool
BUSY_INLINE_MAX = 131_072  # characters; while the pool is busy, outputs up to this long parse here (docstring)
BUSY_PARSES = 4  # parses in the pool at once from which it counts as busy
COMPACT = (ArpEntry, BgpSession, Facts, Interface, MacEntry, Neighbor, NextHop, OspfNeighbor, Route)
POOL_WORKERS = max(1, (os.cpu_count() or 1) - 1)  # a core left to the session process (module docstring)
P = ParamSpec("P")
T = TypeVar("T")

_CONTEXT = multiprocessing.get_context("spawn")
_pool: ProcessPoolExecutor | None = None
_pool_pid = 0  # the process that started ``_pool``: a forked child never uses its parent's workers
_pool_lock = threading.Lock()


WATCHDOG_S = 1.0  # how often a worker checks that the process that started it is still there
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _get_pool() -> ProcessPoolExecutor:
    global _pool, _pool_pid  # noqa: PLW0603 - one lazily created pool per process
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():
            # Workers fork from the thread that submits first (this one): the kernel's parent-death
            # signal follows that thread, so it is only asked for when it is the main thread.
            main = threading.current_thread() is threading.main_thread()
            # spawn: workers start as clean processes holding none of this one's sockets or files (a
            # lab's listening sockets, an API server's connections, database handles); a forked child
            # (a Celery prefork worker) spawns its own without any state shared with its parent's
            _pool = ProcessPoolExecutor(max_workers=POOL_WORKERS, mp_context=_CONTEXT, initializer=_worker_started,
                                        initargs=(os.getpid(), main))
            _pool_pid = os.getpid()
        return _pool


def _running() -> bool:
    with _pool_lock:
        return _pool is not None and _pool_pid == os.getpid()


def _forget_after_fork() -> None:
    """In a forked child: the parent's pool (and maybe a held lock) are not this process's."""
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


def _discard(broken: ProcessPoolExecutor) -> None:
    """Drop a broken pool (a worker died) so the next call starts a new one; others may have already."""
    global _pool  # noqa: PLW0603
    with _pool_lock:
        if _pool is broken:
            _pool = None
    broken.shutdown(wait=False, cancel_futures=True)


def _worker_started(parent: int, parent_is_main_thread: bool) -> None:
    """In each worker: Ctrl-C is the parent's to handle, and the worker exits when its parent dies
    (``kill -9`` included) instead of living on orphaned with the database files open."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watched = os.getppid()
    if watched == parent and parent_is_main_thread:
        _die_with_parent()
    if watched != parent and watched == 1:  # orphaned already, before the watch began
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(watched,), name="netatlas-parent-watch", daemon=True).start()


def _die_with_parent() -> None:
    """Linux: SIGTERM to this process when its parent dies; elsewhere the watchdog alone."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCHDOG_S)
    os._exit(1)


def start_pool() -> None:
    """Start the workers now unless they run already (idempotent, cheap when running): call it
    before opening sessions, so they fork from a small process (a fork taken mid-job would carry
    every open session's buffers). The pool then lives until :func:`shutdown_pool` or process exit."""
    if _running():
        return
    pool = _get_pool()
    for future in [pool.submit(os.getpid) for _ in range(POOL_WORKERS)]:
        future.result()


def warm_pool() -> None:
    """Start the workers without waiting for them: their interpreter start and imports (~0.5 s of a
    core) then overlap what the caller does meanwhile (``netatlas discover`` opens its database and
    reads its inventory). :func:`start_pool` waits for them later."""
    if _running():
        return
    pool = _get_pool()
    for _ in range(POOL_WORKERS):
        pool.submit(os.getpid)


def shutdown_pool() -> None:
    """Stop the worker processes: for the process owner (at exit, or in tests), never a job. Parses
    still queued fail (``RuntimeError``), those running finish; a later large parse starts a new pool."""
    global _pool
    with _pool_lock:
        pool, _pool = (_pool, None) if _pool_pid == os.getpid() else (None, None)
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown_pool)
os.register_at_fork(after_in_child=_forget_after_fork)


def _register_compact(cls: type[object]) -> None:
    """Pickle ``cls`` (a frozen record dataclass whose fields are all ``__init__`` arguments, as the
    parent and every worker import this module) as its constructor and field values."""
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    if not all(f.init and not f.kw_only for f in fields):
        return
    names = tuple(f.name for f in fields)

    def reduce(record: object) -> tuple[type[object], tuple[object, ...]]:
        return cls, tuple([getattr(record, name) for name in names])

    copyreg.pickle(cls, reduce)


for _cls in COMPACT:
    _register_compact(_cls)


_parsing = 0  # parses of this process in the pool now (changed on the event loops' threads, under the GIL)


def _busy() -> bool:
    return _parsing >= BUSY_PARSES


async def _in_pool(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args)`` in a worker; a broken pool is replaced and the call made once more."""
    global _parsing  # noqa: PLW0603 - the process's count of parses in flight
    loop = asyncio.get_running_loop()
    call = partial(fn, *args, **kwargs)
    pool = _get_pool()
    _parsing += 1
    try:
        return await _awaited(loop.run_in_executor(pool, call))
    except BrokenProcessPool:
        _discard(pool)
        return await _awaited(loop.run_in_executor(_get_pool(), call))
    finally:
        _parsing -= 1


def call_in_pool(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args)`` in a worker, waited for in the calling thread (not an event loop's: it blocks); a
    broken pool is replaced and the call made once more, so ``fn`` must be idempotent.

    For work that would otherwise hold this process's GIL for long (storing a device's result:
    ``netatlas.jobs.storeport``): the process that runs every SSH session keeps its core for them."""
    pool = _get_pool()
    try:
        return pool.submit(fn, *args, **kwargs).result()
    except BrokenProcessPool:
        _discard(pool)
        return _get_pool().submit(fn, *args, **kwargs).result()


async def _awaited(future: asyncio.Future[T]) -> T:
    """The pool's answer; a call the pool cancelled (shut down under it) is an error, not a cancel of
    the task that waits (that would end a device's task as if the job had been stopped)."""
    try:
        return await future
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise
        raise RuntimeError("the parse pool was shut down before this output was parsed") from None


async def parse_output_async(
    platform: str, command: str, text: str, data_types: frozenset[DataType]
) -> DeviceRecords:
    """:func:`parse_output`, in the process pool when ``text`` is larger than :data:`POOL_THRESHOLD`."""
    if len(text) <= POOL_THRESHOLD:
        return parse_output(platform, command, text, data_types)
    return await _in_pool(parse_output, platform, command, text, data_types)


async def parse_command_async(
    platform: str, command: str, text: str, data_types: frozenset[DataType]
) -> ParseOutcome:
    """:func:`parse_command`, in the process pool when ``text`` is larger than :data:`POOL_THRESHOLD`."""
    if len(text) <= (BUSY_INLINE_MAX if _busy() else POOL_THRESHOLD):
        return parse_command(platform, command, text, data_types)
    return await _in_pool(parse_command, platform, command, text, data_types)


async def parse_packed_async(
    platform: str, command: str, packed: bytes, data_types: frozenset[DataType]
) -> ParseOutcome:
    """:func:`parse_command_async` of a packed text (:func:`~netatlas.domain.records.pack_text`: how the
    collector holds a long output): a large one crosses to the worker packed, a tenth of its size,
    without being unpacked here (at most :data:`POOL_THRESHOLD` + 1 bytes are, to tell which it is)."""
    inline = BUSY_INLINE_MAX if _busy() else POOL_THRESHOLD
    probe = zlib.decompressobj()
    head = probe.decompress(packed, inline + 1)
    if probe.eof and len(head) <= inline:  # as many characters at most: one to read here
        return parse_command(platform, command, head.decode(), data_types)
    return await _in_pool(parse_packed, platform, command, packed, data_types)


def parse_packed(platform: str, command: str, packed: bytes, data_types: frozenset[DataType]) -> ParseOutcome:
    """:func:`parse_command` of a packed text (in a worker)."""
    return parse_command(platform, command, unpack_text(packed), data_types)
