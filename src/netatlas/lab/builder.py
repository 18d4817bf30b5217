"""Construction helpers the scenario generators share.

A :class:`Builder` allocates names, addresses, ports, serials and MACs deterministically
from the seed, cables devices (writing what each side hears over CDP/LLDP), assigns
addresses, and finally derives the per-device tables that follow from the topology
(OSPF neighbors, BGP peers, ARP for point-to-point links) into a :class:`Network`.
"""

from __future__ import annotations

import random
import string
from collections import defaultdict
from collections.abc import Iterator
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from netatlas.lab import variations
from netatlas.lab.model import (
    ArpEntry,
    BgpPeer,
    DeviceState,
    Feature,
    IfKind,
    Interface,
    MacEntry,
    NeighborAdvert,
    NeighborProtocol,
    NextHop,
    OspfNeighbor,
    Platform,
    PortMode,
    Route,
    RouteProto,
    Vrf,
)
from netatlas.lab.network import (
    L2,
    BgpEdge,
    End,
    Endpoint,
    Link,
    Network,
    OspfEdge,
    RoutingPlan,
    UnmanagedNode,
)
from netatlas.lab.profiles import PROFILES
from netatlas.lab.routing import distance
from netatlas.lab.variations import runs

MGMT_NETWORK = IPv4Network("127.20.0.0/16")
HOST_OUIS = ("f8:bc:12", "3c:52:82", "00:50:56", "a4:bb:6d", "d4:81:d7")


def trap_numbers(count: int) -> list[int]:
    """Device numbers for a role: 1, 10, 2, 3, ... so that one name is a prefix of another.

    Examples:
        >>> trap_numbers(3)
        [1, 10, 2]
        >>> trap_numbers(11)
        [1, 10, 2, 3, 4, 5, 6, 7, 8, 9, 11]
    """
    numbers = [1, 10] + [n for n in range(2, count + 2) if n != 10]
    return numbers[:count]


