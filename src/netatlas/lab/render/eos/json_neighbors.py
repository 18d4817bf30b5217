"""``show lldp neighbors detail | json``: ``{"lldpNeighbors": {port: {"lldpNeighborInfo": [...]}}}``.

Shape (NAPALM ``test_get_lldp_neighbors_detail/{normal,issue1153}``): every LLDP port is listed,
with an empty list when nothing was heard; ``chassisId`` dotted; the port id of type
``interfaceName``/``local`` keeps its double quotes (``"\\"Ethernet1\\""``, as the text form prints
it); ``systemName`` is absent when the neighbor sends none; times are epoch floats.
"""

from __future__ import annotations

from typing import Any

from netatlas.lab.model import NeighborAdvert
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.eos._common import dotted_mac
from netatlas.lab.render.eos.json_common import ago, document
from netatlas.lab.render.eos.neighbors import lldp_adverts, lldp_ports, system_description

_TTL = 120
_CAPABILITIES = {"B": "bridge", "R": "router", "T": "telephone", "W": "wlanAccessPoint", "S": "stationOnly",
                 "O": "other", "C": "docsisCableDevice", "P": "repeater", "SWITCH": "bridge"}


def _capabilities(advert: NeighborAdvert) -> dict[str, bool]:
    named = {_CAPABILITIES.get(c.upper(), c) for c in advert.capabilities}
    return {name: True for name in sorted(named)}


def _port(advert: NeighborAdvert) -> dict[str, Any]:
    kind = "local" if advert.remote_interface.isdigit() else "interfaceName"
    port: dict[str, Any] = {
        "interfaceIdType": kind,
        "interfaceId": f'"{advert.remote_interface}"',
        "interfaceId_v2": advert.remote_interface,
        "linkAggregationStatus": "capableAndDisabled",
        "linkAggregationInterfaceId": 0,
        "maxFrameSize": 9236,
        "portVlanId": advert.native_vlan or 1,
        "autoNegCapability": "notCapable",
        "autoNegAdvertisedCapabilities": [],
        "operMauType": "Unknown",
        "vlanNames": {},
        "protocolIdentityInfo": [],
        "portAndProtocolVlanSupported": {},
        "portAndProtocolVlanEnabled": {},
        "unknownTlvs": [],
        "unknownOrgDefinedTlvs": [],
    }
    if advert.remote_port_description:
        port["interfaceDescription"] = advert.remote_port_description
    return port


def _neighbor(advert: NeighborAdvert, n: int) -> dict[str, Any]:
    seen = float(11_000 + n * 61 + 2 * 86400)
    entry: dict[str, Any] = {
        "ttl": _TTL,
        "neighborDiscoveryTime": ago(seen),
        "lastChangeTime": ago(seen),
        "lastContactTime": ago(3 + (n * 7) % 27),
        "chassisIdType": "macAddress",
        "chassisId": dotted_mac(advert.chassis_id),
    }
    if advert.device_id:
        entry["systemName"] = advert.device_id
    entry["systemDescription"] = system_description(advert)
    entry["systemCapabilities"] = _capabilities(advert)
    entry["enabledCapabilities"] = _capabilities(advert)
    entry["managementAddresses"] = ([] if advert.mgmt_ip is None else [
        {"addressType": "ipv4", "address": str(advert.mgmt_ip), "interfaceNumType": "ifIndex",
         "interfaceNum": 999001, "oidString": ""}])
    entry["neighborInterfaceInfo"] = _port(advert)
    return entry


def show_lldp_neighbors_detail(ctx: RenderContext) -> str:
    adverts = lldp_adverts(ctx.dev)
    table: dict[str, Any] = {}
    n = 0
    for intf in lldp_ports(ctx.dev):
        heard = []
        for advert in (a for a in adverts if a.local_interface == intf.name):
            heard.append(_neighbor(advert, n))
            n += 1
        table[intf.name] = {"lldpNeighborInfo": heard}
    return document({"lldpNeighbors": table})
