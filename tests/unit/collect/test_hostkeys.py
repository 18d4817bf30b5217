"""Host-key verdicts, the in-memory store and the refusal messages (no network)."""

from __future__ import annotations

import asyncio

import asyncssh
import pytest

from netatlas.collect.hostkeys import (
    HostKeyPolicy,
    MemoryHostKeys,
    TrustedBy,
    Verdict,
    fingerprint,
    judge,
    openssh_key,
    refusal,
)
from netatlas.domain.errors import HostKeyChanged, HostKeyUnknown, Unreachable
from netatlas.domain.records import ErrorKind


def new_key(alg: str = "ssh-ed25519", key_size: int = 2048) -> tuple[str, asyncssh.SSHKey]:
    private = asyncssh.generate_private_key(alg, key_size=key_size) if alg == "ssh-rsa" else \
        asyncssh.generate_private_key(alg)
    public = private.convert_to_public()
    return openssh_key(public.export_public_key("openssh").decode()), public


def test_fingerprint_is_openssh_s() -> None:
    text, key = new_key()
    assert fingerprint(text) == key.get_fingerprint("sha256")


@pytest.mark.parametrize("policy", list(HostKeyPolicy))
def test_a_trusted_key_is_accepted_and_any_other_refused_whatever_the_policy(policy: HostKeyPolicy) -> None:
    (k1, _), (k2, _) = new_key(), new_key()
    assert judge(k1, k1 + " comment", policy) is Verdict.TRUSTED
    assert judge(k2, k1, policy) is Verdict.CHANGED
    assert not Verdict.CHANGED.accepted


def test_unknown_keys_depend_on_the_policy() -> None:
    key, _ = new_key()
    assert judge(key, None, HostKeyPolicy.TOFU) is Verdict.FIRST_USE
    assert judge(key, None, HostKeyPolicy.STRICT) is Verdict.UNKNOWN


def test_a_1024_bit_rsa_key_is_weak_even_when_trusted_unless_legacy() -> None:
    key, _ = new_key("ssh-rsa", key_size=1024)
    assert judge(key, key, HostKeyPolicy.TOFU, rsa_bits=1024) is Verdict.WEAK
    assert judge(key, key, HostKeyPolicy.TOFU, rsa_bits=1024, legacy=True) is Verdict.TRUSTED
    assert judge(key, key, HostKeyPolicy.STRICT, rsa_bits=2048) is Verdict.TRUSTED


def test_memory_store_never_replaces_a_trusted_key() -> None:
    store = MemoryHostKeys()
    (k1, _), (k2, _) = new_key(), new_key()

    async def scenario() -> tuple[str | None, str | None]:
        await store.remember("10.0.0.1", 22, "r1", k1 + " with a comment", TrustedBy.FIRST_USE)
        await store.remember("10.0.0.1", 22, "evil", k2, TrustedBy.FIRST_USE)
        return await store.trusted("10.0.0.1", 22), await store.trusted("10.0.0.2", 22)

    assert asyncio.run(scenario()) == (k1, None)
    assert store.keys[("10.0.0.1", 22)].device_name == "r1"


def test_refusals_say_no_password_was_sent_and_how_to_trust() -> None:
    (k1, _), (k2, _) = new_key(), new_key()
    changed = refusal(Verdict.CHANGED, "10.0.0.1:22", k2, k1, None)
    assert isinstance(changed, HostKeyChanged) and changed.kind is ErrorKind.HOST_KEY_CHANGED
    assert fingerprint(k1) in str(changed) and fingerprint(k2) in str(changed)
    assert "no password was sent" in str(changed) and "netatlas devices trust" in str(changed)
    unknown = refusal(Verdict.UNKNOWN, "10.0.0.1:22", k2, None, None)
    assert isinstance(unknown, HostKeyUnknown) and "strict" in str(unknown)
    weak = refusal(Verdict.WEAK, "10.0.0.1:22", k2, None, 1024)
    assert isinstance(weak, Unreachable) and "1024 bits" in str(weak) and "legacy_ssh" in str(weak)


def test_host_key_kinds_are_never_retried() -> None:
    assert not ErrorKind.HOST_KEY_CHANGED.transient and not ErrorKind.HOST_KEY_UNKNOWN.transient
    assert not ErrorKind.OUTPUT_TOO_LARGE.transient and not ErrorKind.INTERNAL.transient
