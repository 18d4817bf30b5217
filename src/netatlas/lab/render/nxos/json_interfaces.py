"""``show interface | json``: one ``ROW_interface`` per interface, its keys by kind as NX-OS prints them.

Public samples read: NAPALM's ``test/nxos/mocked_data/test_get_interfaces/*/show_interface.json``
(``state``/``admin_state``, ``eth_mtu`` a string, ``eth_bw``/``eth_dly`` numbers, ``eth_duplex`` ``auto``
and ``eth_speed`` ``auto-speed`` while down), ``| json-pretty`` captures of Vlan (``svi_*`` keys:
``svi_admin_state``, ``svi_line_proto``, ``svi_mac``, ``svi_ip_addr``, ``svi_ip_mask``) and nve
interfaces, and public NX-API client structs (``eth_bundle``: the member's port-channel number,
``state_rsn_desc``: why a port is down, counters as strings).
"""

from __future__ import annotations

from netatlas.lab.model import IfKind, Interface
from netatlas.lab.render.base import RenderContext

from ._fmt import dotted_mac, is_up, short_if, speed_long
from .interfaces import down_reason, interface_order
from .json_common import Doc, document, table

_RATES: Doc = {
    "eth_load_interval1_rx": 30, "eth_inrate1_bits": "2208", "eth_inrate1_pkts": "2",
    "eth_load_interval1_tx": "30", "eth_outrate1_bits": "1904", "eth_outrate1_pkts": "1",
    "eth_inrate1_summary_bits": "2.21 Kbps", "eth_inrate1_summary_pkts": "2 pps",
    "eth_outrate1_summary_bits": "1.90 Kbps", "eth_outrate1_summary_pkts": "1 pps",
    "eth_load_interval2_rx": "300", "eth_inrate2_bits": "1672", "eth_inrate2_pkts": "2",
    "eth_load_interval2_tx": "300", "eth_outrate2_bits": "1440", "eth_outrate2_pkts": "1",
}
_COUNTERS: Doc = {
    "eth_inucast": 104567, "eth_inmcast": 20345, "eth_inbcast": 310, "eth_inpkts": 125222,
    "eth_inbytes": 40561234, "eth_jumbo_inpkts": "0", "eth_storm_supp": "0", "eth_runts": 0, "eth_giants": 0,
    "eth_crc": "0", "eth_nobuf": 0, "eth_inerr": "0", "eth_frame": "0", "eth_overrun": "0", "eth_underrun": "0",
    "eth_ignored": "0", "eth_watchdog": "0", "eth_bad_eth": "0", "eth_bad_proto": "0", "eth_in_ifdown_drops": "0",
    "eth_dribble": "0", "eth_indiscard": "0", "eth_inpause": "0", "eth_outucast": 98765, "eth_outmcast": 30123,
    "eth_outbcast": 12, "eth_outpkts": 128900, "eth_outbytes": 38877120, "eth_jumbo_outpkts": "0",
    "eth_outerr": "0", "eth_coll": "0", "eth_deferred": "0", "eth_latecoll": "0", "eth_lostcarrier": "0",
    "eth_nocarrier": "0", "eth_babbles": "0", "eth_outdiscard": "0", "eth_outpause": "0",
}
_LOOPBACK_COUNTERS: Doc = {
    "loop_in_pkts": 0, "loop_in_bytes": 0, "loop_in_mcast": 0, "loop_in_compressed": 0, "loop_in_errors": 0,
    "loop_in_frame": 0, "loop_in_overrun": 0, "loop_in_fifo": 0, "loop_out_pkts": 0, "loop_out_bytes": 0,
    "loop_out_underruns": 0, "loop_out_errors": 0, "loop_out_collisions": 0, "loop_out_fifo": 0,
    "loop_out_carriers": 0,
}


def _state(intf: Interface) -> Doc:
    state: Doc = {"interface": intf.name, "state": "up" if is_up(intf) else "down"}
    if not is_up(intf):
        state["state_rsn_desc"] = down_reason(intf)
    state["admin_state"] = "up" if intf.admin_up else "down"
    return state


def _address(intf: Interface, prefix: str = "eth") -> Doc:
    if intf.ipv4 is None:
        return {}
    return {f"{prefix}_ip_addr": str(intf.ipv4.ip), f"{prefix}_ip_mask": intf.ipv4.network.prefixlen,
            f"{prefix}_ip_prefix": str(intf.ipv4.network.network_address)}


def _hardware(intf: Interface, hardware: str) -> Doc:
    mac = dotted_mac(intf.mac)
    doc: Doc = {"eth_hw_desc": hardware, "eth_hw_addr": mac, "eth_bia_addr": mac}
    if intf.description:
        doc["desc"] = intf.description
    return {**doc, **_address(intf), "eth_mtu": str(intf.mtu), "eth_bw": intf.bandwidth_kbps, "eth_dly": 10,
            "eth_reliability": "255", "eth_txload": "1", "eth_rxload": "1", "medium": "broadcast"}


