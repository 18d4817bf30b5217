"""``show ip bgp summary [vrf all] | json`` (NAPALM ``test_get_bgp_neighbors/*/show_ip_bgp_summary_vrf_all.json``).

``{"vrfs": {vrf: {"vrf", "routerId", "asn", "peers": {address: {...}}}}}``: AS numbers are strings
(``"65001"``, asdot ``"65000.1000"`` when the device prints asdot), ``peerState`` spelled out
(``Established``, ``Active``), ``prefixReceived``/``prefixAccepted`` numbers, ``upDownTime`` an
epoch float, ``description`` only on a described peer. Every VRF with a peer is listed, and the
default VRF always.
"""

from __future__ import annotations

from typing import Any

from netatlas.lab.model import BgpPeer, DeviceState
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.eos._common import seconds_of
from netatlas.lab.render.eos.json_common import ago, document
from netatlas.lab.render.variations import asn_text


def _peer(peer: BgpPeer, dot: bool) -> dict[str, Any]:
    established = peer.state == "Established"
    entry: dict[str, Any] = {
        "version": 4,
        "msgReceived": peer.msg_rcvd,
        "msgSent": peer.msg_sent,
        "inMsgQueue": 0,
        "outMsgQueue": 0,
        "asn": asn_text(peer.remote_as, dot=dot),
        "prefixAccepted": peer.prefixes_received if established else 0,
        "prefixReceived": peer.prefixes_received if established else 0,
        "upDownTime": ago(seconds_of(peer.uptime)),
        "underMaintenance": False,
        "peerState": peer.state,
    }
    if peer.description:
        entry["description"] = peer.description
    return entry


def _summary(dev: DeviceState, vrf: str) -> dict[str, Any]:
    return {
        "vrf": vrf,
        "routerId": str(dev.bgp_router_id),
        "asn": asn_text(dev.bgp_asn or 0, dot=dev.asdot),
        "peers": {str(p.address): _peer(p, dev.asdot) for p in dev.bgp_peers if p.vrf == vrf},
    }


def show_ip_bgp_summary(ctx: RenderContext) -> str:
    if ctx.dev.bgp_asn is None:
        return document({"vrfs": {}})
    return document({"vrfs": {"default": _summary(ctx.dev, "default")}})


def show_ip_bgp_summary_vrf_all(ctx: RenderContext) -> str:
    dev = ctx.dev
    if dev.bgp_asn is None:
        return document({"vrfs": {}})
    vrfs = [v for v in dev.vrf_names() if v == "default" or any(p.vrf == v for p in dev.bgp_peers)]
    return document({"vrfs": {vrf: _summary(dev, vrf) for vrf in vrfs}})
