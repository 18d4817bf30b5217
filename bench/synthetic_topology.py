"""A synthetic, deterministic network for the topology benchmark, as discovery would have stored it.

The shape (``plan(devices, seed)``): a JunOS backbone (a full mesh), core groups (an NX-OS pair each,
dual-homed to a pair of backbone routers) and, under each core pair, up to eight pods, every other
one a campus or a data centre:

* campus pod: an IOS distribution pair (routed /31 uplinks to both cores, a routed /31 between
  them) and ~22 IOS access switches, each with two 2-member L2 port-channels (one to each
  distribution switch), ~21 hosts on its edge ports and an access point (an unmanaged CDP/LLDP
  neighbor, an endpoint too). The gateways are SVIs on both distribution switches: every host MAC
  is learned on its edge port and on both distribution switches' port-channels toward it; the
  access switch learns the gateways' MACs on its uplinks; both gateways hold ARP entries;
* data-centre pod: an EOS spine pair (routed uplinks to both cores) and ~22 leaves (EOS and NX-OS
  alternately), each routed to both spines over /31s with OSPF, the gateway (an SVI) of its ~21
  servers, with their ARP entries and a default route toward the spines.

Routing resolves hop by hop: connected and local routes per interface, OSPF adjacencies on every
routed link, a default (OSPF external) pointing up at every layer, the pod's subnets on the
distribution/spine pair, pod summaries on the cores, group summaries on the backbone. Every device
also has a management port in its platform's management VRF (one /16, a static default).

``records(plan, run)`` yields each device's inventory entry and ``DeviceRecords`` group by group
(memory stays bounded); run 2 is run 1 with ``plan.changes`` applied: access uplink member cables
and leaf uplinks pulled (their ports down, so the neighbors, OSPF adjacency, routes, MACs over them
go), and endpoints moved to a free port of another access switch or leaf of the same group (new
address from that subnet). ``Truth`` collects what a correct builder must find: every L2 link, every
endpoint's edge port and address, the number of L3 adjacencies expected.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network

from netatlas.domain.inventory import InventoryDevice
from netatlas.domain.records import ArpEntry, DeviceRecords, MacEntry, Neighbor
from synthetic_records import (
    EDGE_PORTS,
    ROLES,
    Device,
    Truth,
    cable,
    mac,
    routed,
    router_id,
    with_loopback,
)

PODS_PER_GROUP = 8
POD_SIZE = 24  # devices per pod: a pair and ~22 below it
MAX_BELOW = 30  # access switches / leaves per pod (one /24 each in the pod's /19)
ENDPOINTS = (16, 26)  # hosts/servers per access switch or leaf, drawn uniformly
AP_PORT = EDGE_PORTS - 1
POD_P2P, GROUP_P2P, MESH_P2P = (int(IPv4Address(a)) for a in ("100.64.0.0", "100.127.0.0", "100.126.0.0"))
HOST_OUI, SERVER_OUI, AP_OUI = "f8:bc:12", "b8:83:03", "70:db:98"


# ----- the plan: sizes, and the changes of run 2 -------------------------------------------------
@dataclass(frozen=True, slots=True)
class Pod:
    index: int
    campus: bool
    endpoints: tuple[int, ...]  # per access switch / leaf

    @property
    def group(self) -> int:
        return self.index // PODS_PER_GROUP


@dataclass(frozen=True, slots=True)
class Changes:
    """Run 2 against run 1: cables pulled, endpoints moved ((pod, below, endpoint) -> (pod, below))."""

    access_members: frozenset[tuple[int, int, int]] = frozenset()  # (pod, access, uplink member 0..3)
    leaf_uplinks: frozenset[tuple[int, int, int]] = frozenset()  # (pod, leaf, spine 0..1)
    moves: Mapping[tuple[int, int, int], tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Plan:
    seed: int
    backbone: int
    pods: tuple[Pod, ...]
    changes: Changes

    @property
    def groups(self) -> int:
        return (len(self.pods) + PODS_PER_GROUP - 1) // PODS_PER_GROUP

    @property
    def devices(self) -> int:
        return self.backbone + 2 * self.groups + sum(2 + len(p.endpoints) for p in self.pods)

    def pods_of(self, group: int) -> tuple[Pod, ...]:
        return self.pods[group * PODS_PER_GROUP:(group + 1) * PODS_PER_GROUP]

    def backbone_pair(self, group: int) -> tuple[int, int]:
        first = 2 * (group % (self.backbone // 2))
        return first, first + 1


def plan(devices: int, seed: int = 7, changes: int = 0) -> Plan:
    """Exactly ``devices`` devices (at least 30), ``changes`` differences in run 2 (half links, half moves).

    Examples:
        >>> p = plan(200, seed=1)
        >>> p.devices, p.backbone, p.groups, len(p.pods)
        (200, 2, 1, 8)
        >>> plan(10_000).groups, plan(10_000).backbone
        (52, 14)
    """
    if devices < 30:
        raise ValueError("the synthetic network needs at least 30 devices")
    rng = random.Random(f"{seed}:plan")
    n_pods = max(1, devices // POD_SIZE)
    groups = (n_pods + PODS_PER_GROUP - 1) // PODS_PER_GROUP
    backbone = 2 * ((groups + PODS_PER_GROUP - 1) // PODS_PER_GROUP)
    below = devices - backbone - 2 * groups - 2 * n_pods
    if below > n_pods * MAX_BELOW:
        raise ValueError("too many devices per pod")
    sizes = [below // n_pods + (p < below % n_pods) for p in range(n_pods)]
    pods = tuple(Pod(p, p % 2 == 0, tuple(rng.randint(*ENDPOINTS) for _ in range(n))) for p, n in enumerate(sizes))
    result = Plan(seed, backbone, pods, Changes())
    return Plan(seed, backbone, pods, _changes(result, changes, random.Random(f"{seed}:changes")))


def _changes(p: Plan, count: int, rng: random.Random) -> Changes:
    """Half pulled cables (access uplink members and leaf uplinks, one per switch), half moved endpoints."""
    links = count // 2
    switches = [(pod.index, a) for pod in p.pods for a in range(len(pod.endpoints))]
    pulled = rng.sample(switches, min(links, len(switches)))
    campus = {pod.index for pod in p.pods if pod.campus}
    members = frozenset((q, a, rng.randrange(4)) for q, a in pulled if q in campus)
    uplinks = frozenset((q, a, rng.randrange(2)) for q, a in pulled if q not in campus)
    moves: dict[tuple[int, int, int], tuple[int, int]] = {}
    for q, a in rng.sample(switches, min(count - links, len(switches))):
        pod = p.pods[q]
        peers = [o for o in p.pods_of(pod.group) if o.campus == pod.campus]
        target = rng.choice(peers)
        b = rng.randrange(len(target.endpoints))
        if (target.index, b) != (q, a):
            moves[(q, a, rng.randrange(pod.endpoints[a]))] = (target.index, b)
    return Changes(members, uplinks, moves)


def below_net(pod: Pod, b: int) -> IPv4Network:
    return IPv4Network(f"10.{16 + pod.group}.{32 * (pod.index % PODS_PER_GROUP) + b}.0/24")


def pod_summary(pod: Pod) -> str:
    return f"10.{16 + pod.group}.{32 * (pod.index % PODS_PER_GROUP)}.0/19"


def group_summary(group: int) -> str:
    return f"10.{16 + group}.0.0/16"


def loopback(kind: str, *at: int) -> str:
    """Router ids: backbone 10.0.0.x, cores 10.1.g.x, pod devices 10.(2 + p // 256).(p % 256).x."""
    if kind == "backbone":
        return f"10.0.0.{at[0] + 1}"
    if kind == "core":
        return f"10.1.{at[0]}.{at[1] + 1}"
    return f"10.{2 + at[0] // 256}.{at[0] % 256}.{at[1]}"

def endpoint_mac(pod: Pod, b: int, e: int) -> str:
    """Unique per (pod, switch, endpoint): 12 + 5 + 6 bits of a 24-bit NIC part."""
    return mac(HOST_OUI if pod.campus else SERVER_OUI, (pod.index << 11) | (b << 6) | e)


# ----- the network, group by group ---------------------------------------------------------------
@dataclass(slots=True)
class _Context:
    plan: Plan
    changes: Changes
    truth: Truth
    backbone: list[Device]
    moved_in: dict[tuple[int, int], list[tuple[int, int, int]]]
    bb_ports: list[int]  # next free downlink per backbone router
    bb_groups: dict[tuple[int, int], list[tuple[str, str]]] = field(default_factory=dict)  # (bb, group) -> hops
    bb_mesh: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)  # (bb, other) -> hop


