"""X-Hub-Signature-256: HMAC-SHA256 of the raw body with the app secret."""

from __future__ import annotations

import hashlib
import hmac

from channels.signature import SignatureCheck, check, sign

BODY = b'{"object":"instagram","entry":[]}'


def test_sign_is_sha256_hmac_of_the_raw_body() -> None:
    expected = hmac.new(b"app-secret", BODY, hashlib.sha256).hexdigest()
    assert sign(BODY, "app-secret") == f"sha256={expected}"


def test_check_accepts_only_the_exact_signature() -> None:
    good = sign(BODY, "app-secret")
    assert check(BODY, good, "app-secret") is SignatureCheck.VALID
    assert check(BODY, None, "app-secret") is SignatureCheck.MISSING
    assert check(BODY, "", "app-secret") is SignatureCheck.MISSING
    assert check(BODY, good, "other-secret") is SignatureCheck.INVALID
    assert check(BODY + b" ", good, "app-secret") is SignatureCheck.INVALID
    assert check(BODY, good.replace("sha256=", "sha1="), "app-secret") is SignatureCheck.INVALID
    assert check(BODY, good.upper(), "app-secret") is SignatureCheck.INVALID
