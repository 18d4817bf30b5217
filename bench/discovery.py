"""The discovery benchmark: netatlas's full pipeline against a bare floor and the Netmiko way.

Run::

    .venv/bin/python bench/discovery.py [--devices 1000] [--concurrency 100,200,400] [--sizes 100,500,1000,2000]
                                        [--netmiko-sample 200] [--out bench/results/discovery.json]

Every approach runs in its own subprocess against a ``netatlas lab serve --scenario mixed --warm``
subprocess (routing tables computed before listening), for every data type. This process only
measures: wall time, CPU seconds of the approach's process tree (``wait4``, which counts the
parse-pool children, or the sum of every process's sampled CPU when larger: forkserver workers are
not waited for by the measured process), the lab's CPU over the same interval, the tree's peak RSS
and PSS (sampled every 100 ms / 500 ms) and what the rest of the machine did meanwhile (other users
of the shared cores: a run where they took more than a quarter of a core is flagged).

* comparison, on a ``--devices`` lab:
  - netatlas: ``netatlas discover --inventory FILE --json --concurrency N`` on a fresh SQLite
    database (temporary ``NETATLAS_HOME``), once per ``--concurrency`` value; the fastest is kept;
  - (a) floors: ``--worker floor --floor-mode MODE``: asyncssh, one session per device, paging
    off, the commands of ``PLATFORMS[p].plan(all types)`` (JunOS LLDP per-interface follow-ups
    too), TextFSM templates looked up and compiled once per process, ``Reset()`` per parse,
    nothing stored; same concurrency. ``--floors`` chooses the modes measured (default
    ``pool,shards``), each parsing on every core:

    - ``pool``: netatlas's shape: the SSH sessions in one asyncio process, every output parsed in
      a pool of ``os.cpu_count()`` forked processes (the text pickled there, a row count and the
      neighbor tables' local interfaces back);
    - ``shards``: ``os.cpu_count()`` forked processes, each with its share of the devices (and of
      the concurrency), its own event loop, SSH sessions and inline parsing: no pickling at all;
    - ``one``: the earlier floor, SSH and parsing in one process (one core), for comparison. It
      also checks that ``pool`` pays little for its pickling: on the same 1,000-device lab in one
      run (load 4-8) ``one`` took 73.4 CPU s and ``pool`` 75.6 (+3 %: each worker compiles its
      templates, the text crosses a pipe); the text floor's CPU is TextFSM's on today's outputs
      (EOS ``show ip route vrf all`` and NX-OS ``show interface`` are most of it), not pickling.

    Those modes send each command's text form (the text floor: TextFSM for everything). A mode
    ending ``-plan`` (``pool-plan``, ``shards-plan``, ``one-plan``) sends the plan's own forms
    instead: ``| json`` / ``| display json`` where the platform row asks for structured output
    (decoded, and its rows read by the platform's reader in ``parsers.structured``: the cheapest
    way each platform can answer), text with TextFSM elsewhere, a refused structured form followed
    by its text form as netatlas does. The text floor's ratios are the issue's targets; the plan
    floor's are reported beside them (``netatlas_over_plan_floor_*``). The Netmiko way sends text.

    The wall ratio is taken against the floor mode with the lowest wall time, the CPU ratio
    against the one with the lowest CPU (both named in the JSON): the strictest comparison. CPU
    is the whole process tree's (``wait4`` counts the waited-for pool workers; each floor worker
    also reports ``getrusage`` of itself and its children, ``self_cpu_s``);
  - (b) in-house: ``--worker netmiko``: ``ConnectHandler`` + ``send_command(cmd, use_textfsm=True)``
    per device in a 100-thread pool, on a platform-stratified random sample of
    ``--netmiko-sample`` devices, its wall time extrapolated linearly to every device; netatlas
    runs on the same sample too, for a direct comparison;
* linearity, on one ``max(--sizes)`` lab: netatlas on nested random subsets of each size (the same
  per-device workload at every size: a bigger lab has bigger routing tables per device).

``--profile FILE``: one more netatlas run on the comparison lab (not timed) under cProfile, in its
main process and in each parse-pool worker (wall seconds), and in the engine's database thread (CPU
seconds: what it took of the process's GIL); the top entries of each (by own time and by cumulative
time) go to FILE as JSON.

``--no-netmiko`` and ``--no-linearity`` skip (b) and the linearity phase (a quicker run of the
comparison alone). The issue-11 run (about 6 minutes on a quiet 2-core machine, lab start included)::

    flock /tmp/netatlas-bench.lock .venv/bin/python bench/discovery.py --devices 1000 --concurrency 100 \
        --floors pool,shards,pool-plan --netmiko-sample 200 --no-linearity \
        --profile bench/results/discovery_profile.json --out bench/results/discovery.json
 Results go to ``--out`` as JSON; a markdown table is printed for the README.
Exit status 1 when a device failed in any run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import functools
import io
import json
import math
import multiprocessing
import os
import platform
import pstats
import random
import re
import resource
import select
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any, cast

import asyncssh
import psutil  # type: ignore[import-untyped]
import textfsm
import yaml
from ntc_templates.parse import _get_template_dir as ntc_template_dir
from textfsm import clitable

from netatlas.collect.parsers import structured
from netatlas.collect.parsers.templates import OWN_DIR, OWN_TEMPLATES
from netatlas.collect.platforms import PLATFORMS, PlatformSpec
from netatlas.domain.errors import ParseError
from netatlas.domain.records import DataType
from netatlas.jobs.order import spread

SCENARIO = "mixed"
ALL_TYPES = frozenset(DataType)
NOISY_CORES = 0.25  # other processes used more than this many cores meanwhile: the run is flagged
SAMPLE_S, PSS_EVERY = 0.1, 5  # RSS every 100 ms, PSS (shared pages counted once) every 5th sample
START_TIMEOUT_S, DEVICE_TIMEOUT_S = 300.0, 300.0
MB = 1024 * 1024
SAME_SPEED = 0.05  # concurrency values this close to the fastest count as equally fast
# issue 11: wall and CPU within 1.1x of the fair floor, >= 4x Netmiko measured on the same devices, < 250 MB
TARGETS = {"netatlas_over_floor": 1.1, "inhouse_over_netatlas": 4.0, "peak_rss_mb": 250.0, "linear_spread": 0.15}
FLOOR_MODES = ("pool", "shards", "one", "pool-plan", "shards-plan", "one-plan")
PLAN = "-plan"  # a floor mode sending the plan's own forms (structured where the platform row asks for it)
_FORM = {"plan": False}  # this floor process's form; forked pool workers and shards inherit it
PROMPT_END = (b"#", b"# ", b">", b"> ")
REJECTED = (b"% Invalid", b"% Incomplete", b"% Ambiguous", b"syntax error", b"unknown command")
SSH_OPTIONS: dict[str, Any] = {
    "known_hosts": None, "client_keys": None, "agent_path": None, "config": None, "preferred_auth": "password",
    "encryption_algs": ["aes128-gcm@openssh.com", "aes128-ctr"], "kex_algs": ["curve25519-sha256"],
    "compression_algs": None,
}  # fmt: skip


class BenchError(Exception):
    """The benchmark could not run (the lab did not start, a worker crashed)."""


# ----- what the workers share: templates and per-device outcomes ---------------------------------
@dataclass(slots=True)
class Outcome:
    name: str
    platform: str
    commands: int = 0
    rows: int = 0
    error: str | None = None
    refused_last: bool = False  # the last command was refused (in-house client: decides the feature probe)


def template_path(platform_name: str, command: str, table: Any) -> Path | None:
    """netatlas's own templates first (the same rows netatlas uses), then the ntc-templates index."""
    for own_platform, pattern, name in OWN_TEMPLATES:
        if own_platform == platform_name and pattern.fullmatch(command):
            return OWN_DIR / name
    if table is None:
        return None
    row = table.index.GetRowMatch({"Platform": platform_name, "Command": command})
    return Path(ntc_template_dir()) / table.index.index[row]["Template"].split(":")[0] if row > 0 else None


