"""``--faults`` specs: parsing, every error case, and deterministic assignment."""

from __future__ import annotations

import pytest

from netatlas.lab.faults import (
    Fault,
    FaultEntry,
    FaultKind,
    FaultSpec,
    FaultSpecError,
    assign_faults,
    parse_faults,
)

HOSTS = [f"sw{i}" for i in range(1, 201)]


def test_parse_percentages_and_names() -> None:
    spec = parse_faults("unreachable:2%, auth:sw3,slow:leaf1+leaf2,garbage:0.5%,auth:1%")
    assert spec.entries == (
        FaultEntry(FaultKind.UNREACHABLE, percent=2.0),
        FaultEntry(FaultKind.AUTH, names=("sw3",)),
        FaultEntry(FaultKind.SLOW, names=("leaf1", "leaf2")),
        FaultEntry(FaultKind.GARBAGE, percent=0.5),
        FaultEntry(FaultKind.AUTH, percent=1.0),
    )


def test_blank_spec_means_no_faults() -> None:
    assert parse_faults("") == FaultSpec()
    assert parse_faults("  ") == FaultSpec()


def test_every_kind_parses() -> None:
    spec = parse_faults("unreachable:2%,auth:1%,slow:2%,disconnect:1%,garbage:1%,reject:1%,"
                        "hostkey:1%,rogue:1,endless:sw1,prompt:1%,markup:2")
    assert [e.kind for e in spec.entries] == list(FaultKind)


def test_a_whole_number_is_a_count_of_devices() -> None:
    spec = parse_faults("rogue:2,markup:sw1,endless:1")
    assert spec.entries == (FaultEntry(FaultKind.ROGUE, count=2), FaultEntry(FaultKind.MARKUP, names=("sw1",)),
                            FaultEntry(FaultKind.ENDLESS, count=1))
    faults = assign_faults(spec, HOSTS[:10], seed=4)
    assert faults["sw1"] == Fault(FaultKind.MARKUP)
    assert sorted(f.kind for f in faults.values()) == sorted([FaultKind.ROGUE] * 2 + [FaultKind.MARKUP,
                                                                                     FaultKind.ENDLESS])
    assert len(assign_faults(parse_faults("rogue:50"), HOSTS[:3], seed=1)) == 3  # no more than there are
    assert assign_faults(parse_faults("rogue:0"), HOSTS, seed=1) == {}


def test_a_non_ascii_digit_is_a_name_not_a_count() -> None:
    assert parse_faults("auth:\u0661").entries == (FaultEntry(FaultKind.AUTH, names=("\u0661",)),)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("frob:1%", "unknown kind 'frob'"),
        ("auth:1%,,slow:1%", "empty entry"),
        ("auth:1%,", "empty entry"),
        ("auth", "empty amount"),
        ("auth:", "empty amount"),
        ("auth:x%", "bad percentage 'x'%"),
        ("auth:-1%", "bad percentage"),
        ("auth:101%", "bad percentage"),
        ("auth:nan%", "bad percentage"),
        ("auth:sw1+", "empty device name"),
        ("auth:60%,slow:50%", "more than 100%"),
    ],
)
def test_parse_errors_name_the_entry(text: str, fragment: str) -> None:
    with pytest.raises(FaultSpecError) as info:
        parse_faults(text)
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


def test_unknown_device_name() -> None:
    with pytest.raises(FaultSpecError, match="unknown device name 'nope'"):
        assign_faults(parse_faults("auth:nope"), HOSTS, seed=1)


def test_device_named_twice() -> None:
    with pytest.raises(FaultSpecError, match="already has a fault"):
        assign_faults(parse_faults("auth:sw1,slow:sw1"), HOSTS, seed=1)


def test_same_seed_same_devices_other_seed_other_devices() -> None:
    spec = parse_faults("unreachable:2%,auth:1%,slow:2%,disconnect:1%,garbage:1%,reject:1%")
    first = assign_faults(spec, HOSTS, seed=42)
    assert first == assign_faults(spec, list(reversed(HOSTS)), seed=42)
    assert first != assign_faults(spec, HOSTS, seed=43)


def test_percentages_count_devices_and_one_fault_per_device() -> None:
    spec = parse_faults("unreachable:2%,auth:1%,slow:2.5%,garbage:50%")
    faults = assign_faults(spec, HOSTS, seed=7)
    counts = {k: sum(1 for f in faults.values() if f.kind is k) for k in FaultKind}
    assert counts[FaultKind.UNREACHABLE] == 4
    assert counts[FaultKind.AUTH] == 2
    assert counts[FaultKind.SLOW] == 5
    assert counts[FaultKind.GARBAGE] == 100
    assert len(faults) == 111  # a device gets at most one fault


def test_small_percentage_rounds_up_to_one_device() -> None:
    faults = assign_faults(parse_faults("auth:0.1%"), HOSTS[:10], seed=1)
    assert len(faults) == 1
    assert assign_faults(parse_faults("auth:0%"), HOSTS, seed=1) == {}
    assert assign_faults(parse_faults("auth:5%"), [], seed=1) == {}


def test_named_devices_come_first_and_are_not_reused() -> None:
    faults = assign_faults(parse_faults("slow:100%,auth:sw1+sw2"), HOSTS[:5], seed=3)
    assert faults["sw1"] == Fault(FaultKind.AUTH)
    assert faults["sw2"] == Fault(FaultKind.AUTH)
    assert {faults[h].kind for h in HOSTS[2:5]} == {FaultKind.SLOW}


def test_more_percent_than_devices_left_stops_quietly() -> None:
    faults = assign_faults(parse_faults("slow:60%,auth:40%"), HOSTS[:2], seed=3)
    assert len(faults) == 2
