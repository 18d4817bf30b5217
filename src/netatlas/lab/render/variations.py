"""What a device's variations change in the CLI, as data: feature-off texts and old-image refusals.

Every platform's command table goes through :func:`gated`, which wraps each row's renderer:

* a command of a feature the device does not run (``show cdp ...`` with CDP off, ``show ip bgp
  summary`` without BGP) prints the platform's own text for it (:data:`FEATURE_OFF`), whatever the
  renderer would print; route tables are never gated (they print, empty of that protocol);
* on NX-OS a disabled ``feature lldp/ospf/bgp`` removes its commands (:data:`ABSENT_WHEN_OFF`): they
  are refused as invalid, the caret under the feature's word, and ``show feature`` lists it disabled;
* a command form the device's old image does not know (``DeviceState.rejected_forms``) raises
  :class:`CommandRejected` with the index of the refused word: the shell prints the platform's
  invalid-input error with its caret under that word.

Examples:
    >>> feature_of("show cdp neighbors detail"), feature_of("show ip route ospf"), feature_of("show version")
    (<Feature.CDP: 'cdp'>, None, None)
    >>> asn_text(4259841000, dot=True), asn_text(4259841000, dot=False), asn_text(65001, dot=True)
    ('65000.1000', '4259841000', '65001')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from netatlas.lab.model import CommandForm, DeviceState, Feature, Platform
from netatlas.lab.render.base import CommandSpec, RenderContext, RenderFn

# What each platform prints for a show command of a feature it does not run ("" prints nothing).
FEATURE_OFF: dict[Platform, dict[Feature, str]] = {
    Platform.CISCO_IOS: {
        Feature.CDP: "% CDP is not enabled\n",
        Feature.LLDP: "% LLDP is not enabled\n",
        Feature.OSPF: "",  # no `router ospf`: the neighbor commands print nothing
        Feature.BGP: "% BGP not active\n\n",
    },
    Platform.CISCO_NXOS: {
        Feature.CDP: "% CDP is not enabled\n",  # LLDP, OSPF, BGP: ABSENT_WHEN_OFF
    },
    Platform.ARISTA_EOS: {
        Feature.LLDP: "% LLDP is not enabled\n",
        Feature.OSPF: "",
        Feature.BGP: "% BGP inactive\n",
    },
    Platform.JUNIPER_JUNOS: {
        Feature.LLDP: "warning: lldp subsystem not running - not needed by configuration.\n",
        Feature.OSPF: "OSPF instance is not running\n",
        Feature.BGP: "BGP is not running\n",
    },
}
# Features whose show commands do not exist until the feature is enabled (NX-OS `feature lldp`).
ABSENT_WHEN_OFF: dict[Platform, frozenset[Feature]] = {
    Platform.CISCO_NXOS: frozenset({Feature.LLDP, Feature.OSPF, Feature.BGP}),
}
_FEATURE_WORDS = {str(f): f for f in Feature}


class CommandRejected(Exception):
    """An old image does not know the form typed; ``word`` is the index of the refused word."""

    def __init__(self, word: int) -> None:
        super().__init__(word)
        self.word = word


def feature_of(pattern: str) -> Feature | None:
    """The feature a command pattern shows, or None (route tables print whatever runs)."""
    words = pattern.split()
    if "route" in words:
        return None
    return next((_FEATURE_WORDS[w] for w in words if w in _FEATURE_WORDS), None)


def refused_word(forms: Iterable[CommandForm], tokens: Sequence[str], args: Mapping[str, str]) -> int | None:
    """Index of the first word of ``tokens`` (with ``args`` typed in) that one of ``forms`` refuses.

    Examples:
        >>> refused_word([CommandForm("vrf", "all")], "show ip route vrf all".split(), {})
        4
        >>> refused_word([CommandForm("vrf", "all")], "show ip route vrf <vrf>".split(), {"vrf": "BLUE"}) is None
        True
        >>> refused_word([CommandForm("vrf")], "show ip arp vrf <vrf>".split(), {"vrf": "default"})
        3
    """
    typed = [args.get(t[1:-1], "") if t.startswith("<") else t.removeprefix("=") for t in tokens]
    for form in forms:
        for i, word in enumerate(typed[:-1] if form.argument else typed):
            if word.lower() != form.keyword:
                continue
            if form.argument is None:
                return i
            if typed[i + 1].lower() == form.argument:
                return i + 1
    return None


def feature_off_text(dev: DeviceState, pattern: str) -> str | None:
    """What the device prints for ``pattern`` because a feature is off, or None when it runs it (or when
    the command does not exist while the feature is off: :data:`ABSENT_WHEN_OFF`)."""
    feature = feature_of(pattern)
    if feature is None or feature not in dev.features_off:
        return None
    return FEATURE_OFF[dev.platform].get(feature)


def _gate(spec: CommandSpec, inner: RenderFn, messages: Mapping[Feature, str], absent: frozenset[Feature]) -> RenderFn:
    feature, tokens = feature_of(spec.pattern), spec.tokens
    feature_word = tokens.index(str(feature)) if feature is not None and str(feature) in tokens else 0

    def render(ctx: RenderContext) -> str:
        dev = ctx.dev
        if dev.rejected_forms:
            word = refused_word(dev.rejected_forms, tokens, ctx.args)
            if word is not None:
                raise CommandRejected(word)
        if feature is not None and feature in dev.features_off and feature in absent:
            raise CommandRejected(feature_word)
        if feature is not None and feature in dev.features_off and feature in messages:
            return messages[feature]
        return inner(ctx)

    return render


def gated(platform: Platform, specs: Iterable[CommandSpec]) -> list[CommandSpec]:
    """The platform's command table with every row answering for the device's variations."""
    messages, absent = FEATURE_OFF[platform], ABSENT_WHEN_OFF.get(platform, frozenset())
    return [CommandSpec(spec.pattern, _gate(spec, spec.render, messages, absent),
                        None if spec.render_json is None else _gate(spec, spec.render_json, messages, absent))
            for spec in specs]


def asn_text(asn: int, *, dot: bool) -> str:
    """An AS number as the device prints it: asdot (``high.low``) for 4-byte ASNs when ``dot``."""
    return f"{asn >> 16}.{asn & 0xFFFF}" if dot and asn > 0xFFFF else str(asn)
