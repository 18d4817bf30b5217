"""The topology built from the store equals the lab's ground truth, on every scenario.

Each scenario is served as a 50-device lab, discovered over SSH into a fresh database (SQLite and
PostgreSQL), and its topology is built by ``TopologyService`` (the store's bulk read, then the
pure builder). Every L2 cable with both interfaces, every L3 adjacency with its protocols and
VRF, and every endpoint's switch port must equal the truth: precision and recall 1.0. The
``mixed`` lab also has faulted and hostile devices: their own links are left out of the
comparison (only healthy neighbors can report them), the rogue device that borrows a managed
device's name is kept apart and reported, and nothing else changes.

The 1,000-device figures are in ``bench/topology.py`` (a benchmark, not a timed test).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import pytest

from netatlas.jobs.topology import TopologyService
from netatlas.lab.background import BackgroundLab
from netatlas.lab.runtime import Lab
from netatlas.topology.model import L2, LinkState, NodeKind, ProblemKind, Topology
from tests.integration.discovery.helpers import Discovery, make_lab, pg_database, write_inventory

pytestmark = pytest.mark.integration

DEVICES = 50
FAULTS = "auth:1,unreachable:1,garbage:1,rogue:1,markup:1"
SCENARIOS = {  # scenario -> (management network, faults)
    "campus": (IPv4Network("127.71.0.0/16"), ""),
    "datacenter": (IPv4Network("127.72.0.0/16"), ""),
    "wan": (IPv4Network("127.73.0.0/16"), ""),
    "mixed": (IPv4Network("127.74.0.0/16"), FAULTS),
}

LinkKey = tuple[str, str, str, str, str, tuple[str, ...], str]


@dataclass(frozen=True, slots=True)
class Built:
    lab: Lab
    truth: dict[str, Any]
    topology: Topology
    faulted: frozenset[str]


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def built(request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory) -> Built:
    scenario: str = request.param
    network, faults = SCENARIOS[scenario]
    lab = make_lab(scenario, DEVICES, network, faults=faults)
    home = tmp_path_factory.mktemp(f"topology-{scenario}-{backend}")
    with BackgroundLab(lab), _database(backend, scenario, home) as url:
        discovery = Discovery.open(url, home)
        try:
            discovery.run(discovery.import_file(write_inventory(lab.inventory(), home / "lab.yaml")))
            topology = TopologyService(discovery.db).topology()
        finally:
            discovery.close()
    truth = lab.truth()
    return Built(lab, truth, topology, frozenset(f["node"] for f in truth["faults"]))


@contextmanager
def _database(backend: str, scenario: str, home: Path) -> Iterator[str]:
    """A fresh database URL for one scenario on one backend."""
    if backend == "sqlite":
        yield f"sqlite:///{home / 'netatlas.db'}"
        return
    with pg_database(f"topology_{scenario}") as url:
        yield url


def _link(link: dict[str, Any]) -> LinkKey:
    a, b = link["a"], link["b"]
    return link["layer"], a["node"], a["interface"], b["node"], b["interface"], tuple(link["protocols"]), link["vrf"]


def _healthy_links(links: list[dict[str, Any]], faulted: frozenset[str]) -> set[LinkKey]:
    return {_link(x) for x in links if x["a"]["node"] not in faulted and x["b"]["node"] not in faulted}


def _compare(built: Built, kind: str) -> tuple[set[Any], set[Any]]:
    mine = built.topology.as_truth()
    if kind == "links":
        return _healthy_links(mine["links"], built.faulted), _healthy_links(built.truth["links"], built.faulted)
    return ({tuple(sorted(e.items())) for e in mine["endpoints"] if e["node"] not in built.faulted},
            {tuple(sorted(e.items())) for e in built.truth["endpoints"] if e["node"] not in built.faulted})


@pytest.mark.parametrize("layer", ["l2", "l3"])
def test_every_link_equals_the_truth(built: Built, layer: str) -> None:
    found, truth = _compare(built, "links")
    found, truth = {x for x in found if x[0] == layer}, {x for x in truth if x[0] == layer}
    rogue = {x for x in found - truth if "@" in x[1] or "@" in x[3]}  # kept apart: see the rogue test
    assert len(truth) > DEVICES / 2, f"the {layer} truth is implausibly small"
    assert truth - found == set(), f"recall < 1: {sorted(truth - found)[:5]}"
    assert found - truth - rogue == set(), f"precision < 1: {sorted(found - truth - rogue)[:5]}"


def test_every_endpoint_is_at_its_port(built: Built) -> None:
    found, truth = _compare(built, "endpoints")
    if built.lab.network.scenario != "wan":
        assert len(truth) > DEVICES
    assert truth - found == set(), f"recall < 1: {sorted(truth - found)[:3]}"
    assert found - truth == set(), f"precision < 1: {sorted(found - truth)[:3]}"


def test_devices_and_unmanaged_neighbors_are_the_truths_nodes(built: Built) -> None:
    """Devices exactly; unmanaged neighbors by name, address and site (a neighbor heard over LLDP
    alone advertises a description, not a model, so its platform text is what LLDP says)."""
    mine = built.topology.as_truth()["nodes"]
    heard = {e["node"] for x in built.truth["links"] if x["layer"] == L2 for e in (x["a"], x["b"])
             if not ({x["a"]["node"], x["b"]["node"]} & built.faulted)}

    def devices(nodes: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
        return {tuple(sorted(n.items())) for n in nodes if n["kind"] == "device" and n["id"] not in built.faulted}

    def unmanaged(nodes: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
        return {(n["id"], n["mgmt_ip"], n["site"]) for n in nodes if n["kind"] == "unmanaged" and n["id"] in heard}

    assert devices(mine) == devices(built.truth["nodes"])
    assert unmanaged(mine) == unmanaged(built.truth["nodes"])


def test_no_problem_is_reported_on_a_healthy_network(built: Built) -> None:
    problems = [p for p in built.topology.problems if not set(p.nodes) & built.faulted]
    allowed = {ProblemKind.IMPERSONATION, ProblemKind.AMBIGUOUS_ENDPOINT} if built.faulted else set()
    assert [p.message for p in problems if p.kind not in allowed] == []


def test_a_cable_is_one_sided_only_where_one_protocol_alone_hears_it(built: Built) -> None:
    """Both ends report every cable both ends can hear; one-sided ones are heard over one protocol
    that only one end runs (LLDP or CDP off at the other, an old image)."""
    single = {_link(x)[1:5] for x in built.truth["links"] if x["layer"] == L2 and len(x["protocols"]) == 1}
    one_sided = [x for x in built.topology.links_of(L2) if x.state is LinkState.ONE_SIDED
                 and not {x.a.node, x.b.node} & built.faulted]
    assert [x for x in one_sided if (x.a.node, x.a.interface, x.b.node, x.b.interface) not in single] == []


def test_a_rogue_that_borrows_a_name_is_kept_apart_and_reported(built: Built) -> None:
    rogues = [f for f in built.truth["faults"] if f["kind"] == "rogue"]
    impersonations = [p for p in built.topology.problems if p.kind is ProblemKind.IMPERSONATION]
    if not rogues:
        assert impersonations == [], "no rogue, no impersonation"
        return
    (rogue,) = rogues
    assert impersonations and all(rogue["impersonates"] in p.nodes for p in impersonations)
    apart = f"{rogue['impersonates']}@{rogue['mgmt_ip']}"
    assert built.topology.nodes[apart].kind is NodeKind.UNMANAGED
    touching = {x.a.node if x.b.node == rogue["neighbor"] else x.b.node
                for x in built.topology.links if rogue["neighbor"] in (x.a.node, x.b.node)}
    assert apart in touching
    port = (rogue["neighbor"], rogue["neighbor_interface"])
    assert not [x for x in built.topology.links if port in x.ends() and rogue["impersonates"] in (x.a.node, x.b.node)]
