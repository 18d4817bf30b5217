"""Who may do what through the API: roles and the principal a request acts as (pure, no I/O).

Roles are ordered; each includes everything below it::

    viewer     reads (jobs, devices, data, topology)
    operator   also starts and cancels discovery, confirms or ignores links
    admin      also manages devices, credentials, API tokens and users

Examples:
    >>> Role.OPERATOR.allows(Role.VIEWER), Role.VIEWER.allows(Role.OPERATOR)
    (True, False)
    >>> Principal("alice", Role.ADMIN, "user").allows(Role.OPERATOR)
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

PrincipalKind = Literal["user", "token"]


class Role(StrEnum):
    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def allows(self, needed: Role) -> bool:
        """True when this role may do what ``needed`` may."""
        return self.rank >= needed.rank


_RANK = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.ADMIN: 2}


@dataclass(frozen=True, slots=True)
class Principal:
    """The identity a request acts as: a user (logged in, JWT) or a named API token."""

    name: str  # the user's name, or the token's name
    role: Role
    kind: PrincipalKind

    def allows(self, needed: Role) -> bool:
        return self.role.allows(needed)

    @property
    def label(self) -> str:
        """How a job records who started it: ``alice`` for a user, ``token:ci`` for a token.

        Examples:
            >>> Principal("ci", Role.OPERATOR, "token").label
            'token:ci'
        """
        return self.name if self.kind == "user" else f"token:{self.name}"
