"""JunOS renderer: every command renders, parses with ntc-templates (or ours) and equals the state."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from ipaddress import IPv4Address, IPv4Interface, IPv4Network, IPv6Address, IPv6Network

import pytest

from netatlas.lab.model import (
    ArpEntry,
    BgpPeer,
    DeviceState,
    IfKind,
    Interface,
    Ipv6Route,
    MacEntry,
    NeighborAdvert,
    NeighborProtocol,
    NextHop,
    OspfNeighbor,
    Platform,
    PortMode,
    Route,
    RouteProto,
    VcMember,
    Vrf,
)
from netatlas.lab.render.base import CommandSpec, RenderContext, UnknownVrf
from netatlas.lab.render.junos import COMMANDS
from tests.support.checks_juniper_junos import CHECKS
from tests.support.parse import parse

PLATFORM = "juniper_junos"
ADDR = IPv4Address


def _interfaces() -> list[Interface]:
    area = "0.0.0.0"
    return [
        Interface("em0", IfKind.MGMT, ipv4=IPv4Interface("127.0.1.1/24"), vrf="mgmt_junos", mac="2c:6b:f5:00:00:01"),
        Interface("ge-0/0/0", description="to core1 ge-0/0/1", ipv4=IPv4Interface("10.0.0.1/30"), ospf_area=area),
        Interface("ge-0/0/1", description="to leaf2 Eth1/49", ipv4=IPv4Interface("10.0.0.5/30"), ospf_area=area),
        Interface("ge-0/0/2", mode=PortMode.ACCESS, access_vlan=10, voice_vlan=20, description="desk phone"),
        Interface("ge-0/0/3", channel_group="ae0"),
        Interface("ge-0/0/4", channel_group="ae0", oper_up=False),
        Interface(
            "ae0",
            IfKind.PORT_CHANNEL,
            PortMode.TRUNK,
            "to dist1",
            trunk_vlans=(10, 20),
            members=("ge-0/0/3", "ge-0/0/4"),
            mtu=9000,
        ),
        Interface("ge-0/0/5", ipv4=IPv4Interface("10.0.0.1/30"), vrf="BLUE", description="BLUE uplink"),
        Interface("ge-0/0/6", ipv4=IPv4Interface("192.0.2.1/30"), description="transit ISP-A"),
        Interface("lo0", IfKind.LOOPBACK, ipv4=IPv4Interface("10.255.0.1/32"), ospf_area=area),
        Interface("irb.10", IfKind.SVI, description="USERS", ipv4=IPv4Interface("10.10.10.1/24")),
        Interface("irb.20", IfKind.SVI, description="VOICE", ipv4=IPv4Interface("10.20.20.1/24")),
    ]


def _neighbors() -> list[NeighborAdvert]:
    lldp = NeighborProtocol.LLDP
    return [
        NeighborAdvert(
            lldp,
            "ge-0/0/0",
            "core1.lab.example.net",
            "ge-0/0/1",
            "mx480",
            ("B", "R"),
            ADDR("127.0.1.2"),
            "Juniper Networks, Inc. mx480 internet router, kernel JUNOS 22.4R2",
            "2c:6b:f5:a1:c2:c0",
            "to r1",
        ),
        NeighborAdvert(
            lldp,
            "ge-0/0/1",
            "LEAF2(FDO21120U8N)",
            "Ethernet1/49",
            "N9K-C93180YC-EX",
            ("B", "R"),
            ADDR("127.0.1.3"),
            "Cisco Nexus Operating System (NX-OS) Software 9.3(8)",
            "00:de:fb:11:22:33",
        ),
        NeighborAdvert(
            lldp,
            "ge-0/0/2",
            "SEP001122334455",
            "eth0",
            "Cisco IP Phone 8845",
            ("B", "T"),
            ADDR("10.20.20.50"),
            "Cisco IP Phone 8845, V1, sip88xx.14-1-1",
            "00:11:22:33:44:55",
        ),
        NeighborAdvert(
            lldp,
            "ge-0/0/3",
            "dist1",
            "Ethernet1",
            "DCS-7050SX3",
            ("B", "R"),
            ADDR("127.0.1.4"),
            "Arista Networks EOS version 4.30.1F running on an Arista DCS-7050SX3",
            "44:4c:a8:00:00:01",
        ),
        NeighborAdvert(
            NeighborProtocol.CDP,
            "ge-0/0/6",
            "isp-a",
            "Gi0/0/1",
            "ISR4451",
            ("Router",),
            ADDR("192.0.2.2"),
            "Cisco IOS XE 17.6",
            "",
        ),
    ]


def _routes() -> list[Route]:
    nh = NextHop
    ospf_ecmp = (nh(ADDR("10.0.0.2"), "ge-0/0/0"), nh(ADDR("10.0.0.6"), "ge-0/0/1"))
    return [
        Route(IPv4Network("0.0.0.0/0"), RouteProto.STATIC, (nh(ADDR("192.0.2.2"), "ge-0/0/6"),)),
        Route(IPv4Network("10.99.0.0/16"), RouteProto.STATIC, (nh(None, None),)),
        Route(IPv4Network("10.1.1.0/24"), RouteProto.OSPF, ospf_ecmp, metric=2, ospf_type="intra"),
        Route(IPv4Network("10.255.0.2/32"), RouteProto.OSPF, ospf_ecmp[:1], metric=1, ospf_type="intra"),
        Route(IPv4Network("10.2.0.0/16"), RouteProto.OSPF, ospf_ecmp[:1], metric=20, ospf_type="inter", age="3d04h"),
        Route(IPv4Network("172.16.0.0/12"), RouteProto.OSPF, ospf_ecmp[1:], metric=20, ospf_type="ext2"),
        Route(
            IPv4Network("203.0.113.0/24"),
            RouteProto.BGP,
            (nh(ADDR("192.0.2.2"), "ge-0/0/6"),),
            bgp_as_path=(65002, 65010),
            age="2w1d",
        ),
        Route(
            IPv4Network("198.51.100.0/24"),
            RouteProto.BGP,
            (nh(ADDR("10.255.0.2"), None),),
            bgp_internal=True,
            bgp_local_pref=200,
            metric=50,
        ),
        Route(IPv4Network("0.0.0.0/0"), RouteProto.STATIC, (nh(ADDR("10.0.0.2"), "ge-0/0/5"),), vrf="BLUE"),
        Route(
            IPv4Network("10.50.0.0/16"),
            RouteProto.BGP,
            (nh(ADDR("10.0.0.2"), "ge-0/0/5"),),
            vrf="BLUE",
            bgp_as_path=(65100,),
        ),
        Route(IPv4Network("0.0.0.0/0"), RouteProto.STATIC, (nh(ADDR("127.0.1.254"), "em0"),), vrf="mgmt_junos"),
    ]


def connected_rib(dev: DeviceState, others: Sequence[Route]) -> list[Route]:
    """The RIB a scenario would give: connected + local of every address, then the other routes."""
    rib: list[Route] = []
    for intf in dev.interfaces:
        if intf.ipv4 is None:
            continue
        rib.append(Route(intf.ipv4.network, RouteProto.CONNECTED, (NextHop(None, intf.name),), vrf=intf.vrf))
        host = IPv4Network(f"{intf.ipv4.ip}/32")
        rib.append(Route(host, RouteProto.LOCAL, (NextHop(None, intf.name),), vrf=intf.vrf))
    return rib + list(others)


def rich_device() -> DeviceState:
    return DeviceState(
        hostname="r1",
        platform=Platform.JUNIPER_JUNOS,
        mgmt_ip=ADDR("127.0.1.1"),
        model="qfx5120-48y",
        serial="WS3718350123",
        os_version="21.4R3-S5.4",
        domain="lab.example.net",
        base_mac="2c:6b:f5:00:10:00",
        interfaces=_interfaces(),
        vlans={10: "USERS", 20: "VOICE", 30: "PRINTERS"},
        vrfs=[Vrf("BLUE", "65001:10"), Vrf("mgmt_junos")],
        neighbors=_neighbors(),
        ospf_router_id=ADDR("10.255.0.1"),
        ospf_neighbors=[
            OspfNeighbor(ADDR("10.255.0.2"), ADDR("10.0.0.2"), "ge-0/0/0", "0.0.0.0", priority=128),
            OspfNeighbor(ADDR("10.255.0.3"), ADDR("10.0.0.6"), "ge-0/0/1", "0.0.0.0", role="-", dead_time_s=38),
            OspfNeighbor(ADDR("10.255.9.9"), ADDR("10.0.0.2"), "ge-0/0/5", "0.0.0.0", vrf="BLUE"),
        ],
        bgp_asn=65001,
        bgp_router_id=ADDR("10.255.0.1"),
        bgp_peers=[
            BgpPeer(ADDR("192.0.2.2"), 65002, prefixes_received=5, uptime="1w2d"),
            BgpPeer(ADDR("10.255.0.2"), 65001, prefixes_received=3, uptime="3d04h"),
            BgpPeer(ADDR("10.255.0.9"), 65001, state="Active", uptime="00:10:12"),
            BgpPeer(ADDR("10.0.0.2"), 65100, prefixes_received=1, uptime="2w0d", vrf="BLUE"),
        ],
        static_routes=[r for r in _routes() if r.protocol is RouteProto.STATIC],
        mac_table=[
            MacEntry(10, "00:50:56:aa:00:01", "ge-0/0/2"),
            MacEntry(20, "00:11:22:33:44:55", "ge-0/0/2"),
            MacEntry(10, "00:50:56:aa:00:02", "ae0"),
            MacEntry(20, "00:50:56:aa:00:03", "ae0", dynamic=False),
        ],
        arp=[
            ArpEntry(ADDR("10.0.0.2"), "2c:6b:f5:a1:c2:c1", "ge-0/0/0"),
            ArpEntry(ADDR("10.0.0.6"), "00:de:fb:11:22:34", "ge-0/0/1"),
            ArpEntry(ADDR("10.10.10.20"), "00:50:56:aa:00:01", "irb.10"),
            ArpEntry(ADDR("10.0.0.2"), "00:50:56:bb:00:09", "ge-0/0/5", vrf="BLUE"),
            ArpEntry(ADDR("127.0.1.254"), "00:00:5e:00:01:01", "em0", vrf="mgmt_junos"),
            ArpEntry(ADDR("10.0.0.1"), "2c:6b:f5:00:10:01", "ge-0/0/0", age_min=-1),
        ],
    )


def small_device() -> DeviceState:
    """An MX with nothing switched, no VRF, no BGP: renderers must not assume the rich case."""
    return DeviceState(
        hostname="edge2",
        platform=Platform.JUNIPER_JUNOS,
        mgmt_ip=ADDR("127.0.2.1"),
        model="mx204",
        serial="BM127",
        os_version="22.4R2.8",
        uptime="04:05:06",
        interfaces=[
            Interface("fxp0", IfKind.MGMT, ipv4=IPv4Interface("127.0.2.1/24")),
            Interface("et-0/0/0", ipv4=IPv4Interface("10.9.0.1/30"), bandwidth_kbps=100_000_000),
            Interface("lo0", IfKind.LOOPBACK, ipv4=IPv4Interface("10.255.9.1/32")),
        ],
    )


def _context(dev: DeviceState, args: dict[str, str] | None = None) -> RenderContext:
    rib = connected_rib(dev, _routes() if dev.hostname == "r1" else [])
    return RenderContext(dev=dev, rib=lambda: rib, args=args or {})


ARGS = {"interface": "ge-0/0/0", "table": "inet.0"}
DEVICES: list[Callable[[], DeviceState]] = [rich_device, small_device]


def _args_for(pattern: str) -> dict[str, str]:
    return {name: ARGS[name] for name in ARGS if f"<{name}>" in pattern}


@pytest.mark.parametrize("spec", COMMANDS, ids=lambda s: s.pattern)
@pytest.mark.parametrize("make", DEVICES, ids=lambda m: m.__name__)
def test_every_command_renders(spec: object, make: object) -> None:
    assert isinstance(spec, CommandSpec) and callable(make)
    text = spec.render(_context(make(), _args_for(spec.pattern)))
    assert text == "" or text.endswith("\n")


def _command(pattern: str, args: dict[str, str]) -> str:
    words = [args[w[1:-1]] if w.startswith("<") else w for w in pattern.split()]
    return " ".join(words)


CHECK_ARGS = [
    ("show lldp neighbors interface <interface>", {"interface": name})
    for name in ("ge-0/0/0", "ge-0/0/1", "ge-0/0/2", "ge-0/0/3")
] + [("show route table <table>", {"table": t}) for t in ("inet.0", "BLUE.inet.0", "mgmt_junos.inet.0")]


def _cases() -> list[tuple[Callable[[], DeviceState], str, dict[str, str]]]:
    """Plain commands on both devices; argument commands on the rich one (the small has no LLDP/VRF)."""
    plain: list[tuple[Callable[[], DeviceState], str, dict[str, str]]] = [
        (make, p, {}) for make in DEVICES for p in CHECKS if "<" not in p
    ]
    return plain + [(rich_device, p, args) for p, args in CHECK_ARGS]


@pytest.mark.parametrize(("make", "pattern", "args"), _cases(), ids=lambda v: getattr(v, "__name__", None) or str(v))
def test_rendered_text_parses_to_the_state(make: Callable[[], DeviceState], pattern: str, args: dict[str, str]) -> None:
    ctx = _context(make(), args)
    spec = next(s for s in COMMANDS if s.pattern == pattern)
    rows = parse(PLATFORM, _command(pattern, args), spec.render(ctx))
    CHECKS[pattern](ctx, rows)


def test_every_parsed_command_has_a_check() -> None:
    parsed = {
        "show version",
        "show chassis hardware",
        "show system uptime",
        "show interfaces",
        "show lacp interfaces",
        "show lldp neighbors",
        "show lldp neighbors interface <interface>",
        "show ethernet-switching table",
        "show vlans",
        "show arp no-resolve",
        "show route",
        "show route table <table>",
        "show route protocol static",
        "show route protocol ospf",
        "show route protocol bgp",
        "show route protocol direct",
        "show route summary",
        "show ospf neighbor",
        "show bgp summary",
    }
    assert parsed <= set(CHECKS)
    assert set(CHECKS) <= {s.pattern for s in COMMANDS}


def test_unknown_routing_instance_raises() -> None:
    spec = next(s for s in COMMANDS if s.pattern == "show route table <table>")
    with pytest.raises(UnknownVrf) as info:
        spec.render(_context(rich_device(), {"table": "RED.inet.0"}))
    assert info.value.vrf == "RED"


def test_admin_down_port_prints_like_junos() -> None:
    dev = small_device()
    dev.interfaces[1].admin_up = False
    spec = next(s for s in COMMANDS if s.pattern == "show interfaces")
    text = spec.render(_context(dev))
    assert "Physical interface: et-0/0/0, Administratively down, Physical link is Down" in text


def test_route_output_looks_like_junos() -> None:
    spec = next(s for s in COMMANDS if s.pattern == "show route")
    text = spec.render(_context(rich_device()))
    assert "inet.0: " in text and "BLUE.inet.0: " in text
    assert "+ = Active Route, - = Last Active, * = Both" in text
    assert "10.1.1.0/24        *[OSPF/10] " in text
    ecmp = "                    >  to 10.0.0.2 via ge-0/0/0.0\n                       to 10.0.0.6 via ge-0/0/1.0"
    assert ecmp in text
    assert "                       Local via ge-0/0/0.0" in text
    assert "AS path: 65002 65010 I, validation-state: unverified" in text
    assert "                       Discard" in text


def _mutated() -> DeviceState:
    dev = rich_device()
    dev.hostname = "r9"
    dev.interfaces[1].ipv4 = IPv4Interface("10.0.0.9/30")
    dev.neighbors[0] = NeighborAdvert(
        NeighborProtocol.LLDP,
        "ge-0/0/0",
        "core7",
        "ge-0/0/2",
        "mx480",
        ("R",),
        ADDR("127.0.1.9"),
        "x",
        "2c:6b:f5:a1:c2:c0",
    )
    dev.mac_table[0] = MacEntry(10, "00:50:56:aa:00:99", "ge-0/0/2")
    dev.arp[0] = ArpEntry(ADDR("10.0.0.2"), "2c:6b:f5:a1:c2:c1", "ge-0/0/1")
    dev.ospf_neighbors[0] = OspfNeighbor(ADDR("10.255.0.7"), ADDR("10.0.0.2"), "ge-0/0/0", "0.0.0.0")
    dev.bgp_peers[0] = BgpPeer(ADDR("192.0.2.2"), 65003, prefixes_received=5, uptime="1w2d")
    dev.vlans[40] = "CAMERAS"
    dev.interfaces[6].members = ("ge-0/0/3",)
    return dev


@pytest.mark.parametrize(
    ("pattern", "args"),
    [
        (p, {})
        for p in (
            "show version",
            "show interfaces",
            "show lldp neighbors",
            "show ethernet-switching table",
            "show arp no-resolve",
            "show ospf neighbor",
            "show bgp summary",
            "show vlans",
            "show lacp interfaces",
        )
    ]
    + [("show lldp neighbors interface <interface>", {"interface": "ge-0/0/0"})],
    ids=str,
)
def test_checks_catch_a_state_that_differs_from_the_text(pattern: str, args: dict[str, str]) -> None:
    spec = next(s for s in COMMANDS if s.pattern == pattern)
    rows = parse(PLATFORM, _command(pattern, args), spec.render(_context(rich_device(), args)))
    with pytest.raises(AssertionError):
        CHECKS[pattern](_context(_mutated(), args), rows)


def test_route_checks_catch_a_wrong_next_hop() -> None:
    good = _context(rich_device())
    moved = [
        Route(r.prefix, r.protocol, (NextHop(ADDR("10.0.0.6"), "ge-0/0/1"),), r.vrf, metric=r.metric)
        if r.prefix == IPv4Network("10.2.0.0/16")
        else r
        for r in good.rib()
    ]
    bad = RenderContext(dev=good.dev, rib=lambda: moved)
    for pattern in ("show route", "show route protocol ospf"):
        spec = next(s for s in COMMANDS if s.pattern == pattern)
        rows = parse(PLATFORM, pattern, spec.render(good))
        CHECKS[pattern](good, rows)
        with pytest.raises(AssertionError):
            CHECKS[pattern](bad, rows)


def test_a_virtual_chassis_lists_every_member() -> None:
    dev = rich_device()
    dev.vc_members = (VcMember(0, "ex4300-48p", dev.serial), VcMember(1, "ex4300-48p", "PE3714AA0002"))
    ctx = _context(dev)
    version = next(s for s in COMMANDS if s.pattern == "show version").render(ctx)
    assert version.startswith("fpc0:\n" + "-" * 74 + f"\nHostname: {dev.hostname}\nModel: ex4300-48p\n")
    assert "\n\nfpc1:\n" in version and version.count("Model: ex4300-48p") == 2
    hardware = next(s for s in COMMANDS if s.pattern == "show chassis hardware").render(ctx)
    assert f"Chassis                                {dev.serial:<17} Virtual Chassis\n" in hardware
    assert "FPC 1 " in hardware and "PE3714AA0002" in hardware


def test_a_backup_route_prints_inactive_under_the_active_one() -> None:
    dev = rich_device()
    active = next(r for r in _context(dev).rib() if r.vrf == "default" and r.protocol is RouteProto.OSPF)
    hop = NextHop(IPv4Address("192.0.2.99"), next(i.name for i in dev.interfaces if i.ipv4 is not None))
    dev.backup_routes.append(Route(active.prefix, RouteProto.STATIC, (hop,), distance=200))
    text = next(s for s in COMMANDS if s.pattern == "show route").render(_context(dev))
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith(f"{active.prefix!s:<19}*[OSPF/"))
    backup = next(i for i, line in enumerate(lines) if "[Static/200]" in line)
    assert backup > head and lines[backup].startswith(" " * 20 + "[Static/200]")
    assert lines[backup + 1].strip() == f">  to 192.0.2.99 via {hop.interface}.0"


def test_inet6_routes_wrap_a_long_prefix() -> None:
    dev = rich_device()
    dev.ipv6_routes = [Ipv6Route(IPv6Network("2001:db8:ffff:1::1/128"), RouteProto.LOCAL, None, "ge-0/0/1"),
                       Ipv6Route(IPv6Network("::/0"), RouteProto.STATIC, IPv6Address("2001:db8::2"), "ge-0/0/1", 5)]
    text = next(s for s in COMMANDS if s.pattern == "show route").render(_context(dev))
    table = text[text.index("inet6.0: 2 destinations, 2 routes"):]
    assert "\n::/0               *[Static/5] " in table
    assert "\n                    >  to 2001:db8::2 via ge-0/0/1.0\n" in table
    assert "\n2001:db8:ffff:1::1/128\n                   *[Local/0] " in table
    assert "\n                       Local via ge-0/0/1.0\n" in table


# ---- | display json -----------------------------------------------------------------------------

JSON_SPECS = [s for s in COMMANDS if s.render_json is not None]


def _layout_problems(value: object, where: str) -> list[str]:
    """Where a document departs from JunOS's conversion: children are lists of objects, leaves
    ``{"data": "text"}`` (or ``[null]``), attributes an object of strings."""
    if not isinstance(value, dict):
        return [f"{where}: not an object"]
    problems = []
    for key, child in value.items():
        if key == "data":
            if not (isinstance(child, str) or child == [None]):
                problems.append(f"{where}.data: {child!r} is not text")
        elif key == "attributes":
            if not (isinstance(child, dict) and all(isinstance(v, str) for v in child.values())):
                problems.append(f"{where}.attributes: {child!r}")
        elif key == "comment":
            problems += [] if isinstance(child, str) else [f"{where}.comment"]
        elif not isinstance(child, list) or not child:
            problems.append(f"{where}.{key}: not a non-empty list")
        else:
            for n, item in enumerate(child):
                problems += _layout_problems(item, f"{where}.{key}[{n}]")
    return problems


@pytest.mark.parametrize("spec", JSON_SPECS, ids=lambda s: s.pattern)
@pytest.mark.parametrize("make", DEVICES, ids=lambda m: m.__name__)
def test_every_json_document_has_junos_layout(spec: CommandSpec, make: Callable[[], DeviceState]) -> None:
    import json

    assert spec.render_json is not None
    out = spec.render_json(_context(make(), _args_for(spec.pattern)))
    if not out.startswith("{"):  # a feature that is off prints its message as text
        assert out in ("BGP is not running\n",), out
        return
    document = json.loads(out)
    assert len(document) == 1 and isinstance(next(iter(document.values())), list), list(document)
    assert _layout_problems(document, "") == []
    assert out.splitlines()[1].endswith('" : [') and out.splitlines()[2] == "    {"  # JunOS's own indentation


def test_a_route_document_carries_junos_details() -> None:
    import json

    spec = next(s for s in COMMANDS if s.pattern == "show route")
    assert spec.render_json is not None
    doc = json.loads(spec.render_json(_context(rich_device())))
    (reply,) = doc["route-information"]
    assert reply["attributes"]["xmlns"].startswith("http://xml.juniper.net/junos/")
    tables = {t["table-name"][0]["data"]: t for t in reply["route-table"]}
    assert {"inet.0", "BLUE.inet.0"} <= tables.keys()
    entries = [e for rt in tables["inet.0"]["rt"] for e in rt["rt-entry"]]
    active = [e for e in entries if "active-tag" in e]
    assert active and all(e["active-tag"] == [{"data": "*"}] for e in active)
    assert all(e["age"][0]["attributes"]["junos:seconds"].isdigit() for e in entries)
    hops = [nh for e in active for nh in e.get("nh", [])]
    assert any(nh.get("selected-next-hop") == [{"data": [None]}] for nh in hops)
    assert any(e["nh-type"] == [{"data": "Local"}] and "nh-local-interface" in e["nh"][0] for e in entries
               if "nh-type" in e)


def _json_cases() -> list[tuple[Callable[[], DeviceState], CommandSpec, dict[str, str]]]:
    cases = [(make, s, _args_for(s.pattern)) for make in DEVICES for s in JSON_SPECS if "<" not in s.pattern]
    lldp = next(s for s in JSON_SPECS if s.pattern == "show lldp neighbors interface <interface>")
    return cases + [(rich_device, lldp, {"interface": f"ge-0/0/{n}"}) for n in range(4)]


@pytest.mark.parametrize(("make", "spec", "args"), _json_cases(),
                         ids=lambda v: getattr(v, "__name__", None) or getattr(v, "pattern", None) or str(v))
def test_the_json_form_says_what_the_text_form_says(make: Callable[[], DeviceState], spec: CommandSpec,
                                                    args: dict[str, str]) -> None:
    """Read by netatlas's collector, both forms give the same records (so the JSON carries the state)."""
    from netatlas.collect.parsers import parse_output
    from netatlas.domain.records import DataType
    from tests.support.expected import canonical

    assert spec.render_json is not None
    ctx, command, every = _context(make(), args), _command(spec.pattern, args), frozenset(DataType)
    as_text = parse_output(PLATFORM, command, spec.render(ctx), every)
    as_json = parse_output(PLATFORM, f"{command} | display json", spec.render_json(ctx), every)
    assert canonical(as_json) == canonical(as_text)
    assert canonical(as_text) != canonical(type(as_text)()) or make is small_device
