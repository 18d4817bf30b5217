"""Devices, credential sets and each device's current data on the wire.

The device fields are the inventory file's (docs/inventory.md). Their types are loose on purpose
(any text): the inventory's own checks (``netatlas.jobs.inventory_service``) judge the values and
say what is wrong with the file's words. No response model has a field for a secret: passwords
go in (``CredentialIn``, write-only) and never come out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from netatlas.domain.inventory import InventoryDevice
from netatlas.domain.jsonable import to_jsonable
from netatlas.jobs.inventory_service import CredentialInfo, Imported
from netatlas.jobs.queries import DeviceData
from netatlas.store import Origin, StoredDevice

MAX_FIELD = 4096  # longer than any valid value: the inventory checks say what is wrong below that
MAX_TAGS = 256


class DeviceFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = Field(max_length=MAX_FIELD, description="IP address or host name to SSH to.")
    platform: str = Field(max_length=MAX_FIELD, description="cisco_ios, cisco_nxos, arista_eos, juniper_junos...")
    credentials: str = Field(max_length=MAX_FIELD, description="The name of a stored credential set.")
    port: int = Field(22, description="SSH port (1-65535).")
    site: str = Field("", max_length=MAX_FIELD)
    role: str = Field("", max_length=MAX_FIELD)
    tags: list[str] = Field(default_factory=list, max_length=MAX_TAGS)
    legacy_ssh: bool = Field(False, description="Allow legacy SSH algorithms for this device.")


class DeviceIn(DeviceFields):
    """A new inventory entry."""

    name: str = Field(max_length=MAX_FIELD, description="The device's name (its identity).")

    def device(self) -> InventoryDevice:
        return InventoryDevice(name=self.name, host=self.host, platform=self.platform, credentials=self.credentials,
                               port=self.port, site=self.site, role=self.role, tags=tuple(self.tags),
                               legacy_ssh=self.legacy_ssh)


class DevicePatch(BaseModel):
    """The fields to change; an omitted (or null) field keeps its value. The name cannot change."""

    model_config = ConfigDict(extra="forbid")

    host: str | None = Field(None, max_length=MAX_FIELD)
    platform: str | None = Field(None, max_length=MAX_FIELD)
    credentials: str | None = Field(None, max_length=MAX_FIELD)
    port: int | None = None
    site: str | None = Field(None, max_length=MAX_FIELD)
    role: str | None = Field(None, max_length=MAX_FIELD)
    tags: list[str] | None = Field(None, max_length=MAX_TAGS)
    legacy_ssh: bool | None = None

    def changes(self) -> dict[str, Any]:
        return {key: value for key, value in self.model_dump().items() if value is not None}


class DeviceOut(BaseModel):
    name: str
    host: str
    port: int
    platform: str
    credentials: str = Field(description="The credential set's name (never its secrets).")
    site: str
    role: str
    tags: list[str]
    legacy_ssh: bool
    origin: Origin = Field(description="inventory, crawled (named by a neighbor) or seed.")
    advertised_by: str = Field(description="crawled: the device whose neighbor table named it.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, stored: StoredDevice) -> DeviceOut:
        d = stored.device
        return cls(name=d.name, host=d.host, port=d.port, platform=d.platform, credentials=d.credentials,
                   site=d.site, role=d.role, tags=list(d.tags), legacy_ssh=d.legacy_ssh, origin=stored.origin,
                   advertised_by=stored.advertised_by, created_at=stored.created_at, updated_at=stored.updated_at)


class ImportOut(BaseModel):
    devices: int = Field(description="Devices added or updated.")
    credentials: int = Field(description="Credential sets stored (encrypted).")

    @classmethod
    def of(cls, imported: Imported) -> ImportOut:
        return cls(devices=imported.devices, credentials=imported.credentials)


class CredentialIn(BaseModel):
    """A credential set. The secrets are write-only: no endpoint returns them."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(max_length=MAX_FIELD)
    password: SecretStr = Field(max_length=MAX_FIELD, json_schema_extra={"writeOnly": True})
    enable_secret: SecretStr | None = Field(None, max_length=MAX_FIELD, json_schema_extra={"writeOnly": True})


class CredentialOut(BaseModel):
    name: str
    username: str
    devices: int = Field(description="How many devices log in with it.")
    updated_at: datetime | None

    @classmethod
    def of(cls, info: CredentialInfo) -> CredentialOut:
        return cls(name=info.name, username=info.username, devices=info.devices, updated_at=info.updated_at)


class CredentialPut(BaseModel):
    name: str
    created: bool = Field(description="True when the set is new, False when it replaced one.")


class Held(BaseModel):
    """How completely the current snapshot holds one data type, and from which run."""

    status: str = Field(description="complete, partial or feature_off")
    note: str
    job_id: str
    collected_at: datetime


class DeviceDataOut(BaseModel):
    device: str
    kind: str
    coverage: dict[str, Held] = Field(description="Per data type of the kind read (never collected: absent).")
    records: list[dict[str, Any]] = Field(description="The page of records, each as the CLI's --json shows it.")
    offset: int
    limit: int | None
    more: bool

    @classmethod
    def of(cls, data: DeviceData) -> DeviceDataOut:
        coverage = {h.data_type.value: Held(status=h.coverage.status.value, note=h.coverage.note, job_id=h.job_id,
                                            collected_at=h.collected_at) for h in data.held}
        page = data.records
        return cls(device=data.device, kind=data.kind, coverage=coverage,
                   records=[to_jsonable(r) for r in page.items], offset=page.offset, limit=page.limit, more=page.more)
