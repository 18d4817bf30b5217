"""The one exception tree. Third-party errors are wrapped at the boundary with ``raise ... from``.

::

    NetatlasError
     ├── CollectError (kind: ErrorKind)   one device could not be read
     │    ├── Unreachable                 connection refused / no route
     │    ├── DeviceTimeout               connect, command or device deadline passed
     │    ├── AuthFailed                  credentials refused (never retried)
     │    ├── CommandRejected             the device refused a command
     │    ├── Disconnected                the session dropped mid-command
     │    ├── UnsupportedPlatform
     │    ├── HostKeyChanged              the SSH host key is not the trusted one (no password sent)
     │    ├── HostKeyUnknown              no trusted key under a strict policy (no password sent)
     │    └── OutputTooLarge              a command or session exceeded its output cap
     ├── ParseError                       output did not parse (the raw text is kept)
     ├── InventoryError                   a bad inventory; .problems names line and field
     ├── ConfigError                      bad settings (database URL, secret key, ...)
     ├── StoreError                       the database cannot be used
     ├── NotFound                         a job, device or credential that does not exist
     ├── Conflict                         the request contradicts the state (cancel a finished job, a taken name)
     └── Unavailable                      a service netatlas needs is down (the broker); .hint says what to do
"""

from __future__ import annotations

from dataclasses import dataclass

from netatlas.domain.records import ErrorKind


class NetatlasError(Exception):
    """Root of every error netatlas raises on purpose."""


class CollectError(NetatlasError):
    kind: ErrorKind = ErrorKind.UNREACHABLE


class Unreachable(CollectError):
    kind = ErrorKind.UNREACHABLE


class DeviceTimeout(CollectError):
    kind = ErrorKind.TIMEOUT


class AuthFailed(CollectError):
    kind = ErrorKind.AUTH_FAILED


class CommandRejected(CollectError):
    kind = ErrorKind.COMMAND_REJECTED


class Disconnected(CollectError):
    kind = ErrorKind.DISCONNECTED


class UnsupportedPlatform(CollectError):
    kind = ErrorKind.UNSUPPORTED_PLATFORM


class HostKeyChanged(CollectError):
    """The device's SSH host key differs from the trusted one (no password was sent; never retried)."""

    kind = ErrorKind.HOST_KEY_CHANGED


class HostKeyUnknown(CollectError):
    """No trusted key and the policy refuses unknown keys (no password was sent)."""

    kind = ErrorKind.HOST_KEY_UNKNOWN


class OutputTooLarge(CollectError):
    """A command or the whole session printed more than its cap; the session is closed."""

    kind = ErrorKind.OUTPUT_TOO_LARGE


class ParseError(NetatlasError):
    kind = ErrorKind.PARSE_ERROR


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: where (line, field) and what."""

    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.field}: {self.message}"


class InventoryError(NetatlasError):
    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source, self.problems = source, problems
        if len(problems) == 1 and problems[0].line is None and problems[0].field == "file":  # one line
            super().__init__(f"{source}: {problems[0].message}")
            return
        listed = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s)\n{listed}")


class ConfigError(NetatlasError):
    pass


class StoreError(NetatlasError):
    pass


class NotFound(NetatlasError):
    pass


class Conflict(NetatlasError):
    """The request contradicts the current state: cancelling a job that already ended, a name in use."""


class Unavailable(NetatlasError):
    """A service netatlas needs cannot be reached now (the broker, no worker); ``hint`` says what to check."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint
