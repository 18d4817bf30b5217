"""NX-OS renderers: every command renders, ntc-templates parses it back to the device state."""

from __future__ import annotations

import json
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
from netatlas.lab.render.nxos import COMMANDS
from netatlas.lab.routing import connected_routes
from tests.support.checks_cisco_nxos import CHECKS, PLATFORM
from tests.support.parse import parse

A = IPv4Address
N = IPv4Network
CDP, LLDP = NeighborProtocol.CDP, NeighborProtocol.LLDP
NXOS_SW = "Cisco Nexus Operating System (NX-OS) Software, Version 10.2(5)"
IOS_SW = "Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.9.4a"
# No ntc-templates template for these.
UNPARSED = {"show running-config", "show bgp ipv4 unicast summary vrf all", "show bgp all summary vrf all"}


def _interfaces() -> list[Interface]:
    po, trunk, access, svi = IfKind.PORT_CHANNEL, PortMode.TRUNK, PortMode.ACCESS, IfKind.SVI
    ip = IPv4Interface
    return [
        Interface("mgmt0", kind=IfKind.MGMT, ipv4=ip("10.255.0.11/24"), vrf="management", mac="00:2a:6a:00:00:01"),
        Interface(
            "Ethernet1/1",
            description="to spine1 Eth1/1",
            ipv4=ip("10.0.0.1/31"),
            mac="00:2a:6a:00:00:11",
            bandwidth_kbps=100_000_000,
            mtu=9216,
            ospf_area="0.0.0.0",
        ),
        Interface(
            "Ethernet1/2",
            description="to spine2",
            ipv4=ip("10.0.0.3/31"),
            mac="00:2a:6a:00:00:12",
            bandwidth_kbps=25_000_000,
            ospf_area="0.0.0.0",
        ),
        Interface("Ethernet1/3", mode=access, access_vlan=10, description="ap-floor1", mac="00:2a:6a:00:00:13"),
        Interface(
            "Ethernet1/4",
            mode=access,
            access_vlan=20,
            voice_vlan=20,
            description="phone desk 12",
            mac="00:2a:6a:00:00:14",
        ),
        Interface("Ethernet1/5", mode=access, access_vlan=10, admin_up=False, oper_up=False, mac="00:2a:6a:00:00:15"),
        Interface(
            "Ethernet1/6",
            description="blue uplink",
            ipv4=ip("10.0.0.1/31"),
            vrf="BLUE",
            mac="00:2a:6a:00:00:16",
            bandwidth_kbps=10_000_000,
        ),
        Interface("Ethernet1/7", mode=access, access_vlan=30, oper_up=False, mac="00:2a:6a:00:00:17"),
        Interface(
            "Ethernet1/49",
            mode=trunk,
            channel_group="port-channel10",
            mac="00:2a:6a:00:00:49",
            bandwidth_kbps=40_000_000,
        ),
        Interface(
            "Ethernet1/50",
            mode=trunk,
            channel_group="port-channel10",
            mac="00:2a:6a:00:00:50",
            bandwidth_kbps=40_000_000,
        ),
        Interface(
            "port-channel10",
            kind=po,
            mode=trunk,
            trunk_vlans=(10, 20, 30),
            description="vpc to leaf2",
            members=("Ethernet1/49", "Ethernet1/50"),
            mac="00:2a:6a:00:00:49",
            bandwidth_kbps=80_000_000,
        ),
        Interface("port-channel20", kind=po, mode=trunk, oper_up=False, mac="00:2a:6a:00:00:20"),
        Interface(
            "loopback0", kind=IfKind.LOOPBACK, ipv4=ip("1.1.1.1/32"), ospf_area="0.0.0.0", description="router-id"
        ),
        Interface("Vlan10", kind=svi, ipv4=ip("10.10.10.1/24"), description="servers", mac="00:2a:6a:00:00:02"),
        Interface("Vlan20", kind=svi, ipv4=ip("10.20.20.1/24"), mac="00:2a:6a:00:00:02"),
        Interface("Vlan30", kind=svi, ipv4=ip("10.10.10.1/24"), vrf="BLUE", mac="00:2a:6a:00:00:02"),
        Interface("Vlan40", kind=svi, ipv4=ip("10.40.40.1/24"), admin_up=False, oper_up=False),
    ]


