"""Parsing off the event loop: large outputs go to a shared process pool, small ones parse inline.

The pool is created on first use (:data:`POOL_WORKERS` workers) and shut down with
:func:`shutdown_pool`. Each worker compiles the templates it needs once and keeps them.

Break-even, measured on the project's 2-core machine (``/tmp`` script in the issue-3 report):
a pooled call costs the parent process 0.13-0.5 ms of CPU (pickling both ways) whatever the
size, while parsing inline costs 0.15-0.25 ms for small outputs and 2.7-4.5 ms for a 10-33 kB
route or interface table (3-7 MB/s). Below ~2 kB the pool saves nothing; from ~8 kB it frees the
event loop of 2 ms or more per call. The pool adds ~0.3 ms of total CPU per call, so on a small
machine where the workers compete with the loop the threshold stays above the small tables:
:data:`POOL_THRESHOLD` is 8,000 characters.
"""

from __future__ import annotations

import asyncio
import os
import threading
from concurrent.futures import ProcessPoolExecutor

from netatlas.collect.parsers.parse import parse_command, parse_output
from netatlas.domain.records import DataType, DeviceRecords, ParseOutcome

POOL_THRESHOLD = 8_000  # characters; outputs larger than this parse in the pool
POOL_WORKERS = os.cpu_count() or 1

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _get_pool() -> ProcessPoolExecutor:
    global _pool  # noqa: PLW0603 - one lazily created pool per process
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=POOL_WORKERS)
        return _pool


def start_pool() -> None:
    """Start the workers now: call it before opening sessions, so they fork from a small process
    (a fork taken mid-job would carry every open session's buffers)."""
    pool = _get_pool()
    for future in [pool.submit(os.getpid) for _ in range(POOL_WORKERS)]:
        future.result()


def shutdown_pool() -> None:
    """Stop the worker processes (a later large parse starts a new pool)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


async def parse_output_async(
    platform: str, command: str, text: str, data_types: frozenset[DataType]
) -> DeviceRecords:
    """:func:`parse_output`, in the process pool when ``text`` is larger than :data:`POOL_THRESHOLD`."""
    if len(text) <= POOL_THRESHOLD:
        return parse_output(platform, command, text, data_types)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_get_pool(), parse_output, platform, command, text, data_types)


async def parse_command_async(
    platform: str, command: str, text: str, data_types: frozenset[DataType]
) -> ParseOutcome:
    """:func:`parse_command`, in the process pool when ``text`` is larger than :data:`POOL_THRESHOLD`."""
    if len(text) <= POOL_THRESHOLD:
        return parse_command(platform, command, text, data_types)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_get_pool(), parse_command, platform, command, text, data_types)
