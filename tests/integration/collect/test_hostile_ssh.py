"""The device I/O layer against hostile SSH servers, over real SSH (127.43.0.0/16).

* the lab's ``hostkey`` device (a key that changes at every rotation), with the lab's login
  capture: a changed or untrusted key never receives a password;
* the lab's ``prompt`` devices (lines that are the prompt, and a pause after them, inside
  CDP/LLDP output): every output is exactly what the device prints;
* the lab's ``endless`` device (a data command that never ends): the cap stops it, memory held
  stays under the cap;
* small asyncssh servers written here: a fresh random key (a rogue), legacy-only algorithms, a
  1024-bit RSA host key.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from ipaddress import IPv4Network
from pathlib import Path

import asyncssh
import pytest

from netatlas.collect.collector import collect_device
from netatlas.collect.hostkeys import HostKeyCheck, HostKeyPolicy, MemoryHostKeys, TrustedBy, fingerprint, openssh_key
from netatlas.collect.platforms import PLATFORMS
from netatlas.collect.probe import identify
from netatlas.collect.transport import DEFAULT_LIMITS, CappedOutput, Limits, SshOptions, SshTransport, Timeouts
from netatlas.domain.errors import HostKeyChanged, HostKeyUnknown, Unreachable
from netatlas.domain.inventory import Credential, InventoryDevice
from netatlas.domain.records import DataType, DeviceResult, ErrorKind
from netatlas.lab.background import BackgroundLab
from netatlas.lab.runtime import Lab, prepare_lab
from tests.integration.collect.test_transport_lab import credential, free_port, lab_check, platform_of, served

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

NETWORK = IPv4Network("127.43.0.0/16")
SEED = 7
ALL = frozenset(DataType)
TIMEOUTS = Timeouts(connect=10, command=10, device=60)
DEVICES = 24


def _pick() -> tuple[str, str, str, tuple[str, str]]:
    """hostkey (EOS), endless (NX-OS), healthy (IOS) and prompt devices (IOS and JunOS with their neighbors
    speaking CDP/LLDP), chosen from the scenario's fault-free devices so the names follow the generator."""
    devices = prepare_lab("mixed", DEVICES, SEED, port=1, mgmt_network=NETWORK).devices
    plain = [d for d in devices if d.state.enable_secret is None
             and not {str(v) for v in d.state.variations} & {"cdp-off", "lldp-off", "old-image", "virtual-chassis"}]

    def first(platform: str, skip: int = 0) -> str:
        return [d.state.hostname for d in plain if platform_of(d) == platform][skip]

    return (first("arista_eos"), first("cisco_nxos"), first("cisco_ios"),
            (first("cisco_ios", 1), first("juniper_junos")))


HOSTKEY, ENDLESS, HEALTHY, PROMPT = _pick()
FAULTS = f"hostkey:{HOSTKEY},endless:{ENDLESS},prompt:{'+'.join(PROMPT)}"


@dataclass
class HostileLab:
    lab: Lab
    background: BackgroundLab
    capture: Path

    def logins(self, node: str) -> list[dict[str, str]]:
        lines = self.capture.read_text().splitlines() if self.capture.exists() else []
        return [event for event in map(json.loads, lines) if event["node"] == node]

    def passwords(self, node: str) -> int:
        return sum(1 for event in self.logins(node) if event["event"] == "password")

    def connects(self, node: str) -> int:
        return sum(1 for event in self.logins(node) if event["event"] == "connect")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileLab]:
    lab = prepare_lab("mixed", DEVICES, SEED, port=free_port("127.43.0.1"), mgmt_network=NETWORK, faults=FAULTS)
    capture = tmp_path_factory.mktemp("logins") / "logins.jsonl"
    with BackgroundLab(lab, capture_logins=capture) as background:
        yield HostileLab(lab, background, capture)


def inventory(lab: Lab, name: str) -> InventoryDevice:
    dev = served(lab, name)
    return InventoryDevice(name, dev.address, platform_of(dev), "lab", port=lab.port)


