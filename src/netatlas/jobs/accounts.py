"""Users, API tokens and login tokens (JWT): the use cases behind ``netatlas user|token`` and API auth.

(Being written: see the service-form issue. The signatures are the contract the API and tests use.)
"""

from __future__ import annotations

from netatlas.domain.accounts import Principal, Role
from netatlas.settings import Settings
from netatlas.store import Database


class AccountService:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db, self.settings = db, settings

    def create_user(self, name: str, password: str, role: Role) -> None:
        """A new user (password hashed with argon2); ``Conflict`` when the name is taken."""
        raise NotImplementedError

    def login(self, name: str, password: str) -> str:
        """A short-lived JWT for the user; ``AuthError`` (a ``NetatlasError``) when refused."""
        raise NotImplementedError

    def create_token(self, name: str, role: Role, *, created_by: str = "") -> str:
        """A new API token: the plaintext is returned once and stored hashed; ``Conflict`` when taken."""
        raise NotImplementedError

    def authenticate(self, token: str) -> Principal | None:
        """The principal of an API token or a login JWT; None when it is not valid (or revoked, expired)."""
        return None
