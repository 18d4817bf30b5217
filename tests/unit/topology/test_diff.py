"""Run-to-run diff: links, nodes, endpoints and L2 neighbors, matched by key (also at 10,000 devices)."""

from __future__ import annotations

from dataclasses import replace

from netatlas.topology.diff import TopologyDiff, diff
from netatlas.topology.model import (
    End,
    Endpoint,
    Link,
    LinkState,
    Node,
    NodeKind,
    Topology,
)


def _l2(a: End, b: End, *protocols: str, **extra: object) -> Link:
    a, b = sorted((a, b))
    return Link(a, b, "l2", tuple(sorted(protocols)), **extra)  # type: ignore[arg-type]


def base() -> Topology:
    nodes = {name: Node(name, NodeKind.DEVICE, "cisco_ios", f"127.0.0.{n}", site="hq")
             for n, name in enumerate(("core1", "sw1", "sw2", "sw3"), start=1)}
    nodes["phone1"] = Node("phone1", NodeKind.UNMANAGED, "Cisco IP Phone", None)
    links = [
        _l2(End("core1", "Gi1/0/1"), End("sw1", "Gi1/0/49"), "cdp", "lldp"),
        _l2(End("core1", "Gi1/0/2"), End("sw1", "Gi1/0/50"), "cdp", "lldp"),  # parallel member
        _l2(End("core1", "Gi1/0/3"), End("sw2", "Gi1/0/49"), "cdp"),
        _l2(End("sw2", "Gi1/0/5"), End("phone1", "Port 1"), "cdp"),
        Link(End("core1", "Vlan10"), End("sw3", "Vlan10"), "l3", ("ospf",), detail={"ospf_area": "0.0.0.0"}),
    ]
    endpoints = [Endpoint("00:00:00:00:00:01", "10.0.0.1", 10, "sw1", "Gi1/0/1"),
                 Endpoint("00:00:00:00:00:02", "10.0.0.2", 10, "sw1", "Gi1/0/2"),
                 Endpoint("00:00:00:00:00:03", "10.0.0.3", 20, "sw2", "Gi1/0/1"),
                 Endpoint("00:00:00:00:00:04", None, 20, "sw2", "Gi1/0/2")]
    return Topology(nodes, links, endpoints, label="job-1")


def copy(topology: Topology, label: str = "job-2") -> Topology:
    return Topology(dict(topology.nodes), list(topology.links), list(topology.endpoints), list(topology.problems),
                    label)


def test_same_topology_is_an_empty_diff() -> None:
    change = diff(base(), copy(base()))
    assert change.empty
    assert (change.old, change.new) == ("job-1", "job-2")
    assert set(change.counts().values()) == {0}
    document = change.as_dict()
    assert document["links"] == {"added": [], "removed": [], "changed": []}
    assert document["neighbors_changed"] == []


def test_links_added_removed_and_changed() -> None:
    old, new = base(), copy(base())
    gone, kept_protocols, added = old.links[2], old.links[0], _l2(End("sw2", "Gi1/0/50"), End("sw3", "Gi1/0/49"),
                                                                  "lldp")
    new.links.remove(gone)
    new.links[new.links.index(kept_protocols)] = replace(kept_protocols, protocols=("cdp",))
    new.links.append(added)
    change = diff(old, new)
    assert change.links_added == (added,)
    assert change.links_removed == (gone,)
    assert [(c.before, c.after.protocols, c.fields) for c in change.links_changed] == [
        (kept_protocols, ("cdp",), ("protocols",))]
    assert not change.empty
    document = change.as_dict()["links"]
    assert document["changed"][0]["before"]["protocols"] == ["cdp", "lldp"]
    assert document["changed"][0]["after"]["protocols"] == ["cdp"]
    assert document["removed"][0]["b"] == {"node": "sw2", "interface": "Gi1/0/49"}


