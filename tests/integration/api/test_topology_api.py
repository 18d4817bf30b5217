"""The topology endpoints over a lab discovered for real (SSH), on SQLite and PostgreSQL.

An 8-device campus lab is discovered twice through ``DiscoveryService``; before the second run one
host is moved to another edge port of its switch. Every topology endpoint must then answer what
``netatlas topology ... --json`` prints for the same database (``show`` through the CLI run as a
subprocess; the others through ``TopologyService``, which the CLI prints as it is), exports come with their media types,
bad parameters are named, and an override makes its round trip. The discovered job and each
device's current data are read back through the jobs and devices endpoints too.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import pytest

from netatlas.api.routes.topology import current_view
from netatlas.cli.topology import topology_document
from netatlas.domain.accounts import Role
from netatlas.domain.datatypes import RECORD_KINDS
from netatlas.domain.jsonable import to_jsonable
from netatlas.domain.records import DeviceResult, ErrorKind, JobStatus
from netatlas.jobs.queries import DataQueries
from netatlas.jobs.topology import TopologyService
from netatlas.lab.background import BackgroundLab
from netatlas.lab.model import MacEntry
from netatlas.lab.runtime import Lab
from netatlas.store import JobRepo, SnapshotRepo
from netatlas.topology.export import FORMATS
from tests.integration.api.harness import Api, open_api
from tests.integration.discovery.helpers import Discovery, cli_json, make_lab, write_inventory

pytestmark = pytest.mark.integration

NETWORK = IPv4Network("127.103.0.0/16")
DEVICES = 8
MEDIA = {"json": "application/json", "graphml": "application/graphml+xml", "gexf": "application/gexf+xml",
         "dot": "text/vnd.graphviz", "mermaid": "text/plain", "csv": "text/csv"}


@dataclass(frozen=True, slots=True)
class Moved:
    mac: str
    switch: str
    old: str
    new: str


@dataclass
class Served:
    api: Api
    service: TopologyService
    jobs: tuple[str, str]
    moved: Moved
    truth: dict[str, Any]
    db_url: str
    home: Path

    def cli(self, *args: str) -> Any:
        code, found = cli_json(["topology", *args, "--db", self.db_url], self.home)
        assert code == 0, found
        return found


def move_host(lab: Lab) -> Moved:
    """Move one host to another of its switch's edge ports (one with a host and no cable)."""
    truth = lab.truth()
    cabled = {(end["node"], end["interface"]) for link in truth["links"] for end in (link["a"], link["b"])}
    ports: dict[str, list[dict[str, Any]]] = {}
    for endpoint in truth["endpoints"]:
        if (endpoint["node"], endpoint["interface"]) not in cabled:
            ports.setdefault(endpoint["node"], []).append(endpoint)
    switch, hosts = next((s, h) for s, h in sorted(ports.items()) if len({e["interface"] for e in h}) > 1)
    host = hosts[0]
    target = next(e["interface"] for e in hosts if e["interface"] != host["interface"])
    state = next(d.state for d in lab.devices if d.state.hostname == switch)
    entry = next(m for m in state.mac_table if m.mac == host["mac"])
    state.mac_table[state.mac_table.index(entry)] = MacEntry(entry.vlan, entry.mac, target, entry.dynamic)
    return Moved(host["mac"], switch, host["interface"], target)


