"""The deployment's host keys: the ``host_key`` table behind the collector's ``HostKeyStore``, and the
operator's ways to trust a key (the one a device presents now, or one from an OpenSSH known_hosts file).

The transport asks :class:`DatabaseHostKeys` for the key trusted for an address before it sends a
password (``netatlas.collect.hostkeys`` judges the presented key under the active policy);
``trust_presented`` and ``trust_from_known_hosts`` serve ``netatlas devices trust``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path

from netatlas.collect.handshake import presented_key
from netatlas.collect.hostkeys import HostKeyCheck, HostKeyPolicy, TrustedBy, fingerprint, key_type, openssh_key
from netatlas.domain.errors import NetatlasError, NotFound
from netatlas.domain.inventory import InventoryDevice
from netatlas.settings import Settings
from netatlas.store import Database, HostKeyEntry, HostKeyRepo, StoredHostKey, TrustSource

KNOWN_HOSTS_MAX_BYTES = 16 * 1024 * 1024
_HASHED = "|1|"
_KEY_PREFERENCE = ("ssh-ed25519", "ecdsa-sha2-", "rsa-sha2-", "ssh-rsa")


@dataclass(frozen=True, slots=True)
class DatabaseHostKeys:
    """``HostKeyStore`` over the database; the calls run off the event loop."""

    db: Database

    async def trusted(self, host: str, port: int) -> str | None:
        return await asyncio.to_thread(self._trusted, host, port)

    async def remember(self, host: str, port: int, device_name: str, key: str, trusted_by: TrustedBy) -> None:
        """Trust ``key`` unless another is trusted already (kept: only an operator replaces a key);
        the same key again only moves ``last_seen``."""
        await asyncio.to_thread(self._remember, entry(host, port, key, device_name), TrustSource(trusted_by.value))

    def _trusted(self, host: str, port: int) -> str | None:
        with self.db.session(readonly=True) as session:
            stored = HostKeyRepo(session).get(host, port)
        return None if stored is None else stored.entry.public_key

    def _remember(self, new: HostKeyEntry, trusted_by: TrustSource) -> None:
        with self.db.session() as session:
            repo = HostKeyRepo(session)
            stored = repo.remember(new, trusted_by)
            if stored.matches(new.public_key):
                repo.seen(new.host, new.port, new.device_name)


def policy_of(settings: Settings) -> HostKeyPolicy:
    """``NETATLAS_HOST_KEY_POLICY``, else trust on first use in development and strict in production.

    Examples:
        >>> policy_of(Settings(environment="development")), policy_of(Settings(host_key_policy="strict"))
        (<HostKeyPolicy.TOFU: 'tofu'>, <HostKeyPolicy.STRICT: 'strict'>)
    """
    if settings.host_key_policy is not None:
        return HostKeyPolicy(settings.host_key_policy)
    return HostKeyPolicy.STRICT if settings.environment == "production" else HostKeyPolicy.TOFU


def host_key_check(db: Database, settings: Settings) -> HostKeyCheck:
    """What every discovery and seed probe verifies host keys against."""
    return HostKeyCheck(DatabaseHostKeys(db), policy_of(settings))


def entry(host: str, port: int, key: str, device_name: str = "") -> HostKeyEntry:
    """A key as stored: OpenSSH text without comment, its type and SHA256 fingerprint.

    Examples:
        >>> key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
        >>> e = entry("10.0.0.1", 22, key + " x@y")
        >>> e.public_key.endswith("GKJl"), e.key_type, e.fingerprint
        (True, 'ssh-ed25519', 'SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU')
    """
    text = openssh_key(key)
    return HostKeyEntry(host, port, key_type(text), text, fingerprint(text), device_name)


@dataclass(frozen=True, slots=True)
class TrustOutcome:
    """One device of ``devices trust``: the key now trusted, or why none is."""

    device: str
    key: StoredHostKey | None = None
    problem: str = ""


async def trust_presented(db: Database, devices: Sequence[InventoryDevice], timeout: float,
                          concurrency: int = 20) -> list[TrustOutcome]:
    """Trust the key each device presents now (read without logging in), replacing any other."""
    gate = asyncio.Semaphore(concurrency)

    async def one(device: InventoryDevice) -> TrustOutcome:
        async with gate:
            try:
                key = await presented_key(device.host, device.port, timeout)
            except NetatlasError as exc:
                return TrustOutcome(device.name, problem=str(exc))
        return await asyncio.to_thread(_trust, db, entry(device.host, device.port, key, device.name),
                                       TrustSource.OPERATOR)

    return list(await asyncio.gather(*(one(d) for d in devices)))


def trust_from_known_hosts(db: Database, devices: Sequence[InventoryDevice], text: str) -> list[TrustOutcome]:
    """Trust, for each device, the key an OpenSSH known_hosts text lists for its address and port."""
    outcomes = []
    for device in devices:
        keys = known_hosts_keys(text, device.host, device.port)
        if not keys:
            where = device.host if device.port == 22 else f"[{device.host}]:{device.port}"
            outcomes.append(TrustOutcome(device.name, problem=f"no key for {where} in the known_hosts file"))
            continue
        chosen = min(keys, key=_preference)
        outcomes.append(_trust(db, entry(device.host, device.port, chosen, device.name), TrustSource.KNOWN_HOSTS))
    return outcomes


def trust_known_hosts_file(db: Database, text: str, devices: Sequence[InventoryDevice] = ()) -> list[TrustOutcome]:
    """Trust every entry of a known_hosts text that names one address (``10.0.0.1``, ``[10.0.0.1]:2222``):
    so that a strict crawl may log in to devices not stored yet. Hashed and wildcard entries name no
    address and are skipped; a stored device at the address lends its name."""
    names = {(d.host, d.port): d.name for d in devices}
    chosen: dict[tuple[str, int], str] = {}
    for address, key in known_hosts_addresses(text):
        if address not in chosen or _preference(key) < _preference(chosen[address]):
            chosen[address] = key
    return [_trust(db, entry(host, port, key, names.get((host, port), "")), TrustSource.KNOWN_HOSTS)
            for (host, port), key in sorted(chosen.items())]


def known_hosts_addresses(text: str) -> list[tuple[tuple[str, int], str]]:
    """((address, port), key) for each literal IP address a known_hosts text lists.

    Examples:
        >>> known_hosts_addresses("10.0.0.1,sw1 ssh-ed25519 AAAA1\\n[10.0.0.2]:2222 ssh-rsa AAAA2\\n*.lab ssh-rsa X\\n")
        [(('10.0.0.1', 22), 'ssh-ed25519 AAAA1'), (('10.0.0.2', 2222), 'ssh-rsa AAAA2')]
    """
    found = []
    for patterns, key in _entries(text):
        for pattern in patterns.split(","):
            address = _literal_address(pattern)
            if address is not None:
                found.append((address, key))
    return found


def _literal_address(pattern: str) -> tuple[str, int] | None:
    match = re.fullmatch(r"\[([^\]]+)\]:(\d{1,5})|([^\[\]*?!|]+)", pattern)
    if match is None:
        return None
    host, port = (match.group(1), int(match.group(2))) if match.group(1) else (match.group(3), 22)
    try:
        ip_address(host)
    except ValueError:
        return None
    return (host, port) if 0 < port < 65536 else None


def _trust(db: Database, new: HostKeyEntry, trusted_by: TrustSource) -> TrustOutcome:
    with db.session() as session:
        repo = HostKeyRepo(session)
        repo.trust(new, trusted_by)
        stored = repo.get(new.host, new.port)
    return TrustOutcome(new.device_name, stored)


def _preference(key: str) -> int:
    """Several keys for one address: the strongest type is the one stored."""
    kind = key_type(key)
    return next((i for i, prefix in enumerate(_KEY_PREFERENCE) if kind.startswith(prefix)), len(_KEY_PREFERENCE))


def known_hosts_keys(text: str, host: str, port: int) -> list[str]:
    """The keys an OpenSSH known_hosts text holds for ``host:port`` (plain, wildcard or hashed names;
    ``@revoked`` and ``@cert-authority`` lines and negated patterns are not trust).

    Examples:
        >>> text = "sw1,10.0.0.1 ssh-ed25519 AAAA1 c\\n[10.0.0.2]:2222 ssh-rsa AAAA2\\n@revoked 10.0.0.1 ssh-rsa X\\n"
        >>> known_hosts_keys(text, "10.0.0.1", 22), known_hosts_keys(text, "10.0.0.2", 2222)
        (['ssh-ed25519 AAAA1'], ['ssh-rsa AAAA2'])
        >>> known_hosts_keys(text, "10.0.0.2", 22)
        []
        >>> salt = base64.b64encode(b"0" * 20).decode()
        >>> digest = base64.b64encode(hmac.new(b"0" * 20, b"10.0.0.9", hashlib.sha1).digest()).decode()
        >>> known_hosts_keys(f"|1|{salt}|{digest} ssh-ed25519 AAAA9", "10.0.0.9", 22)
        ['ssh-ed25519 AAAA9']
    """
    name = host if port == 22 else f"[{host}]:{port}"
    return [key for patterns, key in _entries(text) if _matches(patterns, name)]


def read_known_hosts(path: Path) -> str:
    """The file's text, bounded and UTF-8 (a known_hosts file is operator input, not trusted to be small)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(KNOWN_HOSTS_MAX_BYTES + 1)
    except OSError as exc:
        raise NotFound(f"{path}: cannot read the known_hosts file: {exc.strerror or exc}") from exc
    if len(data) > KNOWN_HOSTS_MAX_BYTES:
        raise NotFound(f"{path}: larger than {KNOWN_HOSTS_MAX_BYTES} bytes: not a known_hosts file")
    return data.decode("utf-8", errors="replace")


def _entries(text: str) -> Iterator[tuple[str, str]]:
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 3 or fields[0].startswith(("#", "@")):
            continue
        yield fields[0], f"{fields[1]} {fields[2]}"


def _matches(patterns: str, name: str) -> bool:
    if patterns.startswith(_HASHED):
        return _hashed_match(patterns, name)
    listed = patterns.split(",")
    if any(p.startswith("!") and _glob(p[1:]).fullmatch(name) for p in listed):
        return False
    return any(not p.startswith("!") and _glob(p).fullmatch(name) for p in listed)


def _glob(pattern: str) -> re.Pattern[str]:
    """An OpenSSH host pattern: ``*`` and ``?`` are wildcards, everything else (``[``, ``]``) literal."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern))


def _hashed_match(pattern: str, name: str) -> bool:
    try:
        _, _, salt, digest = pattern.split("|", 3)
        key, expected = base64.b64decode(salt, validate=True), base64.b64decode(digest, validate=True)
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(hmac.new(key, name.encode(), hashlib.sha1).digest(), expected)
