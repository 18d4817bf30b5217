"""Hostile lab devices: what ``--faults hostkey|rogue|endless|prompt|markup`` change in the network.

The device-state changes are made once, before serving (:func:`apply_hostile`), so the
renderers print them like any other state; the server adds what only a connection can do
(changing host keys, recording logins, streaming for ever, pausing after a fake prompt).

* ``hostkey`` (server only): a random host key at every lab start and at every
  ``LabServer.rotate_host_keys()`` (``SIGHUP`` to ``netatlas lab serve``).
* ``endless`` (shell + server): the first data command streams :func:`endless_blocks` for
  ever, paced by asyncssh's flow control, never a prompt.
* ``prompt``: the middle CDP neighbor and the middle LLDP neighbor of the device advertise a
  multi-line software text whose middle lines are the device's own prompt(s) and
  ``<prompt>show running-config`` (printed on their own lines by ``show cdp neighbors detail``
  / ``show lldp neighbors detail``), and the device's first physical interface is described
  ``<privileged prompt> show running-config``. The server ends a write right after each
  bare-prompt line and waits :data:`LURE_PAUSE_S` before the rest.
* ``markup``: the device's physical interface descriptions, and what its neighbors hear from
  it (CDP device id / LLDP system name, port id, port description, platform and system
  description), carry rich markup, terminal escape sequences and a right-to-left override,
  300 characters long. Names and port ids have no whitespace, commas or quotes, so the
  neighbor tables still parse with ntc-templates.
* ``rogue``: an extra device plugged into a new port of the chosen device, advertising (CDP
  where the port speaks it, and LLDP) the FQDN of an existing device at its own address.

Examples:
    >>> len(hostile_name("sw3")), " " in hostile_name("sw3"), "\\x1b]0;pwned\\x07" in hostile_name("sw3")
    (300, False, True)
    >>> split_after_lures("a\\r\\nsw3#\\r\\nb\\r\\nsw3#", ("sw3#",))
    ['a\\r\\nsw3#\\r\\n', 'b\\r\\nsw3#']
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import Any

from netatlas.lab.cli_platforms import platform_cli
from netatlas.lab.faults import FaultKind
from netatlas.lab.model import (
    DeviceState,
    Feature,
    IfKind,
    Interface,
    NeighborAdvert,
    NeighborProtocol,
    Platform,
    PortMode,
)
from netatlas.lab.network import Network
from netatlas.lab.profiles import PROFILES
from netatlas.lab.variations import runs

FIELD_LENGTH = 300
LURE_PAUSE_S = 0.2  # after a fake prompt line: long enough that a client sees it as the end of a read
ENDLESS_BLOCK_LINES = 400  # lines per write while streaming for ever (about 40 KB)
MARKUP_TOKENS = ("[/]crash", "[bold red]x[/]", "[link=http://evil]click[/link]", "\x1b]0;pwned\x07",
                 "\x1b]8;;http://evil\x1b\\here\x1b]8;;\x1b\\", "\x1b[2J", "\u202eevil")  # fmt: skip
NAME_TOKENS = ("[/]crash", "[red]x[/red]", "[link=http://evil]y[/link]", "\x1b]0;pwned\x07",
               "\x1b]8;;http://evil\x1b\\z\x1b]8;;\x1b\\", "\x1b[2J", "\u202e")  # fmt: skip
ROGUE_OUI = "02:00:5e"
_RUNNING_CONFIG = "show running-config"
# Where a neighbor's multi-line software text may carry the fake prompt lines: everywhere the
# neighbor tables' templates accept extra lines there. JunOS's per-interface LLDP template (netatlas's
# own) refuses any unknown line, so JunOS devices get the interface description lure only.
LURES_IN_NEIGHBOR_TEXT: dict[Platform, bool] = {
    Platform.CISCO_IOS: True, Platform.CISCO_NXOS: True, Platform.ARISTA_EOS: True, Platform.JUNIPER_JUNOS: False,
}
_SOFTWARE_TAIL = ("Technical Support: http://www.cisco.com/techsupport",
                  "Copyright (c) 1986-2024 by Cisco Systems, Inc.")  # fmt: skip


def _pad(text: str, length: int, filler: str) -> str:
    return (text + filler * length)[:length]


def hostile_name(base: str) -> str:
    """A CDP device id / LLDP system name: markup and escapes, no whitespace, 300 characters."""
    return _pad(base + "".join(NAME_TOKENS), FIELD_LENGTH, "X")


def hostile_text(base: str) -> str:
    """A description or platform string: markup, escapes and spaces, no commas or quotes, 300 characters.

    Examples:
        >>> text = hostile_text("to sw1")
        >>> len(text), text.startswith("to sw1 [/]crash"), "," in text or '"' in text
        (300, True, False)
    """
    return _pad(" ".join((base, *MARKUP_TOKENS)) + " ", FIELD_LENGTH, "=")


def hostile_port(port: str) -> str:
    """A port id a hostile neighbor advertises: the real name with markup and escapes, no whitespace."""
    return f"{port}[/]\x1b[2J\u202e"


def split_after_lures(text: str, lures: Sequence[str]) -> list[str]:
    """Cut wire text (``\\r\\n`` line ends) after every line that is exactly one of ``lures``."""
    parts, start = [], 0
    lines = text.split("\r\n")
    offset = 0
    for line in lines[:-1]:
        offset += len(line) + 2
        if line in lures:
            parts.append(text[start:offset])
            start = offset
    parts.append(text[start:])
    return [p for p in parts if p]


def prompt_lures(dev: DeviceState, username: str) -> tuple[str, ...]:
    """The bare prompts a session on ``dev`` can show (user and privileged)."""
    cli = platform_cli(dev.platform)
    prompts = {cli.prompt(dev, username, True), cli.prompt(dev, username, False)}
    return tuple(sorted(p.rstrip() for p in prompts))


def endless_blocks(dev: DeviceState) -> Iterator[str]:
    """Log-like lines for ever, generated a block at a time (wire line ends)."""
    ports = [i.name for i in dev.interfaces if i.kind is IfKind.PHYSICAL] or ["Vlan1"]
    for block in itertools.count():
        first = block * ENDLESS_BLOCK_LINES
        yield "".join(
            f"*Mar  1 00:{n // 60 % 60:02d}:{n % 60:02d}.{n % 1000:03d}: %LINEPROTO-5-UPDOWN: Line protocol on "
            f"Interface {ports[n % len(ports)]}, changed state to {'up' if n % 2 else 'down'} (seq {n})\r\n"
            for n in range(first, first + ENDLESS_BLOCK_LINES)
        )


# ----- state changes ---------------------------------------------------------------------------
def _heard_from(network: Network, host: str) -> Iterator[tuple[DeviceState, int, NeighborAdvert]]:
    """Every advertisement other devices hear from ``host``: (listener, index in its list, advert)."""
    speaker = network.devices[host]
    for listener in network.devices.values():
        for i, advert in enumerate(listener.neighbors):
            if advert.mgmt_ip == speaker.mgmt_ip and advert.chassis_id == speaker.base_mac:
                yield listener, i, advert


def _hears(dev: DeviceState, protocol: NeighborProtocol) -> bool:
    """Whether ``dev`` runs the protocol (prints what it hears by it)."""
    return runs(dev, Feature(str(protocol)))


def _physical(dev: DeviceState) -> list[Interface]:
    return [i for i in dev.interfaces if i.kind is IfKind.PHYSICAL]


def _describe(network: Network, host: str, intf: Interface, text: str) -> None:
    """Set an interface description and the LLDP port description its neighbors hear."""
    intf.description = text
    for listener, i, advert in list(_heard_from(network, host)):
        if advert.remote_interface == intf.name:
            listener.neighbors[i] = replace(advert, remote_port_description=text)


def apply_prompt(network: Network, host: str, username: str) -> dict[str, Any]:
    """Fake prompt lines in the device's neighbor tables and one interface description."""
    dev = network.devices[host]
    lures = prompt_lures(dev, username)
    lines = [*lures, *(f"{p}{_RUNNING_CONFIG}" for p in lures)]
    in_text = LURES_IN_NEIGHBOR_TEXT[dev.platform] and bool(dev.neighbors)
    carriers = [_middle(dev, p) for p in NeighborProtocol if _hears(dev, p)] if in_text else []
    for i in (c for c in carriers if c is not None):
        advert = dev.neighbors[i]
        first = (advert.software or advert.remote_platform or "Cisco IOS Software").splitlines()[0]
        dev.neighbors[i] = replace(advert, software="\n".join((first, *lines, *_SOFTWARE_TAIL)))
    described = _physical(dev)[:1]
    for intf in described:
        _describe(network, host, intf, f"{platform_cli(dev.platform).prompt(dev, username, True)} {_RUNNING_CONFIG}")
    return {"node": host, "kind": "prompt", "lines": lines if in_text else [], "pause_after": list(lures),
            "neighbor_text": [{"protocol": str(dev.neighbors[i].protocol), "neighbor": dev.neighbors[i].device_id,
                               "interface": dev.neighbors[i].local_interface} for i in carriers if i is not None],
            "interface_descriptions": {i.name: i.description for i in described}}


