"""Stored records equal the ground truth: every platform, every data type, read back from the database.

A mixed lab (every platform) is discovered once per backend with every data type; then, per
platform and data type, each device's *current* records (``SnapshotRepo.latest``) must equal
what ``tests.support.expected`` derives from the lab's own state. The links implied by the stored
CDP/LLDP neighbors must equal the truth file's L2 links, and every endpoint must be in the stored
MAC table of its access port.

No scenario gives a JunOS device a static route or a MAC entry, or an EOS device a static or an
OSPF route; :func:`add_missing_kinds` adds them to one device of each before the lab is served
(its RIB is computed from that state), so every platform shows every data type.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path

import pytest

from netatlas.domain.names import canonical_interface
from netatlas.domain.records import DataType, JobStatus
from netatlas.lab.background import BackgroundLab
from netatlas.lab.model import DeviceState, IfKind, MacEntry, NextHop, Platform, Route, RouteProto, Variation
from netatlas.lab.routing import distance
from netatlas.lab.runtime import Lab
from netatlas.store import SnapshotRepo
from tests.integration.discovery.helpers import (
    Discovery,
    make_lab,
    record_count,
    stored_links,
    truth_links,
    truth_mismatches,
    write_inventory,
)
from tests.support.expected import canonical, expected

pytestmark = pytest.mark.integration

NETWORK = IPv4Network("127.60.0.0/16")
DEVICES = 40
# What a platform never shows (its command table has no such command): stored empty, truth empty.
NOT_SHOWN = {(Platform.ARISTA_EOS, DataType.CDP), (Platform.JUNIPER_JUNOS, DataType.CDP)}
ADDED_STATIC, ADDED_OSPF = IPv4Network("100.100.77.0/24"), IPv4Network("100.100.78.0/24")  # unused prefixes


@dataclass(frozen=True, slots=True)
class Discovered:
    lab: Lab
    discovery: Discovery
    job_id: str


def _next_hop(dev: DeviceState) -> tuple[IPv4Address, str]:
    """An address on the other end of the device's first routed link, and the local interface."""
    local = next(i for i in dev.interfaces if i.kind is IfKind.PHYSICAL and i.ipv4 is not None and i.vrf == "default")
    assert local.ipv4 is not None
    hop = next(a for a in local.ipv4.network if a not in (local.ipv4.ip, local.ipv4.network.network_address))
    return hop, local.name


def _route(dev: DeviceState, prefix: IPv4Network, protocol: RouteProto) -> Route:
    hop, interface = _next_hop(dev)
    ospf = protocol is RouteProto.OSPF
    return Route(prefix, protocol, (NextHop(hop, interface),), distance=distance(dev.platform, protocol),
                 metric=20 if ospf else 0, ospf_type="intra" if ospf else "")


def add_missing_kinds(lab: Lab) -> None:
    """A static route and a MAC entry on a JunOS device, a static and an OSPF route on an EOS device."""
    junos = next(d.state for d in lab.devices if d.state.platform is Platform.JUNIPER_JUNOS)
    eos = next(d.state for d in lab.devices if d.state.platform is Platform.ARISTA_EOS)
    junos.static_routes.append(_route(junos, ADDED_STATIC, RouteProto.STATIC))
    port = next(i for i in junos.interfaces if i.kind is IfKind.PHYSICAL)
    junos.mac_table.append(MacEntry(10, "00:50:56:aa:bb:01", port.name))
    eos.static_routes.append(_route(eos, ADDED_STATIC, RouteProto.STATIC))
    eos.static_routes.append(_route(eos, ADDED_OSPF, RouteProto.OSPF))
    for dev, host in ((junos, junos.hostname), (eos, eos.hostname)):
        rib = {(r.prefix, r.protocol) for r in lab.network.rib(host)}
        assert {(r.prefix, r.protocol) for r in dev.static_routes} <= rib, f"{host}: an added route is not in its RIB"


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    prepared = make_lab("mixed", DEVICES, NETWORK)
    add_missing_kinds(prepared)
    with BackgroundLab(prepared):
        yield prepared


@pytest.fixture(scope="module")
def discovered(lab: Lab, db_url: str, home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Discovered]:
    discovery = Discovery.open(db_url, home)
    devices = discovery.import_file(write_inventory(lab.inventory(), tmp_path_factory.mktemp("inv") / "lab.yaml"))
    try:
        yield Discovered(lab, discovery, discovery.run(devices))
    finally:
        discovery.close()


