"""What every EOS ``| json`` renderer shares: the document as EOS prints it, times, MACs, and the
structured answers of a feature that is off.

EOS prints one JSON object, indented by four spaces, keys in camelCase; times are epoch seconds
as floats (``lastMove``, ``upDownTime``), durations floats too (``uptime``); MAC addresses are
colon-separated in most documents (``physicalAddress``, ``macAddress``) but dotted where the text
form is (``hwAddress`` of ``show ip arp``, ``chassisId`` of LLDP). A command that fails in JSON
mode prints the errors envelope ``{"errors": ["BGP inactive"]}``; a routing protocol that is not
configured prints an empty table (``{"vrfs": {}}``) instead.

Sources read for the shapes (public test data of real devices): NAPALM
``test/eos/mocked_data`` (show version, interfaces, lldp neighbors detail, ip bgp summary vrf all,
mac address-table, arp vrf all), batfish ``lab_validation`` (ip route vrf all), ANTA unit data
(ip route, ospf neighbor), and projects that read EOS's ``{"errors": ["BGP inactive"]}`` and OSPF's
``{"vrfs": {}}`` from live switches.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from json.encoder import encode_basestring_ascii as _quote
from typing import Any

from netatlas.lab.model import Feature, Platform
from netatlas.lab.render.base import CommandSpec, RenderContext, RenderFn
from netatlas.lab.render.variations import feature_of, gated

# A fixed "now" (2026-01-01T00:00:00Z): documents are deterministic, like the text renderers' ages.
NOW = 1_767_225_600.0
_DURATION = re.compile(r"(\d+)\s*(year|week|day|hour|minute|second)")
_UNIT = {"year": 365 * 86400, "week": 7 * 86400, "day": 86400, "hour": 3600, "minute": 60, "second": 1}


def document(value: Any) -> str:
    """The document as EOS prints it (four-space indent, a newline after the closing brace):
    byte for byte ``json.dumps(value, indent=4) + "\\n"``, built ~3x faster (the standard library
    indents in pure Python, one generator per level; the lab shares the cores with the client it
    serves). Values other than dicts with string keys, lists, tuples, strings, ints, finite floats,
    booleans and None go through ``json.dumps`` itself.

    Examples:
        >>> print(document({"hostname": "leaf1", "vias": [], "up": True, "mtu": 9214.0}), end="")
        {
            "hostname": "leaf1",
            "vias": [],
            "up": true,
            "mtu": 9214.0
        }
        >>> document({1: "x"}) == json.dumps({1: "x"}, indent=4) + "\\n"
        True
    """
    out: list[str] = []
    try:
        _emit(value, out, "\n")
    except _Unusual:
        return json.dumps(value, indent=4) + "\n"
    out.append("\n")
    return "".join(out)


class _Unusual(Exception):
    """A value :func:`_emit` leaves to ``json.dumps`` (a non-string key, NaN, an enum, a set...)."""


_INDENT = "    "
_CONSTANTS = {True: "true", False: "false"}


def _emit(value: Any, out: list[str], newline: str) -> None:
    """Append ``value`` as ``json.dumps(indent=4)`` writes it at the depth whose line start is ``newline``."""
    kind = type(value)
    if kind is str:
        out.append(_quote(value))
    elif kind is dict:
        _emit_dict(value, out, newline)
    elif kind is list or kind is tuple:
        _emit_list(value, out, newline)
    else:
        out.append(_scalar(value, kind))


def _emit_dict(value: dict[Any, Any], out: list[str], newline: str) -> None:
    if not value:
        out.append("{}")
        return
    inner = newline + _INDENT
    lead = "{" + inner
    for key, item in value.items():
        if type(key) is not str:
            raise _Unusual
        out.append(lead)
        out.append(_quote(key))
        out.append(": ")
        kind = type(item)
        if kind is str:
            out.append(_quote(item))
        elif kind is dict or kind is list or kind is tuple:
            _emit(item, out, inner)
        else:
            out.append(_scalar(item, kind))
        lead = "," + inner
    out.append(newline + "}")


def _emit_list(value: list[Any] | tuple[Any, ...], out: list[str], newline: str) -> None:
    if not value:
        out.append("[]")
        return
    inner = newline + _INDENT
    lead = "[" + inner
    for item in value:
        out.append(lead)
        _emit(item, out, inner)
        lead = "," + inner
    out.append(newline + "]")


def _scalar(value: Any, kind: type) -> str:
    if kind is bool:
        return _CONSTANTS[value]
    if value is None:
        return "null"
    if kind is int:
        return int.__repr__(value)
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    raise _Unusual


def errors(*messages: str) -> str:
    """The errors envelope a command that fails in JSON mode prints."""
    return document({"errors": list(messages)})


def colon_mac(mac: str) -> str:
    """``44:4C:A8:00:00:01`` / ``444c.a800.0001`` -> ``44:4c:a8:00:00:01``.

    Examples:
        >>> colon_mac("444c.a800.0001")
        '44:4c:a8:00:00:01'
    """
    digits = re.sub(r"[^0-9a-fA-F]", "", mac).lower()
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def duration_seconds(text: str) -> int:
    """``5 weeks, 3 days, 2 hours, 11 minutes`` (or ``1w2d``-style ages) as seconds.

    Examples:
        >>> duration_seconds("1 hour, 5 minutes"), duration_seconds("2 days and 1 second")
        (3900, 172801)
    """
    return sum(int(n) * _UNIT[unit] for n, unit in _DURATION.findall(text))


def ago(seconds: float) -> float:
    """The epoch time ``seconds`` before :data:`NOW` (EOS prints event times, not ages)."""
    return round(NOW - seconds, 6)


# What a command prints in JSON mode when its feature is off (the text form prints FEATURE_OFF's line).
JSON_FEATURE_OFF: dict[Feature, str] = {
    Feature.LLDP: errors("LLDP is not enabled"),
    Feature.BGP: errors("BGP inactive"),
    Feature.OSPF: document({"vrfs": {}}),
}


def _json_gate(pattern: str, inner: RenderFn) -> RenderFn:
    """``inner`` (already gated for old images and text feature-off lines) answering a feature that is
    off with the JSON form's own answer."""
    feature = feature_of(pattern)

    def render(ctx: RenderContext) -> str:
        if feature is not None and feature in ctx.dev.features_off and feature in JSON_FEATURE_OFF:
            return JSON_FEATURE_OFF[feature]
        return inner(ctx)

    return render


def gated_with_json(platform: Platform, specs: Iterable[CommandSpec]) -> list[CommandSpec]:
    """:func:`~netatlas.lab.render.variations.gated`, the JSON forms answering a feature that is off
    as EOS does in JSON mode (an errors envelope, an empty table) rather than with the text line."""
    return [spec if spec.render_json is None
            else CommandSpec(spec.pattern, spec.render, _json_gate(spec.pattern, spec.render_json))
            for spec in gated(platform, specs)]