def test_link_state_and_detail_changes_name_their_fields() -> None:
    old, new = base(), copy(base())
    new.links[2] = replace(new.links[2], state=LinkState.ONE_SIDED)
    new.links[4] = replace(new.links[4], detail={"ospf_area": "0.0.0.1"})
    change = diff(old, new)
    assert [c.fields for c in change.links_changed] == [("state",), ("detail",)]  # by key: l2 before l3
    assert not change.links_added and not change.links_removed


def test_a_link_in_another_vrf_or_layer_is_another_link() -> None:
    old, new = base(), copy(base())
    new.links[4] = replace(new.links[4], vrf="blue")
    change = diff(old, new)
    assert [link.vrf for link in change.links_added] == ["blue"]
    assert [link.vrf for link in change.links_removed] == ["default"]
    assert not change.links_changed
    assert not change.neighbors_changed  # L3 links are not L2 neighbors


def test_nodes_added_removed_and_changed() -> None:
    old, new = base(), copy(base())
    del new.nodes["phone1"]
    new.nodes["sw9"] = Node("sw9", NodeKind.DEVICE, "arista_eos", "127.0.0.9")
    new.nodes["sw3"] = replace(new.nodes["sw3"], status="failed", error_kind="auth")
    new.nodes["00:00:00:00:00:01"] = Node("00:00:00:00:00:01", NodeKind.ENDPOINT)  # endpoints are diffed apart
    change = diff(old, new)
    assert [n.id for n in change.nodes_added] == ["sw9"]
    assert [n.id for n in change.nodes_removed] == ["phone1"]
    assert [(c.after.id, c.fields) for c in change.nodes_changed] == [("sw3", ("status",))]
    assert change.as_dict()["nodes"]["changed"][0]["after"]["status"] == "failed"


def test_endpoints_added_removed_moved_and_readdressed() -> None:
    old, new = base(), copy(base())
    first, second, third, fourth = old.endpoints
    new.endpoints = [
        replace(first, interface="Gi1/0/7"),  # same switch, other port
        replace(second, ip="10.0.0.22"),  # same place, new address
        replace(third, vlan=30),  # other VLAN
        Endpoint("00:00:00:00:00:05", None, 10, "sw3", "Gi1/0/1"),
    ]
    change = diff(old, new)
    assert [e.mac for e in change.endpoints_added] == ["00:00:00:00:00:05"]
    assert change.endpoints_removed == (fourth,)
    assert [(m.mac, m.fields) for m in change.endpoints_moved] == [
        ("00:00:00:00:00:01", ("interface",)), ("00:00:00:00:00:03", ("vlan",))]
    assert [(c.mac, c.fields) for c in change.endpoints_changed] == [("00:00:00:00:00:02", ("ip",))]
    moved = change.as_dict()["endpoints"]["moved"][0]
    assert (moved["from"]["interface"], moved["to"]["interface"]) == ("Gi1/0/1", "Gi1/0/7")


def test_an_endpoint_on_another_switch_is_a_move() -> None:
    old, new = base(), copy(base())
    new.endpoints[0] = replace(new.endpoints[0], node="sw2", interface="Gi1/0/9", ip="10.0.0.99")
    change = diff(old, new)
    assert [(m.before.node, m.after.node, m.fields) for m in change.endpoints_moved] == [
        ("sw1", "sw2", ("node", "interface", "ip"))]
    assert not change.endpoints_changed and not change.endpoints_added and not change.endpoints_removed


def test_neighbors_change_only_when_the_set_of_l2_neighbors_does() -> None:
    old, new = base(), copy(base())
    new.links.remove(old.links[1])  # one of two parallel cables core1-sw1: still neighbors
    assert not diff(old, new).neighbors_changed
    assert len(diff(old, new).links_removed) == 1
    new.links.remove(old.links[3])  # sw2 no longer hears phone1
    new.links.append(_l2(End("sw2", "Gi1/0/50"), End("sw3", "Gi1/0/49"), "lldp"))
    change = diff(old, new)
    assert [c.as_dict() for c in change.neighbors_changed] == [
        {"node": "phone1", "added": [], "removed": ["sw2"]},
        {"node": "sw2", "added": ["sw3"], "removed": ["phone1"]},
        {"node": "sw3", "added": ["sw2"], "removed": []},
    ]


