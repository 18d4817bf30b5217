"""All platform knowledge as data: one row per platform (:class:`PlatformSpec`).

A row owns the platform's commands per data type, prompt, paging commands, error texts, fallback
forms, feature-gated commands, per-interface and per-VRF follow-ups, the signatures that name it
in a neighbor's advertisement or ``show version``, and its TextFSM template overrides; its
interface-name fixes live in the domain half of the row (``netatlas.domain.platforms.NAMING``,
reached as ``PlatformSpec.naming``) because pure code needs them too. :data:`SIGNATURES`, the
template tables of ``parsers.templates`` and ``inventory.SUPPORTED_PLATFORMS`` derive from the
rows. Adding a platform adds a member to :class:`~netatlas.domain.platforms.Platform`, a row here
(and in ``NAMING``) and its parser rows in ``netatlas.collect.parsers``; nothing branches on the
platform name. ``tests/unit/collect/test_platform_rows.py`` checks every row is complete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from netatlas.collect.forms import eos as eos_forms
from netatlas.collect.forms import junos as junos_forms
from netatlas.collect.forms import nxos as nxos_forms
from netatlas.domain.platforms import Naming, Platform, naming
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


TemplateRow = tuple[re.Pattern[str], str]  # (full-match command pattern, template file name)


@dataclass(frozen=True, slots=True)
class FeatureGate:
    """Commands that do not exist until their feature is enabled (NX-OS ``feature lldp``).

    Such a command is refused like an unknown one; ``probe`` (sent once per session) says whether
    the feature is disabled, which makes the refusal "feature off", not a failure.
    """

    probe: str  # e.g. ``show feature``
    state: re.Pattern[str]  # one line of the probe's output: ``name`` and ``state`` groups
    commands: dict[str, str]  # command (as sent, fallback forms too) -> feature name

    def disabled(self, feature: str, probe_output: str) -> bool:
        """Whether the probe lists ``feature`` and no instance of it is enabled.

        Examples:
            >>> gate = PLATFORMS[Platform.CISCO_NXOS].features
            >>> text = "lldp   1  disabled\\nospf   1  disabled\\nospf   2  enabled\\nbgp  1  enabled (not-running)"
            >>> gate.disabled("lldp", text), gate.disabled("ospf", text), gate.disabled("bgp", text)
            (True, False, False)
            >>> gate.disabled("lldp", "")  # a probe that lists nothing proves nothing
            False
        """
        states = [m["state"] for m in self.state.finditer(probe_output) if m["name"] == feature]
        return bool(states) and all(s == "disabled" for s in states)


VRF_NAME = re.compile(r"[\w.:-]{1,32}")  # what we accept as a VRF name to type into a command


@dataclass(frozen=True, slots=True)
class PerVrf:
    """Commands that show one VRF at a time (IOS), run for each VRF ``list_command`` names."""

    list_command: str  # e.g. ``show vrf`` (an old image's form through the row's ``fallbacks``)
    name: re.Pattern[str]  # one line of the list naming a VRF: group ``name`` (``protocols``: its families)
    commands: dict[DataType, tuple[str, ...]]  # with ``{vrf}``

    def vrfs(self, listing: str) -> list[str]:
        """The IPv4 VRF names the listing shows, in order, each a plain word (never typed otherwise); a
        VRF whose listed families lack IPv4 has no IPv4 table to show.

        Examples:
            >>> step = PLATFORMS[Platform.CISCO_IOS].per_vrf
            >>> step.vrfs("  Name      Default RD   Protocols   Interfaces\\n  BLUE   65000:1   ipv4   Gi0/2\\n"
            ...           "  Mgmt-intf   <not set>   ipv4,ipv6   Gi1\\n  x;y   <not set>   ipv4\\n"
            ...           "  V6ONLY   65000:6   ipv6   Gi3\\n")
            ['BLUE', 'Mgmt-intf']
            >>> step.vrfs("  Name    Default RD     Interfaces\\n  RED     65000:2        Gi0/3\\n")  # show ip vrf
            ['RED']
        """
        found = (m for m in self.name.finditer(listing) if "ipv4" in (m.groupdict().get("protocols") or "ipv4"))
        return list(dict.fromkeys(m["name"] for m in found if VRF_NAME.fullmatch(m["name"])))


def _placeholders(template: str) -> re.Pattern[str]:
    """A command template (``show ip arp vrf {vrf}``) as a pattern: each placeholder one word."""
    return re.compile(re.sub(r"\\\{\w+\\\}", r"\\S+", re.escape(template)))


@dataclass(frozen=True, slots=True)
class PlatformSpec:
    name: Platform | Literal["generic"]  # "generic": the prompt-only row used to identify an unknown device
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
    signatures: tuple[re.Pattern[str], ...] = ()  # a neighbor advertisement or `show version` naming it
    templates: tuple[TemplateRow, ...] = ()  # netatlas's own templates (collect/templates), first
    ntc_aliases: tuple[TemplateRow, ...] = ()  # ntc-templates files where its index picks the wrong one
    features: FeatureGate | None = None  # commands that exist only while their feature is enabled
    per_vrf: PerVrf | None = None  # follow-up commands run once per VRF
    # Structured output: the commands (text forms, follow-up templates too) sent with ``json_suffix``
    # (NX-OS/EOS `` | json``, JunOS `` | display json``) and read by ``parsers.structured``; a device
    # that refuses the structured form is asked the text form (and that form's own fallback).
    json_suffix: str = ""
    json_commands: frozenset[str] = frozenset()

    def sent_form(self, command: str) -> str:
        """The form the collector sends for a text command: its structured form where the row says so.

        Examples:
            >>> row = PlatformSpec("generic", re.compile("#"), (), {}, "", (), json_suffix=" | json",
            ...                    json_commands=frozenset({"show version", "show x {interface}"}))
            >>> row.sent_form("show version"), row.sent_form("show clock"), row.sent_form("show x eth1")
            ('show version | json', 'show clock', 'show x eth1 | json')
            >>> row.text_form("show x eth1 | json"), row.text_form("show clock")
            ('show x eth1', 'show clock')
        """
        if not self.json_suffix or not self.json_commands:
            return command
        if command in self.json_commands or any(
                "{" in t and _placeholders(t).fullmatch(command) for t in self.json_commands):
            return command + self.json_suffix
        return command

    def text_form(self, command: str) -> str:
        """The text command a sent form stands for (the structured suffix removed)."""
        if self.json_suffix and command.endswith(self.json_suffix):
            return command[: -len(self.json_suffix)]
        return command

    def structured(self, command: str) -> bool:
        """Whether ``command`` as sent asks for the platform's structured output."""
        return self.text_form(command) != command

    def fallback(self, command: str) -> str | None:
        """The next form to try when ``command`` was refused as unknown: the text form of a structured
        command, else the row's ``fallbacks`` (an old image's plain form)."""
        plain = self.text_form(command)
        return plain if plain != command else self.fallbacks.get(command)

    def follow_up(self, command: str) -> bool:
        """Whether the collector sends ``command`` beyond :meth:`plan`: a follow-up (per interface, per
        VRF) or the feature probe.

        Examples:
            >>> ios = PLATFORMS["cisco_ios"]
            >>> ios.follow_up("show ip arp vrf BLUE"), ios.follow_up("show ip arp"), ios.follow_up("show vrf")
            (True, False, False)
            >>> PLATFORMS["cisco_nxos"].follow_up("show feature")
            True
        """
        command = self.text_form(command)
        if self.features is not None and command == self.features.probe:
            return True
        per_vrf = self.per_vrf.commands.values() if self.per_vrf is not None else ()
        templates = (*self.per_interface.values(), *(c for commands in per_vrf for c in commands))
        return any(_placeholders(t).fullmatch(command) for t in templates)

    @property
    def naming(self) -> Naming:
        """The interface-name half of the row (``netatlas.domain.platforms.NAMING``; none for "generic")."""
        return naming(self.name)

    def plan(self, wanted: frozenset[DataType]) -> list[tuple[str, frozenset[DataType]]]:
        """Commands to send for ``wanted`` (facts always first), each with the types it serves.

        A per-VRF step's VRF list comes last: the collector sends each VRF's commands after it.

        Examples:
            >>> [c for c, _ in PLATFORMS["cisco_ios"].plan(frozenset({DataType.STATIC_ROUTES}))]
            ['show version', 'show ip route vrf * static']
            >>> [c for c, _ in PLATFORMS["cisco_ios"].plan(frozenset(ROUTE_TYPES))]
            ['show version', 'show ip route vrf *']
            >>> [c for c, _ in PLATFORMS["arista_eos"].plan(frozenset({DataType.CDP}))]  # no CDP; JSON forms
            ['show version | json', 'show hostname | json']
            >>> [c for c, _ in PLATFORMS["cisco_ios"].plan(frozenset({DataType.ARP}))]
            ['show version', 'show ip arp', 'show vrf']
        """
        routes = wanted & ROUTE_TYPES
        plan: dict[str, set[DataType]] = {}
        for data_type in (DataType.FACTS, *sorted(wanted - {DataType.FACTS})):
            if data_type in ROUTE_TYPES and len(routes) > 1:
                plan.setdefault(self.all_routes, set()).add(data_type)
                continue
            for command in self.commands.get(data_type, ()):
                plan.setdefault(command, set()).add(data_type)
        if self.per_vrf is not None and wanted & self.per_vrf.commands.keys():
            plan[self.per_vrf.list_command] = set(wanted & self.per_vrf.commands.keys())  # then each VRF's
        list_command = self.per_vrf.list_command if self.per_vrf is not None else None
        return [(command if command == list_command else self.sent_form(command), frozenset(types))
                for command, types in plan.items()]


