"""``parse_command``: one command's raw text -> the domain records for the data types it serves, and
how completely the text was read (:class:`~netatlas.domain.records.ParseOutcome`).

The reading rules (what is partial, what is a feature that is off, what is junk) are data on each
:class:`~netatlas.collect.parsers.table.Normaliser` row; this module applies them the same way for
every platform. ``parse_output`` is the strict form (complete or feature-off, else ParseError).
"""

from __future__ import annotations

from netatlas.collect.parsers import device, junos, neighbors, routes, sessions, structured
from netatlas.collect.parsers.table import Normaliser, Row
from netatlas.collect.parsers.templates import Parsed, parse_tracked, template
from netatlas.collect.platforms import spec_for
from netatlas.domain.datatypes import select
from netatlas.domain.errors import ParseError
from netatlas.domain.records import Coverage, DataType, DeviceRecords, ParseOutcome

NORMALISERS: tuple[Normaliser, ...] = (
    *device.NORMALISERS,
    *neighbors.NORMALISERS,
    *routes.NORMALISERS,
    *sessions.NORMALISERS,
    *junos.NORMALISERS,
)


def normaliser(platform: str, command: str) -> Normaliser:
    """The normaliser row for a command as sent (per-interface forms included)."""
    for row in NORMALISERS:
        if row.platform == platform and row.matches(command):
            return row
    raise ParseError(f"{platform} {command!r}: no normaliser for this command")


def parse_output(platform: str, command: str, text: str, data_types: frozenset[DataType]) -> DeviceRecords:
    """The strict form of :func:`parse_command`: the records of a complete read (or of a feature that is off).

    A partial read raises :class:`ParseError` naming its first problem: callers that cannot record
    coverage (tests, one-off tools) never take half a table for the whole one.
    """
    outcome = parse_command(platform, command, text, data_types)
    if outcome.coverage is Coverage.PARTIAL:
        raise ParseError(f"{platform} {command!r}: partial read, {len(outcome.unparsed)} problem(s), "
                         f"first: {outcome.unparsed[0][:160]!r}")
    return outcome.records


def parse_command(platform: str, command: str, text: str, data_types: frozenset[DataType]) -> ParseOutcome:
    """Parse one command's output: records plus how completely the text was understood.

    * FEATURE_OFF: the output is only the device's "feature not running" message (the row's
      ``feature_off``): no records, the message as ``note``;
    * COMPLETE: every line understood, every listed entry parsed and valid;
    * PARTIAL: the entries that parsed are kept; ``unparsed`` lists the lines not understood, the
      entries dropped or emptied (and why) and the counts that disagree (a cut table);
    * :class:`ParseError` when nothing can be trusted: nothing parsed from lines that are not a
      valid empty output, every entry invalid, or a one-record command without exactly one.

    Examples:
        >>> parse_command("cisco_ios", "show cdp neighbors detail", "% CDP is not enabled\\n",
        ...               frozenset({DataType.CDP})).coverage
        <Coverage.FEATURE_OFF: 'feature_off'>
    """
    spec = spec_for(platform)
    if spec is not None and spec.structured(command):
        return _parse_structured(platform, command, spec.text_form(command), text, data_types)
    row = normaliser(platform, command)
    where = f"{platform} {command!r}"
    note = row.feature_off_note(text)
    parsed = None if row.only_feature_off(text) else _parse_or_off(platform, command, text, note)
    if parsed is None or (note and not parsed.rows):
        return ParseOutcome(DeviceRecords(), Coverage.FEATURE_OFF, note=note)
    _add_arguments(parsed.rows, row.arguments(command) or {})
    count = len(parsed.rows)
    _check_shape(row, where, text, count)
    records, problems, kept = build_valid(row, parsed.rows, platform, where)
    cut = ("the output ends inside an unfinished entry (cut)",) if parsed.unfinished else ()
    unparsed = (*row.unparsed(parsed), *row.shortfall(text, row.parsed_entries(parsed.rows)), *problems, *cut)
    return _outcome(where, records, unparsed, kept, data_types)


def _parse_structured(platform: str, command: str, plain: str, text: str,
                      data_types: frozenset[DataType]) -> ParseOutcome:
    """A structured output (``parsers.structured``) through the text form's normaliser row: the same
    validation, the same records; a device that prints its feature-off message instead of a
    document (or a document saying so) is FEATURE_OFF, as in text."""
    row = normaliser(platform, plain)
    where = f"{platform} {command!r}"
    body = text.lstrip()
    note = "" if body.startswith(("{", "[")) else row.feature_off_note(text)  # a document is no message
    if note:
        return ParseOutcome(DeviceRecords(), Coverage.FEATURE_OFF, note=note)
    try:
        reading = structured.read(platform, plain, text)
    except ParseError as exc:
        raise ParseError(f"{where}: {exc}") from None
    if reading.feature_off:
        return ParseOutcome(DeviceRecords(), Coverage.FEATURE_OFF, note=reading.feature_off)
    _add_arguments(reading.rows, row.arguments(plain) or {})
    if row.single and len(reading.rows) != 1:
        raise ParseError(f"{where}: expected one record, the document gave {len(reading.rows)}")
    records, problems, kept = build_valid(row, reading.rows, platform, where)
    return _outcome(where, records, (*reading.problems, *problems), kept, data_types)


