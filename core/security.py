"""Security primitives for auth: password hashes, access-token JWTs, opaque tokens, PKCE.

Pure functions (no I/O, no settings lookups): callers pass secrets, clocks and limits, so
every rule here is unit-tested on its own. The embedded GoTrue-compatible service and the
API's bearer check both build on them.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import hmac
import ipaddress
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# GoTrue refuses passwords over 72 bytes (bcrypt's limit); keeping its rule means a frontend
# behaves the same against Supabase and against the embedded service.
MAX_PASSWORD_LENGTH = 72
AUTHENTICATED = "authenticated"
PKCE_PREFIX = "pkce_"
_CODE_CHALLENGE_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"
)

# Argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): ~28 ms here. The
# library default (64 MiB, 3 passes, 4 lanes) took ~330 ms and 64 MiB per sign-in on a
# 2-core machine, too much for concurrent sign-ins on a small server. Raising these later is
# safe: `password_needs_rehash` upgrades each stored hash at its next sign-in.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the email is unknown, so a miss costs as much as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


# --- passwords ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WeakPassword:
    """Why a password is refused: GoTrue's `reasons` codes and a sentence for a person."""

    reasons: tuple[str, ...]
    message: str


def password_weakness(password: str, min_length: int) -> WeakPassword | None:
    """The strength rule (GoTrue's): at least `min_length` characters; None when it passes."""
    if len(password) < min_length:
        return WeakPassword(("length",), f"Password should be at least {min_length} characters.")
    return None


def hash_password(password: str) -> str:
    """An Argon2id hash (salt and parameters encoded in the string)."""
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether `password` matches; a missing hash still costs one verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's (upgrade on sign-in)."""
    return _hasher.check_needs_rehash(password_hash)


# --- opaque tokens ------------------------------------------------------------------------


def new_opaque_token() -> str:
    """A random URL-safe token with 256 bits of entropy (refresh tokens, auth codes)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """SHA-256 hex of a token: what the database keeps, so a leaked row cannot be replayed."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_otp(digits: int = 6) -> str:
    """A numeric one-time code, as GoTrue puts in its emails."""
    return "".join(str(secrets.randbelow(10)) for _ in range(digits))


def email_token_hash(email: str, otp: str) -> str:
    """GoTrue's `token_hash` for an emailed code: SHA-224 hex of email + code.

    The link in an email carries this value, and `verify` with email + code recomputes it,
    so both ways of confirming reach the same stored token.
    """
    return hashlib.sha224((email + otp).encode()).hexdigest()


# --- PKCE (RFC 7636) ----------------------------------------------------------------------


def code_challenge_problem(challenge: str, method: str) -> str | None:
    """Why a client's PKCE parameters are unusable (GoTrue's messages); None when fine."""
    if bool(challenge) != bool(method):
        return "PKCE flow requires code_challenge_method and code_challenge"
    if not challenge:
        return None
    if method.lower() not in ("s256", "plain"):
        return "Code challenge method must be either s256 or plain"
    if not 43 <= len(challenge) <= 128:
        return "code challenge has to be between 43 and 128 characters"
    if not set(challenge) <= _CODE_CHALLENGE_CHARS:
        return (
            "code challenge can only contain alphanumeric characters, hyphens, periods, "
            "underscores and tildes"
        )
    return None


def code_verifier_matches(verifier: str, challenge: str, method: str) -> bool:
    """Whether `verifier` is the secret behind `challenge` (compared in constant time)."""
    if method.lower() == "plain":
        expected = verifier
    else:
        digest = hashlib.sha256(verifier.encode()).digest()
        expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return hmac.compare_digest(expected.encode(), challenge.encode())


# --- access tokens (JWT) ------------------------------------------------------------------


@dataclass(frozen=True)
class TokenSubject:
    """Who an access token is for and which sign-in (session) it belongs to."""

    user_id: uuid.UUID
    email: str
    session_id: uuid.UUID
    auth_method: str  # "password", "otp", "oauth", "recovery", ...
    authenticated_at: int  # when the session signed in (unix seconds)
    app_metadata: dict[str, Any] = field(default_factory=dict)
    user_metadata: dict[str, Any] = field(default_factory=dict)


