"""The SSH handshake: algorithms offered, the host key judged before login, what was negotiated.

:func:`open_connection` connects and logs in. The server's host key is judged inside key exchange
(asyncssh's ``SSHClient.validate_host_public_key``, called before user authentication starts) by
:func:`netatlas.collect.hostkeys.judge`; a refused key ends the handshake with
:class:`~netatlas.domain.errors.HostKeyChanged` / ``HostKeyUnknown`` (or ``Unreachable`` for a weak
key) and no password is ever sent. An accepted key is remembered in the store (trusted on first use,
or seen again: the store moves its ``last_seen``), even when the login then fails.

Algorithms: :data:`MODERN` only, unless the session opts in to :data:`LEGACY`; then the legacy
algorithms actually negotiated are named in a warning.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass

import asyncssh

from netatlas.collect.hostkeys import (
    MIN_RSA_BITS,
    HostKeyCheck,
    HostKeyPolicy,
    TrustedBy,
    Verdict,
    fingerprint,
    judge,
    openssh_key,
    refusal,
)
from netatlas.collect.shell_reader import DEFAULT_LIMITS, Limits
from netatlas.domain.errors import AuthFailed, Disconnected, Unreachable
from netatlas.domain.inventory import Credential


@dataclass(frozen=True, slots=True)
class Algorithms:
    kex: tuple[str, ...]
    encryption: tuple[str, ...]
    mac: tuple[str, ...]
    host_key: tuple[str, ...]

    def __add__(self, other: Algorithms) -> Algorithms:
        return Algorithms(self.kex + other.kex, self.encryption + other.encryption, self.mac + other.mac,
                          self.host_key + other.host_key)

    def names(self) -> frozenset[str]:
        return frozenset((*self.kex, *self.encryption, *self.mac, *self.host_key))


# Cheap first (AES-NI GCM/CTR, curve25519). No SHA-1, no CBC, no SHA-1 RSA signatures.
MODERN = Algorithms(
    kex=("curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384",
         "ecdh-sha2-nistp521", "diffie-hellman-group14-sha256", "diffie-hellman-group16-sha512",
         "diffie-hellman-group-exchange-sha256"),
    encryption=("aes128-gcm@openssh.com", "aes128-ctr", "aes256-gcm@openssh.com", "aes256-ctr", "aes192-ctr",
                "chacha20-poly1305@openssh.com"),
    mac=("hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "hmac-sha2-256", "hmac-sha2-512"),
    host_key=("ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "rsa-sha2-512",
              "rsa-sha2-256"),
)
# Offered after the modern ones, only with an explicit per-device or per-credential opt-in.
LEGACY = Algorithms(
    kex=("diffie-hellman-group14-sha1", "diffie-hellman-group-exchange-sha1", "diffie-hellman-group1-sha1"),
    encryption=("aes128-cbc", "aes256-cbc", "aes192-cbc", "3des-cbc"),
    mac=("hmac-sha1",),
    host_key=("ssh-rsa",),
)
_NO_KNOWN_HOSTS: tuple[list[asyncssh.SSHKey], list[asyncssh.SSHKey], list[asyncssh.SSHKey]] = ([], [], [])


@dataclass(frozen=True, slots=True)
class SshOptions:
    """What one session may do: whose host keys it trusts, its output caps, legacy algorithms.

    ``host_keys=None``: the key is NOT verified (a warning says so); pass a :class:`HostKeyCheck`.
    ``device_name`` is recorded with a key trusted on first use ("" when not known, e.g. a seed).
    """

    host_keys: HostKeyCheck | None = None
    limits: Limits = DEFAULT_LIMITS
    legacy_algorithms: bool = False
    device_name: str = ""


class _VerifyingClient(asyncssh.SSHClient):
    """Judges the server's host key during key exchange, i.e. before any authentication."""

    def __init__(self, trusted: str | None, policy: HostKeyPolicy, legacy: bool) -> None:
        self.trusted, self._policy, self._legacy = trusted, policy, legacy
        self._conn: asyncssh.SSHClientConnection | None = None
        self.verdict: Verdict | None = None
        self.presented = ""
        self.rsa_bits: int | None = None
        self.kex = ""

    def connection_made(self, conn: asyncssh.SSHClientConnection) -> None:
        self._conn = conn

    def validate_host_public_key(self, host: str, addr: str, port: int, key: asyncssh.SSHKey) -> bool:
        self.presented = " ".join(key.export_public_key("openssh").decode("ascii").split()[:2])
        pyca = getattr(key, "pyca_key", None)
        self.rsa_bits = getattr(pyca, "key_size", None) if key.algorithm == b"ssh-rsa" else None
        kex = getattr(getattr(self._conn, "_kex", None), "algorithm", b"")  # asyncssh keeps it private
        self.kex = kex.decode("ascii", "replace") if isinstance(kex, bytes) else ""
        self.verdict = judge(self.presented, self.trusted, self._policy, rsa_bits=self.rsa_bits,
                             legacy=self._legacy)
        return self.verdict.accepted


def _algorithms(legacy: bool) -> Algorithms:
    return MODERN + LEGACY if legacy else MODERN