@pytest.fixture(scope="module")
def served(db_url: str, home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    before = make_lab("campus", DEVICES, NETWORK)
    files = tmp_path_factory.mktemp("inventory")
    discovery = Discovery.open(db_url, home)
    try:
        with BackgroundLab(before):
            first = discovery.run(discovery.import_file(write_inventory(before.inventory(), files / "1.yaml")))
        after = make_lab("campus", DEVICES, NETWORK)  # on another port: the first may still be held
        moved = move_host(after)
        with BackgroundLab(after):
            second = discovery.run(discovery.import_file(write_inventory(after.inventory(), files / "2.yaml")))
    finally:
        discovery.close()
    with open_api(db_url, home) as api:
        yield Served(api, TopologyService(api.ctx.db), (first, second), moved, before.truth(), db_url, home)


def _ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def test_show_is_the_cli_document(served: Served) -> None:
    found = _ok(served.api.get("/api/topology"))
    assert found == served.cli("show")
    assert found["counts"]["devices"] == DEVICES and found["counts"]["l2"] > 0 and found["endpoints"]
    part = _ok(served.api.get("/api/topology", params={"layer": "l2", "node": "sw1", "depth": 1}))
    assert part == topology_document(served.service.show("l2", None, None, "sw1", 1))
    assert {link["layer"] for link in part["links"]} == {"l2"}
    assert any("sw1" in (link["a"]["node"], link["b"]["node"]) for link in part["links"])
    first = _ok(served.api.get("/api/topology", params={"job": served.jobs[0]}))
    assert first["label"] == served.jobs[0]
    assert first == topology_document(served.service.show(job=served.jobs[0]))


def test_summary_and_analysis_are_the_services(served: Served) -> None:
    summary = _ok(served.api.get("/api/topology/summary"))
    assert summary == served.service.summary()
    assert summary["devices"]["total"] == DEVICES and summary["devices"]["ok"] == DEVICES
    analysis = _ok(served.api.get("/api/topology/analysis"))
    assert analysis == served.service.analysis().as_dict()
    assert analysis["failed"] == []


def test_diff_shows_the_moved_host(served: Served) -> None:
    change = _ok(served.api.get("/api/topology/diff"))
    expected = served.service.diff()
    assert change == {**expected.as_dict(), "counts": expected.counts(), "empty": expected.empty}
    assert (change["old"], change["new"]) == served.jobs
    moved = served.moved
    assert [(m["mac"], m["from"]["interface"], m["to"]["interface"]) for m in change["endpoints"]["moved"]] == [
        (moved.mac, moved.old, moved.new)]
    same = _ok(served.api.get("/api/topology/diff", params={"from_job": served.jobs[0], "to_job": served.jobs[0]}))
    assert same["empty"] is True
    assert _ok(served.api.get("/api/topology/diff", params={"to_job": served.jobs[1]})) == change
    unknown = served.api.get("/api/topology/diff", params={"from_job": "nosuch", "to_job": served.jobs[1]})
    assert unknown.status_code == 404 and unknown.json()["message"].startswith("from_job: ")


def test_endpoints_tell_where_a_host_is_and_was(served: Served) -> None:
    moved = served.moved
    dotted = moved.mac.replace(":", "")
    found = _ok(served.api.get("/api/topology/endpoints", params={"q": f"{dotted[:4]}.{dotted[4:8]}.{dotted[8:]}"}))
    assert found == served.service.where(moved.mac).as_dict() | {"query": found["query"]}
    assert [(p["node"], p["interface"]) for p in found["now"]] == [(moved.switch, moved.new)]
    assert len(found["moves"]) == 1 and found["moves"][0]["from"]["places"][0]["interface"] == moved.old
    host = next(e for e in served.truth["endpoints"] if e["ip"] and e["mac"] != moved.mac)
    by_ip = _ok(served.api.get("/api/topology/endpoints", params={"q": host["ip"], "runs": 0}))
    assert by_ip == served.service.where(host["ip"], 0).as_dict()
    assert {(p["node"], p["interface"]) for p in by_ip["now"]} == {(host["node"], host["interface"])}
    assert by_ip["history"] == []
    empty = served.api.get("/api/topology/endpoints", params={"q": "  "})
    assert empty.status_code == 422 and empty.json()["message"] == "query.q: empty"
    assert served.api.get("/api/topology/endpoints").status_code == 422


def test_path_is_the_services(served: Served) -> None:
    hosts = [e for e in served.truth["endpoints"] if e["ip"]]
    source = hosts[0]
    destination = next(e for e in hosts if e["node"] != source["node"])
    params = {"src": source["ip"], "dst": destination["ip"]}
    found = _ok(served.api.get("/api/topology/path", params=params))
    assert found == served.service.path(source["ip"], destination["ip"]).as_dict()
    assert found["hops"] and (found["source"], found["destination"]) == (source["ip"], destination["ip"])
    bad = served.api.get("/api/topology/path", params={"src": "10.0.0.300", "dst": destination["ip"]})
    assert bad.status_code == 422 and bad.json()["message"].startswith("query.src: ")
    assert served.api.get("/api/topology/path", params={"src": source["ip"]}).status_code == 422


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_formats_and_media_types(served: Served, fmt: str) -> None:
    response = served.api.get("/api/topology/export", params={"format": fmt})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == MEDIA[fmt]
    assert "attachment" in response.headers["content-disposition"]
    assert response.text == served.service.export(fmt)


def test_bad_parameters_are_named(served: Served) -> None:
    for params, status, start in (({"layer": "l4"}, 422, "query.layer"), ({"depth": -1}, 422, "query.depth"),
                                  ({"node": "nosuch"}, 404, "node: "), ({"job": "nosuch"}, 404, "job: ")):
        response = served.api.get("/api/topology", params=params)
        assert response.status_code == status, (params, response.text)
        assert response.json()["message"].startswith(start), response.text
    assert served.api.get("/api/topology/export", params={"format": "yaml"}).status_code == 422
    assert served.api.client.get("/api/topology").status_code == 401


def test_override_round_trip(served: Served) -> None:
    link = next(li for li in _ok(served.api.get("/api/topology", params={"layer": "l2"}))["links"]
                if li["b"]["node"] in {d["id"] for d in served.truth["nodes"] if d["kind"] == "device"})
    body = {"action": "confirm", "a": f"{link['a']['node']}:{link['a']['interface']}",
            "b": f"{link['b']['node']}:{link['b']['interface']}", "reason": "walked the cable"}
    assert served.api.post("/api/topology/overrides", Role.VIEWER, json=body).status_code == 403
    created = served.api.post("/api/topology/overrides", Role.OPERATOR, json=body)
    assert created.status_code == 201, created.text
    override = created.json()
    assert (override["action"], override["note"], override["created_by"]) == ("confirm", "walked the cable",
                                                                               "token:test-operator")
    assert _ok(served.api.get("/api/topology/overrides")) == [override]
    assert [(o.id, o.action.value, o.created_by) for o in served.service.overrides()] == [
        (override["id"], "confirm", "token:test-operator")]
    shown = _ok(served.api.get("/api/topology", params={"layer": "l2"}))["links"]
    confirmed = next(li for li in shown if (li["a"], li["b"]) == (link["a"], link["b"]))
    assert (confirmed["state"], confirmed["override_id"]) == ("confirmed", override["id"])
    bad = served.api.post("/api/topology/overrides", Role.OPERATOR, json={**body, "action": "bless"})
    assert bad.status_code == 422 and bad.json()["message"].startswith("body.action: ")
    assert served.api.delete(f"/api/topology/overrides/{override['id']}", Role.VIEWER).status_code == 403
    assert served.api.delete(f"/api/topology/overrides/{override['id']}").status_code == 204
    assert served.api.delete(f"/api/topology/overrides/{override['id']}").status_code == 404
    assert _ok(served.api.get("/api/topology/overrides")) == []


def test_the_discovery_job_and_device_data(served: Served) -> None:
    job = _ok(served.api.get(f"/api/jobs/{served.jobs[1]}"))
    assert job["status"] == "completed" and job["counts"]["completed"] == DEVICES
    assert {d["status"] for d in job["devices"]} == {"completed"}
    listed = _ok(served.api.get("/api/jobs", params={"status": "completed"}))["items"]
    assert [j["id"] for j in listed] == [served.jobs[1], served.jobs[0]]
    queries = DataQueries(served.api.ctx.db)
    for kind in RECORD_KINDS:
        found = _ok(served.api.get(f"/api/devices/sw1/data/{kind}", params={"limit": 500}))
        current = queries.current("sw1", kind, limit=500)
        assert found["records"] == [to_jsonable(r) for r in current.records.items], kind
        assert set(found["coverage"]) == {h.data_type.value for h in current.held}
    macs = _ok(served.api.get("/api/devices/sw1/data/mac", params={"limit": 1}))
    assert len(macs["records"]) == 1 and macs["more"] is True
    assert {c["job_id"] for c in macs["coverage"].values()} == {served.jobs[1]}


def test_endpoints_all_count_or_none(served: Served) -> None:
    full = _ok(served.api.get("/api/topology"))
    assert _ok(served.api.get("/api/topology", params={"endpoints": "all"})) == full
    counted = _ok(served.api.get("/api/topology", params={"endpoints": "count"}))
    bare = _ok(served.api.get("/api/topology", params={"endpoints": "none"}))
    per_switch: dict[str, int] = {}
    for endpoint in full["endpoints"]:
        per_switch[endpoint["node"]] = per_switch.get(endpoint["node"], 0) + 1
    assert counted["endpoint_counts"] == per_switch and sum(per_switch.values()) == full["counts"]["endpoints"] > 0
    assert "endpoint_counts" not in full and "endpoint_counts" not in bare
    for part in (counted, bare):
        assert part["endpoints"] == []
        assert {k: v for k, v in part.items() if k not in ("endpoints", "endpoint_counts")} == {
            k: v for k, v in full.items() if k != "endpoints"}
    # with a filter too: the counts of the part shown
    part = _ok(served.api.get("/api/topology", params={"node": "sw1", "depth": 0, "endpoints": "count"}))
    assert part["endpoint_counts"] == {"sw1": per_switch["sw1"]}
    bad = served.api.get("/api/topology", params={"endpoints": "some"})
    assert bad.status_code == 422 and bad.json()["message"].startswith("query.endpoints"), bad.text


def test_attached_endpoints_by_switch(served: Served) -> None:
    full = _ok(served.api.get("/api/topology"))
    switches = sorted({e["node"] for e in full["endpoints"]})[:2]
    found = _ok(served.api.get("/api/topology/attached", params={"node": [*switches, "nosuch"]}))
    assert found["label"] == "current" and found["nodes"] == sorted([*switches, "nosuch"])
    assert found["endpoints"] == [e for e in full["endpoints"] if e["node"] in switches] != []
    every = _ok(served.api.get("/api/topology/attached"))
    assert (every["nodes"], every["endpoints"]) == (None, full["endpoints"])
    first = _ok(served.api.get("/api/topology/attached", params={"job": served.jobs[0]}))
    assert first["endpoints"] == _ok(served.api.get("/api/topology", params={"job": served.jobs[0]}))["endpoints"]
    many = served.api.get("/api/topology/attached", params={"node": [f"sw{i}" for i in range(201)]})
    assert many.status_code == 422 and many.json()["message"].startswith("query.node"), many.text
    assert served.api.get("/api/topology/attached", params={"job": "nosuch"}).status_code == 404
    assert served.api.client.get("/api/topology/attached").status_code == 401


def _put_layout(served: Served, body: Any, role: Role = Role.OPERATOR) -> Any:
    return served.api.client.put("/api/topology/layout", headers=served.api.auth(role), json=body)


def test_layout_round_trip(served: Served) -> None:
    assert _ok(served.api.get("/api/topology/layout")) == {"positions": {}, "count": 0, "updated_at": None,
                                                           "updated_by": ""}
    body = {"positions": {"sw1": {"x": 10.5, "y": -20}, "grp:site1 · access": {"x": 0, "y": 0}}}
    assert _put_layout(served, body, Role.VIEWER).status_code == 403
    stored = _ok(_put_layout(served, body))
    assert stored["positions"] == {"sw1": {"x": 10.5, "y": -20.0}, "grp:site1 · access": {"x": 0.0, "y": 0.0}}
    assert (stored["count"], stored["updated_by"]) == (2, "token:test-operator") and stored["updated_at"]
    merged = _ok(_put_layout(served, {"positions": {"sw2": {"x": 1, "y": 2}, "grp:site1 · access": None}}))
    assert merged["positions"] == {"sw1": {"x": 10.5, "y": -20.0}, "sw2": {"x": 1.0, "y": 2.0}}
    assert _ok(served.api.get("/api/topology/layout")) == merged  # a viewer reads what the operator stored
    replaced = _ok(_put_layout(served, {"positions": {"sw3": {"x": 3, "y": 3}}, "replace": True}))
    assert replaced["positions"] == {"sw3": {"x": 3.0, "y": 3.0}}
    assert _ok(_put_layout(served, {"positions": {}, "replace": True}))["count"] == 0


@pytest.mark.parametrize(("body", "field"), [
    ({"positions": {"sw1": {"x": "left", "y": 0}}}, "body.positions.sw1.x"),
    ({"positions": {"sw1": {"x": 0, "y": 1e9}}}, "body.positions.sw1.y"),
    ({"positions": {"sw1": {"x": 0}}}, "body.positions.sw1.y"),
    ({"positions": {"sw1": {"x": 0, "y": 0, "z": 1}}}, "body.positions.sw1.z"),
    ({"positions": {"sw1\u0007": {"x": 0, "y": 0}}}, "body.positions.sw1"),
    ({"positions": {"x" * 513: {"x": 0, "y": 0}}}, "body.positions.xxxx"),
    ({"positions": {f"n{i}": {"x": 0, "y": 0} for i in range(50_001)}}, "body.positions"),
    ({"positions": []}, "body.positions"),
    ({}, "body.positions"),
    ({"positions": {}, "replace": "maybe"}, "body.replace"),
])
def test_a_bad_layout_is_refused_naming_the_field(served: Served, body: Any, field: str) -> None:
    before = _ok(served.api.get("/api/topology/layout"))
    refused = _put_layout(served, body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["message"].startswith(field), refused.json()["message"][:300]
    assert _ok(served.api.get("/api/topology/layout")) == before


def test_a_non_finite_coordinate_is_refused(served: Served) -> None:
    refused = served.api.client.put("/api/topology/layout", headers={**served.api.auth(Role.OPERATOR),
                                                                     "Content-Type": "application/json"},
                                    content=b'{"positions": {"sw1": {"x": NaN, "y": 0}}}')
    assert refused.status_code == 422 and refused.json()["message"].startswith("body"), refused.text


def test_the_current_topology_is_built_before_the_first_request(served: Served) -> None:
    """The app builds the current topology in the background when it starts (the first map waits for no
    build); it builds it again only after a change, and never while a job runs."""
    with open_api(served.db_url, served.home) as api:
        api._tokens[Role.VIEWER] = served.api.token(Role.VIEWER)  # one token of a name per database
        kept = current_view(api.ctx)
        deadline = time.monotonic() + 60
        while not kept.built and time.monotonic() < deadline:
            time.sleep(0.1)
        assert kept.built, "not built in the background within 60 s"
        assert kept.warm() is False  # nothing changed since
        with api.ctx.db.session() as session:
            job = JobRepo(session).create([], {"data_types": ["mac_table"]}, requested_by="tests")
            JobRepo(session).set_status(job, JobStatus.RUNNING)
            SnapshotRepo(session).save(job, "sw2", DeviceResult("sw2", False, error_kind=ErrorKind.TIMEOUT,
                                                                error="timed out"))
        assert kept.warm() is False  # changed, but a job runs: its next devices change it again
        with api.ctx.db.session() as session:
            JobRepo(session).finish(job, JobStatus.COMPLETED)
        assert kept.warm() is True
        node = next(n for n in _ok(api.get("/api/topology"))["nodes"] if n["id"] == "sw2")
        assert node["error_kind"] == "timeout"


def test_the_kept_current_topology_follows_every_change(served: Served) -> None:
    """The whole current topology is kept between requests: an override, an inventory edit and a new
    snapshot each show at once (the module's last test: it changes the database)."""
    def node(name: str) -> dict[str, Any]:
        return next(n for n in _ok(served.api.get("/api/topology"))["nodes"] if n["id"] == name)

    def attached(name: str) -> list[Any]:
        return list(_ok(served.api.get("/api/topology/attached", params={"node": name}))["endpoints"])

    first = _ok(served.api.get("/api/topology"))
    assert _ok(served.api.get("/api/topology")) == first
    link = next(li for li in first["links"] if li["layer"] == "l2")
    body = {"action": "confirm", "a": f"{link['a']['node']}:{link['a']['interface']}",
            "b": f"{link['b']['node']}:{link['b']['interface']}"}
    created = served.api.post("/api/topology/overrides", Role.OPERATOR, json=body)
    assert created.status_code == 201, created.text
    override = created.json()
    shown = next(li for li in _ok(served.api.get("/api/topology"))["links"] if (li["a"], li["b"]) == (link["a"],
                                                                                                      link["b"]))
    assert (shown["state"], shown["override_id"]) == ("confirmed", override["id"])
    assert served.api.delete(f"/api/topology/overrides/{override['id']}").status_code == 204
    assert _ok(served.api.get("/api/topology")) == first
    edited = served.api.patch("/api/devices/sw1", json={"site": "moved-site"})
    assert edited.status_code == 200, edited.text
    assert node("sw1")["site"] == "moved-site"
    assert attached("sw1")
    with served.api.ctx.db.session() as session:  # sw1's newest snapshot now a failure
        job = JobRepo(session).create([], {"data_types": ["mac_table"]}, requested_by="tests")
        SnapshotRepo(session).save(job, "sw1", DeviceResult("sw1", False, error_kind=ErrorKind.AUTH_FAILED,
                                                            error="refused"))
    assert (node("sw1")["status"], node("sw1")["error_kind"]) == ("failed", "auth_failed")
