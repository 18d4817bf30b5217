"""``netatlas --help`` and ``netatlas jobs list`` import only what they need (issue 11: both answer fast).

Behaviour, not timing: each case runs the CLI in a fresh interpreter and reads ``sys.modules``
afterwards, so a heavy import slipping onto a light path fails here whatever the machine's load
(``bench/cli_startup.py`` measures the time). The lazy command table of ``cli.main`` and the
constants copied into command modules for their help are checked against the real ones.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from netatlas.cli import main
from netatlas.cli.main import COMMANDS

HEAVY = ("asyncssh", "sqlalchemy", "alembic", "textfsm", "ntc_templates", "networkx", "fastapi", "celery",
         "cryptography", "netatlas.collect", "netatlas.lab", "netatlas.store", "netatlas.settings")
NOT_FOR_JOBS_LIST = ("asyncssh", "textfsm", "ntc_templates", "networkx", "fastapi", "celery", "cryptography",
                     "netatlas.collect", "netatlas.lab", "netatlas.topology", "netatlas.store.topology",
                     "netatlas.store.accounts", "netatlas.secrets", "netatlas.jobs.discovery", "netatlas.inventory")
# Issue 11: on a current database with nothing to recover, jobs are read over the driver (stdlib sqlite3)
# without typer, pydantic or SQLAlchemy (the first run on a new NETATLAS_HOME takes the typer command, which
# creates the database: Alembic, which loads the ORM, migrates it).
NOT_FOR_JOBS_LIST_ON_A_CURRENT_DATABASE = ("sqlalchemy", "netatlas.store.tables", "netatlas.store.inventory",
                                           "netatlas.store.snapshots", "netatlas.store.jobs",
                                           "netatlas.store.database", "alembic", "rich.markdown", "pygments",
                                           "pydantic", "pydantic_settings", "typer", "click", "netatlas.settings",
                                           "netatlas.cli.common", "netatlas.cli.jobs", "netutils", "psycopg")
# Typer's own help draws through rich.markdown, which loads pygments: a group's --help is drawn without them.
NOT_FOR_GROUP_HELP = ("rich.markdown", "pygments", "typer.rich_utils", "pydantic", "sqlalchemy", "netatlas.store")
GROUPS = [name for name, entry in COMMANDS.items() if entry.attribute != name]  # typer groups, not single commands

RUN = """
import json, sys
sys.argv = ["netatlas", *json.loads(sys.argv[1])]
from netatlas.cli.main import main
try:
    main()
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
sys.stderr.write("\\nRESULT " + json.dumps({"code": code, "modules": sorted(sys.modules)}) + "\\n")
"""


def run_cli(args: list[str], home: Path) -> tuple[int, str, set[str]]:
    """The exit code, stdout and every module loaded by ``netatlas ARGS`` in a fresh interpreter."""
    env = {k: v for k, v in os.environ.items() if k != "NETATLAS_DATABASE_URL"}  # the embedded default
    env.update(NETATLAS_HOME=str(home), COLUMNS="120")
    done = subprocess.run([sys.executable, "-c", RUN, json.dumps(args)], capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    marker = done.stderr.rindex("\nRESULT ")
    result = json.loads(done.stderr[marker + len("\nRESULT "):])
    return result["code"], done.stdout, set(result["modules"])


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return [name for name in names if name in modules]


def test_top_level_help_lists_every_command_and_imports_none(tmp_path: Path) -> None:
    code, out, modules = run_cli(["--help"], tmp_path)
    assert code == 0
    for name, entry in COMMANDS.items():
        assert name in out and entry.help.split()[0] in out
    assert loaded(modules, (*HEAVY, "typer", "rich", "click")) == []  # drawn by cli.main itself
    assert not [m for m in modules if m.startswith("netatlas.cli.") and m not in ("netatlas.cli.main",)]


def test_no_arguments_shows_the_same_help_without_imports(tmp_path: Path) -> None:
    code, out, modules = run_cli([], tmp_path)
    assert code == 1 and "topology" in out  # no_args_is_help: click's usage error, exit 1 (see main())
    assert loaded(modules, (*HEAVY, "typer", "rich")) == []


TYPER_HELP = """
import sys
from netatlas.cli.main import _typer_main
sys.argv = ["netatlas", *sys.argv[1:]]
_typer_main()
"""


@pytest.mark.parametrize(("args", "columns"), [(["--help"], 80), (["--help"], 100), (["--help"], 61), ([], 120)])
def test_fast_help_is_typers_own_text(tmp_path: Path, args: list[str], columns: int) -> None:
    """The root help drawn without typer equals, byte for byte, what typer draws (no colour)."""
    env = {k: v for k, v in os.environ.items() if k not in ("TERMINAL_WIDTH", "FORCE_COLOR", "FORCE_TERMINAL")}
    env.update(NETATLAS_HOME=str(tmp_path), COLUMNS=str(columns))
    fast = subprocess.run([sys.executable, "-c", RUN, json.dumps(args)], capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    typer_ = subprocess.run([sys.executable, "-c", TYPER_HELP, *args], capture_output=True, text=True, env=env,
                            timeout=120, check=False)
    assert "Usage: netatlas" in typer_.stdout and "discover" in typer_.stdout
    assert fast.stdout == typer_.stdout
    assert json.loads(fast.stderr[fast.stderr.rindex("RESULT ") + 7:])["code"] == typer_.returncode


def test_narrow_or_forced_terminals_take_typers_path(tmp_path: Path) -> None:
    env = {**os.environ, "NETATLAS_HOME": str(tmp_path), "COLUMNS": "50"}
    done = subprocess.run([sys.executable, "-c", RUN, "[\"--help\"]"], capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    assert "typer" in json.loads(done.stderr[done.stderr.rindex("RESULT ") + 7:])["modules"]
    env.update(COLUMNS="100", TERMINAL_WIDTH="70")
    done = subprocess.run([sys.executable, "-c", RUN, "[\"--help\"]"], capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    assert max(map(len, done.stdout.splitlines())) == 70


def test_a_command_help_imports_its_module_only(tmp_path: Path) -> None:
    code, out, modules = run_cli(["topology", "--help"], tmp_path)
    assert code == 0 and "override" in out
    assert "netatlas.cli.topology" in modules and "netatlas.cli.jobs" not in modules
    assert loaded(modules, HEAVY) == []


@pytest.mark.parametrize("name", GROUPS)
@pytest.mark.parametrize("columns", [120, 80, 61])
def test_group_help_is_typers_own_text_without_rich_markdown(tmp_path: Path, name: str, columns: int) -> None:
    """``netatlas GROUP --help`` is drawn from the loaded group (:func:`main.fast_group_help`), equal
    byte for byte to what typer draws, without importing typer's rich help (rich.markdown, pygments)."""
    env = {k: v for k, v in os.environ.items() if k not in ("TERMINAL_WIDTH", "FORCE_COLOR", "FORCE_TERMINAL")}
    env.update(NETATLAS_HOME=str(tmp_path), COLUMNS=str(columns))
    fast = subprocess.run([sys.executable, "-c", RUN, json.dumps([name, "--help"])], capture_output=True,
                          text=True, env=env, timeout=120, check=False)
    typer_ = subprocess.run([sys.executable, "-c", TYPER_HELP, name, "--help"], capture_output=True, text=True,
                            env=env, timeout=120, check=False)
    assert typer_.returncode == 0 and f"Usage: netatlas {name}" in typer_.stdout
    assert fast.stdout == typer_.stdout
    result = json.loads(fast.stderr[fast.stderr.rindex("RESULT ") + 7:])
    assert result["code"] == 0
    assert loaded(set(result["modules"]), NOT_FOR_GROUP_HELP) == []