class Builder:
    def __init__(self, scenario: str, seed: int, mgmt_network: IPv4Network = MGMT_NETWORK, *,
                 bounded: bool = False) -> None:
        self.scenario = scenario
        # routing tables bounded by the device's role and area/site, not by the network's size
        # (summaries and aggregates, see docs/lab.md); False builds the historical lab, byte for byte
        self.bounded = bounded
        self.mgmt_network = mgmt_network
        self.seed = seed
        self.rng = random.Random(f"netatlas-lab:{scenario}:{seed}")  # noqa: S311 - not crypto
        self.devices: dict[str, DeviceState] = {}
        self.unmanaged: dict[str, UnmanagedNode] = {}
        self.l2_links: list[Link] = []
        self.endpoints: list[Endpoint] = []
        self.routing = RoutingPlan()
        self._mgmt = self._mgmt_addresses()
        self._ports: dict[str, int] = defaultdict(int)
        self._macs = 0
        self._p2p = self._subnets(IPv4Network("10.254.0.0/16"), 31)
        self._p2p30 = self._subnets(IPv4Network("10.253.0.0/16"), 30)
        self._loopbacks = IPv4Network("10.0.0.0/16").hosts()
        self._bgp_pairs: list[tuple[str, IPv4Address, str, IPv4Address]] = []

    # -- allocation -------------------------------------------------------------------------
    def _mgmt_addresses(self) -> Iterator[IPv4Address]:
        for address in self.mgmt_network.hosts():
            if int(address) & 0xFF not in (0, 255):
                yield address

    @staticmethod
    def _subnets(pool: IPv4Network, prefixlen: int) -> Iterator[IPv4Network]:
        yield from pool.subnets(new_prefix=prefixlen)

    def mac(self, oui: str) -> str:
        self._macs += 1
        n = self._macs
        return f"{oui}:{(n >> 16) & 0xFF:02x}:{(n >> 8) & 0xFF:02x}:{n & 0xFF:02x}"

    def host_mac(self) -> str:
        return self.mac(self.rng.choice(HOST_OUIS))

    def serial(self, prefix: str) -> str:
        alphabet = string.ascii_uppercase + string.digits
        return prefix + "".join(self.rng.choice(alphabet) for _ in range(8))

    def p2p_subnet(self, prefixlen: int = 31) -> IPv4Network:
        return next(self._p2p) if prefixlen == 31 else next(self._p2p30)

    def next_loopback(self) -> IPv4Address:
        return next(self._loopbacks)

    # -- devices ----------------------------------------------------------------------------
    def device(self, hostname: str, platform: Platform, role: str, site: str, *, domain: str = "",
               enable_secret: str | None = None) -> DeviceState:
        if hostname in self.devices:
            raise ValueError(f"duplicate lab device name {hostname}")
        profile = PROFILES[platform]
        mgmt_ip = next(self._mgmt)
        dev = DeviceState(
            hostname=hostname, platform=platform, mgmt_ip=mgmt_ip, model=profile.model(role),
            serial=self.serial(profile.serial_prefix), os_version=profile.os_version, site=site,
            role=role, domain=domain, base_mac=self.mac(profile.oui), enable_secret=enable_secret,
        )
        dev.vrfs.append(Vrf(profile.mgmt_vrf, rd=""))
        dev.interfaces.append(Interface(
            name=profile.mgmt_interface, kind=IfKind.MGMT, description="oob management",
            ipv4=IPv4Interface(f"{mgmt_ip}/{self.mgmt_network.prefixlen}"), vrf=profile.mgmt_vrf,
            mac=self.mac(profile.oui),
        ))
        self.devices[hostname] = dev
        return dev

    def add_vrf(self, host: str, name: str, rd: str) -> None:
        dev = self.devices[host]
        if name not in dev.vrf_names():
            dev.vrfs.append(Vrf(name, rd))

    def port(self, host: str, description: str = "") -> Interface:
        dev = self.devices[host]
        self._ports[host] += 1
        profile = PROFILES[dev.platform]
        intf = Interface(name=profile.port_name(self._ports[host]), description=description,
                         mac=self.mac(profile.oui))
        dev.interfaces.append(intf)
        return intf

    def loopback(self, host: str, area: str | None = None) -> Interface:
        dev = self.devices[host]
        profile = PROFILES[dev.platform]
        address = self.next_loopback()
        intf = Interface(name=profile.loopback, kind=IfKind.LOOPBACK, ipv4=IPv4Interface(f"{address}/32"),
                         mac=dev.base_mac, ospf_area=area, bandwidth_kbps=8_000_000)
        dev.interfaces.append(intf)
        dev.ospf_router_id = address
        dev.bgp_router_id = address
        return intf

    def svi(self, host: str, vlan: int, address: IPv4Interface, *, area: str | None = None,
            name: str = "") -> Interface:
        dev = self.devices[host]
        dev.vlans.setdefault(vlan, name or f"VLAN{vlan:04d}")
        intf = Interface(name=PROFILES[dev.platform].svi.format(n=vlan), kind=IfKind.SVI, ipv4=address,
                         mac=dev.base_mac, ospf_area=area, ospf_passive=True)
        dev.interfaces.append(intf)
        return intf

    # -- cabling ----------------------------------------------------------------------------
    def cdp_device_id(self, dev: DeviceState) -> str:
        return f"{dev.fqdn}({dev.serial})" if PROFILES[dev.platform].cdp_id_with_serial else dev.fqdn

    def _advert(self, protocol: NeighborProtocol, local_if: str, speaker: DeviceState,
                speaker_if: Interface) -> NeighborAdvert:
        profile = PROFILES[speaker.platform]
        cdp = protocol == NeighborProtocol.CDP
        return NeighborAdvert(
            protocol=protocol, local_interface=local_if,
            device_id=self.cdp_device_id(speaker) if cdp else speaker.fqdn,
            remote_interface=speaker_if.name,
            remote_platform=f"{profile.vendor} {speaker.model}" if cdp else speaker.model,
            capabilities=profile.cdp_capabilities if cdp else profile.lldp_capabilities,
            mgmt_ip=speaker.mgmt_ip, software=profile.software, chassis_id=speaker.base_mac,
            remote_port_description=speaker_if.description,
            native_vlan=1 if speaker_if.mode != PortMode.ROUTED else None,
        )

    def cable(self, a: str, b: str, *, a_port: Interface | None = None, b_port: Interface | None = None,
              ) -> tuple[Interface, Interface]:
        """Connect two inventory devices; each hears the other where the protocols allow."""
        intf_a = a_port or self.port(a, description=f"to {b}")
        intf_b = b_port or self.port(b, description=f"to {a}")
        protocols = self._hear(a, intf_a, b, intf_b) | self._hear(b, intf_b, a, intf_a)
        self.l2_links.append(Link(End(a, intf_a.name), End(b, intf_b.name), L2, protocols))
        return intf_a, intf_b

    def _hear(self, listener: str, l_if: Interface, speaker: str, s_if: Interface) -> set[str]:
        dev_l, dev_s = self.devices[listener], self.devices[speaker]
        heard: set[str] = set()
        if (runs(dev_l, Feature.CDP) and runs(dev_s, Feature.CDP)
                and l_if.cdp_enabled and s_if.cdp_enabled):
            dev_l.neighbors.append(self._advert(NeighborProtocol.CDP, l_if.name, dev_s, s_if))
            heard.add("cdp")
        if s_if.lldp_transmit and runs(dev_l, Feature.LLDP) and runs(dev_s, Feature.LLDP):
            dev_l.neighbors.append(self._advert(NeighborProtocol.LLDP, l_if.name, dev_s, s_if))
            heard.add("lldp")
        return heard

    def attach_unmanaged(self, switch: str, port: Interface, node: UnmanagedNode, *, device_id: str,
                         remote_if: str, platform: str, capabilities: tuple[str, ...], software: str,
                         chassis: str, lldp_capabilities: tuple[str, ...], lldp_only: bool = False) -> None:
        dev = self.devices[switch]
        self.unmanaged[node.id] = node
        protocols: set[str] = set()
        cdp = runs(dev, Feature.CDP) and not lldp_only
        for protocol in (NeighborProtocol.CDP, NeighborProtocol.LLDP):
            if (protocol == NeighborProtocol.CDP and not cdp) or (
                    protocol == NeighborProtocol.LLDP and not runs(dev, Feature.LLDP)):
                continue
            dev.neighbors.append(NeighborAdvert(
                protocol=protocol, local_interface=port.name, device_id=device_id, remote_interface=remote_if,
                remote_platform=platform, mgmt_ip=node.mgmt_ip, software=software,
                capabilities=capabilities if protocol == NeighborProtocol.CDP else lldp_capabilities,
                chassis_id=chassis, holdtime=180,
            ))
            protocols.add(str(protocol))
        self.l2_links.append(Link(End(switch, port.name), End(node.id, remote_if), L2, protocols))

    def port_channel(self, a: str, b: str, number_a: int, number_b: int, members: int = 2,
                     ) -> tuple[Interface, Interface]:
        dev_a, dev_b = self.devices[a], self.devices[b]
        po_a = Interface(name=PROFILES[dev_a.platform].port_channel.format(n=number_a),
                         kind=IfKind.PORT_CHANNEL, mac=dev_a.base_mac, description=f"to {b}",
                         bandwidth_kbps=members * 1_000_000)
        po_b = Interface(name=PROFILES[dev_b.platform].port_channel.format(n=number_b),
                         kind=IfKind.PORT_CHANNEL, mac=dev_b.base_mac, description=f"to {a}",
                         bandwidth_kbps=members * 1_000_000)
        names_a, names_b = [], []
        for _ in range(members):
            m_a, m_b = self.cable(a, b)
            m_a.channel_group, m_b.channel_group = po_a.name, po_b.name
            names_a.append(m_a.name)
            names_b.append(m_b.name)
        po_a.members, po_b.members = tuple(names_a), tuple(names_b)
        dev_a.interfaces.append(po_a)
        dev_b.interfaces.append(po_b)
        return po_a, po_b

    # -- addressing -------------------------------------------------------------------------
    @staticmethod
    def address(intf: Interface, ip: IPv4Interface, *, vrf: str = "default", area: str | None = None,
                cost: int = 1) -> None:
        intf.mode = PortMode.ROUTED
        intf.ipv4, intf.vrf, intf.ospf_area, intf.ospf_cost = ip, vrf, area, cost

    def routed_link(self, a: str, b: str, *, area: str | None = None, vrf: str = "default",
                    subnet: IPv4Network | None = None, ports: tuple[Interface, Interface] | None = None,
                    ) -> tuple[Interface, Interface]:
        intf_a, intf_b = ports or self.cable(a, b)
        net = subnet or self.p2p_subnet()
        first, second = _two_hosts(net)
        self.address(intf_a, IPv4Interface(f"{first}/{net.prefixlen}"), vrf=vrf, area=area)
        self.address(intf_b, IPv4Interface(f"{second}/{net.prefixlen}"), vrf=vrf, area=area)
        return intf_a, intf_b

    @staticmethod
    def trunk(intf: Interface, vlans: tuple[int, ...]) -> None:
        intf.mode, intf.trunk_vlans = PortMode.TRUNK, vlans

    @staticmethod
    def access(intf: Interface, vlan: int, voice_vlan: int | None = None) -> None:
        intf.mode, intf.access_vlan, intf.voice_vlan = PortMode.ACCESS, vlan, voice_vlan

    def static(self, host: str, prefix: str, via: Interface, *, vrf: str = "default") -> None:
        """Static route on ``host`` to ``prefix`` via the address of the remote interface ``via``."""
        dev = self.devices[host]
        assert via.ipv4 is not None
        local = next(i for i in dev.interfaces
                     if i.ipv4 is not None and via.ipv4.ip in i.ipv4.network and i.vrf == vrf)
        self.static_via(host, prefix, via.ipv4.ip, local)

    def static_via(self, host: str, prefix: str, address: IPv4Address, local: Interface) -> None:
        dev = self.devices[host]
        dev.static_routes.append(Route(
            prefix=IPv4Network(prefix), protocol=RouteProto.STATIC,
            next_hops=(NextHop(address, local.name),), vrf=local.vrf,
            distance=distance(dev.platform, RouteProto.STATIC), metric=0,
        ))

    def bgp(self, host: str, asn: int, originate: tuple[IPv4Network, ...] = ()) -> None:
        self.devices[host].bgp_asn = asn
        self.routing.bgp_originate[host].extend(originate)

    def bgp_session(self, a: str, a_if: Interface, b: str, b_if: Interface) -> None:
        assert a_if.ipv4 is not None and b_if.ipv4 is not None
        ebgp = self.devices[a].bgp_asn != self.devices[b].bgp_asn
        self.routing.bgp_edges[a].append(BgpEdge(a, a_if.ipv4.ip, a_if.name, b, b_if.ipv4.ip, b_if.name, ebgp))
        self.routing.bgp_edges[b].append(BgpEdge(b, b_if.ipv4.ip, b_if.name, a, a_if.ipv4.ip, a_if.name, ebgp))

    # -- L2 tables --------------------------------------------------------------------------
    def learn(self, host: str, vlan: int, mac: str, intf: Interface) -> None:
        self.devices[host].mac_table.append(MacEntry(vlan, mac, intf.name))

    def arp(self, host: str, ip: IPv4Address, mac: str, intf: Interface) -> None:
        self.devices[host].arp.append(ArpEntry(ip, mac, intf.name, intf.vrf, age_min=self.rng.randint(0, 239)))

    def endpoint(self, switch: str, port: Interface, vlan: int, mac: str, ip: IPv4Address) -> Endpoint:
        endpoint = Endpoint(mac, ip, vlan, switch, port.name)
        self.endpoints.append(endpoint)
        self.learn(switch, vlan, mac, port)
        return endpoint

    # -- finish -----------------------------------------------------------------------------
    def finish(self) -> Network:
        net = Network(self.scenario, self.seed, self.devices, self.unmanaged, self.l2_links, self.endpoints,
                      self.routing)
        self._derive_p2p(net)
        self._derive_bgp_peers()
        for dev in self.devices.values():
            variations.derive(dev)
            dev.mac_table.sort(key=lambda e: (e.vlan, e.mac))
            dev.arp.sort(key=lambda e: (e.vrf, int(e.address)))
        return net

    def _derive_p2p(self, net: Network) -> None:
        """OSPF adjacencies/neighbors and ARP entries for every shared routed subnet."""
        for _vrf, prefix, members in net._subnets():
            for host_a, intf_a in members:
                for host_b, intf_b in members:
                    if host_a == host_b:
                        continue
                    assert intf_b.ipv4 is not None and intf_a.ipv4 is not None
                    if intf_a.kind != IfKind.SVI:
                        self.arp(host_a, intf_b.ipv4.ip, intf_b.mac, intf_a)
                    self._ospf_pair(host_a, intf_a, host_b, intf_b, prefix.prefixlen >= 30)

    def _ospf_pair(self, host_a: str, intf_a: Interface, host_b: str, intf_b: Interface, p2p: bool) -> None:
        if (intf_a.ospf_area is None or intf_a.ospf_passive or intf_b.ospf_passive
                or intf_a.ospf_area != intf_b.ospf_area):
            return
        dev_a, dev_b = self.devices[host_a], self.devices[host_b]
        assert intf_a.ipv4 is not None and intf_b.ipv4 is not None and dev_b.ospf_router_id is not None
        assert dev_a.ospf_router_id is not None
        self.routing.ospf_edges[host_a].append(OspfEdge(
            host_a, intf_a.name, intf_a.ipv4.ip, host_b, intf_b.name, intf_b.ipv4.ip, intf_a.ospf_area,
            intf_a.ospf_cost, p2p))
        role = "-" if p2p else ("DR" if dev_b.ospf_router_id > dev_a.ospf_router_id else "BDR")
        dev_a.ospf_neighbors.append(OspfNeighbor(
            router_id=dev_b.ospf_router_id, address=intf_b.ipv4.ip, interface=intf_a.name,
            area=intf_a.ospf_area, priority=0 if p2p else 1, role=role,
            dead_time_s=self.rng.randint(31, 39)))

    def _derive_bgp_peers(self) -> None:
        for host, edges in self.routing.bgp_edges.items():
            dev = self.devices[host]
            down = list(dev.bgp_peers)  # peers that never came up, added before finish
            dev.bgp_peers.clear()
            for edge in edges:
                remote = self.devices[edge.remote]
                assert remote.bgp_asn is not None
                dev.bgp_peers.append(BgpPeer(
                    address=edge.remote_ip, remote_as=remote.bgp_asn,
                    prefixes_received=len(self.routing.bgp_originate.get(edge.remote, ())),
                    description=f"{'ebgp' if edge.ebgp else 'ibgp'} {edge.remote}",
                    msg_rcvd=self.rng.randint(1000, 90000), msg_sent=self.rng.randint(1000, 90000),
                ))
            dev.bgp_peers += down


def _two_hosts(net: IPv4Network) -> tuple[IPv4Address, IPv4Address]:
    if net.prefixlen == 31:
        return net.network_address, net.broadcast_address
    hosts = net.hosts()
    return next(hosts), next(hosts)