def _neighbors() -> list[NeighborAdvert]:
    return [
        NeighborAdvert(
            CDP,
            "Ethernet1/1",
            "spine1(FDO2133XYZ)",
            "Ethernet1/1",
            "N9K-C9364C",
            ("Router", "Switch", "IGMP", "Supports-STP-Dispute"),
            A("10.255.0.1"),
            NXOS_SW,
            "00:2a:6a:01:00:00",
            native_vlan=1,
        ),
        NeighborAdvert(
            CDP,
            "Ethernet1/2",
            "spine2.lab.example.net",
            "TwentyFiveGigE1/0/1",
            "cisco C9500-48Y4C",
            ("Router", "Switch", "IGMP"),
            A("10.255.0.2"),
            IOS_SW + "\nTechnical Support: x",
            "00:2a:6a:02:00:00",
        ),
        NeighborAdvert(
            CDP,
            "Ethernet1/4",
            "SEP00AABBCCDDEE",
            "Port 1",
            "Cisco IP Phone 8845",
            ("Host", "Phone"),
            A("10.20.20.50"),
            "sip8845_65.14-0-1",
            "00:aa:bb:cc:dd:ee",
            native_vlan=20,
        ),
        NeighborAdvert(
            CDP,
            "Ethernet1/3",
            "ap-floor1",
            "GigabitEthernet0",
            "cisco AIR-AP2802I-E-K9",
            ("Trans-Bridge", "IGMP"),
            None,
            "Cisco AP Software, ap3g3-k9w8 Version: 8.10",
            "00:2a:6a:03:00:00",
        ),
        NeighborAdvert(
            CDP,
            "mgmt0",
            "oob-switch",
            "GigabitEthernet1/0/11",
            "cisco WS-C2960X-48TS-L",
            ("Switch", "IGMP"),
            A("10.255.0.254"),
            IOS_SW,
            "00:2a:6a:04:00:00",
        ),
        NeighborAdvert(
            LLDP,
            "Ethernet1/1",
            "spine1",
            "Ethernet1/1",
            "N9K-C9364C",
            ("B", "R"),
            A("10.255.0.1"),
            "Cisco Nexus Operating System (NX-OS) Software 10.2(5)\nTAC support: http://www.cisco.com/tac",
            "00:2a:6a:01:00:00",
            remote_port_description="to leaf1",
        ),
        NeighborAdvert(
            LLDP,
            "Ethernet1/2",
            "spine2.lab.example.net",
            "Twe1/0/1",
            "C9500-48Y4C",
            ("B", "R"),
            A("10.255.0.2"),
            IOS_SW,
            "00:2a:6a:02:00:00",
        ),
        NeighborAdvert(
            LLDP,
            "Ethernet1/4",
            "SEP00AABBCCDDEE",
            "00aabbccddee:P1",
            "Cisco IP Phone 8845",
            ("B", "T"),
            None,
            "Cisco IP Phone 8845, V1, sip8845_65.14-0-1",
            "00:aa:bb:cc:dd:ee",
            native_vlan=20,
        ),
        NeighborAdvert(
            LLDP,
            "Ethernet1/3",
            "ap-floor1",
            "GigabitEthernet0",
            "AIR-AP2802I",
            ("W", "B"),
            None,
            "Cisco AP Software, ap3g3-k9w8 Version: 8.10",
            "00:2a:6a:03:00:00",
        ),
    ]


def _dynamic() -> list[Route]:
    s1, s2 = NextHop(A("10.0.0.0"), "Ethernet1/1"), NextHop(A("10.0.0.2"), "Ethernet1/2")
    ospf, bgp, static = RouteProto.OSPF, RouteProto.BGP, RouteProto.STATIC
    return [
        Route(N("0.0.0.0/0"), static, (NextHop(A("10.0.0.0"), None),), distance=1),
        Route(N("0.0.0.0/0"), static, (NextHop(A("10.255.0.1"), "mgmt0"),), vrf="management", distance=1),
        Route(N("2.2.2.2/32"), ospf, (s1,), distance=110, metric=41, ospf_type="intra", age="3w2d"),
        Route(N("3.3.3.3/32"), ospf, (s1, s2), distance=110, metric=81, ospf_type="intra"),
        Route(N("10.0.8.0/24"), ospf, (s1, s2), distance=110, metric=82, ospf_type="intra"),
        Route(N("172.16.0.0/16"), ospf, (s1,), distance=110, metric=120, ospf_type="inter"),
        Route(N("172.17.0.0/16"), ospf, (s2,), distance=110, metric=20, ospf_type="ext2"),
        Route(
            N("192.0.2.0/24"), bgp, (NextHop(A("10.0.0.0"), "Ethernet1/1"),), distance=20, bgp_as_path=(65100, 65200)
        ),
        Route(N("198.51.100.0/24"), bgp, (NextHop(A("3.3.3.3"), None),), distance=200, bgp_internal=True),
        Route(N("203.0.113.0/24"), static, (NextHop(None, "Null0"),), distance=1),
        Route(
            N("0.0.0.0/0"),
            bgp,
            (NextHop(A("10.0.0.0"), "Ethernet1/6"),),
            vrf="BLUE",
            distance=20,
            bgp_as_path=(65100,),
            metric=10,
        ),
        Route(N("10.99.0.0/16"), static, (NextHop(A("10.10.10.254"), "Vlan30"),), vrf="BLUE", distance=1),
    ]


