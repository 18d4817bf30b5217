"""NX-OS: what reading ``| json`` instead of the text forms costs the client (issue 11, structured output).

Two measures, each printed as a table and written to ``bench/results/structured_nxos.json``:

* ``parse``: per data command the NX-OS row sends, the client CPU of ``parse_command`` on the text form
  and on the ``| json`` form of the same device, and the bytes of each, on the NX-OS devices of lab
  networks (rendered in process, no SSH; each output parsed ``--repeat`` times, best of);
* ``ssh``: a ``netatlas lab serve --warm`` subprocess (``--address-range 127.160.0.0/16``); every NX-OS
  device is collected with netatlas's own collector (real SSH, parsing inline, every data type), once
  with the text forms (the row's ``json_commands`` emptied) and once with the structured forms, in
  turns (``--rounds``); the client process's CPU per device (SSH + parsing), the lab process's CPU per
  device (rendering + SSH), wall time and bytes read.

Run (one bench at a time on a shared machine)::

    flock /tmp/netatlas-bench.lock .venv/bin/python bench/structured_nxos.py --devices 200 --seed 2
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import json
import os
import platform
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]
import yaml

from netatlas.collect.collector import collect_device
from netatlas.collect.parsers.parse import parse_command
from netatlas.collect.platforms import PLATFORMS, PlatformSpec
from netatlas.collect.transport import Timeouts
from netatlas.domain.inventory import Credential, InventoryDevice
from netatlas.domain.records import ROUTE_TYPES, DataType, ParseOutcome
from netatlas.lab.cli_platforms import PLATFORMS as CLI
from netatlas.lab.model import Platform
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.nxos import COMMANDS
from netatlas.lab.scenarios import build_network
from netatlas.lab.shell import CommandIndex

NXOS = "cisco_nxos"
RESULTS = Path(__file__).parent / "results" / "structured_nxos.json"
ADDRESSES = "127.160.0.0/16"
TIMEOUTS = Timeouts(connect=60, command=120, device=600)


_STRUCTURED = PLATFORMS[Platform.CISCO_NXOS]  # the row as shipped (its json_commands)


def _row(structured: bool) -> PlatformSpec:
    return _STRUCTURED if structured else dataclasses.replace(_STRUCTURED, json_commands=frozenset())


# ---- parse: per command, in process -----------------------------------------------------------------------------


def _commands(spec: PlatformSpec) -> Iterator[tuple[str, frozenset[DataType]]]:
    for data_type, commands in spec.commands.items():
        for command in commands:
            yield command, frozenset({data_type})
    yield spec.all_routes, frozenset(ROUTE_TYPES)


def _render(ctx: RenderContext, command: str, structured: bool) -> str | None:
    found = CommandIndex(COMMANDS, CLI[Platform.CISCO_NXOS]).match(command.split())
    if not isinstance(found, tuple):
        return None
    entry, args = found
    target = entry.target
    render = getattr(target, "render_json" if structured else "render", None)
    if render is None:
        return None
    try:
        return str(render(RenderContext(ctx.dev, ctx.rib, args)))
    except Exception:
        return None


def _best_cpu(command: str, text: str, types: frozenset[DataType], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        began = time.process_time()
        parse_command(NXOS, command, text, types)
        best = min(best, time.process_time() - began)
    return best


def measure_parse(scenarios: list[tuple[str, int, int]], repeat: int) -> dict[str, Any]:
    totals: dict[str, dict[str, float]] = {}
    spec = PLATFORMS[NXOS]
    for scenario, size, seed in scenarios:
        net = build_network(scenario, size, seed, IPv4Network("127.161.0.0/16"))
        for host, dev in net.devices.items():
            if dev.platform is not Platform.CISCO_NXOS or dev.rejected_forms:
                continue
            ctx = RenderContext(dev, functools.partial(net.rib, host))
            ctx.rib()
            for command, types in _commands(spec):
                text, doc = _render(ctx, command, False), _render(ctx, command, True)
                if text is None or doc is None:
                    continue
                sent = spec.sent_form(command)
                if sent == command:
                    continue
                row = totals.setdefault(command, {"devices": 0, "text_ms": 0.0, "json_ms": 0.0, "text_bytes": 0,
                                                  "json_bytes": 0})
                row["devices"] += 1
                row["text_ms"] += 1000 * _best_cpu(command, text, types, repeat)
                row["json_ms"] += 1000 * _best_cpu(sent, doc, types, repeat)
                row["text_bytes"] += len(text)
                row["json_bytes"] += len(doc)
    return {command: {"devices": int(r["devices"]), "text_ms": round(r["text_ms"] / r["devices"], 3),
                      "json_ms": round(r["json_ms"] / r["devices"], 3),
                      "text_bytes": round(r["text_bytes"] / r["devices"]),
                      "json_bytes": round(r["json_bytes"] / r["devices"])}
            for command, r in sorted(totals.items())}


# ---- ssh: whole devices through the collector -------------------------------------------------------------------


async def _start_lab(devices: int, seed: int, workdir: Path) -> tuple[asyncio.subprocess.Process, dict[str, Any]]:
    inventory = workdir / "inventory.yaml"
    script = Path(sys.executable).parent / "netatlas"
    argv = [str(script), "lab", "serve", "--scenario", "mixed", "--devices", str(devices), "--seed", str(seed),
            "--port", str(22000 + os.getpid() % 5000), "--address-range", ADDRESSES, "--warm",
            "--inventory-out", str(inventory)]
    proc = await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.DEVNULL)
    assert proc.stdout is not None
    while line := await asyncio.wait_for(proc.stdout.readline(), 600):
        if b"listening on" in line:
            return proc, yaml.safe_load(inventory.read_text())
    raise RuntimeError(f"the lab exited with status {await proc.wait()}")


async def _parse(platform_name: str, command: str, text: str, types: frozenset[DataType]) -> ParseOutcome:
    return parse_command(platform_name, command, text, types)


async def _collect(devices: list[InventoryDevice], credential: Credential, concurrency: int,
                   lab: psutil.Process) -> dict[str, Any]:
    gate = asyncio.Semaphore(concurrency)
    wanted = frozenset(DataType)

    async def one(device: InventoryDevice) -> tuple[bool, int]:
        async with gate:
            result = await collect_device(device, credential, wanted, timeouts=TIMEOUTS, parse=_parse)
            return result.ok, sum(len(o.output) for o in result.outputs)

    cpu, wall, lab_cpu = time.process_time(), time.perf_counter(), sum(lab.cpu_times()[:2])
    done = await asyncio.gather(*(one(d) for d in devices))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    lab_cpu = sum(lab.cpu_times()[:2]) - lab_cpu
    return {"devices": len(devices), "failed": sum(1 for ok, _ in done if not ok),
            "cpu_s": round(cpu, 3), "wall_s": round(wall, 3), "cpu_ms_per_device": round(1000 * cpu / len(devices), 2),
            "bytes_per_device": round(sum(b for _, b in done) / len(devices)),
            "lab_cpu_ms_per_device": round(1000 * lab_cpu / len(devices), 2)}


async def measure_ssh(size: int, seed: int, rounds: int, concurrency: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        proc, inventory = await _start_lab(size, seed, Path(tmp))
        try:
            creds = next(iter(inventory["credentials"].values()))
            credential = Credential("lab", creds["username"], creds["password"], creds.get("enable_secret"))
            devices = [InventoryDevice(d["name"], d["host"], d["platform"], "lab", int(d.get("port", 22)))
                       for d in inventory["devices"] if d["platform"] == NXOS]
            runs: dict[str, list[dict[str, Any]]] = {"text": [], "json": []}
            lab = psutil.Process(proc.pid)
            await _collect(devices, credential, concurrency, lab)  # first visit: lab caches, host keys, imports
            for _ in range(rounds):
                for form in ("text", "json"):
                    PLATFORMS[Platform.CISCO_NXOS] = _row(form == "json")
                    runs[form].append(await _collect(devices, credential, concurrency, lab))
            PLATFORMS[Platform.CISCO_NXOS] = _row(True)
        finally:
            proc.send_signal(signal.SIGTERM)
            await proc.wait()
    return {form: {"runs": r, "median_cpu_ms_per_device": statistics.median(x["cpu_ms_per_device"] for x in r),
                   "median_lab_cpu_ms_per_device": statistics.median(x["lab_cpu_ms_per_device"] for x in r)}
            for form, r in runs.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phase", choices=("parse", "ssh", "both"), default="both")
    parser.add_argument("--devices", type=int, default=200, help="mixed lab size for the ssh phase")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    PLATFORMS[Platform.CISCO_NXOS] = _row(True)
    out: dict[str, Any] = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                       "loadavg_start": os.getloadavg()}, "args": vars(args)}
    if args.phase in ("parse", "both"):
        out["parse"] = measure_parse([("mixed", 60, 7), ("datacenter", 30, 5)], args.repeat)
        print(f"{'command':36} {'dev':>4} {'text ms':>8} {'json ms':>8} {'text B':>8} {'json B':>8}")
        for command, r in out["parse"].items():
            print(f"{command:36} {r['devices']:>4} {r['text_ms']:>8} {r['json_ms']:>8} {r['text_bytes']:>8} "
                  f"{r['json_bytes']:>8}")
    if args.phase in ("ssh", "both"):
        out["ssh"] = asyncio.run(measure_ssh(args.devices, args.seed, args.rounds, args.concurrency))
        for form, r in out["ssh"].items():
            print(form, r["median_cpu_ms_per_device"], "ms client CPU/device,", r["median_lab_cpu_ms_per_device"],
                  "ms lab CPU/device; runs (client ms, lab ms, wall s, bytes, failed):",
                  [(x["cpu_ms_per_device"], x["lab_cpu_ms_per_device"], x["wall_s"], x["bytes_per_device"],
                    x["failed"]) for x in r["runs"]])
    out["machine"]["loadavg_end"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({**out, "args": {**vars(args), "out": str(args.out)}}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
