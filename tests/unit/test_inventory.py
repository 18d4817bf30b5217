"""Inventory files: every problem reported at once, by line and field, and never a password in a message."""

from __future__ import annotations

import contextlib
import itertools
import os
import string
import threading
import time
from collections.abc import Collection
from pathlib import Path

import pytest
import yaml

from netatlas.domain.errors import InventoryError, Problem
from netatlas.domain.inventory import InventoryDevice
from netatlas.domain.names import validate_device_name
from netatlas.inventory import (
    MAX_ALIASES,
    MAX_BYTES,
    MAX_DEPTH,
    Inventory,
    is_credentials_file,
    load_credentials,
    load_inventory,
)
from netatlas.inventory_yaml import MAX_MERGED_KEYS
from netatlas.lab.runtime import prepare_lab

PASSWORD, ENABLE = "pa55-w0rd-7f3a", "en4ble-91c2"
HEAD = f"""\
credentials:
  lab:
    username: netatlas
    password: {PASSWORD}
    enable_secret: {ENABLE}
devices:
  - name: sw1
    host: 10.0.0.1
    platform: cisco_ios
    credentials: lab
"""  # lines 1-10; a second device starts on line 11
CSV_HEAD = "name,host,port,platform,credentials,site,role,tags\nsw1,10.0.0.1,22,cisco_ios,lab,hq,access,a;b\n"
CREDENTIALS = f"credentials:\n  lab:\n    username: netatlas\n    password: {PASSWORD}\n"


def write(tmp_path: Path, text: str, name: str = "inventory.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def problems_of(path: Path, credentials_file: Path | None = None,
                known_credentials: Collection[str] | None = None) -> list[Problem]:
    """The problems ``load_inventory`` reports, after checking that no secret appears in them."""
    with pytest.raises(InventoryError) as caught:
        load_inventory(path, credentials_file, known_credentials=known_credentials)
    assert PASSWORD not in str(caught.value) and ENABLE not in str(caught.value)
    assert PASSWORD not in repr(caught.value.problems)
    return caught.value.problems


def where(problems: list[Problem]) -> list[tuple[int | None, str]]:
    return [(problem.line, problem.field) for problem in problems]


def test_the_labs_own_inventory_loads_cleanly(tmp_path: Path) -> None:
    for scenario, count in (("campus", 10), ("mixed", 60)):
        lab = prepare_lab(scenario, count, seed=1)
        path = write(tmp_path, yaml.safe_dump(lab.inventory(), sort_keys=False), f"{scenario}.yaml")
        inventory = load_inventory(path)
        assert [d.name for d in inventory.devices] == [d.state.hostname for d in lab.devices]
        assert {d.port for d in inventory.devices} == {lab.port}
        assert {d.tags for d in inventory.devices} == {("lab", scenario)}
        credential = inventory.credentials[inventory.devices[0].credentials]
        assert (credential.username, credential.password) == (lab.credentials.username, lab.credentials.password)
        assert credential.enable_secret == lab.credentials.enable_secret
        assert lab.credentials.password not in repr(inventory)


def test_fields_and_defaults(tmp_path: Path) -> None:
    text = HEAD + "  - {name: r2, host: core2.example.net, port: 2222, platform: juniper_junos, credentials: lab,\n" \
                  "     site: dc1, role: core, tags: [wan, edge]}\n"
    inventory = load_inventory(write(tmp_path, text))
    assert inventory.devices == [
        InventoryDevice("sw1", "10.0.0.1", "cisco_ios", "lab"),
        InventoryDevice("r2", "core2.example.net", "juniper_junos", "lab", 2222, "dc1", "core", ("wan", "edge")),
    ]
    assert inventory.devices[0].port == 22
    assert inventory.credentials["lab"].enable_secret == ENABLE


def test_values_are_read_as_written(tmp_path: Path) -> None:
    """YAML 1.1 would turn ``no`` into False and ``010`` into 8; an inventory keeps the text."""
    text = HEAD + "  - {name: no, host: 10.0.0.2, port: ~, platform: arista_eos, credentials: lab, site: 010,\n" \
                  "     tags: 'a; b;'}\n"
    device = load_inventory(write(tmp_path, text)).devices[1]
    assert (device.name, device.site, device.port, device.tags) == ("no", "010", 22, ("a", "b"))