class TemplateCache:
    """Each template looked up and compiled once per process; ``Reset()`` before every parse."""

    def __init__(self) -> None:
        self._table = clitable.CliTable("index", ntc_template_dir())
        self._by_command: dict[tuple[str, str], Any] = {}
        self._by_path: dict[Path, Any] = {}

    def parse(self, platform_name: str, command: str, text: str) -> tuple[list[str], list[list[Any]]]:
        key = (platform_name, command)
        if key not in self._by_command:
            path = template_path(platform_name, command, self._table)
            if path is not None and path not in self._by_path:
                self._by_path[path] = textfsm.TextFSM(io.StringIO(path.read_text()))
            self._by_command[key] = None if path is None else self._by_path[path]
        fsm = self._by_command[key]
        if fsm is None:
            raise BenchError(f"{platform_name} {command!r}: no template")
        fsm.Reset()
        try:
            return list(fsm.header), fsm.ParseText(text)
        except textfsm.TextFSMError:  # "% LLDP is not enabled" and the like: nothing to parse, as netatlas reads it
            return list(fsm.header), []


Parsed = tuple[bool, int, list[str]]  # a template ran, its row count, the LOCAL_INTERFACE column (if any)
Parse = Callable[[str, str, str], Awaitable[Parsed]]
_CACHE: TemplateCache | None = None  # one per process: each pool worker or shard compiles its own, once


def parse_text(platform_name: str, command: str, text: str) -> Parsed:
    """Parse one output with this process's templates; only what the floor needs goes back."""
    global _CACHE  # noqa: PLW0603 - one compiled cache per process (a pool worker, a shard)
    spec = PLATFORMS[platform_name]
    if spec.structured(command):  # the cheapest read of a document: decoded, its rows by the platform's reader
        try:
            read = structured.read(platform_name, spec.text_form(command), text).rows
        except ParseError:  # a document the reader refuses (as netatlas records it): nothing parsed
            return True, 0, []
        return True, len(read), [str(r["local_interface"]) for r in read if r.get("local_interface")]
    if _CACHE is None:
        _CACHE = TemplateCache()
    header, rows = _CACHE.parse(platform_name, command, text)
    if "LOCAL_INTERFACE" not in header:
        return bool(header), len(rows), []
    local = header.index("LOCAL_INTERFACE")
    return bool(header), len(rows), [row[local] for row in rows]


async def parse_inline(platform_name: str, command: str, text: str) -> Parsed:
    return parse_text(platform_name, command, text)


def form(spec: PlatformSpec, command: str) -> str:
    """The command as this floor sends it: the plan's form (``-plan`` modes) or its text form."""
    return command if _FORM["plan"] else spec.text_form(command)


def follow_ups(spec: PlatformSpec, types: frozenset[DataType], interfaces: Sequence[str]) -> list[str]:
    """The per-interface detail commands netatlas sends after a brief neighbor table (JunOS LLDP)."""
    return [form(spec, template.format(interface=i)) for data_type, template in spec.per_interface.items()
            if data_type in types for i in dict.fromkeys(interfaces)]  # fmt: skip


def per_vrf_commands(spec: PlatformSpec, types: frozenset[DataType], listing: str) -> list[str]:
    """The per-VRF commands netatlas sends after the VRF list (IOS ``show ip arp vrf NAME``)."""
    step = spec.per_vrf
    if step is None:
        return []
    return [form(spec, template.format(vrf=vrf)) for vrf in step.vrfs(listing)
            for data_type, templates in step.commands.items() if data_type in types for template in templates]


def needs_probe(spec: PlatformSpec, command: str, refused: bool, probed: bool) -> bool:
    """Whether netatlas would send the feature probe (NX-OS ``show feature``) after this refusal."""
    gate = spec.features
    return refused and not probed and gate is not None and command in gate.commands


# ----- (a) the floor: bare asyncssh + cached TextFSM ---------------------------------------------
class _Shell(asyncssh.SSHClientSession[bytes]):
    def __init__(self) -> None:
        self._chan: asyncssh.SSHClientChannel[bytes] | None = None
        self._buf = bytearray()
        self._until: tuple[bytes, ...] = ()
        self._waiter: asyncio.Future[bytes] | None = None

    def connection_made(self, chan: asyncssh.SSHClientChannel[bytes]) -> None:
        self._chan = chan

    def data_received(self, data: bytes, datatype: asyncssh.DataType) -> None:
        self._buf += data
        if self._waiter is not None and not self._waiter.done() and self._buf.endswith(self._until):
            self._waiter.set_result(bytes(self._buf))
            self._buf.clear()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(exc or ConnectionError("channel closed"))

    async def ask(self, line: str, *until: bytes) -> bytes:
        """Send ``line`` (nothing when empty) and read up to one of ``until``."""
        assert self._chan is not None
        self._until, self._waiter = until, asyncio.get_running_loop().create_future()
        if line:
            self._chan.write(line.encode() + b"\n")
        elif self._buf.endswith(until):
            self._waiter.set_result(bytes(self._buf))
            self._buf.clear()
        return await self._waiter


def _body(raw: bytes) -> str:
    text = raw.decode(errors="replace").replace("\r\n", "\n")
    return text.split("\n", 1)[-1].rsplit("\n", 1)[0]


async def floor_device(device: dict[str, Any], creds: dict[str, str], parse: Parse) -> Outcome:
    outcome = Outcome(device["name"], device["platform"])
    spec = PLATFORMS[device["platform"]]
    async with asyncssh.connect(device["host"], port=device["port"], username=creds["username"],
                                password=creds["password"], **SSH_OPTIONS) as conn:
        chan, base = await conn.create_session(_Shell, term_type="vt100", term_size=(511, 1000), encoding=None)
        shell = cast(_Shell, base)
        prompt = (await shell.ask("", *PROMPT_END)).rsplit(b"\n", 1)[-1]
        if prompt.rstrip().endswith(b">") and spec.enable_from:
            await shell.ask("enable", b"Password: ", b"assword:")
            prompt = (await shell.ask(creds["enable_secret"], b"#", b"# ")).rsplit(b"\n", 1)[-1]
        for command in spec.paging_off:
            await shell.ask(command, prompt)
        probed = False
        for planned, types in spec.plan(ALL_TYPES):
            command = form(spec, planned)
            if spec.per_vrf is not None and planned == spec.per_vrf.list_command:  # the collector reads it
                listing = _body(await _floor_raw(shell, prompt, spec, command, outcome))
                for per_vrf in per_vrf_commands(spec, types, listing):
                    await _floor_command(shell, prompt, spec, per_vrf, parse, outcome)
                continue
            parsed, _, local = await _floor_command(shell, prompt, spec, command, parse, outcome)
            if needs_probe(spec, spec.text_form(planned), not parsed, probed) and spec.features is not None:
                await _floor_raw(shell, prompt, spec, spec.features.probe, outcome)
                probed = True
            if spec.per_interface and local:
                for detail in follow_ups(spec, types, local):
                    await _floor_command(shell, prompt, spec, detail, parse, outcome)
        chan.close()
    return outcome


async def _floor_raw(shell: _Shell, prompt: bytes, spec: PlatformSpec, command: str, outcome: Outcome) -> bytes:
    """A command whose text is read, not parsed (a VRF list, a feature probe), its fallback form if refused."""
    raw = await shell.ask(command, prompt)
    if any(marker in raw[:2048] for marker in REJECTED) and spec.fallback(command) is not None:
        raw = await shell.ask(cast(str, spec.fallback(command)), prompt)
    outcome.commands += 1
    return raw


def _refused(spec: PlatformSpec, command: str, raw: bytes) -> bool:
    """A refusal marker, or a structured form answered with something other than a document."""
    if any(marker in raw[:2048] for marker in REJECTED):
        return True
    return spec.structured(command) and not _body(raw).lstrip().startswith(("{", "["))


