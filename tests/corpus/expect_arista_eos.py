"""Arista EOS captures that are not simply "complete and equal to the .yml" (:class:`Expect`).

Keyed by capture name (the ``.raw`` file's stem).
"""

from __future__ import annotations

from netatlas.domain.records import Coverage
from tests.corpus.realdata import Expect

EXPECT: dict[str, Expect] = {
    "arista_eos_show_mac_address-table": Expect(
        Coverage.PARTIAL, "the contributor replaced a MAC with 'jenn.3057.8423' (not hex): that entry is dropped "
        "and reported, the other 22 kept",
        unparsed="jenn.3057.8423",
        check=lambda r: len(r.mac_table) == 22,
    ),
    "arista_eos_show_ip_bgp_summary3": Expect(
        reason="4-byte AS numbers in asdot (64497.232) are stored asplain",
        check=lambda r: {s.remote_as for s in r.bgp_sessions} >= {64497 * 65536 + 232, 64497 * 65536 + 234},
    ),
    "arista_eos_show_ip_bgp_summary": Expect(
        reason="older EOS: one State/PfxRcd column, a count meaning Established (the .yml leaves the state empty)",
        check=lambda r: [(s.state, s.prefixes_received) for s in r.bgp_sessions] == [("Established", 7)] * 2,
    ),
    "arista_eos_show_lldp_neighbors_detail": Expect(
        reason="management addresses of subtype MAC are no IP address: the neighbor is kept, without one",
        check=lambda r: len(r.neighbors) == 20 and any(n.mgmt_ip == "" for n in r.neighbors),
    ),
}
