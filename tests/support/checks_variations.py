"""Checks for what a device prints because of its variations, before any template reads it.

Some outputs are no table at all: a feature that is off prints the platform's message (which
ntc-templates reads as nothing, as a junk row, or refuses), and an old image refuses a command form
with the platform's invalid-input error. :func:`check_text` expects those texts *exactly*, from the
device's state and the platform wording restated here (independently of the lab's own table);
everything else is parsed and handed to the platform's check, which compares rows with the state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from netatlas.lab.model import DeviceState, Feature, Platform
from netatlas.lab.render.base import RenderContext
from tests.support import checks_juniper_junos
from tests.support.checks import CHECKS, parse_as
from tests.support.parse import parse

# What each platform prints for a command of a feature it does not run ("" prints nothing).
OFF_TEXT: dict[Platform, dict[Feature, str]] = {
    Platform.CISCO_IOS: {Feature.CDP: "% CDP is not enabled", Feature.LLDP: "% LLDP is not enabled",
                         Feature.OSPF: "", Feature.BGP: "% BGP not active"},
    Platform.CISCO_NXOS: {Feature.CDP: "% CDP is not enabled"},  # LLDP, OSPF, BGP: ABSENT
    Platform.ARISTA_EOS: {Feature.LLDP: "% LLDP is not enabled", Feature.OSPF: "", Feature.BGP: "% BGP inactive"},
    Platform.JUNIPER_JUNOS: {Feature.LLDP: "warning: lldp subsystem not running - not needed by configuration.",
                             Feature.OSPF: "OSPF instance is not running", Feature.BGP: "BGP is not running"},
}
# Features whose commands do not exist while the feature is disabled (NX-OS `feature lldp`): refused.
ABSENT: dict[Platform, frozenset[Feature]] = {Platform.CISCO_NXOS: frozenset({Feature.LLDP, Feature.OSPF, Feature.BGP})}
INVALID = {
    Platform.CISCO_IOS: "% Invalid input detected at '^' marker.",
    Platform.CISCO_NXOS: "% Invalid command at '^' marker.",
}
CHASSIS_LINE = "{master:0}"
# Parts of an output no template reads, checked against the state and removed before parsing.
PREPARE: dict[tuple[Platform, str], Callable[[RenderContext, str], str]] = {
    (Platform.JUNIPER_JUNOS, "show interfaces"): checks_juniper_junos.without_inet6,
}


def feature_shown(pattern: str) -> Feature | None:
    """The feature a command shows: its protocol word, unless it is a route table.

    Examples:
        >>> feature_shown("show ip ospf neighbors vrf all"), feature_shown("show route protocol bgp")
        (<Feature.OSPF: 'ospf'>, None)
    """
    words = pattern.split()
    if "route" in words:
        return None
    return next((Feature(w) for w in words if w in {str(f) for f in Feature}), None)


def absent(dev: DeviceState, pattern: str) -> bool:
    """Whether the device refuses ``pattern`` because its feature is disabled (NX-OS ``feature lldp``)."""
    feature = feature_shown(pattern)
    return feature is not None and feature in dev.features_off and feature in ABSENT.get(dev.platform, ())


def refused_at(dev: DeviceState, typed: str) -> int | None:
    """The word an old image refuses in a typed command (``vrf`` itself, or the ``all`` after it)."""
    words = typed.lower().split()
    for form in dev.rejected_forms:
        for i, word in enumerate(words):
            if word == form.keyword and form.argument is None:
                return i
            if word == form.keyword and i + 1 < len(words) and words[i + 1] == form.argument:
                return i + 1
    return None


def without_chassis_line(dev: DeviceState, text: str) -> str:
    """A virtual chassis prints ``{master:0}`` before its prompt: a client reading up to the prompt keeps it
    (Netmiko strips it). Only a virtual chassis prints it."""
    lines = text.rstrip("\n").split("\n")
    if lines[-1] != CHASSIS_LINE:
        return text
    assert dev.vc_members, f"{dev.hostname} is no virtual chassis but prints {CHASSIS_LINE}"
    return "\n".join(lines[:-1]) + "\n" if len(lines) > 1 else ""


def check_text(ctx: RenderContext, pattern: str, typed: str, text: str) -> list[dict[str, Any]] | None:
    """Check one command's output; returns the parsed rows, or None when the text was checked as a message."""
    dev, platform = ctx.dev, ctx.dev.platform
    text = without_chassis_line(dev, text)
    feature = feature_shown(pattern)
    word = refused_at(dev, typed)
    if word is not None or absent(dev, pattern):
        lines = text.strip("\n").split("\n")
        assert lines[-1] == INVALID[platform] and lines[0].strip() == "^", (dev.hostname, typed, text)
        return None
    if feature is not None and feature in dev.features_off and feature in OFF_TEXT[platform]:
        assert text.strip() == OFF_TEXT[platform][feature], (dev.hostname, typed, text)
        return None
    prepare = PREPARE.get((platform, pattern))
    if prepare is not None:
        text = prepare(ctx, text)
    rows = parse(platform, parse_as(platform, pattern, ctx.args), text)
    CHECKS[platform][pattern](ctx, rows)
    return rows
