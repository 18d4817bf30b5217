"""Benchmark: the web map of a 1,000-device network in headless Chromium (issue 10).

A synthetic topology (``bench/synthetic_topology.py``: backbone, core groups, campus and data-centre
pods, as discovery would have stored them) is written into a fresh SQLite store; ``netatlas serve``
serves it over the real API; Debian's Chromium (``/usr/bin/chromium``, driven by Playwright through
its executable path) opens the UI with a viewer token and the page's own marks are read:

Chromium runs with ``--disable-gpu`` (a software canvas, as on a server without a GPU; set
NETATLAS_BENCH_GPU=1 to keep its GPU emulation).

* first render: from navigation start to the map drawn (``netatlas:map-drawn``, two animation
  frames after cytoscape got the elements), which includes the API's ``GET /api/topology``; the
  client part alone (topology received -> drawn) is reported too, and the server's CPU time. The
  first load after the server started builds the topology ("cold"); the next ones find it kept
  ("warm"). Target: under 2 s.
* pan/zoom frames, each on the first view (sites collapsed into groups, as a 1,000-device map
  opens) and with every group expanded (the worst case: all nodes and links drawn), every
  animation frame timed until SETTLE_MS after the last change (the full redraw when the motion
  ends included). Target: p95 under 50 ms for each way:
  - ``keyboard``: real key presses on the focused map (its own controls: arrows pan, + and -
    zoom), KEY_GAP_MS apart as a held key repeats.
  - ``programmatic``: 60 frames, each ``cy.panBy`` and every other one ``cy.zoom`` (code moving the
    viewport, one change per frame).
  - ``animated``: the map's own fit animation (``MapView.fitTo``, as a search or a path focuses).
  - ``user``: real input events, mouse-wheel zooms over the map then a drag of the background.
  Large maps draw every one of these with cytoscape's cheap viewport frame (a cached image of the
  nodes, edges hidden; ``MapView.motion`` starts it for changes made by code), redrawn in full once
  the motion is idle. ``keyboard_full_redraw`` and ``programmatic_full_redraw`` are the same runs
  with that switched off (``map.cheapMotion = false``): every frame a full redraw, as before; no
  target.
  Expanding the largest group (what a click does) and every group are timed too.

Results go to ``bench/results/map.json`` (``--out``). The machine is shared (2 cores): the load
average at the start and end is recorded with the figures.

    .venv/bin/python bench/map.py [--devices 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped]

from netatlas.domain.accounts import Role
from netatlas.domain.records import DataType, DeviceResult, DeviceStatus, JobStatus
from netatlas.jobs.accounts import AccountService
from netatlas.settings import load_settings
from netatlas.store import Database, DeviceRepo, JobRepo, SnapshotRepo
from synthetic_records import Truth
from synthetic_topology import plan, records

CHROMIUM = os.environ.get("NETATLAS_CHROMIUM", "/usr/bin/chromium")
RESULTS = Path(__file__).resolve().parent / "results" / "map.json"
TARGETS = {"first_render_s": 2.0, "frame_ms": 50.0}
ALL_TYPES = frozenset(DataType)
BATCH = 250
START_TIMEOUT_S = 120.0
GPU_ARGS = ["--disable-gpu"] if os.environ.get("NETATLAS_BENCH_GPU") != "1" else []  # software canvas by default

# Pans and zooms made by code (`cy.panBy`, and every other frame `cy.zoom`), one per animation frame,
# then SETTLE_MS more frames (the full redraw when the motion ends included), every frame timed.
# `cheap`: the map's cheap motion frame (MapView.motion) on, or off (every frame a full redraw, as
# before it existed).
FRAMES_JS = """async ([count, cheap, settle]) => {
  const map = window.netatlas.map;
  const cy = map.cy;
  map.cheapMotion = cheap;
  const times = [];
  await new Promise((r) => requestAnimationFrame(r));
  let last = performance.now();
  const frame = async () => {
    await new Promise((r) => requestAnimationFrame(r));
    const now = performance.now();
    times.push(now - last);
    last = now;
  };
  for (let i = 0; i < count; i++) {
    cy.panBy({ x: 7, y: 4 });
    if (i % 2) cy.zoom({ level: cy.zoom() * (i % 4 === 1 ? 1.05 : 0.96), renderedPosition: { x: 600, y: 400 } });
    await frame();
  }
  const end = performance.now() + settle;
  while (performance.now() < end) await frame();
  map.cheapMotion = true;
  return times;
}"""

# The map's own animation: MapView.fitTo (a search result, a path) on one group's nodes, then on all.
ANIMATE_JS = """async (settle) => {
  const map = window.netatlas.map;
  const cy = map.cy;
  const some = cy.nodes('.device').slice(0, 40);
  const times = [];
  await new Promise((r) => requestAnimationFrame(r));
  let last = performance.now();
  const frame = async () => {
    await new Promise((r) => requestAnimationFrame(r));
    const now = performance.now();
    times.push(now - last);
    last = now;
  };
  for (const eles of [some, cy.nodes()]) {
    map.fitTo(eles);
    while (cy.animated()) await frame();
    const end = performance.now() + settle;
    while (performance.now() < end) await frame();
  }
  return times;
}"""

# Frames while real input events arrive (cytoscape's own gestures: wheel zoom, dragging the background):
# every animation frame's duration from the first event until SETTLE_MS after the last, which
# includes the full redraw cytoscape makes when the gesture ends.
RECORD_JS = """() => { const frames = window.__frames = []; let last = performance.now();
  const tick = (now) => {
    frames.push(now - last);
    last = now;
    if (window.__frames === frames) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick); }"""
STOP_JS = "() => { const frames = window.__frames; window.__frames = null; return frames; }"
EMPTY_SPOT_JS = """() => {
  const cy = window.netatlas.map.cy;
  const boxes = cy.nodes().map((n) => n.renderedBoundingBox());
  for (let y = cy.height() - 40; y > 40; y -= 23) for (let x = 40; x < cy.width() - 300; x += 29) {
    if (!boxes.some((b) => x > b.x1 - 25 && x < b.x2 + 25 && y > b.y1 - 25 && y < b.y2 + 25)) return { x, y };
  }
  return null; }"""
SETTLE_MS = 600
EVENT_GAP_MS = 16
KEY_GAP_MS = 33  # a held key repeats about 30 times a second
# The map's keyboard controls (app.js): arrows pan, + and - zoom; a held arrow then zooms in and out.
KEYS = ["ArrowRight", "ArrowDown", "+", "-", "ArrowLeft", "ArrowUp"]

EXPAND_ONE_JS = """async () => {
  const map = window.netatlas.map;
  const group = [...map.groups.values()].sort((x, y) => y.devices - x.devices)[0];
  const began = performance.now();
  map.expand(group.key);
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return { ms: performance.now() - began, group: group.key, devices: group.devices, nodes: map.cy.nodes().length,
           edges: map.cy.edges().length };
}"""

EXPAND_JS = """async () => {
  const began = performance.now();
  window.netatlas.map.expandAll();
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const cy = window.netatlas.map.cy;
  return { ms: performance.now() - began, nodes: cy.nodes().length, edges: cy.edges().length,
           render: window.netatlas.map.timings };
}"""

MARKS_JS = """() => {
  const mark = (name) => performance.getEntriesByName(name)[0].startTime;
  const resources = performance.getEntriesByType('resource');
  const api = resources.find((e) => e.name.includes('/api/topology?') || e.name.endsWith('/api/topology'));
  const layout = resources.find((e) => e.name.endsWith('/api/topology/layout'));
  const cy = window.netatlas.map.cy;
  return { drawn_ms: mark('netatlas:map-drawn'), received_ms: mark('netatlas:topology-received'),
           api_ms: api ? api.duration : null, api_url: api ? api.name : null,
           api_bytes: api ? api.encodedBodySize : null, layout_ms: layout ? layout.duration : null,
           nodes: cy.nodes().length, edges: cy.edges().length,
           groups: cy.nodes('.group').length, counts: window.netatlas.map.counts(),
           render: window.netatlas.map.timings };
}"""


def populate(url: str, devices: int) -> dict[str, Any]:
    """Write the synthetic network as one completed job, as discovery writes it."""
    truth, began = Truth(), time.perf_counter()
    db = Database.open(url, upgrade=True)
    try:
        with db.session() as session:
            job_id = JobRepo(session).create([], {"data_types": sorted(ALL_TYPES), "bench": "map"},
                                             requested_by="bench")
            JobRepo(session).set_status(job_id, JobStatus.RUNNING)
        batch: list[Any] = []
        for item in [*records(plan(devices, 7), 1, truth), None]:
            if item is not None:
                batch.append(item)
            if batch and (item is None or len(batch) == BATCH):
                with db.session() as session:
                    jobs, snapshots = JobRepo(session), SnapshotRepo(session)
                    DeviceRepo(session).upsert_many([device for device, _ in batch])
                    jobs.add_devices(job_id, [device for device, _ in batch])
                    for device, device_records in batch:
                        jobs.update_device(job_id, device.name, DeviceStatus.COMPLETED)
                        result = DeviceResult(device.name, True, device_records, asked=ALL_TYPES)
                        snapshots.save(job_id, device.name, result, collected_at=datetime.now(UTC))
                batch = []
        with db.session() as session:
            JobRepo(session).finish(job_id, JobStatus.COMPLETED)
    finally:
        db.close()
    return {"devices": truth.devices, "l2_links": len(truth.l2), "endpoints": len(truth.endpoints),
            "write_s": round(time.perf_counter() - began, 1)}


def viewer_token(url: str, home: Path) -> str:
    db = Database.open(url)
    try:
        return AccountService(db, load_settings(home=home, database_url=url)).create_token(
            f"bench-map-{time.time_ns()}", Role.VIEWER, created_by="bench")
    finally:
        db.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(url: str, home: Path, port: int, log: Path) -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETATLAS_")} | {"NETATLAS_HOME": str(home)}
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        command = [sys.executable, "-m", "netatlas.cli.main", "serve", "--port", str(port), "--db", url]
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                if process.poll() is not None:
                    raise SystemExit(f"serve exited {process.returncode}: {log.read_text()[-2000:]}")
                try:
                    if httpx.get(f"{base}/api/health", timeout=2).status_code in (200, 503):
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit(f"serve did not answer within {START_TIMEOUT_S:g} s")
                time.sleep(0.2)
            yield base
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


class Cpu:
    """CPU time (user + system) used by the browser's processes between ``start`` and ``stop``: the
    work itself, whatever else the shared machine is doing (wall times there include waiting)."""

    def __init__(self, server: bool = False) -> None:
        self.began = 0.0
        self.server = server  # the `netatlas serve` process instead

    def now(self) -> float:
        total = 0.0
        for process in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):
                mine = ("serve" in process.cmdline()) if self.server else "chrom" in process.name().lower()
                if mine:
                    times = process.cpu_times()
                    total += times.user + times.system
        return total

    def start(self) -> None:
        self.began = self.now()

    def stop(self) -> float:
        """Milliseconds (processes that ended meanwhile are not counted)."""
        return (self.now() - self.began) * 1000


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"median_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1), "max_ms": round(ordered[-1], 1)}


def user_frames(page: Any, steps: int) -> dict[str, Any]:
    """Zoom with the mouse wheel (in and out) over the map's centre, then pan by dragging an empty
    spot of the background, as a user does; every frame timed (see RECORD_JS)."""
    box = page.locator("#cy").bounding_box()
    spot = page.evaluate(EMPTY_SPOT_JS)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.evaluate(RECORD_JS)
    for i in range(steps):
        page.mouse.wheel(0, -100 if i % 4 < 2 else 100)
        page.wait_for_timeout(EVENT_GAP_MS)
    if spot is not None:
        x, y = box["x"] + spot["x"], box["y"] + spot["y"]
        page.mouse.move(x, y)
        page.mouse.down()
        for i in range(1, steps + 1):
            page.mouse.move(x + 9 * i, y - 5 * i)
            page.wait_for_timeout(EVENT_GAP_MS)
        page.mouse.up()
    page.wait_for_timeout(SETTLE_MS)
    times: list[float] = page.evaluate(STOP_JS)
    return {**summary(times), "frames": len(times), "dragged": spot is not None}


def keyboard_frames(page: Any, presses: int, cheap: bool = True) -> dict[str, Any]:
    """Real key presses on the focused map (its own keyboard controls), KEY_GAP_MS apart: runs of
    each key in KEYS as a held key repeats; every frame timed until SETTLE_MS after the last.
    ``cheap``: see FRAMES_JS."""
    page.evaluate("(on) => { window.netatlas.map.cheapMotion = on; }", cheap)
    page.focus("#cy")
    page.evaluate(RECORD_JS)
    run = max(1, presses // len(KEYS))
    for key in KEYS:
        for _ in range(run):
            page.keyboard.press(key)
            page.wait_for_timeout(KEY_GAP_MS)
    page.wait_for_timeout(SETTLE_MS)
    times: list[float] = page.evaluate(STOP_JS)
    page.evaluate("() => { window.netatlas.map.cheapMotion = true; }")
    return {**summary(times), "frames": len(times), "presses": run * len(KEYS)}


def frames(page: Any, cpu: Cpu, count: int) -> dict[str, Any]:
    """Every pan/zoom measure of the current view (see the module docstring)."""
    out: dict[str, Any] = {}
    # the full redraws first: right after the map is drawn (or expanded), as bench/map.py measured
    # them before the cheap frame existed; then the cheap ones
    for name, cheap in (("programmatic_full_redraw", False), ("programmatic", True)):
        cpu.start()
        times = page.evaluate(FRAMES_JS, [count, cheap, SETTLE_MS])
        per_frame = round(cpu.stop() / len(times), 1)
        out[name] = {**summary(times), "frames": len(times), "chromium_cpu_ms_per_frame": per_frame}
    for name, cheap in (("keyboard", True), ("keyboard_full_redraw", False)):
        cpu.start()
        out[name] = keyboard_frames(page, count, cheap)
        out[name]["chromium_cpu_ms_per_frame"] = round(cpu.stop() / out[name]["frames"], 1)
    times = page.evaluate(ANIMATE_JS, SETTLE_MS)
    out["animated"] = {**summary(times), "frames": len(times)}
    out["user"] = user_frames(page, count // 2)
    return out


def measure(base: str, token: str, runs: int, count: int) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: run `make install`")
    from playwright.sync_api import sync_playwright

    session = json.dumps({"token": token, "role": "viewer", "username": "bench"})
    init = (f"sessionStorage.setItem('netatlas.session', "
            f"JSON.stringify({{...{session}, expiresAt: Date.now() + 3600e3}}));")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", *GPU_ARGS])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.add_init_script(init)
            loads, cpu, server = [], Cpu(), Cpu(server=True)
            for _ in range(runs):
                cpu.start()
                server.start()
                page.goto(base + "/")
                page.wait_for_function("() => performance.getEntriesByName('netatlas:map-drawn').length > 0",
                                       timeout=120_000)
                loads.append({**page.evaluate(MARKS_JS), "chromium_cpu_ms": cpu.stop(), "server_cpu_ms": server.stop()})
            collapsed = frames(page, cpu, count)
            cpu.start()
            one = page.evaluate(EXPAND_ONE_JS)
            one_cpu = cpu.stop()
            cpu.start()
            expanded = page.evaluate(EXPAND_JS)
            expand_cpu = cpu.stop()
            expanded_frames = frames(page, cpu, count)
            chromium = browser.version
        finally:
            browser.close()
    first = [load["drawn_ms"] for load in loads]
    client = [load["drawn_ms"] - load["received_ms"] for load in loads]
    return {
        "chromium": chromium,
        "first_view": {key: loads[-1][key] for key in ("nodes", "edges", "groups", "counts")},
        # the first load after the server started builds the topology (cold); the next ones find it
        # kept (the database unchanged): both reported
        "first_render_ms": {"runs": [round(x) for x in first], "median": round(statistics.median(first)),
                            "cold": round(first[0]),
                            "warm_median": round(statistics.median(first[1:])) if len(first) > 1 else None},
        "client_render_ms": {"runs": [round(x) for x in client], "median": round(statistics.median(client))},
        "api_topology_ms": [round(load["api_ms"]) for load in loads if load["api_ms"] is not None],
        "api_topology_request": {"url": loads[-1]["api_url"], "bytes": loads[-1]["api_bytes"]},
        "api_layout_ms": [round(load["layout_ms"]) for load in loads if load["layout_ms"] is not None],
        "first_render_server_cpu_ms": [round(load["server_cpu_ms"]) for load in loads],
        "first_render_chromium_cpu_ms": [round(load["chromium_cpu_ms"]) for load in loads],
        "frames_first_view": collapsed,
        "render_first_view": {k: round(v) for k, v in loads[-1]["render"].items()},
        "expand_largest_group": {**{k: (round(v) if k == "ms" else v) for k, v in one.items()},
                                  "chromium_cpu_ms": round(one_cpu)},
        "expand_all": {"ms": round(expanded["ms"]), "nodes": expanded["nodes"], "edges": expanded["edges"],
                       "render": {k: round(v) for k, v in expanded["render"].items()},
                       "chromium_cpu_ms": round(expand_cpu)},
        "frames_expanded": expanded_frames,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3, help="page loads measured")
    parser.add_argument("--frames", type=int, default=60, help="pan/zoom frames measured per view")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--store", type=Path, help="keep the store in this directory and reuse it on the next run")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="netatlas-bench-map-") as scratch:
        home = args.store or Path(scratch)
        home.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{home / 'netatlas.db'}"
        kept = home / "store.json"
        if args.store and kept.exists():
            written = json.loads(kept.read_text())
        else:
            print(f"writing a {args.devices}-device synthetic topology...", file=sys.stderr)
            written = populate(url, args.devices)
            kept.write_text(json.dumps(written))
        token = viewer_token(url, home)
        with serve(url, home, free_port(), home / "serve.log") as base:
            result = measure(base, token, args.runs, args.frames)
            known = httpx.get(f"{base}/api/topology/summary", headers={"Authorization": f"Bearer {token}"},
                              timeout=120).json()
    expected = {"devices": known["devices"]["total"], "unmanaged": known["unmanaged"], "endpoints": known["endpoints"],
                "l2": known["links"]["l2"], "l3": known["links"]["l3"]}
    total_s, client_s = result["first_render_ms"]["median"] / 1000, result["client_render_ms"]["median"] / 1000
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform(),
                    "load_avg_before": [round(x, 2) for x in load_before],
                    "load_avg_after": [round(x, 2) for x in os.getloadavg()],
                    "note": "2 cores shared with other work running at the same time: figures are upper bounds"},
        "store": written,
        **result,
        "targets": {"first_render_s": TARGETS["first_render_s"], "frame_ms": TARGETS["frame_ms"],
                    # the page's own work, and everything from navigation (the API's build included)
                    "first_render_client_met": client_s < TARGETS["first_render_s"],
                    "first_render_with_api_met": total_s < TARGETS["first_render_s"],
                    "first_render_cold_met": result["first_render_ms"]["cold"] / 1000 < TARGETS["first_render_s"],
                    # p95 of the frames of every way of panning and zooming, on the first view (as the
                    # map opens) and on the worst case (everything expanded); the full-redraw
                    # comparison is no target
                    **{f"frames_{view}_{way}_p95_met": result[f"frames_{view}"][way]["p95_ms"] < TARGETS["frame_ms"]
                       for view in ("first_view", "expanded")
                       for way in ("keyboard", "programmatic", "animated", "user")},
                    # the header's counts are the API summary's (nothing lost by not listing endpoints)
                    "counts_exact_met": result["first_view"]["counts"] == expected},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return 0 if all(v for k, v in results["targets"].items() if k.endswith("_met")) else 1


if __name__ == "__main__":
    raise SystemExit(main())
