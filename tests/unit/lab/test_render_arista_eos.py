"""EOS renderers: every command renders, ntc-templates parses it back to the device state."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Interface, IPv4Network, IPv6Address, IPv6Interface
from typing import Any

import pytest

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
from netatlas.lab.render.base import CommandSpec, RenderContext, UnknownVrf
from netatlas.lab.render.eos import COMMANDS
from tests.support.checks_arista_eos import CHECKS, PLATFORM, parse_command
from tests.support.parse import parse

A = IPv4Address
LLDP = NeighborProtocol.LLDP
EOS_SOFTWARE = "Arista Networks EOS version 4.30.2F running on an Arista Networks DCS-7050SX3-48YC8"


def _ifaces() -> list[Interface]:
    po, trunk, access = IfKind.PORT_CHANNEL, PortMode.TRUNK, PortMode.ACCESS
    return [
        Interface(
            "Ethernet1",
            description="to spine1 Ethernet1",
            ipv4=IPv4Interface("10.0.0.1/31"),
            mac="44:4c:a8:00:00:11",
            bandwidth_kbps=25_000_000,
            ospf_area="0.0.0.0",
        ),
        Interface(
            "Ethernet2",
            description="to spine2 Eth1/49",
            ipv4=IPv4Interface("10.0.0.3/31"),
            mac="44:4c:a8:00:00:12",
            bandwidth_kbps=25_000_000,
            ospf_area="0.0.0.0",
            mtu=9214,
        ),
        Interface("Ethernet3", mode=access, access_vlan=10, description="ap-floor1", mac="44:4c:a8:00:00:13"),
        Interface(
            "Ethernet4", mode=access, access_vlan=20, voice_vlan=20, description="phone", mac="44:4c:a8:00:00:14"
        ),
        Interface(
            "Ethernet5", mode=trunk, channel_group="Port-Channel10", mac="44:4c:a8:00:00:15", bandwidth_kbps=10_000_000
        ),
        Interface(
            "Ethernet6", mode=trunk, channel_group="Port-Channel10", mac="44:4c:a8:00:00:16", bandwidth_kbps=10_000_000
        ),
        Interface(
            "Ethernet7",
            description="blue uplink",
            ipv4=IPv4Interface("10.0.0.1/31"),
            vrf="BLUE",
            mac="44:4c:a8:00:00:17",
        ),
        Interface("Ethernet8", mode=access, access_vlan=1, admin_up=False, oper_up=False, mac="44:4c:a8:00:00:18"),
        Interface("Ethernet9", mode=access, access_vlan=10, oper_up=False, mac="44:4c:a8:00:00:19"),
        Interface(
            "Ethernet49/1",
            description="edge1 xe-0/0/0",
            ipv4=IPv4Interface("10.0.1.1/30"),
            mac="44:4c:a8:00:00:31",
            bandwidth_kbps=100_000_000,
        ),
        Interface("Loopback0", kind=IfKind.LOOPBACK, ipv4=IPv4Interface("1.1.1.1/32"), ospf_area="0.0.0.0"),
        Interface(
            "Management1",
            kind=IfKind.MGMT,
            ipv4=IPv4Interface("127.0.1.5/24"),
            vrf="MGMT",
            description="oob",
            mac="44:4c:a8:00:00:01",
        ),
        Interface(
            "Port-Channel10",
            kind=po,
            mode=trunk,
            trunk_vlans=(10, 20, 30),
            description="to leaf2",
            members=("Ethernet5", "Ethernet6"),
            mac="44:4c:a8:00:00:15",
            bandwidth_kbps=20_000_000,
        ),
        Interface("Port-Channel20", kind=po, mode=trunk, oper_up=False, mac="44:4c:a8:00:00:20"),
        Interface("Vlan10", kind=IfKind.SVI, ipv4=IPv4Interface("10.10.10.1/24"), mac="44:4c:a8:00:00:02"),
        Interface("Vlan20", kind=IfKind.SVI, ipv4=IPv4Interface("10.20.20.1/24"), mac="44:4c:a8:00:00:02"),
        Interface("Vlan30", kind=IfKind.SVI, ipv4=IPv4Interface("10.10.10.1/24"), vrf="BLUE", mac="44:4c:a8:00:00:02"),
    ]


def _neighbors() -> list[NeighborAdvert]:
    return [
        NeighborAdvert(
            LLDP,
            "Ethernet1",
            "spine1.lab.example.net",
            "Ethernet1",
            "DCS-7280SR-48C6",
            ("B", "R"),
            A("127.0.1.1"),
            EOS_SOFTWARE,
            "44:4c:a8:00:01:00",
        ),
        NeighborAdvert(
            LLDP,
            "Ethernet2",
            "SPINE2(FDO21120U8N)",
            "Ethernet1/49",
            "N9K-C93180YC-FX",
            ("B", "R"),
            A("127.0.1.2"),
            "Cisco Nexus Operating System (NX-OS) Software 10.3(4a)",
            "00:2a:6a:00:02:00",
            remote_port_description="to leaf1",
        ),
        NeighborAdvert(
            LLDP,
            "Ethernet3",
            "ap-floor1",
            "eth0",
            "AIR-AP2802I",
            ("W", "B"),
            A("10.10.10.50"),
            "Cisco AP Software, ap3g3-k9w8 Version: 8.10.151.0",
            "70:18:a7:00:00:50",
        ),
        NeighborAdvert(
            LLDP,
            "Ethernet4",
            "SEP001122334455",
            "001122334455:P1",
            "CP-8845",
            ("B", "T"),
            None,
            "SIP88xx.14-1-1-0001-136",
            "00:11:22:33:44:55",
        ),
        NeighborAdvert(
            LLDP,
            "Ethernet5",
            "leaf2.lab.example.net",
            "Ethernet5",
            "DCS-7050SX3-48YC8",
            ("B", "R"),
            A("127.0.1.6"),
            EOS_SOFTWARE,
            "44:4c:a8:00:06:00",
        ),
        NeighborAdvert(
            LLDP,
            "Ethernet6",
            "leaf2.lab.example.net",
            "Ethernet6",
            "DCS-7050SX3-48YC8",
            ("B", "R"),
            A("127.0.1.6"),
            EOS_SOFTWARE,
            "44:4c:a8:00:06:00",
        ),
        NeighborAdvert(
            LLDP,
            "Ethernet49/1",
            "edge1",
            "xe-0/0/0",
            "mx204",
            ("B", "R"),
            A("127.0.1.9"),
            "Juniper Networks, Inc. mx204 internet router, kernel JUNOS 22.4R3-S2.11",
            "2c:6b:f5:00:09:00",
        ),
        NeighborAdvert(
            LLDP,
            "Management1",
            "oob-sw1",
            "GigabitEthernet1/0/5",
            "C9300-48P",
            ("B", "R"),
            A("127.0.0.254"),
            "Cisco IOS Software [Cupertino], Version 17.9.4a",
            "00:1b:54:00:00:fe",
        ),
    ]


def _connected(interfaces: Sequence[Interface]) -> list[Route]:
    routes: list[Route] = []
    for intf in interfaces:
        if intf.ipv4 is None:
            continue
        hop = (NextHop(None, intf.name),)
        routes.append(Route(intf.ipv4.network, RouteProto.CONNECTED, hop, vrf=intf.vrf))
        routes.append(Route(IPv4Network(f"{intf.ipv4.ip}/32"), RouteProto.LOCAL, hop, vrf=intf.vrf))
    return routes


def _dynamic_routes() -> list[Route]:
    ospf, bgp, n = RouteProto.OSPF, RouteProto.BGP, IPv4Network
    spine1, spine2 = NextHop(A("10.0.0.0"), "Ethernet1"), NextHop(A("10.0.0.2"), "Ethernet2")
    edge = NextHop(A("10.0.1.2"), "Ethernet49/1")
    return [
        Route(n("10.255.0.1/32"), ospf, (spine1,), distance=110, metric=20, ospf_type="intra"),
        Route(n("10.255.0.2/32"), ospf, (spine2,), distance=110, metric=20, ospf_type="intra"),
        Route(n("10.50.0.0/16"), ospf, (spine1, spine2), distance=110, metric=30, ospf_type="inter"),
        Route(n("172.16.0.0/12"), ospf, (spine1, spine2), distance=110, metric=20, ospf_type="ext2"),
        Route(n("192.0.2.0/24"), bgp, (edge,), distance=20, bgp_as_path=(65100,)),
        Route(n("198.51.100.0/24"), bgp, (edge,), distance=20, metric=10, bgp_as_path=(65100, 65300)),
        Route(
            n("10.99.0.0/16"),
            bgp,
            (NextHop(A("10.255.0.1"), None),),
            distance=200,
            bgp_internal=True,
            bgp_local_pref=150,
        ),
        Route(
            n("203.0.113.0/24"),
            bgp,
            (NextHop(A("10.0.0.0"), "Ethernet7"),),
            vrf="BLUE",
            distance=20,
            bgp_as_path=(65200,),
        ),
    ]


def _statics() -> list[Route]:
    static, n = RouteProto.STATIC, IPv4Network
    return [
        Route(n("0.0.0.0/0"), static, (NextHop(A("10.0.1.2"), None),), distance=1),
        Route(n("10.0.0.0/8"), static, (NextHop(None, "Null0"),), distance=1),
        Route(n("0.0.0.0/0"), static, (NextHop(A("127.0.1.254"), "Management1"),), vrf="MGMT", distance=1),
    ]


def leaf() -> DeviceState:
    dev = DeviceState(
        hostname="leaf1",
        platform=Platform.ARISTA_EOS,
        mgmt_ip=A("127.0.1.5"),
        model="DCS-7050SX3-48YC8",
        serial="JPE21150001",
        os_version="4.30.2F",
        domain="lab.example.net",
        base_mac="44:4c:a8:00:00:01",
        interfaces=_ifaces(),
        vlans={10: "SERVERS", 20: "VOICE", 30: "BLUE_HOSTS"},
        vrfs=[Vrf("MGMT"), Vrf("BLUE", "65001:2")],
        neighbors=_neighbors(),
        ospf_router_id=A("1.1.1.1"),
        ospf_process=1,
        bgp_asn=65001,
        bgp_router_id=A("1.1.1.1"),
        static_routes=_statics(),
    )
    dev.ospf_neighbors = [
        OspfNeighbor(A("10.255.0.1"), A("10.0.0.0"), "Ethernet1", "0.0.0.0", role="-"),
        OspfNeighbor(A("10.255.0.2"), A("10.0.0.2"), "Ethernet2", "0.0.0.0", role="BDR", dead_time_s=31),
        OspfNeighbor(A("10.255.0.9"), A("10.0.0.0"), "Ethernet7", "0.0.0.0", role="DR", vrf="BLUE"),
    ]
    dev.bgp_peers = [
        BgpPeer(A("10.0.1.2"), 65100, prefixes_received=2, description="edge1"),
        BgpPeer(A("10.255.0.1"), 65001, prefixes_received=1, uptime="2d03h"),
        BgpPeer(A("10.255.0.99"), 65001, state="Active", uptime="00:01:10"),
        BgpPeer(A("10.0.0.0"), 65200, prefixes_received=1, vrf="BLUE"),
    ]
    dev.mac_table = [
        MacEntry(10, "70:18:a7:00:00:50", "Ethernet3"),
        MacEntry(20, "00:11:22:33:44:55", "Ethernet4"),
        MacEntry(10, "52:54:00:aa:00:20", "Port-Channel10"),
        MacEntry(30, "52:54:00:bb:00:20", "Port-Channel10"),
        MacEntry(10, "52:54:00:aa:00:99", "Port-Channel10", dynamic=False),
    ]
    dev.arp = [
        ArpEntry(A("10.0.0.0"), "44:4c:a8:00:01:11", "Ethernet1"),
        ArpEntry(A("10.0.0.2"), "00:2a:6a:00:02:31", "Ethernet2", age_min=0),
        ArpEntry(A("10.0.0.1"), "44:4c:a8:00:00:11", "Ethernet1", age_min=-1),
        ArpEntry(A("10.10.10.50"), "70:18:a7:00:00:50", "Vlan10"),
        ArpEntry(A("10.10.10.20"), "52:54:00:aa:00:20", "Vlan10", age_min=12),
        ArpEntry(A("10.20.20.30"), "00:11:22:33:44:66", "Vlan20"),
        ArpEntry(A("127.0.1.254"), "00:1b:54:00:00:fe", "Management1", vrf="MGMT"),
        ArpEntry(A("10.0.0.0"), "44:4c:a8:00:09:11", "Ethernet7", vrf="BLUE"),
        ArpEntry(A("10.10.10.20"), "52:54:00:bb:00:20", "Vlan30", vrf="BLUE", age_min=125),
    ]
    return dev


def bare() -> DeviceState:
    """A switch with nothing configured beyond management: every command must still render."""
    return DeviceState(
        hostname="bare",
        platform=Platform.ARISTA_EOS,
        mgmt_ip=A("127.0.1.7"),
        model="DCS-7280SR-48C6",
        serial="JPE00000007",
        os_version="4.28.3M",
        interfaces=[
            Interface("Management1", kind=IfKind.MGMT, ipv4=IPv4Interface("127.0.1.7/24"), vrf="MGMT"),
            Interface("Ethernet1", oper_up=False),
        ],
        vrfs=[Vrf("MGMT")],
    )


def context(dev: DeviceState, **args: str) -> RenderContext:
    rib = sorted(
        [*_connected(dev.interfaces), *dev.static_routes, *(_dynamic_routes() if dev.bgp_asn else [])],
        key=lambda r: (r.vrf, r.prefix),
    )
    return RenderContext(dev=dev, rib=lambda: rib, args=args)


def _cases() -> list[tuple[str, str]]:
    cases = []
    for spec in COMMANDS:
        vrfs = leaf().vrf_names() if "<vrf>" in spec.pattern else ["default"]
        cases += [(spec.pattern, vrf) for vrf in vrfs]
    return cases


def _render(spec_pattern: str, dev: DeviceState, vrf: str) -> tuple[RenderContext, str]:
    spec = next(s for s in COMMANDS if s.pattern == spec_pattern)
    ctx = context(dev, **({"vrf": vrf} if "<vrf>" in spec.pattern else {}))
    return ctx, spec.render(ctx)


@pytest.mark.parametrize(("pattern", "vrf"), [c for c in _cases() if c[0] in CHECKS])
def test_parsed_output_equals_state(pattern: str, vrf: str) -> None:
    ctx, text = _render(pattern, leaf(), vrf)
    rows = parse(PLATFORM, parse_command(pattern, vrf), text)
    assert rows, f"{pattern} ({vrf}) parsed to nothing:\n{text}"
    CHECKS[pattern](ctx, rows)


@pytest.mark.parametrize("pattern", [s.pattern for s in COMMANDS if s.pattern in CHECKS])
def test_bare_device_parses_consistently(pattern: str) -> None:
    ctx, text = _render(pattern, bare(), "MGMT")
    CHECKS[pattern](ctx, parse(PLATFORM, parse_command(pattern, "MGMT"), text))


@pytest.mark.parametrize("dev", [leaf(), bare()], ids=["leaf", "bare"])
@pytest.mark.parametrize("spec", COMMANDS, ids=[s.pattern for s in COMMANDS])
def test_every_command_renders(spec: CommandSpec, dev: DeviceState) -> None:
    text = spec.render(context(dev, vrf="default"))
    assert text == "" or text.endswith("\n")
    assert "\t" not in text


def test_every_data_command_has_a_check() -> None:
    untemplated = {"show lldp", "show running-config"}
    assert {s.pattern for s in COMMANDS} - untemplated == set(CHECKS)


def test_no_cdp_commands() -> None:
    assert not [s.pattern for s in COMMANDS if "cdp" in s.pattern]


@pytest.mark.parametrize("spec", [s for s in COMMANDS if "<vrf>" in s.pattern], ids=lambda s: s.pattern)
def test_unknown_vrf_raises(spec: CommandSpec) -> None:
    with pytest.raises(UnknownVrf) as info:
        spec.render(context(leaf(), vrf="NOPE"))
    assert info.value.vrf == "NOPE"


def test_route_table_looks_like_eos() -> None:
    _, text = _render("show ip route", leaf(), "default")
    assert text.startswith("VRF: default\nCodes: C - connected, S - static, K - kernel,\n")
    assert "Gateway of last resort:\n S        0.0.0.0/0 [1/0] via 10.0.1.2, Ethernet49/1\n" in text
    assert " O IA     10.50.0.0/16 [110/30] via 10.0.0.0, Ethernet1\n" in text
    assert "\n                                via 10.0.0.2, Ethernet2\n" in text
    assert " B I      10.99.0.0/16 [200/0] via 10.255.0.1, Ethernet1\n" in text
    assert "1.1.1.1/32 is directly connected, Loopback0" in text
    assert "10.0.0.1/32" not in text  # no LOCAL routes on EOS


def test_lldp_detail_shows_every_lldp_port() -> None:
    _, text = _render("show lldp neighbors detail", leaf(), "default")
    assert "Interface Ethernet8 detected 0 LLDP neighbors:\n" in text
    assert 'System Name: "SPINE2(FDO21120U8N)"' in text
    assert "System Capabilities : Bridge, Telephone" in text


def test_arp_names_the_learned_port() -> None:
    _, text = _render("show ip arp", leaf(), "default")
    assert "Vlan10, Ethernet3" in text
    assert "Vlan20, not learned" in text
    assert "10.0.0.1 " not in text  # own addresses are not in the EOS ARP table


def test_ipv6_addresses_print_under_the_ipv4_address() -> None:
    dev = leaf()
    intf = next(i for i in dev.interfaces if i.ipv4 is not None and i.kind is IfKind.PHYSICAL)
    intf.ipv6 = (IPv6Interface("2001:db8:1::1/64"), IPv6Interface("2001:db8:2::1/64"))
    _, text = _render("show interfaces", dev, "default")
    block = text[text.index(f"{intf.name} is"):]
    block = block[: block.index("IP MTU")]
    octets = [int(x, 16) for x in intf.mac.split(":")]
    link_local = IPv6Address(bytes([0xFE, 0x80, *[0] * 6, octets[0] ^ 2, *octets[1:3], 0xFF, 0xFE, *octets[3:]]))
    assert f"  IPv6 link-local address is {link_local}/64\n" in block
    assert "  IPv6 global unicast address(es):\n    2001:db8:1::1, subnet is 2001:db8:1::/64\n" in block
    assert "    2001:db8:2::1, subnet is 2001:db8:2::/64\n" in block
    rows = parse(PLATFORM, "show interfaces", text)  # ntc-templates still reads every interface
    assert {r["interface"] for r in rows} == {i.name for i in dev.interfaces}


def test_asdot_and_a_peer_that_never_came_up_in_the_summary() -> None:
    dev = leaf()
    dev.asdot, dev.bgp_asn = True, (65000 << 16) + 1003
    dev.bgp_peers.append(BgpPeer(IPv4Address("198.18.0.2"), (64512 << 16) + 7, state="Active"))
    _, text = _render("show ip bgp summary", dev, "default")
    assert "local AS number 65000.1003\n" in text
    row = next(line for line in text.splitlines() if "198.18.0.2" in line)
    assert row.split()[2:3] == ["64512.7"] and " Active" in row


# ---- `| json`: the documents have the shape of EOS's own (public samples of real output) ----------
# Skeletons written from public samples of real EOS output (NAPALM test/eos/mocked_data: show_version,
# show_interfaces, lldp neighbors detail issue1153, ip bgp summary vrf all, mac address-table, arp vrf
# all; batfish lab_validation: ip route vrf all; ANTA: ospf neighbor; autonet: interfaceAddressIp6):
# "*" stands for every key of a map keyed by name; a type is the JSON type EOS prints there.
_VIA = {"nexthopAddr": str, "interface": str}
JSON_SHAPES: dict[str, Any] = {
    "show version": {"modelName": str, "serialNumber": str, "version": str, "systemMacAddress": str,
                     "internalVersion": str, "internalBuildId": str, "architecture": str, "hardwareRevision": str,
                     "memTotal": int, "memFree": int, "bootupTimestamp": float, "uptime": float},
    "show hostname": {"hostname": str, "fqdn": str},
    "show interfaces": {"interfaces": {"*": {
        "name": str, "interfaceStatus": str, "lineProtocolStatus": str, "hardware": str, "forwardingModel": str,
        "mtu": int, "bandwidth": int, "description": str, "interfaceAddress": list,
        "lastStatusChangeTimestamp": float}}},
    "show lldp neighbors detail": {"lldpNeighbors": {"*": {"lldpNeighborInfo": list}}},
    "show ip route vrf all": {"vrfs": {"*": {"routingDisabled": bool, "allRoutesProgrammedHardware": bool,
                                             "defaultRouteState": str, "routes": {"*": {
                                                 "routeType": str, "kernelProgrammed": bool,
                                                 "directlyConnected": bool, "vias": list}}}}},
    "show ip bgp summary vrf all": {"vrfs": {"*": {"vrf": str, "routerId": str, "asn": str, "peers": {"*": {
        "version": int, "msgReceived": int, "msgSent": int, "inMsgQueue": int, "outMsgQueue": int, "asn": str,
        "prefixAccepted": int, "prefixReceived": int, "upDownTime": float, "underMaintenance": bool,
        "peerState": str}}}}},
    "show ip ospf neighbor vrf all": {"vrfs": {"*": {"instList": {"*": {"ospfNeighborEntries": list}}}}},
    "show mac address-table": {"multicastTable": {"tableEntries": list}, "unicastTable": {"tableEntries": list}},
    "show ip arp vrf all": {"vrfs": {"*": {"totalEntries": int, "dynamicEntries": int, "staticEntries": int,
                                           "notLearnedEntries": int, "ipV4Neighbors": list}}},
}
_LLDP_NEIGHBOR = {"chassisId": str, "chassisIdType": str, "systemName": str, "systemDescription": str, "ttl": int,
                  "lastChangeTime": float, "neighborDiscoveryTime": float, "systemCapabilities": dict,
                  "managementAddresses": list, "neighborInterfaceInfo": {"interfaceIdType": str, "interfaceId": str}}
_OSPF = {"routerId": str, "priority": int, "drState": str, "interfaceName": str, "adjacencyState": str,
         "inactivity": float, "interfaceAddress": str}
_ARP = {"address": str, "hwAddress": str, "interface": str, "age": int}
_MAC = {"vlanId": int, "macAddress": str, "entryType": str, "interface": str, "moves": int, "lastMove": float}


def _shape_problems(value: Any, shape: Any, where: str = "") -> list[str]:
    """Where ``value`` lacks a key of ``shape`` or holds another JSON type there ([] when it conforms)."""
    if isinstance(shape, type):
        ok = isinstance(value, shape) and not (shape is int and isinstance(value, bool))
        return [] if ok else [f"{where}: {type(value).__name__}, not {shape.__name__}"]
    if not isinstance(value, dict):
        return [f"{where}: {type(value).__name__}, not an object"]
    if set(shape) == {"*"}:
        return [p for key, item in value.items() for p in _shape_problems(item, shape["*"], f"{where}/{key}")]
    return [p for key, sub in shape.items()
            for p in (_shape_problems(value[key], sub, f"{where}/{key}") if key in value else [f"{where}: no {key}"])]


def _json(pattern: str, dev: DeviceState | None = None) -> Any:
    spec = next(s for s in COMMANDS if s.pattern == pattern.replace("vrf all", "vrf =all"))
    assert spec.render_json is not None, pattern
    text = spec.render_json(context(dev or leaf()))
    assert text.startswith("{\n    ") and text.endswith("}\n"), "EOS prints its JSON indented by four spaces"
    return json.loads(text)


@pytest.mark.parametrize("pattern", JSON_SHAPES, ids=str)
def test_json_documents_have_eos_shape(pattern: str) -> None:
    for dev in (leaf(), bare()):
        assert _shape_problems(_json(pattern, dev), JSON_SHAPES[pattern]) == []


def test_json_entries_have_eos_shape_and_quirks() -> None:
    lldp = _json("show lldp neighbors detail")["lldpNeighbors"]
    heard = [n for port in lldp.values() for n in port["lldpNeighborInfo"]]
    assert heard and all(_shape_problems(n, _LLDP_NEIGHBOR) == [] for n in heard)
    assert all(n["neighborInterfaceInfo"]["interfaceId"].startswith('"') for n in heard)  # the quoted port id
    assert any(not port["lldpNeighborInfo"] for port in lldp.values())  # silent ports listed, empty
    arp = [e for vrf in _json("show ip arp vrf all")["vrfs"].values() for e in vrf["ipV4Neighbors"]]
    assert arp and all(_shape_problems(e, _ARP) == [] for e in arp)
    ospf = [e for vrf in _json("show ip ospf neighbor vrf all")["vrfs"].values()
            for inst in vrf["instList"].values() for e in inst["ospfNeighborEntries"]]
    assert ospf and all(_shape_problems(e, _OSPF) == [] for e in ospf)
    macs = _json("show mac address-table")["unicastTable"]["tableEntries"]
    assert all(_shape_problems(e, _MAC) == [] for e in macs if e["entryType"] == "dynamic")
    assert all(re.fullmatch(r"(?:[0-9a-f]{2}:){5}[0-9a-f]{2}", e["macAddress"]) for e in macs)


def test_json_route_vias_and_types() -> None:
    routes = {p: r for vrf in _json("show ip route vrf all")["vrfs"].values() for p, r in vrf["routes"].items()}
    kinds = {r["routeType"] for r in routes.values()}
    assert {"connected", "static", "eBGP"} <= kinds <= {"connected", "static", "eBGP", "iBGP", "ospfIntraArea",
                                                         "ospfInterArea", "ospfExternalType1", "ospfExternalType2"}
    for route in routes.values():
        if route["directlyConnected"]:
            assert "preference" not in route and all(set(v) == {"interface"} for v in route["vias"])
        else:
            assert isinstance(route["preference"], int) and isinstance(route["metric"], int)
            assert all(_shape_problems(v, _VIA) == [] for v in route["vias"] if "nexthopAddr" in v)


def test_json_feature_off_answers() -> None:
    dev = leaf()
    dev.features_off |= {Feature.BGP, Feature.OSPF, Feature.LLDP}
    assert _json("show ip bgp summary vrf all", dev) == {"errors": ["BGP inactive"]}
    assert _json("show ip ospf neighbor vrf all", dev) == {"vrfs": {}}
    assert _json("show lldp neighbors detail", dev) == {"errors": ["LLDP is not enabled"]}
