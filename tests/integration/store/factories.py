"""Hand-built device results holding every kind of record, with realistic raw outputs."""

from __future__ import annotations

from netatlas.domain.inventory import InventoryDevice
from netatlas.domain.records import (
    ROUTE_TYPES,
    ArpEntry,
    BgpSession,
    CommandOutput,
    DataType,
    DeviceRecords,
    DeviceResult,
    ErrorKind,
    Facts,
    Interface,
    MacEntry,
    Neighbor,
    NextHop,
    OspfNeighbor,
    Route,
)

ALL_TYPES = frozenset(DataType)


def device(name: str, index: int = 1) -> InventoryDevice:
    return InventoryDevice(name=name, host=f"127.30.0.{index}", platform="cisco_ios", credentials="lab",
                           port=22022, site="lab", role="access", tags=("test", "store"))


def interfaces(count: int = 4) -> list[Interface]:
    return [Interface(f"GigabitEthernet0/{i}", admin_up=True, oper_up=i % 3 != 0, description=f"link {i}",
                      ipv4=(f"10.{i // 250}.{i % 250}.1/30", f"10.200.{i % 250}.1/32") if i % 2 else (),
                      mac=f"00:11:22:33:{i // 256:02x}:{i % 256:02x}", mtu=1500 if i % 4 else None,
                      vrf="mgmt" if i == 0 else "") for i in range(count)]


def neighbors(names: list[str]) -> list[Neighbor]:
    return [Neighbor(protocol="cdp" if i % 2 == 0 else "lldp", local_interface=f"GigabitEthernet0/{i}",
                     remote_name=name, remote_interface="Ethernet1/1", remote_name_raw=f"{name}.lab.example(FOC1)",
                     mgmt_ip=f"127.30.1.{i + 1}", remote_platform="N9K-C9300", capabilities="Router Switch")
            for i, name in enumerate(names)]


def _route(i: int) -> Route:
    protocol = ("connected", "static", "ospf", "bgp", "local")[i % 5]
    if protocol in ("connected", "local"):
        return Route(vrf="default", prefix=f"172.{16 + i % 16}.{i // 16 % 256}.0/24", protocol=protocol,
                     next_hops=(NextHop("", "GigabitEthernet0/2"),), distance=0)
    hops = (NextHop(f"10.9.{i % 250}.2", "GigabitEthernet0/1"), NextHop(f"10.9.{i % 250}.6", "Vlan10"))
    prefix = f"10.{100 + i // 65536 % 100}.{i // 256 % 256}.{i % 256}/32"
    return Route(vrf="default" if i % 7 else "blue", prefix=prefix,
                 protocol=protocol, next_hops=hops, distance={"static": 1, "ospf": 110, "bgp": 20}[protocol],
                 metric=i * 10 or None, route_type={"ospf": "inter", "bgp": "external"}.get(protocol, ""),
                 as_path="65001 65002" if protocol == "bgp" else "")


def routes(count: int = 5) -> list[Route]:
    """``count`` routes cycling through connected, static, ospf, bgp and local."""
    return [_route(i) for i in range(count)]


def records(name: str, neighbor_names: list[str] | None = None, route_count: int = 5,
            interface_count: int = 4) -> DeviceRecords:
    return DeviceRecords(
        facts=Facts(hostname=name, model="C9300-48P", serial="FOC1234X0AB", os_version="17.9.4", vendor="cisco",
                    uptime="5 weeks"),
        interfaces=interfaces(interface_count),
        neighbors=neighbors(neighbor_names if neighbor_names is not None else ["core1", "core2", "dist1"]),
        routes=routes(route_count),
        ospf_neighbors=[OspfNeighbor("10.255.0.1", "10.9.0.2", "GigabitEthernet0/1", "FULL/DR", "default")],
        bgp_sessions=[BgpSession("10.9.0.6", 4_200_000_001, "Established", 12, "blue"),
                      BgpSession("10.9.0.10", 65002, "Active", None)],
        mac_table=[MacEntry("aa:bb:cc:00:00:01", 10, "GigabitEthernet0/3"),
                   MacEntry("aa:bb:cc:00:00:02", 20, "Port-channel1", dynamic=False)],
        arp=[ArpEntry("10.9.0.2", "aa:bb:cc:00:00:01", "Vlan10"), ArpEntry("10.8.0.1", "aa:bb:cc:00:00:09", "Vlan20",
                                                                             vrf="blue")],
    )


def route_table_text(count: int) -> str:
    """Route table text of about the size a device prints for ``count`` routes."""
    return "".join(f"O IA     10.{100 + i // 65536 % 100}.{i // 256 % 256}.{i % 256}/32 [110/{i * 10}] via "
                   f"10.9.{i % 250}.2, 3d01h, GigabitEthernet0/1\n" for i in range(count))


def outputs(route_count: int = 5) -> list[CommandOutput]:
    texts = {
        DataType.FACTS: "Cisco IOS XE Software, Version 17.09.04\nsw uptime is 5 weeks\n" * 3,
        DataType.INTERFACES: "GigabitEthernet0/1 is up, line protocol is up\n  MTU 1500 bytes, BW 1000000 Kbit\n" * 20,
        DataType.CDP: "Device ID: core1.lab.example\n  IP address: 127.30.1.1\nPlatform: N9K-C9300\n" * 5,
        DataType.LLDP: "Chassis id: 0011.2233.4455\nSystem Name: core2\n" * 5,
        DataType.MAC: "  10    aabb.cc00.0001    DYNAMIC     Gi0/3\n" * 10,
        DataType.ARP: "Internet  10.9.0.2   0   aabb.cc00.0001  ARPA   Vlan10\n" * 10,
    }
    found = [CommandOutput(f"show {kind.value}", kind, text, duration_s=0.01) for kind, text in texts.items()]
    found.append(CommandOutput("show ip route vrf *", DataType.STATIC_ROUTES, route_table_text(route_count), 0.05,
                               data_types=ROUTE_TYPES))  # the whole RIB serves every route type
    found.append(CommandOutput("show ip ospf neighbor", DataType.ROUTING_NEIGHBORS, "10.255.0.1 1 FULL/DR\n", 0.01))
    return found


def result(name: str, neighbor_names: list[str] | None = None, route_count: int = 5,
           interface_count: int = 4) -> DeviceResult:
    """An ok result with every kind of record and an output per data type."""
    return DeviceResult(name=name, ok=True, records=records(name, neighbor_names, route_count, interface_count),
                        outputs=outputs(route_count), duration_s=1.5)


def failed(name: str, kind: ErrorKind = ErrorKind.TIMEOUT) -> DeviceResult:
    partial = [CommandOutput("show version", DataType.FACTS, f"{name} uptime is 1 day\n", 0.01)]
    return DeviceResult(name=name, ok=False, outputs=partial, error_kind=kind, error=f"{kind.value} after show version")