async def _floor_command(shell: _Shell, prompt: bytes, spec: PlatformSpec, command: str, parse: Parse,
                         outcome: Outcome) -> Parsed:
    raw = await shell.ask(command, prompt)
    if _refused(spec, command, raw) and spec.fallback(command) is not None:
        command = cast(str, spec.fallback(command))  # structured refused, or an old image: as netatlas does
        raw = await shell.ask(command, prompt)
    if any(marker in raw[:2048] for marker in REJECTED):  # NX-OS with the feature off: nothing to parse
        outcome.commands += 1
        return False, 0, []
    parsed = await parse(spec.name, command, _body(raw))
    outcome.commands, outcome.rows = outcome.commands + 1, outcome.rows + parsed[1]
    return parsed


async def floor_all(devices: Sequence[dict[str, Any]], creds: dict[str, str], concurrency: int,
                    parse: Parse = parse_inline) -> list[Outcome]:
    sem = asyncio.Semaphore(concurrency)

    async def one(device: dict[str, Any]) -> Outcome:
        async with sem:
            try:
                async with asyncio.timeout(DEVICE_TIMEOUT_S):
                    return await floor_device(device, creds, parse)
            except (OSError, asyncssh.Error, TimeoutError, BenchError) as exc:
                return Outcome(device["name"], device["platform"], error=f"{type(exc).__name__}: {exc}")

    return list(await asyncio.gather(*(one(d) for d in devices)))


def floor_pool(devices: Sequence[dict[str, Any]], creds: dict[str, str], concurrency: int,
               workers: int) -> list[Outcome]:
    """SSH in this process, parsing in ``workers`` forked processes (forked before the event loop and
    its threads exist; they are waited for on shutdown, so ``wait4`` counts their CPU)."""
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        list(pool.map(math.sqrt, range(workers)))  # every worker started now, not inside the loop

        async def parse(platform_name: str, command: str, text: str) -> Parsed:
            return await asyncio.get_running_loop().run_in_executor(pool, parse_text, platform_name, command, text)

        return asyncio.run(floor_all(devices, creds, concurrency, parse))


def _shard(job: tuple[list[dict[str, Any]], dict[str, str], int]) -> list[Outcome]:
    devices, creds, concurrency = job
    return asyncio.run(floor_all(devices, creds, concurrency))


def floor_shards(devices: Sequence[dict[str, Any]], creds: dict[str, str], concurrency: int,
                 shards: int) -> list[Outcome]:
    """``shards`` forked processes, each with every ``shards``-th device, its share of the concurrency,
    its own event loop and inline parsing."""
    jobs = [(list(devices[i::shards]), creds, max(1, math.ceil(concurrency / shards))) for i in range(shards)]
    pool = multiprocessing.get_context("fork").Pool(shards)
    try:
        results = pool.map(_shard, jobs, chunksize=1)
    finally:
        pool.close()
        pool.join()
    return [outcome for shard in results for outcome in shard]


# ----- (b) the in-house approach: Netmiko, use_textfsm=True, 100 threads ------------------------
def netmiko_device(device: dict[str, Any], creds: dict[str, str]) -> Outcome:
    from netmiko import ConnectHandler

    outcome, spec = Outcome(device["name"], device["platform"]), PLATFORMS[device["platform"]]
    try:
        conn = ConnectHandler(device_type=spec.name, host=device["host"], port=device["port"],
                              username=creds["username"], password=creds["password"], secret=creds["enable_secret"])
        try:
            if spec.enable_from:
                conn.enable()
            probed = False
            for planned, types in spec.plan(ALL_TYPES):
                command = spec.text_form(planned)  # the in-house way reads text with TextFSM
                if spec.per_vrf is not None and planned == spec.per_vrf.list_command:
                    listing = _netmiko_raw(conn, spec, command, outcome)
                    for per_vrf in per_vrf_commands(spec, types, listing):
                        _netmiko_command(conn, spec, per_vrf, outcome)
                    continue
                before = outcome.rows
                rows = _netmiko_command(conn, spec, command, outcome)
                refused = outcome.refused_last and outcome.rows == before
                if needs_probe(spec, command, refused, probed) and spec.features is not None:
                    _netmiko_raw(conn, spec, spec.features.probe, outcome)
                    probed = True
                for detail in follow_ups(spec, types, [r["local_interface"] for r in rows if "local_interface" in r]):
                    _netmiko_command(conn, spec, detail, outcome)
        finally:
            conn.disconnect()
    except Exception as exc:
        outcome.error = f"{type(exc).__name__}: {exc}"
    return outcome


def _netmiko_raw(conn: Any, spec: PlatformSpec, command: str, outcome: Outcome) -> str:
    text = str(conn.send_command(command, read_timeout=DEVICE_TIMEOUT_S))
    if any(marker.decode() in text[:2048] for marker in REJECTED) and command in spec.fallbacks:
        text = str(conn.send_command(spec.fallbacks[command], read_timeout=DEVICE_TIMEOUT_S))
    outcome.commands += 1
    return text


def _netmiko_command(conn: Any, spec: PlatformSpec, command: str, outcome: Outcome) -> list[dict[str, Any]]:
    outcome.refused_last = False
    own = template_path(spec.name, command, None)  # as an in-house script would pass its own template
    try:
        parsed = conn.send_command(command, use_textfsm=True, textfsm_template=str(own) if own else None,
                                   read_timeout=DEVICE_TIMEOUT_S)
    except textfsm.TextFSMError:  # a refusal or "feature not running" text the template refuses: nothing parsed
        outcome.commands += 1
        outcome.refused_last = True
        return []
    if isinstance(parsed, str) and any(marker.decode() in parsed[:2048] for marker in REJECTED):
        plain = spec.fallbacks.get(command)
        if plain is not None:  # an old image: the plain form, as netatlas does
            return _netmiko_command(conn, spec, plain, outcome)
        outcome.commands += 1  # NX-OS with the feature off: nothing to parse
        outcome.refused_last = True
        return []
    rows = parsed if isinstance(parsed, list) else []
    outcome.commands, outcome.rows = outcome.commands + 1, outcome.rows + len(rows)
    return rows


def netmiko_all(devices: Sequence[dict[str, Any]], creds: dict[str, str], threads: int) -> list[Outcome]:
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(lambda d: netmiko_device(d, creds), devices))


def worker_main(args: argparse.Namespace) -> int:
    """``--worker floor|netmiko``: run one approach on ``--inventory`` and write its outcome."""
    inventory = yaml.safe_load(args.inventory.read_text())
    devices, creds = inventory["devices"], inventory["credentials"]["lab"]
    began = time.perf_counter()
    cores = os.cpu_count() or 1
    _FORM["plan"] = args.floor_mode.endswith(PLAN)
    mode = args.floor_mode.removesuffix(PLAN)
    if args.worker == "netmiko":
        outcomes = netmiko_all(devices, creds, args.threads)
    elif mode == "pool":
        outcomes = floor_pool(devices, creds, args.concurrency[0], cores)
    elif mode == "shards":
        outcomes = floor_shards(devices, creds, args.concurrency[0], cores)
    else:
        outcomes = asyncio.run(floor_all(devices, creds, args.concurrency[0]))
    failed, inner = [asdict(o) for o in outcomes if o.error is not None], time.perf_counter() - began
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    args.out.write_text(json.dumps({
        "devices": len(outcomes), "failures": len(failed), "failed": failed[:20], "inner_s": inner,
        "commands": sum(o.commands for o in outcomes), "rows": sum(o.rows for o in outcomes),
        "self_cpu_s": own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime, "cores": cores,
        "workers_cpu_s": children.ru_utime + children.ru_stime,
    }))  # fmt: skip
    return 0