def test_merge_keys_apply(tmp_path: Path) -> None:
    text = HEAD + "  - &base {name: n2, host: 10.0.0.2, platform: cisco_nxos, credentials: lab}\n" \
                  "  - {<<: *base, name: n3, host: 10.0.0.3, platform: arista_eos}\n"
    devices = load_inventory(write(tmp_path, text)).devices
    assert [(d.name, d.platform, d.credentials) for d in devices[1:]] == [
        ("n2", "cisco_nxos", "lab"), ("n3", "arista_eos", "lab")]


SECOND = "  - name: {name}\n    host: {host}\n    port: {port}\n    platform: {platform}\n    credentials: {creds}\n"


def second(name: str = "sw2", host: str = "10.0.0.2", port: str = "22", platform: str = "cisco_ios",
           creds: str = "lab") -> str:
    """A device on lines 11 (name), 12 (host), 13 (port), 14 (platform), 15 (credentials)."""
    return SECOND.format(name=name, host=host, port=port, platform=platform, creds=creds)


@pytest.mark.parametrize(("device", "expected", "fragment"), [
    (second(platform="cisco_iso"), [(14, "platform")],
     "unknown platform 'cisco_iso' (did you mean 'cisco_ios'?); supported: arista_eos, cisco_ios, cisco_nxos, "
     "juniper_junos"),
    (second(name="SW1"), [(11, "name")], "duplicate name 'SW1' (first on line 7)"),
    (second(host="10.0.0.1"), [(12, "host")], "duplicate address 10.0.0.1:22 (also 'sw1' on line 8)"),
    (second(port="70000"), [(13, "port")], "must be between 1 and 65535, got 70000"),
    (second(port="0"), [(13, "port")], "must be between 1 and 65535, got 0"),
    (second(port="ssh"), [(13, "port")], "must be a number, got 'ssh'"),
    (second(port="-22"), [(13, "port")], "must be a number, got '-22'"),
    (second(creds="labb"), [(15, "credentials")], "undefined credential set 'labb' (did you mean 'lab'?); "
                                                  "defined: lab"),
    (second(host="10.0.0.256"), [(12, "host")], "not a valid IP address"),
    (second(host="'core 2'"), [(12, "host")], "not an IP address or host name"),
    (second(host="-bad-.example"), [(12, "host")], "not an IP address or host name"),
    (second(name="'sw 2'"), [(11, "name")], "a space at position 3"),
    (second(platform="~"), [(14, "platform")], "missing required field"),
    ("  - name: sw2\n    host: 10.0.0.2\n    credentials: lab\n", [(11, "platform")], "missing required field"),
    ("  - name: sw2\n    host: 10.0.0.2\n    platfrom: cisco_ios\n    credentials: lab\n",
     [(11, "platform"), (13, "platfrom")], "missing required field"),
    (second().replace("    port: 22\n", "    port: 22\n    name: sw3\n"), [(14, "name")], "duplicate key"),
    (second().replace("port: 22", "port: [22, 23]"), [(13, "port")], "must be a single value"),
    ("  - sw2 10.0.0.2\n", [(11, "devices")], "each device must be a mapping of fields"),
    (second().replace("port: 22", "tags: {a: 1}"), [(13, "tags")], "must be a single value"),
])
def test_each_yaml_problem_names_its_line_and_field(tmp_path: Path, device: str,
                                                    expected: list[tuple[int, str]], fragment: str) -> None:
    problems = problems_of(write(tmp_path, HEAD + device))
    assert where(problems) == expected
    assert fragment in problems[0].message


def test_unknown_field_suggests_the_right_one(tmp_path: Path) -> None:
    text = HEAD + "  - {name: sw2, host: 10.0.0.2, platform: cisco_ios, credentials: lab, colour: red}\n"
    problems = problems_of(write(tmp_path, text))
    assert where(problems) == [(11, "colour")]
    assert problems[0].message == ("unknown field 'colour' (allowed: name, host, port, platform, credentials, "
                                   "site, role, tags)")


