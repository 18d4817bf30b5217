"""collect_device's platform-data steps: NX-OS feature-gated commands and IOS per-VRF commands."""

from __future__ import annotations

from netatlas.collect.fake import FakeTransport, Reply, rejected
from netatlas.collect.transport import CappedOutput
from netatlas.domain.records import Coverage, DataType, DeviceRecords, ErrorKind, ParseOutcome
from tests.unit.collect.test_collector import HOST, collect, plan, script_for

NXOS_INVALID = "% Invalid command at '^' marker.\n"
FEATURES = """Feature Name          Instance  State
--------------------  --------  --------
bgp                    1         enabled
lldp                   1         disabled
ospf                   1         disabled
ospf                   2         disabled
"""
NEIGHBORS = frozenset({DataType.LLDP, DataType.ROUTING_NEIGHBORS})


def _nxos(**special: str | Reply) -> FakeTransport:
    base: dict[str, str | Reply] = {"show lldp neighbors detail": rejected("x", NXOS_INVALID),
                                    "show ip ospf neighbors vrf all": rejected("x", NXOS_INVALID),
                                    "show feature": FEATURES}
    texts = {**base, **{k.replace("_", " "): v for k, v in special.items()}}
    # the row sends `| json` first: a command that does not exist (feature off) is refused in both forms
    forms = {f"{k} | json": v for k, v in texts.items() if k != "show feature"}
    return FakeTransport({**script_for("cisco_nxos", NEIGHBORS), **texts, **forms})


# ----- NX-OS: a command that does not exist while its feature is disabled -------------------------------------
def test_a_disabled_features_refused_command_is_feature_off_and_the_device_completes() -> None:
    transport = _nxos()
    result = collect("cisco_nxos", transport, NEIGHBORS)
    assert result.ok, result.error
    by_command = {o.command: o for o in result.outputs}
    lldp, ospf = by_command["show lldp neighbors detail | json"], by_command["show ip ospf neighbors vrf all | json"]
    assert (lldp.coverage, lldp.error_kind, lldp.note) == (Coverage.FEATURE_OFF, None, "feature lldp disabled")
    assert (ospf.coverage, ospf.note) == (Coverage.FEATURE_OFF, "feature ospf disabled")
    assert transport.sent.count("show feature") == 1  # probed once per session
    assert "show ip ospf neighbors" not in transport.sent  # feature off: no fallback form tried


def test_a_refusal_of_an_enabled_feature_stays_a_rejection() -> None:
    result = collect("cisco_nxos", _nxos(**{"show ip bgp summary vrf all": rejected("x", NXOS_INVALID),
                                            "show ip bgp summary": rejected("x", NXOS_INVALID)}), NEIGHBORS)
    assert result.error_kind is ErrorKind.COMMAND_REJECTED  # bgp is enabled: the refusal means something else
    bgp = [o for o in result.outputs if "bgp" in o.command]
    assert [(o.command, o.error_kind) for o in bgp] == [("show ip bgp summary", ErrorKind.COMMAND_REJECTED)]
    assert "fallback: 'show ip bgp summary vrf all' rejected" in bgp[0].note  # json, text, then the plain form


def test_an_authorization_refusal_never_becomes_feature_off() -> None:
    transport = _nxos(**{"show lldp neighbors detail": rejected("x", "% Permission denied\n")})
    result = collect("cisco_nxos", transport, NEIGHBORS)
    assert result.error_kind is ErrorKind.COMMAND_REJECTED
    lldp = next(o for o in result.outputs if o.command == "show lldp neighbors detail | json")
    assert lldp.coverage is not Coverage.FEATURE_OFF


def test_a_refused_probe_proves_nothing() -> None:
    result = collect("cisco_nxos", _nxos(show_feature=rejected("x", NXOS_INVALID)), NEIGHBORS)
    assert result.error_kind is ErrorKind.COMMAND_REJECTED
    probe = next(o for o in result.outputs if o.command == "show feature")
    assert probe.error_kind is None and "refused" in probe.note  # the probe itself fails nothing