def test_group_help_leaves_what_it_does_not_draw_to_typer() -> None:
    """Options on a group, help panels, hidden commands or markup: typer draws those (None here)."""
    import typer
    from typer.main import get_group

    def build(**command: object) -> object:
        app = typer.Typer(help="A group.")

        @app.command(**command)  # type: ignore[arg-type]
        def first() -> None:
            """Does one thing."""

        @app.command()
        def second() -> None:
            """Does another."""

        return get_group(app)

    assert main.fast_group_help("g", build(), 100) is not None
    assert main.fast_group_help("g", build(rich_help_panel="Other"), 100) is None
    assert main.fast_group_help("g", build(hidden=True), 100) is None
    assert main.fast_group_help("g", build(help="Uses [bold]markup[/bold]."), 100) is None
    assert main.fast_group_help("g", build(deprecated=True), 100) is None
    with_option = typer.Typer(help="A group.")

    @with_option.callback()
    def _root(verbose: bool = False) -> None:
        """A group with an option."""

    with_option.command()(lambda: None)
    assert main.fast_group_help("g", get_group(with_option), 100) is None
    assert main.fast_group_help("g", build(), 40) is None  # the usage line would not fit


def test_jobs_list_loads_the_store_but_not_the_collector(tmp_path: Path) -> None:
    code, out, modules = run_cli(["jobs", "list", "--json"], tmp_path)
    assert code == 0 and json.loads(out) == []
    assert loaded(modules, NOT_FOR_JOBS_LIST) == []
    assert "netatlas.store.jobs" in modules and "typer" in modules  # created the database: the typer command
    code, out, modules = run_cli(["jobs", "list", "--json"], tmp_path)  # the embedded database exists now
    assert code == 0 and json.loads(out) == []
    assert loaded(modules, (*NOT_FOR_JOBS_LIST, *NOT_FOR_JOBS_LIST_ON_A_CURRENT_DATABASE)) == []
    assert "netatlas.store.light" in modules and "netatlas.jobs.recovery" in modules  # read, and recovery decided


