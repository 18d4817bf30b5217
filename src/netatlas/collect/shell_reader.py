"""Reading an interactive shell: output caps, and where one command's output ends.

**Caps.** :class:`ShellReader` counts every character the device sends: more than
``Limits.command_output`` for one read, or more than ``Limits.device_output`` over the whole
session, and it stops keeping text (only the first ``Limits.stored_output`` characters are kept
as an excerpt), closes the channel and makes the pending read raise :class:`Overflow`. Memory
stays bounded by the caps however long a device streams.

**Delimiting.** A line that looks like the prompt can be part of the output (a CDP software
text, a banner, an interface description ``r1#``), so the prompt alone never ends a command.
After each command the transport types a *marker*: a line with a random nonce that the device
treats as a comment or refuses (``! netatlas-sync-<hex>``). The device reads it only once the
command is done and echoes it after its real prompt, so the output ends where a line is
``<prompt><marker>`` and the marker's own reply has ended with that same prompt again
(:func:`settled`). Nothing in the output can contain the nonce before it is typed.

Examples:
    >>> wire = "show x\\r\\nr1#\\r\\nrow\\r\\nr1#! sync-1\\r\\n% Invalid input\\r\\nr1#"
    >>> settled(wire, "! sync-1"), settled(wire[:-3], "! sync-1"), settled("r1#\\r\\nr1#", "! sync-1")
    (True, False, False)
    >>> split_at_marker(wire, "! sync-1")
    ('show x\\r\\nr1#\\r\\nrow\\r\\n', 'r1#')
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass

import asyncssh

MiB = 1024 * 1024
TAIL = 4096  # delimiters and prompts are looked for in this many trailing characters only


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps, in characters, on what one command, one session and one stored raw output may hold.

    Examples:
        >>> Limits().command_output // MiB, Limits().device_output // MiB
        (32, 128)
        >>> Limits(command_output=0)
        Traceback (most recent call last):
        ...
        ValueError: output limits must be positive: command_output=0
    """

    command_output: int = 32 * MiB
    device_output: int = 128 * MiB
    stored_output: int = 8 * MiB

    def __post_init__(self) -> None:
        for name in ("command_output", "device_output", "stored_output"):
            if not getattr(self, name) > 0:
                raise ValueError(f"output limits must be positive: {name}={getattr(self, name)}")


DEFAULT_LIMITS = Limits()


class Closed(Exception):
    """The shell channel ended (``reason`` says how)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Overflow(Exception):
    """A cap was passed: ``per_device`` tells which; ``head`` is the start of the text, for the record."""

    def __init__(self, cap: int, per_device: bool, head: str) -> None:
        super().__init__(cap)
        self.cap, self.per_device, self.head = cap, per_device, head


class ShellReader(asyncssh.SSHClientSession[str]):
    """Collects the shell's output within :class:`Limits` and wakes the reader on every chunk."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._chunks: list[str] = []
        self._size = 0  # characters of the current read
        self.total = 0  # characters of the whole session
        self.peak = 0  # the most characters ever held at once (tests check it stays under the cap)
        self._tail = ""
        self._waiter: asyncio.Future[None] | None = None
        self._closed: str | None = None
        self._overflow: Overflow | None = None
        self._chan: asyncssh.SSHClientChannel[str] | None = None

    @property
    def received(self) -> int:
        return self._size

    def connection_made(self, chan: asyncssh.SSHClientChannel[str]) -> None:
        self._chan = chan

    def data_received(self, data: str, datatype: asyncssh.DataType) -> None:
        if self._overflow is not None:
            return
        self._size += len(data)
        self.total += len(data)
        if self._size > self.limits.command_output or self.total > self.limits.device_output:
            self._overflowed(data)
            return
        self._chunks.append(data)
        self.peak = max(self.peak, self._size)
        self._tail = (self._tail + data)[-TAIL:]
        self._wake()

    def _overflowed(self, data: str) -> None:
        per_device = self.total > self.limits.device_output
        cap = self.limits.device_output if per_device else self.limits.command_output
        head = _head([*self._chunks, data], self.limits.stored_output)
        self._chunks, self._tail = [], ""
        self._overflow = Overflow(cap, per_device, head)
        if self._chan is not None:
            self._chan.close()  # the device may stream for ever: stop taking its data now
        self._wake()

    def eof_received(self) -> bool:
        self._close_with("the device closed the session (EOF)")
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        detail = str(exc) if exc is not None else ""
        self._close_with("connection lost" + (f" ({detail})" if detail.lower() not in ("", "connection lost") else ""))

    def _close_with(self, reason: str) -> None:
        if self._closed is None:
            self._closed = reason
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def last_line(self) -> str | None:
        """The buffer's last non-blank line with its leading newline, or None if too long."""
        end = len(self._tail.rstrip())
        start = self._tail.rfind("\n", 0, end)
        if start < 0:
            return self._tail if self._size <= TAIL else None
        return self._tail[start:]

    async def read_until(self, done: Callable[[str], bool], *, whole_tail: bool = False) -> str:
        """Everything received until ``done(last line)`` (or ``done(tail)``); raises Closed / Overflow."""
        while True:
            if self._overflow is not None:
                raise self._overflow
            seen = self._tail if whole_tail else self.last_line()
            if seen is not None and done(seen):
                return self._take()
            if self._closed is not None:
                raise Closed(self._closed)
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter

    def _take(self) -> str:
        text = "".join(self._chunks)
        self._chunks, self._size, self._tail = [], 0, ""
        return text