# ----- a profiled netatlas run: its main process and every parse-pool worker under cProfile -------
def _profiled_worker(directory: str, *args: Any) -> None:
    """A parse-pool worker's initializer: netatlas's own (this spawned process's module is unpatched),
    then cProfile until the worker exits."""
    from multiprocessing.util import Finalize

    from netatlas.collect.parsers import pool

    pool._worker_started(*args)
    profile = cProfile.Profile()
    profile.enable()
    Finalize(None, profile.dump_stats, args=(str(Path(directory) / f"worker-{os.getpid()}.prof"),), exitpriority=10)


_THREAD_PROFILES: list[cProfile.Profile] = []  # the engines' database threads (CPU time: ``thread_time``)


def _profile_this_thread() -> None:
    profile = cProfile.Profile(time.thread_time)
    _THREAD_PROFILES.append(profile)
    profile.enable()


class _ProfiledDbThread(ThreadPoolExecutor):
    """The engine's thread pools; its database thread runs under cProfile timed in CPU seconds (the main
    thread's profile is in wall seconds: it shows where that thread waited, this shows what the database
    thread took of the process's one GIL)."""

    def __init__(self, max_workers: int | None = None, thread_name_prefix: str = "", **kwargs: Any) -> None:
        if thread_name_prefix == "netatlas-db":
            kwargs["initializer"] = _profile_this_thread
        super().__init__(max_workers, thread_name_prefix, **kwargs)


def profile_main(args: argparse.Namespace) -> int:
    """``--worker profile``: ``netatlas discover`` in this process under cProfile, its pool workers and its
    database thread too."""
    from netatlas.cli.main import main as netatlas_main
    from netatlas.collect.parsers import pool
    from netatlas.jobs import engine

    directory = args.out
    directory.mkdir(parents=True, exist_ok=True)
    pool._worker_started = functools.partial(_profiled_worker, str(directory))
    setattr(engine, "ThreadPoolExecutor", _ProfiledDbThread)  # noqa: B010 - the engine builds its threads by this name
    sys.argv = ["netatlas", "discover", "--inventory", str(args.inventory), "--json", "--concurrency",
                str(args.concurrency[0])]
    profile = cProfile.Profile()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        profile.runcall(netatlas_main)
    profile.dump_stats(str(directory / "main.prof"))
    for number, thread_profile in enumerate(_THREAD_PROFILES):
        thread_profile.dump_stats(str(directory / f"db-{number}.prof"))
    pool.shutdown_pool()  # the workers write their profiles as they exit
    return 0


def top_entries(path: Path, order: str, count: int = 20) -> list[str]:
    """The ``count`` heaviest functions of a profile by ``order`` ("tottime" or "cumulative"), one line each."""
    stats = pstats.Stats(str(path))
    raw = cast(dict[tuple[str, int, str], tuple[int, int, float, float, Any]], stats.stats)  # type: ignore[attr-defined]
    key = 2 if order == "tottime" else 3
    heaviest = sorted(raw.items(), key=lambda item: item[1][key], reverse=True)[:count]
    return [f"{own:8.3f} {cumulative:8.3f} {calls:>9} {_where(place)}"
            for place, (_, calls, own, cumulative, _) in heaviest]


def _where(place: tuple[str, int, str]) -> str:
    file, line, function = place
    short = re.sub(r".*/(site-packages|src)/", "", file)
    return f"{short}:{line}({function})" if line else function


def run_profiled(lab: LabProcess, inventory: Path, concurrency: int, workdir: Path) -> dict[str, Any]:
    directory = workdir / "profile"
    env = _clean_env(NETATLAS_HOME=str(Path(tempfile.mkdtemp(prefix="home-", dir=workdir))))
    argv = [sys.executable, str(Path(__file__).resolve()), "--worker", "profile", "--inventory", str(inventory),
            "--concurrency", str(concurrency), "--out", str(directory)]  # fmt: skip
    began = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not (directory / "main.prof").exists():
        raise BenchError(f"the profiled run exited {done.returncode}: {done.stderr[-2000:]}")
    workers = sorted(directory.glob("worker-*.prof"))
    busiest = max(workers, key=lambda p: pstats.Stats(str(p)).total_tt, default=None)  # type: ignore[attr-defined]
    result: dict[str, Any] = {
        "concurrency": concurrency, "wall_s": round(time.perf_counter() - began, 1), "workers": len(workers),
        "columns": "own s, cumulative s, calls, function",
        "main": {order: top_entries(directory / "main.prof", order) for order in ("tottime", "cumulative")},
        "main_total_s": round(pstats.Stats(str(directory / "main.prof")).total_tt, 2),  # type: ignore[attr-defined]
        "worker_total_s": [round(pstats.Stats(str(p)).total_tt, 2) for p in workers],  # type: ignore[attr-defined]
    }  # fmt: skip
    db = sorted(directory.glob("db-*.prof"))
    if db:
        stats = pstats.Stats(*map(str, db))
        stats.dump_stats(str(directory / "db.prof"))
        result["db_thread_cpu_s"] = round(stats.total_tt, 2)  # type: ignore[attr-defined]
        result["db_thread"] = {order: top_entries(directory / "db.prof", order) for order in ("tottime", "cumulative")}
    if busiest is not None:
        result["busiest_worker"] = {order: top_entries(busiest, order) for order in ("tottime", "cumulative")}
    print(f"  profiled netatlas run: {result['wall_s']} s, main {result['main_total_s']} s profiled, "
          f"database thread {result.get('db_thread_cpu_s')} CPU s, {len(workers)} pool worker(s) "
          f"{result['worker_total_s']} s", file=sys.stderr, flush=True)
    return result


# ----- measuring a process tree ------------------------------------------------------------------
@dataclass(slots=True)
class Usage:
    wall_s: float
    cpu_s: float  # the whole tree: wait4 (waited-for children included), or the sampled sum when larger
    main_cpu_s: float  # the top process: the tree minus its children's last sampled CPU
    peak_rss_mb: float  # sum over the tree
    peak_pss_mb: float
    max_process_rss_mb: float  # the largest single process (wait4's ru_maxrss): netatlas's main process
    lab_cpu_s: float
    others_cpu_s: float  # what other processes spent meanwhile (the 2 cores are shared with other sessions)
    irq_steal_s: float  # interrupts, softirqs (loopback TCP) and time stolen by the hypervisor
    returncode: int
    stdout: str = field(repr=False)
    stderr: str = field(repr=False)


def _machine_cpu() -> tuple[float, float]:
    """Machine-wide CPU seconds so far: (processes, interrupts + softirqs + steal); guest time is in user."""
    t = psutil.cpu_times()
    return (float(t.user + t.nice + t.system),
            float(getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0) + getattr(t, "steal", 0.0)))


def _cpu(ps: psutil.Process) -> float:
    times = ps.cpu_times()
    return float(times.user + times.system)


def run_measured(argv: Sequence[str], env: dict[str, str], lab: psutil.Process, workdir: Path) -> Usage:
    out_path, err_path = workdir / "stdout.txt", workdir / "stderr.txt"
    lab_cpu, machine = _cpu(lab), _machine_cpu()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        began = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        rss, pss, status, usage, main_seen = 0, 0, 0, None, 0.0
        tree, samples, children_cpu = psutil.Process(proc.pid), 0, dict[int, float]()
        while usage is None:
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                usage = rusage
                break
            with contextlib.suppress(psutil.Error):
                children = tree.children(recursive=True)
                rss = max(rss, sum(_quiet(lambda p: p.memory_info().rss, m) for m in [tree, *children]))
                if samples % PSS_EVERY == 1:  # not at 0: the child may not have exec-ed yet
                    pss = max(pss, sum(_quiet(lambda p: p.memory_full_info().pss, m) for m in [tree, *children]))
                children_cpu.update({c.pid: _cpu(c) for c in children})
                main_seen = _cpu(tree)
            samples += 1
            time.sleep(SAMPLE_S)
        wall = time.perf_counter() - began
    proc.returncode = os.waitstatus_to_exitcode(status)
    lab_cpu = _cpu(lab) - lab_cpu
    # wait4 counts the children the process waited for; a forkserver's workers are not among them,
    # so the sum of every process's last sampled CPU (at most SAMPLE_S stale each) is the other bound
    tree_cpu = max(usage.ru_utime + usage.ru_stime, main_seen + sum(children_cpu.values()))
    processes, kernel = (after - before for after, before in zip(_machine_cpu(), machine, strict=True))
    others = max(processes - tree_cpu - lab_cpu, 0.0)
    main_cpu = max(tree_cpu - sum(children_cpu.values()), 0.0)
    return Usage(wall, tree_cpu, main_cpu, rss / MB, pss / MB, usage.ru_maxrss / 1024, lab_cpu, others, kernel,
                 proc.returncode,
                 out_path.read_text(errors="replace"), err_path.read_text(errors="replace"))


