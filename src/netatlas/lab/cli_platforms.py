"""How each simulated platform's CLI *behaves*, as data: one frozen row per platform.

The shell (``netatlas.lab.shell``) reads these rows; it never branches on the platform.
Adding a platform adds a row here and a renderer module, not ``if`` chains.

Session commands are what popular clients (Netmiko, Scrapli, NAPALM) send while preparing a
session: turning paging off, widening the terminal, and similar harmless settings.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from enum import StrEnum

from netatlas.lab.model import DeviceState, Platform
from netatlas.lab.render.base import CommandSpec


class Effect(StrEnum):
    """What a session command does to the shell's state."""

    NONE = "none"
    SCREEN_LENGTH = "screen-length"  # captures <n>; 0 turns paging off
    PAGING_OFF = "paging-off"


@dataclass(frozen=True, slots=True)
class SessionCommand:
    """A session-setting command: ``output`` may use ``{n}`` (the captured number)."""

    pattern: str
    output: str = ""
    effect: Effect = Effect.NONE
    output_when_zero: str | None = None  # replaces ``output`` when <n> is 0


@dataclass(frozen=True, slots=True)
class PipeSpec:
    """One output modifier after ``|``: ``kind`` is one of include/exclude/begin/section/count/no-more."""

    keyword: str
    kind: str


@dataclass(frozen=True, slots=True)
class PlatformCli:
    platform: Platform
    renderer_module: str  # ``netatlas.lab.render.<renderer_module>``
    prompt_priv: str  # format with {host} and {user}
    prompt_user: str | None  # unprivileged prompt when the device has an enable secret; None: no enable
    invalid_input: str  # caret line printed first when ``caret`` is True
    invalid_first_word: str  # error when the very first word is unknown
    caret: bool
    ambiguous: str  # format with {line}
    incomplete: str
    authorization_failed: str
    unknown_vrf: str  # format with {vrf}
    pager_prompt: str
    enable_denied: str
    count_output: str  # format with {n}
    session_commands: tuple[SessionCommand, ...]
    pipes: tuple[PipeSpec, ...]
    chained_pipes: bool  # JunOS: ``| match x | except y``; Cisco-likes: one pipe, the rest is the regex
    exit_commands: tuple[str, ...] = ("exit", "quit", "logout")
    blank_line_before_prompt: bool = False
    chassis_line: str = ""  # printed on its own line before every prompt of a virtual chassis
    # The pipe that asks for the platform's structured output (``json``; JunOS ``display json``), or
    # None: the platform has none (then it is an unknown pipe like any other).
    structured_pipe: str | None = None

    def prompt(self, dev: DeviceState, user: str, privileged: bool) -> str:
        template = self.prompt_priv if privileged or self.prompt_user is None else self.prompt_user
        return template.format(host=dev.hostname, user=user)

    @property
    def has_enable(self) -> bool:
        return self.prompt_user is not None


_CISCO_PIPES = (
    PipeSpec("include", "include"),
    PipeSpec("exclude", "exclude"),
    PipeSpec("begin", "begin"),
    PipeSpec("section", "section"),
    PipeSpec("count", "count"),
)

_IOS_SESSION = (
    SessionCommand("terminal length <n>", effect=Effect.SCREEN_LENGTH),
    SessionCommand("terminal width <n>"),
    SessionCommand("terminal no monitor"),
    SessionCommand("terminal monitor"),
    SessionCommand("terminal no editing"),
)

IOS = PlatformCli(
    platform=Platform.CISCO_IOS,
    renderer_module="ios",
    prompt_priv="{host}#",
    prompt_user="{host}>",
    invalid_input="% Invalid input detected at '^' marker.",
    invalid_first_word="% Invalid input detected at '^' marker.",
    caret=True,
    ambiguous='% Ambiguous command:  "{line}"',
    incomplete="% Incomplete command.",
    authorization_failed="% Authorization failed.",
    unknown_vrf="% IP routing table {vrf} does not exist",
    pager_prompt=" --More-- ",
    enable_denied="% Access denied",
    count_output="Number of lines which match regexp = {n}",
    session_commands=_IOS_SESSION,
    pipes=_CISCO_PIPES,
    chained_pipes=False,
)

