"""Inventory entries and credential sets (secrets never appear in repr or str), and the pure checks of their fields.

Each ``*_problem`` function returns why a value is refused, or None when it is fine; the messages
quote the value only where it can be neither a secret nor a control sequence.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field

from netatlas.domain.names import validate_device_name
from netatlas.domain.platforms import Platform

SUPPORTED_PLATFORMS = tuple(p.value for p in Platform)  # an inventory's platform is one of these words
FIELDS = ("name", "host", "port", "platform", "credentials", "site", "role", "tags")
REQUIRED = ("name", "host", "platform", "credentials")
CREDENTIAL_FIELDS = ("username", "password", "enable_secret")
MAX_TEXT_LENGTH = 128  # names, site, role, tags, usernames: what the database columns hold
MAX_SECRET_LENGTH = 1024
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)")
# Unicode categories refused in every field: controls, format characters (RTL overrides, zero-width
# joiners), surrogates, private use, unassigned, and line/paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


@dataclass(frozen=True, slots=True)
class InventoryDevice:
    name: str
    host: str
    platform: str
    credentials: str  # the name of a credential set
    port: int = 22
    site: str = ""
    role: str = ""
    tags: tuple[str, ...] = ()
    legacy_ssh: bool = False  # allow legacy SSH algorithms (SHA-1 kex/MAC, CBC, ssh-rsa, 1024-bit RSA keys)


@dataclass(frozen=True, slots=True)
class Credential:
    """A named credential set. ``repr``/``str`` show the name and user only.

    Examples:
        >>> Credential("lab", "admin", "s3cret", "en4ble")
        Credential(name='lab', username='admin', password=***, enable_secret=***)
    """

    name: str
    username: str
    password: str = field(repr=False)
    enable_secret: str | None = field(default=None, repr=False)
    legacy_ssh: bool = False  # allow legacy SSH algorithms for every device using this credential set

    def __repr__(self) -> str:
        secret = "***" if self.enable_secret else None
        return f"Credential(name={self.name!r}, username={self.username!r}, password=***, enable_secret={secret})"

    __str__ = __repr__


@dataclass(slots=True)
class WrittenEntry:
    """One device as written in a file: text per field, and the line of each field."""

    line: int
    values: dict[str, str | list[str]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    def at(self, name: str) -> int:
        return self.lines.get(name, self.line)

    def text(self, name: str) -> str:
        value = self.values.get(name, "")
        return ";".join(value) if isinstance(value, list) else value


def control_problem(text: str) -> str | None:
    """Why ``text`` cannot be shown safely (a control or format character), or None; the text is not quoted.

    Examples:
        >>> control_problem("Zürich, 2nd floor") is None
        True
        >>> control_problem("core1\\x1b]0;pwned\\x07")
        'contains control character U+001B at position 6'
        >>> control_problem("evil\\u202egnp.exe")
        'contains control character U+202E at position 5'
    """
    for position, char in enumerate(text, start=1):
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            return f"contains control character U+{ord(char):04X} at position {position}"
    return None


def text_problem(text: str, limit: int = MAX_TEXT_LENGTH) -> str | None:
    """Why free text (site, role, a tag, a user name) is refused: control characters or length.

    Examples:
        >>> text_problem("hq"), text_problem("x" * 129)
        (None, 'longer than 128 characters (129)')
    """
    if len(text) > limit:
        return f"longer than {limit} characters ({len(text)})"
    return control_problem(text)


def name_problem(name: str) -> str | None:
    """Names are identities: :func:`~netatlas.domain.names.validate_device_name` decides, and says why.

    Examples:
        >>> name_problem("sw1"), name_problem("sw 1")
        (None, "a space at position 3: device names are ASCII letters, digits, '-', '_', '.'")
    """
    try:
        validate_device_name(name)
    except ValueError as exc:
        return str(exc)
    return None


def host_problem(host: str) -> str | None:
    """Why ``host`` is neither an IP address nor a host name, or None when it is fine.

    Examples:
        >>> [host_problem(h) for h in ("10.0.0.1", "fe80::1", "core1.example.net", "sw_1")]
        [None, None, None, None]
        >>> host_problem("10.0.0.300")
        'not a valid IP address'
        >>> host_problem("core 1")
        'not an IP address or host name'
    """
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    labels = host.removesuffix(".").split(".")
    if len(host) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        return "not an IP address or host name"
    if labels[-1].isdigit():
        return "not a valid IP address"
    return None


def port_problem(port: str) -> str | None:
    """Why ``port`` is not a TCP port number, or None.

    Examples:
        >>> [port_problem(p) for p in ("22", "65535", "0", "22a")]
        [None, None, 'must be between 1 and 65535, got 0', "must be a number, got '22a'"]
    """
    if not port.isascii() or not port.isdigit() or len(port) > 5:
        return f"must be a number, got {port[:16]!r}" if not control_problem(port) else "must be a number"
    if not 1 <= int(port) <= 65535:
        return f"must be between 1 and 65535, got {int(port)}"
    return None


def platform_problem(platform: str) -> str | None:
    """Why ``platform`` is not supported (with the closest supported name), or None.

    Examples:
        >>> print(platform_problem("cisco_iso"))  # doctest: +ELLIPSIS
        unknown platform 'cisco_iso' (did you mean 'cisco_ios'?); supported: arista_eos, cisco_ios, cisco_nxos, ...
    """
    if platform in SUPPORTED_PLATFORMS:
        return None
    shown = f"{platform[:32]!r}" if not control_problem(platform) else "with control characters"
    return f"unknown platform {shown}{suggest(platform, SUPPORTED_PLATFORMS)}; supported: " + ", ".join(
        sorted(SUPPORTED_PLATFORMS))


def address_key(host: str, port: int) -> str:
    """The address two entries must not share: IPs in canonical form, host names in lower case.

    Examples:
        >>> address_key("2001:DB8:0::1", 22), address_key("Core1.Example.NET.", 2222)
        ('[2001:db8::1]:22', 'core1.example.net:2222')
    """
    try:
        ip = ipaddress.ip_address(host)
        return f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}"
    except ValueError:
        return f"{host.lower().removesuffix('.')}:{port}"


def suggest(word: str, choices: Collection[str]) -> str:
    """`` (did you mean 'X'?)`` for the closest choice, or nothing.

    Examples:
        >>> suggest("platfrom", ["name", "platform"]), suggest("zzz", ["name"])
        (" (did you mean 'platform'?)", '')
    """
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def quoted(text: str) -> str:
    """``repr`` of a value cut to 40 characters: control and format characters come out escaped.

    Examples:
        >>> quoted("platfrom"), quoted("a\\x1bb"), quoted("x" * 50)
        ("'platfrom'", "'a\\\\x1bb'", "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'")
    """
    return repr(text if len(text) <= 40 else text[:32] + "...")


def field_name(text: str) -> str:
    """A key or column as the ``field`` of a problem: as written when short and printable, else quoted."""
    return text if len(text) <= 40 and text.isprintable() else quoted(text)


def unknown_field(name: str, allowed: tuple[str, ...]) -> str:
    """Names the unknown field (escaped) and suggests the closest allowed one, or lists them."""
    hint = suggest(name, allowed) or f" (allowed: {', '.join(allowed)})"
    return f"unknown field {quoted(name)}{hint}"


def credential_problem(key: str, text: str) -> str | None:
    """User names are shown text; secrets are checked for length and control characters, never quoted."""
    if key == "username":
        return text_problem(text)
    if len(text) > MAX_SECRET_LENGTH:
        return f"longer than {MAX_SECRET_LENGTH} characters"
    return "contains a control character" if control_problem(text) else None
