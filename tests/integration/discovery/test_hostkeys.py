"""Host keys over real SSH: trusted on first use, a changed key fails the device before any password is
sent, ``devices trust`` accepts the new key, and the strict policy refuses unknown keys (crawl included).

One small campus lab whose ``dist1`` has the ``hostkey`` fault (a new key at every rotation); the lab
records every connection and password attempt, so "no password sent" is observed on the server side.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import pytest

from netatlas.collect.hostkeys import fingerprint
from netatlas.lab.background import BackgroundLab
from netatlas.lab.runtime import CREDENTIALS_NAME
from netatlas.store import Database, HostKeyRepo
from tests.integration.discovery.helpers import FAST_FAILURE, cli, cli_json, make_lab, write_inventory

pytestmark = pytest.mark.integration

NETWORK = IPv4Network("127.65.0.0/16")
CHANGING = "dist1"  # the ``hostkey`` device


@dataclass(frozen=True, slots=True)
class Site:
    lab: BackgroundLab
    inventory: Path
    logins: Path
    db_url: str
    home: Path

    def address(self, name: str) -> str:
        return next(d.address for d in self.lab.lab.devices if d.state.hostname == name)

    def presented(self) -> dict[str, str]:
        """Address -> fingerprint of the key each device presents now (the lab's known_hosts)."""
        found = {}
        for line in self.lab.known_hosts().splitlines():
            where, kind, blob = line.split()
            found[where.split("]")[0].lstrip("[")] = fingerprint(f"{kind} {blob}")
        return found

    def discover(self, *args: str, **settings: Any) -> tuple[int, dict[str, Any]]:
        code, summary = cli_json(["discover", *args, "--db", self.db_url], self.home, **FAST_FAILURE, **settings)
        return code, summary

    def trusted_keys(self) -> dict[str, dict[str, Any]]:
        """What ``devices keys --json`` prints (read in process: the CLI itself is run by the first test)."""
        with Database.open(self.db_url) as db, db.session(readonly=True) as session:
            stored = HostKeyRepo(session).list()
        names = {d.address: d.state.hostname for d in self.lab.lab.devices}
        return {names[k.entry.host]: {"host": k.entry.host, "port": k.entry.port, "key_type": k.entry.key_type,
                                      "fingerprint": k.entry.fingerprint, "trusted_by": str(k.trusted_by)}
                for k in stored}

    def passwords_to(self, name: str, since: int) -> list[dict[str, Any]]:
        """Password attempts the device received after line ``since`` of the capture file."""
        return [e for e in self.events(since) if e["event"] == "password" and e["address"] == self.address(name)]

    def events(self, since: int = 0) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.logins.read_text().splitlines()[since:]]

    def mark(self) -> int:
        return len(self.logins.read_text().splitlines())


