"""The CLI's one way to print: data is text, never markup, and never an escape sequence on the terminal.

Rendered by a real rich Console into a string (a terminal that would honour colours and hyperlinks,
so a sequence that got through would show up here as ESC bytes of its own).
"""

from __future__ import annotations

import io

import pytest
import typer
from rich.console import Console

from netatlas.cli import common
from netatlas.cli.common import coverage_lines, fail, line, print_table, say, text

HOSTILE = ("[/]crash", "[bold]x", "\x1b]0;title\x07", "\x1b]8;;http://x\x1b\\", "\u202e", "[link=http://e]y[/link]",
           ":smile:")
CONTROLS = ("\x07", "\u202e", "\x1b]", "\x1b[2J")


def console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=True, color_system="truecolor", width=200), buffer


def assert_literal(output: str) -> None:
    for control in CONTROLS:
        assert control not in output, f"{control!r} reached the terminal"
    for shown in ("[/]crash", "[bold]x", "\\x1b]0;title\\x07", "\\x1b]8;;http://x\\x1b\\", "\\u202e",
                  "[link=http://e]y[/link]", ":smile:"):
        assert shown in output, f"{shown!r} not shown as written"


@pytest.mark.parametrize("value", HOSTILE)
def test_text_is_never_markup(value: str) -> None:
    rendered = text(value)
    assert rendered.spans == [] and "\x1b" not in rendered.plain and "\u202e" not in rendered.plain


def test_say_prints_every_part_literally() -> None:
    out, buffer = console()
    say(text("error:", "red"), " ", *HOSTILE, console=out)
    assert_literal(buffer.getvalue())


def test_tables_print_titles_headers_and_cells_literally() -> None:
    out, buffer = console()
    print_table(("name", "[bold]header"), [(value, value) for value in HOSTILE], title="[/]crash title", console=out)
    assert_literal(buffer.getvalue())
    assert "[/]crash title" in buffer.getvalue() and "[bold]header" in buffer.getvalue()


def test_fail_prints_the_message_literally_and_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    err, buffer = console()
    monkeypatch.setattr(common, "err", err)
    with pytest.raises(typer.Exit) as exited:
        fail(" ".join(HOSTILE))
    assert exited.value.exit_code == 1
    assert_literal(buffer.getvalue())


def test_coverage_lines_show_the_devices_note_literally() -> None:
    out, buffer = console()
    for shown in coverage_lines({"sw1": {"cdp": {"status": "partial", "note": " ".join(HOSTILE)}}}):
        say(shown, console=out)
    assert "sw1 cdp " in buffer.getvalue() and "partial\x1b[0m: [/]crash" in buffer.getvalue(), "only our colour"
    assert_literal(buffer.getvalue())


def test_line_keeps_styles_of_our_own_words_only() -> None:
    shown = line(text("error:", "red"), " ", "[red]not red[/red]")
    assert shown.plain == "error: [red]not red[/red]"
    assert [(span.start, span.end, str(span.style)) for span in shown.spans] == [(0, 6, "red")]


def test_a_password_in_db_is_warned_about_and_not_echoed(monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: object) -> None:
    err, buffer = console()
    monkeypatch.setattr(common, "err", err)
    monkeypatch.setenv("NETATLAS_HOME", str(tmp_path))
    common.settings("postgresql://netatlas:hunter2@db.example/netatlas")
    shown = buffer.getvalue()
    assert "warning: the database URL holds a password" in shown and "NETATLAS_DATABASE_URL" in shown
    assert "hunter2" not in shown


def test_a_db_url_without_password_is_not_warned_about(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    err, buffer = console()
    monkeypatch.setattr(common, "err", err)
    monkeypatch.setenv("NETATLAS_HOME", str(tmp_path))
    common.settings("postgresql://netatlas@db.example/netatlas")
    assert buffer.getvalue() == ""