def leaf() -> DeviceState:
    return DeviceState(
        hostname="leaf1",
        platform=Platform.CISCO_NXOS,
        mgmt_ip=A("10.255.0.11"),
        model="N9K-C93180YC-EX",
        serial="FDO22360GMS",
        os_version="10.2(5)",
        domain="lab.example.net",
        interfaces=_interfaces(),
        vlans={10: "SERVERS", 20: "VOICE", 30: "BLUE_USERS"},
        vrfs=[Vrf("management"), Vrf("BLUE", rd="65001:10")],
        neighbors=_neighbors(),
        ospf_router_id=A("1.1.1.1"),
        ospf_neighbors=[
            OspfNeighbor(A("2.2.2.2"), A("10.0.0.0"), "Ethernet1/1", "0.0.0.0", role="-"),
            OspfNeighbor(A("3.3.3.3"), A("10.0.0.2"), "Ethernet1/2", "0.0.0.0", role="BDR"),
            OspfNeighbor(A("4.4.4.4"), A("10.10.10.2"), "Vlan30", "0.0.0.1", role="DROTHER", vrf="BLUE"),
        ],
        bgp_asn=65001,
        bgp_router_id=A("1.1.1.1"),
        bgp_peers=[
            BgpPeer(A("10.0.0.0"), 65100, prefixes_received=5),
            BgpPeer(A("3.3.3.3"), 65001, prefixes_received=12, description="ibgp leaf2"),
            BgpPeer(A("10.9.9.9"), 65300, state="Idle", uptime="never"),
            BgpPeer(A("10.0.0.0"), 65100, prefixes_received=3, vrf="BLUE"),
        ],
        static_routes=[r for r in _dynamic() if r.protocol == RouteProto.STATIC],
        mac_table=[
            MacEntry(10, "00:50:56:aa:00:01", "Ethernet1/3"),
            MacEntry(20, "00:aa:bb:cc:dd:ee", "Ethernet1/4"),
            MacEntry(10, "00:50:56:aa:00:02", "port-channel10"),
            MacEntry(30, "00:50:56:aa:00:03", "port-channel10", dynamic=False),
        ],
        arp=[
            ArpEntry(A("10.0.0.0"), "00:2a:6a:01:00:11", "Ethernet1/1", age_min=12),
            ArpEntry(A("10.10.10.50"), "00:50:56:aa:00:01", "Vlan10"),
            ArpEntry(A("10.10.10.1"), "00:2a:6a:00:00:02", "Vlan10", age_min=-1),
            ArpEntry(A("10.0.0.0"), "00:2a:6a:09:00:01", "Ethernet1/6", vrf="BLUE", age_min=75),
            ArpEntry(A("10.10.10.50"), "00:50:56:bb:00:01", "Vlan30", vrf="BLUE"),
            ArpEntry(A("10.255.0.1"), "00:2a:6a:01:00:00", "mgmt0", vrf="management"),
        ],
    )


def bare() -> DeviceState:
    """A switch with only management configured: every command must still render and parse."""
    return DeviceState(
        hostname="bare",
        platform=Platform.CISCO_NXOS,
        mgmt_ip=A("10.255.0.99"),
        model="N9K-C9348GC-FXP",
        serial="FDO00000099",
        os_version="9.3(8)",
        interfaces=[
            Interface("mgmt0", kind=IfKind.MGMT, ipv4=IPv4Interface("10.255.0.99/24"), vrf="management"),
            Interface("Ethernet1/1", mode=PortMode.ACCESS, oper_up=False),
        ],
    )


def context(dev: DeviceState, **args: str) -> RenderContext:
    dynamic = _dynamic() if dev.bgp_asn else []
    rib = [*connected_routes(dev), *dynamic]
    return RenderContext(dev=dev, rib=lambda: rib, args=args)


def _typed(pattern: str, vrf: str) -> str:
    words = [vrf if w == "<vrf>" else w.removeprefix("=") for w in pattern.split()]
    return " ".join(words)


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for spec in COMMANDS:
        vrfs = ["default", "BLUE", "management"] if "<vrf>" in spec.pattern else [""]
        cases += [(name, spec.pattern, vrf) for name in ("leaf", "bare") for vrf in vrfs
                  if not (name == "bare" and vrf == "BLUE")]  # bare has no VRF BLUE
    return cases


