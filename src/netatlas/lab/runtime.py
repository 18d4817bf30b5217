"""Assemble a running lab: scenario + faults + credentials -> served devices, inventory, truth.

The CLI (``netatlas lab serve``), the tests and the benchmarks all go through
:func:`prepare_lab`, so they serve exactly the same thing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import yaml

from netatlas.lab.builder import MGMT_NETWORK
from netatlas.lab.faults import Fault, FaultKind, assign_faults, parse_faults
from netatlas.lab.hostile import Rogue, apply_hostile
from netatlas.lab.network import Network
from netatlas.lab.scenarios import build_network
from netatlas.lab.server import DEFAULT_PORT, ServedDevice

LAB_USERNAME = "netatlas"
CREDENTIALS_NAME = "lab"


@dataclass(frozen=True, slots=True)
class LabCredentials:
    username: str
    password: str
    enable_secret: str


def lab_credentials(seed: int) -> LabCredentials:
    """Deterministic per-seed lab credentials (they protect nothing but the lab)."""
    digest = hashlib.sha256(f"netatlas-lab-credentials:{seed}".encode()).hexdigest()
    return LabCredentials(LAB_USERNAME, f"lab-{digest[:12]}", f"en-{digest[12:24]}")


@dataclass(slots=True)
class Lab:
    """A prepared lab. ``devices`` are the inventory's; ``rogues`` are served too but listed nowhere
    except the truth's ``faults``. ``faults`` is keyed by truth node (a rogue by its ``rogueN`` id)."""

    network: Network
    devices: list[ServedDevice]
    credentials: LabCredentials
    faults: dict[str, Fault]
    port: int
    rogues: list[ServedDevice] = field(default_factory=list)
    fault_details: dict[str, dict[str, Any]] = field(default_factory=dict)  # node -> truth faults[] entry

    @property
    def served(self) -> list[ServedDevice]:
        """Everything that listens: the inventory's devices, then the rogues."""
        return [*self.devices, *self.rogues]

    def inventory(self) -> dict[str, Any]:
        """The inventory document ``netatlas discover --inventory`` reads."""
        creds = self.credentials
        return {
            "credentials": {
                CREDENTIALS_NAME: {"username": creds.username, "password": creds.password,
                                   "enable_secret": creds.enable_secret},
            },
            "devices": [
                {"name": d.state.hostname, "host": d.address, "port": self.port, "platform": str(d.state.platform),
                 "credentials": CREDENTIALS_NAME, "site": d.state.site, "role": d.state.role,
                 "tags": ["lab", self.network.scenario]}
                for d in self.devices
            ],
        }

    def truth(self) -> dict[str, Any]:
        doc = self.network.truth()
        doc["faults"] = [self.fault_details.get(node, {"node": node, "kind": str(fault.kind)})
                         for node, fault in sorted(self.faults.items())]
        return doc

    def write(self, inventory_out: Path | None, truth_out: Path | None) -> None:
        if inventory_out is not None:
            inventory_out.write_text(yaml.safe_dump(self.inventory(), sort_keys=False))
        if truth_out is not None:
            truth_out.write_text(json.dumps(self.truth(), indent=1) + "\n")


def prepare_lab(scenario: str, devices: int, seed: int, *, faults: str = "", port: int = DEFAULT_PORT,
                mgmt_network: IPv4Network = MGMT_NETWORK, bounded: bool = False) -> Lab:
    """Build the scenario and everything needed to serve it. Raises ValueError subclasses on bad input.

    ``bounded``: routing tables bounded by role and area (``build_network``)."""
    spec = parse_faults(faults)
    network = build_network(scenario, devices, seed, mgmt_network, bounded=bounded)
    assigned = assign_faults(spec, list(network.devices), seed)
    creds = lab_credentials(seed)
    hostile = apply_hostile(network, {h: f.kind for h, f in assigned.items()}, creds.username, mgmt_network)
    by_node = {h: f for h, f in assigned.items() if f.kind is not FaultKind.ROGUE}  # a rogue's neighbor is honest
    by_node |= {r.node: Fault(FaultKind.ROGUE) for r in hostile.rogues}
    network.faults = {node: str(fault.kind) for node, fault in by_node.items()}
    served = []
    for host, state in network.devices.items():
        if state.enable_secret is not None:
            state.enable_secret = creds.enable_secret
        rib = _rib_of(network, host)
        served.append(ServedDevice(state=state, rib=rib, username=creds.username, password=creds.password,
                                   fault=by_node.get(host),
                                   on_session=rib if state.bgp_peers else None))  # fills BGP prefix counts
    return Lab(network, served, creds, by_node, port, [_served_rogue(r, creds) for r in hostile.rogues],
               hostile.records)


def _served_rogue(rogue: Rogue, creds: LabCredentials) -> ServedDevice:
    return ServedDevice(state=rogue.state, rib=list, username=creds.username, password="",
                        fault=Fault(FaultKind.ROGUE), node_id=rogue.node)


def _rib_of(network: Network, host: str) -> Any:
    return lambda: network.rib(host)
