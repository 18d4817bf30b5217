"""All platform knowledge as data: one row per platform.

Adding a platform adds a row here (and its parser rows in ``netatlas.collect.parsers``);
nothing else branches on the platform name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from netatlas.domain.records import ROUTE_TYPES, DataType, ErrorKind

ErrorRule = tuple[re.Pattern[str], ErrorKind]

# The refusals that mean "this image does not know the form" (a fallback may help), not "not allowed".
_CISCO_UNKNOWN = re.compile(r"^% ?(Invalid|Incomplete) (input|command)", re.M)
_JUNOS_UNKNOWN = re.compile(r"^(syntax error|unknown command)", re.M)
_CISCO_ERRORS: tuple[ErrorRule, ...] = (
    (re.compile(r"^% ?(Invalid|Incomplete|Ambiguous) (input|command)", re.M), ErrorKind.COMMAND_REJECTED),
    (re.compile(r"^% ?(Command )?[Aa]uthorization failed", re.M), ErrorKind.COMMAND_REJECTED),
    (re.compile(r"^% ?Permission denied", re.M), ErrorKind.COMMAND_REJECTED),
)
_JUNOS_ERRORS: tuple[ErrorRule, ...] = (
    (re.compile(r"^(syntax error|unknown command)", re.M), ErrorKind.COMMAND_REJECTED),
    (re.compile(r"^error: (permission denied|.*not authorized)", re.M), ErrorKind.COMMAND_REJECTED),
)


@dataclass(frozen=True, slots=True)
class PlatformSpec:
    name: str
    prompt: re.Pattern[str]  # matches the end of the buffer when the device waits for a command
    paging_off: tuple[str, ...]  # sent once after login, in order
    commands: dict[DataType, tuple[str, ...]]  # one command may serve several data types
    all_routes: str  # one command for the whole RIB, used when two or more route types are asked
    errors: tuple[ErrorRule, ...]
    enable_from: str | None = ">"  # prompt suffix that means "not privileged: send enable"
    per_interface: dict[DataType, str] = field(default_factory=dict)  # follow-up detail, {interface}
    # Typed after each command; its echo after the real prompt ends the output (collect.shell_reader).
    # A comment where the platform has them, refused harmlessly where not; {nonce} is random per command.
    marker: str = "! netatlas-sync-{nonce}"
    preamble: re.Pattern[str] | None = None  # a line printed before the prompt, stripped from output
    fallbacks: dict[str, str] = field(default_factory=dict)  # a form old images refuse -> the plain form
    unknown_form: re.Pattern[str] | None = None  # a refusal that a fallback may cure (not an authorization one)

    def plan(self, wanted: frozenset[DataType]) -> list[tuple[str, frozenset[DataType]]]:
        """Commands to send for ``wanted`` (facts always first), each with the types it serves.

        Examples:
            >>> [c for c, _ in PLATFORMS["cisco_ios"].plan(frozenset({DataType.STATIC_ROUTES}))]
            ['show version', 'show ip route vrf * static']
            >>> [c for c, _ in PLATFORMS["cisco_ios"].plan(frozenset(ROUTE_TYPES))]
            ['show version', 'show ip route vrf *']
            >>> [c for c, _ in PLATFORMS["arista_eos"].plan(frozenset({DataType.CDP}))]  # EOS has no CDP
            ['show version', 'show hostname']
        """
        routes = wanted & ROUTE_TYPES
        plan: dict[str, set[DataType]] = {}
        for data_type in (DataType.FACTS, *sorted(wanted - {DataType.FACTS})):
            if data_type in ROUTE_TYPES and len(routes) > 1:
                plan.setdefault(self.all_routes, set()).add(data_type)
                continue
            for command in self.commands.get(data_type, ()):
                plan.setdefault(command, set()).add(data_type)
        return [(command, frozenset(types)) for command, types in plan.items()]


PLATFORMS: dict[str, PlatformSpec] = {
    "cisco_ios": PlatformSpec(
        name="cisco_ios",
        prompt=re.compile(r"(?:^|\n)[\w.\-()/:]+[#>]\s*$"),
        paging_off=("terminal length 0", "terminal width 511"),
        commands={
            DataType.FACTS: ("show version",),
            DataType.INTERFACES: ("show interfaces",),
            DataType.CDP: ("show cdp neighbors detail",),
            DataType.LLDP: ("show lldp neighbors detail",),
            DataType.STATIC_ROUTES: ("show ip route vrf * static",),
            DataType.OSPF_ROUTES: ("show ip route vrf * ospf",),
            DataType.BGP_ROUTES: ("show ip route vrf * bgp",),
            DataType.ROUTING_NEIGHBORS: ("show ip ospf neighbor", "show ip bgp summary"),
            DataType.MAC: ("show mac address-table",),
            DataType.ARP: ("show ip arp",),
        },
        all_routes="show ip route vrf *",
        errors=_CISCO_ERRORS,
        unknown_form=_CISCO_UNKNOWN,
        fallbacks={  # images without VRF support refuse the `vrf` keyword
            "show ip route vrf *": "show ip route",
            "show ip route vrf * static": "show ip route static",
            "show ip route vrf * ospf": "show ip route ospf",
            "show ip route vrf * bgp": "show ip route bgp",
        },
    ),
    "cisco_nxos": PlatformSpec(
        name="cisco_nxos",
        prompt=re.compile(r"(?:^|\n)[\w.\-()/:]+#\s*$"),
        paging_off=("terminal length 0", "terminal width 511"),
        commands={
            DataType.FACTS: ("show version",),
            DataType.INTERFACES: ("show interface",),
            DataType.CDP: ("show cdp neighbors detail",),
            DataType.LLDP: ("show lldp neighbors detail",),
            DataType.STATIC_ROUTES: ("show ip route static vrf all",),
            DataType.OSPF_ROUTES: ("show ip route ospf vrf all",),
            DataType.BGP_ROUTES: ("show ip route bgp vrf all",),
            DataType.ROUTING_NEIGHBORS: ("show ip ospf neighbors vrf all", "show ip bgp summary vrf all"),
            DataType.MAC: ("show mac address-table",),
            DataType.ARP: ("show ip arp vrf all",),
        },
        all_routes="show ip route vrf all",
        errors=_CISCO_ERRORS,
        enable_from=None,
        unknown_form=_CISCO_UNKNOWN,
        fallbacks={  # old NX-OS refuses `vrf all`: the default VRF only
            "show ip route vrf all": "show ip route",
            "show ip route static vrf all": "show ip route static",
            "show ip route ospf vrf all": "show ip route ospf",
            "show ip route bgp vrf all": "show ip route bgp",
            "show ip ospf neighbors vrf all": "show ip ospf neighbors",
            "show ip bgp summary vrf all": "show ip bgp summary",
            "show ip arp vrf all": "show ip arp",
        },
    ),
    "arista_eos": PlatformSpec(
        name="arista_eos",
        prompt=re.compile(r"(?:^|\n)[\w.\-()/:]+[#>]\s*$"),
        paging_off=("terminal length 0", "terminal width 511"),
        commands={
            DataType.FACTS: ("show version", "show hostname"),
            DataType.INTERFACES: ("show interfaces",),
            DataType.LLDP: ("show lldp neighbors detail",),
            DataType.STATIC_ROUTES: ("show ip route vrf all",),
            DataType.OSPF_ROUTES: ("show ip route vrf all",),
            DataType.BGP_ROUTES: ("show ip route vrf all",),
            DataType.ROUTING_NEIGHBORS: ("show ip ospf neighbor vrf all", "show ip bgp summary vrf all"),
            DataType.MAC: ("show mac address-table",),
            DataType.ARP: ("show ip arp vrf all",),
        },
        all_routes="show ip route vrf all",
        errors=(*_CISCO_ERRORS, (re.compile(r"^% (Invalid input|Incomplete command)", re.M),
                                 ErrorKind.COMMAND_REJECTED)),
    ),
    "juniper_junos": PlatformSpec(
        name="juniper_junos",
        prompt=re.compile(r"(?:^|\n)[\w.\-]+@[\w.\-]+[>#]\s*$"),
        paging_off=("set cli screen-length 0", "set cli screen-width 511"),
        commands={
            DataType.FACTS: ("show version", "show chassis hardware"),
            DataType.INTERFACES: ("show interfaces",),
            DataType.LLDP: ("show lldp neighbors",),
            DataType.STATIC_ROUTES: ("show route protocol static",),
            DataType.OSPF_ROUTES: ("show route protocol ospf",),
            DataType.BGP_ROUTES: ("show route protocol bgp",),
            DataType.ROUTING_NEIGHBORS: ("show ospf neighbor", "show bgp summary"),
            DataType.MAC: ("show ethernet-switching table",),
            DataType.ARP: ("show arp no-resolve",),
        },
        all_routes="show route",
        errors=_JUNOS_ERRORS,
        enable_from=None,
        per_interface={DataType.LLDP: "show lldp neighbors interface {interface}"},
        marker="# netatlas-sync-{nonce}",
        unknown_form=_JUNOS_UNKNOWN,
        preamble=re.compile(r"\{(?:master|primary|secondary|backup|linecard|local)(?::[\w-]+)?\}"),  # VC, SRX cluster
    ),
}


# What a neighbor advertises (CDP platform / LLDP system description) -> the platform to log in as.
SIGNATURES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Nexus|NX-OS|\bN[3579]K-", re.IGNORECASE), "cisco_nxos"),
    (re.compile(r"Arista|\bDCS-\d|\bvEOS", re.IGNORECASE), "arista_eos"),
    (re.compile(r"Juniper|JUNOS|\b(?:mx|ex|qfx|srx|ptx|acx)\d", re.IGNORECASE), "juniper_junos"),
    (re.compile(r"Cisco IOS|IOS-XE|\bcisco (?:WS-C|C9[2-6]|C38|C36|ISR|ASR|CSR|C8[0-9]{3})", re.IGNORECASE),
     "cisco_ios"),
)
# Capabilities of something we can log in to: a router or a switch (CDP words, LLDP letters).
_INFRA = re.compile(r"\b(?:Router|Switch|R)\b")


def detect_platform(description: str, capabilities: str = "Router") -> str | None:
    """The supported platform a neighbor's advertisement names, or None (phones, APs, others).

    Examples:
        >>> detect_platform("cisco N9K-C93180YC-FX", "Router Switch IGMP")
        'cisco_nxos'
        >>> detect_platform("Juniper Networks, Inc. mx204 internet router", "B,R")
        'juniper_junos'
        >>> detect_platform("cisco C9120AXI-B", "Trans-Bridge Source-Route-Bridge IGMP") is None
        True
        >>> detect_platform("Cisco IP Phone 8865", "Host Phone") is None
        True
    """
    if not _INFRA.search(capabilities.replace(",", " ")):
        return None
    return next((platform for pattern, platform in SIGNATURES if pattern.search(description)), None)
