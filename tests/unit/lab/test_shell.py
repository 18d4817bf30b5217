"""The CLI state machine, without SSH: echo, matching, pipes, paging, enable, errors, faults."""

from __future__ import annotations

import re
from ipaddress import IPv4Address
from typing import Any

import pytest

from netatlas.lab.faults import SLOW_DELAY_S, Fault, FaultKind
from netatlas.lab.model import DeviceState, Feature, Platform, VcMember
from netatlas.lab.profiles import PROFILES
from netatlas.lab.render.base import CommandSpec, RenderContext, UnknownVrf
from netatlas.lab.shell import Event, Hangup, Pause, Shell, _garbage


def _route_table(ctx: RenderContext) -> str:
    vrf = ctx.args.get("vrf", "default")
    if vrf not in ctx.dev.vrf_names():
        raise UnknownVrf(vrf)
    return "".join(f"route {vrf} {i}\n" for i in range(60))


COMMANDS = [
    CommandSpec("show version", lambda ctx: f"{ctx.dev.hostname} uptime is 1 week\n"),
    CommandSpec("show ip interface brief", lambda ctx: "Interface  IP\nGi1  10.0.0.1\nLo0  10.9.9.9\n"),
    CommandSpec("show interfaces", lambda ctx: "all interfaces\n"),
    CommandSpec("show inventory", lambda ctx: "NAME: chassis\n"),
    CommandSpec("show cdp neighbors detail", lambda ctx: "Device ID: sw2\n"),
    CommandSpec("show ip route", _route_table),
    CommandSpec("show ip route vrf <vrf>", _route_table),
    CommandSpec("show ip route vrf =*", lambda ctx: "every vrf\n"),
    CommandSpec(
        "show running-config",
        lambda ctx: "hostname r1\ninterface Gi1\n ip address 10.0.0.1 255.0.0.0\n shutdown\nrouter ospf 1\n",
    ),
]


def make_shell(
    platform: Platform = Platform.CISCO_IOS,
    *,
    secret: str | None = None,
    fault: Fault | None = None,
    latency_s: float = 0.0,
) -> Shell:
    dev = DeviceState("r1", platform, IPv4Address("127.20.0.1"), "C9300", "FOC1", "17.9.4", enable_secret=secret)
    return Shell(dev, lambda: [], username="netops", commands=COMMANDS, fault=fault, latency_s=latency_s)


def text(events: list[Event]) -> str:
    return "".join(e for e in events if isinstance(e, str))


def run(shell: Shell, line: str) -> str:
    """Type ``line`` + Enter; return what came back after the echo, without the trailing prompt."""
    out = text(shell.feed(line + "\r"))
    assert out.startswith(line + "\r\n"), out
    body = out[len(line) + 2 :]
    assert body.endswith(shell.prompt), body
    return body[: len(body) - len(shell.prompt)]


def test_login_prompt_and_echo_per_platform() -> None:
    assert make_shell().start() == ["r1#"]
    assert make_shell(secret="s").start() == ["r1>"]
    assert make_shell(Platform.CISCO_NXOS).start() == ["r1# "]
    assert make_shell(Platform.ARISTA_EOS, secret="s").start() == ["r1>"]
    assert make_shell(Platform.JUNIPER_JUNOS).start() == ["netops@r1> "]
    sh = make_shell()
    assert text(sh.feed("sh")) == "sh"
    assert text(sh.feed("ow ver\r\n")) == "ow ver\r\nr1 uptime is 1 week\r\nr1#"


@pytest.mark.parametrize("ending", ["\r", "\n", "\r\n"])
def test_line_endings_give_one_command(ending: str) -> None:
    sh = make_shell()
    assert text(sh.feed(f"show version{ending}{ending}")).count("uptime") == 1
    assert text(sh.feed("\r")) == "\r\nr1#"


def test_backspace_erases() -> None:
    sh = make_shell()
    out = text(sh.feed("show verx\x7f\x08r\r"))
    assert "\b \b\b \b" in out
    assert "r1 uptime is 1 week" in out


