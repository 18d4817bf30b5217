"""Which SSH host keys are trusted: decided inside the handshake, before any password is sent.

The transport asks the store for the key trusted for ``(host, port)`` before it connects, then
judges the key the server presents during key exchange (asyncssh's
``SSHClient.validate_host_public_key``, which runs before user authentication starts)::

    policy   trusted key   presented key          verdict     what happens
    any      K             K                      TRUSTED     log in
    any      K             another key            CHANGED     HostKeyChanged: no password, never retried
    tofu     none          K                      FIRST_USE   log in; K is remembered (trusted_by first_use)
    strict   none          K                      UNKNOWN     HostKeyUnknown: no password
    any      any           RSA under 2048 bits    WEAK        refused unless the device/credential opts in to legacy SSH

Keys travel as OpenSSH public-key text (``ssh-ed25519 AAAAC3...``, no comment), the form the
``host_key`` table stores. :class:`MemoryHostKeys` is the in-process store (tests, development);
the deployment's store lives in the database (``netatlas.store``) and implements the same
:class:`HostKeyStore` protocol.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from netatlas.domain.errors import CollectError, HostKeyChanged, HostKeyUnknown, Unreachable

MIN_RSA_BITS = 2048


class HostKeyPolicy(StrEnum):
    """What to do with a device whose key nobody trusted yet."""

    TOFU = "tofu"  # trust on first use: record the key and log in (development default)
    STRICT = "strict"  # refuse: the key must be trusted beforehand (operator, known_hosts file)


class TrustedBy(StrEnum):
    FIRST_USE = "first_use"
    OPERATOR = "operator"
    KNOWN_HOSTS = "known_hosts"


class Verdict(StrEnum):
    TRUSTED = "trusted"
    FIRST_USE = "first_use"
    CHANGED = "changed"
    UNKNOWN = "unknown"
    WEAK = "weak"

    @property
    def accepted(self) -> bool:
        return self in (Verdict.TRUSTED, Verdict.FIRST_USE)


class HostKeyStore(Protocol):
    """The trusted keys of a deployment, by the address and port netatlas connects to."""

    async def trusted(self, host: str, port: int) -> str | None:
        """The trusted key (OpenSSH text) for ``host:port``, or None when there is none."""
        ...

    async def remember(self, host: str, port: int, device_name: str, key: str, trusted_by: TrustedBy) -> None:
        """Trust ``key`` for ``host:port``; a different key already trusted there is kept, never replaced.

        Called after every accepted handshake: for a key already trusted it only records that it was
        seen again (and the device name, if the key had none), whatever ``trusted_by`` says.
        """
        ...


@dataclass(frozen=True, slots=True)
class KnownKey:
    key: str
    device_name: str
    trusted_by: TrustedBy


@dataclass(slots=True)
class MemoryHostKeys:
    """A :class:`HostKeyStore` in a dict (tests and development; forgotten when the process ends).

    Examples:
        >>> import asyncio
        >>> keys = MemoryHostKeys()
        >>> asyncio.run(keys.remember("10.0.0.1", 22, "r1", "ssh-ed25519 AAAA", TrustedBy.FIRST_USE))
        >>> asyncio.run(keys.remember("10.0.0.1", 22, "r1", "ssh-ed25519 BBBB", TrustedBy.FIRST_USE))
        >>> asyncio.run(keys.trusted("10.0.0.1", 22)), asyncio.run(keys.trusted("10.0.0.1", 2222))
        ('ssh-ed25519 AAAA', None)
    """

    keys: dict[tuple[str, int], KnownKey] = field(default_factory=dict)

    async def trusted(self, host: str, port: int) -> str | None:
        known = self.keys.get((host, port))
        return None if known is None else known.key

    async def remember(self, host: str, port: int, device_name: str, key: str, trusted_by: TrustedBy) -> None:
        known = self.keys.setdefault((host, port), KnownKey(openssh_key(key), device_name, trusted_by))
        if known.key == openssh_key(key) and device_name and not known.device_name:
            self.keys[(host, port)] = KnownKey(known.key, device_name, known.trusted_by)


@dataclass(frozen=True, slots=True)
class HostKeyCheck:
    """A store and the policy for keys it does not know: what ``collect_device`` verifies against."""

    store: HostKeyStore
    policy: HostKeyPolicy = HostKeyPolicy.TOFU


def openssh_key(text: str) -> str:
    """The key as ``type base64`` (comment and surrounding blanks dropped).

    Examples:
        >>> openssh_key("  ssh-ed25519 AAAAC3Nz core1@lab\\n")
        'ssh-ed25519 AAAAC3Nz'
        >>> openssh_key("garbage")
        Traceback (most recent call last):
        ...
        ValueError: not an OpenSSH public key (expected 'TYPE BASE64')
    """
    parts = text.split()
    if len(parts) < 2:
        raise ValueError("not an OpenSSH public key (expected 'TYPE BASE64')")
    return f"{parts[0]} {parts[1]}"


def key_type(key: str) -> str:
    """
    Examples:
        >>> key_type("ssh-rsa AAAAB3Nz")
        'ssh-rsa'
    """
    return key.split(maxsplit=1)[0]


def fingerprint(key: str) -> str:
    """The OpenSSH SHA256 fingerprint of a public key's text (what ``ssh-keygen -lf`` prints).

    Examples:
        >>> fingerprint("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN4iGRZOzaqHtTQSUQmGtbMFgloeyRIN3T9GQLa9IHfy")
        'SHA256:DXZuXrie10fBTZRIKVF4MtWwemX1r0kLqM4iCJ0xJV4'
        >>> fingerprint("ssh-ed25519 !!!")
        'SHA256:(not base64)'
    """
    try:
        blob = base64.b64decode(openssh_key(key).split()[1], validate=True)
    except (binascii.Error, ValueError):
        return "SHA256:(not base64)"
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def judge(presented: str, trusted: str | None, policy: HostKeyPolicy, *, rsa_bits: int | None = None,
          legacy: bool = False) -> Verdict:
    """The verdict on the key a server presents (see the module docstring's table).

    Examples:
        >>> k1, k2 = "ssh-ed25519 AAAA1", "ssh-ed25519 AAAA2"
        >>> judge(k1, k1, HostKeyPolicy.STRICT), judge(k2, k1, HostKeyPolicy.TOFU)
        (<Verdict.TRUSTED: 'trusted'>, <Verdict.CHANGED: 'changed'>)
        >>> judge(k1, None, HostKeyPolicy.TOFU), judge(k1, None, HostKeyPolicy.STRICT)
        (<Verdict.FIRST_USE: 'first_use'>, <Verdict.UNKNOWN: 'unknown'>)
        >>> judge("ssh-rsa AAAA", None, HostKeyPolicy.TOFU, rsa_bits=1024)
        <Verdict.WEAK: 'weak'>
        >>> judge("ssh-rsa AAAA", None, HostKeyPolicy.TOFU, rsa_bits=1024, legacy=True)
        <Verdict.FIRST_USE: 'first_use'>
    """
    if rsa_bits is not None and rsa_bits < MIN_RSA_BITS and not legacy:
        return Verdict.WEAK
    if trusted is not None:
        return Verdict.TRUSTED if openssh_key(trusted) == openssh_key(presented) else Verdict.CHANGED
    return Verdict.FIRST_USE if policy is HostKeyPolicy.TOFU else Verdict.UNKNOWN


def refusal(verdict: Verdict, where: str, presented: str, trusted: str | None, rsa_bits: int | None) -> CollectError:
    """The error for a refused key; it says that no password was sent and how to trust a key."""
    shown = f"{key_type(presented)} {fingerprint(presented)}"
    if verdict is Verdict.CHANGED:
        old = f"{key_type(trusted)} {fingerprint(trusted)}" if trusted else "none"
        return HostKeyChanged(f"{where}: the SSH host key CHANGED (trusted {old}, presented {shown}); "
                              "no password was sent. If the device was really replaced, trust its new key with "
                              "'netatlas devices trust NAME'")
    if verdict is Verdict.UNKNOWN:
        return HostKeyUnknown(f"{where}: the SSH host key {shown} is not trusted and the host-key policy is strict; "
                              "no password was sent. Trust it with 'netatlas devices trust NAME' "
                              "(or --from-known-hosts FILE)")
    return Unreachable(f"{where}: the SSH host key is {shown} of {rsa_bits} bits, under {MIN_RSA_BITS}: refused "
                       "unless the device or credential sets legacy_ssh; no password was sent")
