"""The tables ``show route`` prints besides the IPv4 unicast ones: ``inet.3``, ``mpls.0``, ``inet6.0``.

* ``inet.3`` and ``mpls.0`` exist on a device with LDP (``DeviceState.mpls``): an LDP route to each
  OSPF neighbor's router id (``[LDP/9]``), and in ``mpls.0`` the reserved labels plus one label per
  LDP route (``Pop``: the neighbor is the egress);
* ``inet6.0`` holds the device's IPv6 routes (``DeviceState.ipv6_routes``).

None of them is a route discovery stores: ``inet.3`` and ``mpls.0`` are MPLS forwarding state, and
IPv6 routes have no room in the IPv4 route records.
"""

from __future__ import annotations

from collections.abc import Callable

from netatlas.lab.model import DeviceState, Ipv6Route, RouteProto
from netatlas.lab.render.junos._common import PROTO_NAME, junos_age, logical, seconds

LEGEND = "+ = Active Route, - = Last Active, * = Both"
LDP_PREFERENCE = 9
FIRST_LABEL = 299776  # JunOS allocates dynamic labels from here
_RESERVED = (0, 1, 2, 13)
_PREFIX_WIDTH = 19  # longer prefixes push the route head to the next line


def _head(key: str, head: str) -> str:
    if len(key) < _PREFIX_WIDTH:
        return f"{key:<{_PREFIX_WIDTH}}*{head}"
    return f"{key}\n{'':19}*{head}"


def _title(table: str, destinations: int) -> list[str]:
    counts = f"{destinations} destinations, {destinations} routes ({destinations} active, 0 holddown, 0 hidden)"
    return ["", f"{table}: {counts}", LEGEND, ""]


def _age(dev: DeviceState) -> str:
    return junos_age(seconds(dev.uptime) - 3600)


def _ldp(dev: DeviceState) -> list[tuple[str, str, str]]:
    """(router id, neighbor address, logical interface) of each OSPF neighbor, by router id."""
    nbrs = sorted((n for n in dev.ospf_neighbors if n.vrf == "default"), key=lambda n: int(n.router_id))
    return [(str(n.router_id), str(n.address), logical(n.interface)) for n in nbrs]


def inet3(dev: DeviceState) -> list[str]:
    routes = _ldp(dev)
    if not dev.mpls or not routes:
        return []
    lines = _title("inet.3", len(routes))
    for rid, address, interface in routes:
        lines += [_head(f"{rid}/32", f"[LDP/{LDP_PREFERENCE}] {_age(dev)}, metric 1"),
                  f"{'':20}>  to {address} via {interface}"]
    return lines


def mpls0(dev: DeviceState) -> list[str]:
    routes = _ldp(dev)
    if not dev.mpls or not routes:
        return []
    age = _age(dev)
    lines = _title("mpls.0", len(_RESERVED) + 2 * len(routes))
    for reserved in _RESERVED:
        lines += [_head(str(reserved), f"[MPLS/0] {age}, metric 1"), f"{'':23}Receive"]
    for n, (_rid, address, interface) in enumerate(routes):
        label = FIRST_LABEL + n
        for key in (str(label), f"{label}(S=0)"):
            lines += [_head(key, f"[LDP/{LDP_PREFERENCE}] {age}, metric 1"),
                      f"{'':20}>  to {address} via {interface}, Pop"]
    return lines


def _v6_hop(route: Ipv6Route) -> str:
    if route.protocol is RouteProto.LOCAL:
        return f"{'':23}Local via {logical(route.interface)}"
    target = f"to {route.next_hop} via " if route.next_hop is not None else "via "
    return f"{'':20}>  {target}{logical(route.interface)}"


def inet6(dev: DeviceState, keep: Callable[[RouteProto], bool]) -> list[str]:
    shown = [r for r in dev.ipv6_routes if keep(r.protocol)]
    if not shown:
        return []
    lines = _title("inet6.0", len(dev.ipv6_routes))
    for route in shown:
        metric = f", metric {route.metric}" if route.metric else ""
        head = f"[{PROTO_NAME[route.protocol]}/{route.preference}] {_age(dev)}{metric}"
        lines += [_head(str(route.prefix), head), _v6_hop(route)]
    return lines