def test_blank_line_gives_prompt() -> None:
    assert text(make_shell().feed("   \r")) == "   \r\nr1#"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("sh ip int br", "Gi1  10.0.0.1"),
        ("SH IP INT BR", "Gi1  10.0.0.1"),
        ("show interfaces", "all interfaces"),
        ("sh cdp nei det", "Device ID: sw2"),
        ("sh ip ro vrf *", "every vrf"),
        ("sh ip ro vrf default | i 0$", "route default 10"),
        ("sh ver", "uptime"),
    ],
)
def test_abbreviations(typed: str, expected: str) -> None:
    assert expected in run(make_shell(), typed)


def test_ambiguous_and_incomplete() -> None:
    assert run(make_shell(), "sh in") == '% Ambiguous command:  "sh in"\r\n'
    assert run(make_shell(), "show ip") == "% Incomplete command.\r\n"


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        (Platform.CISCO_IOS, " " * 8 + "^\r\n% Invalid input detected at '^' marker.\r\n"),
        (Platform.CISCO_NXOS, " " * 9 + "^\r\n% Invalid command at '^' marker.\r\n"),
        (Platform.ARISTA_EOS, "% Invalid input\r\n"),
        (Platform.JUNIPER_JUNOS, " " * 16 + "^\r\nsyntax error, expecting <command>.\r\n\r\n"),
    ],
)
def test_invalid_input_per_platform(platform: Platform, expected: str) -> None:
    assert run(make_shell(platform), "show bogus") == expected


def test_junos_unknown_first_word() -> None:
    assert run(make_shell(Platform.JUNIPER_JUNOS), "frobnicate").endswith("unknown command.\r\n\r\n")


def test_unknown_vrf() -> None:
    assert run(make_shell(), "show ip route vrf RED") == "% IP routing table RED does not exist\r\n"
    assert "VRF RED" in run(make_shell(Platform.ARISTA_EOS), "show ip route vrf RED")


@pytest.mark.parametrize(
    ("pipe", "expected"),
    [
        ("| include Gi", "Gi1  10.0.0.1\r\n"),
        ("| i Lo|Gi", "Gi1  10.0.0.1\r\nLo0  10.9.9.9\r\n"),
        ("| exclude Interface", "Gi1  10.0.0.1\r\nLo0  10.9.9.9\r\n"),
        ("| begin Lo", "Lo0  10.9.9.9\r\n"),
        ("| count 10", "Number of lines which match regexp = 3\r\n"),
    ],
)
def test_cisco_pipes(pipe: str, expected: str) -> None:
    assert run(make_shell(), f"show ip int brief {pipe}") == expected


def test_section_pipe() -> None:
    out = run(make_shell(), "show running-config | section interface")
    assert out == "interface Gi1\r\n ip address 10.0.0.1 255.0.0.0\r\n shutdown\r\n"


def test_bad_pipe_keyword_is_invalid_input() -> None:
    assert "% Invalid input" in run(make_shell(), "show version | frob x")


def test_junos_pipes_chain() -> None:
    sh = make_shell(Platform.JUNIPER_JUNOS)
    assert run(sh, 'show ip int br | match "Gi|Lo" | except Lo') == "Gi1  10.0.0.1\r\n\r\n"
    out = run(sh, "show ip route | no-more")
    assert out.count("route default") == 60


def test_paging_default_and_keys() -> None:
    sh = make_shell()
    out = text(sh.feed("show ip route\r"))
    assert out.count("route default") == 23
    assert out.endswith(" --More-- ")
    out = text(sh.feed("\r"))  # one more line
    assert out.count("route default") == 1 and out.endswith(" --More-- ")
    out = text(sh.feed(" "))  # next page
    assert out.count("route default") == 23 and out.endswith(" --More-- ")
    out = text(sh.feed(" "))  # the last 13 lines, then the prompt
    assert out.count("route default") == 13 and out.endswith("route default 59\r\nr1#")


def test_pager_quit() -> None:
    sh = make_shell(Platform.JUNIPER_JUNOS)
    assert text(sh.feed("show ip route\r")).endswith("---(more)---")
    out = text(sh.feed("q"))
    assert "route" not in out and out.endswith("netops@r1> ")
    assert "uptime" in run(sh, "show version")


