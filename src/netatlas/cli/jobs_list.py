"""``netatlas jobs list``: its options, its output, and its light path (no typer, pydantic or SQLAlchemy).

The typer command (:func:`netatlas.cli.jobs.list_jobs`) takes its options' names, defaults and help
from :data:`OPTIONS`, checks them with :func:`page_problem` and :func:`status_problem`, and prints
with :func:`show_jobs`. :func:`answer` gives the same answer without typer or SQLAlchemy (~0.1 s of
CPU instead of ~0.5 s) when it can be sure to:

- the arguments are plain (each option at most once, values that need no coercion, nothing for
  typer to report);
- the settings are the two it reads itself (:func:`netatlas.settings_light.light_location`), or
  else valid (the full settings, which need pydantic: ~0.1 s more, as in production);
- the URL is one the driver path reads (:func:`netatlas.store.light.parse_url`), the schema is
  current, and no job is to be recovered (:func:`netatlas.jobs.recovery.any_abandoned`: the
  recovery's own decision, taken on the same rows).

Anything else (``--help``, a bad value or setting, a schema to create or upgrade, a job to mark
interrupted, a database error) returns False before printing anything but storage warnings, and
``cli.main`` runs the typer command, which answers (or fails) exactly as it always has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from netatlas.cli.output import print_json, print_table, say, warn_storage
from netatlas.domain.records import JobStatus

if TYPE_CHECKING:
    from pathlib import Path

    from netatlas.jobs.queries import Page
    from netatlas.store import JobView
    from netatlas.store.light import LightUrl


@dataclass(frozen=True, slots=True)
class ListOption:
    """One option of ``jobs list``: its flag, the command's parameter, default and help (flag options
    take no value)."""

    flag: str
    parameter: str
    default: int | str | bool | None
    help: str = ""  # "" for the shared options (``--db``, ``--json``): their help is ``cli.common``'s
    takes_value: bool = True


DEFAULT_LIMIT, DEFAULT_OFFSET = 20, 0
LIMIT = ListOption("--limit", "limit", DEFAULT_LIMIT, "Newest jobs to show.")
OFFSET = ListOption("--offset", "offset", DEFAULT_OFFSET, "Newest jobs to skip (the next page).")
STATUS = ListOption("--status", "status", None, f"Only jobs in this status: {', '.join(JobStatus)}.")
DB = ListOption("--db", "db", None)
JSON = ListOption("--json", "json_output", False, takes_value=False)
OPTIONS = {option.flag: option for option in (LIMIT, OFFSET, STATUS, DB, JSON)}
_COUNT = re.compile(r"0|[1-9][0-9]{0,8}")  # what the light path reads as a number; anything else: typer


def page_problem(limit: int, offset: int) -> str | None:
    """The error for a page that cannot be shown, or None."""
    if limit < 1 or offset < 0:
        return "--limit must be positive and --offset not negative"
    return None


def status_problem(status: str) -> str | None:
    """The error for an unknown ``--status``, or None.

    Examples:
        >>> status_problem("running") is None, status_problem("done")  # doctest: +ELLIPSIS
        (True, "--status: unknown status 'done' (choose from pending, running, ..., interrupted)")
    """
    try:
        JobStatus(status)
    except ValueError:
        return f"--status: unknown status {status!r} (choose from {', '.join(JobStatus)})"
    return None


def show_jobs(page: Page[JobView], *, json_output: bool) -> None:
    """The jobs of ``page`` as a table (and where the next page starts) or as JSON."""
    jobs = page.items
    if json_output:
        print_json([{"job_id": j.id, "status": j.status, "counts": j.counts, "options": j.options,
                     "created_at": j.created_at, "finished_at": j.finished_at, "message": j.message} for j in jobs])
        return
    print_table(("job", "status", "total", "completed", "failed", "cancelled", "created", "message"),
                ((j.id, j.status, j.counts.total, j.counts.completed, j.counts.failed, j.counts.cancelled,
                  f"{j.created_at:%Y-%m-%d %H:%M:%S}", j.message) for j in jobs), title="jobs")
    if page.more and page.limit is not None:
        say(f"more jobs: --offset {page.offset + page.limit}")


@dataclass(frozen=True, slots=True)
class ListArgs:
    limit: int
    offset: int
    status: JobStatus | None
    db: str | None
    json_output: bool


def parse(argv: list[str]) -> ListArgs | None:
    """The options of ``jobs list`` when they are plain and valid, else None (typer parses and reports).

    Examples:
        >>> parse(["--limit", "5", "--status=running", "--json"])
        ListArgs(limit=5, offset=0, status=<JobStatus.RUNNING: 'running'>, db=None, json_output=True)
        >>> [parse(args) for args in (["--limit", "x"], ["--limit", "0"], ["--json", "--json"], ["--help"])]
        [None, None, None, None]
    """
    given: dict[str, str | bool] = {}
    rest = list(argv)
    while rest:
        flag, equals, value = rest.pop(0).partition("=")
        option = OPTIONS.get(flag)
        if option is None or option.parameter in given or (equals and not option.takes_value):
            return None
        if option.takes_value and not equals:
            if not rest:
                return None
            value = rest.pop(0)
        if option.takes_value and (not value or value.startswith("-")):
            return None
        given[option.parameter] = value if option.takes_value else True
    return _checked(given)


def _checked(given: dict[str, str | bool]) -> ListArgs | None:
    counts = {}
    for option in (LIMIT, OFFSET):
        value = given.get(option.parameter, str(option.default))
        if not isinstance(value, str) or not _COUNT.fullmatch(value):
            return None
        counts[option.parameter] = int(value)
    status, db = given.get("status"), given.get("db")
    if page_problem(counts["limit"], counts["offset"]) or (isinstance(status, str) and status_problem(status)):
        return None
    return ListArgs(counts["limit"], counts["offset"], JobStatus(status) if isinstance(status, str) else None,
                    db if isinstance(db, str) else None, bool(given.get("json_output", False)))


def answer(argv: list[str]) -> bool:
    """Answer ``netatlas jobs list ARGV`` on the light path; False: the typer command is to answer."""
    args = parse(argv)
    if args is None:
        return False
    from netatlas.settings_light import light_location, prepare_files
    from netatlas.store import light

    located = light_location(args.db) or _validated_location(args.db)
    target = light.parse_url(located[0]) if located is not None else None
    if located is None or target is None or (args.db is not None and target.password):
        return False  # a setting to report, a URL the driver path does not read, a password to warn about
    try:
        warn_storage(prepare_files(located[1], target.sqlite_file()))  # NETATLAS_HOME 0700, the SQLite file 0600
    except OSError:
        return False
    page = _read(target, args)
    if page is None:
        return False
    show_jobs(page, json_output=args.json_output)
    return True


def _validated_location(db: str | None) -> tuple[str, Path] | None:
    """The database URL and home of the validated settings (pydantic, ~0.1 s: other settings are set, as in
    production), or None when they are invalid (the typer command reports it)."""
    from netatlas.domain.errors import NetatlasError
    from netatlas.settings import load_settings

    try:
        config = load_settings(database_url=db)
    except NetatlasError:
        return None
    return config.database_url, config.home


def _read(target: LightUrl, args: ListArgs) -> Page[JobView] | None:
    from netatlas.jobs.queries import Page
    from netatlas.jobs.recovery import any_abandoned
    from netatlas.store import light

    try:
        with light.connect(target) as reader:
            reader.require_current()
            if any_abandoned(reader.jobs(light.unfinished_select())):
                return None  # the typer command recovers them (in a write transaction), then lists
            jobs = reader.jobs(light.list_select(limit=args.offset + args.limit + 1, status=args.status))
    except light.LightUnavailable:
        return None
    return Page.of(jobs, offset=args.offset, limit=args.limit)