def records(p: Plan, run: int = 1, truth: Truth | None = None) -> Iterator[tuple[InventoryDevice, DeviceRecords]]:
    """Every device's inventory entry and records in run 1 or 2, group by group, the backbone last.

    Examples:
        >>> t = Truth()
        >>> names = [inv.name for inv, _ in records(plan(60, seed=3), 1, t)]
        >>> len(names), len(set(names)), t.devices, names[-1]
        (60, 60, 60, 'bb2')
    """
    ctx = _Context(p, p.changes if run == 2 else Changes(), truth if truth is not None else Truth(), [], {},
                   [0] * p.backbone)
    for (q, a, e), target in sorted(ctx.changes.moves.items()):
        ctx.moved_in.setdefault(target, []).append((q, a, e))
    ctx.backbone = [with_loopback(Device(f"bb{b + 1}", ROLES["backbone"], b, "backbone", False),
                                  loopback("backbone", b)) for b in range(p.backbone)]
    _mesh(ctx)
    index = p.backbone
    for g in range(p.groups):
        devices = _group(ctx, g, index)
        index += len(devices)
        yield from (_done(ctx.truth, d) for d in devices)
    for b, bb in enumerate(ctx.backbone):
        _backbone_routes(ctx, b, bb)
        yield _done(ctx.truth, bb)


