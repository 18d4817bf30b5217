"""Credentials at rest: per-deployment salt, key check before anything runs, legacy data still read, rekey.

The database here is a real SQLite file (the component the key check and the salt live in).
"""

from __future__ import annotations

import base64
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from netatlas.domain.errors import ConfigError
from netatlas.domain.inventory import Credential
from netatlas.secrets import (
    CHECK_META,
    KDF_META,
    TAG,
    KdfParams,
    SecretBox,
    create_key_file,
    derive_key,
    install_key_file,
    pending_key_path,
    rekey,
)
from netatlas.settings import Settings, load_settings
from netatlas.store import CredentialRepo, Database, MetaRepo

PASSPHRASE = "correct horse battery staple, twice"
NEW_PASSPHRASE = "a new passphrase after the audit"
CREDENTIAL = Credential("lab", "netatlas", "pa55-w0rd-7f3a", "en4ble-91c2")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("NETATLAS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NETATLAS_HOME", str(tmp_path / "home"))


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(f"sqlite:///{tmp_path / 'netatlas.db'}", upgrade=True)
    yield database
    database.close()


def config(**overrides: Any) -> Settings:
    return load_settings(**overrides)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def store(db: Database, box: SecretBox, credential: Credential = CREDENTIAL) -> None:
    with db.session() as session:
        CredentialRepo(session).upsert(credential.name, *box.seal(credential))


def stored_password(db: Database, box: SecretBox, name: str = "lab") -> str:
    with db.session() as session:
        row = CredentialRepo(session).get(name)
    return box.unseal(name, row.username, row.ciphertext).password


def meta(db: Database, key: str) -> str | None:
    with db.session() as session:
        return MetaRepo(session).get(key)


def legacy_token(key: bytes, credential: Credential = CREDENTIAL) -> bytes:
    """A ciphertext as netatlas 0.1 wrote it: an untagged Fernet token."""
    secrets = {"password": credential.password, "enable_secret": credential.enable_secret}
    return Fernet(key).encrypt(json.dumps(secrets).encode())


# --- encryption ---------------------------------------------------------------------------------------------


def test_round_trip_and_tag() -> None:
    box = SecretBox(Fernet.generate_key())
    for text in ("s3cret", "", "päss wörd ✓ with spaces"):
        token = box.encrypt(text)
        assert token.startswith(TAG) and SecretBox.is_current(token)
        assert box.decrypt(token) == text


def test_ciphertext_does_not_contain_the_plaintext() -> None:
    box = SecretBox(Fernet.generate_key())
    first, second = box.encrypt("pa55-w0rd-7f3a"), box.encrypt("pa55-w0rd-7f3a")
    assert b"pa55-w0rd-7f3a" not in first
    assert first != second  # a fresh IV each time: equal passwords do not show as equal ciphertexts


def test_damaged_ciphertext_is_refused() -> None:
    box = SecretBox(Fernet.generate_key())
    token = bytearray(box.encrypt("pa55"))
    token[40] ^= 1
    with pytest.raises(ConfigError, match="damaged"):
        box.decrypt(bytes(token))


def test_seal_and_unseal() -> None:
    box = SecretBox(Fernet.generate_key())
    username, sealed = box.seal(CREDENTIAL)
    assert username == "netatlas"
    assert b"pa55-w0rd-7f3a" not in sealed and b"en4ble-91c2" not in sealed
    back = box.unseal("lab", username, sealed)
    assert (back.name, back.username, back.password, back.enable_secret) == (
        "lab", "netatlas", "pa55-w0rd-7f3a", "en4ble-91c2")
    no_enable = box.unseal("ro", "viewer", box.seal(Credential("ro", "viewer", "pw"))[1])
    assert no_enable.enable_secret is None


def test_unseal_refuses_something_that_is_not_a_sealed_credential() -> None:
    box = SecretBox(Fernet.generate_key())
    with pytest.raises(ConfigError, match="stored credential set 'lab' is malformed"):
        box.unseal("lab", "netatlas", box.encrypt("just a password"))


def test_no_secret_in_repr() -> None:
    key = Fernet.generate_key()
    box = SecretBox(key, source="test key")
    assert key.decode() not in repr(box)
    assert repr(box) == "SecretBox(source='test key')"
    assert "pa55-w0rd-7f3a" not in repr(CREDENTIAL) and "en4ble-91c2" not in repr(CREDENTIAL)


def test_a_key_that_is_not_a_fernet_key_is_refused() -> None:
    with pytest.raises(ConfigError, match="not a Fernet key"):
        SecretBox(b"too short")


# --- passphrase: scrypt n=2**17 with the deployment's own salt ----------------------------------------------


