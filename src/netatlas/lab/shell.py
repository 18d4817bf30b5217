"""One simulated CLI session: characters in, events (text, pauses, hang-up) out.

Pure and synchronous, so it is unit-tested without SSH; the server only writes the text,
sleeps on :class:`Pause` and closes the connection on :class:`Hangup`. Platform behaviour
comes from :mod:`netatlas.lab.cli_platforms` rows, command output from the renderers.

Examples:
    >>> from ipaddress import IPv4Address
    >>> from netatlas.lab.model import DeviceState, Platform
    >>> from netatlas.lab.render.base import CommandSpec
    >>> dev = DeviceState("r1", Platform.CISCO_IOS, IPv4Address("127.20.0.1"), "C9300", "X1", "17.9")
    >>> sh = Shell(dev, lambda: [], username="u", commands=[CommandSpec("show clock", lambda c: "12:00\\n")])
    >>> sh.start()
    ['r1#']
    >>> "".join(e for e in sh.feed("sh clo\\r") if isinstance(e, str))
    'sh clo\\r\\n12:00\\r\\nr1#'
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

from netatlas.lab.cli_platforms import Effect, PlatformCli, SessionCommand, load_commands, platform_cli
from netatlas.lab.faults import SLOW_DELAY_S, Fault, FaultKind, is_data_command
from netatlas.lab.model import DeviceState, Route
from netatlas.lab.render.base import CommandSpec, RenderContext, UnknownVrf
from netatlas.lab.render.variations import CommandRejected


@dataclass(frozen=True, slots=True)
class Pause:
    seconds: float


@dataclass(frozen=True, slots=True)
class Hangup:
    """End the session after writing everything before it; ``drop``: cut the whole connection;
    ``endless``: never end, the server streams output for ever instead (the ``endless`` fault)."""

    drop: bool = False
    endless: bool = False


Event = str | Pause | Hangup

DEFAULT_SCREEN_LENGTH = 24
_BACKSPACES = ("\x08", "\x7f")
_JUNK = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.:;-_=+/()[]{}!?*~^ "


class _Builtin(Enum):
    EXIT = "exit"
    ENABLE = "enable"
    DISABLE = "disable"


_Target = CommandSpec | SessionCommand | _Builtin


@dataclass(frozen=True, slots=True)
class _Entry:
    tokens: tuple[str, ...]
    target: _Target


@dataclass(frozen=True, slots=True)
class _NoMatch:
    kind: str  # invalid | ambiguous | incomplete
    word: int  # index of the offending word (len(words) for incomplete)


@dataclass(slots=True)
class _Output:
    text: str = ""
    pause: float = 0.0
    hangup: Hangup | None = None
    prompt: bool = True  # False: the text itself waits for input (enable's "Password: ")
    no_more: bool = False


class _Mode(Enum):
    LINE = "line"
    PASSWORD = "password"  # noqa: S105 - a mode name, not a secret
    PAGER = "pager"


def _score(token: str, word: str) -> int:
    """3 exact keyword, 2 keyword prefix, 1 capture, 0 no match (``word`` is lower-case)."""
    if token.startswith("<") and token.endswith(">"):
        return 1
    if token.startswith("="):
        return 3 if token[1:].lower() == word else 0
    low = token.lower()
    return 3 if low == word else 2 if low.startswith(word) else 0


def match_words(entries: Sequence[_Entry], words: Sequence[str]) -> tuple[_Entry, dict[str, str]] | _NoMatch:
    """Match typed words (abbreviations allowed) word by word against the command table."""
    alive = list(entries)
    for i, word in enumerate(words):
        scored = [(s, e) for e in alive if i < len(e.tokens) and (s := _score(e.tokens[i], word.lower()))]
        if not scored:
            return _NoMatch("invalid", i)
        best = max(s for s, _ in scored)
        alive = [e for s, e in scored if s == best]
        if best == 2 and len({e.tokens[i].lower() for e in alive}) > 1:
            return _NoMatch("ambiguous", i)
    complete = [e for e in alive if len(e.tokens) == len(words)]
    if not complete:
        return _NoMatch("incomplete", len(words))
    entry = complete[0]
    args = {t[1:-1]: words[i] for i, t in enumerate(entry.tokens) if t.startswith("<")}
    return entry, args


class CommandIndex:
    """A platform's command table compiled for matching, with a memo of lines already typed.

    Built once per platform by the server and shared by every session: most sessions type
    the same few commands, so matching is a dictionary lookup after the first time.
    """

    _MEMO_LIMIT = 20_000

    def __init__(self, table: Sequence[CommandSpec], cli: PlatformCli) -> None:
        targets: list[tuple[str, _Target]] = [(c.pattern, c) for c in table]
        targets += [(s.pattern, s) for s in cli.session_commands]
        targets += [(word, _Builtin.EXIT) for word in cli.exit_commands]
        if cli.has_enable:
            targets += [("enable", _Builtin.ENABLE), ("disable", _Builtin.DISABLE)]
        self.entries = [_Entry(tuple(p.split()), t) for p, t in targets]
        self._memo: dict[tuple[str, ...], tuple[_Entry, dict[str, str]] | _NoMatch] = {}

    def match(self, words: Sequence[str]) -> tuple[_Entry, dict[str, str]] | _NoMatch:
        key = tuple(words)
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) >= self._MEMO_LIMIT:
                self._memo.clear()
            found = self._memo[key] = match_words(self.entries, words)
        if isinstance(found, _NoMatch):
            return found
        return found[0], dict(found[1])


def _split_pipes(line: str, chained: bool) -> list[str]:
    """``cmd | a x | b y`` -> ``["cmd", "a x", ...]``; Cisco-likes split only once."""
    if not chained:
        return [part.strip() for part in line.split("|", 1)]
    parts, cur, quote = [], "", ""
    for ch in line:
        if ch in "\"'" and quote in ("", ch):
            quote = "" if quote else ch
        if ch == "|" and not quote:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    return [*parts, cur.strip()]


def _regex(text: str) -> re.Pattern[str]:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1]
    try:
        return re.compile(text)
    except re.error:
        return re.compile(re.escape(text))


def _section(lines: list[str], rx: re.Pattern[str]) -> list[str]:
    out, inside = [], False
    for line in lines:
        if line[:1] not in (" ", "\t"):
            inside = bool(rx.search(line))
        if inside:
            out.append(line)
    return out


def _wire(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


class Shell:
    """The CLI state machine of one session on one device."""

    def __init__(
        self,
        dev: DeviceState,
        rib: Callable[[], Sequence[Route]],
        *,
        username: str,
        commands: Sequence[CommandSpec] | None = None,
        fault: Fault | None = None,
        latency_s: float = 0.0,
        cli: PlatformCli | None = None,
        index: CommandIndex | None = None,
    ) -> None:
        self.dev, self._rib, self._user = dev, rib, username
        self.cli = cli or platform_cli(dev.platform)
        table = list(commands) if commands is not None else load_commands(dev.platform)
        self._index = index if index is not None else CommandIndex(table, self.cli)
        self._fault = fault
        self._pause = latency_s + (SLOW_DELAY_S if fault and fault.kind is FaultKind.SLOW else 0.0)
        self._rejected = fault.command if fault and fault.kind is FaultKind.REJECT else None
        self._reject_armed = bool(fault and fault.kind is FaultKind.REJECT and fault.command is None)
        self.privileged = dev.enable_secret is None or not self.cli.has_enable
        self.screen_length = DEFAULT_SCREEN_LENGTH
        self._mode = _Mode.LINE
        self._buf: list[str] = []
        self._last_cr = False
        self._pending: list[str] = []
        self._disconnect_armed = bool(fault and fault.kind is FaultKind.DISCONNECT)
        self.closed = False

    def _rejects(self, pattern: str) -> bool:
        """A REJECT device refuses its named command, or else the session's first data command."""
        if pattern == self._rejected:
            return True
        if self._reject_armed and is_data_command(pattern):
            self._reject_armed = False
            return True
        return False

    @property
    def prompt(self) -> str:
        """The prompt, after the line a virtual chassis prints before it (JunOS ``{master:0}``)."""
        prompt = self.cli.prompt(self.dev, self._user, self.privileged)
        if self.dev.vc_members and self.cli.chassis_line:
            return f"{self.cli.chassis_line}\r\n{prompt}"
        return prompt

    @property
    def _prompt_width(self) -> int:
        """Columns the prompt takes on the line the user types on (where an error's caret counts from)."""
        return len(self.prompt.rsplit("\n", 1)[-1])

    def start(self) -> list[Event]:
        """What the device prints right after login: its prompt."""
        return [self.prompt]

    # ----- input -------------------------------------------------------------------------
    def feed(self, data: str) -> list[Event]:
        """Process typed characters; returns what the device sends back, in order."""
        events: list[Event] = []
        for ch in data:
            if self.closed:
                break
            if ch == "\n" and self._last_cr:
                self._last_cr = False
                continue
            self._last_cr = ch == "\r"
            events += self._pager_key(ch) if self._mode is _Mode.PAGER else self._typed(ch)
        return _merge(events)

    def _typed(self, ch: str) -> list[Event]:
        echo = self._mode is _Mode.LINE
        if ch in "\r\n":
            line, self._buf = "".join(self._buf), []
            return ["\r\n", *self._password_entered(line)] if not echo else ["\r\n", *self._line(line)]
        if ch in _BACKSPACES:
            if not self._buf:
                return []
            self._buf.pop()
            return ["\b \b"] if echo else []
        if ch == "\x03":
            self._buf, self._mode = [], _Mode.LINE
            return ["^C\r\n", self.prompt]
        if not ch.isprintable():
            return []
        self._buf.append(ch)
        return [ch] if echo else []

    def _password_entered(self, secret: str) -> list[Event]:
        self._mode = _Mode.LINE
        if secret == self.dev.enable_secret:
            self.privileged = True
            return [self.prompt]
        return [_wire(self.cli.enable_denied + "\n"), self.prompt]

    def _pager_key(self, ch: str) -> list[Event]:
        width = len(self.cli.pager_prompt)
        erase = "\b" * width + " " * width + "\b" * width
        if ch == " ":
            count = max(self.screen_length - 1, 1)
        elif ch in "\r\n":
            count = 1
        else:
            self._pending = []
            count = 0
        shown, self._pending = self._pending[:count], self._pending[count:]
        events: list[Event] = [erase, _wire("".join(shown))]
        if self._pending:
            return [*events, self.cli.pager_prompt]
        self._mode = _Mode.LINE
        return [*events, *self._tail()]

    def _tail(self) -> list[Event]:
        return ["\r\n" if self.cli.blank_line_before_prompt else "", self.prompt]

    # ----- commands ----------------------------------------------------------------------
    def _line(self, line: str) -> list[Event]:
        if not line.strip():
            return [self.prompt]
        out = self._command(line, self._prompt_width)
        events: list[Event] = [Pause(out.pause)] if out.pause > 0 else []
        if out.hangup is not None:
            self.closed = True
            return [*events, _wire(out.text), out.hangup]
        if not out.prompt:
            return [*events, out.text]
        return [*events, *self._paginate(out.text, out.no_more)]

    def run(self, line: str) -> list[Event]:
        """Exec mode (``ssh host "show version"``): one command, no echo, prompt or paging."""
        out = self._command(line, 0)
        events: list[Event] = [Pause(out.pause)] if out.pause > 0 else []
        text = "" if not out.prompt else out.text
        return [*events, _wire(text), *([out.hangup] if out.hangup is not None else [])]

    def _paginate(self, text: str, no_more: bool) -> list[Event]:
        lines = text.splitlines(keepends=True)
        page = self.screen_length - 1
        if no_more or self.screen_length <= 0 or len(lines) <= page:
            return [_wire(text), *self._tail()]
        self._pending, self._mode = lines[page:], _Mode.PAGER
        return [_wire("".join(lines[:page])), self.cli.pager_prompt]

    def _command(self, line: str, prompt_len: int) -> _Output:
        parts = _split_pipes(line, self.cli.chained_pipes)
        words_at = [(m.group(), m.start()) for m in re.finditer(r"\S+", parts[0])]
        result = self._index.match([w for w, _ in words_at])
        if isinstance(result, _NoMatch):
            return _Output(self._error(result, line, [pos for _, pos in words_at], prompt_len))
        entry, args = result
        pipes, structured = self._structured(parts[1:])
        if structured and not self._speaks_json(entry.target):  # no structured form: refused at the pipe
            col = line.find("|") + 1
            return _Output(self._error(_NoMatch("invalid", 1), line, [0, col], prompt_len), pause=self._pause)
        try:
            out = self._dispatch(entry.target, args, structured)
        except CommandRejected as exc:  # an old image: the form is unknown from the refused word on
            refused = _NoMatch("invalid", exc.word)
            return _Output(self._error(refused, line, [pos for _, pos in words_at], prompt_len), pause=self._pause)
        if out.hangup is not None or not out.prompt:
            return out
        return self._pipe(out, pipes, line, prompt_len)

    def _structured(self, pipes: list[str]) -> tuple[list[str], bool]:
        """The pipes without the structured-output one, and whether it was asked for (``| json``)."""
        wanted = self.cli.structured_pipe
        if wanted is None:
            return pipes, False
        rest = [p for p in pipes if " ".join(p.lower().split()) != wanted]
        return rest, len(rest) != len(pipes)

    def _speaks_json(self, target: _Target) -> bool:
        """Whether the command has a structured form on this device (an old image may refuse ``json``)."""
        if not isinstance(target, CommandSpec) or target.render_json is None:
            return False
        return not any(form.keyword == "json" for form in self.dev.rejected_forms)

    def _error(self, err: _NoMatch, line: str, starts: list[int], prompt_len: int) -> str:
        cli = self.cli
        message = {
            "invalid": cli.invalid_first_word if err.word == 0 else cli.invalid_input,
            "ambiguous": cli.ambiguous.format(line=line.strip()),
            "incomplete": cli.incomplete,
        }[err.kind]
        caret = cli.caret and (err.kind == "invalid" or "'^'" in message)
        col = prompt_len + (starts[err.word] if err.word < len(starts) else len(line.rstrip()) + 1)
        return (" " * col + "^\n" if caret else "") + message + "\n"

    def _dispatch(self, target: _Target, args: dict[str, str], structured: bool = False) -> _Output:
        if isinstance(target, _Builtin):
            return self._builtin(target)
        if isinstance(target, SessionCommand):
            return _Output(self._session(target, args), pause=self._pause)
        return self._render(target, args, structured)

    def _builtin(self, target: _Builtin) -> _Output:
        if target is _Builtin.EXIT:
            return _Output(hangup=Hangup())
        if target is _Builtin.DISABLE:
            self.privileged = self.dev.enable_secret is None
            return _Output()
        if self.privileged:
            return _Output()
        self._mode = _Mode.PASSWORD
        return _Output("Password: ", prompt=False)

    def _session(self, cmd: SessionCommand, args: dict[str, str]) -> str:
        n = args.get("n", "")
        if cmd.effect is Effect.SCREEN_LENGTH:
            if not n.isdigit():
                return self.cli.invalid_input + "\n"
            self.screen_length = int(n)
        elif cmd.effect is Effect.PAGING_OFF:
            self.screen_length = 0
        text = cmd.output_when_zero if cmd.output_when_zero is not None and n == "0" else cmd.output
        return text.format(n=n) + "\n" if text else ""

    def _render(self, spec: CommandSpec, args: dict[str, str], structured: bool = False) -> _Output:
        if self._rejects(spec.pattern):
            return _Output(self.cli.authorization_failed + "\n", pause=self._pause)
        render = spec.render_json if structured and spec.render_json is not None else spec.render
        try:
            text = render(RenderContext(self.dev, self._rib, args))
        except UnknownVrf as exc:
            text = self.cli.unknown_vrf.format(vrf=exc.vrf) + "\n"
        data = is_data_command(spec.pattern)
        if data and self._disconnect_armed:
            self._disconnect_armed = False
            return _Output(text[: len(text) // 2], pause=self._pause, hangup=Hangup(drop=True))
        if data and self._fault is not None and self._fault.kind is FaultKind.ENDLESS:
            return _Output(pause=self._pause, hangup=Hangup(endless=True))
        if data and self._fault is not None and self._fault.kind is FaultKind.GARBAGE:
            text = _garbage(f"{self.dev.hostname}|{spec.pattern}")
        return _Output(text, pause=self._pause)

    def _pipe(self, out: _Output, pipes: list[str], line: str, prompt_len: int) -> _Output:
        if not pipes:
            return out
        lines = out.text.splitlines()
        for pipe in pipes:
            keyword, _, arg = pipe.partition(" ")
            found = [p for p in self.cli.pipes if keyword and p.keyword.startswith(keyword.lower())]
            if len(found) != 1:
                col = line.find(pipe) if pipe else len(line)
                return _Output(self._error(_NoMatch("invalid", 1), line, [0, col], prompt_len))
            lines, out.no_more = self._apply(found[0].kind, _regex(arg), lines, out.no_more)
        out.text = "".join(f"{x}\n" for x in lines)
        return out

    def _apply(self, kind: str, rx: re.Pattern[str], lines: list[str], no_more: bool) -> tuple[list[str], bool]:
        if kind == "include":
            return [x for x in lines if rx.search(x)], no_more
        if kind == "exclude":
            return [x for x in lines if not rx.search(x)], no_more
        if kind == "begin":
            start = next((i for i, x in enumerate(lines) if rx.search(x)), len(lines))
            return lines[start:], no_more
        if kind == "section":
            return _section(lines, rx), no_more
        if kind == "count":
            return [self.cli.count_output.format(n=len(lines))], no_more
        return lines, True  # no-more


def _garbage(key: str) -> str:
    rng = random.Random(key)  # noqa: S311 - deterministic junk, not security
    rows = ["".join(rng.choice(_JUNK) for _ in range(rng.randint(20, 70))) for _ in range(rng.randint(3, 15))]
    return "".join(f"{row.rstrip()}\n" for row in rows)


def _merge(events: list[Event]) -> list[Event]:
    """Join adjacent text events (one write per burst) and drop empty text."""
    merged: list[Event] = []
    for event in events:
        if isinstance(event, str):
            if not event:
                continue
            if merged and isinstance(merged[-1], str):
                merged[-1] += event
                continue
        merged.append(event)
    return merged