@pytest.fixture(scope="module")
def site(db_url: str, home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    lab = make_lab("campus", 4, NETWORK, faults=f"hostkey:{CHANGING}")
    folder = tmp_path_factory.mktemp("hostkeys")
    inventory = write_inventory(lab.inventory(), folder / "inventory.yaml")
    logins = folder / "logins.jsonl"
    logins.touch()
    with BackgroundLab(lab, capture_logins=logins) as served:
        yield Site(served, inventory, logins, db_url, home)


def _status(summary: dict[str, Any]) -> dict[str, tuple[str, str | None, int]]:
    return {d["name"]: (d["status"], d["error_kind"], d["attempt"]) for d in summary["devices"]}


def test_the_first_discovery_trusts_every_key_on_first_use(site: Site) -> None:
    code, summary = site.discover("--inventory", str(site.inventory), "--only", "interfaces")
    assert code == 0, summary
    code, listed = cli_json(["devices", "keys", "--db", site.db_url], site.home)
    assert code == 0
    keys = {k["device"]: k for k in listed}
    presented = site.presented()
    assert set(keys) == {d.state.hostname for d in site.lab.lab.devices}
    for name, key in keys.items():
        assert key["trusted_by"] == "first_use" and key["key_type"] == "ssh-ed25519"
        assert key["fingerprint"] == presented[key["host"]], f"{name}: the key it presented"
        assert key["host"] == site.address(name) and key["port"] == site.lab.lab.port


def test_a_changed_key_fails_the_device_and_no_password_is_sent(site: Site) -> None:
    before = site.trusted_keys()[CHANGING]
    assert site.lab.rotate_host_keys() == [CHANGING]
    since = site.mark()
    code, summary = site.discover("--only", "interfaces")
    assert code == 2, summary
    status = _status(summary)
    assert status.pop(CHANGING) == ("failed", "host_key_changed", 1), "permanent: never retried"
    assert set(status.values()) == {("completed", None, 1)}
    failed = next(d for d in summary["devices"] if d["name"] == CHANGING)
    assert "no password was sent" in failed["error"] and before["fingerprint"] in failed["error"]
    connects = [e for e in site.events(since) if e["event"] == "connect" and e["address"] == site.address(CHANGING)]
    assert connects, "the device was contacted"
    assert site.passwords_to(CHANGING, since) == [], "but no password reached it"
    assert site.trusted_keys()[CHANGING] == before, "the trusted key is not replaced by the new one"


def test_devices_trust_accepts_the_presented_key(site: Site) -> None:
    since = site.mark()
    done = cli(["devices", "trust", CHANGING, "--db", site.db_url], site.home)
    assert done.returncode == 0, done.stderr
    assert site.passwords_to(CHANGING, since) == [], "trusting reads the key without logging in"
    unknown = cli(["devices", "trust", "nosuch", "--db", site.db_url], site.home)
    assert unknown.returncode == 1 and "no device named 'nosuch'" in unknown.stderr
    key = site.trusted_keys()[CHANGING]
    assert key["trusted_by"] == "operator" and key["fingerprint"] == site.presented()[site.address(CHANGING)]
    assert key["fingerprint"] in done.stdout
    code, summary = site.discover("--only", "interfaces")
    assert code == 0, summary
    assert set(_status(summary).values()) == {("completed", None, 1)}


def _forget(site: Site, name: str) -> None:
    with Database.open(site.db_url) as db, db.session() as session:
        assert HostKeyRepo(session).forget(site.address(name), site.lab.lab.port)


def test_strict_policy_refuses_an_unknown_key_until_it_is_trusted(site: Site) -> None:
    _forget(site, "dist10")
    since = site.mark()
    code, summary = site.discover("--only", "interfaces", host_key_policy="strict")
    assert code == 2, summary
    assert _status(summary)["dist10"] == ("failed", "host_key_unknown", 1)
    assert site.passwords_to("dist10", since) == []
    assert "dist10" not in site.trusted_keys(), "strict never records a key on first use"
    known_hosts = site.inventory.with_name("known_hosts")
    known_hosts.write_text(site.lab.known_hosts())
    done = cli(["devices", "trust", "--from-known-hosts", str(known_hosts), "--db", site.db_url], site.home)
    assert done.returncode == 0, done.stderr
    assert site.trusted_keys()["dist10"]["trusted_by"] == "known_hosts"
    code, summary = site.discover("--only", "interfaces", host_key_policy="strict")
    assert code == 0, summary


def test_a_strict_crawl_sends_no_credential_to_an_untrusted_neighbor(site: Site) -> None:
    _forget(site, "core10")
    since = site.mark()
    code, summary = site.discover("--seed", "core1", "--crawl", "--depth", "2", "--allow", str(NETWORK),
                                  "--credentials", CREDENTIALS_NAME, "--crawl-credentials", CREDENTIALS_NAME,
                                  "--port", str(site.lab.lab.port), "--only", "cdp,lldp", host_key_policy="strict")
    assert code == 2, summary
    status = _status(summary)
    assert status["core10"] == ("failed", "host_key_unknown", 1)
    assert status["core1"] == ("completed", None, 1) and len(status) == 4, "the crawl reached every device"
    assert site.passwords_to("core10", since) == []