def _outcome(where: str, records: DeviceRecords, unparsed: tuple[str, ...], kept: int,
             data_types: frozenset[DataType]) -> ParseOutcome:
    """COMPLETE when nothing went unread; else PARTIAL with what was kept, or ParseError when nothing was."""
    if not unparsed:
        return ParseOutcome(select(records, data_types))
    if kept == 0:
        raise ParseError(f"{where}: no entry could be read ({len(unparsed)} problem(s), first: {unparsed[0][:160]!r})")
    return ParseOutcome(select(records, data_types), Coverage.PARTIAL, bounded(unparsed),
                        note=f"{len(unparsed)} line(s) or entries not understood; {kept} entries kept")


UNPARSED_LINES, UNPARSED_WIDTH = 200, 240  # device text kept per outcome (the raw output keeps all)


def bounded(lines: tuple[str, ...]) -> tuple[str, ...]:
    """At most :data:`UNPARSED_LINES` lines of at most :data:`UNPARSED_WIDTH` characters, and how many more.

    Examples:
        >>> bounded(("x" * 300,))[0][-4:], len(bounded(("a",) * 500))
        ('x...', 201)
    """
    kept = tuple(line if len(line) <= UNPARSED_WIDTH else line[:UNPARSED_WIDTH] + "..."
                 for line in lines[:UNPARSED_LINES])
    more = len(lines) - UNPARSED_LINES
    return (*kept, f"... and {more} more") if more > 0 else kept


def _add_arguments(rows: list[Row], arguments: dict[str, str]) -> None:
    """Values the command carries (``show ip arp vrf BLUE``: ``vrf``) become row fields the template lacks."""
    for one in rows:
        for name, value in arguments.items():
            if not one.get(name):
                one[name] = value


def _parse_or_off(platform: str, command: str, text: str, note: str) -> Parsed | None:
    """The template's reading, or None when it refuses an output that is a feature-off message."""
    try:
        return parse_tracked(platform, command, text)
    except ParseError:
        if note:
            return None
        raise


def _check_shape(row: Normaliser, where: str, text: str, count: int) -> None:
    if row.single and count != 1:
        raise ParseError(f"{where}: expected one record, the template gave {count}")
    if count == 0:
        junk = row.junk(text)
        if junk:
            raise ParseError(f"{where}: nothing parsed from {len(junk)} unrecognised line(s), first: {junk[0][:80]!r}")
        if row.entry_count(text):
            raise ParseError(f"{where}: the output lists {row.entry_count(text)} entries but none parsed")


def build_valid(row: Normaliser, rows: list[Row], platform: str, where: str) -> tuple[DeviceRecords, list[str], int]:
    """Records from every row that is valid; an invalid row is dropped (or its optional field emptied).

    Returns the records, one problem per dropped or repaired row, and how many rows were kept.
    """
    try:
        return row.build(rows, platform), [], len(rows)
    except (ValueError, KeyError):
        pass  # at least one row is invalid: find which, keep the others
    kept: list[Row] = []
    problems = []
    for number, one in enumerate(rows, start=1):
        fixed, why = _salvage(row, one, platform)
        if why:
            problems.append(f"entry {number} ({_describe(one)}): {why}")
        if fixed is not None:
            kept.append(fixed)
    try:
        return row.build(kept, platform), problems, len(kept)
    except (ValueError, KeyError) as exc:
        raise ParseError(f"{where}: {exc}") from exc


def _salvage(row: Normaliser, one: Row, platform: str) -> tuple[Row | None, str]:
    """The row as it can be kept (optional fields emptied) and what was wrong, or None when it cannot."""
    emptied: list[str] = []
    while True:
        try:
            row.build([one], platform)
        except (ValueError, KeyError) as exc:
            name = getattr(exc, "field", None)
            if name in row.optional and one.get(name):
                emptied.append(f"{exc} (emptied)")
                one = {**one, name: ""}
                continue
            reason = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            return None, "; ".join([*emptied, f"{reason} (entry dropped)"])
        return one, "; ".join(emptied)


def _describe(one: Row, limit: int = 80) -> str:
    text = " ".join(str(v) if not isinstance(v, list) else ",".join(map(str, v)) for v in one.values() if v)
    return text if len(text) <= limit else text[:limit] + "..."


def required_fields_missing() -> list[tuple[str, str, list[str]]]:
    """(platform, command, missing fields) for every row whose template no longer has a field we read."""
    missing = []
    for row in NORMALISERS:
        command = row.example()
        header = set(template(row.platform, command).header)
        lost = sorted(row.requires - header)
        if lost:
            missing.append((row.platform, row.command, lost))
    return missing
