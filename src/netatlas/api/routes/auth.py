"""API routes: login, who am I, and (admin) API tokens and users (see docs/api.md).

::

    POST   /api/auth/login        public    {"username","password"} -> a JWT (401 / 429 + Retry-After)
    GET    /api/auth/me           viewer    who the token acts as
    POST   /api/auth/password     viewer    a logged-in user changes their own password (204)
    GET    /api/tokens            admin     API tokens (never the token itself)
    POST   /api/tokens            admin     a new token, shown once (201)
    DELETE /api/tokens/{name}     admin     revoke (204)
    GET    /api/users             admin
    POST   /api/users             admin     (201)
    GET    /api/users/{name}      admin
    PATCH  /api/users/{name}      admin     role, password, disabled: the user's logins end
    DELETE /api/users/{name}      admin     (204)

Handlers are plain functions (argon2 and the database are blocking: FastAPI runs them in its thread
pool) and call :class:`AccountService`; its errors become HTTP answers in ``netatlas.api.errors``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status

from netatlas.api.context import context
from netatlas.api.schemas.auth import (
    NAME,
    ErrorOut,
    LoginIn,
    LoginOut,
    MeOut,
    PasswordChangeIn,
    TokenCreated,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
    UserPatch,
)
from netatlas.api.security import Admin, Viewer
from netatlas.jobs.accounts import AccountService

router = APIRouter(tags=["auth"])


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorOut} for code in codes}


def _body_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Those of a route with a JSON body: FastAPI answers 400 to a body that is not JSON at all."""
    return _errors(400, 422, *codes)


async def accounts(request: Request) -> AccountService:
    """The process's account service: the authenticator itself when it is one (it always is outside
    tests that bring their own), else one made once over the same database."""
    ctx = context(request)
    if isinstance(ctx.auth, AccountService):
        return ctx.auth
    service = ctx.extras.get("accounts")
    if not isinstance(service, AccountService):
        service = ctx.extras["accounts"] = AccountService(ctx.db, ctx.settings)
    return service


Accounts = Annotated[AccountService, Depends(accounts)]
Name = Annotated[str, Path(pattern=NAME, max_length=64, description="A user or token name.")]
_SIGNED_IN = _errors(401, 403)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # answers holding a token (RFC 6749 5.1)


@router.post("/api/auth/login", response_model=LoginOut, responses=_body_errors(401, 429),
             summary="Log in with a password: a short-lived JWT")
def login(body: LoginIn, service: Accounts, response: Response) -> LoginOut:
    """401 for a wrong name or password alike; 429 (with ``Retry-After``) after 5 failures for one
    name within 15 minutes."""
    done = service.login_for(body.username, body.password)
    response.headers.update(NO_STORE)
    return LoginOut(access_token=done.access_token, expires_in=done.expires_in, role=done.role)


@router.get("/api/auth/me", response_model=MeOut, responses=_SIGNED_IN)
def me(principal: Viewer) -> MeOut:
    return MeOut(name=principal.name, role=principal.role, kind=principal.kind, label=principal.label)


@router.post("/api/auth/password", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
             responses=_body_errors(401, 403, 429))
def change_password(body: PasswordChangeIn, principal: Viewer, service: Accounts) -> Response:
    """A logged-in user's own password (an API token has none: 403). Every login of the user ends,
    this one included: log in again with the new password. Wrong current passwords count towards
    the login brake (429)."""
    if principal.kind != "user":
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="API tokens have no password: log in as a user")
    service.change_password(principal.name, body.current_password, body.new_password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/api/tokens", response_model=list[TokenOut], responses=_SIGNED_IN)
def list_tokens(_: Admin, service: Accounts,
                include_revoked: Annotated[bool, Query(description="Also list revoked tokens.")] = False,
                ) -> list[TokenOut]:
    return [TokenOut.of(view) for view in service.list_tokens(include_revoked=include_revoked)]


@router.post("/api/tokens", response_model=TokenCreated, status_code=status.HTTP_201_CREATED,
             responses=_body_errors(401, 403, 409))
def create_token(body: TokenIn, principal: Admin, service: Accounts, response: Response) -> TokenCreated:
    """A new API token. The answer holds the token this once; it is stored only as a hash."""
    response.headers.update(NO_STORE)
    expires = None if body.expires_in_days is None else service.clock() + timedelta(days=body.expires_in_days)
    token, view = service.issue_token(body.name, body.role, created_by=principal.label, expires_at=expires)
    return TokenCreated.made(view, token)


@router.delete("/api/tokens/{name}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               responses=_errors(401, 403, 404, 422))
def revoke_token(name: Name, _: Admin, service: Accounts) -> Response:
    service.revoke_token(name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/api/users", response_model=list[UserOut], responses=_SIGNED_IN)
def list_users(_: Admin, service: Accounts) -> list[UserOut]:
    return [UserOut.of(view) for view in service.list_users()]


@router.post("/api/users", response_model=UserOut, status_code=status.HTTP_201_CREATED,
             responses=_body_errors(401, 403, 409))
def create_user(body: UserIn, _: Admin, service: Accounts) -> UserOut:
    service.create_user(body.name, body.password, body.role)
    return UserOut.of(service.get_user(body.name))


@router.get("/api/users/{name}", response_model=UserOut, responses=_errors(401, 403, 404, 422))
def get_user(name: Name, _: Admin, service: Accounts) -> UserOut:
    return UserOut.of(service.get_user(name))


@router.patch("/api/users/{name}", response_model=UserOut, responses=_body_errors(401, 403, 404, 409))
def update_user(name: Name, body: UserPatch, _: Admin, service: Accounts) -> UserOut:
    """Change the role, the password or the disabled flag. The user's current logins (JWTs) end at
    once; a user who is the last enabled admin cannot be demoted or disabled (409)."""
    return UserOut.of(service.update_user(name, role=body.role, password=body.password, disabled=body.disabled))


@router.delete("/api/users/{name}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               responses=_errors(401, 403, 404, 409, 422))
def delete_user(name: Name, _: Admin, service: Accounts) -> Response:
    """Remove a user (their logins end at once); not the last enabled admin (409)."""
    service.delete_user(name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
