"""Device text is data: one cleaner for every string a device (or an inventory file) controls.

A device can print anything: terminal escape sequences (window titles, hyperlinks, screen
clears), other control characters, Unicode bidirectional overrides that make ``evil`` read as
``live``, or a 300-character "hostname". :func:`clean` turns such text into one printable line
of bounded length that shows what was there (``\\x1b``, ``\\u202e``) instead of acting on it. It
is applied before device text is stored and again wherever text is shown.

Examples:
    >>> clean("core1\\x1b]0;pwned\\x07")
    'core1\\\\x1b]0;pwned\\\\x07'
    >>> clean("abc\\u202edef")
    'abc\\\\u202edef'
    >>> clean("x" * 10, limit=4)
    'xxxx…[+6 chars]'
    >>> clean("Gi1/0/1\\tuplink")
    'Gi1/0/1 uplink'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

FIELD_MAX = 1_024  # characters kept of one device-controlled field (names, ports, descriptions)
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\t":
        return " "
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str, limit: int = FIELD_MAX) -> str:
    """``text`` with control, bidi-override and other invisible formatting characters made visible,
    cut to ``limit`` characters with a marker saying how many were dropped."""
    if len(text) <= limit and text.isascii() and text.isprintable():
        return text  # the common case, decided in C: nothing to escape, nothing to cut
    if _UNSAFE.search(text):
        text = _UNSAFE.sub(_escape, text)
    if any(unicodedata.category(c) == "Cf" and c not in _BIDI for c in text if ord(c) > 0x7F):
        text = "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) == "Cf" else c for c in text)
    if len(text) > limit:
        text = f"{text[:limit]}…[+{len(text) - limit} chars]"
    return text


def is_clean(text: str) -> bool:
    """True when :func:`clean` would leave ``text`` unchanged (no control or format characters).

    Examples:
        >>> is_clean("sw1.example.net"), is_clean("sw1\\x1b[2J")
        (True, False)
    """
    return clean(text, limit=len(text) or 1) == text


MASK = "***"  # what a hidden secret reads as


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every non-empty secret replaced by ``***`` (longest first, so a secret that
    contains another is hidden whole). The one scrubber for messages, logs and stored errors.

    Examples:
        >>> scrub("login as admin/hunter2 failed (enable hunter2x)", ["hunter2", "hunter2x", "", None])
        'login as admin/*** failed (enable ***)'
    """
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


# user:password@ -- the password runs to the LAST "@" (a raw "@" or "/" in it is still hidden;
# an "@" later in the URL hides more than needed, never less)
_USERINFO = re.compile(r"(?<=://)(?P<user>[^:/@]*):.*@", re.S)
_QUERY_PASSWORD = re.compile(r"(?P<head>[?&](?:password|passwd|pwd)=)[^&#]*", re.I)


def mask_url(url: str) -> str:
    """A (database) URL as it may be shown: the password in the user part and in the query hidden.

    The one URL masker. It reads the URL as text, so it also masks what a URL parser would refuse,
    and errs on hiding too much.

    Examples:
        >>> mask_url("postgresql+psycopg://netatlas:s3cret@db:5432/netatlas")
        'postgresql+psycopg://netatlas:***@db:5432/netatlas'
        >>> mask_url("postgresql://me:p@ss:w@rd@db/x?sslmode=require&password=two")
        'postgresql://me:***@db/x?sslmode=require&password=***'
        >>> mask_url("sqlite:////var/lib/netatlas.db"), mask_url("not a url://me:pw@x")
        ('sqlite:////var/lib/netatlas.db', 'not a url://me:***@x')
        >>> mask_url("postgresql://me:pa/ss@db/x"), mask_url("postgresql://me@db/x")
        ('postgresql://me:***@db/x', 'postgresql://me@db/x')
    """
    url = _QUERY_PASSWORD.sub(rf"\g<head>{MASK}", url)
    return _USERINFO.sub(rf"\g<user>:{MASK}@", url, count=1)
