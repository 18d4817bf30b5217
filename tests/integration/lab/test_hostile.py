"""Hostile lab devices over real SSH, seen by a plain asyncssh client (no netatlas code on the client side).

One ``netatlas lab serve`` process (so its memory can be measured on its own) serves a small
campus with one device of each hostile kind; a second, in-process lab checks that host keys
change between lab starts.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path
from typing import Any

import asyncssh
import pytest
import yaml

from netatlas.lab.background import BackgroundLab
from netatlas.lab.runtime import prepare_lab
from tests.support.parse import parse
from tests.support.sshclient import CliSession

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

RANGE = "127.36.0.0/16"
FAULTS = "hostkey:sw1,rogue:sw3,endless:sw4,prompt:dist1,markup:sw6"
ENDLESS_BYTES = 50 * 1024 * 1024
RSS_GROWTH_LIMIT_KB = 16 * 1024


@dataclass
class Served:
    proc: subprocess.Popen[str]
    port: int
    truth: dict[str, Any]
    inventory: dict[str, Any]
    capture: Path
    known_hosts: Path

    def host(self, name: str) -> str:
        return str(next(d["host"] for d in self.inventory["devices"] if d["name"] == name))

    def fault(self, node: str) -> dict[str, Any]:
        return dict(next(f for f in self.truth["faults"] if f["node"] == node))

    @property
    def creds(self) -> dict[str, str]:
        return dict(self.inventory["credentials"]["lab"])

    def rss_kb(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def captured(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.capture.read_text().splitlines()]


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("hostile")
    port = _free_port(str(IPv4Network(RANGE)[1]))
    files = {name: tmp / name for name in ("inv.yaml", "truth.json", "logins.jsonl", "known_hosts")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "netatlas.cli.main", "lab", "serve", "--scenario", "campus", "--devices", "12",
         "--seed", "5", "--port", str(port), "--address-range", RANGE, "--faults", FAULTS,
         "--inventory-out", str(files["inv.yaml"]), "--truth-out", str(files["truth.json"]),
         "--capture-logins", str(files["logins.jsonl"]), "--known-hosts-out", str(files["known_hosts"])],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            if line.startswith("press Ctrl-C"):
                break
        else:
            pytest.fail(f"lab did not start: {proc.stderr.read() if proc.stderr else ''}")
        yield Served(proc, port, json.loads(files["truth.json"].read_text()),
                     yaml.safe_load(files["inv.yaml"].read_text()), files["logins.jsonl"], files["known_hosts"])
    finally:
        proc.kill()
        proc.wait()


def _connect(served: Served, host: str, *, username: str | None = None, password: str | None = None,
             known_hosts: Any = None) -> Any:
    return asyncssh.connect(host, served.port, username=username or served.creds["username"],
                            password=password or served.creds["password"], known_hosts=known_hosts,
                            connect_timeout=10)


async def _host_key(served: Served, host: str) -> str:
    async with _connect(served, host) as conn:
        key = conn.get_server_host_key()
        assert key is not None
        return str(key.get_fingerprint("sha256"))


async def _cli(served: Served, name: str, *commands: str) -> list[str]:
    inv = next(d for d in served.inventory["devices"] if d["name"] == name)
    async with CliSession(inv["host"], served.port, served.creds["username"], served.creds["password"],
                          inv["platform"], served.creds["enable_secret"]) as cli:
        return [await cli.run(command) for command in commands]


# ----- truth ---------------------------------------------------------------------------------------
def test_truth_lists_each_hostile_device_and_the_rogue_is_in_no_inventory(served: Served) -> None:
    kinds = {f["node"]: f["kind"] for f in served.truth["faults"]}
    assert kinds == {"sw1": "hostkey", "rogue1": "rogue", "sw4": "endless", "dist1": "prompt", "sw6": "markup"}
    rogue = served.fault("rogue1")
    assert rogue["impersonates"] == "core1" and rogue["advertised_name"] == "core1.campus.example.net"
    assert rogue["neighbor"] == "sw3" and rogue["protocols"] == ["cdp", "lldp"]
    assert IPv4Address(rogue["mgmt_ip"]) in IPv4Network(RANGE)
    assert rogue["mgmt_ip"] not in {d["host"] for d in served.inventory["devices"]}
    assert "rogue1" not in {d["name"] for d in served.inventory["devices"]}
    assert served.host("core1") != rogue["mgmt_ip"]


# ----- hostkey -------------------------------------------------------------------------------------
def test_hostkey_device_gets_a_new_key_on_sighup_and_a_verifying_client_sends_no_password(served: Served) -> None:
    sw1, sw10 = served.host("sw1"), served.host("sw10")
    before = {h: asyncio.run(_host_key(served, h)) for h in (sw1, sw10)}
    assert asyncio.run(_host_key(served, sw1)) == before[sw1]  # stable until rotated
    served.proc.send_signal(signal.SIGHUP)
    assert served.proc.stdout is not None
    assert served.proc.stdout.readline().strip() == "host keys rotated: sw1"
    after = {h: asyncio.run(_host_key(served, h)) for h in (sw1, sw10)}
    assert after[sw1] != before[sw1]
    assert after[sw10] == before[sw10]

    async def verified_login(host: str, password: str | None = None) -> None:
        async with _connect(served, host, password=password, known_hosts=str(served.known_hosts)):
            pass

    asyncio.run(verified_login(sw10))  # the known_hosts file is right for the devices that kept their key
    with pytest.raises(asyncssh.HostKeyNotVerifiable):
        asyncio.run(verified_login(sw1, "must-not-be-sent"))
    digest = hashlib.sha256(b"must-not-be-sent").hexdigest()
    assert not [r for r in served.captured() if r.get("password_sha256") == digest]
    assert [r for r in served.captured() if r["node"] == "sw1" and r["event"] == "connect"]


def test_hostkey_device_key_differs_between_lab_starts() -> None:
    port = _free_port("127.37.0.1")

    def keys() -> tuple[str, dict[str, str]]:
        lab = prepare_lab("campus", 4, seed=5, faults="hostkey:1", port=port, mgmt_network=IPv4Network("127.37.0.0/16"))
        with BackgroundLab(lab) as running:
            lines = running.known_hosts().splitlines()
        (faulted,) = [d.address for d in lab.devices if d.fault is not None]
        return f"[{faulted}]:{port}", {line.split()[0]: line.split()[2] for line in lines}

    (sw1, first), (again, second) = keys(), keys()
    assert sw1 == again and len(first) == 4
    assert first[sw1] != second[sw1]
    assert {h: k for h, k in first.items() if h != sw1} == {h: k for h, k in second.items() if h != sw1}


# ----- rogue ---------------------------------------------------------------------------------------
def test_rogue_is_advertised_to_its_neighbor_with_its_own_address(served: Served) -> None:
    rogue = served.fault("rogue1")
    cdp, lldp = asyncio.run(_cli(served, "sw3", "show cdp neighbors detail", "show lldp neighbors detail"))
    cdp_rows = [r for r in parse("cisco_ios", "show cdp neighbors detail", cdp)
                if r["neighbor_name"] == "core1.campus.example.net"]
    lldp_rows = [r for r in parse("cisco_ios", "show lldp neighbors detail", lldp)
                 if r["neighbor_name"] == "core1.campus.example.net"]
    assert [(r["mgmt_address"], r["local_interface"]) for r in cdp_rows] == [
        (rogue["mgmt_ip"], rogue["neighbor_interface"])]
    assert cdp_rows[0]["platform"].startswith("cisco N9K") and "NX-OS" in cdp_rows[0]["neighbor_description"]
    assert [r["mgmt_address"] for r in lldp_rows] == [rogue["mgmt_ip"]]


def test_rogue_lets_anyone_in_and_records_only_a_hash_of_each_password(served: Served) -> None:
    rogue = served.fault("rogue1")

    async def login() -> str:
        async with _connect(served, rogue["mgmt_ip"], username="harvest-me", password="s3cret-guess") as conn:
            proc = await conn.create_process(term_type="vt100")
            seen = ""
            while not seen.rstrip().endswith("#"):
                seen += await asyncio.wait_for(proc.stdout.read(4096), 5)
            return seen.strip()

    assert asyncio.run(login()) == "core1#"  # it pretends to be the device it impersonates
    records = [r for r in served.captured() if r["node"] == "rogue1"]
    assert {r["event"] for r in records} == {"connect", "password"}
    attempt = next(r for r in records if r["event"] == "password")
    assert attempt["username"] == "harvest-me" and attempt["address"] == rogue["mgmt_ip"]
    assert attempt["password_sha256"] == hashlib.sha256(b"s3cret-guess").hexdigest()
    assert attempt["fault"] == "rogue"
    assert "s3cret-guess" not in served.capture.read_text()


# ----- endless -------------------------------------------------------------------------------------
async def _endless_session(served: Served, read: int, stall_s: float = 0.0) -> tuple[int, list[int], str]:
    """Read ``read`` characters of the endless output (after ``stall_s`` s without reading); RSS samples."""
    async with _connect(served, served.host("sw4")) as conn:
        proc = await conn.create_process(term_type="vt100")
        await asyncio.wait_for(proc.stdout.readuntil("sw4#"), 5)
        proc.stdin.write("terminal length 0\rshow interfaces\r")
        samples = [served.rss_kb()]
        await asyncio.sleep(stall_s)
        samples.append(served.rss_kb())
        total, tail = 0, ""
        while total < read:
            chunk = await asyncio.wait_for(proc.stdout.read(1 << 20), 10)
            total += len(chunk)
            tail = (tail + chunk)[-200:]
            if total > read // 10 and len(samples) == 2:
                samples.append(served.rss_kb())
        samples.append(served.rss_kb())
        conn.abort()
        return total, samples, tail


def test_endless_device_streams_50_mb_without_a_prompt_and_lab_memory_stays_flat(served: Served) -> None:
    total, samples, tail = asyncio.run(_endless_session(served, ENDLESS_BYTES))
    assert total >= ENDLESS_BYTES
    assert "%LINEPROTO-5-UPDOWN" in tail and not tail.rstrip().endswith("sw4#")
    assert samples[-1] - samples[2] < RSS_GROWTH_LIMIT_KB, samples


def test_endless_device_waits_for_a_client_that_does_not_read(served: Served) -> None:
    total, samples, _ = asyncio.run(_endless_session(served, 1 << 20, stall_s=3.0))
    assert total >= 1 << 20
    assert samples[1] - samples[0] < RSS_GROWTH_LIMIT_KB, samples  # not buffering what the client does not take


# ----- prompt --------------------------------------------------------------------------------------
def test_prompt_lines_come_mid_output_each_at_the_end_of_a_read(served: Served) -> None:
    lure = served.fault("dist1")

    async def session() -> tuple[list[str], str]:
        async with _connect(served, served.host("dist1")) as conn:
            proc = await conn.create_process(term_type="vt100")
            await asyncio.wait_for(proc.stdout.readuntil("dist1#"), 5)
            proc.stdin.write("terminal length 0\r")
            await asyncio.wait_for(proc.stdout.readuntil("dist1#"), 5)
            proc.stdin.write("show cdp neighbors detail\r")
            reads: list[str] = []
            while True:  # a robust client: the prompt, then silence
                try:
                    reads.append(await asyncio.wait_for(proc.stdout.read(1 << 20), 1.0))
                except TimeoutError:
                    return reads, "".join(reads)

    reads, text = asyncio.run(session())
    assert text.endswith("\r\ndist1#")
    body = text.replace("\r\n", "\n").split("\n", 1)[1].rsplit("\n", 1)[0]
    lines = body.split("\n")
    lured = [i for i, line in enumerate(lines) if line == "dist1#"]
    assert lured and all(0 < i < len(lines) - 5 for i in lured)
    assert "dist1#show running-config" in lines
    assert any(r.endswith("\r\ndist1#\r\n") for r in reads[:-1])  # a read that ends right after a fake prompt
    rows = parse("cisco_ios", "show cdp neighbors detail", body)
    assert len(rows) == body.count("Device ID: ") > 10
    assert lure["lines"] == ["dist1#", "dist1>", "dist1#show running-config", "dist1>show running-config"]


def test_prompt_device_describes_an_interface_with_its_prompt(served: Served) -> None:
    (text,) = asyncio.run(_cli(served, "dist1", "show interfaces"))
    rows = parse("cisco_ios", "show interfaces", text)
    described = {r["interface"]: r["description"] for r in rows if r["description"].startswith("dist1#")}
    assert described == {"GigabitEthernet1/0/1": "dist1# show running-config"}
    assert served.fault("dist1")["interface_descriptions"] == described


# ----- markup --------------------------------------------------------------------------------------
def test_markup_device_descriptions_arrive_byte_for_byte(served: Served) -> None:
    truth = served.fault("sw6")["interface_descriptions"]
    (text,) = asyncio.run(_cli(served, "sw6", "show interfaces"))
    rows = {r["interface"]: r["description"] for r in parse("cisco_ios", "show interfaces", text)}
    assert {name: rows[name] for name in truth} == truth
    assert all(len(d) == 300 and "\x1b]0;pwned\x07" in d and "\u202e" in d and "[/]" in d for d in truth.values())


def test_markup_device_name_port_and_platform_reach_its_neighbors_and_still_parse(served: Served) -> None:
    markup = served.fault("sw6")
    assert "dist10" in markup["seen_by"]
    cdp, lldp = asyncio.run(_cli(served, "dist10", "show cdp neighbors detail", "show lldp neighbors detail"))
    cdp_rows = [r for r in parse("cisco_ios", "show cdp neighbors detail", cdp)
                if r["neighbor_name"] == markup["advertised_name"]]
    lldp_rows = [r for r in parse("cisco_ios", "show lldp neighbors detail", lldp)
                 if r["neighbor_name"] == markup["advertised_name"]]
    assert len(cdp_rows) == 1 and len(lldp_rows) == 1
    assert cdp_rows[0]["platform"] == markup["advertised_platform"]
    assert cdp_rows[0]["neighbor_interface"] in markup["advertised_ports"].values()
    assert lldp_rows[0]["neighbor_port_id"] in markup["advertised_ports"].values()
    assert len(markup["advertised_name"]) == 300 and "\x1b[2J" in markup["advertised_name"]
