"""``netatlas lab ...``: serve a simulated network over SSH.

The scenario table (pure Python) is imported for the options' help; the SSH server (asyncssh) and
the runtime only when ``serve`` runs.
"""

from __future__ import annotations

import asyncio
import signal
import time
from ipaddress import IPv4Network
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from netatlas.lab.builder import MGMT_NETWORK
from netatlas.lab.scenarios import MAX_DEVICES, MIN_DEVICES, SCENARIOS

if TYPE_CHECKING:
    from netatlas.lab.runtime import Lab
    from netatlas.lab.server import LabServer

DEFAULT_PORT = 22022  # netatlas.lab.server.DEFAULT_PORT (a unit test checks): that module loads asyncssh
app = typer.Typer(help="The lab: a simulated multi-vendor network served over real SSH.", no_args_is_help=True)
err = Console(stderr=True)
out = Console()


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(code=1)


@app.command()
def serve(
    scenario: Annotated[str, typer.Option(help=f"One of: {', '.join(SCENARIOS)}.")] = "campus",
    devices: Annotated[int, typer.Option(help=f"Number of devices ({MIN_DEVICES} to {MAX_DEVICES}).")] = 20,
    seed: Annotated[int, typer.Option(help="Same arguments and seed: same network.")] = 1,
    port: Annotated[int, typer.Option(help="TCP port every device listens on.")] = DEFAULT_PORT,
    latency_ms: Annotated[float, typer.Option(help="Delay before each command's output.")] = 0.0,
    faults: Annotated[str, typer.Option(help="e.g. 'unreachable:2%,auth:1%' or 'slow:sw1+sw10'.")] = "",
    address_range: Annotated[str, typer.Option(help="Loopback range for device addresses.")] = str(MGMT_NETWORK),
    inventory_out: Annotated[Path | None, typer.Option(help="Write the inventory (with credentials) here.")] = None,
    truth_out: Annotated[Path | None, typer.Option(help="Write the ground truth JSON here.")] = None,
    warm: Annotated[bool, typer.Option(help="Compute every routing table before listening.")] = False,
    bounded: Annotated[bool, typer.Option(
        help="Bounded routing plan: summaries at the spines, WAN areas and campus pairs, so a device's "
             "routing table depends on its role and area, not on the lab's size (linearity benches).")] = False,
    capture_logins: Annotated[Path | None, typer.Option(
        help="Append every connection and password attempt (user name, SHA-256 of the password) "
             "on any device to this JSON-lines file.")] = None,
    known_hosts_out: Annotated[Path | None, typer.Option(
        help="Write OpenSSH known_hosts lines of every inventory device (the keys at start).")] = None,
) -> None:
    """Serve a generated network until SIGINT/SIGTERM; SIGHUP gives 'hostkey' devices new keys."""
    from netatlas.lab.faults import FaultSpecError, parse_faults
    from netatlas.lab.runtime import prepare_lab
    from netatlas.lab.server import LabError, LabServer

    if not 1 <= port <= 65535:
        raise _fail(f"--port: {port} is out of range (1 to 65535)")
    if latency_ms < 0:
        raise _fail(f"--latency-ms: {latency_ms} must not be negative")
    try:
        mgmt = IPv4Network(address_range)
    except ValueError as exc:
        raise _fail(f"--address-range: {exc}") from exc
    try:
        parse_faults(faults)
    except FaultSpecError as exc:
        raise _fail(f"--faults: {exc}") from exc
    try:
        lab = prepare_lab(scenario, devices, seed, faults=faults, port=port, mgmt_network=mgmt, bounded=bounded)
    except ValueError as exc:  # ScenarioError names its argument; a fault naming an unknown device
        message = str(exc)
        raise _fail(message if message.startswith("--") else f"--faults: {message}") from exc
    if warm:
        started = time.monotonic()
        routes = lab.network.warm()
        out.print(f"routing tables computed: {routes} routes in {time.monotonic() - started:.1f}s")
    server = LabServer(lab.served, port=lab.port, latency_ms=latency_ms,
                       host_key_seed=f"netatlas-lab:{lab.network.seed}".encode(), capture_logins=capture_logins)
    try:
        asyncio.run(_serve(lab, server, inventory_out, truth_out, known_hosts_out))
    except LabError as exc:
        raise _fail(f"--port: {exc}") from exc
    except OSError as exc:  # --capture-logins cannot be opened
        raise _fail(f"--capture-logins: {exc}") from exc


async def _serve(lab: Lab, server: LabServer, inventory_out: Path | None, truth_out: Path | None,
                 known_hosts_out: Path | None) -> None:
    started = time.monotonic()
    await server.start()
    lab.write(inventory_out, truth_out)
    if known_hosts_out is not None:
        known_hosts_out.write_text(server.known_hosts())
    _announce(lab, server, time.monotonic() - started, inventory_out, truth_out)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    loop.add_signal_handler(signal.SIGHUP, _rotate, server)
    await stop.wait()
    await server.stop()
    out.print("lab stopped")


def _rotate(server: LabServer) -> None:
    rotated = server.rotate_host_keys()
    out.print(f"host keys rotated: {', '.join(rotated) or 'none'}", highlight=False)


def _announce(lab: Lab, server: LabServer, seconds: float, inventory: Path | None, truth: Path | None) -> None:
    addresses = [d.address for d in lab.devices]
    out.print(f"netatlas lab: {lab.network.scenario}, {len(addresses)} devices, seed {lab.network.seed}")
    out.print(f"listening on {addresses[0]} .. {addresses[-1]} port {lab.port} "
              f"({len(server.addresses)} reachable, started in {seconds:.1f}s)")
    if lab.faults:
        kinds = sorted({str(f.kind) for f in lab.faults.values()})
        out.print(f"faults: {len(lab.faults)} devices ({', '.join(kinds)})")
    for rogue in lab.rogues:
        detail = lab.fault_details.get(rogue.node, {})
        out.print(f"rogue: {rogue.node} at {rogue.address} advertises {detail.get('advertised_name')} "
                  f"to {detail.get('neighbor')}", highlight=False)
    if inventory:
        out.print(f"inventory: {inventory}")
    if truth:
        out.print(f"truth: {truth}")
    out.print("press Ctrl-C to stop", highlight=False)