NXOS = PlatformCli(
    platform=Platform.CISCO_NXOS,
    renderer_module="nxos",
    prompt_priv="{host}# ",
    prompt_user=None,
    invalid_input="% Invalid command at '^' marker.",
    invalid_first_word="% Invalid command at '^' marker.",
    caret=True,
    ambiguous="% Ambiguous command at '^' marker.",
    incomplete="% Incomplete command at '^' marker.",
    authorization_failed="% Authorization failed.",
    unknown_vrf="% VRF {vrf} not found",
    pager_prompt=" --More-- ",
    enable_denied="% Access denied",
    count_output="{n}",
    session_commands=(
        SessionCommand("terminal length <n>", effect=Effect.SCREEN_LENGTH),
        SessionCommand("terminal width <n>"),
        SessionCommand("terminal session-timeout <n>"),
        SessionCommand("terminal no monitor"),
        SessionCommand("terminal monitor"),
    ),
    pipes=_CISCO_PIPES,
    chained_pipes=False,
    structured_pipe="json",
)

EOS = PlatformCli(
    platform=Platform.ARISTA_EOS,
    renderer_module="eos",
    prompt_priv="{host}#",
    prompt_user="{host}>",
    invalid_input="% Invalid input",
    invalid_first_word="% Invalid input",
    caret=False,
    ambiguous="% Ambiguous command",
    incomplete="% Incomplete command",
    authorization_failed="% Authorization failed.",
    unknown_vrf="% IP Routing table for VRF {vrf} does not exist.",
    pager_prompt=" --More-- ",
    enable_denied="% Access denied",
    count_output="{n}",
    session_commands=(
        SessionCommand(
            "terminal length <n>",
            output="Pagination set to {n} lines.",
            effect=Effect.SCREEN_LENGTH,
            output_when_zero="Pagination disabled.",
        ),
        SessionCommand("terminal width <n>", output="Width set to {n} columns."),
        SessionCommand("terminal dont-ask"),
        SessionCommand("terminal no monitor"),
        SessionCommand("terminal monitor"),
    ),
    pipes=_CISCO_PIPES,
    chained_pipes=False,
    structured_pipe="json",
)

JUNOS = PlatformCli(
    platform=Platform.JUNIPER_JUNOS,
    renderer_module="junos",
    prompt_priv="{user}@{host}> ",
    prompt_user=None,
    invalid_input="syntax error, expecting <command>.",
    invalid_first_word="unknown command.",
    caret=True,
    ambiguous="syntax error, expecting <command>.",
    incomplete="syntax error, expecting <command>.",
    authorization_failed="error: permission denied",
    unknown_vrf="error: routing instance {vrf} not found",
    pager_prompt="---(more)---",
    enable_denied="unknown command.",
    count_output="Count: {n} lines",
    session_commands=(
        SessionCommand("set cli screen-length <n>", output="Screen length set to {n}", effect=Effect.SCREEN_LENGTH),
        SessionCommand("set cli screen-width <n>", output="Screen width set to {n}"),
        SessionCommand("set cli complete-on-space off", output="Disabling complete-on-space"),
        SessionCommand("set cli complete-on-space on", output="Enabling complete-on-space"),
        SessionCommand("set cli terminal <n>"),
        SessionCommand("set cli timestamp disable"),
    ),
    pipes=(
        PipeSpec("match", "include"),
        PipeSpec("except", "exclude"),
        PipeSpec("find", "begin"),
        PipeSpec("count", "count"),
        PipeSpec("no-more", "no-more"),
    ),
    chained_pipes=True,
    blank_line_before_prompt=True,
    chassis_line="{master:0}",
    structured_pipe="display json",
)

PLATFORMS: dict[Platform, PlatformCli] = {row.platform: row for row in (IOS, NXOS, EOS, JUNOS)}


def platform_cli(platform: Platform) -> PlatformCli:
    return PLATFORMS[platform]


def load_commands(platform: Platform) -> list[CommandSpec]:
    """The renderer table of ``platform``; empty when its module does not exist (yet)."""
    name = f"netatlas.lab.render.{PLATFORMS[platform].renderer_module}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and name.startswith(exc.name):
            return []
        raise
    return list(getattr(module, "COMMANDS", []))