def collect(lab: Lab, name: str, keys: HostKeyCheck | None, limits: Limits = DEFAULT_LIMITS) -> DeviceResult:
    return asyncio.run(collect_device(inventory(lab, name), credential(lab), ALL, timeouts=TIMEOUTS,
                                      parse=lab_check(served(lab, name)), host_keys=keys, limits=limits))


def known_hosts_key(hostile: HostileLab, name: str) -> str:
    """The key the lab says ``name`` presents now (from its known_hosts export)."""
    address = served(hostile.lab, name).address
    line = next(line for line in hostile.background.known_hosts().splitlines()
                if line.startswith(f"[{address}]:{hostile.lab.port} "))
    return openssh_key(line.split(" ", 1)[1])


# ----- host keys ---------------------------------------------------------------------------------------------
def test_first_use_is_trusted_and_a_changed_key_never_gets_the_password(hostile: HostileLab) -> None:
    lab, store = hostile.lab, MemoryHostKeys()
    tofu = HostKeyCheck(store, HostKeyPolicy.TOFU)
    first = collect(lab, HOSTKEY, tofu)
    assert first.ok, first.error
    address = served(lab, HOSTKEY).address
    known = store.keys[(address, lab.port)]
    assert (known.key, known.device_name, known.trusted_by) == (known_hosts_key(hostile, HOSTKEY), HOSTKEY,
                                                                TrustedBy.FIRST_USE)
    assert not first.warnings

    assert hostile.background.rotate_host_keys() == [HOSTKEY]
    passwords, connects = hostile.passwords(HOSTKEY), hostile.connects(HOSTKEY)
    second = collect(lab, HOSTKEY, tofu)
    assert (second.ok, second.error_kind) == (False, ErrorKind.HOST_KEY_CHANGED), second.error
    assert fingerprint(known.key) in second.error and fingerprint(known_hosts_key(hostile, HOSTKEY)) in second.error
    assert "no password was sent" in second.error
    assert hostile.connects(HOSTKEY) == connects + 1  # it did connect ...
    assert hostile.passwords(HOSTKEY) == passwords  # ... and sent no password
    assert store.keys[(address, lab.port)] == known  # the trusted key is never replaced by a changed one
    assert second.outputs == []


def test_strict_refuses_an_unknown_key_before_the_password(hostile: HostileLab) -> None:
    passwords = hostile.passwords(HEALTHY)
    strict = HostKeyCheck(MemoryHostKeys(), HostKeyPolicy.STRICT)
    result = collect(hostile.lab, HEALTHY, strict)
    assert result.error_kind is ErrorKind.HOST_KEY_UNKNOWN, result.error
    assert hostile.passwords(HEALTHY) == passwords
    assert strict.store.keys == {}  # type: ignore[attr-defined]  # MemoryHostKeys: nothing learnt under strict


def test_strict_accepts_a_key_pre_trusted_from_known_hosts(hostile: HostileLab) -> None:
    lab, store = hostile.lab, MemoryHostKeys()
    address = served(lab, HEALTHY).address
    asyncio.run(store.remember(address, lab.port, HEALTHY, known_hosts_key(hostile, HEALTHY), TrustedBy.KNOWN_HOSTS))
    result = collect(lab, HEALTHY, HostKeyCheck(store, HostKeyPolicy.STRICT))
    assert result.ok, result.error
    assert result.warnings == ()
    assert store.keys[(address, lab.port)].trusted_by is TrustedBy.KNOWN_HOSTS  # seen again, trust unchanged


def test_without_a_store_the_key_is_not_verified_and_the_result_says_so(hostile: HostileLab) -> None:
    result = collect(hostile.lab, HEALTHY, None)
    assert result.ok, result.error
    assert len(result.warnings) == 1 and "SSH host key NOT verified" in result.warnings[0]
    assert fingerprint(known_hosts_key(hostile, HEALTHY)) in result.warnings[0]


