"""SshTransport and collect_device against the lab over real SSH (127.41.0.0/16, 127.42.0.0/16).

The parse step here is a check, not a parser: it compares each collected output with what the
lab's own shell prints for that command on that device (exec mode, no echo, no prompt), and
raises ParseError when they differ. So every healthy command proves the transport returns the
device's output exactly, and the ``garbage`` fault surfaces as the parse step's ParseError.
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Network

import pytest

from netatlas.collect.collector import ParseFn, collect_device
from netatlas.collect.parsers import parse_output
from netatlas.collect.platforms import PLATFORMS
from netatlas.collect.transport import SshTransport, Timeouts
from netatlas.domain.errors import AuthFailed, DeviceTimeout, ParseError, Unreachable
from netatlas.domain.inventory import Credential, InventoryDevice
from netatlas.domain.records import DataType, DeviceRecords, DeviceResult, ErrorKind, Neighbor, ParseOutcome
from netatlas.lab.background import BackgroundLab
from netatlas.lab.runtime import Lab, prepare_lab
from netatlas.lab.server import ServedDevice
from netatlas.lab.shell import Shell
from tests.support.parse import parse as ntc_parse

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

NETWORK = IPv4Network("127.41.0.0/16")
SCALE_NETWORK = IPv4Network("127.42.0.0/16")
SEED = 7
ALL = frozenset(DataType)
TIMEOUTS = Timeouts(connect=10, command=10, device=60)
FAULT_KINDS = {"unreachable": ErrorKind.UNREACHABLE, "auth": ErrorKind.AUTH_FAILED, "slow": ErrorKind.TIMEOUT,
               "disconnect": ErrorKind.DISCONNECTED, "garbage": ErrorKind.PARSE_ERROR,
               "reject": ErrorKind.COMMAND_REJECTED}
# Which platform each fault is put on (the 20-device lab has only two JunOS devices: healthy and chassis).
FAULT_PLATFORMS = {"unreachable": "cisco_ios", "auth": "cisco_ios", "slow": "cisco_nxos",
                   "disconnect": "cisco_ios", "garbage": "arista_eos", "reject": "cisco_nxos"}
SPECIAL_VARIATIONS = {"old-image", "virtual-chassis"}  # healthy picks avoid them; they have their own tests
QUIET_VARIATIONS = {"cdp-off", "lldp-off"}  # healthy picks have neighbors to parse
DEVICES = 24  # the smallest mixed lab with a JunOS device that runs LLDP besides the virtual chassis


def free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def lab_text(dev: ServedDevice, command: str) -> str:
    """What the lab prints for ``command`` on a fault-free copy of ``dev`` (``\\n`` line ends)."""
    shell = Shell(dev.state, dev.rib, username=dev.username)
    text = "".join(e for e in shell.run(command) if isinstance(e, str)).replace("\r\n", "\n")
    return text.rstrip("\n") + "\n" if text.strip() else ""


def platform_of(dev: ServedDevice) -> str:
    return str(dev.state.platform)


def variations(dev: ServedDevice) -> set[str]:
    return {str(v) for v in dev.state.variations}


@dataclass(frozen=True, slots=True)
class Picks:
    healthy: dict[str, str]  # platform -> device name
    enable: str  # an IOS device with an enable secret
    faults: dict[str, str]  # fault kind -> device name
    old_image: str  # an IOS image without VRFs (refuses `show ip route vrf *`)
    old_nxos: str  # an old NX-OS image (refuses `vrf all`)
    chassis: str  # a JunOS virtual chassis ({master:0} before every prompt)


def pick_devices() -> Picks:
    """Choose the devices from the fault-free network, so the names follow the scenario generator."""
    devices = prepare_lab("mixed", DEVICES, SEED, port=1, mgmt_network=NETWORK).devices
    enable = next(d.state.hostname for d in devices if d.state.enable_secret is not None)
    old = {platform_of(d): d.state.hostname for d in reversed(devices) if "old-image" in variations(d)}
    chassis = next(d.state.hostname for d in devices if "virtual-chassis" in variations(d))
    healthy: dict[str, str] = {}
    for dev in devices:
        if dev.state.enable_secret is None and not variations(dev) & (SPECIAL_VARIATIONS | QUIET_VARIATIONS):
            healthy.setdefault(platform_of(dev), dev.state.hostname)
    taken = {enable, old["cisco_ios"], old["cisco_nxos"], chassis, *healthy.values()}
    faults: dict[str, str] = {}
    for fault, platform in FAULT_PLATFORMS.items():
        name = next(d.state.hostname for d in devices
                    if platform_of(d) == platform and d.state.hostname not in taken)
        faults[fault] = name
        taken.add(name)
    return Picks(healthy, enable, faults, old["cisco_ios"], old["cisco_nxos"], chassis)


PICKS = pick_devices()


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    faults = ",".join(f"{kind}:{name}" for kind, name in PICKS.faults.items())
    lab = prepare_lab("mixed", DEVICES, SEED, port=free_port("127.41.0.1"), mgmt_network=NETWORK, faults=faults)
    with BackgroundLab(lab):
        yield lab


def credential(lab: Lab, *, password: str | None = None, enable_secret: str | None = "lab") -> Credential:
    creds = lab.credentials
    secret = creds.enable_secret if enable_secret == "lab" else enable_secret
    return Credential("lab", creds.username, password or creds.password, secret)


def served(lab: Lab, name: str) -> ServedDevice:
    return next(d for d in lab.devices if d.state.hostname == name)


def inventory_device(lab: Lab, name: str) -> InventoryDevice:
    dev = served(lab, name)
    return InventoryDevice(name, dev.address, platform_of(dev), "lab", port=lab.port)


def lab_check(dev: ServedDevice) -> ParseFn:
    """A parse step that accepts exactly what the lab prints; JunOS brief LLDP gives neighbors."""

    async def parse(platform: str, command: str, text: str, types: frozenset[DataType]) -> ParseOutcome:
        expected = lab_text(dev, command)
        if text != expected:
            raise ParseError(f"{len(text)} characters that are not what {dev.state.hostname} prints")
        if platform == "juniper_junos" and command == "show lldp neighbors":
            rows = ntc_parse(platform, command, text)
            return ParseOutcome(DeviceRecords(neighbors=[Neighbor("lldp", r["local_interface"], r["neighbor_name"],
                                                     r["neighbor_interface"]) for r in rows]))
        return ParseOutcome(DeviceRecords())

    return parse


def collect(lab: Lab, name: str, timeouts: Timeouts = TIMEOUTS, cred: Credential | None = None) -> DeviceResult:
    return asyncio.run(collect_device(inventory_device(lab, name), cred or credential(lab), ALL,
                                      timeouts=timeouts, parse=lab_check(served(lab, name))))


def assert_no_secret(lab: Lab, result: DeviceResult) -> None:
    texts = [result.error, *(o.error for o in result.outputs)]
    creds = lab.credentials
    assert not any(creds.password in t or creds.enable_secret in t for t in texts)


# ----- every platform, every data type -------------------------------------------------------------
@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_every_data_type_on_every_platform(lab: Lab, platform: str) -> None:
    name = PICKS.healthy[platform]
    result = collect(lab, name)
    assert result.ok, result.error
    planned = [command for command, _ in PLATFORMS[platform].plan(ALL)]
    sent = [o.command for o in result.outputs if not PLATFORMS[platform].follow_up(o.command)]
    assert sent == planned
    assert all(o.error_kind is None and not o.note for o in result.outputs), [o.command for o in result.outputs]
    assert result.outputs[0].output  # show version


def test_junos_lldp_follow_up_per_interface(lab: Lab) -> None:
    name = PICKS.healthy["juniper_junos"]
    brief = ntc_parse("juniper_junos", "show lldp neighbors", lab_text(served(lab, name), "show lldp neighbors"))
    assert brief
    result = collect(lab, name)
    follow_ups = [o.command for o in result.outputs if o.command.startswith("show lldp neighbors interface ")]
    assert follow_ups == [f"show lldp neighbors interface {i}" for i in dict.fromkeys(r["local_interface"]
                                                                                       for r in brief)]
    assert all("Neighbour Information" in o.output or "Neighbor Information" in o.output
               for o in result.outputs if o.command in follow_ups)


def test_enable_prompt_device(lab: Lab) -> None:
    result = collect(lab, PICKS.enable)
    assert result.ok, result.error
    spec = PLATFORMS["cisco_ios"]
    assert len([o for o in result.outputs if not spec.follow_up(o.command)]) == len(spec.plan(ALL))


def test_enable_reaches_the_privileged_prompt(lab: Lab) -> None:
    dev = inventory_device(lab, PICKS.enable)

    async def prompts() -> tuple[str, str]:
        spec = PLATFORMS["cisco_ios"]
        with_secret = await SshTransport.connect(dev.host, dev.port, credential(lab), spec, TIMEOUTS)
        without = await SshTransport.connect(dev.host, dev.port, credential(lab, enable_secret=None), spec, TIMEOUTS)
        await with_secret.close()
        await without.close()
        return with_secret.prompt, without.prompt

    assert asyncio.run(prompts()) == (f"{PICKS.enable}#", f"{PICKS.enable}>")


def test_a_wrong_enable_secret_is_auth_failed(lab: Lab) -> None:
    wrong = "en-wrong-secret-123"
    result = collect(lab, PICKS.enable, cred=credential(lab, enable_secret=wrong))
    assert result.error_kind is ErrorKind.AUTH_FAILED
    assert "'enable' was refused" in result.error and wrong not in result.error
    assert_no_secret(lab, result)


# ----- faults -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fault", sorted(FAULT_KINDS))
def test_each_fault_gives_exactly_its_kind(lab: Lab, fault: str) -> None:
    name = PICKS.faults[fault]
    timeouts = Timeouts(connect=5, command=0.5, device=30) if fault == "slow" else TIMEOUTS
    result = collect(lab, name, timeouts)
    assert (result.ok, result.error_kind) == (False, FAULT_KINDS[fault]), result.error
    if fault in ("garbage", "reject"):  # a command-level failure names the command
        assert any(repr(o.command) in result.error for o in result.outputs if o.error_kind is not None)
    else:  # a connection-level one names the host
        assert f"{served(lab, name).address}:{lab.port}: " in result.error
    assert_no_secret(lab, result)


def test_reject_keeps_the_other_commands_and_the_raw_refusal(lab: Lab) -> None:
    result = collect(lab, PICKS.faults["reject"])
    rejected = [o for o in result.outputs if o.error_kind is not None]
    assert [o.error_kind for o in rejected] == [ErrorKind.COMMAND_REJECTED]
    assert rejected[0].output == "% Authorization failed.\n"
    spec = PLATFORMS["cisco_nxos"]
    assert len([o for o in result.outputs if not spec.follow_up(o.command)]) == len(spec.plan(ALL))


def test_garbage_fails_every_data_command_but_not_facts(lab: Lab) -> None:
    result = collect(lab, PICKS.faults["garbage"])
    kinds = {o.command: o.error_kind for o in result.outputs}
    facts = next(c for c in kinds if c.split(" | ")[0] == "show version")  # its structured form where sent
    assert kinds.pop(facts) is None
    assert set(kinds.values()) == {ErrorKind.PARSE_ERROR}
    assert all(o.output for o in result.outputs)  # the raw junk is kept


def test_slow_names_the_command_and_the_timeout(lab: Lab) -> None:
    result = collect(lab, PICKS.faults["slow"], Timeouts(connect=5, command=0.3, device=30))
    assert "no prompt within 0.3 s after the session setup command 'terminal length 0'" in result.error
    assert result.duration_s < 3


def test_device_budget_on_a_slow_device(lab: Lab) -> None:
    result = collect(lab, PICKS.faults["slow"], Timeouts(connect=5, command=10, device=0.4))
    assert result.error_kind is ErrorKind.TIMEOUT
    assert "device time budget of 0.4 s" in result.error
    assert result.duration_s < 3


def test_wrong_password_is_auth_failed_without_the_password(lab: Lab) -> None:
    wrong = "not-the-lab-password-42"
    result = collect(lab, PICKS.healthy["cisco_ios"], cred=credential(lab, password=wrong))
    assert result.error_kind is ErrorKind.AUTH_FAILED
    assert wrong not in result.error and "'netatlas'" in result.error


def test_silent_listener_is_a_connect_timeout() -> None:
    async def scenario() -> tuple[int, str]:
        server = await asyncio.start_server(lambda r, w: None, "127.41.255.1", 0)
        port: int = server.sockets[0].getsockname()[1]
        try:
            await SshTransport.connect("127.41.255.1", port, Credential("x", "u", "p"), PLATFORMS["cisco_ios"],
                                       Timeouts(connect=0.3))
        except DeviceTimeout as exc:
            return port, str(exc)
        finally:
            server.close()
        return port, "connected"

    port, message = asyncio.run(scenario())
    assert message == f"127.41.255.1:{port}: SSH connect, login and first prompt did not finish within 0.3 s " \
                      "(connect timeout)"


def test_nothing_listening_is_unreachable() -> None:
    port = free_port("127.41.255.2")

    async def scenario() -> None:
        await SshTransport.connect("127.41.255.2", port, Credential("x", "u", "p"), PLATFORMS["cisco_ios"],
                                   Timeouts(connect=2))

    with pytest.raises(Unreachable, match=rf"^127\.41\.255\.2:{port}: cannot connect: Connection refused$"):
        asyncio.run(scenario())


def test_auth_failed_is_raised_by_the_transport(lab: Lab) -> None:
    dev = inventory_device(lab, PICKS.faults["auth"])

    async def scenario() -> None:
        await SshTransport.connect(dev.host, dev.port, credential(lab), PLATFORMS["cisco_ios"], TIMEOUTS)

    with pytest.raises(AuthFailed, match="authentication refused for user 'netatlas'"):
        asyncio.run(scenario())


# ----- with the real parser ------------------------------------------------------------------------------
async def real_parse(platform: str, command: str, text: str, types: frozenset[DataType]) -> ParseOutcome:
    return ParseOutcome(parse_output(platform, command, text, types))


def collect_parsed(lab: Lab, name: str) -> DeviceResult:
    return asyncio.run(collect_device(inventory_device(lab, name), credential(lab), ALL, timeouts=TIMEOUTS,
                                      parse=real_parse))


@pytest.mark.parametrize("which", [*sorted(PLATFORMS), "enable"])
def test_real_parser_on_every_platform(lab: Lab, which: str) -> None:
    name = PICKS.enable if which == "enable" else PICKS.healthy[which]
    result = collect_parsed(lab, name)
    assert result.ok, result.error
    assert result.records.facts is not None and result.records.facts.hostname == name
    assert result.records.interfaces and result.records.neighbors
    if which == "juniper_junos":  # the per-interface detail replaced the brief entries (they have no mgmt IP)
        assert all(n.mgmt_ip for n in result.records.neighbors)


def test_real_parser_reports_garbage_as_parse_error(lab: Lab) -> None:
    result = collect_parsed(lab, PICKS.faults["garbage"])
    assert result.error_kind is ErrorKind.PARSE_ERROR
    failed = [o for o in result.outputs if o.error_kind is ErrorKind.PARSE_ERROR]
    assert len(failed) == len(result.outputs) - 1 and all(o.output for o in failed)


# ----- 60 devices concurrently ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ScaleRun:
    results: list[DeviceResult]
    wall_s: float
    client_cpu_s: float


async def _collect_many(lab: Lab, concurrency: int) -> ScaleRun:
    creds = credential(lab)
    limit = asyncio.Semaphore(concurrency)

    async def empty(platform: str, command: str, text: str, types: frozenset[DataType]) -> ParseOutcome:
        return ParseOutcome(DeviceRecords())

    async def one(dev: ServedDevice) -> DeviceResult:
        inv = InventoryDevice(dev.state.hostname, dev.address, platform_of(dev), "lab", port=lab.port)
        async with limit:
            return await collect_device(inv, creds, ALL, timeouts=TIMEOUTS, parse=empty)

    cpu, wall = time.thread_time(), time.perf_counter()  # this thread only: the lab runs in its own
    results = await asyncio.gather(*(one(d) for d in lab.devices))
    return ScaleRun(list(results), time.perf_counter() - wall, time.thread_time() - cpu)


def test_sixty_devices_concurrently() -> None:
    lab = prepare_lab("mixed", 60, SEED, port=free_port("127.42.0.1"), mgmt_network=SCALE_NETWORK)
    with BackgroundLab(lab):
        run = asyncio.run(_collect_many(lab, 50))
    failed = {r.name: r.error for r in run.results if not r.ok}
    assert failed == {}
    per_device = sorted(r.duration_s for r in run.results)
    commands = sum(len(r.outputs) for r in run.results)
    print(f"\n60 devices, semaphore 50: wall {run.wall_s:.2f} s, client CPU {run.client_cpu_s:.2f} s "
          f"({run.client_cpu_s / 60 * 1000:.1f} ms/device, {commands} commands); per-device wall "
          f"median {statistics.median(per_device):.3f} s, max {per_device[-1]:.3f} s")
    assert run.client_cpu_s / 60 < 0.25  # generous: ~20-40 ms/device measured


# ----- real-world variations ---------------------------------------------------------------------------------
def test_junos_virtual_chassis_lines_never_reach_the_output(lab: Lab) -> None:
    name = PICKS.chassis
    result = collect(lab, name)  # lab_check: every output is exactly what the device prints, no {master:0}
    assert result.ok, result.error
    assert all("{master:0}" not in o.output for o in result.outputs)


def test_an_old_image_falls_back_to_the_plain_forms(lab: Lab) -> None:
    result = collect(lab, PICKS.old_image)
    assert result.ok, result.error
    fallbacks = {o.command: o.note for o in result.outputs if o.note}
    assert fallbacks == {"show ip route": "fallback: 'show ip route vrf *' rejected, used 'show ip route'",
                         "show ip vrf": "fallback: 'show vrf' rejected, used 'show ip vrf'; refused: read as empty"}
    parsed = collect_parsed(lab, PICKS.old_image)
    assert parsed.ok, parsed.error
    assert parsed.records.routes and {r.vrf for r in parsed.records.routes} == {"default"}


def test_an_old_nxos_falls_back_for_every_vrf_all_form(lab: Lab) -> None:
    spec = PLATFORMS["cisco_nxos"]
    result = collect(lab, PICKS.old_nxos)
    assert result.ok, result.error
    notes = {o.command: o.note for o in result.outputs if o.note}
    planned = {command for command, _ in spec.plan(ALL)}
    assert spec.features is not None
    disabled = {str(f) for f in served(lab, PICKS.old_nxos).state.features_off}
    expected: dict[str, str] = {}
    for form in planned:  # the old image refuses `| json`, then `vrf all`: each step is noted
        feature = spec.features.commands.get(spec.text_form(form))
        if feature in disabled:  # a feature off needs no fallback
            expected[form] = f"feature {feature} disabled"
            continue
        steps, sent = [], form
        while spec.structured(sent) or sent in spec.fallbacks:
            plain = spec.fallback(sent)
            assert plain is not None
            steps.append(f"fallback: {sent!r} rejected, used {plain!r}")
            sent = plain
        if steps:
            expected[sent] = "; ".join(steps)
    assert notes == expected
    assert collect_parsed(lab, PICKS.old_nxos).ok