def _host_key_algs(trusted: str | None, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """Ask for the trusted key's own type, so that a server with several keys presents that one."""
    if trusted is None:
        return allowed
    try:
        sig_algs = {a.decode("ascii") for a in asyncssh.import_public_key(trusted).sig_algorithms}
    except (asyncssh.KeyImportError, ValueError):
        return allowed
    return tuple(a for a in allowed if a in sig_algs) or allowed


def _connection_options(credential: Credential, client: _VerifyingClient, algs: Algorithms,
                        trusted: str | None) -> asyncssh.SSHClientConnectionOptions:
    return asyncssh.SSHClientConnectionOptions(
        username=credential.username,
        password=credential.password,
        client_factory=lambda: client,
        known_hosts=_NO_KNOWN_HOSTS,  # nothing pre-trusted: every key goes through validate_host_public_key
        x509_trusted_certs=None,
        config=None,  # never read the user's ~/.ssh/config
        client_keys=None,
        agent_path=None,
        gss_auth=False,
        gss_kex=False,
        host_based_auth=False,
        preferred_auth=("password", "keyboard-interactive"),
        encryption_algs=algs.encryption,
        kex_algs=algs.kex,
        mac_algs=algs.mac,
        server_host_key_algs=_host_key_algs(trusted, algs.host_key),
        compression_algs=("none",),
    )


async def open_connection(where: str, credential: Credential, options: SshOptions,
                trusted: str | None) -> tuple[asyncssh.SSHClientConnection, tuple[str, ...]]:
    """Connect and log in; the key is judged in the handshake and a first-use key remembered."""
    check = options.host_keys
    policy = HostKeyPolicy.TOFU if check is None else check.policy
    client = _VerifyingClient(trusted, policy, options.legacy_algorithms)
    algs = _algorithms(options.legacy_algorithms)
    try:
        conn = await _connect(where, credential, _connection_options(credential, client, algs, trusted), client)
    finally:
        if check is not None and client.verdict is not None and client.verdict.accepted:  # new, or seen again
            host, _, port = where.rpartition(":")
            await check.store.remember(host, int(port), options.device_name, client.presented, TrustedBy.FIRST_USE)
    return conn, _warnings(where, conn, client, check is None)


async def _connect(where: str, credential: Credential, options: asyncssh.SSHClientConnectionOptions,
                   client: _VerifyingClient) -> asyncssh.SSHClientConnection:
    """asyncssh.connect with its failures translated (timeouts are the caller's)."""
    host, _, port = where.rpartition(":")
    try:
        return await asyncssh.connect(host, int(port), options=options)
    except TimeoutError:
        raise
    except asyncssh.PermissionDenied as exc:
        raise AuthFailed(f"{where}: authentication refused for user {credential.username!r} "
                         f"(credential set {credential.name!r})") from exc
    except asyncssh.ConnectionLost as exc:
        raise Disconnected(f"{where}: connection lost during SSH login: {exc.reason}") from exc
    except asyncssh.Error as exc:
        if client.verdict is not None and not client.verdict.accepted:
            raise refusal(client.verdict, where, client.presented, client.trusted, client.rsa_bits) from exc
        hint = " (legacy algorithms need legacy_ssh on the device or credential)" \
            if isinstance(exc, asyncssh.KeyExchangeFailed) else ""
        raise Unreachable(f"{where}: SSH handshake failed: {exc.reason}{hint}") from exc
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc) or type(exc).__name__
        raise Unreachable(f"{where}: cannot connect: {reason}") from exc


def _warnings(where: str, conn: asyncssh.SSHClientConnection, client: _VerifyingClient,
              unverified: bool) -> tuple[str, ...]:
    warnings = []
    if unverified:
        warnings.append(f"{where}: SSH host key NOT verified (no host-key store given): "
                        f"{client.presented.split(' ', 1)[0]} {fingerprint(client.presented)}")
    negotiated = {"kex": client.kex, "cipher": conn.get_extra_info("send_cipher", ""),
                  "mac": conn.get_extra_info("send_mac", "")}
    legacy = [f"{what} {name}" for what, name in negotiated.items() if name in LEGACY.names()]
    if client.rsa_bits is not None and client.rsa_bits < MIN_RSA_BITS:
        legacy.append(f"host key ssh-rsa of {client.rsa_bits} bits")
    if legacy:
        warnings.append(f"{where}: legacy SSH algorithms negotiated (allowed by legacy_ssh): {', '.join(legacy)}")
    return tuple(warnings)


async def presented_key(host: str, port: int, timeout: float) -> str:
    """The host key a server presents, read in the key exchange: no user authentication, nothing sent."""
    where = f"{host}:{port}"
    try:
        async with asyncio.timeout(timeout):
            key = await asyncssh.get_server_host_key(host, port, config=None)
    except TimeoutError:
        raise Unreachable(f"{where}: no SSH key exchange within {timeout:g} s") from None
    except (asyncssh.Error, OSError) as exc:
        raise Unreachable(f"{where}: cannot read the SSH host key: {exc}") from exc
    if key is None:
        raise Unreachable(f"{where}: the server presented no host key")
    return openssh_key(key.export_public_key("openssh").decode())
