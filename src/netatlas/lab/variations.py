"""Variations real networks have, put on lab devices by the scenarios (see ``docs/truth-format.md``).

Each helper changes a device's state and records the :class:`~netatlas.lab.model.Variation` it
carries; :func:`derive` (run by ``Builder.finish``) adds what follows from the configuration: OSPF
is off where no interface runs it, BGP where no AS is set, and the IPv6 routes of IPv6 interfaces.
CDP/LLDP switched off must be set before the device is cabled: neighbors hear only what it runs.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Interface
from typing import TYPE_CHECKING

from netatlas.lab.model import (
    FEATURE_OFF_VARIATION,
    BgpPeer,
    DeviceState,
    Feature,
    IfKind,
    Interface,
    Ipv6Route,
    NextHop,
    Route,
    RouteProto,
    Variation,
    VcMember,
)
from netatlas.lab.profiles import PROFILES

if TYPE_CHECKING:
    from netatlas.lab.builder import Builder

FLOATING_PREFERENCE = 200  # a backup static route: worse than any routing protocol


def runs(dev: DeviceState, feature: Feature) -> bool:
    """Whether the device runs CDP/LLDP (CDP only where the platform speaks it)."""
    speaks = feature is not Feature.CDP or PROFILES[dev.platform].speaks_cdp
    return speaks and feature not in dev.features_off


def feature_off(b: Builder, host: str, feature: Feature) -> None:
    """CDP or LLDP switched off on ``host`` (before it is cabled)."""
    b.devices[host].features_off.add(feature)


def old_image(b: Builder, host: str) -> None:
    """``host`` runs its platform's older image, which refuses some command forms."""
    dev = b.devices[host]
    image = PROFILES[dev.platform].old_image
    if image is None:
        raise ValueError(f"{dev.platform} has no old image in the lab")
    dev.model, dev.os_version, dev.rejected_forms = image.model(dev.role), image.os_version, image.rejects
    if not image.vrfs:
        dev.vrfs.clear()
        for intf in dev.interfaces:
            intf.vrf = "default"
    dev.variations.add(Variation.OLD_IMAGE)


def virtual_chassis(b: Builder, host: str, members: int = 2) -> None:
    """``host`` is a virtual chassis of ``members`` switches; fpc0 is the master, whose serial it has."""
    dev = b.devices[host]
    model = PROFILES[dev.platform].vc_model
    serials = [dev.serial, *(b.serial(dev.serial[:3]) for _ in range(members - 1))]
    dev.vc_members = tuple(VcMember(fpc, model, serial) for fpc, serial in enumerate(serials))
    dev.model = model.upper()
    dev.variations.add(Variation.VIRTUAL_CHASSIS)


def ipv6(b: Builder, host: str, intf: Interface, address: str) -> None:
    """An IPv6 address on one of ``host``'s interfaces (``2001:db8::1/64``)."""
    intf.ipv6 = (*intf.ipv6, IPv6Interface(address))
    b.devices[host].variations.add(Variation.IPV6)


def asdot(b: Builder, host: str) -> None:
    """``host`` prints 4-byte AS numbers in asdot (``bgp asnotation dot``); the truth stays asplain."""
    b.devices[host].asdot = True
    b.devices[host].variations.add(Variation.ASDOT)


def bgp_peer_down(b: Builder, host: str, address: IPv4Address, remote_as: int, state: str,
                  vrf: str = "default") -> None:
    """A configured BGP peer that never comes up (nothing in the lab answers at ``address``)."""
    dev = b.devices[host]
    dev.bgp_peers.append(BgpPeer(address=address, remote_as=remote_as, state=state, uptime="3w2d",
                                 description=f"down {address}", msg_rcvd=0, msg_sent=0, vrf=vrf))
    dev.variations.add(Variation.BGP_PEER_DOWN)


def mpls(b: Builder, host: str) -> None:
    """LDP towards every OSPF neighbor: JunOS prints ``inet.3`` and ``mpls.0`` in ``show route``."""
    b.devices[host].mpls = True
    b.devices[host].variations.add(Variation.MPLS)


def floating_static(b: Builder, host: str, prefix: str, address: IPv4Address, local: Interface) -> None:
    """A static route that loses to the routing protocol: an inactive, non-ECMP backup path."""
    dev = b.devices[host]
    dev.backup_routes.append(Route(IPv4Network(prefix), RouteProto.STATIC, (NextHop(address, local.name),),
                                   local.vrf, distance=FLOATING_PREFERENCE))
    dev.variations.add(Variation.BACKUP_ROUTE)


def derive(dev: DeviceState) -> None:
    """What follows from the configuration: protocols not configured are off; IPv6 routes."""
    if not any(i.ospf_area is not None for i in dev.interfaces):
        dev.features_off.add(Feature.OSPF)
    if dev.bgp_asn is None:
        dev.features_off.add(Feature.BGP)
    if not PROFILES[dev.platform].speaks_cdp:
        dev.features_off.discard(Feature.CDP)
    dev.variations.update(FEATURE_OFF_VARIATION[f] for f in dev.features_off)
    routes = [*dev.ipv6_routes, *attached_ipv6_routes(dev)]  # static ones are set by the scenario
    dev.ipv6_routes = sorted(routes, key=lambda r: (int(r.prefix.network_address), r.prefix.prefixlen))


def attached_ipv6_routes(dev: DeviceState) -> list[Ipv6Route]:
    """Direct and Local routes of every global IPv6 address, and the Local route of each link-local."""
    from netatlas.lab.render.text import link_local

    routes: list[Ipv6Route] = []
    for intf in dev.interfaces:
        addresses = list(intf.ipv6)
        if addresses and intf.kind is not IfKind.LOOPBACK:
            addresses.append(link_local(intf.mac))
        for address in addresses:
            if address.network.prefixlen < 128 and not address.is_link_local:
                routes.append(Ipv6Route(address.network, RouteProto.CONNECTED, None, intf.name))
            routes.append(Ipv6Route(IPv6Interface(f"{address.ip}/128").network, RouteProto.LOCAL, None, intf.name))
    return routes
