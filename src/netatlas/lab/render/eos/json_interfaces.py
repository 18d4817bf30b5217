"""``show interfaces | json``: ``{"interfaces": {name: {...}}}``, keyed by the full interface name.

Shape (NAPALM ``test_get_interfaces/normal/show_interfaces.json``; the IPv6 block
``interfaceAddressIp6`` of newer images as autonet's EOS test data shows it): ``interfaceStatus``
(``connected``/``notconnect``/``disabled``), ``lineProtocolStatus`` (``up``/``down``/
``lowerLayerDown``), ``hardware`` in lower camelCase, ``bandwidth`` in bit/s, ``duplex``
(``duplexFull``) on Ethernet and Port-Channel interfaces only, ``interfaceAddress`` a list with
one ``primaryIp`` (``0.0.0.0``/0 when none) on routed interfaces and empty on bridged ones, a
member's ``interfaceMembership`` (``Member of Port-Channel10``) and a channel's
``memberInterfaces``. The values are the text renderer's (``interfaces.py``), from the same state.
"""

from __future__ import annotations

from ipaddress import IPv4Address
from typing import Any

from netatlas.lab.model import DeviceState, IfKind, Interface
from netatlas.lab.render import text
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.eos._common import by_name, is_switchport
from netatlas.lab.render.eos._common import sorted_interfaces as ordered
from netatlas.lab.render.eos.interfaces import ip_mtu
from netatlas.lab.render.eos.json_common import ago, colon_mac, document

_HARDWARE = {
    IfKind.PHYSICAL: "ethernet",
    IfKind.MGMT: "ethernet",
    IfKind.PORT_CHANNEL: "portChannel",
    IfKind.SVI: "vlan",
    IfKind.LOOPBACK: "loopback",
}
_L2_MTU = 9214
_UNSET = {"address": str(IPv4Address(0)), "maskLen": 0}  # EOS prints an absent address as 0.0.0.0/0
_DUPLEXED = (IfKind.PHYSICAL, IfKind.MGMT, IfKind.PORT_CHANNEL)


def _status(intf: Interface) -> str:
    if not intf.admin_up:
        return "disabled"
    return "connected" if intf.oper_up else "notconnect"


def _protocol(intf: Interface) -> str:
    if intf.admin_up and intf.oper_up:
        return "up"
    if intf.admin_up and intf.kind in (IfKind.PORT_CHANNEL, IfKind.SVI):
        return "lowerLayerDown"
    return "down"


def _bridged(intf: Interface) -> bool:
    return bool(intf.channel_group) or is_switchport(intf)


def _forwarding(intf: Interface) -> str:
    if intf.channel_group:
        return "dataLink"
    return "bridged" if is_switchport(intf) else "routed"


def _address(intf: Interface) -> list[dict[str, Any]]:
    if _bridged(intf):
        return []
    primary = ({"address": str(intf.ipv4.ip), "maskLen": intf.ipv4.network.prefixlen} if intf.ipv4 is not None
               else dict(_UNSET))
    return [{
        "primaryIp": primary,
        "secondaryIps": {},
        "secondaryIpsOrderedList": [],
        "virtualIp": dict(_UNSET),
        "virtualSecondaryIps": {},
        "virtualSecondaryIpsOrderedList": [],
        "broadcastAddress": "255.255.255.255",
        "dhcp": False,
    }]


def _ipv6(intf: Interface) -> dict[str, Any]:
    return {
        "linkLocalIp6": {"address": str(text.link_local(intf.mac).ip), "subnet": "fe80::/64",
                         "active": True, "dadfailed": False},
        "globalUnicastIp6s": [{"address": str(a.ip), "subnet": str(a.network), "active": True, "dadfailed": False}
                              for a in intf.ipv6],
        "globalAddressesAreVirtual": False,
        "addrSource": "manual",
    }


def _counters(intf: Interface, n: int) -> dict[str, Any]:
    pkts_in, pkts_out = (1_200_345 + 7_919 * n, 980_112 + 6_733 * n) if intf.oper_up else (0, 0)
    return {
        "inOctets": pkts_in * 412, "inUcastPkts": pkts_in - pkts_in // 50 - pkts_in // 20,
        "inMulticastPkts": pkts_in // 20, "inBroadcastPkts": pkts_in // 50, "inDiscards": 0, "inTotalPkts": pkts_in,
        "outOctets": pkts_out * 388, "outUcastPkts": pkts_out - pkts_out // 60 - pkts_out // 25,
        "outMulticastPkts": pkts_out // 25, "outBroadcastPkts": pkts_out // 60, "outDiscards": 0,
        "totalInErrors": 0, "totalOutErrors": 0, "linkStatusChanges": 2, "counterRefreshTime": ago(1.5),
        "inputErrorsDetail": {"runtFrames": 0, "giantFrames": 0, "fcsErrors": 0, "alignmentErrors": 0,
                              "symbolErrors": 0, "rxPause": 0},
        "outputErrorsDetail": {"collisions": 0, "lateCollisions": 0, "deferredTransmissions": 0, "txPause": 0},
    }


def _interface(intf: Interface, dev: DeviceState, n: int) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": intf.name,
        "forwardingModel": _forwarding(intf),
        "lineProtocolStatus": _protocol(intf),
        "interfaceStatus": _status(intf),
        "hardware": _HARDWARE[intf.kind],
        "interfaceAddress": _address(intf),
        "description": intf.description,
        "bandwidth": 0 if intf.kind in (IfKind.LOOPBACK, IfKind.SVI) else intf.bandwidth_kbps * 1000,
        "mtu": _L2_MTU if _bridged(intf) else ip_mtu(intf),
        "l3MtuConfigured": False,
        "l2Mru": 0,
        "lastStatusChangeTimestamp": ago(86400 * (3 + n % 20) + 3600 * (1 + n % 23) + 60 * (1 + (7 * n) % 59)),
    }
    if intf.kind is not IfKind.LOOPBACK:
        entry["physicalAddress"] = colon_mac(intf.mac)
        if intf.kind is not IfKind.PORT_CHANNEL:
            entry["burnedInAddress"] = colon_mac(intf.mac)
    if intf.ipv6 and not _bridged(intf):
        entry["interfaceAddressIp6"] = _ipv6(intf)
    if intf.kind in _DUPLEXED:
        entry["duplex"] = "duplexFull"
        entry["autoNegotiate"] = "success" if intf.kind is IfKind.MGMT else "off"
        entry["loopbackMode"] = "loopbackNone"
        entry["interfaceCounters"] = _counters(intf, n)
    if intf.channel_group:
        entry["interfaceMembership"] = f"Member of {intf.channel_group}"
    if intf.kind is IfKind.PORT_CHANNEL:
        names = by_name(dev)
        entry["memberInterfaces"] = {m: {"duplex": "duplexFull", "bandwidth": names[m].bandwidth_kbps * 1000}
                                     for m in intf.members if m in names and names[m].oper_up}
        entry["fallbackEnabled"] = False
        entry["fallbackEnabledType"] = "fallbackNone"
    return entry


def show_interfaces(ctx: RenderContext) -> str:
    dev = ctx.dev
    return document({"interfaces": {intf.name: _interface(intf, dev, n)
                                    for n, intf in enumerate(ordered(dev.interfaces))}})