# --- at scale -------------------------------------------------------------------------------------

DEVICES = 10_000
HOSTS_PER_DEVICE = 20  # 200,000 endpoints


def synthetic(label: str) -> Topology:
    """10,000 switches in a ring-of-rings: 4 cables each (40,000 links), 20 hosts each."""
    nodes = {f"sw{n}": Node(f"sw{n}", NodeKind.DEVICE, "cisco_ios", f"127.{n // 250}.{n % 250}.1", site=f"s{n % 50}")
             for n in range(DEVICES)}
    links = [_l2(End(f"sw{n}", f"Gi1/0/{k}"), End(f"sw{(n + k * 7 + 1) % DEVICES}", f"Gi2/0/{k}"), "cdp", "lldp")
             for n in range(DEVICES) for k in range(4)]
    endpoints = [Endpoint(f"02:00:{n >> 16:02x}:{(n >> 8) & 255:02x}:{n & 255:02x}:{h:02x}", None, 10 + h % 4,
                          f"sw{n}", f"Gi1/0/{10 + h}")
                 for n in range(DEVICES) for h in range(HOSTS_PER_DEVICE)]
    return Topology(nodes, links, endpoints, label=label)


def mutate(old: Topology) -> tuple[Topology, dict[str, object]]:
    """A copy with known changes, and what the diff must find."""
    new = copy(old, "new")
    removed_links = new.links[100:200]
    changed_links = new.links[1000:1030]
    del new.links[100:200]
    for number in range(1000 - 100, 1030 - 100):
        new.links[number] = replace(new.links[number], protocols=("lldp",))
    added_links = [_l2(End(f"sw{n}", "Te1/1/1"), End(f"sw{n + 5000}", "Te1/1/2"), "lldp") for n in range(0, 500, 10)]
    new.links += added_links
    removed_nodes = [f"sw{n}" for n in range(9990, 10000)]
    for name in removed_nodes:
        del new.nodes[name]
    moved = [new.endpoints[n].mac for n in range(0, 4000, 20)]
    for n in range(0, 4000, 20):
        new.endpoints[n] = replace(new.endpoints[n], interface="Gi1/0/48")
    gone = [e.mac for e in new.endpoints[-300:]]
    del new.endpoints[-300:]
    expected = {"links_added": {link.key for link in added_links},
                "links_removed": {link.key for link in removed_links},
                "links_changed": {link.key for link in changed_links},
                "nodes_removed": set(removed_nodes), "endpoints_moved": set(moved), "endpoints_removed": set(gone)}
    return new, expected


def test_ten_thousand_devices_diff_finds_exactly_the_changes() -> None:
    old = synthetic("old")
    assert (len(old.links), len(old.endpoints)) == (40_000, 200_000)
    assert diff(old, synthetic("again")).empty
    new, expected = mutate(old)
    change: TopologyDiff = diff(old, new)
    assert {link.key for link in change.links_added} == expected["links_added"]
    assert {link.key for link in change.links_removed} == expected["links_removed"]
    assert {c.after.key for c in change.links_changed} == expected["links_changed"]
    assert all(c.fields == ("protocols",) for c in change.links_changed)
    assert {n.id for n in change.nodes_removed} == expected["nodes_removed"]
    assert {m.mac for m in change.endpoints_moved} == expected["endpoints_moved"]
    assert {e.mac for e in change.endpoints_removed} == expected["endpoints_removed"]
    assert not change.nodes_added and not change.endpoints_added and not change.endpoints_changed
    # no cable is doubled here, so exactly the nodes at an added or removed cable change neighbors
    touched = {end.node for link in change.links_added + change.links_removed for end in link.ends()}
    assert {c.node for c in change.neighbors_changed} == touched
    sw0 = next(c for c in change.neighbors_changed if c.node == "sw0")
    assert (sw0.added, sw0.removed) == (("sw5000",), ())
    assert change.counts()["links_removed"] == 100
