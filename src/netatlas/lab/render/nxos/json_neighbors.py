"""``show cdp neighbors detail | json`` and ``show lldp neighbors detail | json`` (NX-OS 9.3/10.x keys).

Public samples read: NX-API consumers of ``TABLE_cdp_neighbor_detail_info`` (``device_id``,
``sysname``, ``intf_id``, ``port_id``, ``platform_id``, ``v4addr``, ``v4mgmtaddr``, ``capability`` a
list of words such as ``router``, ``switch``, ``IGMP_cnd_filtering`` -- a plain string when there is
one) and of ``TABLE_nbor_detail`` (``chassis_id``, ``port_id``, ``l_port_id``, ``port_desc``,
``sys_name``, ``sys_desc``, ``system_capability``/``enabled_capability``, ``mgmt_addr``), among them
the NX-OS on-box check scripts and NAPALM's nxos driver.
"""

from __future__ import annotations

from netatlas.lab.model import NeighborAdvert, NeighborProtocol
from netatlas.lab.render.base import RenderContext

from ._fmt import dotted_mac, short_if
from .json_common import Doc, document, table
from .neighbors import cdp_word_list, lldp_letters

# CDP capability words as the document spells them (the text detail's words on the left).
CDP_JSON_WORD = {"Router": "router", "Switch": "switch", "Host": "host", "Trans-Bridge": "trans-bridge",
                 "Source-Route-Bridge": "source-route-bridge", "Repeater": "repeater", "Phone": "phone",
                 "IGMP Filtering": "IGMP_cnd_filtering", "Remotely-Managed-Device": "remotely-managed-device"}


def _adverts(ctx: RenderContext, protocol: NeighborProtocol) -> list[NeighborAdvert]:
    return [n for n in ctx.dev.neighbors if n.protocol == protocol]


def _capability(advert: NeighborAdvert) -> str | list[str]:
    words = [CDP_JSON_WORD.get(c, c) for c in cdp_word_list(advert)]
    return words[0] if len(words) == 1 else words


def _cdp(advert: NeighborAdvert, index: int) -> Doc:
    row: Doc = {"ifindex": str(0x1A000000 + index * 512), "device_id": advert.device_id}
    if "(" in advert.device_id:
        row["sysname"] = advert.device_id.split("(", 1)[0]
    if advert.mgmt_ip:
        row.update({"numaddr": "1", "v4addr": str(advert.mgmt_ip)})
    row.update({"platform_id": advert.remote_platform, "capability": _capability(advert),
                "intf_id": advert.local_interface, "port_id": advert.remote_interface, "ttl": str(advert.holdtime),
                "version": advert.software, "version_no": "v2"})
    if advert.native_vlan is not None:
        row["nativevlan"] = str(advert.native_vlan)
    row.update({"duplexmode": "full", "mtu": "1500"})
    if advert.mgmt_ip:
        row.update({"num_mgmtaddr": "1", "v4mgmtaddr": str(advert.mgmt_ip)})
    return row


def show_cdp_neighbors_detail_json(ctx: RenderContext) -> str:
    adverts = _adverts(ctx, NeighborProtocol.CDP)
    return document(table("cdp_neighbor_detail_info", [_cdp(a, i) for i, a in enumerate(adverts)]))


def _lldp(advert: NeighborAdvert) -> Doc:
    caps = ", ".join(lldp_letters(advert))
    return {"chassis_type": "Mac Address", "chassis_id": dotted_mac(advert.chassis_id),
            "port_type": "Interface Name", "port_id": advert.remote_interface,
            "l_port_id": short_if(advert.local_interface), "port_desc": advert.remote_port_description or "null",
            "sys_name": advert.device_id, "sys_desc": advert.software, "ttl": max(advert.holdtime - 23, 1),
            "system_capability": caps, "enabled_capability": caps, "mgmt_addr_type": "IPV4",
            "mgmt_addr": str(advert.mgmt_ip) if advert.mgmt_ip else "not advertised",
            "mgmt_addr_ipv6_type": "IPV6", "mgmt_addr_ipv6": "not advertised",
            "vlan_id": str(advert.native_vlan) if advert.native_vlan is not None else "not advertised"}


def show_lldp_neighbors_detail_json(ctx: RenderContext) -> str:
    adverts = _adverts(ctx, NeighborProtocol.LLDP)
    return document({"neigh_hdr": "neigh_hdr", **table("nbor_detail", [_lldp(a) for a in adverts]),
                     "neigh_count": len(adverts)})