def test_addresses_are_compared_canonically(tmp_path: Path) -> None:
    text = HEAD + "  - {name: a, host: '2001:db8::1', platform: cisco_ios, credentials: lab}\n" \
                  "  - {name: b, host: '2001:DB8:0::1', port: 22, platform: cisco_ios, credentials: lab}\n" \
                  "  - {name: c, host: core.example.net, platform: cisco_ios, credentials: lab}\n" \
                  "  - {name: d, host: CORE.example.net., platform: cisco_ios, credentials: lab}\n" \
                  "  - {name: e, host: 10.0.0.1, port: 2222, platform: cisco_ios, credentials: lab}\n"
    problems = problems_of(write(tmp_path, text))
    assert where(problems) == [(12, "host"), (14, "host")]
    assert "[2001:db8::1]:22" in problems[0].message and "core.example.net:22" in problems[1].message


def test_every_problem_is_reported_at_once_in_line_order(tmp_path: Path) -> None:
    text = HEAD + second(name="sw1", port="99999") + \
        "  - {name: sw3, host: 10.0.0.3, platform: eos, credentials: nobody, role: leaf}\n" \
        "  - {host: 10.0.0.4, platform: cisco_nxos, credentials: lab}\n"
    problems = problems_of(write(tmp_path, text))
    assert where(problems) == [(11, "name"), (13, "port"), (16, "platform"), (16, "credentials"), (17, "name")]
    with pytest.raises(InventoryError, match=r"5 problem\(s\)\n  line 11: name: duplicate name 'sw1'"):
        load_inventory(write(tmp_path, text))


def test_credential_set_problems(tmp_path: Path) -> None:
    text = f"""\
credentials:
  lab:
    username: netatlas
    pasword: {PASSWORD}
  ro: just-a-password-{PASSWORD}
  ops:
    username: ''
    password: {PASSWORD}
devices:
  - {{name: sw1, host: 10.0.0.1, platform: cisco_ios, credentials: lab}}
"""
    problems = problems_of(write(tmp_path, text))
    assert where(problems) == [(2, "credentials.lab.password"), (4, "credentials.lab"),
                               (5, "credentials.ro"), (6, "credentials.ops.username"), (10, "credentials")]
    assert problems[1].message == "unknown field; allowed: username, password, enable_secret"
    assert problems[4].message == "undefined credential set 'lab'; defined: none"


@pytest.mark.parametrize(("text", "expected", "fragment"), [
    ("", [(None, "file")], "the file is empty"),
    ("# only a comment\n", [(None, "file")], "the file is empty"),
    ("- name: sw1\n", [(1, "file")], "the top level must be a mapping"),
    ("credentials: {}\n", [(1, "devices")], "a non-empty list of devices is required"),
    ("devices: []\n", [(1, "devices")], "a non-empty list of devices is required"),
    ("devices:\n  - {name: a, host: 10.0.0.1, platform: cisco_ios, credentials: x}\ndevice: []\n",
     [(3, "device")], "unknown field 'device' (did you mean 'devices'?)"),
    (f"credentials:\n  lab: {{username: a, password: '{PASSWORD}\n", [(3, "file")], "not valid YAML"),
    ("devices:\n  - name: a\n    host: [\n", [(4, "file")], "not valid YAML"),
    ("devices: []\n---\ndevices: []\n", [(2, "file")], "expected a single document"),
])
def test_file_level_problems(tmp_path: Path, text: str, expected: list[tuple[int | None, str]],
                             fragment: str) -> None:
    problems = problems_of(write(tmp_path, text))
    assert where(problems) == expected
    assert fragment in problems[0].message


def test_unreadable_files(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "absent.yaml")[0].message == "cannot read: No such file or directory"
    (tmp_path / "dir.yaml").mkdir()
    assert problems_of(tmp_path / "dir.yaml")[0].message == "cannot read: Is a directory"
    (tmp_path / "latin1.csv").write_bytes(b"name,host\n\xe9\xff,10.0.0.1\n")
    assert problems_of(tmp_path / "latin1.csv")[0].message == "cannot read: not UTF-8 text (byte 10)"
    assert "unknown format" in problems_of(write(tmp_path, "x", "inventory.txt"))[0].message


