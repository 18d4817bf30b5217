"""Managing the inventory one entry at a time (the API's devices and credentials), with the file's rules.

``netatlas devices import`` checks a whole file (``netatlas.inventory``); this service applies the
same field checks, with the same messages, to one device written as JSON, and imports a file
sent as a request body through the very loader the CLI uses. Every refusal is an
``InventoryError`` whose problems name the field (``line`` is None for JSON), so the API answers
them like a bad file. Secrets go in through :meth:`SecretBox.seal` and never come back out:
:class:`CredentialInfo` has no field for them.

One difference from the CLI, on purpose: credential references are checked against the sets
already stored as well as the body's own (a CSV body cannot carry credentials: they come from
``PUT /api/credentials``), where the CLI checks a CSV file's references only when given a
credentials file.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode

from netatlas import inventory as loader
from netatlas.domain.errors import Conflict, InventoryError, Problem
from netatlas.domain.inventory import (
    REQUIRED,
    Credential,
    InventoryDevice,
    address_key,
    credential_problem,
    host_problem,
    name_problem,
    platform_problem,
    port_problem,
    suggest,
    text_problem,
)
from netatlas.inventory import Inventory
from netatlas.inventory_yaml import YamlReader, compose
from netatlas.secrets import SecretBox
from netatlas.store import CredentialRepo, Database, DeviceRepo, StoredDevice

BODY = "request body"  # the InventoryError source of a JSON body or an imported body
FORMATS = ("yaml", "csv")
EDITABLE = ("host", "port", "platform", "credentials", "site", "role", "tags", "legacy_ssh")

_TEXT_CHECKS = {"name": name_problem, "host": host_problem, "platform": platform_problem,
                "credentials": text_problem, "site": text_problem, "role": text_problem}


@dataclass(frozen=True, slots=True)
class CredentialInfo:
    """A stored credential set as readers may see it: its name, user and users, never a secret."""

    name: str
    username: str
    devices: int  # how many devices log in with it
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class Imported:
    devices: int
    credentials: int


def device_problems(device: InventoryDevice, known_credentials: Collection[str]) -> list[Problem]:
    """What is wrong with one device entry, field by field, as the inventory file's checks say it.

    Examples:
        >>> bad = InventoryDevice("sw 1", "10.0.0.300", "cisco_iso", "lab", port=0)
        >>> for p in device_problems(bad, {"lab"}):
        ...     print(p)  # doctest: +ELLIPSIS
        name: a space at position 3: device names are ASCII letters, digits, '-', '_', '.'
        host: not a valid IP address
        platform: unknown platform 'cisco_iso' (did you mean 'cisco_ios'?); supported: ...
        port: must be between 1 and 65535, got 0
        >>> [str(p) for p in device_problems(InventoryDevice("sw1", "sw1", "cisco_ios", "lbb"), {"lab"})]
        ["credentials: undefined credential set 'lbb' (did you mean 'lab'?); defined: lab"]
    """
    problems = [Problem(None, name, "missing required field") for name in REQUIRED if not getattr(device, name)]
    for name, check in _TEXT_CHECKS.items():
        value = getattr(device, name)
        if value and (message := check(value)):
            problems.append(Problem(None, name, message))
    if message := port_problem(str(device.port)):
        problems.append(Problem(None, "port", message))
    problems += [Problem(None, "tags", message) for tag in device.tags if (message := text_problem(tag))]
    reference = device.credentials
    if reference and reference not in known_credentials and not text_problem(reference):
        defined = ", ".join(sorted(known_credentials)) or "none"
        problems.append(Problem(None, "credentials", f"undefined credential set {reference!r}"
                                f"{suggest(reference, known_credentials)}; defined: {defined}"))
    return problems


def credential_problems(name: str, username: str, password: str, enable_secret: str | None) -> list[Problem]:
    """The inventory file's checks of a credential set, by field (secrets are never quoted).

    Examples:
        >>> [str(p) for p in credential_problems("lab", "", "x" * 2000, None)]
        ['username: missing required field', 'password: longer than 1024 characters']
    """
    problems = []
    if message := text_problem(name):
        problems.append(Problem(None, "name", f"credential set name: {message}"))
    for key, value in (("username", username), ("password", password), ("enable_secret", enable_secret)):
        if not value and key != "enable_secret":
            problems.append(Problem(None, key, "missing required field"))
        elif value and (message := credential_problem(key, value)):
            problems.append(Problem(None, key, message))
    return problems


class InventoryService:
    """Configuration only (the database and the secret box): every call opens its own session."""

    __slots__ = ("box", "db")

    def __init__(self, db: Database, box: SecretBox) -> None:
        self.db, self.box = db, box

    # ---- devices ------------------------------------------------------------------------------------

    def create(self, device: InventoryDevice) -> StoredDevice:
        """Add a device; ``Conflict`` when its name (any case) or address is taken."""
        with self.db.session() as session:
            repo = DeviceRepo(session)
            _refuse_problems(device_problems(device, CredentialRepo(session).names()))
            stored = repo.list()
            for other in stored:
                if other.device.name.casefold() == device.name.casefold():
                    raise Conflict(f"name: a device named {other.device.name!r} already exists")
            _check_address(device, stored)
            repo.upsert(device)
            return repo.get(device.name)

    def update(self, name: str, changes: Mapping[str, Any]) -> StoredDevice:
        """Change some fields of a stored device (``EDITABLE`` ones), checked as a whole; ``NotFound``."""
        unknown = sorted(set(changes) - set(EDITABLE))
        if unknown:
            raise InventoryError(BODY, [Problem(None, key, "cannot be changed") for key in unknown])
        with self.db.session() as session:
            repo = DeviceRepo(session)
            current = repo.get(name).device
            values = {**changes, "tags": tuple(changes["tags"])} if "tags" in changes else dict(changes)
            device = replace(current, **values)
            _refuse_problems(device_problems(device, CredentialRepo(session).names()))
            _check_address(device, repo.list())
            repo.upsert(device)
            return repo.get(name)

    def delete(self, name: str) -> None:
        """Forget the device (its snapshots stay, for history); ``NotFound`` when there is none."""
        with self.db.session() as session:
            DeviceRepo(session).delete(name)

    def import_body(self, body: bytes, fmt: str, max_bytes: int) -> Imported:
        """Import a YAML or CSV inventory (or a YAML file of credential sets only) sent as bytes, with the
        loader ``netatlas devices import`` uses: the same checks and messages, ``request body`` as its source."""
        if fmt not in FORMATS:
            raise InventoryError(BODY, [Problem(None, "file", f"unknown format {fmt!r}: send YAML or CSV")])
        with self.db.session(readonly=True) as session:
            known = CredentialRepo(session).names()
        inventory = _load_body(body, fmt, known, max_bytes)
        with self.db.session() as session:
            creds = CredentialRepo(session)
            for credential in inventory.credentials.values():
                creds.upsert(credential.name, *self.box.seal(credential))
            count = DeviceRepo(session).upsert_many(inventory.devices)
        return Imported(count, len(inventory.credentials))

    # ---- credentials ----------------------------------------------------------------------------

    def credentials(self) -> list[CredentialInfo]:
        """Every credential set's name, user and how many devices use it (never a secret)."""
        with self.db.session(readonly=True) as session:
            stored = CredentialRepo(session).stored()
            devices = DeviceRepo(session).list()
        used: dict[str, int] = {}
        for one in devices:
            used[one.device.credentials] = used.get(one.device.credentials, 0) + 1
        return [CredentialInfo(c.name, c.username, used.get(c.name, 0), c.updated_at) for c in stored]

    def put_credential(self, name: str, username: str, password: str, enable_secret: str | None = None) -> bool:
        """Create or replace a credential set (encrypted); True when it is new."""
        _refuse_problems(credential_problems(name, username, password, enable_secret))
        username, ciphertext = self.box.seal(Credential(name, username, password, enable_secret or None))
        with self.db.session() as session:
            repo = CredentialRepo(session)
            new = name not in repo.names()
            repo.upsert(name, username, ciphertext)
        return new

    def delete_credential(self, name: str) -> None:
        """Forget a credential set; ``Conflict`` naming the devices when any uses it, ``NotFound``."""
        with self.db.session() as session:
            users = DeviceRepo(session).using_credential(name)
            if users:
                shown = ", ".join(users[:10]) + (f" and {len(users) - 10} more" if len(users) > 10 else "")
                raise Conflict(f"credential set {name!r} is used by {len(users)} device(s): {shown}")
            CredentialRepo(session).delete(name)


