"""`make demo`: start a lab, read every device over real SSH, show what came back.

Until the discovery pipeline lands, the demo is the lab itself: a 60-device mixed network
served by ``netatlas lab serve`` in its own process, and a plain asyncssh client that logs
in to every device, runs a few commands and parses them with ntc-templates.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import asyncssh
import yaml
from ntc_templates.parse import parse_output
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
NEIGHBOR_COMMAND = {"cisco_ios": "show cdp neighbors detail", "cisco_nxos": "show cdp neighbors detail",
                    "arista_eos": "show lldp neighbors detail", "juniper_junos": "show lldp neighbors"}
console = Console()


def start_lab() -> subprocess.Popen[str]:
    VAR.mkdir(exist_ok=True)
    cmd = [sys.executable, "-m", "netatlas.cli.main", "lab", "serve", "--scenario", "mixed", "--devices", "60",
           "--seed", "7", "--port", "22022", "--inventory-out", str(VAR / "lab-inventory.yaml"),
           "--truth-out", str(VAR / "lab-truth.json")]
    lab = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)  # noqa: S603 - our own CLI
    assert lab.stdout is not None
    for line in lab.stdout:
        console.print(f"[dim]lab |[/dim] {line.rstrip()}", highlight=False)
        if line.startswith("press Ctrl-C"):
            return lab
    raise SystemExit(f"the lab did not start (exit code {lab.wait()})")


async def read_device(device: dict[str, Any], creds: dict[str, str]) -> dict[str, Any]:
    async with asyncssh.connect(device["host"], device["port"], username=creds["username"],
                                password=creds["password"], known_hosts=None) as conn:
        version = (await conn.run("show version")).stdout
        neighbors = (await conn.run(NEIGHBOR_COMMAND[device["platform"]])).stdout
    facts = parse_output(platform=device["platform"], command="show version", data=str(version))
    rows = parse_output(platform=device["platform"], command=NEIGHBOR_COMMAND[device["platform"]],
                        data=str(neighbors))
    return {"facts": facts[0] if facts else {}, "neighbors": len(rows)}


async def read_all(inventory: dict[str, Any]) -> list[dict[str, Any]]:
    creds = inventory["credentials"]["lab"]
    return await asyncio.gather(*(read_device(d, creds) for d in inventory["devices"]))


def show(inventory: dict[str, Any], results: list[dict[str, Any]], seconds: float) -> None:
    table = Table(title="devices read over SSH (show version + neighbors, parsed by ntc-templates)")
    for column in ("device", "platform", "address", "version", "neighbors"):
        table.add_column(column)
    for device, result in zip(inventory["devices"], results, strict=True):
        facts = result["facts"]
        version = next((facts[k] for k in ("version", "image", "junos_version") if facts.get(k)), "?")
        table.add_row(device["name"], device["platform"], device["host"], str(version), str(result["neighbors"]))
    console.print(table)
    truth = json.loads((VAR / "lab-truth.json").read_text())
    l2 = sum(1 for link in truth["links"] if link["layer"] == "l2")
    console.print(f"{len(results)} devices read in {seconds:.2f}s; "
                  f"{sum(r['neighbors'] for r in results)} neighbor entries; the truth file has {l2} L2 links "
                  f"and {len(truth['endpoints'])} endpoints.")
    console.print(f"Inventory: {VAR / 'lab-inventory.yaml'}  Truth: {VAR / 'lab-truth.json'}")
    console.print("Serve a lab yourself: .venv/bin/netatlas lab serve --scenario campus --devices 200 --seed 7")


def main() -> None:
    lab = start_lab()
    try:
        inventory = yaml.safe_load((VAR / "lab-inventory.yaml").read_text())
        started = time.monotonic()
        results = asyncio.run(read_all(inventory))
        show(inventory, results, time.monotonic() - started)
    finally:
        lab.send_signal(signal.SIGTERM)
        lab.wait(10)


if __name__ == "__main__":
    main()
