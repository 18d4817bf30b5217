"""Users, API tokens and login tokens (JWT): the use cases behind ``netatlas user|token`` and API auth.

Two kinds of bearer token reach :meth:`AccountService.authenticate`, told apart by their form:

- **API tokens** (``nat_`` + 32 random bytes, URL-safe base64) for scripts and CI, made by
  ``netatlas token create``. Only their SHA-256 is stored (with the first characters, to tell them
  apart in a list): a token has 256 bits of entropy, so a fast hash is enough, and looking the hash
  up by its unique index is the comparison (no early-exit string compare on the secret). ``last_used_at``
  is written at most once a minute per token, not once per request.
- **Login JWTs** (HS256, from :meth:`AccountService.login` with a password) for the web UI. Claims:
  ``sub`` (the user's id, never reused), ``ver`` (the user's ``token_version``), ``iat``, ``exp``
  (``NETATLAS_API_TOKEN_TTL``), ``iss``. Only HS256 is accepted (``alg: none`` and every other
  algorithm are refused). The role is read from the database at each request, and a password or
  role change, disabling or deleting the user raises or removes ``token_version``, so every JWT
  issued before stops working at once. The key is derived from ``NETATLAS_API_SECRET``
  (:meth:`Settings.api_signing_key`, which refuses a missing or placeholder key outside development).

Either costs one indexed lookup (``authenticate`` is synchronous: the API runs it in a thread). An
API server remembers what a token was found to be for :data:`AUTH_CACHE_TTL_S` seconds
(:meth:`AccountService.remembered`, ``cache_ttl=`` when the service is made; the CLI and tests
that make their own service remember nothing): a poller sending the same token every second then
costs no database read. What is remembered is keyed by the token's SHA-256 (never the token), is
only a valid answer (a refused token is looked up again each time), and is checked against the
clock at each use (an API token's ``expires_at``, a JWT's ``exp`` and ``iat``), so expiry is exact.
Revocation, a role change, disabling or deleting a user: made through this service (the API's own
endpoints), every remembered answer of the process is forgotten at once; made by another process
(``netatlas token revoke``, another API process), it takes effect within :data:`AUTH_CACHE_TTL_S`.

Passwords are hashed with argon2id (argon2-cffi's RFC 9106 defaults: 64 MiB, 3 passes), at most
:data:`ARGON2_CONCURRENCY` at once per process, rehashed at the next login when the parameters
change, and need at least :data:`MIN_PASSWORD` characters. A login for a name
that does not exist costs the same argon2 verification as a wrong password and gets the same
answer, so neither the message nor the time tells who exists.

The login brake (:class:`LoginBrake`): after 5 failures for one name within 15 minutes, that name
is refused for a minute (:class:`TooManyAttempts`, HTTP 429 with ``Retry-After``), whatever the
password. Its state is in the database (``login_throttle``), so every API process behind a load
balancer shares it and a restart does not reset it; it is kept per name, existing or not, so the
brake does not reveal which names exist either. The lockout is short because anyone can trigger
it for any name: it slows a guesser to 5 tries a minute without locking a real user out for long.

The first admin: ``netatlas user create NAME --role admin`` (the CLI acts on the database directly,
so no API account is needed to make the first one). The last enabled admin cannot be demoted,
disabled or deleted.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from netatlas.domain.accounts import Principal, Role
from netatlas.domain.errors import Conflict, NetatlasError, StoreError
from netatlas.settings import Settings
from netatlas.store import Database
from netatlas.store.accounts import ThrottleRepo, TokenRepo, TokenView, UserLogin, UserRepo, UserView
from netatlas.store.database import RecordRejected

log = logging.getLogger(__name__)

TOKEN_PREFIX = "nat_"  # noqa: S105 - the public mark of an API token, not a secret
TOKEN_BYTES = 32
SHOWN_PREFIX = len(TOKEN_PREFIX) + 8  # characters of a token kept and listed (48 of its 256 bits)
MAX_TOKEN_LENGTH = 4096  # longer bearer values are refused unread
MIN_PASSWORD, MAX_PASSWORD = 8, 1024
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}\Z")
NAME_RULE = "1 to 64 characters: letters, digits and . _ @ + - (starting with a letter or digit)"
JWT_ALGORITHM = "HS256"
JWT_ISSUER = "netatlas"
JWT_LEEWAY = timedelta(seconds=5)  # clock difference tolerated between API processes
TOUCH_EVERY = timedelta(minutes=1)  # a token's last_used_at is written at most this often
LOGIN_REFUSED = "invalid user name or password"
AUTH_CACHE_TTL_S = 2.0  # an API server's remembered answers live this long (revocation elsewhere: this late)
AUTH_CACHE_MAX = 4096  # remembered tokens at most (past it, everything is forgotten and learnt again)
# argon2 runs at most this many at once per process: each takes 64 MiB and a core for a while, so a
# burst of logins queues here instead of taking the server's memory (40 request threads x 64 MiB).
ARGON2_CONCURRENCY = 4
_ARGON2_SLOTS = threading.BoundedSemaphore(ARGON2_CONCURRENCY)


class AuthError(NetatlasError):
    """Credentials refused (a bad password, a disabled user): HTTP 401. The message never says
    whether the user exists."""


class TooManyAttempts(AuthError):
    """The login brake is on for this name: HTTP 429, ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins for this user name: try again in {retry_after} s")
        self.retry_after = retry_after


