"""The placeholder vault: consistent numbering, encrypted persistence only."""

from __future__ import annotations

import pickle

import pytest
from cryptography.fernet import Fernet

from compliance.phi import PlaceholderVault, VaultError


def test_same_original_same_placeholder() -> None:
    vault = PlaceholderVault()
    assert vault.placeholder("PERSON", "Emily") == "<PERSON_1>"
    assert vault.placeholder("PERSON", "emily ") == "<PERSON_1>"
    assert vault.placeholder("PERSON", "Liam") == "<PERSON_2>"
    assert vault.placeholder("PHONE", "555-123-4567") == "<PHONE_1>"
    assert vault.reveal("<PERSON_2>") == "Liam"
    assert vault.reveal("<PERSON_9>") is None


def test_encrypt_round_trip_keeps_numbering() -> None:
    key = Fernet.generate_key()
    vault = PlaceholderVault()
    vault.placeholder("PERSON", "Emily")
    blob = vault.encrypt(key)
    assert b"Emily" not in blob
    restored = PlaceholderVault.decrypt(blob, key.decode())
    assert restored.reveal("<PERSON_1>") == "Emily"
    assert restored.placeholder("PERSON", "Emily") == "<PERSON_1>"
    assert restored.placeholder("PERSON", "Noah") == "<PERSON_2>"


def test_wrong_key_or_tampering_fails() -> None:
    vault = PlaceholderVault()
    vault.placeholder("PERSON", "Emily")
    blob = vault.encrypt(Fernet.generate_key())
    with pytest.raises(VaultError):
        PlaceholderVault.decrypt(blob, Fernet.generate_key())
    with pytest.raises(VaultError):
        PlaceholderVault.decrypt(blob[:-4] + b"AAAA", Fernet.generate_key())
    with pytest.raises(VaultError):
        vault.encrypt(b"not a fernet key")


def test_never_in_clear() -> None:
    vault = PlaceholderVault()
    vault.placeholder("PERSON", "Emily")
    assert "Emily" not in repr(vault)
    with pytest.raises(TypeError):
        pickle.dumps(vault)