def test_the_seed_probe_verifies_the_key_too(hostile: HostileLab) -> None:
    lab = hostile.lab
    address, passwords = served(lab, HEALTHY).address, hostile.passwords(HEALTHY)
    strict = HostKeyCheck(MemoryHostKeys(), HostKeyPolicy.STRICT)
    with pytest.raises(HostKeyUnknown):
        asyncio.run(identify(address, lab.port, credential(lab), TIMEOUTS, host_keys=strict))
    assert hostile.passwords(HEALTHY) == passwords
    tofu = HostKeyCheck(MemoryHostKeys(), HostKeyPolicy.TOFU)
    identity = asyncio.run(identify(address, lab.port, credential(lab), TIMEOUTS, host_keys=tofu))
    assert identity.hostname == HEALTHY
    assert tofu.store.keys[(address, lab.port)].device_name == ""  # type: ignore[attr-defined]
    assert hostile.passwords(HEALTHY) == passwords + 1
    assert collect(lab, HEALTHY, tofu).ok  # the device collected later names the probed key
    assert tofu.store.keys[(address, lab.port)].device_name == HEALTHY  # type: ignore[attr-defined]


# ----- prompt-looking lines and endless output ---------------------------------------------------------------------
@pytest.mark.parametrize("name", PROMPT)
def test_prompt_looking_lines_inside_output_do_not_cut_it(hostile: HostileLab, name: str) -> None:
    lures = hostile.lab.fault_details[name]["lines"]
    result = collect(hostile.lab, name, None)  # lab_check: every output equals the device's whole output
    assert result.ok, result.error
    text = "".join(o.output for o in result.outputs)
    assert all(lure in text.splitlines() for lure in lures)


def test_endless_output_is_cut_at_the_cap_with_memory_bounded(hostile: HostileLab) -> None:
    lab = hostile.lab
    limits = Limits(command_output=2_000_000, device_output=8_000_000, stored_output=100_000)
    result = collect(lab, ENDLESS, None, limits)
    assert (result.ok, result.error_kind) == (False, ErrorKind.OUTPUT_TOO_LARGE), result.error
    assert "more than 2,000,000 characters of output (per-command output cap)" in result.error
    capped = result.outputs[-1]
    assert capped.error_kind is ErrorKind.OUTPUT_TOO_LARGE and len(capped.output) == 100_000

    async def direct() -> tuple[int, int]:
        dev = inventory(lab, ENDLESS)
        spec = PLATFORMS[dev.platform]
        transport = await SshTransport.connect(dev.host, dev.port, credential(lab), spec, TIMEOUTS,
                                               SshOptions(limits=limits))
        try:
            with pytest.raises(CappedOutput):
                await transport.send(spec.commands[DataType.INTERFACES][0], 10)
            return transport.reader.peak, transport.reader.total
        finally:
            await transport.close()

    peak, total = asyncio.run(direct())
    assert peak <= 2_000_000  # never more than the cap held at once
    assert total < 2_000_000 + 1_000_000  # and the stream was cut off right at the cap


# ----- servers written here: rogue key, legacy algorithms, weak key ---------------------------------------------
@dataclass
class Recorder:
    passwords: list[str] = field(default_factory=list)


class _Server(asyncssh.SSHServer):
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        self.recorder.passwords.append(password)
        return True


async def _shell(process: asyncssh.SSHServerProcess[str]) -> None:
    """An IOS-like shell: echo, a line of output for show version, the prompt."""
    process.stdout.write("r9#")
    while True:
        try:
            line = await process.stdin.readline()
        except asyncssh.Error:
            break
        if not line:
            break
        typed = line.rstrip("\r\n")
        reply = "Cisco IOS Software, fake\r\n" if typed == "show version" else ""
        process.stdout.write(f"{typed}\r\n{reply}r9#")
    process.exit(0)


@asynccontextmanager
async def fake_server(key: asyncssh.SSHKey, **algs: list[str]) -> AsyncIterator[tuple[str, int, Recorder]]:
    host, recorder = "127.43.255.1", Recorder()
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
    server = await asyncssh.create_server(lambda: _Server(recorder), host, port, server_host_keys=[key],
                                          process_factory=_shell, line_editor=False, encoding="utf-8", **algs)
    try:
        yield host, port, recorder
    finally:
        server.close()


