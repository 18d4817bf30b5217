"""``netatlas user ...`` and ``netatlas token ...``: accounts for the API. Being written."""

from __future__ import annotations

import typer

users = typer.Typer(help="API users (login with a password; the web UI).", no_args_is_help=True)
tokens = typer.Typer(help="API tokens (for scripts and CI): printed once, stored hashed.", no_args_is_help=True)
