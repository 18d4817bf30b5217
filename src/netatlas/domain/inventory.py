"""Inventory entries and credential sets (secrets never appear in repr or str)."""

from __future__ import annotations

from dataclasses import dataclass, field

SUPPORTED_PLATFORMS = ("cisco_ios", "cisco_nxos", "arista_eos", "juniper_junos")


@dataclass(frozen=True, slots=True)
class InventoryDevice:
    name: str
    host: str
    platform: str
    credentials: str  # the name of a credential set
    port: int = 22
    site: str = ""
    role: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Credential:
    """A named credential set. ``repr``/``str`` show the name and user only.

    Examples:
        >>> Credential("lab", "admin", "s3cret", "en4ble")
        Credential(name='lab', username='admin', password=***, enable_secret=***)
    """

    name: str
    username: str
    password: str = field(repr=False)
    enable_secret: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        secret = "***" if self.enable_secret else None
        return f"Credential(name={self.name!r}, username={self.username!r}, password=***, enable_secret={secret})"

    __str__ = __repr__
