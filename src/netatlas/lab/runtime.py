"""Assemble a running lab: scenario + faults + credentials -> served devices, inventory, truth.

The CLI (``netatlas lab serve``), the tests and the benchmarks all go through
:func:`prepare_lab`, so they serve exactly the same thing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import yaml

from netatlas.lab.builder import MGMT_NETWORK
from netatlas.lab.faults import Fault, assign_faults, parse_faults
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
    network: Network
    devices: list[ServedDevice]
    credentials: LabCredentials
    faults: dict[str, Fault]
    port: int

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
        return self.network.truth()

    def write(self, inventory_out: Path | None, truth_out: Path | None) -> None:
        if inventory_out is not None:
            inventory_out.write_text(yaml.safe_dump(self.inventory(), sort_keys=False))
        if truth_out is not None:
            truth_out.write_text(json.dumps(self.truth(), indent=1) + "\n")


def prepare_lab(scenario: str, devices: int, seed: int, *, faults: str = "", port: int = DEFAULT_PORT,
                mgmt_network: IPv4Network = MGMT_NETWORK) -> Lab:
    """Build the scenario and everything needed to serve it. Raises ValueError subclasses on bad input."""
    spec = parse_faults(faults)
    network = build_network(scenario, devices, seed, mgmt_network)
    assigned = assign_faults(spec, list(network.devices), seed)
    network.faults = {host: str(fault.kind) for host, fault in assigned.items()}
    creds = lab_credentials(seed)
    served = []
    for host, state in network.devices.items():
        if state.enable_secret is not None:
            state.enable_secret = creds.enable_secret
        rib = _rib_of(network, host)
        served.append(ServedDevice(state=state, rib=rib, username=creds.username, password=creds.password,
                                   fault=assigned.get(host),
                                   on_session=rib if state.bgp_peers else None))  # fills BGP prefix counts
    return Lab(network, served, creds, assigned, port)


def _rib_of(network: Network, host: str) -> Any:
    return lambda: network.rib(host)