_ROWS: tuple[PlatformSpec, ...] = (  # the most specific signatures first: detection tries rows in order
    PlatformSpec(
        name=Platform.CISCO_NXOS,
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
        signatures=(re.compile(r"Nexus|NX-OS|\bN[3579]K-", re.IGNORECASE),),
        json_suffix=" | json",
        json_commands=nxos_forms.JSON_COMMANDS,
        templates=((re.compile(r"show interface"), "cisco_nxos_show_interface.textfsm"),),  # port-channel members
        features=FeatureGate(  # `feature lldp/ospf/bgp` disabled: their show commands do not exist
            probe="show feature",
            state=re.compile(r"^(?P<name>[\w-]+)\s+\d+\s+(?P<state>disabled|enabled)", re.M),
            commands={
                "show lldp neighbors detail": "lldp",
                "show ip ospf neighbors vrf all": "ospf", "show ip ospf neighbors": "ospf",
                "show ip bgp summary vrf all": "bgp", "show ip bgp summary": "bgp",
            },
        ),
    ),
    PlatformSpec(
        name=Platform.ARISTA_EOS,
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
        signatures=(re.compile(r"Arista|\bDCS-\d|\bvEOS", re.IGNORECASE),),
        json_suffix=" | json",
        json_commands=eos_forms.JSON_COMMANDS,
        templates=((re.compile(r"show interfaces"), "arista_eos_show_interfaces.textfsm"),),  # IPv6 addresses too
    ),
    PlatformSpec(
        name=Platform.JUNIPER_JUNOS,
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
        signatures=(re.compile(r"Juniper|JUNOS|\b(?:mx|ex|qfx|srx|ptx|acx)\d", re.IGNORECASE),),
        json_suffix=" | display json",
        json_commands=junos_forms.JSON_COMMANDS,
        templates=(
            (re.compile(r"show route(?: (?:table|protocol) \S+)?"), "juniper_junos_show_route.textfsm"),
            (re.compile(r"show lldp neighbors interface \S+"), "juniper_junos_show_lldp_neighbors_interface.textfsm"),
            *((re.compile(command), f"juniper_junos_{command.replace(' ', '_')}.textfsm") for command in (
                "show version", "show chassis hardware", "show lldp neighbors", "show bgp summary",
                "show ethernet-switching table", "show arp no-resolve", "show interfaces")),
        ),
    ),
    PlatformSpec(
        name=Platform.CISCO_IOS,
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
            "show vrf": "show ip vrf",  # older images list their VRFs with `show ip vrf`
        },
        signatures=(re.compile(r"Cisco IOS|IOS-XE|\bcisco (?:WS-C|C9[2-6]|C38|C36|ISR|ASR|CSR|C8[0-9]{3})",
                               re.IGNORECASE),),
        templates=((re.compile(r"show interfaces"), "cisco_ios_show_interfaces.textfsm"),),  # port-channel members
        ntc_aliases=(  # `show ip bgp vpnv4 vrf X summary` prints a summary, not a BGP table
            (re.compile(r"show ip bgp vpnv4 vrf \S+ summary"), "cisco_ios_show_ip_bgp_summary.textfsm"),),
        per_vrf=PerVrf(  # `show ip arp` and `show ip bgp summary` show the global table only
            list_command="show vrf",
            name=re.compile(r"^  (?P<name>\S+)\s+(?:<not set>|\S+:\d+)"  # name, default RD
                            r"(?:\s+(?P<protocols>ipv[46](?:,ipv[46])*))?(?=\s|$)", re.M),  # `show vrf` only
            commands={DataType.ARP: ("show ip arp vrf {vrf}",),
                      DataType.ROUTING_NEIGHBORS: ("show ip bgp vpnv4 vrf {vrf} summary",)},
        ),
    ),
)
PLATFORMS: dict[str, PlatformSpec] = {Platform(spec.name): spec for spec in _ROWS}  # keys are Platform members

