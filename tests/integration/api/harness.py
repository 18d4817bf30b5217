"""What the API integration tests share: an app over a real database (SQLite or PostgreSQL), the
in-process executor (or Celery, given a broker URL), and clients holding REAL tokens per role.

Tokens come from ``AccountService.create_token`` (stored hashed, checked by the real
authenticator): no test bypasses authentication.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from netatlas.api.app import create_app
from netatlas.api.context import ApiContext, open_context
from netatlas.domain.accounts import Role
from netatlas.jobs.accounts import AccountService
from netatlas.settings import load_settings


@dataclass
class Api:
    ctx: ApiContext
    app: FastAPI
    client: TestClient  # no Authorization header: add ``headers=api.auth(role)``
    _tokens: dict[Role, str] = field(default_factory=dict)

    @property
    def accounts(self) -> AccountService:
        auth = self.ctx.auth
        assert isinstance(auth, AccountService)
        return auth

    def token(self, role: Role) -> str:
        """A real API token of ``role`` (created once per harness)."""
        if role not in self._tokens:
            self._tokens[role] = self.accounts.create_token(f"test-{role.value}", role, created_by="tests")
        return self._tokens[role]

    def auth(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role)}"}

    def get(self, path: str, role: Role = Role.VIEWER, **kwargs: Any) -> Any:
        return self.client.get(path, headers=self.auth(role), **kwargs)

    def post(self, path: str, role: Role = Role.OPERATOR, **kwargs: Any) -> Any:
        return self.client.post(path, headers=self.auth(role), **kwargs)

    def delete(self, path: str, role: Role = Role.OPERATOR, **kwargs: Any) -> Any:
        return self.client.delete(path, headers=self.auth(role), **kwargs)

    def patch(self, path: str, role: Role = Role.ADMIN, **kwargs: Any) -> Any:
        return self.client.patch(path, headers=self.auth(role), **kwargs)


@contextmanager
def open_api(db_url: str, home: Path, **settings: Any) -> Iterator[Api]:
    """An app over ``db_url`` (already migrated) with ``NETATLAS_HOME`` ``home``; ``settings`` override
    (``broker_url=...`` for Celery). The executor and database are closed afterwards."""
    config = load_settings(home=home, database_url=db_url, **settings)
    ctx = open_context(config)
    app = create_app(ctx)
    with TestClient(app) as client:  # runs the lifespan: closing it shuts the executor down
        yield Api(ctx, app, client)