def test_csv_loads_with_a_credentials_file(tmp_path: Path) -> None:
    text = CSV_HEAD + "r2,core2.example.net,,juniper_junos,lab,,,\n"
    inventory = load_inventory(write(tmp_path, text, "i.csv"), write(tmp_path, CREDENTIALS, "c.yaml"))
    assert inventory == Inventory(devices=[
        InventoryDevice("sw1", "10.0.0.1", "cisco_ios", "lab", 22, "hq", "access", ("a", "b")),
        InventoryDevice("r2", "core2.example.net", "juniper_junos", "lab"),
    ], credentials=load_credentials(tmp_path / "c.yaml"))
    assert inventory.credentials["lab"].password == PASSWORD


def test_csv_columns_in_any_order_with_bom_comments_and_blank_lines(tmp_path: Path) -> None:
    text = "\ufeffHost,Name,Platform,Credentials\n# core\n\n10.0.0.9,core9,cisco_nxos,lab\n"
    devices = load_inventory(write(tmp_path, text, "i.csv")).devices
    assert devices == [InventoryDevice("core9", "10.0.0.9", "cisco_nxos", "lab")]


@pytest.mark.parametrize(("row", "expected", "fragment"), [
    ("sw2,10.0.0.2,22,cisco_iso,lab,,,", [(3, "platform")], "unknown platform 'cisco_iso'"),
    ("SW1,10.0.0.2,22,cisco_ios,lab,,,", [(3, "name")], "duplicate name 'SW1' (first on line 2)"),
    ("sw2,10.0.0.1,,cisco_ios,lab,,,", [(3, "host")], "duplicate address 10.0.0.1:22 (also 'sw1' on line 2)"),
    ("sw2,10.0.0.2,65536,cisco_ios,lab,,,", [(3, "port")], "must be between 1 and 65535, got 65536"),
    ("sw2,10.0.0.2,22.0,cisco_ios,lab,,,", [(3, "port")], "must be a number, got '22.0'"),
    ("sw2,10.0.0.2,22,cisco_ios,,,,", [(3, "credentials")], "missing required field"),
    ("sw2,,22,cisco_ios,lab,,,", [(3, "host")], "missing required field"),
    ("sw2,10.0.0.2,22,cisco_ios,ro,,,", [(3, "credentials")], "undefined credential set 'ro'"),
    ("sw2,10.0.0.999,22,cisco_ios,lab,,,", [(3, "host")], "not a valid IP address"),
    ("sw2,10.0.0.2,22,cisco_ios,lab,,,,extra", [(3, "row")], "9 cells but the header has 8 columns"),
])
def test_each_csv_problem_names_its_line_and_field(tmp_path: Path, row: str,
                                                   expected: list[tuple[int, str]], fragment: str) -> None:
    path = write(tmp_path, CSV_HEAD + row + "\n", "i.csv")
    problems = problems_of(path, credentials_file=write(tmp_path, CREDENTIALS, "c.yaml"))
    assert where(problems) == expected
    assert fragment in problems[0].message


def test_csv_header_problems_are_reported_once(tmp_path: Path) -> None:
    text = "name,host,platfrom,credentials,colour\nsw1,10.0.0.1,cisco_ios,lab,red\nsw2,10.0.0.2,cisco_ios,lab,\n"
    problems = problems_of(write(tmp_path, text, "i.csv"))
    assert where(problems) == [(1, "platfrom"), (1, "colour"), (1, "platform")]
    assert [p.message for p in problems] == [
        "unknown field 'platfrom' (did you mean 'platform'?)",
        "unknown field 'colour' (allowed: name, host, port, platform, credentials, site, role, tags)",
        "missing required column"]


def test_csv_line_numbers_count_physical_lines(tmp_path: Path) -> None:
    text = CSV_HEAD + '# a comment\n\nsw2,10.0.0.2,,cisco_ios,lab,"two\nlines",,\nsw3,10.0.0.3,0,cisco_ios,lab,,,\n'
    assert where(problems_of(write(tmp_path, text, "i.csv"))) == [(5, "site"), (7, "port")]  # a newline is a control


def test_csv_credentials_are_checked_only_when_known(tmp_path: Path) -> None:
    path = write(tmp_path, CSV_HEAD + "sw2,10.0.0.2,22,cisco_ios,ro,,,\n", "i.csv")
    inventory = load_inventory(path)
    assert [d.credentials for d in inventory.devices] == ["lab", "ro"] and inventory.credentials == {}
    assert load_inventory(path, known_credentials={"lab", "ro"}).devices == inventory.devices
    problems = problems_of(path, known_credentials={"lab"})
    assert where(problems) == [(3, "credentials")]


