"""Meta's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, body)>`.

The HMAC is over the raw request bytes exactly as received (re-serialised JSON would not
match), and the comparison is constant-time so the signature cannot be guessed byte by byte.
"""

from __future__ import annotations

import hashlib
import hmac
from enum import StrEnum

HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


class SignatureCheck(StrEnum):
    """The outcome of checking a delivery's signature."""

    VALID = "valid"
    MISSING = "missing"
    INVALID = "invalid"


def sign(body: bytes, app_secret: str) -> str:
    """The header value Meta sends with `body` for an app with `app_secret`."""
    return _PREFIX + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def check(body: bytes, header: str | None, app_secret: str) -> SignatureCheck:
    """Whether `header` is the signature of `body` under `app_secret`."""
    if not header:
        return SignatureCheck.MISSING
    if not header.startswith(_PREFIX):
        return SignatureCheck.INVALID
    expected = sign(body, app_secret)
    return (
        SignatureCheck.VALID
        if hmac.compare_digest(expected.encode(), header.encode())
        else SignatureCheck.INVALID
    )
