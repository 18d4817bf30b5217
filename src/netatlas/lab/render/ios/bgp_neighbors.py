"""``show [ip] bgp ... neighbors``: one IOS-XE neighbor block per BGP peer.

The block carries what NAPALM's ``get_bgp_neighbors``/``get_bgp_neighbors_detail`` and
ntc-templates read: the ``BGP neighbor is`` header (with ``vrf`` for VPNv4 peers), remote
router ID, state, message counts, the per-family ``Prefixes Current`` line closed by
``Local Policy Denied Prefixes``, and the ``Local host``/``Foreign host`` transport lines.
"""

from __future__ import annotations

from collections.abc import Callable

from netatlas.lab.model import BgpPeer, DeviceState, IfKind, RouteProto
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.ios._common import lines
from netatlas.lab.render.variations import asn_text

PeerFilter = Callable[[BgpPeer], bool]
_NO_ID = "0.0.0.0"  # noqa: S104 - a router ID as IOS prints it for a peer that never opened


def _up(peer: BgpPeer) -> bool:
    return peer.state == "Established"


def peer_interface(dev: DeviceState, peer: BgpPeer) -> str | None:
    """The interface whose subnet holds the peer (a single-hop session), or None."""
    for intf in dev.interfaces:
        if intf.ipv4 is not None and intf.vrf == peer.vrf and peer.address in intf.ipv4.network:
            return intf.name
    return None


def local_address(dev: DeviceState, peer: BgpPeer) -> str:
    """The session's source: the shared subnet's address, else the VRF's loopback, else the router ID."""
    name = peer_interface(dev, peer)
    candidates = [i for i in dev.interfaces if i.ipv4 is not None and i.vrf == peer.vrf]
    chosen = next((i for i in candidates if i.name == name), None) or next(
        (i for i in candidates if i.kind is IfKind.LOOPBACK), None
    )
    return str(chosen.ipv4.ip) if chosen and chosen.ipv4 else str(dev.bgp_router_id)


def _family(peer: BgpPeer) -> list[str]:
    if peer.vrf == "default":
        return [" For address family: IPv4 Unicast"]
    return [" For address family: VPNv4 Unicast", f"  Translates address family IPv4 Unicast for VRF {peer.vrf}"]


def _header(dev: DeviceState, peer: BgpPeer) -> list[str]:
    vrf = f"  vrf {peer.vrf}," if peer.vrf != "default" else ""
    link = "internal" if peer.remote_as == dev.bgp_asn else "external"
    rows = [f"BGP neighbor is {peer.address},{vrf}  remote AS {asn_text(peer.remote_as, dot=dev.asdot)}, {link} link"]
    if peer.description:
        rows.append(f" Description: {peer.description}")
    if not _up(peer):
        return [
            *rows,
            f"  BGP version 4, remote router ID {_NO_ID}",
            f"  BGP state = {peer.state}",
            "  Neighbor sessions:",
            "    0 active, is not multisession capable (disabled)",
        ]
    return [
        *rows,
        f"  BGP version 4, remote router ID {peer.address}",
        f"  BGP state = Established, up for {peer.uptime}",
        "  Last read 00:00:08, last write 00:00:01, hold time is 180, keepalive interval is 60 seconds",
        "  Neighbor sessions:",
        "    1 active, is not multisession capable (disabled)",
        "  Neighbor capabilities:",
        "    Route refresh: advertised and received(new)",
        "    Four-octets ASN Capability: advertised and received",
        "    Address family IPv4 Unicast: advertised and received",
        "    Enhanced Refresh Capability: advertised and received",
        "    Multisession Capability:",
        "    Stateful switchover support enabled: NO for session 1",
    ]


def _messages(peer: BgpPeer) -> list[str]:
    rcvd, sent = (peer.msg_rcvd, peer.msg_sent) if _up(peer) else (0, 0)
    opens = 1 if _up(peer) else 0
    upd_in, upd_out = (peer.prefixes_received + 1, 3) if _up(peer) else (0, 0)
    keep_in, keep_out = max(rcvd - opens - upd_in, 0), max(sent - opens - upd_out, 0)
    return [
        "  Message statistics:",
        "    InQ depth is 0",
        "    OutQ depth is 0",
        "",
        "                         Sent       Rcvd",
        f"    Opens:         {opens:>10} {opens:>10}",
        f"    Notifications: {0:>10} {0:>10}",
        f"    Updates:       {upd_out:>10} {upd_in:>10}",
        f"    Keepalives:    {keep_out:>10} {keep_in:>10}",
        f"    Route Refresh: {0:>10} {0:>10}",
        f"    Total:         {sent:>10} {rcvd:>10}",
        "  Default minimum time between advertisement runs is 0 seconds",
        "",
    ]