@pytest.mark.parametrize(("device", "pattern", "vrf"), _cases())
def test_render_parses_back_to_state(device: str, pattern: str, vrf: str) -> None:
    dev = leaf() if device == "leaf" else bare()
    spec = next(s for s in COMMANDS if s.pattern == pattern)
    ctx = context(dev, **({"vrf": vrf} if vrf else {}))
    text = spec.render(ctx)
    assert text == "" or text.endswith("\n")
    if pattern in UNPARSED:
        assert text.strip() or not dev.bgp_asn, pattern
        return
    rows = parse(PLATFORM, _typed(pattern, vrf), text)
    CHECKS[pattern](ctx, rows)


def test_every_command_has_a_check() -> None:
    patterns = {spec.pattern for spec in COMMANDS}
    assert patterns - UNPARSED == set(CHECKS), (patterns - UNPARSED) ^ set(CHECKS)


def test_rich_state_outputs_are_not_empty() -> None:
    ctx = context(leaf())
    for spec in COMMANDS:
        if "<vrf>" not in spec.pattern:
            assert spec.render(ctx).strip(), spec.pattern


@pytest.mark.parametrize("spec", [s for s in COMMANDS if "<vrf>" in s.pattern], ids=lambda s: s.pattern)
def test_unknown_vrf_raises(spec: CommandSpec) -> None:
    with pytest.raises(UnknownVrf) as info:
        spec.render(context(leaf(), vrf="RED"))
    assert info.value.vrf == "RED"


def test_vrf_all_via_capture_means_every_vrf() -> None:
    spec = next(s for s in COMMANDS if s.pattern == "show ip route vrf <vrf>")
    text = spec.render(context(leaf(), vrf="all"))
    assert [line for line in text.splitlines() if line.startswith("IP Route Table")] == [
        'IP Route Table for VRF "default"',
        'IP Route Table for VRF "management"',
        'IP Route Table for VRF "BLUE"',
    ]


def test_route_output_looks_like_nxos() -> None:
    spec = next(s for s in COMMANDS if s.pattern == "show ip route")
    text = spec.render(context(leaf()))
    assert "1.1.1.1/32, ubest/mbest: 2/0, attached\n    *via 1.1.1.1, Lo0, [0/0], 1w2d, local\n" in text
    assert "3.3.3.3/32, ubest/mbest: 2/0\n    *via 10.0.0.0, Eth1/1, [110/81], 1w2d, ospf-1, intra\n" in text
    assert "    *via 3.3.3.3, [200/0], 1w2d, bgp-65001, internal, tag 65001\n" in text
    assert "    *via 10.0.0.2, Eth1/2, [110/20], 1w2d, ospf-1, type-2\n" in text


def test_cdp_summary_wraps_long_device_ids() -> None:
    spec = next(s for s in COMMANDS if s.pattern == "show cdp neighbors")
    lines = spec.render(context(leaf())).splitlines()
    index = lines.index("spine2.lab.example.net")
    assert lines[index + 1].startswith(" " * 20 + "Eth1/2 ")
    assert "Total entries displayed: 5" in lines


# ---- `| json` documents ----------------------------------------------------------------------------------------

def _document(pattern: str, dev: DeviceState, **args: str) -> Any:
    spec = next(s for s in COMMANDS if s.pattern == pattern)
    assert spec.render_json is not None, pattern
    text = spec.render_json(context(dev, **args))
    assert text.endswith("}\n") and text.count("\n") == 1  # `| json`: one line
    return json.loads(text)


def test_json_forms_of_the_collected_commands_and_none_of_the_others() -> None:
    structured = {s.pattern for s in COMMANDS if s.render_json is not None}
    assert {"show version", "show interface", "show ip route vrf all", "show ip arp vrf all",
            "show ip bgp summary vrf all", "show lldp neighbors detail"} <= structured
    assert not structured & {"show feature", "show vrf", "show running-config", "show interface brief"}


def test_json_version_keys_and_types_as_the_platform_prints_them() -> None:
    doc = _document("show version", leaf())
    assert (doc["host_name"], doc["nxos_ver_str"], doc["proc_board_id"]) == ("leaf1", "10.2(5)", "FDO22360GMS")
    assert doc["chassis_id"] == "Nexus9000 C93180YC-EX Chassis"
    assert all(isinstance(doc[k], int) for k in ("kern_uptm_days", "kern_uptm_hrs", "memory"))


