"""``show mac address-table | json`` and ``show ip arp [vrf <vrf>|vrf all] | json``.

MAC table (NAPALM ``test_get_mac_address_table/normal``): ``unicastTable.tableEntries`` and
``multicastTable.tableEntries``, each entry ``vlanId`` (number), ``macAddress`` (colons),
``entryType`` (``dynamic``/``static``), ``interface`` (full name), and on learned entries
``moves`` and ``lastMove`` (epoch float).

ARP (NAPALM ``test_get_arp_table/normal/show_arp_vrf_all.json``): ``{"vrfs": {vrf:
{"ipV4Neighbors": [...], counts}}}``, each neighbor ``address``, ``hwAddress`` (dotted, as the
text form), ``interface`` (an SVI entry names the port too: ``Vlan10, Ethernet3``) and ``age``
in seconds.
"""

from __future__ import annotations

from typing import Any

from netatlas.lab.model import DeviceState
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.eos._common import by_name, check_vrf, dotted_mac
from netatlas.lab.render.eos.json_common import ago, colon_mac, document
from netatlas.lab.render.eos.switching import _learned_port


def show_mac_address_table(ctx: RenderContext) -> str:
    entries = sorted(ctx.dev.mac_table, key=lambda e: (e.vlan, e.mac))
    unicast: list[dict[str, Any]] = []
    for n, entry in enumerate(entries):
        row: dict[str, Any] = {"vlanId": entry.vlan, "macAddress": colon_mac(entry.mac),
                               "entryType": "dynamic" if entry.dynamic else "static", "interface": entry.interface}
        if entry.dynamic:
            row["moves"] = 1 + n % 2
            row["lastMove"] = ago(60 * (7 + 13 * n) % 86400)
        unicast.append(row)
    return document({"multicastTable": {"tableEntries": []}, "unicastTable": {"tableEntries": unicast}})


def _arp(dev: DeviceState, vrf: str) -> dict[str, Any]:
    names = by_name(dev)
    shown = sorted((a for a in dev.arp if a.vrf == vrf and a.age_min >= 0), key=lambda a: a.address)
    ports = [_learned_port(dev, a, names.get(a.interface)) for a in shown]
    neighbors = [{"address": str(a.address), "age": a.age_min * 60, "hwAddress": dotted_mac(a.mac), "interface": port}
                 for a, port in zip(shown, ports, strict=True)]
    return {"totalEntries": len(neighbors), "dynamicEntries": len(neighbors), "staticEntries": 0,
            "notLearnedEntries": sum(1 for port in ports if port.endswith("not learned")),
            "ipV4Neighbors": neighbors}


def show_ip_arp(ctx: RenderContext) -> str:
    if ctx.args.get("vrf") == "all":
        return show_ip_arp_vrf_all(ctx)
    return document({"vrfs": {check_vrf(ctx): _arp(ctx.dev, check_vrf(ctx))}})


def show_ip_arp_vrf_all(ctx: RenderContext) -> str:
    return document({"vrfs": {vrf: _arp(ctx.dev, vrf) for vrf in sorted(ctx.dev.vrf_names())}})
