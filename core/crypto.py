"""Encryption at rest for third-party tokens and secrets (Fernet: AES-128-CBC + HMAC).

`ENCRYPTION_KEY` may hold several comma-separated keys: the first encrypts, all decrypt,
so a key can be rotated without losing what the old one sealed.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from core.errors import AppError


class SecretUnreadable(AppError):
    """A stored secret cannot be decrypted with any configured key."""

    status_code = 500
    code = "secret_unreadable"


@lru_cache(maxsize=4)
def _cipher(keys: str) -> MultiFernet:
    return MultiFernet([Fernet(key.strip()) for key in keys.split(",") if key.strip()])


def encrypt_secret(plaintext: str, keys: str) -> str:
    """Seal `plaintext` with the first of `keys`; the result is ASCII, safe for a TEXT column."""
    return _cipher(keys).encrypt(plaintext.encode()).decode("ascii")


def decrypt_secret(ciphertext: str, keys: str) -> str:
    """Open a value sealed by `encrypt_secret` with any of `keys`."""
    try:
        return _cipher(keys).decrypt(ciphertext.encode("ascii")).decode()
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable(
            "A stored secret could not be decrypted; was ENCRYPTION_KEY "
            "changed without keeping the old key?"
        ) from exc
