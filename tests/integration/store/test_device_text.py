"""Device text is data: what a device controls is stored cleaned and bounded, the same on both backends.

A hostile device advertises a 300-character CDP name, rich markup, terminal escape sequences
(window title, hyperlink, screen clear), a NUL byte and right-to-left overrides, in neighbor,
interface, facts, error, command-note and unmanaged fields. Every string comes back exactly as
``netatlas.domain.text.clean`` makes it (no control or bidi character left, nothing longer than
its bound), and the job does not fail on PostgreSQL.
"""

from __future__ import annotations

import pytest

from netatlas.domain.records import (
    CommandOutput,
    Coverage,
    DataType,
    DeviceResult,
    DeviceStatus,
    ErrorKind,
    Facts,
    Interface,
    Neighbor,
    NextHop,
    Route,
    Unmanaged,
)
from netatlas.domain.text import FIELD_MAX, clean, is_clean
from netatlas.store import Database, JobRepo, SnapshotRepo
from tests.integration.store import factories

pytestmark = pytest.mark.integration

LONG_NAME = "core-" + "x" * 295  # 300 characters: overflowed the old 128-character column on PostgreSQL
MARKUP = "[/]crash[bold red]boom[/bold red]"
TITLE = "sw1\x1b]0;pwned\x07\x1b[2J"
LINK = "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"
RTL = "admin\u202egnp.exe"
NUL = "eth\x00null"
HUGE = "d" * (FIELD_MAX + 500)


def _hostile_result() -> DeviceResult:
    neighbors = [Neighbor("cdp", "GigabitEthernet0/1", LONG_NAME, MARKUP, remote_name_raw=TITLE,
                          remote_platform=RTL, capabilities=LINK),
                 Neighbor("lldp", NUL, RTL, TITLE, remote_name_raw=HUGE)]
    interfaces = [Interface(MARKUP, admin_up=True, oper_up=False, description=TITLE + RTL, vrf=LINK)]
    routes = [Route(vrf=RTL, prefix="10.0.0.0/24", protocol="static", next_hops=(NextHop("10.0.0.1", TITLE),))]
    asked = frozenset({DataType.CDP, DataType.LLDP, DataType.INTERFACES, DataType.STATIC_ROUTES})
    result = DeviceResult("hostile", ok=True, asked=asked, outputs=[
        CommandOutput("show cdp neighbors detail", DataType.CDP, "raw " + TITLE, coverage=Coverage.PARTIAL,
                      unparsed=(TITLE, RTL), note=MARKUP, error=LINK)])
    result.records.facts = Facts(hostname=LONG_NAME, model=MARKUP, serial=TITLE, os_version=RTL, vendor=NUL,
                                 uptime=HUGE)
    result.records.neighbors, result.records.interfaces, result.records.routes = neighbors, interfaces, routes
    return result


@pytest.fixture
def stored(db: Database) -> tuple[Database, str, int]:
    with db.session() as session:
        job_id = JobRepo(session).create([factories.device("hostile")], {"data_types": ["cdp"]})
    with db.session() as session:
        snapshot = SnapshotRepo(session).save(job_id, "hostile", _hostile_result())
        repo = JobRepo(session)
        repo.update_device(job_id, "hostile", DeviceStatus.FAILED, step=TITLE, error_kind=ErrorKind.PARSE_ERROR,
                           error=f"{MARKUP} {RTL} {NUL}", warning=LINK)
        repo.add_unmanaged(job_id, [Unmanaged(LONG_NAME, "10.0.0.9", MARKUP, TITLE),
                                    Unmanaged(LONG_NAME + "\x1b", "10.0.0.9", "again", RTL)])
    return db, job_id, snapshot


def test_records_and_facts_come_back_cleaned(stored: tuple[Database, str, int]) -> None:
    db, _, snapshot = stored
    with db.session(readonly=True) as session:
        repo = SnapshotRepo(session)
        records = repo.records(snapshot)
        view = repo.get(snapshot)
    cdp, lldp = sorted(records.neighbors, key=lambda n: n.protocol)
    assert (cdp.remote_name, cdp.remote_interface, cdp.remote_name_raw) == (LONG_NAME, MARKUP, clean(TITLE))
    assert (cdp.remote_platform, cdp.capabilities) == (clean(RTL), clean(LINK))
    assert (lldp.local_interface, lldp.remote_name, lldp.remote_name_raw) == (clean(NUL), clean(RTL), clean(HUGE))
    assert lldp.remote_name_raw.endswith("…[+500 chars]")
    (interface,) = records.interfaces
    assert (interface.name, interface.description, interface.vrf) == (MARKUP, clean(TITLE + RTL), clean(LINK))
    (route,) = records.routes
    assert (route.vrf, route.next_hops) == (clean(RTL), (NextHop("10.0.0.1", clean(TITLE)),))
    assert view.facts == Facts(LONG_NAME, MARKUP, clean(TITLE), clean(RTL), clean(NUL), clean(HUGE))


def test_job_rows_and_command_notes_come_back_cleaned(stored: tuple[Database, str, int]) -> None:
    db, job_id, snapshot = stored
    with db.session(readonly=True) as session:
        (device,) = JobRepo(session).show(job_id).devices
        unmanaged = JobRepo(session).unmanaged(job_id)
        (raw,) = SnapshotRepo(session).raw(snapshot)
    assert (device.step, device.error, device.warning) == (clean(TITLE), clean(f"{MARKUP} {RTL} {NUL}"), clean(LINK))
    assert [(u.name, u.reason, u.seen_from) for u in unmanaged] == [
        (LONG_NAME, MARKUP, clean(TITLE)), (clean(LONG_NAME + "\x1b"), "again", clean(RTL))]
    assert (raw.note, raw.error, raw.unparsed) == (MARKUP, clean(LINK), (clean(TITLE), clean(RTL)))
    assert raw.output == "raw " + TITLE, "the raw output is kept byte for byte (compressed) for audit"


def test_no_control_or_bidi_character_is_stored_anywhere_but_the_raw_output(
        stored: tuple[Database, str, int]) -> None:
    db, job_id, snapshot = stored
    with db.session(readonly=True) as session:
        records = SnapshotRepo(session).records(snapshot)
        detail = JobRepo(session).show(job_id)
        texts = [str(value) for record in (*records.neighbors, *records.interfaces, *records.routes)
                 for value in vars_of(record)]
        texts += [d.error for d in detail.devices] + [u.name for u in JobRepo(session).unmanaged(job_id)]
    assert texts and all(is_clean(t) or t.endswith("chars]") for t in texts)
    assert all(len(t) <= FIELD_MAX + len("…[+9999 chars]") for t in texts)


def vars_of(record: object) -> list[object]:
    slots: tuple[str, ...] = getattr(record, "__slots__", ())
    values = [getattr(record, name) for name in slots]
    return [v for value in values for v in (value if isinstance(value, tuple) else (value,))]
