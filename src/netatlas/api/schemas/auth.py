"""Login, users and API tokens on the wire.

Passwords only ever go in (``format: password``, ``writeOnly``, left out of reprs); an API token
comes out once, in :class:`TokenCreated`, and no other model has a field for it or its hash.
Names follow the service's rule (``netatlas.jobs.accounts.NAME_PATTERN``), so a name the service
would refuse is a 422 that names the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from netatlas.domain.accounts import PrincipalKind, Role
from netatlas.jobs.accounts import MAX_PASSWORD, MIN_PASSWORD
from netatlas.store import TokenView, UserView

NAME = r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$"  # as netatlas.jobs.accounts.NAME_PATTERN
MAX_LOGIN_NAME = 256  # a login with a longer name is a 422, not a lookup
_PASSWORD: dict[str, Any] = {"format": "password", "writeOnly": True}


def password_field(minimum: int = MIN_PASSWORD, description: str = "", **default: Any) -> Any:
    """A write-only password field of ``minimum`` to ``MAX_PASSWORD`` characters, never in a repr."""
    return Field(**default, min_length=minimum, max_length=MAX_PASSWORD, repr=False, json_schema_extra=_PASSWORD,
                 description=description or f"At least {MIN_PASSWORD} characters.")


class ErrorOut(BaseModel):
    """Every error answer: ``detail`` (a text, or the list of invalid fields) and ``message``, one text."""

    detail: Any
    message: str | None = None


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=MAX_LOGIN_NAME)
    password: str = password_field(1, "The user's password.")


class LoginOut(BaseModel):
    access_token: str = Field(description="A JWT: send it as `Authorization: Bearer <access_token>`.")
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the scheme's name
    expires_in: int = Field(description="Seconds the token is valid (NETATLAS_API_TOKEN_TTL).")
    role: Role


class MeOut(BaseModel):
    """Who the request's token acts as."""

    name: str
    role: Role
    kind: PrincipalKind = Field(description="`user` (a login JWT) or `token` (an API token).")
    label: str = Field(description="How jobs record who started them (`token:NAME` for a token).")


class PasswordChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = password_field(1, "The password now.")
    new_password: str = password_field()


class UserOut(BaseModel):
    name: str
    role: Role
    disabled: bool
    created_at: datetime
    updated_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, view: UserView) -> UserOut:
        return cls(name=view.name, role=view.role, disabled=view.disabled, created_at=view.created_at,
                   updated_at=view.updated_at, last_login_at=view.last_login_at)


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME, description="1 to 64 letters, digits and . _ @ + -")
    password: str = password_field()
    role: Role = Role.VIEWER


class UserPatch(BaseModel):
    """What to change (at least one field); any change ends the user's current logins."""

    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    password: str | None = password_field(default=None)
    disabled: bool | None = None

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.role is None and self.password is None and self.disabled is None:
            raise ValueError("give at least one of role, password, disabled")
        return self


class TokenOut(BaseModel):
    """An API token as listed: never the token itself, only its first characters (``prefix``)."""

    name: str
    prefix: str = Field(description="The token's first characters, to tell tokens apart.")
    role: Role
    created_by: str
    created_at: datetime
    last_used_at: datetime | None = Field(description="Updated at most once a minute.")
    expires_at: datetime | None
    revoked: bool

    @classmethod
    def of(cls, view: TokenView) -> TokenOut:
        return cls(name=view.name, prefix=view.prefix, role=view.role, created_by=view.created_by,
                   created_at=view.created_at, last_used_at=view.last_used_at, expires_at=view.expires_at,
                   revoked=view.revoked)


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME, description="1 to 64 letters, digits and . _ @ + -")
    role: Role = Role.VIEWER
    expires_in_days: int | None = Field(None, ge=1, le=3650, description="None: the token does not expire.")


class TokenCreated(TokenOut):
    """A new token: ``token`` is shown this once and cannot be shown again."""

    token: str = Field(description="The API token. Store it now: it is kept only as a hash.")
    warning: str = "store this token now: it cannot be shown again"

    @classmethod
    def made(cls, view: TokenView, token: str) -> TokenCreated:
        return cls(**TokenOut.of(view).model_dump(), token=token)