@pytest.mark.parametrize(("text", "expected"), [
    ("", [(None, "file")]),
    ("# nothing\n\n", [(None, "file")]),
    ("name,host,port,platform,credentials,site,role,tags\n", [(None, "devices")]),
])
def test_empty_csv(tmp_path: Path, text: str, expected: list[tuple[int | None, str]]) -> None:
    assert where(problems_of(write(tmp_path, text, "i.csv"))) == expected


def test_credentials_file_problems_name_that_file(tmp_path: Path) -> None:
    bad = write(tmp_path, f"credentials:\n  lab: {{username: a, pasword: {PASSWORD}}}\nextra: 1\n", "c.yaml")
    with pytest.raises(InventoryError) as caught:
        load_inventory(write(tmp_path, CSV_HEAD, "i.csv"), bad)
    assert caught.value.source == str(bad)
    assert where(caught.value.problems) == [(2, "credentials.lab"), (2, "credentials.lab.password"),
                                            (3, "extra")]
    assert PASSWORD not in str(caught.value)
    with pytest.raises(InventoryError, match="credentials: missing required field"):
        load_credentials(write(tmp_path, "{}\n", "c2.yaml"))


def test_a_set_defined_twice_is_refused(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, HEAD), credentials_file=write(tmp_path, CREDENTIALS, "c.yaml"))
    assert where(problems) == [(None, "credentials.lab")]


def test_no_password_in_any_message(tmp_path: Path) -> None:
    """Values of credential fields are never echoed, whatever is wrong with them."""
    texts = [
        f"credentials:\n  lab:\n    username: a\n    password: [{PASSWORD}]\ndevices: []\n",
        f"credentials:\n  lab:\n    username: a\n    password: {PASSWORD}\n    {ENABLE}: x\ndevices: []\n",
        f"credentials:\n  lab:\n    username: a\n    password: \"{PASSWORD}\\q\"\n",
        f"devices:\n  - {{name: a, host: 10.0.0.1, platform: cisco_ios, credentials: lab, password: {PASSWORD}}}\n",
    ]
    for index, text in enumerate(texts):
        problems = problems_of(write(tmp_path, text, f"{index}.yaml"))  # problems_of checks the messages
        assert problems


# --- hostile files: bounded reading, YAML limits, control characters, look-alike names ---------------------


def merge_bomb(levels: int, width: int) -> str:
    """Each level merges the previous one ``width`` times: PyYAML's own merge would build width**levels pairs."""
    names = string.ascii_letters[:levels + 1]
    lines = [f"{names[0]}: &{names[0]} {{k0: 0, k1: 1, k2: 2, k3: 3, k4: 4}}"]
    lines += [f"{new}: &{new} {{<<: [{','.join([f'*{old}'] * width)}]}}" for old, new in itertools.pairwise(names)]
    return "\n".join(lines) + "\n"


def one_line_error(path: Path, max_bytes: int = MAX_BYTES) -> str:
    with pytest.raises(InventoryError) as caught:
        load_inventory(path, max_bytes=max_bytes)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}: ")
    return message


def test_a_merge_key_bomb_over_the_alias_limit_fails_fast_on_one_line(tmp_path: Path) -> None:
    text = merge_bomb(levels=12, width=9)  # 9**12 pairs for PyYAML's flatten_mapping
    assert len(text) < 675
    path = write(tmp_path, text)
    started = time.perf_counter()
    message = one_line_error(path)
    assert time.perf_counter() - started < 1
    assert message == f"{path}: refused: more than {MAX_ALIASES} aliases (*name) (line 13)"  # the 101st
    assert not is_credentials_file(path)