def _refuse_problems(problems: list[Problem]) -> None:
    if problems:
        raise InventoryError(BODY, problems)


def _check_address(device: InventoryDevice, stored: list[StoredDevice]) -> None:
    address = address_key(device.host, device.port)
    for other in stored:
        d = other.device
        if d.name != device.name and address_key(d.host, d.port) == address:
            raise Conflict(f"host: address {address} belongs to the stored device {d.name!r}")


def _load_body(body: bytes, fmt: str, known: Collection[str], max_bytes: int) -> Inventory:
    """The body through the CLI's loader, from memory: a body holds passwords, so it never touches a disk.

    ``netatlas.inventory`` reads files; its steps after reading are used here as they are (the same
    checks, limits and messages). A public ``load_inventory_text`` there would spare the private names.
    """
    if len(body) > max_bytes:
        raise InventoryError(BODY, [Problem(None, "file", f"cannot read: larger than {max_bytes} bytes "
                                                          "(NETATLAS_INVENTORY_MAX_BYTES)")])
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InventoryError(BODY, [Problem(None, "file", f"cannot read: not UTF-8 text (byte {exc.start})")]) from None
    source = Path(f"{BODY}.{fmt}")
    problems = loader._Problems()
    try:
        if fmt == "yaml" and _credentials_only(text):
            reader = YamlReader(problems)
            parsed = reader.sections(text, ("credentials",))
            inventory = Inventory([], (reader.credentials(parsed[1]) if parsed is not None else None) or {})
        else:
            inventory = loader._inventory(source, text, None, known, problems)
    except loader._TooMany:
        raise InventoryError(BODY, loader._error(source, problems, stopped=True).problems) from None
    if problems:
        raise InventoryError(BODY, loader._error(source, problems).problems)
    return inventory


def _credentials_only(text: str) -> bool:
    """A YAML document with ``credentials:`` and no ``devices:`` (as ``is_credentials_file`` decides)."""
    try:
        top = compose(text)
    except yaml.YAMLError:
        return False
    if not isinstance(top, MappingNode):
        return False
    keys = {key.value for key, _ in top.value if isinstance(key, ScalarNode)}
    return "credentials" in keys and "devices" not in keys


__all__ = ["BODY", "EDITABLE", "FORMATS", "CredentialInfo", "Imported", "InventoryService", "credential_problems",
           "device_problems"]