def test_json_one_row_is_an_object_and_an_empty_table_is_absent() -> None:
    bgp = _document("show ip bgp summary vrf all", leaf())["TABLE_vrf"]["ROW_vrf"]
    assert [v["vrf-name-out"] for v in bgp] == ["default", "BLUE"]
    blue = bgp[1]["TABLE_af"]["ROW_af"]["TABLE_saf"]["ROW_saf"]["TABLE_neighbor"]["ROW_neighbor"]
    assert isinstance(blue, dict) and blue["neighborid"] == "10.0.0.0" and blue["prefixreceived"] == "3"
    default = bgp[0]["TABLE_af"]["ROW_af"]["TABLE_saf"]["ROW_saf"]["TABLE_neighbor"]["ROW_neighbor"]
    idle = next(n for n in default if n["state"] == "Idle")
    assert "prefixreceived" not in idle and isinstance(idle["msgrecvd"], int) and idle["neighboras"] == "65300"
    assert _document("show mac address-table", bare()) == {}
    arp = _document("show ip arp vrf all", bare())["TABLE_vrf"]["ROW_vrf"]
    assert all("TABLE_adj" not in v and v["cnt-total"] == 0 for v in arp)


def test_json_routes_keep_the_text_tables_paths() -> None:
    doc = _document("show ip route", leaf())
    vrf = doc["TABLE_vrf"]["ROW_vrf"]
    assert vrf["vrf-name-out"] == "default" and vrf["TABLE_addrf"]["ROW_addrf"]["addrf"] == "ipv4"
    prefixes = {p["ipprefix"]: p for p in vrf["TABLE_addrf"]["ROW_addrf"]["TABLE_prefix"]["ROW_prefix"]}
    loopback = prefixes["1.1.1.1/32"]
    assert (loopback["attached"], loopback["ucast-nhops"]) == ("true", "2")
    assert [p["clientname"] for p in loopback["TABLE_path"]["ROW_path"]] == ["local", "direct"]
    ospf = prefixes["3.3.3.3/32"]["TABLE_path"]["ROW_path"]
    assert {"ipnexthop": "10.0.0.0", "ifname": "Eth1/1", "pref": "110", "metric": "81", "clientname": "ospf-1",
            "type": "intra"}.items() <= ospf[0].items()
    paths = [p for x in prefixes.values() for p in (x["TABLE_path"]["ROW_path"] if isinstance(
        x["TABLE_path"]["ROW_path"], list) else [x["TABLE_path"]["ROW_path"]])]
    ibgp = next(p for p in paths if p.get("ipnexthop") == "3.3.3.3" and p["clientname"] == "bgp-65001")
    assert "ifname" not in ibgp and (ibgp["type"], ibgp["tag"], ibgp["uptime"]) == ("internal", "65001", "P9D")


def test_json_interfaces_by_kind() -> None:
    rows = {r["interface"]: r for r in _document("show interface", leaf())["TABLE_interface"]["ROW_interface"]}
    eth = rows["Ethernet1/1"]
    assert (eth["state"], eth["admin_state"], eth["eth_mtu"], eth["eth_bw"], eth["eth_ip_mask"]) == (
        "up", "up", "9216", 100_000_000, 31)
    assert rows["mgmt0"]["eth_hw_desc"] == "GigabitEthernet"
    svi = next(r for name, r in rows.items() if name.startswith("Vlan"))
    assert {"svi_admin_state", "svi_line_proto", "svi_mac", "svi_mtu"} <= svi.keys() and "state" not in svi
    down = _document("show interface", bare())["TABLE_interface"]["ROW_interface"][1]
    assert (down["state"], down["state_rsn_desc"], down["eth_speed"], down["eth_duplex"]) == (
        "down", "Link not connected", "auto-speed", "auto")


def test_json_neighbors() -> None:
    table = _document("show cdp neighbors detail", leaf())["TABLE_cdp_neighbor_detail_info"]
    cdp = table["ROW_cdp_neighbor_detail_info"]
    assert all({"device_id", "intf_id", "port_id", "platform_id", "capability"} <= c.keys() for c in cdp)
    assert all(w == w.lower() or w in ("IGMP", "IGMP_cnd_filtering", "Supports-STP-Dispute")
               for c in cdp for w in ([c["capability"]] if isinstance(c["capability"], str) else c["capability"]))
    lldp = _document("show lldp neighbors detail", leaf())
    rows = lldp["TABLE_nbor_detail"]["ROW_nbor_detail"]
    assert lldp["neigh_count"] == len(rows if isinstance(rows, list) else [rows])