# ----- IOS: ARP and BGP sessions one VRF at a time --------------------------------------------------------------
VRFS = """  Name                             Default RD            Protocols   Interfaces
  BLUE                             65000:1               ipv4        Gi0/2
                                                                     Gi0/3
  Mgmt-intf                        <not set>             ipv4,ipv6   Gi1
  a;b                              <not set>             ipv4
"""
IOS_TYPES = frozenset({DataType.ARP, DataType.ROUTING_NEIGHBORS})


async def _vrf_parse(platform: str, command: str, text: str, types: frozenset[DataType]) -> ParseOutcome:
    assert command != "show vrf", "the VRF list is read by the collector, not parsed into records"
    return ParseOutcome(DeviceRecords())


def test_per_vrf_commands_follow_the_vrf_list() -> None:
    transport = FakeTransport(script_for("cisco_ios", IOS_TYPES, show_vrf=VRFS, **{
        f"show ip {c}": "" for c in ("arp vrf BLUE", "arp vrf Mgmt-intf", "bgp vpnv4 vrf BLUE summary",
                                     "bgp vpnv4 vrf Mgmt-intf summary")}))
    result = collect("cisco_ios", transport, IOS_TYPES, parse=_vrf_parse)
    assert result.ok, result.error
    assert transport.sent == [*plan("cisco_ios", IOS_TYPES),
                              "show ip arp vrf BLUE", "show ip bgp vpnv4 vrf BLUE summary",
                              "show ip arp vrf Mgmt-intf", "show ip bgp vpnv4 vrf Mgmt-intf summary"]
    assert not any("a;b" in c for c in transport.sent)  # a name that is no plain word is never typed
    listing = next(o for o in result.outputs if o.command == "show vrf")
    assert listing.output == VRFS and listing.error_kind is None


def test_only_the_wanted_types_per_vrf_commands_are_sent() -> None:
    transport = FakeTransport(script_for("cisco_ios", frozenset({DataType.ARP}), show_vrf=VRFS,
                                         **{"show ip arp vrf BLUE": "", "show ip arp vrf Mgmt-intf": ""}))
    result = collect("cisco_ios", transport, frozenset({DataType.ARP}), parse=_vrf_parse)
    assert result.ok
    assert transport.sent[-2:] == ["show ip arp vrf BLUE", "show ip arp vrf Mgmt-intf"]


def test_an_older_image_lists_vrfs_with_show_ip_vrf() -> None:
    listing = "  Name                             Default RD          Interfaces\n  BLUE   65000:1   Gi0/2\n"
    transport = FakeTransport(script_for("cisco_ios", frozenset({DataType.ARP}), show_ip_vrf=listing,
                                         show_vrf=rejected("x", "% Invalid input detected at '^' marker.\n"),
                                         **{"show ip arp vrf BLUE": ""}))
    result = collect("cisco_ios", transport, frozenset({DataType.ARP}), parse=_vrf_parse)
    assert result.ok
    assert transport.sent[-3:] == ["show vrf", "show ip vrf", "show ip arp vrf BLUE"]
    assert result.outputs[-2].note.startswith("fallback: 'show vrf' rejected")


def test_an_image_without_vrfs_reads_the_global_table_only() -> None:
    refused = rejected("x", "% Invalid input detected at '^' marker.\n")
    transport = FakeTransport(script_for("cisco_ios", frozenset({DataType.ARP}), show_vrf=refused,
                                         show_ip_vrf=refused))
    result = collect("cisco_ios", transport, frozenset({DataType.ARP}), parse=_vrf_parse)
    assert result.ok, result.error  # no VRF list is no failure
    assert transport.sent[-2:] == ["show vrf", "show ip vrf"]


def test_a_vrf_list_over_the_cap_fails_the_device_like_any_output() -> None:
    capped = CappedOutput(f"{HOST}:2222: 'show vrf': more than 1,000 characters of output", "  BLUE" * 10)
    transport = FakeTransport(script_for("cisco_ios", frozenset({DataType.ARP}), show_vrf=Reply(error=capped)))
    result = collect("cisco_ios", transport, frozenset({DataType.ARP}), parse=_vrf_parse)
    assert result.error_kind is ErrorKind.OUTPUT_TOO_LARGE
    assert (result.outputs[-1].command, result.outputs[-1].error_kind) == ("show vrf", ErrorKind.OUTPUT_TOO_LARGE)
    assert transport.sent[-1] == "show vrf"  # nothing after it