@pytest.mark.parametrize(
    ("platform", "command", "reply"),
    [
        (Platform.CISCO_IOS, "terminal length 0", ""),
        (Platform.CISCO_NXOS, "terminal length 0", ""),
        (Platform.ARISTA_EOS, "terminal length 0", "Pagination disabled.\r\n"),
        (Platform.JUNIPER_JUNOS, "set cli screen-length 0", "Screen length set to 0\r\n\r\n"),
    ],
)
def test_paging_off(platform: Platform, command: str, reply: str) -> None:
    sh = make_shell(platform)
    assert run(sh, command) == reply
    assert run(sh, "show ip route").count("route default") == 60


@pytest.mark.parametrize(
    ("platform", "command", "reply"),
    [
        (Platform.CISCO_IOS, "terminal width 511", ""),
        (Platform.CISCO_IOS, "terminal no monitor", ""),
        (Platform.CISCO_NXOS, "terminal session-timeout 0", ""),
        (Platform.ARISTA_EOS, "terminal width 511", "Width set to 511 columns.\r\n"),
        (Platform.ARISTA_EOS, "terminal dont-ask", ""),
        (Platform.JUNIPER_JUNOS, "set cli screen-width 511", "Screen width set to 511\r\n\r\n"),
        (Platform.JUNIPER_JUNOS, "set cli complete-on-space off", "Disabling complete-on-space\r\n\r\n"),
    ],
)
def test_session_commands(platform: Platform, command: str, reply: str) -> None:
    assert run(make_shell(platform), command) == reply


def test_enable_flow() -> None:
    sh = make_shell(secret="s3cret")
    assert text(sh.feed("enable\r")) == "enable\r\nPassword: "
    assert text(sh.feed("wrong\r")) == "\r\n% Access denied\r\nr1>"
    sh.feed("en\r")
    assert text(sh.feed("s3cret\r")) == "\r\nr1#"  # the secret is never echoed
    assert sh.privileged
    assert run(sh, "enable") == ""
    sh.feed("disable\r")
    assert sh.prompt == "r1>"


def test_exit_hangs_up() -> None:
    sh = make_shell()
    assert sh.feed("exit\r") == ["exit\r\n", Hangup()]
    assert sh.closed
    assert sh.feed("show version\r") == []


def test_exec_mode_has_no_echo_prompt_or_paging() -> None:
    assert make_shell().run("show version") == ["r1 uptime is 1 week\r\n"]
    assert text(make_shell().run("show ip route")).count("\r\n") == 60


def test_latency_and_slow_pause_before_output() -> None:
    assert make_shell(latency_s=0.25).feed("show version\r")[1] == Pause(0.25)
    events = make_shell(fault=Fault(FaultKind.SLOW)).feed("terminal length 0\r")
    assert events[:2] == ["terminal length 0\r\n", Pause(SLOW_DELAY_S)]


def test_garbage_replaces_data_commands_only() -> None:
    sh = make_shell(fault=Fault(FaultKind.GARBAGE))
    assert "uptime" in run(sh, "show version")
    out = run(sh, "sh ip int br")
    assert "10.0.0.1" not in out and out.replace("\r\n", "\n") == _garbage("r1|show ip interface brief")


def test_reject_answers_authorization_failed() -> None:
    sh = make_shell(fault=Fault(FaultKind.REJECT, "show cdp neighbors detail"))
    assert run(sh, "show cdp neighbors detail") == "% Authorization failed.\r\n"
    assert "Gi1" in run(sh, "show ip int brief")


def test_reject_chooses_a_data_command_when_none_given() -> None:
    sh = make_shell(fault=Fault(FaultKind.REJECT))
    sh.feed("terminal length 0\r")
    typed = ("show version", "show ip route", "sh ip ro vrf *", "sh ip ro vrf default", "sh cdp nei det")
    outputs = [run(sh, c) for c in typed]
    assert "uptime" in outputs[0]
    assert outputs.count("% Authorization failed.\r\n") == 1


def test_disconnect_mid_output_of_first_data_command() -> None:
    sh = make_shell(fault=Fault(FaultKind.DISCONNECT))
    sh.feed("terminal length 0\r")
    assert "uptime" in run(sh, "show version")
    events = sh.feed("show ip route\r")
    assert events[-1] == Hangup(drop=True)
    body = text(events)
    assert "route default 0" in body and "route default 59" not in body


# ---- variations: a feature off, an old image, a virtual chassis ----------------------------------