# What a neighbor advertises (CDP platform / LLDP system description) -> the platform to log in as.
SIGNATURES: tuple[tuple[re.Pattern[str], Platform], ...] = tuple(
    (pattern, Platform(spec.name)) for spec in _ROWS for pattern in spec.signatures)


def spec_for(platform: str) -> PlatformSpec | None:
    """The row of an inventory's platform word, or None when it is not a supported platform.

    Examples:
        >>> spec_for("cisco_nxos").name, spec_for("cisco_iso")
        (<Platform.CISCO_NXOS: 'cisco_nxos'>, None)
    """
    try:
        return PLATFORMS[Platform(platform)]
    except ValueError:
        return None


# Capabilities of something we can log in to: a router or a switch (CDP words, LLDP letters).
_INFRA = re.compile(r"\b(?:Router|Switch|R)\b")


def detect_platform(description: str, capabilities: str = "Router") -> Platform | None:
    """The supported platform a neighbor's advertisement names, or None (phones, APs, others).

    Examples:
        >>> detect_platform("cisco N9K-C93180YC-FX", "Router Switch IGMP")
        <Platform.CISCO_NXOS: 'cisco_nxos'>
        >>> detect_platform("Juniper Networks, Inc. mx204 internet router", "B,R")
        <Platform.JUNIPER_JUNOS: 'juniper_junos'>
        >>> detect_platform("cisco C9120AXI-B", "Trans-Bridge Source-Route-Bridge IGMP") is None
        True
        >>> detect_platform("Cisco IP Phone 8865", "Host Phone") is None
        True
    """
    if not _INFRA.search(capabilities.replace(",", " ")):
        return None
    return next((platform for pattern, platform in SIGNATURES if pattern.search(description)), None)
