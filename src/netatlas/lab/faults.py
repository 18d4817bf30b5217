"""Fault injection for the lab: which devices misbehave, and how.

A spec is a comma-separated list of ``kind:amount`` entries, where the amount is either a
percentage of the devices (``slow:2%``, ``auth:0.5%``) or a ``+``-separated list of device
names (``auth:sw3``, ``slow:leaf1+leaf2``). Kinds may repeat.

Examples:
    >>> spec = parse_faults("auth:sw3,slow:50%")
    >>> [(e.kind.value, e.percent, e.names) for e in spec.entries]
    [('auth', None, ('sw3',)), ('slow', 50.0, ())]
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
        raise FaultSpecError(f"fault entry {raw!r}: empty amount; expected a percentage or device names")
    if amount.endswith("%"):
        return FaultEntry(kind, percent=_parse_percent(raw, amount[:-1]))
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
    """Deterministically give devices their faults: named devices first, then percentages.

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
        if entry.percent is None:
            continue
        for name in pool[: _device_count(entry.percent, len(hostnames))]:
            result[name] = Fault(entry.kind)
        pool = pool[_device_count(entry.percent, len(hostnames)) :]
    return result


def _device_count(percent: float, total: int) -> int:
    if percent <= 0 or total == 0:
        return 0
    return max(1, math.floor(percent / 100.0 * total + 0.5))


def _is_version(pattern: str) -> bool:
    return pattern.split()[:2] == ["show", "version"]


def is_data_command(pattern: str) -> bool:
    """Data commands are every renderer command except ``show version``."""
    return not _is_version(pattern)