def sent_prefixes(ctx: RenderContext, peer: BgpPeer) -> int:
    """Best paths we advertise to the peer: our BGP routes not learned from it."""
    if not _up(peer):
        return 0
    bgp = [r for r in ctx.routes(peer.vrf) if r.protocol is RouteProto.BGP]
    return sum(1 for r in bgp if all(h.address != peer.address for h in r.next_hops))


def _prefix_activity(ctx: RenderContext, peer: BgpPeer) -> list[str]:
    rcvd = peer.prefixes_received if _up(peer) else 0
    sent = sent_prefixes(ctx, peer)
    return [
        *_family(peer),
        f"  Session: {peer.address}",
        "  BGP table version 25, neighbor version 25/0",
        "  Output queue size : 0",
        "  Index 1, Advertise bit 0",
        "  1 update-group member",
        "  Slow-peer detection is disabled",
        "  Slow-peer split-update-group dynamic is disabled",
        "                                 Sent       Rcvd",
        "  Prefix activity:               ----       ----",
        f"    Prefixes Current:     {sent:>10} {rcvd:>10} (Consumes {rcvd * 120} bytes)",
        f"    Prefixes Total:       {sent:>10} {rcvd:>10}",
        f"    Implicit Withdraw:    {0:>10} {0:>10}",
        f"    Explicit Withdraw:    {0:>10} {0:>10}",
        f"    Used as bestpath:     {'n/a':>10} {rcvd:>10}",
        f"    Used as multipath:    {'n/a':>10} {0:>10}",
        "",
        "                                   Outbound    Inbound",
        "  Local Policy Denied Prefixes:    --------    -------",
        f"    Total:                      {0:>10} {0:>10}",
        f"  Number of NLRIs in the update sent: max {sent}, min 0",
        "  Last detected as dynamic slow peer: never",
        "  Dynamic slow peer recovered: never",
        "",
    ]


def _transport(dev: DeviceState, peer: BgpPeer) -> list[str]:
    intf = peer_interface(dev, peer)
    rows = [f"  Address tracking is enabled, the RIB does have a route to {peer.address}"]
    rows.append(f"  Connections established {1 if _up(peer) else 0}; dropped 0")
    rows.append("  Last reset never")
    if intf:
        rows.append(f"  Interface associated: {intf} (peering address in same link)")
    rows += ["  Transport(tcp) path-mtu-discovery is enabled", "  Graceful-Restart is disabled", "  SSO is disabled"]
    if not _up(peer):
        return [*rows, "  No active TCP connection", ""]
    table_id = 0 if peer.vrf == "default" else 1 + dev.vrf_names().index(peer.vrf)
    return [
        *rows,
        "Connection state is ESTAB, I/O status: 1, unread input bytes: 0",
        f"Connection is ECN Disabled, Mininum incoming TTL 0, Outgoing TTL {1 if intf else 255}",
        f"Local host: {local_address(dev, peer)}, Local port: 179",
        f"Foreign host: {peer.address}, Foreign port: {20000 + int(peer.address) % 40000}",
        f"Connection tableid (VRF): {table_id}",
        "Maximum output segment queue size: 50",
        "",
        "Enqueued packets for retransmit: 0, input: 0  mis-ordered: 0 (0 bytes)",
        "",
        "SRTT: 1000 ms, RTTO: 1003 ms, RTV: 3 ms, KRTT: 0 ms",
        "minRTT: 1 ms, maxRTT: 1000 ms, ACK hold: 200 ms",
        "Status Flags: passive open, gen tcbs",
        "Option Flags: nagle, path mtu capable",
        "IP Precedence value : 6",
        "",
    ]


def neighbor_block(ctx: RenderContext, peer: BgpPeer) -> list[str]:
    dev = ctx.dev
    return [*_header(dev, peer), *_messages(peer), *_prefix_activity(ctx, peer), *_transport(dev, peer)]


def neighbors_renderer(keep: PeerFilter) -> Callable[[RenderContext], str]:
    """Every peer ``keep`` selects, in configuration order; with ``<neighbor>`` only that one."""

    def render(ctx: RenderContext) -> str:
        if ctx.dev.bgp_asn is None:
            return "% BGP not active\n\n"
        wanted = ctx.args.get("neighbor")
        peers = [p for p in ctx.dev.bgp_peers if keep(p) and (wanted is None or str(p.address) == wanted)]
        if wanted is not None and not peers:
            return "% No such neighbor or address family\n"
        return lines(row for peer in peers for row in neighbor_block(ctx, peer))

    return render


def in_default(peer: BgpPeer) -> bool:
    return peer.vrf == "default"


def in_vrf(peer: BgpPeer) -> bool:
    return peer.vrf != "default"


def no_peers(ctx: RenderContext) -> str:
    """An address family the lab never configures (IPv6, multicast, MDT): IOS prints nothing."""
    return ""