def _public(key: asyncssh.SSHKey) -> str:
    return openssh_key(key.export_public_key("openssh").decode())


CRED = Credential("lab", "netops", "pw-rogue-test-9f3")
SPEC = PLATFORMS["cisco_ios"]


def test_a_rogue_with_a_fresh_key_never_receives_the_password() -> None:
    async def scenario() -> tuple[str, list[str]]:
        real, rogue = asyncssh.generate_private_key("ssh-ed25519"), asyncssh.generate_private_key("ssh-ed25519")
        async with fake_server(rogue) as (host, port, recorder):
            store = MemoryHostKeys()
            await store.remember(host, port, "core1", _public(real), TrustedBy.OPERATOR)
            options = SshOptions(HostKeyCheck(store, HostKeyPolicy.TOFU), device_name="core1")
            with pytest.raises(HostKeyChanged) as caught:
                await SshTransport.connect(host, port, CRED, SPEC, Timeouts(connect=5), options)
            # the same server with its key trusted: the password does arrive (the recorder works)
            trusted = MemoryHostKeys()
            await trusted.remember(host, port, "core1", _public(rogue), TrustedBy.OPERATOR)
            transport = await SshTransport.connect(host, port, CRED, SPEC, Timeouts(connect=5),
                                                   SshOptions(HostKeyCheck(trusted, HostKeyPolicy.STRICT)))
            assert await transport.send("show version", 5) == "Cisco IOS Software, fake\n"
            await transport.close()
            return str(caught.value), recorder.passwords

    message, passwords = asyncio.run(scenario())
    assert "CHANGED" in message and CRED.password not in message
    assert passwords == [CRED.password]  # only the trusted connection's


LEGACY_ONLY = {"kex_algs": ["diffie-hellman-group14-sha1"], "encryption_algs": ["aes128-cbc"],
               "mac_algs": ["hmac-sha1"]}


def test_legacy_algorithms_need_the_opt_in_and_then_warn() -> None:
    async def scenario() -> tuple[str, tuple[str, ...], list[str]]:
        async with fake_server(asyncssh.generate_private_key("ssh-ed25519"), **LEGACY_ONLY) as (host, port, rec):
            with pytest.raises(Unreachable) as refused:
                await SshTransport.connect(host, port, CRED, SPEC, Timeouts(connect=5))
            assert rec.passwords == []
            transport = await SshTransport.connect(host, port, CRED, SPEC, Timeouts(connect=5),
                                                   SshOptions(legacy_algorithms=True))
            await transport.close()
            return str(refused.value), transport.warnings, rec.passwords

    refused, warnings, passwords = asyncio.run(scenario())
    assert "legacy_ssh" in refused
    legacy = [w for w in warnings if "legacy SSH algorithms negotiated" in w]
    assert len(legacy) == 1
    assert all(alg in legacy[0] for alg in ("kex diffie-hellman-group14-sha1", "cipher aes128-cbc", "mac hmac-sha1"))
    assert passwords == [CRED.password]


def test_a_1024_bit_rsa_host_key_is_refused_without_the_opt_in() -> None:
    async def scenario() -> tuple[str, tuple[str, ...], list[str]]:
        weak = asyncssh.generate_private_key("ssh-rsa", key_size=1024)
        async with fake_server(weak) as (host, port, recorder):
            with pytest.raises(Unreachable) as refused:
                await SshTransport.connect(host, port, CRED, SPEC, Timeouts(connect=5))
            assert recorder.passwords == []
            transport = await SshTransport.connect(host, port, CRED, SPEC, Timeouts(connect=5),
                                                   SshOptions(legacy_algorithms=True))
            await transport.close()
            return str(refused.value), transport.warnings, recorder.passwords

    refused, warnings, passwords = asyncio.run(scenario())
    assert "1024 bits" in refused and "no password was sent" in refused
    assert any("host key ssh-rsa of 1024 bits" in w for w in warnings)
    assert passwords == [CRED.password]
