"""Corpus tier: our parsers over every real capture in ``../shared/realdata/ntc-templates`` (read in place).

Each capture is parsed with the command netatlas sends for it. Unless its platform's expectation
table (``expect_<platform>.py``) says otherwise, the read must be complete and the records equal to
what our normaliser makes of ntc-templates' own parse (the ``.yml``). A table row states why a
capture is partial or refused (and what must be reported), where the ``.yml`` is wrong, and adds
independent checks on the records.
"""

from __future__ import annotations

import random
import re
import string

import pytest

from netatlas.collect.parsers import parse_command
from netatlas.collect.parsers.device import members
from netatlas.collect.parsers.templates import parse_rows
from netatlas.domain.errors import ParseError
from netatlas.domain.records import Coverage
from tests.corpus import expect_arista_eos, expect_cisco_ios, expect_cisco_nxos, expect_juniper_junos
from tests.corpus.realdata import CORPUS, Capture, Expect, captures, records_from_yml
from tests.support.expected import canonical

TABLES = {
    "arista_eos": expect_arista_eos.EXPECT,
    "cisco_ios": expect_cisco_ios.EXPECT,
    "cisco_nxos": expect_cisco_nxos.EXPECT,
    "juniper_junos": expect_juniper_junos.EXPECT,
}
CAPTURES = captures()


def _expect(capture: Capture) -> Expect:
    return TABLES[capture.platform].get(capture.name, Expect())


def test_the_corpus_is_there() -> None:
    assert CORPUS.is_dir(), f"{CORPUS} is missing"
    assert len(CAPTURES) >= 138
    assert {c.platform for c in CAPTURES} == set(TABLES)


@pytest.mark.parametrize("platform", sorted(TABLES))
def test_every_expectation_names_a_capture_and_says_why(platform: str) -> None:
    names = {c.name for c in CAPTURES if c.platform == platform}
    for name, expect in TABLES[platform].items():
        assert name in names, f"{platform}: no capture {name!r}"
        assert expect.reason or expect.yml_wrong, f"{name}: state the reason"
        if expect.coverage is Coverage.PARTIAL:
            assert expect.unparsed, f"{name}: say what must be reported as not understood"


@pytest.mark.parametrize("capture", CAPTURES, ids=[c.id for c in CAPTURES])
def test_capture(capture: Capture) -> None:
    expect = _expect(capture)
    text = capture.text()
    if expect.error:
        with pytest.raises(ParseError, match=expect.error):
            parse_command(capture.platform, capture.command, text, capture.data_types())
        return
    outcome = parse_command(capture.platform, capture.command, text, capture.data_types())
    assert outcome.coverage is expect.coverage, outcome.unparsed[:5]
    if expect.coverage is Coverage.PARTIAL:
        assert any(expect.unparsed in line for line in outcome.unparsed), outcome.unparsed[:5]
    if expect.coverage is Coverage.FEATURE_OFF:
        assert outcome.note and not any(outcome.records.as_dict().values())
    if expect.check is not None:
        assert expect.check(outcome.records), f"{capture.id}: {expect.reason}"
    if not expect.yml_wrong:
        assert canonical(outcome.records) == canonical(records_from_yml(capture, expect.yml_fields))


def test_partial_reads_keep_what_parsed() -> None:
    """A partial capture never loses its good rows: it has records, and the problems are listed."""
    for capture in CAPTURES:
        expect = _expect(capture)
        if expect.coverage is Coverage.PARTIAL:
            outcome = parse_command(capture.platform, capture.command, capture.text(), capture.data_types())
            assert any(outcome.records.as_dict().values()), capture.id
            assert all(re.search(r"\S", line) for line in outcome.unparsed), capture.id


COMPLETE = [c for c in CAPTURES if _expect(c).coverage is Coverage.COMPLETE and not _expect(c).error]


def _junk(seed: int) -> str:
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + string.punctuation + "   "
    return "".join("".join(rng.choice(alphabet) for _ in range(rng.randint(15, 70))) + "\n" for _ in range(6))


@pytest.mark.parametrize("capture", COMPLETE, ids=[c.id for c in COMPLETE])
def test_junk_after_any_capture_is_never_complete(capture: Capture) -> None:
    """Text or bytes after a real capture (another command's tail, line noise) never reads as complete."""
    text = capture.text().rstrip("\n") + "\n"
    binary = random.Random(len(text)).randbytes(200).decode("utf-8", errors="replace")
    for tail in (_junk(len(text)), binary):
        try:
            outcome = parse_command(capture.platform, capture.command, text + tail, capture.data_types())
        except ParseError:
            continue
        assert outcome.coverage is Coverage.PARTIAL and outcome.unparsed


def test_ios_xe_member_lines_name_the_members() -> None:
    """An IOS-XE router lists an aggregate's members one per line (``Member 0 : TenGigabitEthernet0/0/0 , ...``);
    the members are not in this capture, but the aggregate names them."""
    capture = next(c for c in CAPTURES if c.name == "cisco_ios_show_interfaces5")
    rows = parse_rows(capture.platform, capture.command, capture.text())
    assert members(rows, capture.platform) == {"TenGigabitEthernet0/0/0": "Port-channel1",
                                               "TenGigabitEthernet0/0/1": "Port-channel1"}
