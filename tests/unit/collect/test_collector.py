"""collect_device with a scripted FakeTransport: plan, session, cancel, follow-ups, errors, timeouts."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from netatlas.collect.collector import ParseFn, collect_device
from netatlas.collect.fake import FakeConnector, FakeTransport, Reply, Script, rejected
from netatlas.collect.hostkeys import HostKeyCheck, HostKeyPolicy, MemoryHostKeys
from netatlas.collect.parsers.parse import normaliser
from netatlas.collect.platforms import PLATFORMS
from netatlas.collect.transport import CappedOutput, Limits, SshOptions, Timeouts
from netatlas.domain.errors import (
    AuthFailed,
    CollectError,
    DeviceTimeout,
    Disconnected,
    ParseError,
    StoreError,
    Unreachable,
)
from netatlas.domain.inventory import Credential, InventoryDevice
from netatlas.domain.records import (
    PACK_FROM,
    DataType,
    DeviceRecords,
    DeviceResult,
    ErrorKind,
    Facts,
    Neighbor,
    ParseOutcome,
    pack_text,
)

T = TypeVar("T")
PASSWORD, SECRET = "pw-Zq81-secret", "en-Kx44-secret"
CRED = Credential("lab", "netops", PASSWORD, SECRET)
TIMEOUTS = Timeouts(connect=1.0, command=1.0, device=5.0)
ALL = frozenset(DataType)
HOST = "192.0.2.1"


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def device(platform: str = "cisco_ios", name: str = "r1") -> InventoryDevice:
    return InventoryDevice(name, HOST, platform, "lab", port=2222)


def plan(platform: str, wanted: frozenset[DataType] = ALL) -> list[str]:
    return [command for command, _ in PLATFORMS[platform].plan(wanted)]


@pytest.fixture(autouse=True)
def _text_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    """The collector's steps in their text forms: the rows' structured forms have their own tests below."""
    for name, spec in list(PLATFORMS.items()):
        monkeypatch.setitem(PLATFORMS, name, dataclasses.replace(spec, json_commands=frozenset()))


def script_for(platform: str, wanted: frozenset[DataType] = ALL, /, **special: str | Reply) -> Script:
    """Every planned command answers ``<command> output``; ``special`` overrides by command with _ for space."""
    script: dict[str, str | Reply] = {c: f"{c} output\n" for c in plan(platform, wanted)}
    script.update({k.replace("_", " "): v for k, v in special.items()})
    return script


async def parse_facts(platform: str, command: str, text: str, types: frozenset[DataType]) -> ParseOutcome:
    """A fake parser: facts from ``show version``, nothing else; ``junk`` does not parse."""
    if "junk" in text:
        raise ParseError(f"no template row matched ({len(text)} characters)")
    if command == "show version":
        return ParseOutcome(DeviceRecords(facts=Facts("r1", model="C9300")))
    return ParseOutcome(DeviceRecords())


def collect(platform: str, transport: FakeTransport, wanted: frozenset[DataType] = ALL,
            parse: ParseFn = parse_facts, timeouts: Timeouts = TIMEOUTS, **kw: Any) -> DeviceResult:
    connector = kw.pop("connector", None) or FakeConnector({HOST: transport})
    return run(collect_device(device(platform), CRED, wanted, timeouts=timeouts, parse=parse,
                              connect=connector, **kw))


# ----- plan order, one session ---------------------------------------------------------------
@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_runs_the_plan_in_order_in_one_session(platform: str) -> None:
    transport = FakeTransport(script_for(platform))
    connector = FakeConnector({HOST: transport})
    result = collect(platform, transport, connector=connector)
    assert result.ok, result.error
    assert transport.sent == plan(platform)
    assert connector.calls == [(HOST, 2222, "lab")]
    assert transport.closed
    assert [o.command for o in result.outputs] == plan(platform)
    assert all(o.output == f"{o.command} output\n" and o.error_kind is None for o in result.outputs)
    assert set(transport.timeouts) == {TIMEOUTS.command}


def test_facts_are_always_collected_first() -> None:
    transport = FakeTransport(script_for("cisco_ios", frozenset({DataType.ARP})))
    result = collect("cisco_ios", transport, frozenset({DataType.ARP}))
    assert transport.sent == ["show version", "show ip arp", "show vrf"]  # the VRF list: none here
    assert result.records.facts == Facts("r1", model="C9300")
    assert [o.data_type for o in result.outputs] == [DataType.FACTS, DataType.ARP, DataType.ARP]


def test_several_route_types_share_one_command_and_one_output() -> None:
    routes = frozenset({DataType.STATIC_ROUTES, DataType.BGP_ROUTES})
    transport = FakeTransport(script_for("cisco_ios", routes))
    result = collect("cisco_ios", transport, routes)
    assert transport.sent == ["show version", "show ip route vrf *"]
    assert result.outputs[1].data_type is DataType.STATIC_ROUTES  # the first of the types it serves


def test_partial_records_are_merged_and_facts_combined() -> None:
    async def parse(platform: str, command: str, text: str, types: frozenset[DataType]) -> ParseOutcome:
        if command == "show version":
            return ParseOutcome(DeviceRecords(facts=Facts("", model="DCS-7050", os_version="4.30")))
        if command == "show hostname":
            return ParseOutcome(DeviceRecords(facts=Facts("leaf1")))
        if command == "show lldp neighbors detail":
            return ParseOutcome(DeviceRecords(neighbors=[Neighbor("lldp", "Ethernet1", "spine1", "Ethernet1/1")]))
        return ParseOutcome(DeviceRecords())

    result = collect("arista_eos", FakeTransport(script_for("arista_eos")), parse=parse)
    assert result.ok
    assert result.records.facts == Facts("leaf1", model="DCS-7050", os_version="4.30")
    assert [n.remote_name for n in result.records.neighbors] == ["spine1"]


def test_steps_are_reported_before_each_command() -> None:
    steps: list[str] = []

    async def on_step(step: str) -> None:
        steps.append(step)

    transport = FakeTransport(script_for("cisco_nxos"))
    collect("cisco_nxos", transport, on_step=on_step)
    assert steps == ["connect", *plan("cisco_nxos")]


# ----- cancel ----------------------------------------------------------------------------------
def test_cancel_between_commands_keeps_what_was_collected() -> None:
    transport = FakeTransport(script_for("cisco_ios"))
    asked: list[int] = []

    async def should_stop() -> bool:
        asked.append(len(transport.sent))
        return len(transport.sent) >= 2

    result = collect("cisco_ios", transport, should_stop=should_stop)
    assert not result.ok
    assert result.error_kind is ErrorKind.CANCELLED
    assert transport.sent == plan("cisco_ios")[:2]
    assert asked == [0, 0, 1, 2]  # before connecting, then before each command
    assert [o.command for o in result.outputs] == plan("cisco_ios")[:2]
    assert result.records.facts is not None
    assert repr(plan("cisco_ios")[2]) in result.error
    assert transport.closed


def test_cancel_before_connecting_makes_no_connection() -> None:
    async def should_stop() -> bool:
        return True

    connector = FakeConnector()
    result = run(collect_device(device(), CRED, ALL, timeouts=TIMEOUTS, parse=parse_facts,
                                should_stop=should_stop, connect=connector))
    assert result.error_kind is ErrorKind.CANCELLED
    assert connector.calls == []
    assert result.outputs == []


# ----- per-interface follow-ups (JunOS LLDP) ----------------------------------------------------
BRIEF = [Neighbor("lldp", "ge-0/0/1", "sw1", "Gi1/0/1"), Neighbor("lldp", "ge-0/0/2", "sw2", "Gi1/0/2"),
         Neighbor("lldp", "ge-0/0/1", "sw3", "Gi1/0/3")]


async def parse_junos_lldp(platform: str, command: str, text: str, types: frozenset[DataType]) -> ParseOutcome:
    if command == "show lldp neighbors":
        return ParseOutcome(DeviceRecords(neighbors=list(BRIEF)))
    if command.startswith("show lldp neighbors interface "):
        interface = command.rsplit(" ", 1)[1]
        detail = Neighbor("lldp", interface, f"detail-{interface}", "x", mgmt_ip="10.0.0.9")
        return ParseOutcome(DeviceRecords(neighbors=[detail]))
    return ParseOutcome(DeviceRecords())


def test_junos_lldp_uses_per_interface_detail_instead_of_brief() -> None:
    lldp = frozenset({DataType.LLDP})
    details = {f"show lldp neighbors interface {i}": f"detail {i}\n" for i in ("ge-0/0/1", "ge-0/0/2")}
    transport = FakeTransport({**script_for("juniper_junos", lldp), **details})
    result = collect("juniper_junos", transport, lldp, parse=parse_junos_lldp)
    assert result.ok, result.error
    assert transport.sent == ["show version", "show chassis hardware", "show lldp neighbors", *details]  # one per port
    assert [(n.local_interface, n.remote_name) for n in result.records.neighbors] == [
        ("ge-0/0/1", "detail-ge-0/0/1"), ("ge-0/0/2", "detail-ge-0/0/2")]
    assert [o.data_type for o in result.outputs[3:]] == [DataType.LLDP, DataType.LLDP]


def test_a_failed_detail_command_keeps_that_interfaces_brief_neighbors() -> None:
    lldp = frozenset({DataType.LLDP})
    script = {**script_for("juniper_junos", lldp), "show lldp neighbors interface ge-0/0/2": "detail\n",
              "show lldp neighbors interface ge-0/0/1": rejected("show lldp neighbors interface ge-0/0/1")}
    result = collect("juniper_junos", FakeTransport(script), lldp, parse=parse_junos_lldp)
    assert result.error_kind is ErrorKind.COMMAND_REJECTED
    assert [n.remote_name for n in result.records.neighbors] == ["sw1", "sw3", "detail-ge-0/0/2"]


def test_other_platforms_have_no_follow_ups() -> None:
    lldp = frozenset({DataType.LLDP})
    transport = FakeTransport(script_for("cisco_ios", lldp))
    result = collect("cisco_ios", transport, lldp, parse=parse_junos_lldp)
    assert transport.sent == ["show version", "show lldp neighbors detail"]
    assert result.ok


# ----- error classification -----------------------------------------------------------------------
@pytest.mark.parametrize(("error", "kind"), [
    (Unreachable(f"{HOST}:2222: cannot connect: Connection refused"), ErrorKind.UNREACHABLE),
    (AuthFailed(f"{HOST}:2222: authentication refused for user 'netops'"), ErrorKind.AUTH_FAILED),
    (DeviceTimeout(f"{HOST}:2222: SSH connect did not finish within 1 s"), ErrorKind.TIMEOUT),
    (Disconnected(f"{HOST}:2222: connection lost during SSH login"), ErrorKind.DISCONNECTED),
])
def test_connection_failures_fail_the_device_with_their_kind(error: CollectError, kind: ErrorKind) -> None:
    connector = FakeConnector(errors={HOST: error})
    result = run(collect_device(device(), CRED, ALL, timeouts=TIMEOUTS, parse=parse_facts, connect=connector))
    assert (result.ok, result.error_kind, result.error) == (False, kind, str(error))
    assert result.outputs == []


def test_unsupported_platform_makes_no_connection() -> None:
    connector = FakeConnector()
    result = run(collect_device(device("hp_procurve"), CRED, ALL, timeouts=TIMEOUTS, parse=parse_facts,
                                connect=connector))
    assert result.error_kind is ErrorKind.UNSUPPORTED_PLATFORM
    assert "'hp_procurve'" in result.error
    assert connector.calls == []


def test_disconnect_mid_plan_keeps_earlier_outputs() -> None:
    cmds = plan("cisco_ios")
    lost = Disconnected(f"{HOST}:2222: connection lost while waiting for the output of {cmds[2]!r}")
    transport = FakeTransport({**script_for("cisco_ios"), cmds[2]: Reply(error=lost)})
    result = collect("cisco_ios", transport)
    assert result.error_kind is ErrorKind.DISCONNECTED
    assert repr(cmds[2]) in result.error
    assert [o.command for o in result.outputs] == cmds[:2]
    assert result.records.facts is not None
    assert transport.sent == cmds[:3]
    assert transport.closed


def test_rejected_command_is_recorded_and_the_rest_still_runs() -> None:
    transport = FakeTransport(script_for("cisco_ios", show_ip_arp=rejected("show ip arp")))
    result = collect("cisco_ios", transport)
    assert transport.sent == plan("cisco_ios")
    assert result.error_kind is ErrorKind.COMMAND_REJECTED and not result.ok
    arp = next(o for o in result.outputs if o.command == "show ip arp")
    assert (arp.error_kind, arp.output) == (ErrorKind.COMMAND_REJECTED, "% Authorization failed.\n")
    assert "'show ip arp'" in result.error
    assert [o.command for o in result.outputs if o.error_kind is None] == [c for c in plan("cisco_ios")
                                                                           if c != "show ip arp"]
    assert result.records.facts is not None  # the other records are still returned


def test_unparseable_output_is_kept_raw_with_a_parse_error() -> None:
    transport = FakeTransport(script_for("cisco_nxos", show_interface="junk junk\n"))
    result = collect("cisco_nxos", transport)
    assert result.error_kind is ErrorKind.PARSE_ERROR
    bad = next(o for o in result.outputs if o.command == "show interface")
    assert (bad.error_kind, bad.output) == (ErrorKind.PARSE_ERROR, "junk junk\n")
    assert "'show interface'" in bad.error and "no template row matched" in bad.error
    assert len(result.outputs) == len(plan("cisco_nxos"))


def test_the_first_failed_command_gives_the_device_kind() -> None:
    transport = FakeTransport(script_for("cisco_ios", show_ip_arp="junk\n", show_interfaces=rejected("x")))
    result = collect("cisco_ios", transport)
    order = [o.command for o in result.outputs if o.error_kind is not None]
    assert order == ["show ip arp", "show interfaces"]
    assert result.error_kind is ErrorKind.PARSE_ERROR
    assert result.error.startswith(f"2 of {len(plan('cisco_ios'))} command(s) failed")


def test_a_crashing_parser_fails_only_that_command() -> None:
    async def parse(platform: str, command: str, text: str, types: frozenset[DataType]) -> ParseOutcome:
        if command == "show ip arp":
            raise KeyError("mac")
        return ParseOutcome(DeviceRecords())

    result = collect("cisco_ios", FakeTransport(script_for("cisco_ios")), parse=parse)
    assert result.error_kind is ErrorKind.INTERNAL  # a bug, not output the device got wrong
    assert "parser crashed: KeyError" in result.outputs[1].error
    assert len(result.outputs) == len(plan("cisco_ios"))


# ----- timeouts -------------------------------------------------------------------------------------
def test_command_timeout_fails_the_device() -> None:
    cmds = plan("cisco_ios")
    transport = FakeTransport(script_for("cisco_ios", show_ip_arp=Reply("late\n", delay=0.5)))
    result = collect("cisco_ios", transport, timeouts=Timeouts(connect=1, command=0.05, device=5))
    assert result.error_kind is ErrorKind.TIMEOUT
    assert "0.05 s" in result.error and "'show ip arp'" in result.error
    assert transport.sent == cmds[:2]
    assert 0.05 <= result.duration_s < 0.5


def test_device_budget_covers_the_whole_device() -> None:
    transport = FakeTransport(script_for("cisco_ios"), delay=0.04)
    result = collect("cisco_ios", transport, timeouts=Timeouts(connect=1, command=1, device=0.15))
    assert result.error_kind is ErrorKind.TIMEOUT
    assert "device time budget of 0.15 s" in result.error
    assert 3 <= len(transport.sent) <= 4
    assert repr(transport.sent[-1]) in result.error  # names the command it was on
    assert result.duration_s < 0.5
    assert transport.closed


def test_connect_timeout() -> None:
    connector = FakeConnector({HOST: FakeTransport({})}, delay=10)
    result = run(collect_device(device(), CRED, ALL, timeouts=Timeouts(connect=0.05, command=1, device=5),
                                parse=parse_facts, connect=connector))
    assert result.error_kind is ErrorKind.TIMEOUT
    assert "0.05 s" in result.error


def test_device_budget_also_bounds_the_connect() -> None:
    connector = FakeConnector({HOST: FakeTransport({})}, delay=0.5)
    result = run(collect_device(device(), CRED, ALL, timeouts=Timeouts(connect=1, command=1, device=0.05),
                                parse=parse_facts, connect=connector))
    assert result.error_kind is ErrorKind.TIMEOUT
    assert "during 'connect'" in result.error


# ----- secrets -------------------------------------------------------------------------------------
def test_no_secret_in_any_error_text() -> None:
    async def leaky_parse(platform: str, command: str, text: str, types: frozenset[DataType]) -> ParseOutcome:
        if command != "show version":
            raise ParseError(f"unexpected line {text.strip()!r}")
        return ParseOutcome(DeviceRecords())

    leaks = f"enable secret {SECRET} password {PASSWORD}\n"
    script: dict[str, str | Reply] = {c: leaks for c in plan("cisco_ios")}
    script["show ip arp"] = Reply(error=AuthFailed(f"refused {PASSWORD}"))
    result = collect("cisco_ios", FakeTransport(script), parse=leaky_parse)
    texts = [result.error, *(o.error for o in result.outputs)]
    assert result.error_kind is ErrorKind.AUTH_FAILED
    assert any("***" in t for t in texts)
    assert not any(PASSWORD in t or SECRET in t for t in texts)
    assert PASSWORD not in repr(CRED) and SECRET not in repr(CRED)


# ----- fallback command forms -------------------------------------------------------------------------
INVALID = "% Invalid input detected at '^' marker.\n"


def test_a_refused_form_falls_back_to_the_plain_form_once() -> None:
    routes = frozenset({DataType.STATIC_ROUTES, DataType.OSPF_ROUTES})
    script = {**script_for("cisco_ios", routes, **{"show ip route vrf *": rejected("show ip route vrf *", INVALID)}),
              "show ip route": "plain routes\n"}
    transport = FakeTransport(script)
    result = collect("cisco_ios", transport, routes)
    assert result.ok, result.error
    assert transport.sent == ["show version", "show ip route vrf *", "show ip route"]
    plain = result.outputs[1]
    assert (plain.command, plain.output, plain.error_kind) == ("show ip route", "plain routes\n", None)
    assert plain.note == "fallback: 'show ip route vrf *' rejected, used 'show ip route'"
    assert plain.served == routes


def test_the_parser_is_given_the_plain_form() -> None:
    parsed: list[str] = []

    async def parse(platform: str, command: str, text: str, types: frozenset[DataType]) -> ParseOutcome:
        parsed.append(command)
        return ParseOutcome(DeviceRecords(), note="BGP not active" if command == "show ip bgp summary" else "")

    script = {**script_for("cisco_nxos", frozenset({DataType.ROUTING_NEIGHBORS}),
                           **{"show ip bgp summary vrf all": rejected("x", INVALID)}), "show ip bgp summary": "bgp\n"}
    result = collect("cisco_nxos", FakeTransport(script), frozenset({DataType.ROUTING_NEIGHBORS}), parse=parse)
    assert result.ok
    assert parsed == ["show version", "show ip ospf neighbors vrf all", "show ip bgp summary"]
    assert result.outputs[-1].note == ("fallback: 'show ip bgp summary vrf all' rejected, used "
                                       "'show ip bgp summary'; BGP not active")


def test_an_authorization_refusal_is_not_cured_by_a_fallback() -> None:
    script = script_for("cisco_ios", frozenset({DataType.BGP_ROUTES}),
                        **{"show ip route vrf * bgp": rejected("show ip route vrf * bgp")})  # "% Authorization failed."
    transport = FakeTransport(script)
    result = collect("cisco_ios", transport, frozenset({DataType.BGP_ROUTES}))
    assert result.error_kind is ErrorKind.COMMAND_REJECTED
    assert transport.sent == ["show version", "show ip route vrf * bgp"]


def test_a_refused_fallback_is_recorded_with_both_forms_and_tried_once() -> None:
    script = {**script_for("cisco_ios", frozenset({DataType.STATIC_ROUTES})),
              "show ip route vrf * static": rejected("a", INVALID), "show ip route static": rejected("b", INVALID)}
    transport = FakeTransport(script)
    result = collect("cisco_ios", transport, frozenset({DataType.STATIC_ROUTES}))
    assert transport.sent == ["show version", "show ip route vrf * static", "show ip route static"]
    assert result.error_kind is ErrorKind.COMMAND_REJECTED
    last = result.outputs[-1]
    assert (last.command, last.error_kind) == ("show ip route static", ErrorKind.COMMAND_REJECTED)
    assert last.note.startswith("fallback: 'show ip route vrf * static' rejected")


def test_platforms_without_fallbacks_fail_the_command() -> None:
    script = script_for("arista_eos", frozenset({DataType.ARP}), **{"show ip arp vrf all": rejected("x", INVALID)})
    result = collect("arista_eos", FakeTransport(script), frozenset({DataType.ARP}))
    assert result.error_kind is ErrorKind.COMMAND_REJECTED


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_every_fallback_replaces_a_planned_command_with_a_plain_form(platform: str) -> None:
    spec = PLATFORMS[platform]
    read_aside = {spec.per_vrf.list_command} if spec.per_vrf is not None else set()  # read by the collector
    planned = {c for group in spec.commands.values() for c in group} | {spec.all_routes}
    assert set(spec.fallbacks) <= planned | read_aside
    assert not set(spec.fallbacks.values()) & set(spec.fallbacks)  # a plain form has no fallback of its own
    assert spec.unknown_form is not None or not spec.fallbacks
    for form, plain in spec.fallbacks.items():
        if form not in read_aside:
            assert normaliser(platform, plain).command == plain  # the plain form parses like the rest


# ----- output caps -------------------------------------------------------------------------------------------
def test_output_too_large_fails_the_device_and_keeps_the_start() -> None:
    capped = CappedOutput(f"{HOST}:2222: 'show ip arp': more than 1,000 characters of output", "x" * 100)
    transport = FakeTransport(script_for("cisco_ios", show_ip_arp=Reply(error=capped)))
    result = collect("cisco_ios", transport)
    assert result.error_kind is ErrorKind.OUTPUT_TOO_LARGE
    assert result.error == str(capped)
    arp = result.outputs[-1]
    assert (arp.command, arp.error_kind, arp.output) == ("show ip arp", ErrorKind.OUTPUT_TOO_LARGE, "x" * 100)
    assert transport.sent == plan("cisco_ios")[:2]  # the session is unusable: nothing after it
    assert transport.closed


def test_stored_raw_output_is_cut_with_a_note() -> None:
    big = "y" * 5000
    transport = FakeTransport(script_for("cisco_ios", show_ip_arp=big))
    result = collect("cisco_ios", transport, limits=Limits(stored_output=1000))
    arp = next(o for o in result.outputs if o.command == "show ip arp")
    assert arp.output == "y" * 1000
    assert arp.note == "raw output cut for storage: 1,000 of 5,000 characters kept"
    assert result.ok


def test_a_long_raw_output_is_held_packed_and_parsed_packed_when_the_caller_can() -> None:
    """From the moment it is read, a long output is held packed (pack_text): given to ``parse_packed`` as
    that (else unpacked for ``parse``) and recorded as that; short ones stay text, and one cut for storage
    is parsed whole and kept as its start."""
    seen: dict[str, str | bytes] = {}

    async def parse(platform: str, command: str, text: str, types: frozenset[DataType]) -> ParseOutcome:
        seen[command] = text
        return ParseOutcome(DeviceRecords())

    async def parse_packed(platform: str, command: str, packed: bytes, types: frozenset[DataType]) -> ParseOutcome:
        seen[command] = packed
        return ParseOutcome(DeviceRecords())

    big = "row 10.0.0.1\n" * 2000
    result = collect("cisco_ios", FakeTransport(script_for("cisco_ios", show_ip_arp=big)), parse=parse,
                     parse_packed=parse_packed)
    arp = next(o for o in result.outputs if o.command == "show ip arp")
    assert seen.pop("show ip arp") == pack_text(big) == arp.raw and arp.output == big and arp.size == len(big)
    short = next(o for o in result.outputs if o.command == "show version")
    assert seen["show version"] == short.raw == "show version output\n"
    plain = collect("cisco_ios", FakeTransport(script_for("cisco_ios", show_ip_arp=big)), parse=parse)
    unpacked = next(o for o in plain.outputs if o.command == "show ip arp")
    assert seen.pop("show ip arp") == big and unpacked.raw == arp.raw
    cut = collect("cisco_ios", FakeTransport(script_for("cisco_ios", show_ip_arp=big)), parse=parse,
                  parse_packed=parse_packed, limits=Limits(stored_output=PACK_FROM * 2))
    kept = next(o for o in cut.outputs if o.command == "show ip arp")
    assert seen.pop("show ip arp") == big and kept.output == big[:PACK_FROM * 2]


def test_limits_and_legacy_opt_in_reach_the_connection() -> None:
    keys = HostKeyCheck(MemoryHostKeys(), HostKeyPolicy.STRICT)
    limits = Limits(command_output=10, device_output=20, stored_output=5)
    for dev, cred, legacy in ((device(), CRED, False), (dataclasses.replace(device(), legacy_ssh=True), CRED, True),
                              (device(), dataclasses.replace(CRED, legacy_ssh=True), True)):
        connector = FakeConnector({HOST: FakeTransport(script_for("cisco_ios"))})
        run(collect_device(dev, cred, ALL, timeouts=TIMEOUTS, parse=parse_facts, connect=connector,
                           host_keys=keys, limits=limits))
        assert connector.options == [SshOptions(keys, limits, legacy, "r1")]


def test_session_warnings_are_returned_scrubbed() -> None:
    transport = FakeTransport(script_for("cisco_ios"), warnings=(f"legacy kex, {PASSWORD}",))
    result = collect("cisco_ios", transport)
    assert result.ok
    assert result.warnings == ("legacy kex, ***",)


# ----- containment ---------------------------------------------------------------------------------------------
class ExplodingTransport(FakeTransport):
    async def send(self, command: str, timeout: float) -> str:
        if command == "show ip arp":
            raise RuntimeError(f"bug near {PASSWORD}")
        return await super().send(command, timeout)


def test_an_unexpected_exception_is_the_devices_internal_failure(caplog: pytest.LogCaptureFixture) -> None:
    transport = ExplodingTransport(script_for("cisco_ios"))
    with caplog.at_level("ERROR", logger="netatlas.collect.collector"):
        result = collect("cisco_ios", transport)
    assert "RuntimeError: bug near ***" in caplog.text and "Traceback" in caplog.text
    assert PASSWORD not in caplog.text
    assert (result.ok, result.error_kind) == (False, ErrorKind.INTERNAL)
    assert result.error == "r1: internal error during 'show ip arp': RuntimeError: bug near ***"
    assert result.records.facts is not None  # what came before is kept
    assert transport.closed


def test_a_connector_bug_is_internal_too() -> None:
    async def connect(*args: Any) -> FakeTransport:
        raise KeyError("boom")

    result = run(collect_device(device(), CRED, ALL, timeouts=TIMEOUTS, parse=parse_facts, connect=connect))
    assert result.error_kind is ErrorKind.INTERNAL
    assert "during 'connect': KeyError" in result.error


def test_a_failing_close_does_not_escape() -> None:
    class BadClose(FakeTransport):
        async def close(self) -> None:
            raise OSError("close failed")

    result = collect("cisco_ios", BadClose(script_for("cisco_ios")))
    assert result.ok


def test_the_callers_own_callback_errors_are_raised_not_hidden() -> None:
    async def on_step(step: str) -> None:
        if step == "show ip arp":
            raise ConnectionError("database gone")

    transport = FakeTransport(script_for("cisco_ios"))
    with pytest.raises(ConnectionError, match="database gone"):
        collect("cisco_ios", transport, on_step=on_step)
    assert transport.closed


def test_a_storage_failure_of_the_callers_stores_is_raised_not_made_internal() -> None:
    """The host-key store is the caller's database: when it fails, the job stops (storage failure);
    the device is not marked ``internal`` as if netatlas had a bug."""

    async def connect(*args: Any) -> FakeTransport:
        raise StoreError("database or disk is full")

    with pytest.raises(StoreError, match="disk is full"):
        run(collect_device(device(), CRED, ALL, timeouts=TIMEOUTS, parse=parse_facts, connect=connect))


def test_a_refused_structured_form_falls_back_to_text_then_to_the_plain_form(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = PLATFORMS["cisco_nxos"]
    json_row = dataclasses.replace(spec, json_suffix=" | json",
                                   json_commands=frozenset({"show ip bgp summary vrf all"}))
    monkeypatch.setitem(PLATFORMS, "cisco_nxos", json_row)
    parsed: list[str] = []

    async def parse(platform: str, command: str, text: str, types: frozenset[DataType]) -> ParseOutcome:
        parsed.append(command)
        return ParseOutcome(DeviceRecords())

    wanted = frozenset({DataType.ROUTING_NEIGHBORS})
    script = {**script_for("cisco_nxos", wanted), "show ip bgp summary vrf all | json": rejected("a", INVALID),
              "show ip bgp summary vrf all": rejected("b", INVALID), "show ip bgp summary": "bgp\n"}
    transport = FakeTransport(script)
    result = collect("cisco_nxos", transport, wanted, parse=parse)
    assert result.ok, result.error
    sent = [c for c in transport.sent if c != "show feature"]  # the probe: is the refusal "feature off"?
    assert sent[-3:] == ["show ip bgp summary vrf all | json", "show ip bgp summary vrf all", "show ip bgp summary"]
    assert parsed[-1] == "show ip bgp summary"
    assert result.outputs[-1].note == ("fallback: 'show ip bgp summary vrf all | json' rejected, used 'show ip bgp "
                                       "summary vrf all'; fallback: 'show ip bgp summary vrf all' rejected, used "
                                       "'show ip bgp summary'")


def test_a_structured_form_that_answers_is_parsed_as_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = PLATFORMS["arista_eos"]
    monkeypatch.setitem(PLATFORMS, "arista_eos", dataclasses.replace(
        spec, json_suffix=" | json", json_commands=frozenset({"show ip arp vrf all"})))
    parsed: list[str] = []

    async def parse(platform: str, command: str, text: str, types: frozenset[DataType]) -> ParseOutcome:
        parsed.append(command)
        return ParseOutcome(DeviceRecords())

    wanted = frozenset({DataType.ARP})
    transport = FakeTransport({**script_for("arista_eos", wanted), "show ip arp vrf all | json": "{}\n"})
    result = collect("arista_eos", transport, wanted, parse=parse)
    assert result.ok, result.error
    assert "show ip arp vrf all | json" in transport.sent and "show ip arp vrf all" not in transport.sent
    assert parsed[-1] == "show ip arp vrf all | json"
