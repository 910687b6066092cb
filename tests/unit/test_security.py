"""core.security: passwords, access tokens, opaque tokens, PKCE and redirect rules."""

from __future__ import annotations

import hashlib
import time
import uuid

import jwt
import pytest
from argon2 import PasswordHasher

from core.security import (
    TokenExpired,
    TokenInvalid,
    TokenSubject,
    code_challenge_problem,
    code_verifier_matches,
    decode_access_token,
    email_token_hash,
    hash_password,
    hash_token,
    is_redirect_allowed,
    issue_access_token,
    new_opaque_token,
    new_otp,
    password_needs_rehash,
    password_weakness,
    token_header,
    verify_password,
)

SECRET = "unit-test-secret-that-is-at-least-32-chars"
ISSUER = "http://127.0.0.1:8000/auth/v1"


def _subject(**changes: object) -> TokenSubject:
    values: dict[str, object] = {
        "user_id": uuid.uuid4(),
        "email": "ada@example.com",
        "session_id": uuid.uuid4(),
        "auth_method": "password",
        "authenticated_at": 1_700_000_000,
        "app_metadata": {"provider": "email", "providers": ["email"]},
        "user_metadata": {"plan": "pro"},
    }
    values.update(changes)
    return TokenSubject(**values)  # type: ignore[arg-type]


def _decode(token: str, *, issuer: str | None = ISSUER, key: str = SECRET) -> dict[str, object]:
    return decode_access_token(token, key=key, algorithm="HS256", issuer=issuer)


def test_password_hash_is_argon2id_salted_and_verifies() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first.startswith("$argon2id$")
    assert first != second
    assert verify_password("correct horse", first)
    assert not verify_password("Correct horse", first)
    assert not verify_password("correct horse", None)
    assert not verify_password("correct horse", "not-a-hash")
    assert not password_needs_rehash(first)


def test_hashes_with_other_parameters_are_upgraded() -> None:
    stronger_default = PasswordHasher().hash("correct horse")  # argon2-cffi's 64 MiB profile
    assert verify_password("correct horse", stronger_default)
    assert password_needs_rehash(stronger_default)


def test_password_strength_rule() -> None:
    assert password_weakness("12345678", 8) is None
    weakness = password_weakness("1234567", 8)
    assert weakness is not None
    assert weakness.reasons == ("length",)
    assert weakness.message == "Password should be at least 8 characters."


def test_access_token_carries_supabase_claims() -> None:
    subject = _subject()
    token, expires_at = issue_access_token(
        subject, secret=SECRET, issuer=ISSUER, ttl_seconds=3600, now=int(time.time())
    )
    claims = _decode(token)
    assert claims["sub"] == str(subject.user_id)
    assert claims["session_id"] == str(subject.session_id)
    assert claims["aud"] == claims["role"] == "authenticated"
    assert claims["iss"] == ISSUER
    assert claims["exp"] == expires_at
    assert claims["aal"] == "aal1"
    assert claims["amr"] == [{"method": "password", "timestamp": 1_700_000_000}]
    assert claims["is_anonymous"] is False
    assert claims["user_metadata"] == {"plan": "pro"}
    assert token_header(token)["alg"] == "HS256"


def test_expired_token_is_refused_as_expired() -> None:
    token, _ = issue_access_token(
        _subject(), secret=SECRET, issuer=ISSUER, ttl_seconds=60, now=int(time.time()) - 120
    )
    with pytest.raises(TokenExpired):
        _decode(token)


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"aud": "anon"}, "audience"),
        ({"iss": "https://evil.example/auth/v1"}, "another auth server"),
        ({"sub": "not-a-uuid"}, "subject"),
        ({"exp": None}, "'exp'"),
        ({"aud": None}, "'aud'"),
    ],
)
def test_tokens_with_wrong_claims_are_refused(claims: dict[str, object], message: str) -> None:
    payload: dict[str, object] = {
        "sub": str(uuid.uuid4()),
        "aud": "authenticated",
        "iss": ISSUER,
        "exp": int(time.time()) + 60,
    }
    payload.update(claims)
    token = jwt.encode(
        {k: v for k, v in payload.items() if v is not None}, SECRET, algorithm="HS256"
    )
    with pytest.raises(TokenInvalid, match=message):
        _decode(token)


