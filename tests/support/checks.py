"""One door to the per-platform checks: which command a client types for a pattern, which
template parses it, and the check that compares the parsed rows with the device state."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from netatlas.lab.model import DeviceState, NeighborProtocol, Platform
from netatlas.lab.render.base import RenderContext
from tests.support import checks_arista_eos, checks_cisco_ios, checks_cisco_nxos, checks_juniper_junos

Check = Callable[[RenderContext, list[dict[str, Any]]], None]

CHECKS: dict[Platform, Mapping[str, Check]] = {
    Platform.CISCO_IOS: checks_cisco_ios.CHECKS,
    Platform.CISCO_NXOS: checks_cisco_nxos.CHECKS,
    Platform.ARISTA_EOS: checks_arista_eos.CHECKS,
    Platform.JUNIPER_JUNOS: checks_juniper_junos.CHECKS,
}

# Commands whose template is registered under another command name.
_PARSE_AS: dict[tuple[Platform, str], str] = {
    **{(Platform.CISCO_IOS, p): c for p, c in checks_cisco_ios.PARSE_AS.items()},
    (Platform.ARISTA_EOS, "show arp"): "show ip arp",
}


def typed(pattern: str, args: Mapping[str, str]) -> str:
    """What a user types for a pattern: ``<vrf>`` filled in, ``=*`` unquoted.

    Examples:
        >>> typed("show ip route vrf <vrf>", {"vrf": "BLUE"})
        'show ip route vrf BLUE'
        >>> typed("show ip route vrf =*", {})
        'show ip route vrf *'
    """
    return " ".join(args[w[1:-1]] if w.startswith("<") else w.removeprefix("=") for w in pattern.split())


def parse_as(platform: Platform, pattern: str, args: Mapping[str, str]) -> str:
    return _PARSE_AS.get((platform, pattern), typed(pattern, args))


def _lookups(pattern: str, dev: DeviceState) -> Iterator[dict[str, str]]:
    """``show ip route [vrf <vrf>] <address> [<mask>]``: each VRF's first addressed subnet."""
    for vrf in dev.vrf_names() if "<vrf>" in pattern else ["default"]:
        nets = [i.ipv4.network for i in dev.interfaces if i.ipv4 is not None and i.vrf == vrf]
        if nets:
            args = {"vrf": vrf, "address": str(nets[0].network_address), "mask": str(nets[0].netmask)}
            yield {k: v for k, v in args.items() if f"<{k}>" in pattern}


def arguments(pattern: str, dev: DeviceState) -> Iterator[dict[str, str]]:
    """Every argument set worth trying for a pattern on a device (one per VRF, table, interface)."""
    if "<address>" in pattern:
        yield from _lookups(pattern, dev)
    elif "<neighbor>" in pattern:
        yield from ({"neighbor": str(p.address)} for p in dev.bgp_peers)
    elif "<prefix>" in pattern:
        yield {"prefix": "0.0.0.0/0"}
    elif "<vrf>" in pattern:
        yield from ({"vrf": vrf} for vrf in dev.vrf_names())
    elif "<table>" in pattern:
        yield from ({"table": "inet.0" if v == "default" else f"{v}.inet.0"} for v in dev.vrf_names())
    elif "<interface>" in pattern:
        lldp = sorted({n.local_interface for n in dev.neighbors if n.protocol == NeighborProtocol.LLDP})
        yield from ({"interface": name} for name in lldp)
    else:
        yield {}