def test_the_salt_is_random_per_deployment_and_stored(db: Database, tmp_path: Path) -> None:
    box = SecretBox.for_database(config(secret_key=PASSPHRASE), db)
    params = KdfParams.from_text(meta(db, KDF_META) or "")
    assert params.n >= 2**17 and len(params.salt) == 16
    assert params.salt != b"netatlas/credentials/v1"
    with Database.open(f"sqlite:///{tmp_path / 'other.db'}", upgrade=True) as other:
        other_box = SecretBox.for_database(config(secret_key=PASSPHRASE), other)
        other_params = KdfParams.from_text(meta(other, KDF_META) or "")
    assert other_params.salt != params.salt
    with pytest.raises(ConfigError):  # the same passphrase gives another key on another deployment
        other_box.decrypt(box.encrypt("x"))


def test_same_passphrase_same_key_in_every_process(db: Database) -> None:
    token = SecretBox.for_database(config(secret_key=PASSPHRASE), db).encrypt("shared")
    derive_key.cache_clear()
    assert SecretBox.for_database(config(secret_key=PASSPHRASE), db).decrypt(token) == "shared"


@pytest.mark.parametrize(("text", "problem"), [
    (json.dumps({"kdf": "scrypt", "n": 2**14, "r": 8, "p": 1, "salt": base64.b64encode(b"s" * 16).decode()}),
     "weaker than allowed"),
    (json.dumps({"kdf": "scrypt", "n": 2**17, "r": 8, "p": 1, "salt": base64.b64encode(b"s").decode()}),
     "weaker than allowed"),
    ("{not json", "damaged"),
])
def test_stored_kdf_settings_are_checked(db: Database, text: str, problem: str) -> None:
    with db.session() as session:
        MetaRepo(session).set(KDF_META, text)
    with pytest.raises(ConfigError, match=problem):
        SecretBox.for_database(config(secret_key=PASSPHRASE), db)


# --- the key check: a wrong key stops at open --------------------------------------------------------------


def test_a_wrong_passphrase_stops_at_open_without_echoing_it(db: Database) -> None:
    store(db, SecretBox.for_database(config(secret_key=PASSPHRASE), db))
    with pytest.raises(ConfigError) as caught:
        SecretBox.for_database(config(secret_key="another passphrase entirely"), db)
    message = str(caught.value)
    assert message.startswith("wrong secret key: NETATLAS_SECRET_KEY is not the key")
    assert "another passphrase entirely" not in message and PASSPHRASE not in message
    assert caught.value.__cause__ is None


def test_a_wrong_key_file_is_named(db: Database, tmp_path: Path) -> None:
    SecretBox.for_database(config(), db)
    other = tmp_path / "other.key"
    create_key_file(other)
    with pytest.raises(ConfigError, match=f"wrong secret key: key file {other} is not the key"):
        SecretBox.for_database(config(key_file=other), db)


def test_the_check_is_there_before_any_credential(db: Database) -> None:
    """A fresh deployment binds its key on first use, so a second process with another key stops too."""
    SecretBox.for_database(config(secret_key=PASSPHRASE), db)
    assert (meta(db, CHECK_META) or "").startswith(TAG.decode())
    with pytest.raises(ConfigError, match="wrong secret key"):
        SecretBox.for_database(config(secret_key="not the first one at all"), db)


def test_a_first_run_checks_the_key_against_stored_credentials(db: Database) -> None:
    """Credentials stored by 0.1 (no check value yet) with one key; the first open with another key fails."""
    key = Fernet.generate_key()
    with db.session() as session:
        CredentialRepo(session).upsert("lab", "netatlas", legacy_token(key))
    with pytest.raises(ConfigError, match="wrong secret key"):
        SecretBox.for_database(config(secret_key=PASSPHRASE), db)
    assert meta(db, CHECK_META) is None  # nothing was bound to the wrong key


# --- key files ----------------------------------------------------------------------------------------------


