"""``show ospf neighbor`` and ``show bgp summary``."""

from __future__ import annotations

from netatlas.lab.model import BgpPeer
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.junos._common import junos_age, logical, seconds, table_name
from netatlas.lab.render.variations import asn_text

_BGP_HEADER = (
    "Peer                     AS      InPkt     OutPkt    OutQ   Flaps Last Up/Dwn "
    "State|#Active/Received/Accepted/Damped..."
)
_STATES = {"established": "Establ", "idle": "Idle", "active": "Active", "connect": "Connect"}


def show_ospf_neighbor(ctx: RenderContext) -> str:
    """The master instance only (VRF neighbors need ``show ospf neighbor instance <name>``)."""
    neighbors = [n for n in ctx.dev.ospf_neighbors if n.vrf == "default"]
    if not neighbors:
        return ""
    lines = ["Address          Interface              State           ID               Pri  Dead"]
    for nbr in neighbors:
        lines.append(
            f"{nbr.address!s:<16} {logical(nbr.interface):<22} {'Full':<15} "
            f"{nbr.router_id!s:<16} {nbr.priority:>3} {nbr.dead_time_s:>5}"
        )
    return "\n".join(lines) + "\n"


def _established(peer: BgpPeer) -> bool:
    return peer.state.lower().startswith("establ")


def _peer_lines(peer: BgpPeer, dot: bool) -> list[str]:
    up_down = junos_age(seconds(peer.uptime), pad_hours=False)
    state = "Establ" if _established(peer) else _STATES.get(peer.state.lower(), peer.state)
    flaps = 0 if _established(peer) else 1
    head = (
        f"{peer.address!s:<20}{asn_text(peer.remote_as, dot=dot):>7} {peer.msg_rcvd:>10} {peer.msg_sent:>10} "
        f"{0:>7} {flaps:>7} {up_down:>11} {state}"
    )
    if not _established(peer):
        return [head]
    count = peer.prefixes_received
    return [head, f"  {table_name(peer.vrf)}: {count}/{count}/{count}/0"]


def _tables(ctx: RenderContext) -> list[str]:
    lines = ["Table          Tot Paths  Act Paths Suppressed    History Damp State    Pending"]
    vrfs = [v for v in ctx.dev.vrf_names() if any(p.vrf == v for p in ctx.dev.bgp_peers)]
    for vrf in vrfs:
        paths = sum(p.prefixes_received for p in ctx.dev.bgp_peers if p.vrf == vrf and _established(p))
        lines.append(f"{table_name(vrf):<14} {paths:>10} {paths:>10} {0:>10} {0:>10} {0:>10} {0:>10}")
    return lines


def show_bgp_summary(ctx: RenderContext) -> str:
    dev = ctx.dev
    if dev.bgp_asn is None:
        return "BGP is not running\n"
    peers = dev.bgp_peers
    down = sum(1 for p in peers if not _established(p))
    groups = len({(p.vrf, p.remote_as == dev.bgp_asn) for p in peers})
    lines = [
        "Threading mode: BGP I/O",
        "Default eBGP mode: advertise - accept, receive - accept",
        f"Groups: {groups} Peers: {len(peers)} Down peers: {down}",
        *_tables(ctx),
        _BGP_HEADER,
    ]
    for peer in peers:
        lines += _peer_lines(peer, dev.asdot)
    return "\n".join(lines) + "\n"