def _done(truth: Truth, device: Device) -> tuple[InventoryDevice, DeviceRecords]:
    r = device.records
    truth.devices += 1
    truth.records += (len(r.interfaces) + len(r.neighbors) + len(r.routes) + len(r.ospf_neighbors)
                      + len(r.mac_table) + len(r.arp))
    return device.inventory(), r


def _mesh(ctx: _Context) -> None:
    k = 0
    for i, a in enumerate(ctx.backbone):
        for j in range(i + 1, len(ctx.backbone)):
            (a_ip, a_if), (b_ip, b_if) = routed(ctx.truth, a, "mesh", j, ctx.backbone[j], "mesh", i, MESH_P2P, k)
            ctx.bb_mesh[(i, j)], ctx.bb_mesh[(j, i)] = (b_ip, a_if), (a_ip, b_if)
            k += 1


def _backbone_routes(ctx: _Context, b: int, bb: Device) -> None:
    for other in range(ctx.plan.backbone):
        if other != b:
            bb.ospf(f"{loopback('backbone', other)}/32", [ctx.bb_mesh[(b, other)]])
    for g in range(ctx.plan.groups):
        pair = ctx.plan.backbone_pair(g)
        hops = ctx.bb_groups[(b, g)] if b in pair else [ctx.bb_mesh[(b, x)] for x in pair]
        bb.ospf(group_summary(g), hops, "inter")


def _group(ctx: _Context, g: int, index: int) -> list[Device]:
    site, block = f"site{g + 1}", GROUP_P2P + 16 * g
    cores = [with_loopback(Device(f"g{g + 1}-core{c + 1}", ROLES["core"], index + c, site, c == 0),
                           loopback("core", g, c)) for c in (0, 1)]
    (c0_ip, c0_if), (c1_ip, c1_if) = routed(ctx.truth, cores[0], "up", 2, cores[1], "up", 2, block, 0)
    peer = [(c1_ip, c0_if), (c0_ip, c1_if)]  # each core's hop to the other
    defaults: list[list[tuple[str, str]]] = [[], []]
    for c, core in enumerate(cores):
        for j, b in enumerate(ctx.plan.backbone_pair(g)):
            (bb_ip, bb_if), (core_ip, core_if) = routed(ctx.truth, ctx.backbone[b], "down", ctx.bb_ports[b], core,
                                                        "up", j, block, 1 + 2 * c + j)
            ctx.bb_ports[b] += 1
            ctx.bb_groups.setdefault((b, g), []).append((core_ip, bb_if))
            defaults[c].append((bb_ip, core_if))
    devices, index = list(cores), index + 2
    for local, pod in enumerate(ctx.plan.pods_of(g)):
        built = _pod(ctx, pod, local, cores, site, index)
        devices += built
        index += len(built)
    for c, core in enumerate(cores):
        core.ospf(f"{loopback('core', g, 1 - c)}/32", [peer[c]])
        core.ospf("0.0.0.0/0", defaults[c], "ext2", 1)
    return devices


