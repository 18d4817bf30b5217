"""A bounded mixed lab (``prepare_lab(..., bounded=True)``) discovered over SSH equals its ground truth.

The bounded plan changes addresses (leaf loopbacks, WAN and campus summaries), area ids and what
BGP passes on (summary-only aggregates at the spines); the truth is still derived from the model,
so the topology built from the store must equal it (every L2 cable, L3 adjacency, endpoint and
device), and every device's stored records (routes included: the aggregates with their merged
paths) must equal what the model says the device holds. SQLite only; the default lab's truth
tests are ``tests/integration/discovery/test_topology_truth.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Network
from typing import Any

import pytest

from netatlas.jobs.topology import TopologyService
from netatlas.lab.background import BackgroundLab
from netatlas.lab.runtime import Lab, prepare_lab
from netatlas.lab.scenarios.datacenter import LEAF_LOOPBACKS, LEAF_SUBNETS
from netatlas.topology.model import Topology
from tests.integration.discovery.helpers import (
    SEED,
    Discovery,
    free_port,
    truth_mismatches,
    write_inventory,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

DEVICES = 120
NETWORK = IPv4Network("127.217.0.0/16")


@dataclass(frozen=True, slots=True)
class Discovered:
    lab: Lab
    truth: dict[str, Any]
    topology: Topology
    mismatches: list[str]


@pytest.fixture(scope="module")
def discovered(tmp_path_factory: pytest.TempPathFactory) -> Discovered:
    lab = prepare_lab("mixed", DEVICES, SEED, port=free_port(NETWORK), mgmt_network=NETWORK, bounded=True)
    home = tmp_path_factory.mktemp("bounded")
    with BackgroundLab(lab):
        discovery = Discovery.open(f"sqlite:///{home / 'netatlas.db'}", home)
        try:
            job = discovery.run(discovery.import_file(write_inventory(lab.inventory(), home / "lab.yaml")))
            topology = TopologyService(discovery.db).topology()
            mismatches = [m for device in lab.devices for m in truth_mismatches(discovery.db, device, job_id=job)]
        finally:
            discovery.close()
    return Discovered(lab, lab.truth(), topology, mismatches)


def _links(doc: dict[str, Any], layer: str) -> set[tuple[Any, ...]]:
    return {(x["a"]["node"], x["a"]["interface"], x["b"]["node"], x["b"]["interface"], tuple(x["protocols"]),
             x["vrf"]) for x in doc["links"] if x["layer"] == layer}


@pytest.mark.parametrize("layer", ["l2", "l3"])
def test_every_link_equals_the_truth(discovered: Discovered, layer: str) -> None:
    found, truth = _links(discovered.topology.as_truth(), layer), _links(discovered.truth, layer)
    assert len(truth) > DEVICES / 2
    assert truth - found == set(), f"recall < 1: {sorted(truth - found)[:5]}"
    assert found - truth == set(), f"precision < 1: {sorted(found - truth)[:5]}"


def test_endpoints_and_devices_equal_the_truth(discovered: Discovered) -> None:
    mine = discovered.topology.as_truth()

    def endpoints(doc: dict[str, Any]) -> set[tuple[Any, ...]]:
        return {tuple(sorted(e.items())) for e in doc["endpoints"]}

    def devices(doc: dict[str, Any]) -> set[tuple[Any, ...]]:
        return {tuple(sorted(n.items())) for n in doc["nodes"] if n["kind"] == "device"}

    assert len(endpoints(discovered.truth)) > DEVICES
    assert endpoints(mine) == endpoints(discovered.truth)
    assert devices(mine) == devices(discovered.truth)
    assert [p.message for p in discovered.topology.problems] == []


def test_every_device_stored_what_the_model_says_it_holds(discovered: Discovered) -> None:
    assert discovered.mismatches == []


def test_a_leaf_holds_the_spines_aggregates_not_the_other_leaves(discovered: Discovered) -> None:
    """What the discovery just compared is the bounded plan: the aggregates, no leaf's specifics."""
    network = discovered.lab.network
    leaf = next(h for h, d in network.devices.items() if d.role == "leaf" and d.bgp_asn is not None)
    bgp = {r.prefix: r for r in network.rib(leaf) if str(r.protocol) == "bgp"}
    assert {LEAF_LOOPBACKS, LEAF_SUBNETS} <= set(bgp)
    assert [p for p in bgp if p != LEAF_SUBNETS and p.subnet_of(LEAF_SUBNETS)] == []
    spine_links = [i for i in network.devices[leaf].interfaces
                   if i.description.startswith("to spine") and i.vrf == "default"]
    assert len(bgp[LEAF_SUBNETS].next_hops) == len(spine_links) > 1