class AccountInputError(NetatlasError):
    """A user or token name, a password or an expiry that cannot be accepted; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True, slots=True)
class LoginBrake:
    """After ``failures`` failed logins for one name within ``window``, refuse it for ``lockout``.

    Examples:
        >>> brake = LoginBrake()
        >>> brake.failures, brake.window, brake.lockout
        (5, datetime.timedelta(seconds=900), datetime.timedelta(seconds=60))
        >>> now = datetime(2026, 1, 1, tzinfo=UTC)
        >>> brake.retry_after(now + timedelta(seconds=9.2), now)
        10
    """

    failures: int = 5
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=1)

    @staticmethod
    def retry_after(locked_until: datetime, now: datetime) -> int:
        return max(1, math.ceil((locked_until - now).total_seconds()))


@dataclass(frozen=True, slots=True)
class Remembered:
    """A valid answer of :meth:`AccountService.authenticate`, kept until ``fresh_until`` (monotonic
    seconds) and only while the clock is within ``not_before``/``not_after`` (Unix seconds: the token's
    own validity, None: unbounded).

    Examples:
        >>> entry = Remembered(Principal("ci", Role.VIEWER, "token"), 10.0, not_after=100.0)
        >>> entry.usable(5.0, 99.0), entry.usable(5.0, 100.0), entry.usable(10.0, 50.0)
        (True, False, False)
    """

    principal: Principal
    fresh_until: float
    not_before: float | None = None
    not_after: float | None = None

    def usable(self, monotonic: float, now: float) -> bool:
        if monotonic >= self.fresh_until:
            return False
        if self.not_after is not None and now >= self.not_after:
            return False
        return self.not_before is None or now >= self.not_before


class AuthCache:
    """Valid answers keyed by the token's SHA-256, for ``ttl`` seconds (0: nothing is remembered).
    Thread-safe; :meth:`forget` drops everything (an account changed in this process)."""

    def __init__(self, ttl: float, *, monotonic: Callable[[], float] = time.monotonic,
                 size: int = AUTH_CACHE_MAX) -> None:
        self.ttl, self._monotonic, self._size = ttl, monotonic, size
        self._entries: dict[str, Remembered] = {}
        self._lock = threading.Lock()

    def get(self, key: str, now: datetime) -> Principal | None:
        if self.ttl <= 0:
            return None
        with self._lock:
            entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.usable(self._monotonic(), now.timestamp()):
            return entry.principal
        with self._lock:
            if self._entries.get(key) is entry:
                del self._entries[key]
        return None

    def put(self, key: str, principal: Principal, *, not_before: float | None = None,
            not_after: float | None = None) -> None:
        if self.ttl <= 0:
            return
        entry = Remembered(principal, self._monotonic() + self.ttl, not_before, not_after)
        with self._lock:
            if len(self._entries) >= self._size:
                self._entries.clear()
            self._entries[key] = entry

    def forget(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


@dataclass(frozen=True, slots=True)
class Login:
    """A JWT from :meth:`AccountService.login` and what the caller shows with it."""

    access_token: str
    expires_in: int  # seconds
    role: Role


def check_name(name: str, field: str = "name") -> str:
    """``name`` if it is a valid user or token name, else :class:`AccountInputError`.

    Examples:
        >>> check_name("ci-runner.01")
        'ci-runner.01'
        >>> check_name("bad name")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        netatlas.jobs.accounts.AccountInputError: name: 1 to 64 characters: letters, digits and ...
    """
    if not NAME_PATTERN.match(name):
        raise AccountInputError(field, NAME_RULE)
    return name


def check_password(password: str) -> str:
    """``password`` if it is long enough (and not absurdly long), else :class:`AccountInputError`.

    Examples:
        >>> check_password("short")
        Traceback (most recent call last):
        ...
        netatlas.jobs.accounts.AccountInputError: password: too short: use at least 8 characters
    """
    if len(password) < MIN_PASSWORD:
        raise AccountInputError("password", f"too short: use at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountInputError("password", f"too long: at most {MAX_PASSWORD} characters")
    return password


def token_digest(token: str) -> str:
    """What is stored of an API token: its SHA-256, hex.

    Examples:
        >>> len(token_digest("nat_x")), token_digest("nat_x") == token_digest("nat_x")
        (64, True)
    """
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


class AccountService:
    """Users, tokens, login and authentication over one database.

    ``clock`` (tests: expiry without sleeping), ``hasher`` (argon2 parameters; a cheaper one in unit
    tests) and ``brake`` may be replaced; the defaults are what the server uses. ``cache_ttl``:
    seconds a valid token's answer is remembered (the API server: :data:`AUTH_CACHE_TTL_S`; 0, the
    default: every call reads the database).
    """

    def __init__(self, db: Database, settings: Settings, *, clock: Callable[[], datetime] = _now,
                 hasher: PasswordHasher | None = None, brake: LoginBrake | None = None,
                 cache_ttl: float = 0.0) -> None:
        self.db, self.settings = db, settings
        self.clock = clock
        self.hasher = hasher or PasswordHasher()
        self.brake = brake or LoginBrake()
        self.cache = AuthCache(cache_ttl)
        self._key: bytes | None = None
        self._dummy_hash: str | None = None

    # ---- users -----------------------------------------------------------------------------------

    def create_user(self, name: str, password: str, role: Role) -> None:
        """A new user (password hashed with argon2); ``Conflict`` when the name is taken."""
        check_name(name)
        digest = self._hash(check_password(password))
        with _unique(f"a user named {name!r} exists already"), self.db.session() as session:
            UserRepo(session).add(name, digest, role)
        log.info("user %s created with role %s", name, role.value)

    def has_users(self) -> bool:
        with self.db.session(readonly=True) as session:
            return UserRepo(session).count() > 0

    def list_users(self) -> list[UserView]:
        with self.db.session(readonly=True) as session:
            return UserRepo(session).list()

    def get_user(self, name: str) -> UserView:
        with self.db.session(readonly=True) as session:
            return UserRepo(session).get(name)

    def update_user(self, name: str, *, role: Role | None = None, password: str | None = None,
                    disabled: bool | None = None) -> UserView:
        """Change a user's role, password or disabled flag; every JWT the user holds stops working.
        ``Conflict`` when it would leave no enabled admin."""
        digest = self._hash(check_password(password)) if password is not None else None
        with self.db.session() as session:
            users = UserRepo(session)
            before = users.get(name)
            demoted = before.role is Role.ADMIN and not before.disabled and (
                (role is not None and role is not Role.ADMIN) or disabled is True)
            if demoted and users.admins() <= 1:
                raise Conflict(f"{name!r} is the last enabled admin: make another admin first")
            view = users.update(name, password_hash=digest, role=role, disabled=disabled)
        self.cache.forget()
        log.info("user %s updated (%s)", name, ", ".join(
            what for what, given in (("role", role), ("password", password), ("disabled", disabled))
            if given is not None) or "sessions revoked")
        return view

    def change_password(self, name: str, current: str, new: str) -> None:
        """A user's own password change: ``AuthError`` unless ``current`` is the password (wrong
        guesses count towards the login brake, so a stolen JWT cannot be used to guess it)."""
        check_password(new)
        try:
            self._checked_password(name, current, self.clock())
        except TooManyAttempts:
            raise
        except AuthError as exc:
            raise AuthError("the current password is not right") from exc
        self.update_user(name, password=new)

    def delete_user(self, name: str) -> None:
        """Remove a user (its JWTs stop working); ``Conflict`` for the last enabled admin."""
        with self.db.session() as session:
            users = UserRepo(session)
            user = users.get(name)
            if user.role is Role.ADMIN and not user.disabled and users.admins() <= 1:
                raise Conflict(f"{name!r} is the last enabled admin: make another admin first")
            users.delete(name)
        self.cache.forget()
        log.info("user %s deleted", name)

    # ---- login -----------------------------------------------------------------------------------

    def login(self, name: str, password: str) -> str:
        """A short-lived JWT for the user; ``AuthError`` (a ``NetatlasError``) when refused."""
        return self.login_for(name, password).access_token

    def login_for(self, name: str, password: str) -> Login:
        """:meth:`login`, with the JWT's lifetime and the user's role."""
        now = self.clock()
        user = self._checked_password(name, password, now)
        if user.disabled:
            raise AuthError("this user is disabled")
        rehash = self.hasher.check_needs_rehash(user.password_hash)
        with self.db.session() as session:
            ThrottleRepo(session).clear(name)
            users = UserRepo(session)
            users.logged_in(user.id, now)
            if rehash:
                users.rehash(user.id, self._hash(password))
        ttl = self.settings.api_token_ttl
        claims = {"sub": str(user.id), "ver": user.token_version, "iss": JWT_ISSUER,
                  "iat": int(now.timestamp()), "exp": int(now.timestamp()) + ttl}
        token = jwt.encode(claims, self._signing_key(), algorithm=JWT_ALGORITHM)
        log.info("user %s logged in", name)
        return Login(token, ttl, user.role)

    def _checked_password(self, name: str, password: str, now: datetime) -> UserLogin:
        """The user whose password this is; ``TooManyAttempts`` while the brake is on for ``name``,
        else ``AuthError`` (one message, one argon2 verification, whether the user exists or not)."""
        if not NAME_PATTERN.match(name) or not password or len(password) > MAX_PASSWORD:
            raise AuthError(LOGIN_REFUSED)  # no such user can exist: nothing to count
        with self.db.session(readonly=True) as session:
            throttle = ThrottleRepo(session).get(name)
            user = UserRepo(session).login_of(name)
        if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
            raise TooManyAttempts(self.brake.retry_after(throttle.locked_until, now))
        stored = user.password_hash if user is not None else self._dummy()
        if not self._verify(stored, password) or user is None:
            self._failed(name, now)
            raise AuthError(LOGIN_REFUSED)
        return user

    def _failed(self, name: str, now: datetime) -> None:
        brake = self.brake
        with self.db.session() as session:
            throttles = ThrottleRepo(session)
            state = throttles.failed(name, now, window=brake.window, limit=brake.failures, lockout=brake.lockout)
            if secrets.randbelow(100) == 0:  # now and then, forget old names (any name may be tried)
                throttles.prune(now - brake.window - brake.lockout)
        if state.locked_until is not None:
            log.warning("login brake on for user name %r until %s", name, state.locked_until.isoformat())

    def _hash(self, password: str) -> str:
        with _ARGON2_SLOTS:
            return self.hasher.hash(password)

    def _verify(self, stored: str, password: str) -> bool:
        try:
            with _ARGON2_SLOTS:
                return self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def _dummy(self) -> str:
        """A hash of nothing anyone knows: verified when the user does not exist, so that costs the
        same time as a wrong password."""
        if self._dummy_hash is None:
            self._dummy_hash = self._hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    def _signing_key(self) -> bytes:
        """The HMAC key: SHA-256 of the API secret under a fixed label (32 bytes, as RFC 7518 asks of
        HS256, and never the secret itself, which may one day sign something else)."""
        if self._key is None:
            secret = self.settings.api_signing_key()
            self._key = hashlib.sha256(b"netatlas login jwt\0" + secret.encode()).digest()
        return self._key

    # ---- API tokens ------------------------------------------------------------------------------

    def create_token(self, name: str, role: Role, *, created_by: str = "",
                     expires_at: datetime | None = None) -> str:
        """A new API token: the plaintext is returned once and stored hashed; ``Conflict`` when taken."""
        return self.issue_token(name, role, created_by=created_by, expires_at=expires_at)[0]

    def issue_token(self, name: str, role: Role, *, created_by: str = "",
                    expires_at: datetime | None = None) -> tuple[str, TokenView]:
        """:meth:`create_token`, with the token as listed from now on."""
        check_name(name)
        if expires_at is not None and expires_at <= self.clock():
            raise AccountInputError("expires_at", "must be in the future")
        token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
        with _unique(f"a token named {name!r} exists already (revoke it first)"), self.db.session() as session:
            view = TokenRepo(session).add(name, token_digest(token), token[:SHOWN_PREFIX], role,
                                          created_by=created_by, expires_at=expires_at)
        log.info("API token %s created with role %s by %s", name, role.value, created_by or "(unnamed)")
        return token, view

    def list_tokens(self, *, include_revoked: bool = False) -> list[TokenView]:
        with self.db.session(readonly=True) as session:
            return TokenRepo(session).list(include_revoked=include_revoked)

    def get_token(self, name: str) -> TokenView:
        with self.db.session(readonly=True) as session:
            return TokenRepo(session).get(name)

    def revoke_token(self, name: str) -> TokenView:
        """Revoke the token named ``name`` (it stops working at the next request); ``NotFound``."""
        with self.db.session() as session:
            view = TokenRepo(session).revoke(name)
        self.cache.forget()
        log.info("API token %s revoked", name)
        return view

    # ---- every request ---------------------------------------------------------------------------

    def authenticate(self, token: str) -> Principal | None:
        """The principal of an API token or a login JWT; None when it is not valid (or revoked, expired).
        Reads the database (and, with ``cache_ttl``, remembers a valid answer: :meth:`remembered`)."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        if token.startswith(TOKEN_PREFIX):
            return self._api_token(token)
        return self._jwt(token)

    def remembered(self, token: str) -> Principal | None:
        """The principal :meth:`authenticate` found for ``token`` within the last ``cache_ttl`` seconds,
        if it is still within the token's own validity; None: not remembered (ask :meth:`authenticate`).
        Never reads the database: cheap enough for the event loop."""
        if self.cache.ttl <= 0 or not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        return self.cache.get(token_digest(token), self.clock())

    def _api_token(self, token: str) -> Principal | None:
        digest = token_digest(token)
        with self.db.session(readonly=True) as session:
            match = TokenRepo(session).find(digest)
        if match is None:
            return None
        now = self.clock()
        if match.expires_at is not None and match.expires_at <= now:
            return None
        if match.last_used_at is None or match.last_used_at < now - TOUCH_EVERY:
            try:
                with self.db.session() as session:
                    TokenRepo(session).used(match.id, now, TOUCH_EVERY)
            except StoreError as exc:  # bookkeeping: the token is valid all the same
                log.warning("could not record the use of API token %s: %s", match.name, exc)
        principal = Principal(match.name, match.role, "token")
        self.cache.put(digest, principal, not_after=match.expires_at.timestamp() if match.expires_at else None)
        return principal

    def _jwt(self, token: str) -> Principal | None:
        claims = self._claims(token)
        if claims is None:
            return None
        with self.db.session(readonly=True) as session:
            user = UserRepo(session).session_of(int(claims["sub"]))
        if user is None or user.disabled or user.token_version != claims["ver"]:
            return None
        principal = Principal(user.name, user.role, "user")
        leeway = JWT_LEEWAY.total_seconds()
        self.cache.put(token_digest(token), principal, not_before=claims["iat"] - leeway,
                       not_after=claims["exp"] + leeway)
        return principal

    def _claims(self, token: str) -> dict[str, Any] | None:
        """The claims of a JWT this server signed that is valid now (the clock is ours, not PyJWT's)."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token, self._signing_key(), algorithms=[JWT_ALGORITHM], issuer=JWT_ISSUER,
                options={"require": ["sub", "ver", "iat", "exp", "iss"], "verify_exp": False,
                         "verify_iat": False, "verify_nbf": False})
        except jwt.PyJWTError:
            return None
        sub, version, issued, expires = (claims.get(k) for k in ("sub", "ver", "iat", "exp"))
        if not (isinstance(sub, str) and sub.isdigit() and len(sub) < 19 and type(version) is int
                and type(issued) is int and type(expires) is int):
            return None
        now = self.clock().timestamp()
        leeway = JWT_LEEWAY.total_seconds()
        if expires + leeway <= now or issued - leeway > now:
            return None
        return claims


@contextmanager
def _unique(message: str) -> Iterator[None]:
    """The database's unique index refused a name (two creators raced past the check): ``Conflict``."""
    try:
        yield
    except RecordRejected as exc:
        raise Conflict(message) from exc