def test_key_file_is_created_private_and_reused(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "home" / "secret.key"
    token = SecretBox.for_database(config(), db).encrypt("pa55")
    assert mode_of(path) == 0o600
    assert mode_of(path.parent) == 0o700
    assert SecretBox.for_database(config(), db).decrypt(token) == "pa55"
    assert [p.name for p in path.parent.iterdir()] == ["secret.key"]  # no temporary file left behind


def test_a_second_creator_gets_the_first_key(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    assert create_key_file(path) == create_key_file(path)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_key_file_readable_by_others_is_refused(db: Database, tmp_path: Path, mode: int) -> None:
    path = tmp_path / "secret.key"
    create_key_file(path)
    path.chmod(mode)
    with pytest.raises(ConfigError) as caught:
        SecretBox.for_database(config(key_file=path), db)
    assert f"chmod 600 {path}" in str(caught.value)


def test_key_file_with_garbage_is_refused(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    path.write_text("not a key\n")
    path.chmod(0o600)
    with pytest.raises(ConfigError, match="does not hold a key"):
        SecretBox.for_database(config(key_file=path), db)


def test_a_deleted_key_file_is_never_regenerated_while_credentials_exist(db: Database, tmp_path: Path) -> None:
    store(db, SecretBox.for_database(config(), db))
    key_file = tmp_path / "home" / "secret.key"
    key_file.unlink()
    with pytest.raises(ConfigError) as caught:
        SecretBox.for_database(config(), db)
    assert f"key file {key_file} does not exist" in str(caught.value)
    assert "restore it from backup" in str(caught.value)
    assert not key_file.exists()


def test_production_never_generates_a_key_file(monkeypatch: pytest.MonkeyPatch, db: Database,
                                               tmp_path: Path) -> None:
    key_file = tmp_path / "home" / "secret.key"
    create_key_file(key_file)
    monkeypatch.setenv("NETATLAS_ENVIRONMENT", "production")
    settings = config()
    key_file.unlink()  # removed after start-up: production must not quietly make a new key
    with pytest.raises(ConfigError, match="does not exist"):
        SecretBox.for_database(settings, db)
    assert not key_file.exists()


def test_settings_prefer_the_passphrase(db: Database, tmp_path: Path) -> None:
    box = SecretBox.for_database(config(secret_key=PASSPHRASE), db)
    assert box.source == "NETATLAS_SECRET_KEY"
    assert not (tmp_path / "home" / "secret.key").exists()


# --- data from netatlas 0.1: still read, re-encrypted by rekey ---------------------------------------------


def test_legacy_passphrase_data_still_decrypts_and_rekey_moves_it_to_v2(db: Database) -> None:
    with db.session() as session:
        CredentialRepo(session).upsert("lab", "netatlas", legacy_token(derive_key(PASSPHRASE)))
    settings = config(secret_key=PASSPHRASE)
    box = SecretBox.for_database(settings, db)
    assert stored_password(db, box) == "pa55-w0rd-7f3a"
    with db.session() as session:
        done = rekey(config(secret_key=PASSPHRASE, new_secret_key=NEW_PASSPHRASE), session)
    assert (done.count, done.legacy, done.pending_key_file) == (1, 1, None)
    new = SecretBox.for_database(config(secret_key=NEW_PASSPHRASE), db)
    with db.session() as session:
        assert SecretBox.is_current(CredentialRepo(session).get("lab").ciphertext)
    assert stored_password(db, new) == "pa55-w0rd-7f3a"
    with pytest.raises(ConfigError, match="wrong secret key"):
        SecretBox.for_database(settings, db)


def test_legacy_key_file_data_still_decrypts(db: Database, tmp_path: Path) -> None:
    key = create_key_file(tmp_path / "home" / "secret.key")
    with db.session() as session:
        CredentialRepo(session).upsert("lab", "netatlas", legacy_token(key))
    assert stored_password(db, SecretBox.for_database(config(), db)) == "pa55-w0rd-7f3a"


def test_importing_again_writes_v2(db: Database) -> None:
    with db.session() as session:
        CredentialRepo(session).upsert("lab", "netatlas", legacy_token(derive_key(PASSPHRASE)))
    box = SecretBox.for_database(config(secret_key=PASSPHRASE), db)
    store(db, box)
    with db.session() as session:
        assert SecretBox.is_current(CredentialRepo(session).get("lab").ciphertext)


# --- rekey ----------------------------------------------------------------------------------------------------


def test_rekey_to_a_new_key_file(db: Database, tmp_path: Path) -> None:
    key_file = tmp_path / "home" / "secret.key"
    store(db, SecretBox.for_database(config(), db))
    store(db, SecretBox.for_database(config(), db), Credential("ro", "viewer", "v13w"))
    old_key = key_file.read_bytes()
    with db.session() as session:
        done = rekey(config(), session)
    assert done.pending_key_file == pending_key_path(key_file) and mode_of(done.pending_key_file) == 0o600
    install_key_file(done.pending_key_file, key_file)
    assert key_file.read_bytes() != old_key and mode_of(key_file) == 0o600
    box = SecretBox.for_database(config(), db)
    assert (stored_password(db, box), stored_password(db, box, "ro"), done.count) == ("pa55-w0rd-7f3a", "v13w", 2)


def test_rekey_is_one_transaction(db: Database, tmp_path: Path) -> None:
    """A credential that cannot be read stops the rekey, and nothing changed: the old key still opens."""
    box = SecretBox.for_database(config(secret_key=PASSPHRASE), db)
    store(db, box)
    with db.session() as session:
        CredentialRepo(session).upsert("broken", "x", box.encrypt("not a sealed credential"))
    before = meta(db, KDF_META)
    with pytest.raises(ConfigError, match="malformed"), db.session() as session:
        rekey(config(secret_key=PASSPHRASE, new_secret_key=NEW_PASSPHRASE), session)
    assert meta(db, KDF_META) == before
    assert stored_password(db, SecretBox.for_database(config(secret_key=PASSPHRASE), db)) == "pa55-w0rd-7f3a"


def test_an_interrupted_key_file_rekey_is_named(db: Database, tmp_path: Path) -> None:
    store(db, SecretBox.for_database(config(), db))
    with db.session() as session:
        pending = rekey(config(), session).pending_key_file
    assert pending is not None  # committed, but the new key file was never moved into place
    with pytest.raises(ConfigError, match=f"an interrupted `netatlas secrets rekey` left {pending}"):
        SecretBox.for_database(config(), db)
