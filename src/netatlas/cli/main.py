"""Entry point: ``netatlas <group> <command>``."""

from __future__ import annotations

import typer

from netatlas.cli import lab

app = typer.Typer(help="netatlas: network topology discovery.", no_args_is_help=True, add_completion=False)
app.add_typer(lab.app, name="lab")


def main() -> None:  # pragma: no cover - console script
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
