"""JunOS: what ``| display json`` costs and saves, per command, against the text form.

Run (one bench at a time on the shared machine)::

    flock /tmp/netatlas-bench.lock .venv/bin/python bench/structured_junos.py \\
        [--devices 200] [--seed 2] [--repeat 5] [--ssh] [--out bench/results/structured_junos.json]

* offline (always): a ``mixed`` lab of ``--devices`` (seed ``--seed``) is built in this process;
  for every JunOS device, every command the platform row can send (per-interface LLDP: each LLDP
  port) is rendered in both forms; per command it reports the bytes, the lab's render CPU and
  the client's ``parse_command`` CPU (the median of ``--repeat`` runs, per device), text vs JSON;
* ``--ssh``: the same lab served in a subprocess on 127.164.0.0/16; every JunOS device is
  collected with netatlas's collector (``collect_device``, every data type, parsing inline in this
  process) twice: once with the row's text forms only, once with its structured forms
  (``forms/junos.py``). Reported: this process's CPU per device (SSH + parse), the lab process's CPU
  over the same run, wall, the characters read, and whether both runs gave the same records.

Results go to ``--out`` as JSON, with the load average at the start and the end.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from tests.support.parser_fixtures import render  # noqa: E402

from netatlas.collect.parsers.parse import parse_command  # noqa: E402
from netatlas.collect.platforms import PLATFORMS, PlatformSpec  # noqa: E402
from netatlas.domain.records import ROUTE_TYPES, DataType  # noqa: E402
from netatlas.lab.model import NeighborProtocol  # noqa: E402
from netatlas.lab.render.base import RenderContext  # noqa: E402
from netatlas.lab.scenarios import build_network  # noqa: E402

PLATFORM = "juniper_junos"
LAB_NETWORK = IPv4Network("127.164.0.0/16")


def _commands(spec: PlatformSpec, ctx: RenderContext) -> list[tuple[str, frozenset[DataType]]]:
    """(text command, types) of everything the row sends this device (LLDP detail: every LLDP port)."""
    out: dict[str, set[DataType]] = {}
    for data_type, commands in spec.commands.items():
        for command in commands:
            out.setdefault(command, set()).add(data_type)
    out.setdefault(spec.all_routes, set()).update(ROUTE_TYPES)
    ports = sorted({n.local_interface for n in ctx.dev.neighbors if n.protocol is NeighborProtocol.LLDP})
    for data_type, template in spec.per_interface.items():
        for port in ports:
            out.setdefault(template.format(interface=port), set()).add(data_type)
    return [(command, frozenset(types)) for command, types in out.items()]


def _cpu(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def _key(command: str, spec: PlatformSpec) -> str:
    for template in spec.per_interface.values():
        if command.startswith(template.split("{", 1)[0]):
            return template
    return command


# Every command with a reader and a lab renderer (offline, all are measured; the row sends JSON_COMMANDS)
READABLE = frozenset({"show lldp neighbors", "show lldp neighbors interface {interface}"})


def _measure(ctx: RenderContext, command: str, types: frozenset[DataType], repeat: int) -> dict[str, float]:
    spec = PLATFORMS[PLATFORM]
    raw = render(ctx, command)
    row = {"text_bytes": len(raw), "text_render_ms": 1000 * _cpu(functools.partial(render, ctx, command), repeat),
           "text_parse_ms": 1000 * _cpu(functools.partial(parse_command, PLATFORM, command, raw, types), repeat)}
    sent = spec.sent_form(command)
    if sent == command:
        row |= {"json_bytes": math.nan, "json_render_ms": math.nan, "json_parse_ms": math.nan}
        return row
    doc = render(ctx, sent)
    return row | {"json_bytes": len(doc), "json_render_ms": 1000 * _cpu(functools.partial(render, ctx, sent), repeat),
                  "json_parse_ms": 1000 * _cpu(functools.partial(parse_command, PLATFORM, sent, doc, types), repeat)}


def offline(devices: int, seed: int, repeat: int) -> dict[str, Any]:
    net = build_network("mixed", devices, seed, LAB_NETWORK)
    spec = PLATFORMS[PLATFORM]
    PLATFORMS[PLATFORM] = dataclasses.replace(spec, json_commands=spec.json_commands | READABLE)
    per: dict[str, dict[str, float]] = {}
    juniper = [d for d in net.devices.values() if str(d.platform) == PLATFORM]
    try:
        for dev in juniper:
            ctx = RenderContext(dev, functools.partial(net.rib, dev.hostname))
            ctx.rib()
            for command, types in _commands(spec, ctx):
                total = per.setdefault(_key(command, spec), {})
                for key, value in _measure(ctx, command, types, repeat).items():
                    total[key] = total.get(key, 0.0) + value
    finally:
        PLATFORMS[PLATFORM] = spec
    n = len(juniper)
    per_device = {cmd: {k: None if math.isnan(v) else round(v / n, 3) for k, v in row.items()}
                  for cmd, row in per.items()}
    return {"devices": n, "per_device": per_device,
            "sent_as_json": sorted(spec.json_commands)}


def _print_offline(result: dict[str, Any]) -> None:
    print(f"{result['devices']} JunOS devices; per device, summed over each command's sends")
    print(f"{'command':45} {'text B':>8} {'json B':>8} {'txt rnd':>8} {'js rnd':>8} {'txt prs':>8} {'js prs':>8}")
    for cmd, row in result["per_device"].items():
        cells = [f"{row[k]:8.{0 if k.endswith('bytes') else 3}f}" if row[k] is not None else f"{'-':>8}" for k in (
            "text_bytes", "json_bytes", "text_render_ms", "json_render_ms", "text_parse_ms", "json_parse_ms")]
        print(f"{cmd:45} {' '.join(cells)}")


async def _collect_all(devices: list[Any], credentials: dict[str, Any], structured: bool,
                       lab_pid: int | None = None) -> dict[str, Any]:
    """Collect every device (every data type) in this process, parsing inline; CPU and wall of it all."""
    from netatlas.collect.collector import collect_device
    from netatlas.collect.transport import Timeouts

    spec = PLATFORMS[PLATFORM]
    if not structured:
        PLATFORMS[PLATFORM] = dataclasses.replace(spec, json_commands=frozenset())

    async def parse(platform: str, command: str, text: str, types: frozenset[DataType]) -> Any:
        return parse_command(platform, command, text, types)

    timeouts = Timeouts(connect=60, command=60, device=600)
    semaphore = asyncio.Semaphore(20)

    async def one(dev: Any) -> Any:
        async with semaphore:
            return await collect_device(dev, credentials[dev.credentials], frozenset(DataType), parse=parse,
                                        timeouts=timeouts)

    try:
        lab = psutil.Process(lab_pid) if lab_pid is not None else None
        lab_cpu = sum(lab.cpu_times()[:2]) if lab is not None else 0.0
        cpu, wall = time.process_time(), time.perf_counter()
        results = await asyncio.gather(*(one(d) for d in devices))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        lab_cpu = sum(lab.cpu_times()[:2]) - lab_cpu if lab is not None else 0.0
    finally:
        PLATFORMS[PLATFORM] = spec
    read = sum(len(o.output) for r in results for o in r.outputs)
    sent = sorted({o.command for r in results for o in r.outputs})
    return {"cpu_s": round(cpu, 3), "wall_s": round(wall, 3), "cpu_ms_per_device": round(1000 * cpu / len(devices), 2),
            "lab_cpu_ms_per_device": round(1000 * lab_cpu / len(devices), 2),
            "chars_read_per_device": read // len(devices), "failed": [r.error for r in results if not r.ok][:5],
            "commands": sent[:40], "_records": {r.name: r.records for r in results}}


async def _serve(devices: int, seed: int, inventory: Path) -> asyncio.subprocess.Process:
    """``netatlas lab serve --warm`` on :data:`LAB_NETWORK` in its own process, once it listens."""
    script = Path(sys.executable).parent / "netatlas"
    argv = [str(script), "lab", "serve", "--scenario", "mixed", "--devices", str(devices), "--seed", str(seed),
            "--port", "22164", "--address-range", str(LAB_NETWORK), "--inventory-out", str(inventory), "--warm"]
    proc = await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE,
                                                env={**os.environ, "COLUMNS": "200"})
    assert proc.stdout is not None
    while raw := await asyncio.wait_for(proc.stdout.readline(), 300):
        if b"listening on" in raw:
            return proc
    raise RuntimeError(f"the lab exited with status {await proc.wait()}")


async def ssh_phase(devices: int, seed: int, rounds: int) -> dict[str, Any]:
    """Serve the lab in a subprocess, collect its JunOS devices as text and as JSON, ``rounds`` times each."""
    import tempfile

    from netatlas.inventory import load_inventory

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "inventory.yaml"
        lab = await _serve(devices, seed, path)
        try:
            inventory = load_inventory(path)
            juniper = [d for d in inventory.devices if str(d.platform) == PLATFORM]
            out: dict[str, Any] = {"devices": len(juniper)}
            for warm in (True, False):  # warm: the lab's routing tables, imports, templates compiled
                await _collect_all(juniper, inventory.credentials, warm)
            for form in ("text", "json") * rounds:
                run = await _collect_all(juniper, inventory.credentials, form == "json", lab.pid)
                out.setdefault(form, []).append(run)
        finally:
            lab.terminate()
            await lab.wait()
    same = all(t["_records"] == j["_records"] for t, j in zip(out["text"], out["json"], strict=True))
    for form in ("text", "json"):
        for run in out[form]:
            del run["_records"]
        out[f"{form}_cpu_ms_per_device_median"] = statistics.median(r["cpu_ms_per_device"] for r in out[form])
        out[f"{form}_lab_cpu_ms_per_device_median"] = statistics.median(r["lab_cpu_ms_per_device"] for r in out[form])
    out["same_records"] = same
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--ssh", action="store_true")
    parser.add_argument("--ssh-devices", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    result: dict[str, Any] = {"loadavg_start": os.getloadavg(), "args": vars(args) | {"out": str(args.out)}}
    cpu = time.process_time()
    if args.repeat > 0:
        result["offline"] = offline(args.devices, args.seed, args.repeat)
        _print_offline(result["offline"])
    if args.ssh:
        result["ssh"] = asyncio.run(ssh_phase(args.ssh_devices, args.seed, args.rounds))
        ssh = result["ssh"]
        print(f"SSH, {ssh['devices']} JunOS devices, client CPU ms/device (SSH + parse, median of {args.rounds}): "
              f"text {ssh['text_cpu_ms_per_device_median']}, json {ssh['json_cpu_ms_per_device_median']}; lab CPU "
              f"text {ssh['text_lab_cpu_ms_per_device_median']}, json {ssh['json_lab_cpu_ms_per_device_median']}; "
              f"same records: {ssh['same_records']}")
    result["loadavg_end"] = os.getloadavg()
    result["bench_cpu_s"] = round(time.process_time() - cpu, 2)
    print(f"load average {result['loadavg_start']} -> {result['loadavg_end']}")
    if args.out is not None:
        args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
