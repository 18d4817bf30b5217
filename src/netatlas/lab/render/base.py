"""What every platform renderer shares: the render context and the command table row.

A renderer is a pure function ``(RenderContext) -> str`` returning exactly the text the
platform prints for one command (no prompt, no echo, lines joined by ``\\n``, ending in
``\\n`` when non-empty).  A platform is a list of :class:`CommandSpec` rows; the shell
matches what the user typed (abbreviations included) against the rows' patterns.

Pattern syntax: space-separated tokens. A literal token matches any unambiguous prefix
the user types (``sh ip int br``); ``<name>`` captures one word into ``ctx.args[name]``;
a literal token quoted with ``=`` (``=*``) must be typed exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from netatlas.lab.model import DeviceState, Route


@dataclass(frozen=True, slots=True)
class RenderContext:
    dev: DeviceState
    rib: Callable[[], Sequence[Route]]  # full RIB, every VRF, connected/local included
    args: Mapping[str, str] = field(default_factory=dict)

    def routes(self, vrf: str | None = "default") -> list[Route]:
        """Routes of one VRF (``None``: all VRFs) in RIB order."""
        return [r for r in self.rib() if vrf is None or r.vrf == vrf]


RenderFn = Callable[[RenderContext], str]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    pattern: str
    render: RenderFn
    # The platform's structured form of the same command (NX-OS/EOS ``| json``, JunOS ``| display
    # json``), exactly as the platform prints it; None: the platform has no such form for it (refused).
    render_json: RenderFn | None = None

    @property
    def tokens(self) -> tuple[str, ...]:
        return tuple(self.pattern.split())


class UnknownVrf(Exception):
    """Raised by a renderer for a VRF the device does not have; the shell prints the platform's error."""

    def __init__(self, vrf: str) -> None:
        super().__init__(vrf)
        self.vrf = vrf
