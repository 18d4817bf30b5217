"""Mixed: campus, datacenter and WAN joined into one multi-vendor network.

The WAN's first edge router is the campus cores' upstream (static routes both ways); the
second edge peers eBGP with every datacenter spine and sends them a default route. Below
6 devices there is no room for three parts, and the mixed scenario is the WAN alone (which
already spans IOS, NX-OS and JunOS).
"""

from __future__ import annotations

from ipaddress import IPv4Network

from netatlas.lab.builder import Builder
from netatlas.lab.scenarios import campus, datacenter, wan


def sizes(n: int) -> tuple[int, int, int]:
    """(campus, datacenter, wan) devices for n devices.

    Examples:
        >>> sizes(5), sizes(6), sizes(60), sizes(1000)
        ((0, 0, 5), (2, 2, 2), (24, 18, 18), (400, 300, 300))
    """
    if n < 6:
        return 0, 0, n
    c, d = max(2, round(n * 0.4)), max(2, round(n * 0.3))
    return c, d, n - c - d


def build(b: Builder, n: int) -> None:
    n_campus, n_dc, n_wan = sizes(n)
    w = wan.build(b, n_wan)
    if not n_campus:
        return
    c = campus.build(b, n_campus, upstream=False)
    dc = datacenter.build(b, n_dc)
    upstream = w.edges[0]
    for core in c.cores:
        core_if, wan_if = b.routed_link(core, upstream)
        b.static(core, "0.0.0.0/0", wan_if)
        if core == c.cores[0]:
            b.static(upstream, str(c.summary), core_if)
    border = w.edges[-1]
    b.routing.bgp_originate[border].append(IPv4Network("0.0.0.0/0"))
    for spine in dc.spines:
        border_if, spine_if = b.routed_link(border, spine)
        b.bgp_session(border, border_if, spine, spine_if)
