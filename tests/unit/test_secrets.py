"""Credentials at rest: encryption round trips, key files are private, a wrong key fails clearly."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from netatlas.domain.errors import ConfigError
from netatlas.domain.inventory import Credential
from netatlas.secrets import SecretBox, create_key_file, derive_key
from netatlas.settings import load_settings

PASSPHRASE = "correct horse battery staple, twice"
CREDENTIAL = Credential("lab", "netatlas", "pa55-w0rd-7f3a", "en4ble-91c2")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("NETATLAS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NETATLAS_HOME", str(tmp_path / "home"))


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_round_trip() -> None:
    box = SecretBox.from_passphrase(PASSPHRASE)
    for text in ("s3cret", "", "päss wörd ✓ with spaces"):
        assert box.decrypt(box.encrypt(text)) == text


def test_ciphertext_does_not_contain_the_plaintext() -> None:
    box = SecretBox(Fernet.generate_key())
    first, second = box.encrypt("pa55-w0rd-7f3a"), box.encrypt("pa55-w0rd-7f3a")
    assert b"pa55-w0rd-7f3a" not in first
    assert first != second  # a fresh IV each time: equal passwords do not show as equal ciphertexts


def test_same_passphrase_same_key_in_every_process() -> None:
    token = SecretBox.from_passphrase(PASSPHRASE).encrypt("shared")
    derive_key.cache_clear()
    assert SecretBox.from_passphrase(PASSPHRASE).decrypt(token) == "shared"


def test_wrong_key_fails_clearly_without_the_plaintext() -> None:
    token = SecretBox.from_passphrase(PASSPHRASE).encrypt("pa55-w0rd-7f3a")
    other = SecretBox.from_passphrase("another passphrase entirely")
    with pytest.raises(ConfigError) as caught:
        other.decrypt(token)
    message = str(caught.value)
    assert "cannot decrypt stored credentials with NETATLAS_SECRET_KEY" in message
    assert "another key" in message
    assert "pa55-w0rd-7f3a" not in message and PASSPHRASE not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_damaged_ciphertext_is_refused() -> None:
    box = SecretBox.from_passphrase(PASSPHRASE)
    token = bytearray(box.encrypt("pa55"))
    token[40] ^= 1
    with pytest.raises(ConfigError, match="damaged"):
        box.decrypt(bytes(token))


def test_key_file_is_created_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "state" / "secret.key"
    token = SecretBox.from_key_file(path).encrypt("pa55")
    assert mode_of(path) == 0o600
    assert mode_of(path.parent) == 0o700
    assert SecretBox.from_key_file(path).decrypt(token) == "pa55"
    assert [p.name for p in path.parent.iterdir()] == ["secret.key"]  # no temporary file left behind


def test_a_second_creator_gets_the_first_key(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    assert create_key_file(path) == create_key_file(path)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_key_file_readable_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "secret.key"
    create_key_file(path)
    path.chmod(mode)
    with pytest.raises(ConfigError) as caught:
        SecretBox.from_key_file(path)
    assert str(path) in str(caught.value)
    assert f"chmod 600 {path}" in str(caught.value)


def test_key_file_with_garbage_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    path.write_text("not a key\n")
    path.chmod(0o600)
    with pytest.raises(ConfigError, match="does not hold a key"):
        SecretBox.from_key_file(path)


def test_missing_key_file_without_create(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        SecretBox.from_key_file(tmp_path / "absent.key", create=False)
    assert not (tmp_path / "absent.key").exists()


def test_settings_prefer_the_passphrase(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NETATLAS_SECRET_KEY", PASSPHRASE)
    box = SecretBox.from_settings(load_settings())
    assert box.source == "NETATLAS_SECRET_KEY"
    assert SecretBox.from_passphrase(PASSPHRASE).decrypt(box.encrypt("x")) == "x"
    assert not (tmp_path / "home" / "secret.key").exists()


def test_settings_fall_back_to_a_generated_key_file(tmp_path: Path) -> None:
    box = SecretBox.from_settings(load_settings())
    key_file = tmp_path / "home" / "secret.key"
    assert box.source == f"key file {key_file}"
    assert mode_of(key_file) == 0o600


def test_production_never_generates_a_key_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key_file = tmp_path / "home" / "secret.key"
    create_key_file(key_file)
    monkeypatch.setenv("NETATLAS_ENVIRONMENT", "production")
    settings = load_settings()
    key_file.unlink()  # removed after start-up: production must not quietly make a new key
    with pytest.raises(ConfigError, match="does not exist"):
        SecretBox.from_settings(settings)
    assert not key_file.exists()


def test_seal_and_unseal() -> None:
    box = SecretBox.from_passphrase(PASSPHRASE)
    username, sealed = box.seal(CREDENTIAL)
    assert username == "netatlas"
    assert b"pa55-w0rd-7f3a" not in sealed and b"en4ble-91c2" not in sealed
    back = box.unseal("lab", username, sealed)
    assert (back.name, back.username, back.password, back.enable_secret) == (
        "lab", "netatlas", "pa55-w0rd-7f3a", "en4ble-91c2")
    no_enable = box.unseal("ro", "viewer", box.seal(Credential("ro", "viewer", "pw"))[1])
    assert no_enable.enable_secret is None


def test_unseal_refuses_something_that_is_not_a_sealed_credential() -> None:
    box = SecretBox.from_passphrase(PASSPHRASE)
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
