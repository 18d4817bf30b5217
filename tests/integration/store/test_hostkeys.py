"""Trusted host keys on both backends: first use wins atomically, only an operator replaces a key."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from netatlas.store import Database, HostKeyEntry, HostKeyRepo, TrustSource

pytestmark = pytest.mark.integration


def key(blob: str, host: str = "127.30.0.1", port: int = 22) -> HostKeyEntry:
    return HostKeyEntry(host, port, "ssh-ed25519", f"ssh-ed25519 {blob}", f"SHA256:{blob}", "sw1")


def test_first_use_is_remembered_and_never_replaced_by_another_first_use(db: Database) -> None:
    with db.session() as session:
        first = HostKeyRepo(session).remember(key("AAAA"))
    with db.session() as session:
        second = HostKeyRepo(session).remember(key("BBBB"))
    assert first.trusted_by is TrustSource.FIRST_USE and first.matches("ssh-ed25519 AAAA")
    assert second.entry == first.entry, "the stored key is returned for the caller to compare"
    assert not second.matches("ssh-ed25519 BBBB")


def test_an_operator_replaces_the_key_and_seen_moves_last_seen(db: Database) -> None:
    with db.session() as session:
        HostKeyRepo(session).remember(key("AAAA"))
    with db.session() as session:
        HostKeyRepo(session).trust(key("BBBB"), TrustSource.OPERATOR)
    with db.session() as session:
        HostKeyRepo(session).seen("127.30.0.1", 22, "core1")
    with db.session(readonly=True) as session:
        stored = HostKeyRepo(session).get("127.30.0.1", 22)
        assert HostKeyRepo(session).get("127.30.0.1", 2222) is None
    assert stored is not None and stored.matches("ssh-ed25519 BBBB")
    assert stored.trusted_by is TrustSource.OPERATOR and stored.entry.device_name == "core1"
    assert stored.last_seen >= stored.first_seen


def test_list_and_forget(db: Database) -> None:
    with db.session() as session:
        repo = HostKeyRepo(session)
        repo.trust(key("BBBB", "127.30.0.2"), TrustSource.KNOWN_HOSTS)
        repo.remember(key("AAAA", "127.30.0.1"))
    with db.session() as session:
        repo = HostKeyRepo(session)
        assert [(k.entry.host, k.trusted_by) for k in repo.list()] == [
            ("127.30.0.1", TrustSource.FIRST_USE), ("127.30.0.2", TrustSource.KNOWN_HOSTS)]
        assert repo.forget("127.30.0.1", 22) and not repo.forget("127.30.0.1", 22)


def test_concurrent_first_uses_agree_on_one_key(db: Database) -> None:
    start = threading.Barrier(4)

    def first_use(index: int) -> str:
        start.wait()
        with db.session() as session:
            return HostKeyRepo(session).remember(key(f"KEY{index}")).entry.public_key

    with ThreadPoolExecutor(4) as pool:
        seen = set(pool.map(first_use, range(4)))
    assert len(seen) == 1