JUNOS_NO_LLDP = "warning: lldp subsystem not running - not needed by configuration."


def _variant(platform: Platform, **state: Any) -> Shell:
    """A device of ``platform`` with the platform's real command table (gated by its variations)."""
    dev = DeviceState("r1", platform, IPv4Address("127.20.0.1"), "C9300", "FOC1", "17.9.4", **state)
    shell = Shell(dev, lambda: [], username="netops")
    shell.screen_length = 0
    return shell


@pytest.mark.parametrize(("platform", "command", "message"), [
    (Platform.CISCO_IOS, "show cdp neighbors detail", "% CDP is not enabled\r\n"),
    (Platform.CISCO_IOS, "sh lldp nei det", "% LLDP is not enabled\r\n"),
    (Platform.CISCO_IOS, "show ip ospf neighbor", ""),
    (Platform.CISCO_IOS, "show ip bgp summary", "% BGP not active\r\n\r\n"),
    (Platform.CISCO_NXOS, "show cdp neighbors detail", "% CDP is not enabled\r\n"),
    (Platform.ARISTA_EOS, "show lldp neighbors detail", "% LLDP is not enabled\r\n"),
    (Platform.ARISTA_EOS, "show ip ospf neighbor vrf all", ""),
    (Platform.ARISTA_EOS, "show ip bgp summary vrf all", "% BGP inactive\r\n"),
    (Platform.JUNIPER_JUNOS, "show lldp neighbors", f"{JUNOS_NO_LLDP}\r\n"),
    (Platform.JUNIPER_JUNOS, "show lldp neighbors interface ge-0/0/1", f"{JUNOS_NO_LLDP}\r\n"),
    (Platform.JUNIPER_JUNOS, "show ospf neighbor", "OSPF instance is not running\r\n"),
    (Platform.JUNIPER_JUNOS, "show bgp summary", "BGP is not running\r\n"),
])
def test_a_feature_that_is_off_prints_the_platform_text(platform: Platform, command: str, message: str) -> None:
    shell = _variant(platform, features_off=set(Feature))
    out = run(shell, command)
    assert out == message + ("\r\n" if shell.cli.blank_line_before_prompt else "")


@pytest.mark.parametrize(("command", "word"), [
    ("show lldp neighbors detail", "lldp"),
    ("show ip ospf neighbors vrf all", "ospf"),
    ("sh ip bgp summ vrf all", "bgp"),
    ("show ip bgp summary", "bgp"),
])
def test_nxos_commands_of_a_disabled_feature_do_not_exist(command: str, word: str) -> None:
    """Real NX-OS: without `feature lldp/ospf/bgp` the command is invalid at the feature's word, and
    `show feature` lists the feature disabled (CDP, no `feature`, keeps its message)."""
    shell = _variant(Platform.CISCO_NXOS, features_off=set(Feature))
    out = run(shell, command)
    caret, message = out.rstrip("\r\n").split("\r\n")[-2:]
    assert message == "% Invalid command at '^' marker."
    assert caret.index("^") - len(shell.prompt.rsplit("\n", 1)[-1]) == command.index(word)
    features = run(shell, "show feature")
    assert all(re.search(rf"^{name}\s+1\s+disabled", features, re.M) for name in ("lldp", "ospf", "bgp"))
    assert run(_variant(Platform.CISCO_NXOS), "show feature").count("disabled") < features.count("disabled")


def test_route_tables_are_never_gated_by_a_feature() -> None:
    shell = _variant(Platform.CISCO_IOS, features_off=set(Feature))
    assert "Codes:" in run(shell, "show ip route ospf")