def issue_access_token(
    subject: TokenSubject, *, secret: str, issuer: str, ttl_seconds: int, now: int
) -> tuple[str, int]:
    """An HS256 JWT with Supabase's claims; returns it and its expiry (unix seconds)."""
    expires_at = now + ttl_seconds
    claims = {
        "iss": issuer,
        "sub": str(subject.user_id),
        "aud": AUTHENTICATED,
        "exp": expires_at,
        "iat": now,
        "email": subject.email,
        "phone": "",
        "app_metadata": subject.app_metadata,
        "user_metadata": subject.user_metadata,
        "role": AUTHENTICATED,
        "aal": "aal1",
        "amr": [{"method": subject.auth_method, "timestamp": subject.authenticated_at}],
        "session_id": str(subject.session_id),
        "is_anonymous": False,
    }
    return jwt.encode(claims, secret, algorithm="HS256"), expires_at


class TokenError(Exception):
    """An access token was refused; the message says why, for a person."""


class TokenExpired(TokenError):
    """The token was valid once, but its `exp` has passed."""


class TokenInvalid(TokenError):
    """The token is malformed, wrongly signed, or carries the wrong claims."""


# Symmetric for the embedded service and Supabase's legacy secret; asymmetric for JWKS keys.
SYMMETRIC_ALGORITHMS = frozenset({"HS256"})
ASYMMETRIC_ALGORITHMS = frozenset({"RS256", "ES256"})


def token_header(token: str) -> dict[str, Any]:
    """The unverified JOSE header, to choose the key; refuses what is not a JWT at all."""
    try:
        return jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise TokenInvalid("The access token is not a well-formed JWT.") from exc


def decode_access_token(
    token: str, *, key: Any, algorithm: str, issuer: str | None
) -> dict[str, Any]:
    """The verified claims of an access token, or `TokenError` saying what is wrong.

    Signature (with the one `algorithm` the caller chose for `key`), `exp`, audience
    "authenticated", a UUID `sub`, and `iss` when `issuer` is given are all required.
    """
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=AUTHENTICATED,
            issuer=issuer,
            options={"require": ["exp", "sub", "aud"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenExpired("The access token has expired; refresh the session.") from exc
    except jwt.InvalidAudienceError as exc:
        raise TokenInvalid("The access token is not meant for this API (audience).") from exc
    except jwt.InvalidIssuerError as exc:
        raise TokenInvalid("The access token was issued by another auth server.") from exc
    except jwt.InvalidSignatureError as exc:
        raise TokenInvalid("The access token signature is invalid.") from exc
    except jwt.MissingRequiredClaimError as exc:
        raise TokenInvalid(f"The access token has no '{exc.claim}' claim.") from exc
    except jwt.PyJWTError as exc:
        raise TokenInvalid("The access token could not be verified.") from exc
    try:
        uuid.UUID(str(claims["sub"]))
    except ValueError as exc:
        raise TokenInvalid("The access token's subject is not a user id.") from exc
    return claims


# --- redirects ----------------------------------------------------------------------------


def is_redirect_allowed(redirect_url: str, *, site_url: str, allow_list: list[str]) -> bool:
    """Whether auth may send a browser to `redirect_url` (GoTrue's rule, no open redirects).

    Allowed: the site itself (same scheme, host and port; any port on loopback, as RFC 8252
    asks for native apps), any loopback IP, or a URL matching an allow-list glob.
    """
    if not redirect_url:
        return False
    try:
        site, target = urlsplit(site_url), urlsplit(redirect_url)
        target_port, site_port = target.port, site.port
    except ValueError:
        return False
    host = target.hostname or ""
    if (
        host == site.hostname
        and target.scheme == site.scheme
        and (target_port == site_port or _is_loopback(host))
    ):
        return True
    if _is_ip(host):
        return _is_loopback(host)
    without_fragment = redirect_url.split("#", 1)[0]
    return any(fnmatch.fnmatchcase(without_fragment, pattern) for pattern in allow_list)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    return _is_ip(host) and ipaddress.ip_address(host).is_loopback