def test_unknown_command_is_a_usage_error_with_a_suggestion(tmp_path: Path) -> None:
    code, _, modules = run_cli(["job"], tmp_path)
    assert code == 1 and "netatlas.cli.jobs" not in modules


@pytest.mark.parametrize("name", list(COMMANDS))
def test_table_help_is_the_real_commands_help(name: str) -> None:
    """The line ``--help`` shows without importing a command is the first paragraph of its real help."""
    real = main.load(name)
    assert real.name == name
    first = inspect.cleandoc(real.help or "").split("\n\n")[0].replace("\n", " ").strip()
    assert COMMANDS[name].help == first


def test_every_root_command_is_in_the_table() -> None:
    from typer.main import get_command

    group = get_command(main.app)
    assert list(group.commands) == list(COMMANDS)  # type: ignore[attr-defined]


def test_constants_copied_for_help_equal_the_real_ones() -> None:
    from netatlas.cli import lab, topology
    from netatlas.jobs.topology import HISTORY_RUNS
    from netatlas.lab.server import DEFAULT_PORT
    from netatlas.topology.export import FORMATS

    assert topology.HISTORY_RUNS == HISTORY_RUNS
    assert topology.FORMATS == FORMATS
    assert lab.DEFAULT_PORT == DEFAULT_PORT


def test_store_names_load_lazily_and_all_resolve() -> None:
    import netatlas.store as store

    assert set(store.__all__) == set(store._HOMES)
    for name in store.__all__:
        assert getattr(store, name).__name__ == name
    with pytest.raises(AttributeError):
        _ = store.NoSuchRepo


CORE_ONLY = """
import sys
from sqlalchemy import text
from netatlas.store.database import Database
db = Database.open(sys.argv[1], upgrade=True)
with db.connection() as conn:
    conn.execute(text("CREATE TABLE probe (n INTEGER)"))
    conn.execute(text("INSERT INTO probe VALUES (7)"))
with db.connection(readonly=True) as conn:
    value = conn.execute(text("SELECT n FROM probe")).scalar_one()
print(value, "sqlalchemy.orm" in sys.modules, "alembic" in sys.modules)
"""


def test_the_database_opens_and_reads_with_core_alone(tmp_path: Path) -> None:
    """Opening a current database and a Core unit of work import neither the ORM nor Alembic (a command
    that reads with Core stays light); the first ORM session imports it."""
    url = f"sqlite:///{tmp_path / 'core.db'}"
    subprocess.run([sys.executable, "-c", "import sys; from netatlas.store.database import Database; "
                    "Database.open(sys.argv[1], upgrade=True).close()", url], check=True, timeout=120)
    done = subprocess.run([sys.executable, "-c", CORE_ONLY, url], capture_output=True, text=True, timeout=120,
                          check=True)
    assert done.stdout.split() == ["7", "False", "False"]
