"""Exactness at scale: ``netatlas topology export --format json`` against the lab's ground truth.

Run::

    .venv/bin/python bench/topology_truth.py [--devices 1000] [--scenarios campus,datacenter,wan,mixed]
        [--faults 'auth:1%,unreachable:1%'] [--out bench/results/topology_truth.json]

Per scenario: ``netatlas lab serve`` in its own process (``--warm``), ``netatlas discover`` of its
inventory into a fresh SQLite home, then ``netatlas topology export --format json``; the export's
``links`` and ``endpoints`` are compared with the truth file as sets, leaving out the links and
endpoints of faulted devices (their links are known only where a healthy neighbor reports them).
Prints precision and recall per scenario and kind, and how long each step took; exit status 1
when any is below 1.0. This is the 1,000-device half of
``tests/integration/discovery/test_topology_truth.py`` (50 devices, both backends).

``datacenter`` grows quadratically, unlike the other scenarios: every leaf learns every other
leaf's subnet over BGP with ECMP through up to 4 spines, so each device's RIB holds ~2 routes per
device in the lab (``show ip route bgp vrf all`` on an NX-OS leaf: 3,524 lines at 200 devices,
8,924 at 500, 17,924 at 1,000), and the collector parses ~1 s of TextFSM per leaf at 1,000
devices: ~18 M lines in all, against ~0.35 M routes for ``mixed`` at 1,000 (OSPF summaries).
Expect its 1,000-device discovery to take tens of minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
Key = tuple[Any, ...]


def netatlas(*args: str) -> list[str]:
    return [sys.executable, "-m", "netatlas.cli.main", *args]


def serve(scenario: str, devices: int, faults: str, work: Path, address: str) -> subprocess.Popen[str]:
    args = ["lab", "serve", "--scenario", scenario, "--devices", str(devices), "--seed", "1", "--warm",
            "--address-range", address, "--inventory-out", str(work / "inventory.yaml"),
            "--truth-out", str(work / "truth.json")]
    lab = subprocess.Popen(netatlas(*args, *(["--faults", faults] if faults else [])),
                           stdout=subprocess.PIPE, text=True)
    assert lab.stdout is not None
    for line in lab.stdout:
        if line.startswith("press Ctrl-C"):
            return lab
    raise SystemExit(f"the lab did not start (exit code {lab.wait()})")


def run(args: list[str], home: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(netatlas(*args), env={**os.environ, "NETATLAS_HOME": str(home)},
                          capture_output=True, text=True, check=False)
    if done.returncode not in (0, 2):  # 2: some devices failed (the faults)
        raise SystemExit(f"netatlas {' '.join(args[:2])} exited {done.returncode}: {done.stderr[-2000:]}")
    return time.perf_counter() - started


def _links(doc: dict[str, Any], faulted: set[str]) -> set[Key]:
    return {(x["layer"], x["a"]["node"], x["a"]["interface"], x["b"]["node"], x["b"]["interface"],
             tuple(x["protocols"]), x["vrf"]) for x in doc["links"]
            if not {x["a"]["node"], x["b"]["node"]} & faulted and "@" not in x["a"]["node"] + x["b"]["node"]}


def _endpoints(doc: dict[str, Any], faulted: set[str]) -> set[Key]:
    return {tuple(sorted(e.items())) for e in doc["endpoints"] if e["node"] not in faulted}


def score(found: set[Key], truth: set[Key]) -> dict[str, Any]:
    hit = len(found & truth)
    return {"truth": len(truth), "found": len(found), "precision": hit / len(found) if found else 1.0,
            "recall": hit / len(truth) if truth else 1.0, "missing": sorted(map(str, truth - found))[:5],
            "extra": sorted(map(str, found - truth))[:5]}


def one(scenario: str, devices: int, faults: str, address: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"topology-truth-{scenario}-") as tmp:
        work = Path(tmp)
        lab = serve(scenario, devices, faults, work, address)
        try:
            discover_s = run(["discover", "--inventory", str(work / "inventory.yaml"), "--json"], work / "home")
            export_s = run(["topology", "export", "--format", "json", "--out", str(work / "export.json")],
                           work / "home")
        finally:
            lab.send_signal(signal.SIGTERM)
            lab.wait(timeout=60)
        truth = json.loads((work / "truth.json").read_text())
        mine = json.loads((work / "export.json").read_text())
    faulted = {f["node"] for f in truth["faults"]}
    return {"scenario": scenario, "devices": devices, "faulted": len(faulted), "discover_s": round(discover_s, 1),
            "export_s": round(export_s, 2), "links": score(_links(mine, faulted), _links(truth, faulted)),
            "endpoints": score(_endpoints(mine, faulted), _endpoints(truth, faulted))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--scenarios", default="campus,datacenter,wan,mixed")
    parser.add_argument("--faults", default="auth:1%,unreachable:1%")
    parser.add_argument("--address-range", default="127.90.0.0/16")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "topology_truth.json")
    args = parser.parse_args()
    results = [one(s, args.devices, args.faults, args.address_range) for s in args.scenarios.split(",")]
    print("| scenario | devices | faulted | links (truth) | precision | recall | endpoints (truth) | precision "
          "| recall | discover s | export s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        links, ends = r["links"], r["endpoints"]
        print(f"| {r['scenario']} | {r['devices']} | {r['faulted']} | {links['truth']} | {links['precision']:.4f} "
              f"| {links['recall']:.4f} | {ends['truth']} | {ends['precision']:.4f} | {ends['recall']:.4f} "
              f"| {r['discover_s']} | {r['export_s']} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    exact = all(r[k]["precision"] == r[k]["recall"] == 1.0 for r in results for k in ("links", "endpoints"))
    if not exact:
        for r in results:
            for k in ("links", "endpoints"):
                if r[k]["missing"] or r[k]["extra"]:
                    print(r["scenario"], k, "missing", r[k]["missing"], "extra", r[k]["extra"], file=sys.stderr)
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
