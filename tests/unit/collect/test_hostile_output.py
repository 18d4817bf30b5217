"""Hostile output: a real capture with junk appended, cut in half, another command's output, binary junk.

Each must be refused (ParseError) or marked PARTIAL with what was not understood; never COMPLETE
and silently wrong. Real captures are read in place from ``../shared/realdata``.
"""

from __future__ import annotations

import random
import string

import pytest

from netatlas.collect.parsers import parse_command
from netatlas.domain.errors import ParseError
from netatlas.domain.records import Coverage, ParseOutcome
from tests.corpus.realdata import Capture, captures

# (capture name, why it is a good victim): tables with and without footers, free-form and detail outputs.
VICTIMS = (
    "cisco_ios_show_mac-address-table12",  # Catalyst table with a multicast section
    "cisco_ios_show_ip_route",  # route table, no footer
    "cisco_ios_show_ip_arp",
    "cisco_ios_show_cdp_neighbors_detail",  # free-form detail records (lenient)
    "cisco_ios_show_lldp_neighbors_detail1",  # detail with a "Total entries displayed" footer
    "cisco_ios_show_interfaces2",  # free-form, many records
    "cisco_ios_show_version",
    "cisco_ios_show_ip_bgp_summary",
    "cisco_nxos_show_ip_arp",  # footer with a count
    "cisco_nxos_show_ip_route",
    "cisco_nxos_show_ip_ospf_neighbor",
    "arista_eos_show_ip_bgp_summary3",
    "arista_eos_show_ip_route",
    "arista_eos_show_lldp_neighbors_detail",
)
BY_NAME = {c.name: c for c in captures()}
CASES = [BY_NAME[name] for name in VICTIMS]
IDS = [c.name for c in CASES]


def _read(capture: Capture, text: str) -> ParseOutcome | None:
    """The outcome, or None when refused."""
    try:
        return parse_command(capture.platform, capture.command, text, capture.data_types())
    except ParseError:
        return None


def _never_complete(capture: Capture, text: str, what: str) -> None:
    outcome = _read(capture, text)
    assert outcome is None or outcome.coverage is Coverage.PARTIAL, f"{capture.id}: {what} read as complete"
    if outcome is not None:
        assert outcome.unparsed, "a partial read says what it did not understand"


def _junk_lines(seed: int, count: int = 6) -> str:
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + string.punctuation + "   "
    return "".join("".join(rng.choice(alphabet) for _ in range(rng.randint(15, 70))) + "\n" for _ in range(count))


def _binary(seed: int, size: int = 300) -> str:
    return random.Random(seed).randbytes(size).decode("utf-8", errors="replace")


@pytest.mark.parametrize("capture", CASES, ids=IDS)
def test_the_victims_read_complete_untouched(capture: Capture) -> None:
    outcome = _read(capture, capture.text())
    assert outcome is not None and outcome.coverage is Coverage.COMPLETE, outcome and outcome.unparsed[:3]