def _pod(ctx: _Context, pod: Pod, local: int, cores: list[Device], site: str, index: int) -> list[Device]:
    role = "distribution" if pod.campus else "spine"
    pair = [with_loopback(Device(f"p{pod.index + 1}-{'dist' if pod.campus else 'spine'}{d + 1}", ROLES[role],
                                 index + d, site, pod.campus and d == 0), loopback("pod", pod.index, d + 1))
            for d in (0, 1)]
    block = POD_P2P + 256 * pod.index
    up_hops: list[list[tuple[str, str]]] = [[], []]
    for d, dev in enumerate(pair):
        for c, core in enumerate(cores):
            (core_ip, core_if), (dev_ip, dev_if) = routed(ctx.truth, core, "down", 2 * local + d, dev, "up", c,
                                                          block, 2 * d + c)
            core.ospf(f"{loopback('pod', pod.index, d + 1)}/32", [(dev_ip, core_if)])
            up_hops[d].append((core_ip, dev_if))
    for core in cores:
        core.ospf(pod_summary(pod), [h for d_dev in pair for h in _hops_to(core, d_dev)], "inter")
    for d, dev in enumerate(pair):
        dev.ospf("0.0.0.0/0", up_hops[d], "ext2", 1)
        for c in (0, 1):
            dev.ospf(f"{loopback('core', pod.group, c)}/32", [up_hops[d][c]])
    below = _campus(ctx, pod, pair, site, index + 2) if pod.campus else _datacentre(ctx, pod, pair, site, index + 2)
    return [*pair, *below]


def _hops_to(near: Device, far: Device) -> Iterator[tuple[str, str]]:
    """The (far address, near interface) of the routed links from ``near`` to ``far`` that are up."""
    far_id = router_id(far)
    yield from ((n.address, n.interface) for n in near.records.ospf_neighbors if n.router_id == far_id)


def _campus(ctx: _Context, pod: Pod, dists: list[Device], site: str, index: int) -> list[Device]:
    (d0_ip, d0_if), (d1_ip, d1_if) = routed(ctx.truth, dists[0], "up", 2, dists[1], "up", 2,
                                            POD_P2P + 256 * pod.index, 4)
    dists[0].ospf(f"{loopback('pod', pod.index, 2)}/32", [(d1_ip, d0_if)])
    dists[1].ospf(f"{loopback('pod', pod.index, 1)}/32", [(d0_ip, d1_if)])
    switches = []
    for a, count in enumerate(pod.endpoints):
        sw = Device(f"p{pod.index + 1}-sw{a + 1}", ROLES["access"], index + a, site, a % 2 == 0)
        vlan, net = 100 + a, below_net(pod, a)
        uplinks = [_trunk(ctx, pod, a, sw, d, dist, vlan, net) for d, dist in enumerate(dists)]
        ctx.truth.l3 += 1  # the two gateways' SVIs share the subnet
        hosts = _hosts(ctx, pod, a, count, net, 20)
        ports = edge_ports(sw, {**{k: "" for k, _ in hosts}, AP_PORT: "access point"})
        for k, (host_mac, ip) in hosts:
            _endpoint(ctx.truth, sw, ports[k], host_mac, ip, vlan, uplinks, dists)
        _access_point(ctx.truth, pod, a, sw, vlan, net, uplinks, dists)
        switches.append(sw)
    return switches


def _trunk(ctx: _Context, pod: Pod, a: int, sw: Device, d: int, dist: Device, vlan: int, net: IPv4Network) -> str:
    """Access switch ``sw``'s 2-member port-channel to distribution switch ``d``, and that switch's
    gateway SVI for the access VLAN; returns the distribution switch's port-channel."""
    po_sw, po_d = sw.profile.channel.format(d + 1), dist.profile.channel.format(101 + a)
    sw.interface(po_sw, description=f"uplink to {dist.name}", speed=20_000)
    dist.interface(po_d, description=f"to {sw.name}", speed=50_000)
    for m in (0, 1):
        up = (pod.index, a, 2 * d + m) not in ctx.changes.access_members
        sw_port, _ = sw.port("up", 2 * d + m, up=up, channel=po_sw, description=f"uplink to {dist.name}")
        d_port, _ = dist.port("down", 2 * a + m, up=up, channel=po_d, description=f"to {sw.name}")
        cable(ctx.truth, sw, sw_port, dist, d_port, up)
    dist.interface(f"Vlan{vlan}", f"{net.network_address + 2 + d}/24", description=f"DATA-{sw.name}", mtu=1500)
    sw.records.mac_table.append(MacEntry(dist.records.interfaces[-1].mac, vlan, po_sw))
    return po_d