def _link(intf: Interface) -> Doc:
    if is_up(intf):
        return {"eth_duplex": "full", "eth_speed": speed_long(intf.bandwidth_kbps)}
    return {"eth_duplex": "auto", "eth_speed": "auto-speed"}


def _ethernet(intf: Interface) -> Doc:
    doc = {**_state(intf), "share_state": "Dedicated"}
    if intf.channel_group:
        doc["eth_bundle"] = intf.channel_group.removeprefix("port-channel")
    hardware = "40000/100000 Ethernet" if intf.bandwidth_kbps >= 40_000_000 else "100/1000/10000/25000 Ethernet"
    doc.update({**_hardware(intf, hardware), "eth_mode": intf.mode.value, **_link(intf)})
    if is_up(intf):
        doc["eth_media"] = f"{intf.bandwidth_kbps // 1_000_000}G"
    return {**doc, "eth_beacon": "off", "eth_autoneg": "on", "eth_in_flowctrl": "off", "eth_out_flowctrl": "off",
            "eth_mdix": "off", "eth_ratemode": "dedicated", "eth_swt_monitor": "off", "eth_ethertype": "0x8100",
            "eth_eee_state": "n/a", "eth_admin_fec_state": "auto", "eth_oper_fec_state": "off",
            "eth_link_flapped": "3week(s) 2day(s)", "eth_clear_counters": "never", "eth_reset_cntr": 2,
            **_RATES, **_COUNTERS}


def _port_channel(intf: Interface) -> Doc:
    doc = {**_state(intf), **_hardware(intf, "Port-Channel"), "eth_mode": intf.mode.value, **_link(intf),
           "eth_in_flowctrl": "off", "eth_out_flowctrl": "off", "eth_mdix": "off", "eth_swt_monitor": "off",
           "eth_ethertype": "0x8100"}
    if intf.members:
        doc["eth_members"] = ", ".join(short_if(m) for m in intf.members)
    return {**doc, "eth_clear_counters": "never", "eth_reset_cntr": 1, **_RATES, **_COUNTERS}


def _svi(intf: Interface) -> Doc:
    doc: Doc = {"interface": intf.name, "svi_admin_state": "up" if intf.admin_up else "down",
                "svi_line_proto": "up" if is_up(intf) else "down"}
    if not intf.admin_up:
        doc["svi_rsn_desc"] = "Administratively down"
    doc["svi_mac"] = dotted_mac(intf.mac)
    if intf.description:
        doc["desc"] = intf.description
    return {**doc, **_address(intf, "svi"), "svi_mtu": str(intf.mtu), "svi_bw": str(intf.bandwidth_kbps),
            "svi_delay": "10", "svi_tx_load": "1", "svi_rx_load": "1", "svi_arp_type": "ARPA",
            "svi_time_last_cleared": "never", "svi_ucast_pkts_in": "12034", "svi_ucast_bytes_in": "1540352",
            "svi_ucast_pkts_out": "11877", "svi_ucast_bytes_out": "1520256"}


def _loopback(intf: Interface) -> Doc:
    doc: Doc = {**_state(intf), "eth_hw_desc": "Loopback"}
    if intf.description:
        doc["desc"] = intf.description
    return {**doc, **_address(intf), "eth_mtu": str(intf.mtu), "eth_bw": 8000000, "eth_dly": 5000,
            "eth_reliability": "255", "eth_txload": "1", "eth_rxload": "1", "medium": "broadcast",
            "eth_mode": "routed", "eth_mdix": "off", **_LOOPBACK_COUNTERS}


def _mgmt(intf: Interface) -> Doc:
    return {**_state(intf), **_hardware(intf, "GigabitEthernet"), **_link(intf), "eth_autoneg": "on",
            "eth_mdix": "off", "eth_ethertype": "0x0000", "vdc_lvl_in_avg_bits": "1648", "vdc_lvl_in_avg_pkts": "2",
            "vdc_lvl_out_avg_bits": "256", "vdc_lvl_out_avg_pkts": "0", "vdc_lvl_in_pkts": 1264938,
            "vdc_lvl_in_ucast": 16674, "vdc_lvl_in_mcast": 817299, "vdc_lvl_in_bcast": 430965,
            "vdc_lvl_in_bytes": 94152708, "vdc_lvl_out_pkts": 22966, "vdc_lvl_out_ucast": 14291,
            "vdc_lvl_out_mcast": 8666, "vdc_lvl_out_bcast": 9, "vdc_lvl_out_bytes": 4260032}


_BY_KIND = {IfKind.PHYSICAL: _ethernet, IfKind.PORT_CHANNEL: _port_channel, IfKind.SVI: _svi,
            IfKind.LOOPBACK: _loopback, IfKind.MGMT: _mgmt}


def show_interface_json(ctx: RenderContext) -> str:
    return document(table("interface", [_BY_KIND[i.kind](i) for i in interface_order(ctx.dev)]))