def _quiet(read: Callable[[psutil.Process], int], ps: psutil.Process) -> int:
    try:
        return read(ps)
    except psutil.Error:
        return 0


# ----- the lab subprocess ------------------------------------------------------------------------
@dataclass(slots=True)
class LabProcess:
    proc: subprocess.Popen[bytes]
    ps: psutil.Process
    inventory: dict[str, Any]
    start_s: float


def netatlas_script() -> str:
    return str(Path(sys.executable).parent / "netatlas")


def _free_port(address: str) -> int:
    for _ in range(50):
        port = random.randint(20000, 29999)
        with socket.socket() as sock, contextlib.suppress(OSError):
            sock.bind((address, port))
            return port
    raise BenchError("no free port found")


def start_lab(devices: int, args: argparse.Namespace, workdir: Path) -> LabProcess:
    first = str(next(args.address_range.hosts()))
    inventory = workdir / f"lab-{devices}.yaml"
    argv = [netatlas_script(), "lab", "serve", "--scenario", SCENARIO, "--devices", str(devices), "--seed",
            str(args.seed), "--port", str(_free_port(first)), "--address-range", str(args.address_range),
            "--inventory-out", str(inventory), "--warm"]  # fmt: skip
    began = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={**os.environ, "COLUMNS": "200"},
                            bufsize=0)  # unbuffered: lines a buffered readline() took would hide from select()
    assert proc.stdout is not None
    seen = b""
    while b"listening on" not in seen:
        ready, _, _ = select.select([proc.stdout], [], [], max(START_TIMEOUT_S - (time.perf_counter() - began), 0))
        line = proc.stdout.readline() if ready else b""
        if not line:
            proc.kill()
            raise BenchError(f"the lab did not start: {(seen + proc.stdout.read()).decode(errors='replace')[-2000:]}")
        seen += line
    return LabProcess(proc, psutil.Process(proc.pid), yaml.safe_load(inventory.read_text()),
                      time.perf_counter() - began)


def stop_lab(lab: LabProcess) -> None:
    lab.proc.terminate()
    try:
        lab.proc.wait(10)
    except subprocess.TimeoutExpired:
        lab.proc.kill()
        lab.proc.wait()


def write_inventory(lab: LabProcess, devices: Sequence[dict[str, Any]], path: Path) -> Path:
    path.write_text(yaml.safe_dump({"credentials": lab.inventory["credentials"], "devices": list(devices)}))
    return path


def stratified_sample(devices: Sequence[dict[str, Any]], size: int, seed: int) -> list[dict[str, Any]]:
    """``size`` devices drawn at random per platform, in proportion to each platform's share."""
    if size >= len(devices):
        return list(devices)
    rng, by_platform = random.Random(seed), Counter(d["platform"] for d in devices)
    picked: list[dict[str, Any]] = []
    for name, count in sorted(by_platform.items()):
        members = [d for d in devices if d["platform"] == name]
        picked += rng.sample(members, max(1, round(size * count / len(devices))))
    return picked


# ----- the approaches, seen from here ------------------------------------------------------------
def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETATLAS_")}
    return {**env, **extra}


def _summary(usage: Usage, devices: int, failures: int, commands: int) -> dict[str, Any]:
    return {
        "devices": devices, "failures": failures, "commands": commands, "wall_s": round(usage.wall_s, 2),
        "devices_per_s": round(devices / usage.wall_s, 1), "cpu_s": round(usage.cpu_s, 1),
        "main_cpu_s": round(usage.main_cpu_s, 1), "children_cpu_s": round(usage.cpu_s - usage.main_cpu_s, 1),
        "cpu_ms_per_device": round(usage.cpu_s * 1000 / max(devices, 1), 1),
        "peak_rss_mb": round(usage.peak_rss_mb, 1), "peak_pss_mb": round(usage.peak_pss_mb, 1),
        "max_process_rss_mb": round(usage.max_process_rss_mb, 1),
        "lab_cpu_s": round(usage.lab_cpu_s, 1), "others_cpu_s": round(usage.others_cpu_s, 1),
        "irq_steal_s": round(usage.irq_steal_s, 1), "noisy": usage.others_cpu_s / usage.wall_s > NOISY_CORES,
    }  # fmt: skip


def run_netatlas(lab: LabProcess, inventory: Path, concurrency: int, workdir: Path) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix="home-", dir=workdir))
    argv = [netatlas_script(), "discover", "--inventory", str(inventory), "--json", "--concurrency", str(concurrency)]
    usage = run_measured(argv, _clean_env(NETATLAS_HOME=str(home)), lab.ps, workdir)
    try:
        report = json.loads(usage.stdout)
    except json.JSONDecodeError as exc:
        raise BenchError(f"netatlas discover exited {usage.returncode}: {usage.stderr[-2000:]}") from exc
    with contextlib.closing(sqlite3.connect(home / "netatlas.db")) as db:
        commands = int(db.execute("SELECT count(*) FROM raw_output").fetchone()[0])
    started, finished = (datetime.fromisoformat(report[key]) for key in ("started_at", "finished_at"))
    job_s = (finished - started).total_seconds()
    failed = [d for d in report["devices"] if d["status"] != "completed"]
    return {**_summary(usage, report["counts"]["total"], len(failed), commands), "concurrency": concurrency,
            "job_s": round(job_s, 2), "db_mb": round((home / "netatlas.db").stat().st_size / MB, 1),
            "failed": [{k: d[k] for k in ("name", "error_kind", "error")} for d in failed[:20]]}  # fmt: skip


def run_worker(kind: str, lab: LabProcess, inventory: Path, workdir: Path, *, concurrency: int = 0,
               threads: int = 0, mode: str = "one") -> dict[str, Any]:
    out = workdir / f"{kind}-{mode}.json"
    argv = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--inventory", str(inventory),
            "--concurrency", str(concurrency or 1), "--threads", str(threads or 1), "--floor-mode", mode,
            "--out", str(out)]  # fmt: skip
    usage = run_measured(argv, _clean_env(), lab.ps, workdir)
    if usage.returncode != 0 or not out.exists():
        raise BenchError(f"the {kind} worker exited {usage.returncode}: {usage.stderr[-2000:]}")
    report = json.loads(out.read_text())
    extra = {"concurrency": concurrency, "mode": mode, "processes": 1 if mode == "one" else report["cores"]} \
        if kind == "floor" else {"threads": threads}
    return {**_summary(usage, report["devices"], report["failures"], report["commands"]), **extra,
            "rows": report["rows"], "self_cpu_s": round(report["self_cpu_s"], 2),
            "workers_cpu_s": round(report["workers_cpu_s"], 2), "failed": report["failed"]}