def _head(chunks: list[str], limit: int) -> str:
    """The first ``limit`` characters of ``chunks``, without joining more of them than needed.

    Examples:
        >>> _head(["abc", "def", "ghi"], 5), _head(["ab"], 5)
        ('abcde', 'ab')
    """
    taken: list[str] = []
    size = 0
    for chunk in chunks:
        if size >= limit:
            break
        taken.append(chunk[: limit - size])
        size += len(taken[-1])
    return "".join(taken)


def settled(tail: str, marker: str) -> bool:
    """The marker was echoed right after a prompt, and its reply ended with that same prompt."""
    at = tail.rfind(marker)
    if at < 0:
        return False
    prompt = tail[tail.rfind("\n", 0, at) + 1 : at].strip()
    if not prompt:
        return False
    reply = tail[at + len(marker) :].replace("\r", "")
    _, newline, last = reply.rpartition("\n")
    return bool(newline) and last.strip() == prompt


def split_at_marker(raw: str, marker: str) -> tuple[str, str]:
    """The text before the line that echoes ``marker``, and the prompt that line starts with."""
    at = raw.rfind(marker)
    start = raw.rfind("\n", 0, at) + 1
    return raw[:start], raw[start:at]


def clean_output(raw: str, command: str, preamble: re.Pattern[str] | None = None) -> str:
    """Normalise line ends; drop the echoed command line, the prompt line, trailing blank lines and
    trailing ``preamble`` lines (what a platform prints before its prompt, e.g. JunOS ``{master:0}``).

    Examples:
        >>> clean_output("show clock\\r\\n12:00\\r\\nr1#", "show clock")
        '12:00\\n'
        >>> clean_output("show x\\r\\nTotal: 2\\r\\n\\r\\nuser@r1> ", "show x")
        'Total: 2\\n'
        >>> clean_output("show x\\r\\n\\r\\nuser@r1> ", "show x")
        ''
        >>> clean_output("r1#", "")
        ''
        >>> chassis = re.compile(r"\\{(?:master|primary|backup):\\d+\\}")
        >>> clean_output("show x\\r\\n{master:0}\\r\\nrow\\r\\n\\r\\n{master:0}\\r\\n", "show x", chassis)
        '{master:0}\\nrow\\n'
    """
    # Cut first, then normalise the line ends of what is kept, once: the text is copied once, not four
    # times (the same lines either way: only "\r" characters go, every "\n" stays where it was).
    first = raw.find("\n")
    start = first + 1 if first >= 0 and raw[:first].replace("\r", "").rstrip().endswith(command.strip()) else 0
    body = raw[start : max(start, raw.rfind("\n") + 1)]  # the prompt line (no newline yet) dropped
    body = body.replace("\r\n", "\n").replace("\r", "")
    end = len(body)
    while end:  # trailing blank and preamble lines, looked at from the end: no pass over every line
        start = body.rfind("\n", 0, end - 1) + 1
        line = body[start : end - 1].strip()
        if line and (preamble is None or not preamble.fullmatch(line)):
            break
        end = start
    return body[:end]
