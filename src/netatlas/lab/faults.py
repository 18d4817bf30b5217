"""Fault injection for the lab: which devices misbehave, and how.

A spec is a comma-separated list of ``kind:amount`` entries, where the amount is a
percentage of the devices (``slow:2%``, ``auth:0.5%``), a number of devices (``rogue:1``,
``endless:2``) or a ``+``-separated list of device names (``auth:sw3``, ``slow:leaf1+leaf2``).
Kinds may repeat.

Most kinds make the chosen device misbehave. ``rogue`` is the exception: the chosen device
stays honest and an *extra* attacker device is plugged into one of its free ports (see
:mod:`netatlas.lab.hostile`).

Examples:
    >>> spec = parse_faults("auth:sw3,slow:50%,rogue:1")
    >>> [(e.kind.value, e.percent, e.count, e.names) for e in spec.entries]
    [('auth', None, None, ('sw3',)), ('slow', 50.0, None, ()), ('rogue', None, 1, ())]
    >>> faults = assign_faults(spec, ["sw1", "sw2", "sw3"], seed=7)
    >>> faults["sw3"].kind.value, len(faults)
    ('auth', 3)
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class FaultKind(StrEnum):
    UNREACHABLE = "unreachable"  # nothing listens on the device's address
    AUTH = "auth"  # the inventory password is refused
    SLOW = "slow"  # every command's output comes 600 s late
    DISCONNECT = "disconnect"  # connection dropped in the middle of the first data command
    GARBAGE = "garbage"  # data commands print unparseable junk
    REJECT = "reject"  # one data command a session answers "authorization failed"
    # hostile devices (see netatlas.lab.hostile)
    HOSTKEY = "hostkey"  # SSH host key new at every lab start and at every rotation
    ROGUE = "rogue"  # an extra device next to this one advertises an existing device's name
    ENDLESS = "endless"  # the first data command of a session prints for ever, never a prompt
    PROMPT = "prompt"  # lines that look like the device's prompt in the middle of output
    MARKUP = "markup"  # rich markup, escape sequences, RTL overrides, 300-character fields


class FaultSpecError(ValueError):
    """A ``--faults`` spec that cannot be used; the message names the entry and why."""


@dataclass(frozen=True, slots=True)
class Fault:
    kind: FaultKind
    command: str | None = None  # REJECT: this pattern always; None: the first data command of each session


@dataclass(frozen=True, slots=True)
class FaultEntry:
    kind: FaultKind
    percent: float | None = None
    names: tuple[str, ...] = ()
    count: int | None = None


@dataclass(frozen=True, slots=True)
class FaultSpec:
    entries: tuple[FaultEntry, ...] = ()


SLOW_DELAY_S = 600.0


def parse_faults(text: str) -> FaultSpec:
    """Parse a spec; an empty or blank string means no faults."""
    if not text.strip():
        return FaultSpec()
    entries = tuple(_parse_entry(raw.strip()) for raw in text.split(","))
    total = sum(e.percent or 0.0 for e in entries)
    if total > 100.0:
        raise FaultSpecError(f"fault spec {text!r}: percentages add up to {total:g}%, more than 100%")
    return FaultSpec(entries)


def _parse_entry(raw: str) -> FaultEntry:
    if not raw:
        raise FaultSpecError("fault spec has an empty entry (stray comma?)")
    kind_text, sep, amount = raw.partition(":")
    try:
        kind = FaultKind(kind_text.strip().lower())
    except ValueError:
        known = ", ".join(k.value for k in FaultKind)
        raise FaultSpecError(f"fault entry {raw!r}: unknown kind {kind_text!r} (known: {known})") from None
    amount = amount.strip()
    if not sep or not amount:
        raise FaultSpecError(f"fault entry {raw!r}: empty amount; expected a percentage, a count or device names")
    if amount.endswith("%"):
        return FaultEntry(kind, percent=_parse_percent(raw, amount[:-1]))
    if amount.isascii() and amount.isdigit():
        return FaultEntry(kind, count=int(amount))
    names = tuple(n.strip() for n in amount.split("+"))
    if any(not n for n in names):
        raise FaultSpecError(f"fault entry {raw!r}: empty device name in {amount!r}")
    return FaultEntry(kind, names=names)


def _parse_percent(raw: str, number: str) -> float:
    try:
        value = float(number)
    except ValueError:
        raise FaultSpecError(f"fault entry {raw!r}: bad percentage {number!r}%") from None
    if not math.isfinite(value) or value < 0 or value > 100:
        raise FaultSpecError(f"fault entry {raw!r}: bad percentage {number!r}% (must be 0 to 100)")
    return value


def assign_faults(spec: FaultSpec, hostnames: Sequence[str], seed: int) -> dict[str, Fault]:
    """Deterministically give devices their faults: named devices first, then percentages and counts.

    A device gets at most one fault; a percentage above 0 gives at least one device (while
    devices remain). Same spec, hostnames and seed: same result.
    """
    known = set(hostnames)
    result: dict[str, Fault] = {}
    for entry in spec.entries:
        for name in entry.names:
            if name not in known:
                raise FaultSpecError(f"fault entry {entry.kind.value}:{name}: unknown device name {name!r}")
            if name in result:
                raise FaultSpecError(f"fault entry {entry.kind.value}:{name}: device {name!r} already has a fault")
            result[name] = Fault(entry.kind)
    rng = random.Random(seed)  # noqa: S311 - deterministic test data, not security
    pool = sorted(known - result.keys())
    rng.shuffle(pool)
    for entry in spec.entries:
        wanted = _device_count(entry, len(hostnames))
        for name in pool[:wanted]:
            result[name] = Fault(entry.kind)
        pool = pool[wanted:]
    return result


def _device_count(entry: FaultEntry, total: int) -> int:
    """How many devices a percentage or count entry takes (named entries: none here).

    Examples:
        >>> _device_count(FaultEntry(FaultKind.AUTH, percent=1.0), 200)
        2
        >>> _device_count(FaultEntry(FaultKind.ROGUE, count=3), 2)
        3
    """
    if entry.count is not None:
        return entry.count
    percent = entry.percent
    if percent is None or percent <= 0 or total == 0:
        return 0
    return max(1, math.floor(percent / 100.0 * total + 0.5))


def _is_version(pattern: str) -> bool:
    return pattern.split()[:2] == ["show", "version"]


def is_data_command(pattern: str) -> bool:
    """Data commands are every renderer command except ``show version``."""
    return not _is_version(pattern)