def _middle(dev: DeviceState, protocol: NeighborProtocol) -> int | None:
    """Index (in ``dev.neighbors``) of the middle advertisement heard by ``protocol``, if any."""
    found = [i for i, a in enumerate(dev.neighbors) if a.protocol is protocol]
    return found[len(found) // 2] if found else None


def apply_markup(network: Network, host: str) -> dict[str, Any]:
    """Hostile descriptions on the device, hostile names/ports/platforms in what its neighbors hear."""
    dev = network.devices[host]
    descriptions = {}
    for intf in _physical(dev):
        _describe(network, host, intf, hostile_text(intf.description or intf.name))
        descriptions[intf.name] = intf.description
    name, platform = hostile_name(host), hostile_text(f"{PROFILES[dev.platform].vendor} {dev.model}")
    ports: dict[str, str] = {}
    seen_by: set[str] = set()
    for listener, i, advert in list(_heard_from(network, host)):
        ports[advert.remote_interface] = hostile_port(advert.remote_interface)
        listener.neighbors[i] = replace(advert, device_id=name, remote_platform=platform, software=platform,
                                        remote_interface=ports[advert.remote_interface])
        if _hears(listener, advert.protocol):
            seen_by.add(listener.hostname)
    return {"node": host, "kind": "markup", "interface_descriptions": descriptions, "advertised_name": name,
            "advertised_platform": platform, "advertised_ports": ports, "seen_by": sorted(seen_by)}


@dataclass(frozen=True, slots=True)
class Rogue:
    """An attacker's device: not in the inventory, serving SSH at ``state.mgmt_ip``."""

    node: str  # rogue1, rogue2, ... (the truth file's faults[].node)
    state: DeviceState  # hostname: the impersonated device's (its prompt pretends to be it)
    impersonates: str
    advertised_name: str
    neighbor: str
    neighbor_interface: str
    protocols: tuple[str, ...]

    def truth(self) -> dict[str, Any]:
        return {"node": self.node, "kind": "rogue", "mgmt_ip": str(self.state.mgmt_ip),
                "platform": str(self.state.platform), "impersonates": self.impersonates,
                "advertised_name": self.advertised_name, "neighbor": self.neighbor,
                "neighbor_interface": self.neighbor_interface, "interface": self.state.interfaces[1].name,
                "protocols": list(self.protocols)}


def next_address(network: Network, mgmt: IPv4Network, taken: Sequence[IPv4Address] = ()) -> IPv4Interface:
    """The first management address after every device's (and ``taken``), skipping .0 and .255."""
    used = [d.mgmt_ip for d in network.devices.values()] + list(taken)
    candidate = max(used) + 1
    while int(candidate) & 0xFF in (0, 255):
        candidate += 1
    if candidate not in mgmt or candidate == mgmt.broadcast_address:
        raise ValueError(f"rogue: no free address left in {mgmt}")
    return IPv4Interface(f"{candidate}/{mgmt.prefixlen}")


@dataclass(frozen=True, slots=True)
class Hostile:
    """What :func:`apply_hostile` did: extra truth fields per faulted node, and the rogues to serve."""

    records: dict[str, dict[str, Any]]
    rogues: tuple[Rogue, ...]


# Faults that change the faulted device's own state (network, host, lab user name) -> truth entry.
_STATE_CHANGES: dict[FaultKind, Callable[[Network, str, str], dict[str, Any]]] = {
    FaultKind.PROMPT: apply_prompt,
    FaultKind.MARKUP: lambda network, host, _username: apply_markup(network, host),
}


def apply_hostile(network: Network, faults: dict[str, FaultKind], username: str, mgmt: IPv4Network) -> Hostile:
    """Change the network for its hostile faults (host name -> kind); other kinds are left alone."""
    records: dict[str, dict[str, Any]] = {}
    rogues: list[Rogue] = []
    for host, kind in sorted(faults.items()):
        change = _STATE_CHANGES.get(kind)
        if change is not None:
            records[host] = change(network, host, username)
        elif kind is FaultKind.ROGUE:
            address = next_address(network, mgmt, [r.state.mgmt_ip for r in rogues])
            rogue = add_rogue(network, host, f"rogue{len(rogues) + 1}", address)
            rogues.append(rogue)
            records[rogue.node] = rogue.truth()
    return Hostile(records, tuple(rogues))


def impersonated(network: Network, neighbor: str) -> str:
    """The device a rogue next to ``neighbor`` pretends to be: the network's first other device."""
    return next(h for h in network.devices if h != neighbor)


def _domain(network: Network) -> str:
    return next((d.domain for d in network.devices.values() if d.domain), "example.net")


def add_rogue(network: Network, neighbor: str, node: str, address: IPv4Interface) -> Rogue:
    """Plug a rogue into a new port of ``neighbor``; it advertises another device's FQDN at ``address``."""
    target = network.devices[impersonated(network, neighbor)]
    profile = PROFILES[target.platform]
    fqdn = f"{target.hostname}.{target.domain or _domain(network)}"
    ip = address.ip
    mac = f"{ROGUE_OUI}:{ip.packed[1]:02x}:{ip.packed[2]:02x}:{ip.packed[3]:02x}"
    state = DeviceState(hostname=target.hostname, platform=target.platform, mgmt_ip=ip, model=target.model,
                        serial=f"{profile.serial_prefix}R{int(ip) & 0xFFFFFF:07d}", os_version=target.os_version,
                        site=target.site, role=target.role, domain=target.domain or _domain(network), base_mac=mac)
    uplink = Interface(profile.port_name(1), mac=mac)
    state.interfaces += [Interface(profile.mgmt_interface, IfKind.MGMT, ipv4=address, vrf=profile.mgmt_vrf, mac=mac),
                         uplink]
    listener = network.devices[neighbor]
    port = _new_port(listener)
    protocols = [p for p in NeighborProtocol if _hears(listener, p) and (p is not NeighborProtocol.CDP
                                                                         or profile.speaks_cdp)]
    for protocol in protocols:
        listener.neighbors.append(_advert(protocol, port.name, state, uplink, fqdn))
        state.neighbors.append(_advert(protocol, uplink.name, listener, port, listener.fqdn))
    return Rogue(node, state, target.hostname, fqdn, neighbor, port.name, tuple(str(p) for p in protocols))


def _advert(protocol: NeighborProtocol, local_if: str, speaker: DeviceState, speaker_if: Interface,
            name: str) -> NeighborAdvert:
    """What a listener hears from ``speaker`` (advertising ``name``) on ``local_if``."""
    profile = PROFILES[speaker.platform]
    cdp = protocol is NeighborProtocol.CDP
    return NeighborAdvert(
        protocol=protocol, local_interface=local_if, device_id=name, remote_interface=speaker_if.name,
        remote_platform=f"{profile.vendor} {speaker.model}" if cdp else speaker.model,
        capabilities=profile.cdp_capabilities if cdp else profile.lldp_capabilities, mgmt_ip=speaker.mgmt_ip,
        software=profile.software, chassis_id=speaker.base_mac,
    )


def _new_port(dev: DeviceState) -> Interface:
    names = {i.name for i in dev.interfaces}
    profile = PROFILES[dev.platform]
    name = next(profile.port_name(n) for n in itertools.count(1) if profile.port_name(n) not in names)
    vlan = min(dev.vlans) if dev.vlans else None
    intf = Interface(name, mode=PortMode.ACCESS if vlan is not None else PortMode.ROUTED, access_vlan=vlan,
                     mac=dev.base_mac)
    dev.interfaces.append(intf)
    return intf