@pytest.mark.parametrize(("platform", "command", "word", "plain"), [
    (Platform.CISCO_IOS, "show ip route vrf *", "vrf", "show ip route"),
    (Platform.CISCO_IOS, "sh ip ro vrf * static", "vrf", "show ip route static"),
    (Platform.CISCO_IOS, "show ip arp vrf default", "vrf", "show ip arp"),
    (Platform.CISCO_NXOS, "show ip route vrf all", "all", "show ip route"),
    (Platform.CISCO_NXOS, "show ip ospf neighbors vrf all", "all", "show ip ospf neighbors"),
    (Platform.CISCO_NXOS, "show ip bgp summary vrf all", "all", "show ip bgp summary"),
    (Platform.CISCO_NXOS, "show ip arp vrf all", "all", "show ip arp"),
])
def test_an_old_image_refuses_the_form_with_a_caret_under_the_word(platform: Platform, command: str, word: str,
                                                                   plain: str) -> None:
    forms = PROFILES[platform].old_image.rejects  # type: ignore[union-attr]
    shell = _variant(platform, rejected_forms=forms)
    out = run(shell, command)
    caret, message = out.split("\r\n")[:2]
    assert message == shell.cli.invalid_input
    assert len(caret) - 1 == len(shell.prompt) + command.index(f" {word}") + 1, (caret, shell.prompt)
    assert "Invalid" not in run(shell, plain)


def test_an_old_nxos_still_takes_a_named_vrf() -> None:
    forms = PROFILES[Platform.CISCO_NXOS].old_image.rejects  # type: ignore[union-attr]
    shell = _variant(Platform.CISCO_NXOS, rejected_forms=forms)
    assert "Invalid" not in run(shell, "show ip route vrf management")


def test_a_virtual_chassis_prints_its_role_before_every_prompt() -> None:
    member = VcMember(0, "ex4300-48p", "PE3714AA0001")
    shell = _variant(Platform.JUNIPER_JUNOS, vc_members=(member, VcMember(1, "ex4300-48p", "PE3714AA0002")))
    assert text(shell.start()) == "{master:0}\r\nnetops@r1> "
    out = text(shell.feed("show version\r"))
    assert out.endswith("\r\n\r\n{master:0}\r\nnetops@r1> ")
    assert "fpc0:\r\n" in out and "fpc1:\r\n" in out
    error = text(shell.feed("show bogus\r")).split("\r\n")
    assert error[1] == " " * len("netops@r1> show ") + "^", error  # the caret counts from the prompt line


def test_exec_mode_has_no_chassis_line() -> None:
    shell = _variant(Platform.JUNIPER_JUNOS, vc_members=(VcMember(0, "ex4300-48p", "PE3714AA0001"),))
    assert "{master:0}" not in text(shell.run("show version"))


STRUCTURED = [
    CommandSpec("show version", lambda ctx: "text version\n", render_json=lambda ctx: '{"host": "r1"}\n'),
    CommandSpec("show inventory", lambda ctx: "NAME: chassis\n"),  # no structured form
]


def _structured_shell(platform: Platform, **state: Any) -> Shell:
    dev = DeviceState("r1", platform, IPv4Address("127.20.0.1"), "m", "s", "1", **state)
    return Shell(dev, lambda: [], username="netops", commands=STRUCTURED)


@pytest.mark.parametrize(("platform", "pipe"), [(Platform.CISCO_NXOS, "| json"), (Platform.ARISTA_EOS, "| json"),
                                                (Platform.JUNIPER_JUNOS, "| display json"),
                                                (Platform.JUNIPER_JUNOS, "| display   json | no-more")])
def test_the_structured_pipe_prints_the_document(platform: Platform, pipe: str) -> None:
    shell = _structured_shell(platform)
    assert run(shell, f"show version {pipe}").strip() == '{"host": "r1"}'
    assert run(shell, "show version").strip() == "text version"


@pytest.mark.parametrize("platform", [Platform.CISCO_NXOS, Platform.JUNIPER_JUNOS])
def test_a_command_without_a_structured_form_is_refused_at_the_pipe(platform: Platform) -> None:
    invalid = {Platform.CISCO_NXOS: "% Invalid command", Platform.JUNIPER_JUNOS: "syntax error"}[platform]
    pipe = "| json" if platform is Platform.CISCO_NXOS else "| display json"
    assert invalid in run(_structured_shell(platform), f"show inventory {pipe}")


def test_an_image_that_refuses_json_and_a_platform_without_it() -> None:
    from netatlas.lab.model import CommandForm

    old = _structured_shell(Platform.CISCO_NXOS, rejected_forms=(CommandForm("json"),))
    assert "% Invalid command" in run(old, "show version | json")
    assert run(old, "show version").strip() == "text version"
    assert "% Invalid input" in run(_structured_shell(Platform.CISCO_IOS), "show version | json")
