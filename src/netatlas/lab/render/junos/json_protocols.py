"""``show ospf neighbor`` and ``show bgp summary`` as ``| display json`` documents.

* ``ospf-neighbor-information``: ``ospf-neighbor`` (``neighbor-address``, ``interface-name``,
  ``ospf-neighbor-state``, ``neighbor-id``, ``neighbor-priority``, ``activity-timer``);
* ``bgp-information``: the counts, a ``bgp-rib`` per table, a ``bgp-peer`` per peer (style
  ``terse``: ``peer-address``, ``peer-as``, the message counters, ``elapsed-time`` with its
  ``junos:seconds``, ``peer-state`` -- ``Established`` with ``junos:format`` ``Establ`` -- and, once
  Established, a ``bgp-rib`` per table with its prefix counts).

Samples read: the ``show bgp summary | display xml`` replies quoted in the JSNAPy and Ansible
articles (``bgp-peer junos:style="terse"``, ``peer-state junos:format="Establ"``), NAPALM's junos
``junos_views.yml`` (``ospf-neighbor`` fields), genieparser's JunOS ``show ospf neighbor`` outputs.
"""

from __future__ import annotations

from netatlas.lab.model import BgpPeer
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.junos import protocols
from netatlas.lab.render.junos._common import junos_age, logical, seconds, table_name
from netatlas.lab.render.junos._json import Element, leaf, reply
from netatlas.lab.render.variations import asn_text


def show_ospf_neighbor(ctx: RenderContext) -> str:
    rows = [{"neighbor-address": leaf(n.address), "interface-name": leaf(logical(n.interface)),
             "ospf-neighbor-state": leaf("Full"), "neighbor-id": leaf(n.router_id),
             "neighbor-priority": leaf(n.priority), "activity-timer": leaf(n.dead_time_s)}
            for n in ctx.dev.ospf_neighbors if n.vrf == "default"]
    return reply("ospf-neighbor-information", {"ospf-neighbor": rows} if rows else {}, ctx.dev.os_version,
                 "junos-routing")


def _rib(name: str, count: int, *, totals: bool = False) -> Element:
    out: Element = {"attributes": {"junos:style": "terse"}} if not totals else {}
    out["name"] = leaf(name)
    if totals:
        out["total-prefix-count"] = leaf(count)
    out |= {"active-prefix-count": leaf(count), "received-prefix-count": leaf(count),
            "accepted-prefix-count": leaf(count), "suppressed-prefix-count": leaf(0)}
    if totals:
        out |= {"history-prefix-count": leaf(0), "damped-prefix-count": leaf(0), "pending-prefix-count": leaf(0)}
    return out


def _peer(peer: BgpPeer, dot: bool) -> Element:
    up = seconds(peer.uptime)
    established = protocols._established(peer)
    state = leaf("Established", format="Establ") if established else leaf(
        protocols._STATES.get(peer.state.lower(), peer.state))
    out: Element = {"attributes": {"junos:style": "terse"}, "peer-address": leaf(peer.address),
                    "peer-as": leaf(asn_text(peer.remote_as, dot=dot)), "input-messages": leaf(peer.msg_rcvd),
                    "output-messages": leaf(peer.msg_sent), "route-queue-count": leaf(0),
                    "flap-count": leaf(0 if established else 1),
                    "elapsed-time": leaf(junos_age(up, pad_hours=False), seconds=str(up)), "peer-state": state}
    if established:
        out["bgp-rib"] = [_rib(table_name(peer.vrf), peer.prefixes_received)]
    return out


def show_bgp_summary(ctx: RenderContext) -> str:
    dev = ctx.dev
    if dev.bgp_asn is None:
        return "BGP is not running\n"  # printed as text, whatever the pipe asks (as the text renderer)
    peers = dev.bgp_peers
    vrfs = [v for v in dev.vrf_names() if any(p.vrf == v for p in peers)]
    element: Element = {
        "group-count": leaf(len({(p.vrf, p.remote_as == dev.bgp_asn) for p in peers})),
        "peer-count": leaf(len(peers)),
        "down-peer-count": leaf(sum(1 for p in peers if not protocols._established(p))),
        "bgp-rib": [_rib(table_name(v), sum(p.prefixes_received for p in peers
                                            if p.vrf == v and protocols._established(p)), totals=True)
                    for v in vrfs],
        "bgp-peer": [_peer(p, dev.asdot) for p in peers],
    }
    if not peers:
        del element["bgp-peer"]
    return reply("bgp-information", element, dev.os_version, "junos-routing")
