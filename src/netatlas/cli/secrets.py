"""``netatlas secrets check|rekey``: verify the key, or re-encrypt every stored credential under a new one."""

from __future__ import annotations

import typer

from netatlas.cli.common import DbOption, JsonOption, database, fail, out, print_json, settings
from netatlas.domain.errors import NetatlasError

app = typer.Typer(help="The key that encrypts stored credentials.", no_args_is_help=True)


@app.command("check")
def check(db: DbOption = None, json_output: JsonOption = False) -> None:
    """Open the key (exit 1 when it is wrong) and count the stored credential sets."""
    from netatlas.secrets import SecretBox
    from netatlas.store import CredentialRepo

    config = settings(db)
    with database(config) as database_:
        try:
            with database_.session() as session:
                box = SecretBox.open(config, session)
                repo = CredentialRepo(session)
                stored = [repo.get(name).ciphertext for name in repo.names()]
        except NetatlasError as exc:
            fail(str(exc))
    legacy = sum(not SecretBox.is_current(token) for token in stored)
    if json_output:
        print_json({"key": box.source, "credential_sets": len(stored), "legacy": legacy})
        return
    out.print(f"key: {box.source} (it opens this deployment's key check)", markup=False, highlight=False)
    out.print(f"{len(stored)} credential set(s) stored, {legacy} of them written by an earlier version "
              "(run `netatlas secrets rekey` to re-encrypt them)" if legacy else
              f"{len(stored)} credential set(s) stored", markup=False, highlight=False)


@app.command("rekey")
def rekey_command(db: DbOption = None) -> None:
    """Re-encrypt every stored credential set under a new key, in one transaction.

    The new key is the passphrase in NETATLAS_NEW_SECRET_KEY, or else a new key file that replaces
    NETATLAS_KEY_FILE once the database has committed. Stop other netatlas processes first.
    """
    from netatlas.secrets import install_key_file, pending_key_path, rekey

    config = settings(db)
    pending = pending_key_path(config.key_path) if config.new_secret_key is None else None
    with database(config) as database_:
        try:
            with database_.session() as session:
                done = rekey(config, session)
        except NetatlasError as exc:
            if pending is not None:
                pending.unlink(missing_ok=True)
            fail(str(exc))
    if done.pending_key_file is not None:
        install_key_file(done.pending_key_file, config.key_path)
    out.print(f"re-encrypted {done.count} credential set(s) ({done.legacy} from an earlier version)",
              markup=False, highlight=False)
    out.print(_next_step(done.pending_key_file is not None, config.secret_key is not None, str(config.key_path)),
              markup=False, highlight=False)


def _next_step(new_file: bool, passphrase_set: bool, key_path: str) -> str:
    if new_file and passphrase_set:
        return f"the new key is the key file {key_path}: unset NETATLAS_SECRET_KEY everywhere netatlas runs"
    if new_file:
        return f"the new key is the key file {key_path}: copy it (mode 0600) wherever netatlas runs, and back it up"
    return ("the new key is the passphrase in NETATLAS_NEW_SECRET_KEY: set NETATLAS_SECRET_KEY to it everywhere "
            "netatlas runs and unset NETATLAS_NEW_SECRET_KEY" + ("" if passphrase_set else
                                                                  f"; the old key file {key_path} is no longer used"))
