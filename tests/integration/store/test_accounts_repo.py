"""UserRepo, TokenRepo and ThrottleRepo on SQLite and PostgreSQL: constraints, the one-lookup reads,
and the brake's count under concurrent failures."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import text

from netatlas.domain.accounts import Role
from netatlas.domain.errors import Conflict, NotFound
from netatlas.store import Database, ThrottleRepo, TokenRepo, UserRepo
from netatlas.store.database import RecordRejected
from netatlas.store.tables import utcnow

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]
HASH = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"


def test_users(db: Database) -> None:
    with db.session() as session:
        users = UserRepo(session)
        users.add("alice", HASH, Role.ADMIN)
        users.add("bob", HASH, Role.VIEWER)
        with pytest.raises(Conflict):
            users.add("alice", HASH, Role.VIEWER)
    with db.session() as session:
        users = UserRepo(session)
        assert [(u.name, u.role, u.disabled) for u in users.list()] == [("alice", Role.ADMIN, False),
                                                                       ("bob", Role.VIEWER, False)]
        assert users.count() == 2 and users.admins() == 1
        login = users.login_of("bob")
        assert login is not None and login.token_version == 0 and HASH not in repr(login)
        assert users.login_of("carol") is None
        bob = login.id
    with db.session() as session:
        UserRepo(session).update("bob", role=Role.ADMIN, disabled=True)
    with db.session(readonly=True) as session:
        users = UserRepo(session)
        state = users.session_of(bob)
        assert state is not None and (state.role, state.disabled, state.token_version) == (Role.ADMIN, True, 1)
        assert users.admins() == 1 and users.admins(enabled_only=False) == 2
        assert users.session_of(bob + 1000) is None
    with db.session() as session:
        UserRepo(session).update("bob", password_hash="other", revoke_sessions=False)
        UserRepo(session).delete("bob")
        with pytest.raises(NotFound):
            UserRepo(session).update("bob", disabled=False)


def test_the_database_refuses_a_second_user_of_a_name(db: Database) -> None:
    with db.session() as session:
        UserRepo(session).add("alice", HASH, Role.ADMIN)
    with pytest.raises(RecordRejected), db.session() as session:  # past the repository's check
        session.execute(text("INSERT INTO api_user (name, password_hash, role, disabled, token_version, "
                             "created_at, updated_at) VALUES ('alice', 'x', 'viewer', false, 0, "
                             "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))


def test_user_ids_are_never_reused(db: Database) -> None:
    ids = []
    for _ in range(2):
        with db.session() as session:
            UserRepo(session).add("alice", HASH, Role.ADMIN)
            found = UserRepo(session).login_of("alice")
            assert found is not None
            ids.append(found.id)
            UserRepo(session).delete("alice")
    assert ids[1] > ids[0]


def test_tokens(db: Database) -> None:
    with db.session() as session:
        tokens = TokenRepo(session)
        tokens.add("ci", "a" * 64, "nat_aaaaaaaa", Role.OPERATOR, created_by="alice")
        with pytest.raises(Conflict):
            tokens.add("ci", "b" * 64, "nat_bbbbbbbb", Role.OPERATOR)
    with db.session(readonly=True) as session:
        match = TokenRepo(session).find("a" * 64)
        assert match is not None and (match.name, match.role, match.last_used_at) == ("ci", Role.OPERATOR, None)
        assert TokenRepo(session).find("c" * 64) is None
    with db.session() as session:
        assert TokenRepo(session).revoke("ci").revoked
        TokenRepo(session).add("ci", "b" * 64, "nat_bbbbbbbb", Role.VIEWER)  # the name is free again
    with db.session(readonly=True) as session:
        tokens = TokenRepo(session)
        assert tokens.find("a" * 64) is None
        assert [(t.prefix, t.revoked) for t in tokens.list(include_revoked=True)] == [("nat_aaaaaaaa", True),
                                                                                      ("nat_bbbbbbbb", False)]
        assert [t.prefix for t in tokens.list()] == ["nat_bbbbbbbb"]
        assert tokens.get("ci").role is Role.VIEWER


def test_one_active_token_per_name_is_the_database_s_rule(db: Database) -> None:
    with db.session() as session:
        TokenRepo(session).add("ci", "a" * 64, "nat_aaaaaaaa", Role.OPERATOR)
    insert = text("INSERT INTO api_token (name, token_hash, prefix, role, created_by, created_at) "
                  "VALUES ('ci', :hash, 'nat_x', 'viewer', '', CURRENT_TIMESTAMP)")
    with pytest.raises(RecordRejected), db.session() as session:
        session.execute(insert, {"hash": "b" * 64})
    with db.session() as session:
        session.execute(text("UPDATE api_token SET revoked_at = CURRENT_TIMESTAMP"))
    with pytest.raises(RecordRejected), db.session() as session:  # nor two tokens of one hash
        session.execute(insert, {"hash": "a" * 64})


def test_token_use_is_recorded_at_most_once_per_period(db: Database) -> None:
    with db.session() as session:
        TokenRepo(session).add("ci", "a" * 64, "nat_aaaaaaaa", Role.OPERATOR)
        token_id = TokenRepo(session).find("a" * 64).id  # type: ignore[union-attr]
    start, every = utcnow(), timedelta(minutes=1)
    for when, expected in ((start, start), (start + timedelta(seconds=59), start),
                           (start + timedelta(seconds=61), start + timedelta(seconds=61))):
        with db.session() as session:
            TokenRepo(session).used(token_id, when, every)
        with db.session(readonly=True) as session:
            assert TokenRepo(session).get("ci").last_used_at == expected


def test_the_brake_counts_every_concurrent_failure(db: Database) -> None:
    now = utcnow()

    def fail_once(_: int) -> None:
        with db.session() as session:
            ThrottleRepo(session).failed("alice", now, window=timedelta(minutes=15), limit=100,
                                         lockout=timedelta(minutes=1))

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(fail_once, range(12)))
    with db.session(readonly=True) as session:
        state = ThrottleRepo(session).get("alice")
    assert state is not None and state.failures == 12 and state.locked_until is None


def test_the_brake_locks_and_prunes(db: Database) -> None:
    now, window, lockout = utcnow(), timedelta(minutes=15), timedelta(minutes=1)
    with db.session() as session:
        throttles = ThrottleRepo(session)
        for _ in range(4):
            assert throttles.failed("alice", now, window=window, limit=5, lockout=lockout).locked_until is None
        locked = throttles.failed("alice", now, window=window, limit=5, lockout=lockout)
        assert locked.locked_until == now + lockout and locked.failures == 0
        throttles.failed("bob", now - window * 2, window=window, limit=5, lockout=lockout)
        assert throttles.prune(now - window) == 1  # bob's old window; alice is locked and recent
        assert throttles.get("bob") is None and throttles.get("alice") is not None
        throttles.clear("alice")
        assert throttles.get("alice") is None