def test_every_device_completed(discovered: Discovered) -> None:
    detail = discovered.discovery.detail(discovered.job_id)
    assert detail.job.status is JobStatus.COMPLETED
    assert detail.job.counts.completed == detail.job.counts.total == DEVICES
    assert {d.device_name for d in detail.devices} == {d.state.hostname for d in discovered.lab.devices}
    assert {d.state.platform for d in discovered.lab.devices} == set(Platform)


@pytest.mark.parametrize("kind", list(DataType), ids=str)
@pytest.mark.parametrize("platform", list(Platform), ids=str)
def test_stored_records_equal_the_truth(discovered: Discovered, platform: Platform, kind: DataType) -> None:
    devices = [d for d in discovered.lab.devices if d.state.platform is platform]
    assert devices
    problems = [p for d in devices for p in truth_mismatches(discovered.discovery.db, d, frozenset({kind}),
                                                             discovered.job_id)]
    assert not problems, "\n".join(problems[:10])
    with discovered.discovery.db.session(readonly=True) as session:
        repo = SnapshotRepo(session)
        stored = sum(record_count(latest.records) for d in devices
                     if (latest := repo.latest(d.state.hostname, kind)) is not None)
    assert (stored == 0) == ((platform, kind) in NOT_SHOWN), f"{stored} {kind} records stored for {platform}"


def test_current_state_merges_every_type_into_the_truth(discovered: Discovered) -> None:
    with discovered.discovery.db.session(readonly=True) as session:
        repo = SnapshotRepo(session)
        for device in discovered.lab.devices:
            want = canonical(expected(device.state, device.rib, frozenset(DataType)))
            assert canonical(repo.current(device.state.hostname)) == want, device.state.hostname


def test_stored_neighbors_give_exactly_the_truth_links(discovered: Discovered) -> None:
    stored, truth = stored_links(discovered.discovery.db, discovered.lab), truth_links(discovered.lab)
    assert len(truth) > DEVICES
    assert stored - truth == set(), "links the truth does not have"
    assert truth - stored == set(), "truth links no stored neighbor reports"


def test_every_endpoint_is_in_the_stored_mac_table_of_its_port(discovered: Discovered) -> None:
    platforms = {d.state.hostname: d.state.platform for d in discovered.lab.devices}
    with discovered.discovery.db.session(readonly=True) as session:
        tables = SnapshotRepo(session).latest_for_all(DataType.MAC)
    learned = {(name, m.mac, m.vlan, canonical_interface(m.interface, platforms[name]).split(".", 1)[0])
               for name, latest in tables.items() for m in latest.records.mac_table}
    endpoints = discovered.lab.truth()["endpoints"]
    assert len(endpoints) > 20
    missing = [e for e in endpoints if (e["node"], e["mac"], e["vlan"], e["interface"]) not in learned]
    assert not missing, missing[:5]


def _coverage(discovered: Discovered, name: str) -> dict[DataType, tuple[str, str]]:
    with discovered.discovery.db.session(readonly=True) as session:
        repo = SnapshotRepo(session)
        snapshot = repo.history(name)[0]
        held = repo.coverage([snapshot.id])[snapshot.id]
    return {kind: (coverage.status.value, coverage.note) for kind, coverage in held.items()}


@pytest.mark.parametrize(("variation", "kind"),
                         [(Variation.CDP_OFF, DataType.CDP), (Variation.LLDP_OFF, DataType.LLDP)], ids=str)
def test_a_feature_that_is_off_is_recorded_as_such_with_the_devices_message(
        discovered: Discovered, variation: Variation, kind: DataType) -> None:
    devices = [d.state for d in discovered.lab.devices if variation in d.state.variations]
    assert devices, f"the lab has no {variation} device"
    for dev in devices:
        status, note = _coverage(discovered, dev.hostname)[kind]
        assert status == "feature_off", (dev.hostname, dev.platform, status, note)
        assert re.search(r"not enabled|not running|disabled", note), (dev.hostname, note)


def test_an_old_image_is_read_through_the_plain_forms_and_says_so(discovered: Discovered) -> None:
    old = [d.state for d in discovered.lab.devices if Variation.OLD_IMAGE in d.state.variations]
    assert old, "the lab has no old-image device"
    for dev in old:
        with discovered.discovery.db.session(readonly=True) as session:
            repo = SnapshotRepo(session)
            outputs = repo.raw(repo.history(dev.hostname)[0].id)
        assert any(o.note.startswith("fallback:") for o in outputs), (dev.hostname, [o.note for o in outputs])
        assert all(o.error_kind is None for o in outputs), [(o.command, o.error_kind) for o in outputs]
