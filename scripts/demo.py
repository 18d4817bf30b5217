"""`make demo`: serve a 60-device mixed lab and discover it on the embedded default.

1. `netatlas lab serve` in its own process: 60 devices of four platforms on 127.20.0.x, with
   two devices deliberately broken (wrong credentials, unreachable) to show failure reporting.
2. `netatlas discover --inventory var/lab-inventory.yaml` on the embedded default: SQLite
   under `var/netatlas-home/` and the in-process executor; live progress, then the summary.
3. The topology built from what was stored (`netatlas topology summary`: devices, links by kind,
   endpoints, one-sided links, single points of failure), a look at the stored records
   (`netatlas devices data ...`).
4. The web UI: a demo operator (`demo` / `netatlas-demo`) and `netatlas serve` on the discovered
   lab, its URL printed; it serves until Ctrl-C, then the lab is stopped. Without a terminal on
   stdin (CI) the UI step only prints the command and the demo ends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
HOME = VAR / "netatlas-home"
FAULTS = "auth:sw5,unreachable:leaf6"
DEMO_USER, DEMO_PASSWORD = "demo", "netatlas-demo"  # a local demo on loopback only
UI_PORT = int(os.environ.get("NETATLAS_DEMO_PORT", "8000"))


def netatlas(*args: str) -> list[str]:
    return [sys.executable, "-m", "netatlas.cli.main", *args]


def start_lab() -> subprocess.Popen[str]:
    VAR.mkdir(exist_ok=True)
    lab = subprocess.Popen(  # noqa: S603 - our own CLI
        netatlas("lab", "serve", "--scenario", "mixed", "--devices", "60", "--seed", "7", "--faults", FAULTS,
                 "--inventory-out", str(VAR / "lab-inventory.yaml"), "--truth-out", str(VAR / "lab-truth.json")),
        stdout=subprocess.PIPE, text=True)
    assert lab.stdout is not None
    for line in lab.stdout:
        print(f"lab | {line.rstrip()}")
        if line.startswith("press Ctrl-C"):
            return lab
    raise SystemExit(f"the lab did not start (exit code {lab.wait()})")


def run(*args: str, ok: tuple[int, ...] = (0,)) -> None:
    print(f"\n$ netatlas {' '.join(args)}", flush=True)
    code = subprocess.run(netatlas(*args), env={**os.environ, "NETATLAS_HOME": str(HOME)},  # noqa: S603
                          check=False).returncode
    if code not in ok:
        raise SystemExit(f"netatlas {args[0]} exited {code}")


def main() -> None:
    lab = start_lab()
    try:
        # exit code 2 = some devices failed: expected here, two devices are broken on purpose
        run("discover", "--inventory", str(VAR / "lab-inventory.yaml"), ok=(0, 2))
        run("jobs", "list", "--limit", "3")
        # the map built from what was stored: devices, links by kind, endpoints, one-sided links, SPOFs
        run("topology", "summary")
        run("devices", "data", "core1", "--kind", "lldp")
        run("devices", "data", "leaf1", "--kind", "bgp")
        print(f"\nDatabase: {HOME / 'netatlas.db'}  (NETATLAS_HOME={HOME})")
        print(f"Lab inventory: {VAR / 'lab-inventory.yaml'}  ground truth: {VAR / 'lab-truth.json'}")
        print("Try: NETATLAS_HOME=var/netatlas-home .venv/bin/netatlas devices data core1 --kind routes")
        print("     NETATLAS_HOME=var/netatlas-home .venv/bin/netatlas topology show --node core1")
        web_ui()
    finally:
        lab.send_signal(signal.SIGTERM)
        lab.wait(10)


def web_ui() -> None:
    """The demo operator (created, or its password reset), then the UI until Ctrl-C."""
    env = {**os.environ, "NETATLAS_HOME": str(HOME)}
    for command in (("user", "create", DEMO_USER, "--role", "operator"), ("user", "passwd", DEMO_USER)):
        done = subprocess.run(netatlas(*command, "--password-stdin"), input=DEMO_PASSWORD + "\n", env=env,  # noqa: S603
                              capture_output=True, text=True, check=False)
        if done.returncode == 0:
            break
    else:
        raise SystemExit(f"could not create the demo user: {done.stderr.strip()}")
    serve = ("serve", "--host", "127.0.0.1", "--port", str(UI_PORT))
    print(f"\nWeb UI: http://127.0.0.1:{UI_PORT}/   login: {DEMO_USER} / {DEMO_PASSWORD}  (operator)")
    if not sys.stdin.isatty():
        print(f"(no terminal: not serving; run NETATLAS_HOME=var/netatlas-home .venv/bin/netatlas {' '.join(serve)})")
        return
    print("Serving the UI on the discovered lab; press Ctrl-C to stop.", flush=True)
    server = subprocess.Popen(netatlas(*serve), env=env)  # noqa: S603 - our own CLI
    try:
        server.wait()
    except KeyboardInterrupt:
        server.send_signal(signal.SIGINT)
        server.wait(15)


if __name__ == "__main__":
    main()