@pytest.mark.parametrize("capture", CASES, ids=IDS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_junk_appended_is_not_complete(capture: Capture, seed: int) -> None:
    _never_complete(capture, capture.text().rstrip("\n") + "\n" + _junk_lines(seed), "junk appended")


@pytest.mark.parametrize("capture", CASES, ids=IDS)
def test_binary_junk_is_not_complete(capture: Capture) -> None:
    text = capture.text()
    middle = len(text) // 2
    _never_complete(capture, text + _binary(7), "binary junk appended")
    _never_complete(capture, text[:middle] + _binary(8) + text[middle:], "binary junk inside")


# Free-form outputs whose records have no fixed last line: a record cut after the fields we read is
# still right; what the cut can cost is checked instead (the records read are the full read's).
FREE_FORM = {"cisco_ios_show_interfaces2"}


def _cut_mid_line(text: str) -> str:
    """Cut in the middle of a line past the middle of the text (where a dropped connection leaves it)."""
    lines = text.splitlines(keepends=True)
    line = next(i for i in range(len(lines) // 2, len(lines)) if len(lines[i].strip()) > 20)
    return "".join(lines[:line]) + lines[line][: len(lines[line].rstrip()) // 2]


@pytest.mark.parametrize("capture", [c for c in CASES if c.name not in FREE_FORM],
                         ids=[i for i in IDS if i not in FREE_FORM])
def test_cut_mid_line_is_not_complete(capture: Capture) -> None:
    _never_complete(capture, _cut_mid_line(capture.text()), "a capture cut mid-line")


@pytest.mark.parametrize("name", sorted(FREE_FORM))
def test_free_form_cut_mid_record_is_never_wrong(name: str) -> None:
    capture = BY_NAME[name]
    full, cut = _read(capture, capture.text()), _read(capture, _cut_mid_line(capture.text()))
    assert full is not None and cut is not None
    read = cut.records.interfaces
    assert read and read[:-1] == full.records.interfaces[: len(read) - 1]
    assert read[-1].name == full.records.interfaces[len(read) - 1].name


@pytest.mark.parametrize("name", ["cisco_nxos_show_ip_arp", "cisco_ios_show_lldp_neighbors_detail1"])
def test_a_table_cut_at_a_line_boundary_is_caught_by_its_footer(name: str) -> None:
    """A footer that counts entries disagrees with the rows left: partial, never complete."""
    capture = BY_NAME[name]
    text = capture.text()
    lines = text.rstrip().splitlines()
    if lines[-1].startswith("Total"):  # footer at the end: drop entries before it, keep the footer
        cut = "\n".join(lines[: len(lines) // 2] + lines[-1:])
    else:  # footer at the top (NX-OS ARP): drop the last entries
        cut = "\n".join(text.splitlines()[:-5])
    outcome = _read(capture, cut)
    assert outcome is not None and outcome.coverage is Coverage.PARTIAL
    assert any("footer counts" in line for line in outcome.unparsed)


PAIRS = [
    ("cisco_ios_show_ip_arp", "cisco_ios_show_mac-address-table12"),
    ("cisco_ios_show_mac-address-table12", "cisco_ios_show_ip_route"),
    ("cisco_ios_show_ip_bgp_summary", "cisco_ios_show_ip_arp"),
    ("cisco_nxos_show_ip_arp", "cisco_nxos_show_ip_ospf_neighbor"),
    ("arista_eos_show_ip_route", "arista_eos_show_ip_bgp_summary3"),
    ("cisco_ios_show_version", "cisco_ios_show_ip_arp"),
    ("cisco_ios_show_cdp_neighbors_detail", "cisco_ios_show_mac-address-table12"),
]


@pytest.mark.parametrize(("victim", "other"), PAIRS, ids=[f"{a}+{b}" for a, b in PAIRS])
def test_another_commands_output_is_not_complete(victim: str, other: str) -> None:
    capture, intruder = BY_NAME[victim], BY_NAME[other].text()
    _never_complete(capture, intruder, "another command's output alone")
    _never_complete(capture, capture.text().rstrip("\n") + "\n" + intruder, "another command's output appended")


def test_a_partial_read_keeps_the_good_rows() -> None:
    """Junk in the middle of a MAC table costs the junk, not the table."""
    capture = BY_NAME["cisco_ios_show_mac-address-table12"]
    lines = capture.text().splitlines()
    text = "\n".join([*lines[:8], "%%% garbled line %%%", *lines[8:]])
    outcome = _read(capture, text)
    full = _read(capture, capture.text())
    assert outcome is not None and full is not None
    assert outcome.coverage is Coverage.PARTIAL and outcome.unparsed == ("%%% garbled line %%%",)
    assert outcome.records == full.records


def test_what_is_kept_of_the_junk_is_bounded() -> None:
    """A flood of junk lines is reported, but only so much of it is kept (the raw output keeps all)."""
    capture = BY_NAME["cisco_ios_show_mac-address-table12"]
    flood = "".join(f"{_binary(i, 40)}\n" for i in range(2_000)) + ("z" * 5_000) + "\n"
    outcome = _read(capture, capture.text() + flood)
    assert outcome is not None and outcome.coverage is Coverage.PARTIAL
    assert len(outcome.unparsed) <= 201 and all(len(line) <= 243 for line in outcome.unparsed)
    assert outcome.unparsed[-1].startswith("... and ")
