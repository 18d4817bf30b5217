"""``netatlas devices import|list|data|trust|keys``.

Everything shown here may come from a device or an inventory file, so it is printed only through
``cli.common`` (``text``/``say``/``print_table``): never read as markup, escape sequences shown.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from netatlas.cli.common import (
    EXIT_OK,
    EXIT_PARTIAL,
    DbOption,
    JsonOption,
    database,
    err,
    fail,
    print_json,
    print_table,
    say,
    secret_box,
    settings,
    text,
)
from netatlas.domain.datatypes import RECORD_KINDS
from netatlas.domain.errors import NetatlasError
from netatlas.domain.jsonable import to_jsonable
from netatlas.domain.records import Coverage

if TYPE_CHECKING:  # the services are imported by the commands that use them
    from netatlas.domain.inventory import InventoryDevice
    from netatlas.inventory import Inventory
    from netatlas.jobs.hostkeys import TrustOutcome
    from netatlas.jobs.queries import DeviceData
    from netatlas.store import Database, StoredDevice, StoredHostKey

app = typer.Typer(help="The device inventory, each device's current data and trusted SSH host keys.",
                  no_args_is_help=True)

DEVICE_COLUMNS = ("name", "host", "port", "platform", "credentials", "site", "role", "origin", "advertised by")
KEY_COLUMNS = ("host", "port", "device", "type", "fingerprint", "trusted by", "first seen", "last seen")
NamesArgument = Annotated[list[str] | None, typer.Argument(help="Device names (or --all).", show_default=False)]


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
    from netatlas.jobs.discovery import DiscoveryService

    config = settings(db)
    with database(config) as database_:
        service = DiscoveryService(database_, secret_box(config, database_), config)
        try:
            inventory = _load(file, credentials_file, config.inventory_max_bytes)
            count = service.import_inventory(inventory)
        except NetatlasError as exc:
            fail(str(exc))
    say(f"imported {count} device(s) and {len(inventory.credentials)} credential set(s) from ", str(file))


def _load(file: Path, credentials_file: Path | None, max_bytes: int) -> Inventory:
    """An inventory, or a YAML file of credential sets only (to crawl from seeds with them)."""
    from netatlas.inventory import Inventory, is_credentials_file, load_credentials, load_inventory

    if is_credentials_file(file, max_bytes):  # bounded reading and YAML limits, like load_inventory
        return Inventory([], load_credentials(file, max_bytes=max_bytes))
    return load_inventory(file, credentials_file, max_bytes=max_bytes)


@app.command("list")
def list_devices(db: DbOption = None, json_output: JsonOption = False) -> None:
    """Every stored device, with where it came from (inventory, crawled: advertised by whom, seed)."""
    from netatlas.jobs.queries import DeviceQueries

    with database(settings(db)) as database_:
        stored = DeviceQueries(database_).list().items
    if json_output:
        print_json([{**to_jsonable(s.device), "origin": s.origin, "advertised_by": s.advertised_by} for s in stored])
        return
    print_table(DEVICE_COLUMNS, (_device_row(s) for s in stored), title=f"{len(stored)} devices")


def _device_row(stored: StoredDevice) -> tuple[object, ...]:
    d = stored.device
    return d.name, d.host, d.port, d.platform, d.credentials, d.site, d.role, stored.origin, stored.advertised_by


@app.command("data")
def device_data(name: Annotated[str, typer.Argument(help="Device name.")],
                kind: Annotated[str, typer.Option(help=f"One of: {', '.join(RECORD_KINDS)}.")],
                db: DbOption = None, json_output: JsonOption = False) -> None:
    """The device's current records of one kind (from its latest successful collection), and whether
    that collection read them completely (``partial``, ``feature_off`` with the device's words)."""
    from netatlas.jobs.queries import DataQueries

    if kind not in RECORD_KINDS:
        fail(f"--kind: unknown kind {kind!r} (choose from {', '.join(RECORD_KINDS)})")
    chosen = RECORD_KINDS[kind]
    with database(settings(db)) as database_:
        data = DataQueries(database_).current(name, kind)
    coverage = _coverage(data)
    rows: list[dict[str, Any]] = [to_jsonable(r) for r in data.records.items]
    if json_output:
        print_json({"device": name, "kind": kind, "coverage": coverage, "records": rows})
        return
    for data_type, held in coverage.items():
        if held["status"] != Coverage.COMPLETE:
            say(text(f"{data_type} {held['status']}:", "yellow"), " ", held["note"] or "(no detail)",
                f" (job {held['job_id']})")
    if not rows:
        say(name, f": no {kind} data")
        return
    columns = chosen.field.columns
    print_table(columns, ([_cell(row[c]) for c in columns] for row in rows),
                title=text(f"{name} {kind} ({len(rows)})"), max_width=40)


def _coverage(data: DeviceData) -> dict[str, dict[str, Any]]:
    """Per data type read, how completely its current snapshot holds it (``--json``'s ``coverage``)."""
    return {h.data_type.value: {"status": h.coverage.status.value, "note": h.coverage.note, "job_id": h.job_id,
                                "collected_at": h.collected_at} for h in data.held}


@app.command("trust")
def trust(names: NamesArgument = None,
          all_devices: Annotated[bool, typer.Option("--all", help="Every stored device.")] = False,
          from_known_hosts: Annotated[Path | None, typer.Option(
              "--from-known-hosts", help="Take the keys from this OpenSSH known_hosts file instead of asking "
                                         "the devices.")] = None,
          db: DbOption = None, json_output: JsonOption = False) -> None:
    """Trust the SSH host key each device presents now (read in the key exchange, without logging in), or
    the key a known_hosts file lists for its address; it replaces any key trusted before. With a file and
    no device named, every address the file lists is trusted (e.g. before a strict crawl)."""
    config = settings(db)
    with database(config) as database_:
        try:
            outcomes = _trust(database_, config.connect_timeout, names or [], all_devices, from_known_hosts)
        except NetatlasError as exc:
            fail(str(exc))
    _report_trust(outcomes, json_output)
    raise typer.Exit(EXIT_PARTIAL if any(o.key is None for o in outcomes) else EXIT_OK)


def _trust(db: Database, timeout: float, names: list[str], all_devices: bool,
           known_hosts: Path | None) -> list[TrustOutcome]:
    from netatlas.jobs.hostkeys import read_known_hosts, trust_from_known_hosts, trust_known_hosts_file, trust_presented

    if names and all_devices:
        fail("name the devices to trust or give --all, not both")
    if known_hosts is not None:
        text_ = read_known_hosts(known_hosts)
        if not names and not all_devices:
            return trust_known_hosts_file(db, text_, _chosen(db, [], True))
        return trust_from_known_hosts(db, _chosen(db, names, all_devices), text_)
    if not names and not all_devices:
        fail("name the devices to trust, or give --all (or --from-known-hosts FILE)")
    return asyncio.run(trust_presented(db, _chosen(db, names, all_devices), timeout=timeout))


def _chosen(db: Database, names: list[str], all_devices: bool) -> list[InventoryDevice]:
    from netatlas.jobs.queries import DeviceQueries

    stored = DeviceQueries(db)
    if all_devices:
        return [s.device for s in stored.list().items]
    try:
        return stored.named(names)
    except NetatlasError as exc:
        fail(str(exc))


def _report_trust(outcomes: list[TrustOutcome], json_output: bool) -> None:
    if json_output:
        print_json([{"device": o.device, "key": _key_json(o.key) if o.key else None, "error": o.problem or None}
                    for o in outcomes])
        return
    trusted = [o for o in outcomes if o.key is not None]
    if trusted:
        print_table(KEY_COLUMNS, (_key_row(o.key, o.device) for o in trusted if o.key is not None),
                    title=f"{len(trusted)} key(s) trusted")
    for o in outcomes:
        if o.key is None:
            say(text("not trusted:", "red"), " ", o.device, ": ", o.problem, console=err)


@app.command("keys")
def keys(db: DbOption = None, json_output: JsonOption = False) -> None:
    """The trusted SSH host keys: address, device, type, SHA256 fingerprint, how and when trusted."""
    from netatlas.jobs.queries import DeviceQueries

    with database(settings(db)) as database_:
        named = DeviceQueries(database_).host_keys()
    if json_output:
        print_json([_key_json(key, name) for key, name in named])
        return
    print_table(KEY_COLUMNS, (_key_row(key, name) for key, name in named), title=f"{len(named)} trusted key(s)")


def _key_json(key: StoredHostKey, device: str | None = None) -> dict[str, Any]:
    e = key.entry
    return {"host": e.host, "port": e.port, "device": e.device_name if device is None else device,
            "key_type": e.key_type, "fingerprint": e.fingerprint, "trusted_by": key.trusted_by,
            "first_seen": key.first_seen, "last_seen": key.last_seen}


def _key_row(key: StoredHostKey, device: str) -> tuple[object, ...]:
    e = key.entry
    return (e.host, e.port, device or e.device_name, e.key_type, e.fingerprint, key.trusted_by,
            f"{key.first_seen:%Y-%m-%d %H:%M:%S}", f"{key.last_seen:%Y-%m-%d %H:%M:%S}")