def test_signature_and_algorithm_are_enforced() -> None:
    token, _ = issue_access_token(
        _subject(), secret=SECRET, issuer=ISSUER, ttl_seconds=60, now=int(time.time())
    )
    with pytest.raises(TokenInvalid, match="signature"):
        _decode(token, key="another-secret-of-sufficient-length-123")
    unsigned = jwt.encode(
        {"sub": str(uuid.uuid4()), "aud": "authenticated", "exp": int(time.time()) + 60},
        "",
        algorithm="none",
    )
    with pytest.raises(TokenInvalid):
        _decode(unsigned)
    with pytest.raises(TokenInvalid, match="well-formed"):
        token_header("garbage")


def test_issuer_is_optional_for_the_caller() -> None:
    token, _ = issue_access_token(
        _subject(),
        secret=SECRET,
        issuer="https://x.supabase.co",
        ttl_seconds=60,
        now=int(time.time()),
    )
    assert _decode(token, issuer=None)["iss"] == "https://x.supabase.co"


def test_opaque_tokens_and_their_hashes() -> None:
    token = new_opaque_token()
    assert len(token) >= 43
    assert token != new_opaque_token()
    assert hash_token(token) == hashlib.sha256(token.encode()).hexdigest()
    assert len(hash_token(token)) == 64
    otp = new_otp()
    assert len(otp) == 6
    assert otp.isdigit()


def test_email_token_hash_is_gotrues() -> None:
    # GoTrue: fmt.Sprintf("%x", sha256.Sum224([]byte(email + otp)))
    expected = hashlib.sha224(b"ada@example.com123456").hexdigest()
    assert email_token_hash("ada@example.com", "123456") == expected
    assert len(expected) == 56


def test_pkce_s256_and_plain() -> None:
    # RFC 7636, appendix B.
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    assert code_verifier_matches(verifier, challenge, "s256")
    assert code_verifier_matches(verifier, challenge, "S256")
    assert not code_verifier_matches(verifier + "x", challenge, "s256")
    assert code_verifier_matches(verifier, verifier, "plain")
    assert not code_verifier_matches(verifier, challenge, "plain")


@pytest.mark.parametrize(
    ("challenge", "method", "problem"),
    [
        ("", "", None),
        ("a" * 43, "s256", None),
        ("a" * 43, "", "requires code_challenge_method"),
        ("", "s256", "requires code_challenge_method"),
        ("a" * 42, "s256", "between 43 and 128"),
        ("a" * 129, "plain", "between 43 and 128"),
        ("a" * 42 + "!", "s256", "alphanumeric"),
        ("a" * 43, "md5", "s256 or plain"),
    ],
)
def test_code_challenge_rules(challenge: str, method: str, problem: str | None) -> None:
    found = code_challenge_problem(challenge, method)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://app.example.com/welcome", True),
        ("https://app.example.com:8443/welcome", False),
        ("http://app.example.com/welcome", False),
        ("https://evil.example/welcome", False),
        ("https://app.example.com.evil.example/", False),
        ("http://127.0.0.1:3000/callback", True),
        ("http://localhost:5173/", False),  # GoTrue: loopback IPs only, unless it is the site
        ("http://10.0.0.5/", False),
        ("myapp://auth/callback", True),
        ("https://preview-42.example.dev/done", True),
        ("https://example.dev/done", False),
        ("javascript:alert(1)", False),
        ("", False),
        ("http://[::1", False),
    ],
)
def test_redirect_rules(url: str, allowed: bool) -> None:
    assert (
        is_redirect_allowed(
            url,
            site_url="https://app.example.com",
            allow_list=["myapp://auth/*", "https://*.example.dev/**"],
        )
        is allowed
    )


def test_local_site_allows_any_loopback_port() -> None:
    assert is_redirect_allowed(
        "http://localhost:5173/cb", site_url="http://localhost:8000", allow_list=[]
    )
    assert not is_redirect_allowed(
        "https://localhost:5173/cb", site_url="http://localhost:8000", allow_list=[]
    )
