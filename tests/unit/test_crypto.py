"""Secrets at rest: round trip, tamper detection, key rotation."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from core.crypto import SecretUnreadable, decrypt_secret, encrypt_secret


def test_round_trip_does_not_leave_plaintext() -> None:
    key = Fernet.generate_key().decode()
    sealed = encrypt_secret("EAAG-page-token", key)
    assert "EAAG" not in sealed
    assert decrypt_secret(sealed, key) == "EAAG-page-token"


def test_tampered_or_foreign_ciphertext_is_refused() -> None:
    key, other = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = encrypt_secret("secret", key)
    with pytest.raises(SecretUnreadable):
        decrypt_secret(sealed, other)
    with pytest.raises(SecretUnreadable):
        decrypt_secret(sealed[:-4] + "AAAA", key)


def test_rotation_keeps_old_values_readable() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed_with_old = encrypt_secret("kept", old)
    assert decrypt_secret(sealed_with_old, f"{new},{old}") == "kept"
    sealed_with_new = encrypt_secret("fresh", f"{new},{old}")
    assert decrypt_secret(sealed_with_new, new) == "fresh"