def test_a_merge_bomb_under_the_alias_limit_stays_linear(tmp_path: Path) -> None:
    """96 aliases: PyYAML would build 4**24 pairs for the last device; here each key is kept once."""
    text = HEAD.replace("  - name: sw1", "  - &d1\n    name: sw1") + "".join(
        f"  - &d{i} {{<<: [*d{i - 1}, *d{i - 1}, *d{i - 1}, *d{i - 1}], name: sw{i}, host: 10.0.0.{i}}}\n"
        for i in range(2, 26))
    started = time.perf_counter()
    devices = load_inventory(write(tmp_path, text)).devices
    assert time.perf_counter() - started < 1
    assert [(d.name, d.host, d.platform) for d in devices[-2:]] == [
        ("sw24", "10.0.0.24", "cisco_ios"), ("sw25", "10.0.0.25", "cisco_ios")]


def test_aliases_and_nesting_are_bounded(tmp_path: Path) -> None:
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(12))
    assert one_line_error(write(tmp_path, laughs + "devices: []\n")).endswith("aliases (*name) (line 12)")
    deep = "devices:\n  - {name: sw1, host: 10.0.0.1, platform: cisco_ios, credentials: lab, tags: " + \
           "[" * 40 + "]" * 40 + "}\n"
    assert one_line_error(write(tmp_path, deep)).endswith(f"refused: nested deeper than {MAX_DEPTH} levels (line 2)")


def test_a_mapping_that_merges_itself_is_reported(tmp_path: Path) -> None:
    text = HEAD + "  - &d {name: sw2, host: 10.0.0.2, platform: cisco_ios, credentials: lab, <<: *d}\n"
    assert [(p.line, p.message) for p in problems_of(write(tmp_path, text))] == [
        (11, "bad merge: a mapping merges itself")]


def test_files_over_the_size_limit_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD)
    assert load_inventory(path, max_bytes=len(HEAD.encode())).devices
    message = one_line_error(path, max_bytes=len(HEAD.encode()) - 1)
    assert message.endswith(f"cannot read: larger than {len(HEAD) - 1} bytes (NETATLAS_INVENTORY_MAX_BYTES)")


def test_dev_zero_is_not_read_unbounded(tmp_path: Path) -> None:
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    assert "larger than 4096 bytes" in one_line_error(tmp_path / "zero.yaml", max_bytes=4096)


def test_an_endless_fifo_is_not_read_unbounded(tmp_path: Path) -> None:
    path = tmp_path / "stream.csv"
    os.mkfifo(path)

    def endless() -> None:
        with contextlib.suppress(BrokenPipeError), path.open("wb") as fifo:
            while True:
                fifo.write(b"sw1,10.0.0.1,22,cisco_ios,lab,,,\n" * 1000)

    writer = threading.Thread(target=endless, daemon=True)
    writer.start()
    assert "larger than 65536 bytes" in one_line_error(path, max_bytes=65536)
    writer.join(5)
    assert not writer.is_alive()


def test_non_utf8_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes(b"devices:\n  - name: caf\xe9\n")
    message = one_line_error(tmp_path / "latin1.yaml")
    assert message == f"{tmp_path / 'latin1.yaml'}: cannot read: not UTF-8 text (byte 22)"


@pytest.mark.parametrize(("text", "fragment"), [
    (CSV_HEAD + "sw2,10.0.0.2,22,cisco_ios,lab," + "x" * 200_000 + ",,\n", "field larger than field limit"),
])
def test_malformed_csv_is_one_problem(tmp_path: Path, text: str, fragment: str) -> None:
    problems = problems_of(write(tmp_path, text, "i.csv"), known_credentials=["lab"])
    assert [problem.field for problem in problems] == ["file"]
    assert problems[0].message.startswith("not valid CSV: ") and fragment in problems[0].message
    assert len(str(problems[0])) < 200


@pytest.mark.parametrize(("name", "fragment"), [
    ("c\u043ere1", "non-ASCII character U+043E at position 2"),  # Cyrillic o
    ("\u0441ore1", "non-ASCII character U+0441 at position 1"),  # Cyrillic es
    ("core1\u200b", "non-ASCII character U+200B at position 6"),  # zero-width space
    ("sw1.\u0435xample.net", "non-ASCII character U+0435"),
    ("x" * 64, "must be 1 to 63 characters"),
    ("sw1..net", "label '' must be"),
    ("sw1/2", "character '/' at position 4"),
])
def test_look_alike_and_malformed_names_are_refused(tmp_path: Path, name: str, fragment: str) -> None:
    problems = problems_of(write(tmp_path, HEAD + second(name=f'"{name}"')))
    assert where(problems) == [(11, "name")]
    assert fragment in problems[0].message
    assert name not in problems[0].message or name.isascii()


