"""``netatlas devices import|list|data``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from netatlas.cli.common import (
    DbOption,
    JsonOption,
    database,
    fail,
    out,
    print_json,
    secret_box,
    settings,
    to_jsonable,
)
from netatlas.domain.errors import NetatlasError
from netatlas.domain.records import DataType, DeviceRecords
from netatlas.inventory import Inventory, is_credentials_file, load_credentials, load_inventory
from netatlas.jobs.discovery import DiscoveryService
from netatlas.store import DeviceRepo, SnapshotRepo

app = typer.Typer(help="The device inventory and each device's current data.", no_args_is_help=True)

# --kind -> (data types to read, records attribute, filter on records)
KINDS: dict[str, tuple[tuple[DataType, ...], str, str]] = {
    "interfaces": ((DataType.INTERFACES,), "interfaces", ""),
    "cdp": ((DataType.CDP,), "neighbors", "cdp"),
    "lldp": ((DataType.LLDP,), "neighbors", "lldp"),
    "routes": ((DataType.STATIC_ROUTES, DataType.OSPF_ROUTES, DataType.BGP_ROUTES), "routes", ""),
    "ospf": ((DataType.ROUTING_NEIGHBORS,), "ospf_neighbors", ""),
    "bgp": ((DataType.ROUTING_NEIGHBORS,), "bgp_sessions", ""),
    "mac": ((DataType.MAC,), "mac_table", ""),
    "arp": ((DataType.ARP,), "arp", ""),
}


# Columns shown in the table (``--json`` has every field).
COLUMNS: dict[str, tuple[str, ...]] = {
    "interfaces": ("name", "admin_up", "oper_up", "ipv4", "vrf", "description"),
    "cdp": ("local_interface", "remote_name", "remote_interface", "mgmt_ip", "remote_platform"),
    "lldp": ("local_interface", "remote_name", "remote_interface", "mgmt_ip", "remote_platform"),
    "routes": ("vrf", "prefix", "protocol", "next_hops", "distance", "metric"),
    "ospf": ("router_id", "address", "interface", "state", "vrf"),
    "bgp": ("peer", "remote_as", "state", "prefixes_received", "vrf"),
    "mac": ("mac", "vlan", "interface", "dynamic"),
    "arp": ("ip", "mac", "interface", "vrf"),
}


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return " via ".join(str(v) for v in value.values() if v)
    return str(value)


@app.command("import")
def import_devices(file: Annotated[Path, typer.Argument(help="Inventory file (YAML or CSV).")],
                   credentials_file: Annotated[Path | None, typer.Option(help="Credential sets for CSV.")] = None,
                   db: DbOption = None) -> None:
    """Validate an inventory and store its devices and (encrypted) credential sets."""
    config = settings(db)
    with database(config) as database_:
        service = DiscoveryService(database_, secret_box(config, database_), config)
        try:
            inventory = _load(file, credentials_file)
            count = service.import_inventory(inventory)
        except NetatlasError as exc:
            fail(str(exc))
    out.print(f"imported {count} device(s) and {len(inventory.credentials)} credential set(s) from {file}")


def _load(file: Path, credentials_file: Path | None) -> Inventory:
    """An inventory, or a YAML file of credential sets only (to crawl from seeds with them)."""
    if is_credentials_file(file):  # bounded reading and YAML limits, like load_inventory
        return Inventory([], load_credentials(file))
    return load_inventory(file, credentials_file)


@app.command("list")
def list_devices(db: DbOption = None, json_output: JsonOption = False) -> None:
    """Every stored device."""
    with database(settings(db)) as database_, database_.session(readonly=True) as session:
        devices = [s.device for s in DeviceRepo(session).list()]
    if json_output:
        print_json(devices)
        return
    table = Table(title=f"{len(devices)} devices")
    for column in ("name", "host", "port", "platform", "credentials", "site", "role"):
        table.add_column(column)
    for d in devices:
        table.add_row(d.name, d.host, str(d.port), d.platform, d.credentials, d.site, d.role)
    out.print(table)


@app.command("data")
def device_data(name: Annotated[str, typer.Argument(help="Device name.")],
                kind: Annotated[str, typer.Option(help=f"One of: {', '.join(KINDS)}.")],
                db: DbOption = None, json_output: JsonOption = False) -> None:
    """The device's current records of one kind (from its latest successful collection)."""
    if kind not in KINDS:
        fail(f"--kind: unknown kind {kind!r} (choose from {', '.join(KINDS)})")
    types, attribute, protocol = KINDS[kind]
    with database(settings(db)) as database_, database_.session(readonly=True) as session:
        rows = _records(SnapshotRepo(session), name, types, attribute, protocol)
    if json_output:
        print_json(rows)
        return
    if not rows:
        out.print(f"{name}: no {kind} data")
        return
    table = Table(title=f"{name} {kind} ({len(rows)})")
    for column in COLUMNS[kind]:
        table.add_column(column, no_wrap=True, overflow="ellipsis", max_width=40)
    for row in rows:
        table.add_row(*(_cell(row[c]) for c in COLUMNS[kind]))
    out.print(table)


def _records(repo: SnapshotRepo, name: str, types: tuple[DataType, ...], attribute: str,
             protocol: str) -> list[dict[str, Any]]:
    seen: list[Any] = []
    for data_type in types:
        latest = repo.latest(name, data_type)
        if latest is not None:
            records: DeviceRecords = latest.records
            seen += [r for r in getattr(records, attribute) if r not in seen]
    if protocol:
        seen = [r for r in seen if r.protocol == protocol]
    rows: list[dict[str, Any]] = [to_jsonable(r) for r in seen]
    return rows
