"""IOS renderer: every command renders, and ntc-templates reads back exactly the device state."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import Any

import pytest

from netatlas.lab.model import (
    ArpEntry,
    BgpPeer,
    DeviceState,
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
from netatlas.lab.render.base import CommandSpec, RenderContext, UnknownVrf
from netatlas.lab.render.ios import COMMANDS
from tests.support.checks_cisco_ios import CHECKS, parse_command
from tests.support.parse import parse

PLATFORM = "cisco_ios"
IOS_SW = (
    "Cisco IOS Software [Amsterdam], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.3.4, "
    "RELEASE SOFTWARE (fc3)\nTechnical Support: http://www.cisco.com/techsupport"
)
A = IPv4Address


def _if(name: str, ip: str | None = None, **kw: Any) -> Interface:
    mac = f"70:1f:53:73:8d:{len(name) * 3 + sum(map(ord, name)) % 200:02x}"
    return Interface(name=name, ipv4=IPv4Interface(ip) if ip else None, mac=mac, **kw)


def _interfaces() -> list[Interface]:
    trunk: dict[str, Any] = {"mode": PortMode.TRUNK, "trunk_vlans": (10, 20, 30, 31, 32)}
    return [
        _if("GigabitEthernet0/0", "127.1.0.5/16", kind=IfKind.MGMT, vrf="Mgmt-vrf", description="oob mgmt"),
        _if("GigabitEthernet1/0/1", "10.0.0.1/30", description="to core1 Gi1/0/1", ospf_area="0.0.0.0"),
        _if("GigabitEthernet1/0/2", "10.0.0.5/30", description="to leaf1 Eth1/49", ospf_area="0.0.0.0"),
        _if("GigabitEthernet1/0/3", "10.0.0.1/30", vrf="BLUE", description="BLUE uplink", ospf_area="0.0.0.1"),
        _if("GigabitEthernet1/0/5", mode=PortMode.ACCESS, access_vlan=10, voice_vlan=20, description="desk phone"),
        _if("GigabitEthernet1/0/6", mode=PortMode.ACCESS, access_vlan=10, admin_up=False, oper_up=False),
        _if("GigabitEthernet1/0/7", mode=PortMode.ACCESS, access_vlan=30, oper_up=False),
        _if("GigabitEthernet1/0/8", mode=PortMode.ACCESS, access_vlan=10, description="AP 3F east"),
        _if("GigabitEthernet1/0/9", mode=PortMode.ACCESS),
        _if("GigabitEthernet1/0/47", channel_group="Port-channel1", **trunk),
        _if("GigabitEthernet1/0/48", channel_group="Port-channel1", **trunk),
        _if("TenGigabitEthernet1/1/1", "192.0.2.2/30", description="ISP A", bandwidth_kbps=10_000_000),
        _if(
            "Port-channel1",
            kind=IfKind.PORT_CHANNEL,
            members=("GigabitEthernet1/0/47", "GigabitEthernet1/0/48"),
            bandwidth_kbps=2_000_000,
            description="to dist1",
            **trunk,
        ),
        _if("Vlan10", "10.10.10.1/24", kind=IfKind.SVI, description="users", ospf_area="0.0.0.0"),
        _if("Vlan20", "10.20.0.1/24", kind=IfKind.SVI),
        _if("Vlan30", "10.30.0.1/24", kind=IfKind.SVI, vrf="BLUE"),
        _if("Loopback0", "10.255.0.1/32", kind=IfKind.LOOPBACK, ospf_area="0.0.0.0"),
        _if("Loopback1", "10.255.0.1/32", kind=IfKind.LOOPBACK, vrf="BLUE"),
    ]


def _nbr(
    proto: NeighborProtocol,
    local: str,
    dev_id: str,
    remote: str,
    platform: str,
    caps: tuple[str, ...],
    mgmt: str | None,
    software: str,
    **kw: Any,
) -> NeighborAdvert:
    return NeighborAdvert(
        proto,
        local,
        dev_id,
        remote,
        platform,
        caps,
        A(mgmt) if mgmt else None,
        software,
        chassis_id=f"00:1b:54:{len(dev_id):02x}:{len(remote):02x}:01",
        **kw,
    )


def _neighbors() -> list[NeighborAdvert]:
    cdp, lldp = NeighborProtocol.CDP, NeighborProtocol.LLDP
    rsi = ("Router", "Switch", "IGMP")
    nxos = "Cisco Nexus Operating System (NX-OS) Software, Version 9.3(8)"
    return [
        _nbr(
            cdp,
            "GigabitEthernet1/0/1",
            "core1.lab.example.net",
            "GigabitEthernet1/0/1",
            "cisco C9500-48Y4C",
            rsi,
            "127.1.0.1",
            IOS_SW,
        ),
        _nbr(
            cdp, "GigabitEthernet1/0/2", "leaf1(FDO21120U8N)", "Ethernet1/49", "N9K-C93180YC-EX", rsi, "127.1.0.9", nxos
        ),
        _nbr(
            cdp,
            "GigabitEthernet1/0/5",
            "SEP001122334455",
            "Port 1",
            "Cisco IP Phone 8851",
            ("Host", "Phone", "Two-port Mac Relay"),
            "10.20.0.50",
            "sip88xx.12-8-1-0001-455",
            native_vlan=10,
        ),
        _nbr(
            cdp,
            "GigabitEthernet1/0/47",
            "dist1.lab.example.net",
            "TenGigabitEthernet1/1/3",
            "cisco WS-C3850-24T",
            rsi,
            "127.1.0.3",
            IOS_SW,
        ),
        _nbr(
            cdp,
            "GigabitEthernet1/0/48",
            "dist1.lab.example.net",
            "TenGigabitEthernet1/1/4",
            "cisco WS-C3850-24T",
            rsi,
            "127.1.0.3",
            IOS_SW,
        ),
        _nbr(
            lldp,
            "GigabitEthernet1/0/1",
            "core1.lab.example.net",
            "Gi1/0/1",
            "C9500",
            ("B", "R"),
            "127.1.0.1",
            IOS_SW,
            remote_port_description="GigabitEthernet1/0/1",
        ),
        _nbr(lldp, "GigabitEthernet1/0/2", "leaf1", "Ethernet1/49", "N9K", ("B", "R"), "127.1.0.9", nxos),
        _nbr(
            lldp,
            "TenGigabitEthernet1/1/1",
            "edge-router-01.isp.example.com",
            "ge-0/0/1",
            "MX204",
            ("B", "R"),
            "192.0.2.1",
            "Juniper Networks, Inc. mx204 internet router, kernel JUNOS 21.4R3-S2.3",
        ),
        _nbr(
            lldp,
            "GigabitEthernet1/0/8",
            "ap-3f-east",
            "GigabitEthernet0",
            "AIR-AP2802I",
            ("B", "W"),
            "10.10.10.60",
            "Cisco AP Software, ap3g3-k9w8 Version: 17.3.4.30",
        ),
        _nbr(
            lldp,
            "GigabitEthernet1/0/5",
            "SEP001122334455",
            "port1",
            "IP Phone 8851",
            ("B", "T"),
            None,
            "SIP88xx.12-8-1-0001-455",
            native_vlan=20,
        ),
    ]


def _route(prefix: str, proto: RouteProto, hops: Sequence[tuple[str | None, str | None]], **kw: Any) -> Route:
    nexthops = tuple(NextHop(A(a) if a else None, i) for a, i in hops)
    return Route(IPv4Network(prefix), proto, nexthops, **kw)


def _rib(interfaces: list[Interface]) -> list[Route]:
    rib: list[Route] = []
    for intf in interfaces:
        if intf.ipv4:
            rib.append(_route(str(intf.ipv4.network), RouteProto.CONNECTED, [(None, intf.name)], vrf=intf.vrf))
            rib.append(_route(f"{intf.ipv4.ip}/32", RouteProto.LOCAL, [(None, intf.name)], vrf=intf.vrf))
    o, b, s = RouteProto.OSPF, RouteProto.BGP, RouteProto.STATIC
    ospf = {"distance": 110}
    return [
        *rib,
        _route("0.0.0.0/0", s, [("192.0.2.1", None)], distance=1),
        _route("10.99.0.0/16", s, [(None, "Null0")], distance=1),
        _route(
            "10.255.0.3/32",
            o,
            [("10.0.0.2", "GigabitEthernet1/0/1"), ("10.0.0.6", "GigabitEthernet1/0/2")],
            metric=2,
            ospf_type="intra",
            age="2d03h",
            **ospf,
        ),
        _route("10.40.0.0/16", o, [("10.0.0.6", "GigabitEthernet1/0/2")], metric=3, ospf_type="intra", **ospf),
        _route("172.16.5.0/24", o, [("10.0.0.6", "GigabitEthernet1/0/2")], metric=12, ospf_type="inter", **ospf),
        _route(
            "192.168.50.0/24",
            o,
            [("10.0.0.2", "GigabitEthernet1/0/1"), ("10.0.0.6", "GigabitEthernet1/0/2")],
            metric=20,
            ospf_type="ext2",
            **ospf,
        ),
        _route("203.0.113.0/24", b, [("192.0.2.1", None)], distance=20, bgp_as_path=(65100, 65200)),
        _route("198.51.100.128/25", b, [("192.0.2.1", None)], distance=20, bgp_as_path=(65100,)),
        _route("172.16.0.0/12", b, [("192.0.2.1", None)], distance=20, bgp_as_path=(65100, 64512)),
        _route("10.60.0.0/16", b, [("10.255.0.3", None)], distance=200, bgp_internal=True, metric=0),
        _route("0.0.0.0/0", s, [("127.1.0.1", None)], vrf="Mgmt-vrf", distance=1),
        _route(
            "10.77.0.0/24", o, [("10.0.0.2", "GigabitEthernet1/0/3")], vrf="BLUE", metric=2, ospf_type="intra", **ospf
        ),
        _route("10.66.0.0/16", s, [("10.0.0.2", "GigabitEthernet1/0/3")], vrf="BLUE", distance=1),
        _route("10.88.0.0/16", b, [("10.0.0.2", None)], vrf="BLUE", distance=20, bgp_as_path=(65200,)),
    ]


def _l2_tables() -> tuple[list[MacEntry], list[ArpEntry]]:
    macs = [
        MacEntry(10, "00:50:56:aa:00:01", "GigabitEthernet1/0/5"),
        MacEntry(20, "00:11:22:33:44:55", "GigabitEthernet1/0/5"),
        MacEntry(10, "00:50:56:aa:00:60", "GigabitEthernet1/0/8"),
        MacEntry(10, "00:1b:54:aa:bb:01", "Port-channel1"),
        MacEntry(30, "00:1b:54:aa:bb:02", "Port-channel1"),
        MacEntry(10, "00:50:56:aa:00:99", "GigabitEthernet1/0/8", dynamic=False),
    ]
    arp = [
        ArpEntry(A("10.0.0.1"), "70:1f:53:73:8d:01", "GigabitEthernet1/0/1", age_min=-1),
        ArpEntry(A("10.0.0.2"), "00:1b:54:00:00:02", "GigabitEthernet1/0/1", age_min=12),
        ArpEntry(A("10.10.10.1"), "70:1f:53:73:8d:10", "Vlan10", age_min=-1),
        ArpEntry(A("10.10.10.50"), "00:50:56:aa:00:01", "Vlan10"),
        ArpEntry(A("192.0.2.1"), "00:05:86:71:62:02", "TenGigabitEthernet1/1/1", age_min=0),
        ArpEntry(A("10.0.0.1"), "70:1f:53:73:8d:03", "GigabitEthernet1/0/3", vrf="BLUE", age_min=-1),
        ArpEntry(A("10.0.0.2"), "00:1b:54:00:09:02", "GigabitEthernet1/0/3", vrf="BLUE", age_min=1),
        ArpEntry(A("127.1.0.1"), "00:00:5e:00:01:01", "GigabitEthernet0/0", vrf="Mgmt-vrf", age_min=2),
    ]
    return macs, arp


def switch() -> DeviceState:
    interfaces = _interfaces()
    macs, arp = _l2_tables()
    return DeviceState(
        hostname="sw1",
        platform=Platform.CISCO_IOS,
        mgmt_ip=A("127.1.0.5"),
        model="C9300-48P",
        serial="FOC2228X0AB",
        os_version="17.3.4",
        domain="lab.example.net",
        base_mac="70:1f:53:73:8d:00",
        interfaces=interfaces,
        vlans={10: "USERS", 20: "VOICE", 30: "SERVERS", 31: "LAB", 32: "PRINTERS"},
        vrfs=[Vrf("Mgmt-vrf"), Vrf("BLUE", rd="65001:100")],
        neighbors=_neighbors(),
        ospf_router_id=A("10.255.0.1"),
        ospf_neighbors=[
            OspfNeighbor(A("10.255.0.2"), A("10.0.0.2"), "GigabitEthernet1/0/1", "0.0.0.0", 0, "-"),
            OspfNeighbor(A("10.255.0.3"), A("10.0.0.6"), "GigabitEthernet1/0/2", "0.0.0.0", 1, "DR"),
            OspfNeighbor(A("10.255.0.9"), A("10.0.0.2"), "GigabitEthernet1/0/3", "0.0.0.1", 1, "BDR", vrf="BLUE"),
        ],
        bgp_asn=65001,
        bgp_router_id=A("10.255.0.1"),
        bgp_peers=[
            BgpPeer(A("192.0.2.1"), 65100, prefixes_received=3, description="ISP A"),
            BgpPeer(A("10.255.0.3"), 65001, prefixes_received=1, uptime="3d04h"),
            BgpPeer(A("10.255.0.4"), 65001, state="Idle"),
            BgpPeer(A("10.0.0.2"), 65200, prefixes_received=1, vrf="BLUE"),
        ],
        static_routes=[r for r in _rib(interfaces) if r.protocol is RouteProto.STATIC],
        mac_table=macs,
        arp=arp,
        enable_secret="s3cret",
    )


def router() -> DeviceState:
    interfaces = [
        _if("GigabitEthernet0/0/0", "10.1.0.1/30", ospf_area="0.0.0.0", description="WAN"),
        _if("GigabitEthernet0/0/1", "10.1.1.1/24"),
        _if("GigabitEthernet0/0/2", admin_up=False),
        _if("Loopback0", "10.255.1.1/32", kind=IfKind.LOOPBACK),
    ]
    return DeviceState(
        hostname="r1",
        platform=Platform.CISCO_IOS,
        mgmt_ip=A("127.1.0.20"),
        model="ISR4331/K9",
        serial="FDO21520TGH",
        os_version="17.6.5",
        interfaces=interfaces,
    )


def _ctx(dev: DeviceState, **args: str) -> RenderContext:
    rib = _rib(dev.interfaces) if dev.hostname == "sw1" else _rib(dev.interfaces)[: 2 * len(dev.interfaces)]
    rib = [
        r
        for r in rib
        if all(
            h.interface is None or h.interface == "Null0" or any(i.name == h.interface for i in dev.interfaces)
            for h in r.next_hops
        )
    ]
    return RenderContext(dev=dev, rib=lambda: rib, args=args)


# Arguments for patterns that capture more than a VRF (the route/BGP lookups NAPALM sends).
LOOKUP = {"address": "10.255.0.3", "mask": "255.255.255.255", "prefix": "203.0.113.0/24", "neighbor": "192.0.2.1"}


def _contexts(spec: CommandSpec) -> list[RenderContext]:
    if "<neighbor>" in spec.pattern:
        vpn = "vpnv4" in spec.pattern
        return [_ctx(switch(), neighbor=str(p.address)) for p in switch().bgp_peers if (p.vrf != "default") == vpn]
    if "<vrf>" in spec.pattern:
        return [_ctx(switch(), vrf=v) for v in ("default", "BLUE", "Mgmt-vrf")]
    return [_ctx(switch())]


CASES = [(spec.pattern, ctx) for spec in COMMANDS if spec.pattern in CHECKS for ctx in _contexts(spec)]


CASE_IDS = [f"{p}|{c.args.get('vrf', c.args.get('neighbor'))}" for p, c in CASES]


@pytest.mark.parametrize(("pattern", "ctx"), CASES, ids=CASE_IDS)
def test_parsed_output_equals_state(pattern: str, ctx: RenderContext) -> None:
    spec = next(s for s in COMMANDS if s.pattern == pattern)
    text = spec.render(ctx)
    rows = parse(PLATFORM, parse_command(pattern, ctx.args), text)
    if (
        pattern.startswith("show ip route vrf <vrf>")
        and ctx.args["vrf"] == "Mgmt-vrf"
        and pattern.rsplit(maxsplit=1)[-1] in ("ospf", "bgp")
    ):
        assert rows == []
        return
    CHECKS[pattern](ctx, rows)


@pytest.mark.parametrize("spec", COMMANDS, ids=[s.pattern for s in COMMANDS])
@pytest.mark.parametrize("make", [switch, router])
def test_every_command_renders(spec: CommandSpec, make: Callable[[], DeviceState]) -> None:
    text = spec.render(_ctx(make(), vrf="default", **LOOKUP))
    assert text == "" or text.endswith("\n"), text
    assert "None" not in text.replace("None - Not defined", ""), text


@pytest.mark.parametrize(
    "pattern",
    [
        "show version",
        "show interfaces",
        "show ip interface brief",
        "show ip route",
        "show ip route connected",
        "show inventory",
    ],
)
def test_router_outputs_parse_back(pattern: str) -> None:
    ctx = _ctx(router())
    spec = next(s for s in COMMANDS if s.pattern == pattern)
    CHECKS[pattern](ctx, parse(PLATFORM, pattern, spec.render(ctx)))


@pytest.mark.parametrize("spec", [s for s in COMMANDS if "<vrf>" in s.pattern], ids=lambda s: s.pattern)
def test_unknown_vrf_raises(spec: CommandSpec) -> None:
    with pytest.raises(UnknownVrf) as err:
        spec.render(_ctx(switch(), vrf="NOPE"))
    assert err.value.vrf == "NOPE"


def test_route_table_shape() -> None:
    text = next(s for s in COMMANDS if s.pattern == "show ip route").render(_ctx(switch()))
    assert "Gateway of last resort is 192.0.2.1 to network 0.0.0.0" in text
    assert "      10.0.0.0/8 is variably subnetted," in text
    assert "O IA     172.16.5.0 [110/12] via 10.0.0.6, 1w2d, GigabitEthernet1/0/2" in text
    assert "B     172.16.0.0/12 [20/0] via 192.0.2.1, 1w2d" in text
    assert "S*    0.0.0.0/0 [1/0] via 192.0.2.1" in text
    ecmp = text.splitlines()[next(i for i, x in enumerate(text.splitlines()) if "10.255.0.3/32" in x) + 1]
    assert ecmp.strip() == "[110/2] via 10.0.0.6, 2d03h, GigabitEthernet1/0/2"
    assert "C        10.255.0.1/32 is directly connected, Loopback0" in text
    assert "L        10.255.0.1/32" not in text  # a loopback's /32 is listed once, as connected