def _hosts(ctx: _Context, pod: Pod, b: int, count: int, net: IPv4Network,
           first: int) -> list[tuple[int, tuple[str, str]]]:
    """(edge port index, (MAC, IP)) of the endpoints on switch ``b`` of ``pod`` in this run."""
    moves = ctx.changes.moves
    found = [(e, (endpoint_mac(pod, b, e), str(net.network_address + first + e))) for e in range(count)
             if (pod.index, b, e) not in moves]
    for j, (q, a, e) in enumerate(ctx.moved_in.get((pod.index, b), [])):
        k = count + j
        found.append((k, (endpoint_mac(ctx.plan.pods[q], a, e), str(net.network_address + first + k))))
    return found


def edge_ports(device: Device, used: Mapping[int, str]) -> list[str]:
    """Every edge port of an access switch or leaf, up where something is plugged in (``used``: its description)."""
    return [device.port("edge", k, up=k in used, description=used.get(k, ""))[0] for k in range(EDGE_PORTS)]


def _endpoint(truth: Truth, sw: Device, edge: str, host_mac: str, ip: str, vlan: int, uplinks: list[str],
              dists: list[Device]) -> None:
    """A host on ``edge``: learned there and on both gateways' port-channels; ARP on both gateways."""
    sw.records.mac_table.append(MacEntry(host_mac, vlan, edge))
    for po_d, dist in zip(uplinks, dists, strict=True):
        dist.records.mac_table.append(MacEntry(host_mac, vlan, po_d))
        dist.records.arp.append(ArpEntry(ip, host_mac, f"Vlan{vlan}"))
    truth.endpoints[host_mac] = (sw.name, edge, ip)


def _access_point(truth: Truth, pod: Pod, a: int, sw: Device, vlan: int, net: IPv4Network, uplinks: list[str],
                  dists: list[Device]) -> None:
    """An access point on the last edge port: an unmanaged CDP/LLDP neighbor and an endpoint."""
    ap_mac, name = mac(AP_OUI, (pod.index << 5) | a), f"ap-{sw.name}"
    edge = sw.role.ports["edge"](AP_PORT)
    for protocol in ("cdp", "lldp"):
        sw.records.neighbors.append(Neighbor(protocol, edge, name, "GigabitEthernet0", name.upper(),
                                             str(net.network_address + 250), "cisco C9120AXI-B", "Trans-Bridge"))
    truth.cable((sw.name, edge), (name, "GigabitEthernet0"))
    truth.unmanaged.add(name)
    _endpoint(truth, sw, edge, ap_mac, str(net.network_address + 250), vlan, uplinks, dists)


def _datacentre(ctx: _Context, pod: Pod, spines: list[Device], site: str, index: int) -> list[Device]:
    leaves = []
    block = POD_P2P + 256 * pod.index
    for a, count in enumerate(pod.endpoints):
        leaf = with_loopback(Device(f"p{pod.index + 1}-leaf{a + 1}", ROLES["leaf-eos" if a % 2 == 0 else "leaf-nxos"],
                                    index + a, site, False), loopback("pod", pod.index, 10 + a))
        net, hops = below_net(pod, a), []
        for s, spine in enumerate(spines):
            up = (pod.index, a, s) not in ctx.changes.leaf_uplinks
            (spine_ip, spine_if), (leaf_ip, leaf_if) = routed(ctx.truth, spine, "down", a, leaf, "up", s, block,
                                                              8 + 2 * a + s, up=up)
            spine.ospf(str(net), [(leaf_ip, spine_if)])
            spine.ospf(f"{loopback('pod', pod.index, 10 + a)}/32", [(leaf_ip, spine_if)])
            hops.append((spine_ip, leaf_if))
        leaf.ospf("0.0.0.0/0", hops, "ext2", 1)
        for s, hop in enumerate(hops):
            leaf.ospf(f"{loopback('pod', pod.index, s + 1)}/32", [hop])
        gateway = leaf.interface("Vlan100", f"{net.network_address + 1}/24", description="servers", mtu=1500)
        servers = _hosts(ctx, pod, a, count, net, 10)
        ports = edge_ports(leaf, {k: "server" for k, _ in servers})
        for k, (server_mac, ip) in servers:
            leaf.records.mac_table.append(MacEntry(server_mac, 100, ports[k]))
            leaf.records.arp.append(ArpEntry(ip, server_mac, gateway))
            ctx.truth.endpoints[server_mac] = (leaf.name, ports[k], ip)
        leaves.append(leaf)
    return leaves