# ----- the phases --------------------------------------------------------------------------------
def compare_phase(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    lab = start_lab(args.devices, args, workdir)
    try:
        devices = lab.inventory["devices"]
        # Every approach takes the devices in the order netatlas starts them (platforms spread over
        # the run, ``jobs.order``): the floors and Netmiko get the same mix at every moment.
        everything = write_inventory(lab, spread(devices, key=lambda d: d["platform"]), workdir / "all.yaml")
        runs = [_say(run_netatlas(lab, everything, c, workdir), f"netatlas c={c}") for c in args.concurrency]
        best = pick_concurrency(runs)
        floors = {mode: _say(run_worker("floor", lab, everything, workdir, concurrency=best["concurrency"], mode=mode),
                             f"floor ({mode})") for mode in args.floors}  # fmt: skip
        rounds = _rounds(args, lab, everything, best, floors, workdir)
        inhouse = _inhouse(args, lab, devices, best["concurrency"], workdir) if args.netmiko else {}
        if args.profile is not None:
            args.profile.parent.mkdir(parents=True, exist_ok=True)
            args.profile.write_text(json.dumps(run_profiled(lab, everything, best["concurrency"], workdir), indent=1))
    finally:
        stop_lab(lab)
    return {"devices": len(devices), "platforms": dict(Counter(d["platform"] for d in devices)),
            "lab_start_s": round(lab.start_s, 1), "netatlas_runs": runs, "netatlas": best, "floors": floors,
            **floor_choice(floors), **rounds, **inhouse}  # fmt: skip


def _rounds(args: argparse.Namespace, lab: LabProcess, inventory: Path, best: dict[str, Any],
            floors: dict[str, dict[str, Any]], workdir: Path) -> dict[str, Any]:
    """``--rounds`` > 1: the first round is the comparison's own netatlas and text-floor (pool) runs;
    each further round runs netatlas, then the floor, again. Each round's ratio compares two runs
    minutes apart at most, and the median of the rounds is the wall ratio least moved by the machine."""
    if args.rounds <= 1 or "pool" not in floors:
        return {}
    pairs = [(best, floors["pool"])]
    for number in range(2, args.rounds + 1):
        net = _say(run_netatlas(lab, inventory, best["concurrency"], workdir), f"round {number}: netatlas")
        floor = _say(run_worker("floor", lab, inventory, workdir, concurrency=best["concurrency"], mode="pool"),
                     f"round {number}: floor (pool)")
        pairs.append((net, floor))
    rounds = [{"netatlas_wall_s": n["wall_s"], "netatlas_cpu_s": n["cpu_s"], "netatlas_lab_cpu_s": n["lab_cpu_s"],
               "netatlas_peak_rss_mb": n["peak_rss_mb"], "floor_wall_s": f["wall_s"], "floor_cpu_s": f["cpu_s"],
               "floor_lab_cpu_s": f["lab_cpu_s"], "wall_ratio": round(n["wall_s"] / f["wall_s"], 3),
               "cpu_ratio": round(n["cpu_s"] / max(f["cpu_s"], 0.01), 3), "noisy": n["noisy"] or f["noisy"]}
              for n, f in pairs]  # fmt: skip
    return {"rounds": rounds, "rounds_median_wall_ratio": round(statistics.median(r["wall_ratio"] for r in rounds), 3),
            "rounds_median_cpu_ratio": round(statistics.median(r["cpu_ratio"] for r in rounds), 3)}


def _inhouse(args: argparse.Namespace, lab: LabProcess, devices: list[dict[str, Any]], concurrency: int,
             workdir: Path) -> dict[str, Any]:
    sample = spread(stratified_sample(devices, args.netmiko_sample, args.seed), key=lambda d: d["platform"])
    sampled = write_inventory(lab, sample, workdir / "sample.yaml")
    print(f"  Netmiko and netatlas on a random sample of {len(sample)} of {len(devices)} devices "
          f"(per platform: {dict(Counter(d['platform'] for d in sample))}, seed {args.seed})", file=sys.stderr)
    netmiko = _say(run_worker("netmiko", lab, sampled, workdir, threads=args.netmiko_threads), "netmiko")
    on_sample = _say(run_netatlas(lab, sampled, concurrency, workdir), "netatlas on the sample")
    netmiko["extrapolated_wall_s"] = round(netmiko["wall_s"] * len(devices) / len(sample), 1)
    netmiko["sampled"] = len(sample) < len(devices)
    return {"inhouse": netmiko, "netatlas_on_sample": on_sample,
            "sample_platforms": dict(Counter(d["platform"] for d in sample))}


def floor_choice(floors: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The text floor of each measure (the text-form mode with the lowest wall time, the one with the
    lowest CPU) and, when ``-plan`` modes ran, the same for the plan-form floor (structured outputs).

    Examples:
        >>> floor_choice({"pool": {"wall_s": 50.0, "cpu_s": 80.0}, "shards": {"wall_s": 45.0, "cpu_s": 85.0}})
        {'floor_wall': 'shards', 'floor_cpu': 'pool'}
        >>> floor_choice({"pool": {"wall_s": 50.0, "cpu_s": 80.0}, "pool-plan": {"wall_s": 40.0, "cpu_s": 60.0}})
        {'floor_wall': 'pool', 'floor_cpu': 'pool', 'plan_floor_wall': 'pool-plan', 'plan_floor_cpu': 'pool-plan'}
    """
    text = {m: f for m, f in floors.items() if not m.endswith(PLAN)} or floors
    plan = {m: f for m, f in floors.items() if m.endswith(PLAN)}
    chosen = {"floor_wall": min(text, key=lambda mode: text[mode]["wall_s"]),
              "floor_cpu": min(text, key=lambda mode: text[mode]["cpu_s"])}
    if plan:
        chosen |= {"plan_floor_wall": min(plan, key=lambda mode: plan[mode]["wall_s"]),
                   "plan_floor_cpu": min(plan, key=lambda mode: plan[mode]["cpu_s"])}
    return chosen


def pick_concurrency(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The lowest concurrency within 5% of the fastest wall time: as fast, and it holds less in memory.

    Examples:
        >>> pick_concurrency([{"concurrency": 100, "wall_s": 50.2}, {"concurrency": 200, "wall_s": 50.1}])
        {'concurrency': 100, 'wall_s': 50.2}
        >>> pick_concurrency([{"concurrency": 100, "wall_s": 70.0}, {"concurrency": 200, "wall_s": 50.0}])
        {'concurrency': 200, 'wall_s': 50.0}
    """
    fastest = min(run["wall_s"] for run in runs)
    return min((run for run in runs if run["wall_s"] <= fastest * (1 + SAME_SPEED)), key=lambda r: r["concurrency"])


def linearity_phase(args: argparse.Namespace, concurrency: int, workdir: Path) -> dict[str, Any]:
    lab = start_lab(max(args.sizes), args, workdir)
    try:
        order = list(lab.inventory["devices"])
        random.Random(args.seed).shuffle(order)  # nested subsets: each size holds the smaller ones
        runs = []
        for size in sorted(args.sizes):
            inventory = write_inventory(lab, order[:size], workdir / f"first-{size}.yaml")
            run = _say(run_netatlas(lab, inventory, concurrency, workdir), f"netatlas n={size}")
            runs.append({**run, "ms_per_device": round(run["wall_s"] * 1000 / size, 1),
                         "job_ms_per_device": round(run["job_s"] * 1000 / size, 1)})
    finally:
        stop_lab(lab)
    return {"lab_devices": max(args.sizes), "lab_start_s": round(lab.start_s, 1), "concurrency": concurrency,
            "runs": runs, **linear_fit([(r["devices"], r["job_s"]) for r in runs])}


def linear_fit(points: Sequence[tuple[float, float]]) -> dict[str, Any]:
    """Least-squares ``seconds = fixed + per_device * n`` and how far per-device times spread.

    Examples:
        >>> fit = linear_fit([(100, 2.0), (200, 4.0), (400, 8.0)])
        >>> fit["per_device_ms"], fit["spread"], fit["linear"]
        (20.0, 0.0, True)
    """
    n = len(points)
    mean_x, mean_y = sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points) or 1.0
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / var
    per = sorted(y / x for x, y in points)
    median = per[n // 2] if n % 2 else (per[n // 2 - 1] + per[n // 2]) / 2
    spread = max(abs(p - median) / median for p in per) if median else 0.0
    return {"fixed_s": round(mean_y - slope * mean_x, 2), "per_device_ms": round(slope * 1000, 2),
            "spread": round(spread, 3), "linear": spread <= TARGETS["linear_spread"]}


def _say(run: dict[str, Any], what: str) -> dict[str, Any]:
    print(f"  {what}: {run['devices']} devices in {run['wall_s']:.1f} s, cpu {run['cpu_s']:.1f} s, "
          f"peak RSS {run['peak_rss_mb']:.0f} MB, {run['failures']} failed", file=sys.stderr, flush=True)
    return run


# ----- report ------------------------------------------------------------------------------------
def ratios(compare: dict[str, Any]) -> dict[str, Any]:
    """netatlas against the floor (wall: the fastest floor mode; CPU: the cheapest), against each floor
    mode, and Netmiko against netatlas when it ran."""
    net, floors = compare["netatlas"], compare["floors"]
    wall_floor, cpu_floor = floors[compare["floor_wall"]], floors[compare["floor_cpu"]]
    result: dict[str, Any] = {
        "netatlas_over_floor_wall": round(net["wall_s"] / wall_floor["wall_s"], 2),
        "netatlas_over_floor_cpu": round(net["cpu_s"] / max(cpu_floor["cpu_s"], 0.01), 2),
        "floor_wall_mode": compare["floor_wall"], "floor_cpu_mode": compare["floor_cpu"],
        "per_floor": {mode: {"wall": round(net["wall_s"] / f["wall_s"], 2),
                             "cpu": round(net["cpu_s"] / max(f["cpu_s"], 0.01), 2)} for mode, f in floors.items()},
        "netatlas_peak_rss_mb": net["peak_rss_mb"], "netatlas_peak_pss_mb": net["peak_pss_mb"],
    }  # fmt: skip
    if "plan_floor_wall" in compare:  # the second floor: each platform answering the cheapest way it can
        plan_wall, plan_cpu = floors[compare["plan_floor_wall"]], floors[compare["plan_floor_cpu"]]
        result |= {"netatlas_over_plan_floor_wall": round(net["wall_s"] / plan_wall["wall_s"], 2),
                   "netatlas_over_plan_floor_cpu": round(net["cpu_s"] / max(plan_cpu["cpu_s"], 0.01), 2),
                   "plan_floor_wall_mode": compare["plan_floor_wall"], "plan_floor_cpu_mode": compare["plan_floor_cpu"]}
    if "rounds" in compare:  # the median over alternating rounds is the wall ratio judged
        result |= {"rounds_median_wall_ratio": compare["rounds_median_wall_ratio"],
                   "rounds_median_cpu_ratio": compare["rounds_median_cpu_ratio"],
                   "rounds_wall_ratios": [r["wall_ratio"] for r in compare["rounds"]]}
    wall_ratio = result.get("rounds_median_wall_ratio", result["netatlas_over_floor_wall"])
    met = {
        "netatlas_wall_within_1.1x_of_floor": wall_ratio <= TARGETS["netatlas_over_floor"],
        "netatlas_cpu_within_1.1x_of_floor": result["netatlas_over_floor_cpu"] <= TARGETS["netatlas_over_floor"],
        "peak_rss_under_250mb": net["peak_rss_mb"] < TARGETS["peak_rss_mb"],
        "peak_pss_under_250mb": net["peak_pss_mb"] < TARGETS["peak_rss_mb"],  # pool pages counted once
    }
    if "inhouse" in compare:
        inhouse, on_sample = compare["inhouse"], compare["netatlas_on_sample"]
        result |= {
            "inhouse_over_netatlas_wall": round(inhouse["extrapolated_wall_s"] / net["wall_s"], 2),
            "inhouse_over_netatlas_wall_on_sample": round(inhouse["wall_s"] / on_sample["wall_s"], 2),
            "inhouse_over_netatlas_cpu": round(inhouse["cpu_ms_per_device"] / max(net["cpu_ms_per_device"], 0.01), 2),
        }  # fmt: skip
        met["4x_faster_than_netmiko_on_the_sample"] = (
            result["inhouse_over_netatlas_wall_on_sample"] >= TARGETS["inhouse_over_netatlas"])
    result["targets_met"] = met
    return result


def machine_info() -> dict[str, Any]:
    model = next((line.split(":", 1)[1].strip() for line in _cpuinfo() if line.startswith("model name")), "")
    return {"cpu_count": os.cpu_count(), "cpu_model": model or platform.processor() or "unknown",
            "memory_gb": round(psutil.virtual_memory().total / 1e9, 1), "python": platform.python_version(),
            "platform": platform.platform(), "asyncssh": asyncssh.__version__, "load_avg_at_start": os.getloadavg(),
            "date": datetime.now(UTC).isoformat(timespec="seconds")}  # fmt: skip


def _cpuinfo() -> list[str]:
    with contextlib.suppress(OSError):
        return Path("/proc/cpuinfo").read_text().splitlines()
    return []


def _row(label: str, run: dict[str, Any], wall: str | None = None) -> str:
    noisy = "*" if run["noisy"] else ""
    return (f"| {label} | {run['devices']} | {wall or format(run['wall_s'], '.1f')}{noisy} | "
            f"{run['devices_per_s']:.1f} | {run['cpu_s']:.1f} ({run['cpu_ms_per_device']:.0f} ms/device) | "
            f"{run['lab_cpu_s']:.1f} | {run['peak_rss_mb']:.0f} / {run['peak_pss_mb']:.0f} | {run['failures']} |")


def _ratio_rows(compare: dict[str, Any], r: dict[str, Any]) -> list[str]:
    net, within = compare["netatlas"], f"<= {TARGETS['netatlas_over_floor']}x"
    rows = [
        "| ratio | value | target |", "|---|---|---|",
        f"| netatlas / floor, wall (fastest floor: {r['floor_wall_mode']}) | {r['netatlas_over_floor_wall']:.2f}x "
        f"| {within} |",
        f"| netatlas / floor, CPU of the process tree (cheapest floor: {r['floor_cpu_mode']}) | "
        f"{r['netatlas_over_floor_cpu']:.2f}x | {within} |",
        *(f"| netatlas / floor ({mode}): wall, CPU | {x['wall']:.2f}x, {x['cpu']:.2f}x | |"
          for mode, x in r["per_floor"].items()),
    ]  # fmt: skip
    if "rounds_median_wall_ratio" in r:
        count = len(r["rounds_wall_ratios"])
        rows.append(f"| netatlas / floor (pool), wall and CPU, median of {count} alternating rounds "
                    f"(wall ratios {', '.join(f'{x:.2f}' for x in r['rounds_wall_ratios'])}) | "
                    f"{r['rounds_median_wall_ratio']:.2f}x, {r['rounds_median_cpu_ratio']:.2f}x | {within} |")
    if "netatlas_over_plan_floor_wall" in r:
        rows.append(f"| netatlas / plan floor (structured where offered), wall ({r['plan_floor_wall_mode']}), "
                    f"CPU ({r['plan_floor_cpu_mode']}) | {r['netatlas_over_plan_floor_wall']:.2f}x, "
                    f"{r['netatlas_over_plan_floor_cpu']:.2f}x | |")
    if "inhouse" in compare:
        rows.append(f"| Netmiko / netatlas, wall: on the same {compare['inhouse']['devices']} devices (extrapolated; "
                    f"CPU per device) | {r['inhouse_over_netatlas_wall_on_sample']:.2f}x "
                    f"({r['inhouse_over_netatlas_wall']:.2f}x; {r['inhouse_over_netatlas_cpu']:.2f}x) "
                    f"| >= {TARGETS['inhouse_over_netatlas']:.0f}x |")
    rows.append(f"| netatlas peak memory, process tree RSS (PSS) | {net['peak_rss_mb']:.0f} MB "
                f"({net['peak_pss_mb']:.0f} MB) | < {TARGETS['peak_rss_mb']:.0f} MB |")
    return rows


def _linearity_rows(lin: dict[str, Any]) -> list[str]:
    return [
        f"Linearity: netatlas on nested random subsets of one {lin['lab_devices']}-device lab, concurrency "
        f"{lin['concurrency']} (a bigger lab has bigger routing tables: compare per-device times within this table):",
        "",
        "| devices | wall s | job s | ms/device (wall, job) | CPU s | peak RSS / PSS MB |", "|---|---|---|---|---|---|",
        *(f"| {x['devices']} | {x['wall_s']:.1f}{'*' if x['noisy'] else ''} | {x['job_s']:.1f} | "
          f"{x['ms_per_device']:.1f}, {x['job_ms_per_device']:.1f} | {x['cpu_s']:.1f} | "
          f"{x['peak_rss_mb']:.0f} / {x['peak_pss_mb']:.0f} |" for x in lin["runs"]),
        "", f"Job time fit: {lin['fixed_s']:.1f} s + {lin['per_device_ms']:.1f} ms/device; per-device job time within "
        f"±{lin['spread'] * 100:.0f}% of the median: {'linear' if lin['linear'] else 'NOT linear'} "
        f"(limit ±{TARGETS['linear_spread']:.0%}).",
    ]  # fmt: skip


def _floor_label(mode: str, processes: int) -> str:
    """
    Examples:
        >>> _floor_label("shards-plan", 2).split("), ")[1]
        '2 processes, each SSH + parsing for its share'
    """
    how = FLOOR_LABELS[mode.removesuffix(PLAN)].format(n=processes)
    if mode.endswith(PLAN):
        return f"asyncssh + the plan's forms (JSON decoded, TextFSM compiled once for text), {how}"
    return f"asyncssh + TextFSM compiled once, {how}"


FLOOR_LABELS = {"pool": "SSH in one process, parsing in a pool of {n}",
                "shards": "{n} processes, each SSH + parsing for its share", "one": "one process (one core)"}


def markdown(results: dict[str, Any]) -> str:
    compare, host = results["compare"], results["machine"]
    lines = [
        f"Discovery benchmark: {compare['devices']}-device `{SCENARIO}` lab, every data type, lab in its own process "
        f"({host['cpu_count']} cores, {host['cpu_model']}, Python {host['python']}, {host['date']})", "",
        "| approach | devices | wall s | devices/s | CPU s | lab CPU s | peak RSS / PSS MB | failed |",
        "|---|---|---|---|---|---|---|---|",
        *(_row(f"netatlas, concurrency {run['concurrency']}", run) for run in compare["netatlas_runs"]),
        *(_row(f"(a) floor: {_floor_label(mode, floor['processes'])}, concurrency {floor['concurrency']}", floor)
          for mode, floor in compare["floors"].items()),
    ]  # fmt: skip
    inhouse = compare.get("inhouse")
    if inhouse:
        note = f"{inhouse['devices']} sampled, wall x{compare['devices'] / inhouse['devices']:.1f}"
        lines += [_row(f"(b) Netmiko + use_textfsm, {inhouse['threads']} threads ({note})", inhouse,
                       f"{inhouse['wall_s']:.1f} (~{inhouse['extrapolated_wall_s']:.0f})"),
                  _row("netatlas on the same sample", compare["netatlas_on_sample"])]
    lines += ["", *_ratio_rows(compare, results["ratios"]), ""]
    if "linearity" in results:
        lines += [*_linearity_rows(results["linearity"]), ""]
    if inhouse:
        lines += [f"(b) ran on a platform-stratified random sample of {inhouse['devices']} of {compare['devices']} "
                  f"devices (seed {results['params']['seed']}); its {compare['devices']}-device wall time is "
                  "extrapolated linearly."]
    lines += [f"netatlas runs at the lowest concurrency within {SAME_SPEED:.0%} of the fastest; the floors use the "
              "same. CPU is the whole process tree's (parse workers included).", "",
              f"\\* other processes used more than {NOISY_CORES} cores during that run (shared machine): its wall "
              "time is pessimistic."]
    return "\n".join(lines)


# ----- main --------------------------------------------------------------------------------------
def _ints(text: str) -> list[int]:
    return [int(part) for part in re.split(r"[,\s]+", text.strip()) if part]


def _modes(text: str) -> list[str]:
    modes = [part for part in re.split(r"[,\s]+", text.strip()) if part]
    unknown = [m for m in modes if m not in FLOOR_MODES]
    if unknown or not modes:
        raise argparse.ArgumentTypeError(f"floor modes are {', '.join(FLOOR_MODES)} (got {text!r})")
    return list(dict.fromkeys(modes))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--devices", type=int, default=1000, help="devices in the comparison lab")
    parser.add_argument("--concurrency", type=_ints, default=[100, 200, 400], help="netatlas values to try")
    parser.add_argument("--sizes", type=_ints, default=[100, 500, 1000, 2000], help="linearity sizes")
    parser.add_argument("--netmiko-sample", type=int, default=200, help="devices Netmiko runs on (extrapolated)")
    parser.add_argument("--netmiko-threads", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--address-range", type=IPv4Network, default="127.90.0.0/16",
                        help="loopback range of the lab's devices")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "discovery.json")
    parser.add_argument("--floors", type=_modes, default=["pool", "shards", "pool-plan"],
                        help=f"floor modes to measure, of {','.join(FLOOR_MODES)}")
    parser.add_argument("--no-netmiko", dest="netmiko", action="store_false", help="skip (b), Netmiko")
    parser.add_argument("--no-linearity", dest="linearity", action="store_false", help="skip the linearity phase")
    parser.add_argument("--rounds", type=int, default=1,
                        help="netatlas and the text floor (pool) this many times, alternating: the wall ratio's median "
                             "(a shared machine's speed drifts by 10-20 %% between runs)")
    parser.add_argument("--profile", type=Path, help="profile one more netatlas run; its top entries go here")
    parser.add_argument("--worker", choices=("floor", "netmiko", "profile"), help=argparse.SUPPRESS)
    parser.add_argument("--floor-mode", choices=FLOOR_MODES, default="one", help=argparse.SUPPRESS)
    parser.add_argument("--inventory", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=100, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict[str, Any]:
    machine = machine_info()
    with tempfile.TemporaryDirectory(prefix="netatlas-bench-discovery-") as tmp:
        print(f"comparison on a {args.devices}-device lab:", file=sys.stderr)
        compare = compare_phase(args, Path(tmp))
        linearity: dict[str, Any] = {}
        if args.linearity:
            print(f"linearity on a {max(args.sizes)}-device lab:", file=sys.stderr)
            linearity = {"linearity": linearity_phase(args, compare["netatlas"]["concurrency"], Path(tmp))}
    params = {"scenario": SCENARIO, "devices": args.devices, "concurrency_tried": args.concurrency,
              "floor_modes": args.floors, "sizes": args.sizes if args.linearity else [],
              "netmiko_sample": args.netmiko_sample if args.netmiko else 0, "netmiko_threads": args.netmiko_threads,
              "seed": args.seed, "data_types": sorted(str(t) for t in ALL_TYPES), "lab_warm": True,
              "rss_sample_s": SAMPLE_S}  # fmt: skip
    runs = [*compare["netatlas_runs"], *compare["floors"].values(),
            *((compare["inhouse"], compare["netatlas_on_sample"]) if "inhouse" in compare else ()),
            *(linearity["linearity"]["runs"] if linearity else ())]
    return {"ok": all(run["failures"] == 0 for run in runs), "machine": machine, "params": params,
            "compare": compare, "ratios": ratios(compare), **linearity}


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker == "profile":
        return profile_main(args)
    if args.worker is not None:
        return worker_main(args)
    began = time.perf_counter()
    results = run(args)
    results["bench_s"] = round(time.perf_counter() - began, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(markdown(results))
    if not results["ok"]:
        print("FAILED: some device failed in a run (see 'failed' in the JSON)", file=sys.stderr)
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
