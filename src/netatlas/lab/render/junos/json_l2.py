"""LLDP (summary, per-interface detail), the ELS MAC table and ARP as ``| display json`` documents.

* ``lldp-neighbors-information``: ``lldp-neighbor-information`` per neighbor (``lldp-local-port-id``
  in the summary, ``lldp-local-interface`` in the detail, ``lldp-remote-chassis-id``,
  ``lldp-remote-port-id``, ``lldp-remote-system-name``; the detail's ``lldp-system-description``
  wraps ``lldp-remote-system-description``, capabilities and the management address);
* ``l2ng-l2ald-rtb-macdb``: one ``l2ng-l2ald-mac-entry-vlan`` (counts, routing instance), an
  ``l2ng-mac-entry`` per MAC (``l2ng-l2-mac-vlan-name``, ``-address``, ``-flags``, ``-age``,
  ``-logical-interface``);
* ``arp-table-information``: ``arp-table-entry`` (``mac-address``, ``ip-address``,
  ``interface-name``, flags) and ``arp-entry-count``.

Samples read: NAPALM's junos driver tables (``utils/junos_views.yml``: LLDP and ARP element names)
and its ``test/junos/mocked_data`` XML, Juniper's ``show ethernet-switching table`` XML (ELS ``l2ng``).
"""

from __future__ import annotations

from netatlas.lab.model import NeighborAdvert
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.junos import l2
from netatlas.lab.render.junos._common import NOW, logical, vlan_name
from netatlas.lab.render.junos._json import Element, flag, leaf, reply


def _remote(nbr: NeighborAdvert) -> Element:
    return {"lldp-remote-chassis-id-subtype": leaf("Mac address"), "lldp-remote-chassis-id": leaf(nbr.chassis_id),
            "lldp-remote-port-id-subtype": leaf("Interface name"), "lldp-remote-port-id": leaf(nbr.remote_interface)}


def show_lldp_neighbors(ctx: RenderContext) -> str:
    rows = [{"lldp-local-port-id": leaf(nbr.local_interface),
             "lldp-local-parent-interface-name": leaf(l2._parent(ctx.dev, nbr.local_interface)),
             **_remote(nbr), "lldp-remote-system-name": leaf(nbr.device_id)} for nbr in l2._lldp(ctx.dev)]
    element: Element = {"attributes": {"junos:style": "brief"}}
    return reply("lldp-neighbors-information", element | ({"lldp-neighbor-information": rows} if rows else {}))


def _capabilities(nbr: NeighborAdvert) -> str:
    return l2._capabilities(nbr).strip()


def _detail(ctx: RenderContext, index: int, nbr: NeighborAdvert) -> Element:
    out: Element = {
        "lldp-index": leaf(index), "lldp-ttl": leaf(nbr.holdtime),
        "lldp-timemark": leaf(f"{NOW:%a %b %d %H:%M:%S %Y}"), "lldp-age": leaf(7 + index * 3),
        "lldp-local-interface": leaf(nbr.local_interface),
        "lldp-local-parent-interface-name": leaf(l2._parent(ctx.dev, nbr.local_interface)),
        "lldp-local-port-id": leaf(512 + index), "lldp-local-port-ageout-count": leaf(0), **_remote(nbr)}
    if nbr.remote_port_description:
        out["lldp-remote-port-description"] = leaf(nbr.remote_port_description)
    out |= {"lldp-remote-system-name": leaf(nbr.device_id),
            "lldp-system-description": [{"lldp-remote-system-description": leaf(nbr.software)}],
            "lldp-remote-system-capabilities-supported": leaf(_capabilities(nbr)),
            "lldp-remote-system-capabilities-enabled": leaf(_capabilities(nbr))}
    if nbr.mgmt_ip is not None:
        out["lldp-remote-management-address-type"] = leaf("IPv4(1)")
        out["lldp-remote-management-address"] = leaf(nbr.mgmt_ip)
        out["lldp-remote-management-address-port-id"] = leaf(1)
        out["lldp-remote-management-address-sub-type"] = leaf(1)
        out["lldp-remote-management-address-interface-subtype"] = leaf("ifIndex(2)")
    return out


def show_lldp_neighbors_interface(ctx: RenderContext) -> str:
    wanted = ctx.args["interface"].split(".", 1)[0]
    found = [n for n in l2._lldp(ctx.dev) if n.local_interface == wanted]
    rows = [_detail(ctx, ctx.dev.neighbors.index(nbr) + 1, nbr) for nbr in found]
    element: Element = {"attributes": {"junos:style": "detail"}}
    return reply("lldp-neighbors-information", element | ({"lldp-neighbor-information": rows} if rows else {}))


def show_ethernet_switching_table(ctx: RenderContext) -> str:
    entries = ctx.dev.mac_table
    macs = [{"l2ng-l2-mac-vlan-name": leaf(vlan_name(e.vlan)), "l2ng-l2-mac-address": leaf(e.mac),
             "l2ng-l2-mac-flags": leaf("D" if e.dynamic else "S"), "l2ng-l2-mac-age": leaf("-"),
             "l2ng-l2-mac-logical-interface": leaf(logical(e.interface)), "l2ng-l2-mac-fwd-next-hop": leaf(0),
             "l2ng-l2-mac-rtr-id": leaf(0)} for e in entries]
    vlan: Element = {"attributes": {"junos:style": "brief-rtb"},
                     "mac-count-global": leaf(len(entries)),
                     "learnt-mac-count": leaf(sum(1 for e in entries if e.dynamic)),
                     "l2ng-l2-mac-routing-instance": leaf("default-switch"), "l2ng-l2-vlan-id": leaf(0)}
    if macs:
        vlan["l2ng-mac-entry"] = macs
    return reply("l2ng-l2ald-rtb-macdb", {"l2ng-l2ald-mac-entry-vlan": [vlan]})


def show_arp_no_resolve(ctx: RenderContext) -> str:
    entries = l2._arp_entries(ctx.dev)
    rows = [{"mac-address": leaf(e.mac), "ip-address": leaf(e.address), "interface-name": leaf(logical(e.interface)),
             "arp-table-entry-flags": [{"none": flag()}]} for e in entries]
    element: Element = {"attributes": {"junos:style": "normal"}}
    if rows:
        element["arp-table-entry"] = rows
    element["arp-entry-count"] = leaf(len(entries))
    return reply("arp-table-information", element, ctx.dev.os_version, "junos-arp")