@pytest.mark.parametrize("name", ["sw1", "core-1.campus.example.net", "SW_01", "a" * 63, "leaf1.dc1"])
def test_valid_names(name: str) -> None:
    assert validate_device_name(name) == name


@pytest.mark.parametrize(("field", "value", "line"), [
    ("site", r"hq\e]0;pwned\a", 15), ("role", r"core\u202e", 15), ("tags", r"[ok, \e[31mred]", 15),
    ("credentials", r"lab\u0000", 15), ("host", r"10.0.0.2\n", 15),
])
def test_control_characters_are_refused_in_every_field(tmp_path: Path, field: str, value: str, line: int) -> None:
    device = second(creds="lab").replace("    credentials: lab\n", "") + f'    {field}: "{value}"\n'
    if field != "credentials":
        device += "    credentials: lab\n"
    problems = problems_of(write(tmp_path, HEAD + device))
    assert (line, field) in where(problems)
    message = next(p.message for p in problems if p.field == field)
    assert "\x1b" not in message and "\u202e" not in message and "\0" not in message


def test_control_characters_in_credentials_are_refused_without_quoting(tmp_path: Path) -> None:
    text = HEAD.replace(f"password: {PASSWORD}", f'password: "{PASSWORD}\\e[2J"').replace(
        "username: netatlas", 'username: "net\\u202eatlas"')
    problems = problems_of(write(tmp_path, text))
    assert [(p.field, p.message) for p in problems] == [
        ("credentials.lab.username", "contains control character U+202E at position 4"),
        ("credentials.lab.password", "contains a control character")]


def test_over_long_values_are_refused(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, HEAD + second() + "    site: " + "s" * 129 + "\n"))
    assert [(p.field, p.message) for p in problems] == [("site", "longer than 128 characters (129)")]


def test_problems_beyond_the_cap_are_counted(tmp_path: Path) -> None:
    rows = "".join(f"sw{i},10.0.{i // 250}.{i % 250 + 1},0,cisco_ios,lab,,,\n" for i in range(2, 302))
    problems = problems_of(write(tmp_path, CSV_HEAD + rows, "i.csv"), known_credentials=["lab"])
    assert len(problems) == 101
    assert problems[-1] == Problem(None, "file", "200 more problem(s) not shown")


def test_is_credentials_file(tmp_path: Path) -> None:
    assert is_credentials_file(write(tmp_path, CREDENTIALS, "c.yaml"))
    assert not is_credentials_file(write(tmp_path, HEAD, "i.yaml"))
    assert not is_credentials_file(write(tmp_path, "credentials: [\n", "broken.yaml"))
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    assert not is_credentials_file(tmp_path / "zero.yaml", max_bytes=1024)


def test_merges_that_copy_too_many_keys_are_refused(tmp_path: Path) -> None:
    """60 aliases, each copying a 2,000-pair mapping: the file's merge budget stops it, quickly."""
    big = "{" + ", ".join(["name: sw"] * 2000) + "}"
    text = f"x-defaults: &big {big}\ndevices:\n" + "".join(
        f"  - {{<<: *big, host: 10.0.0.{i}, platform: cisco_ios, credentials: lab}}\n" for i in range(1, 61))
    started = time.perf_counter()
    problems = problems_of(write(tmp_path, text))
    assert time.perf_counter() - started < 2
    refused = [p for p in problems if p.message.startswith("bad merge")]
    assert [(p.line, p.message) for p in refused] == [
        (53, f"bad merge: merges copy more than {MAX_MERGED_KEYS} keys: refused")]  # the 51st device


def test_reading_stops_after_many_problems(tmp_path: Path) -> None:
    rows = "".join(f"sw{i},10.1.{i // 250}.{i % 250 + 1},0,cisco_ios,lab,,,\n" for i in range(2, 12_000))
    problems = problems_of(write(tmp_path, CSV_HEAD + rows, "i.csv"), known_credentials=["lab"])
    assert [str(p) for p in problems[-2:]] == ["file: 9900 more problem(s) not shown",
                                               "file: reading stopped after 10000 problems"]
