"""The browser session: one httpOnly cookie holding the auth service's tokens.

The cookie carries the access token (a JWT the API verifies on every request) and the
refresh token (traded for new tokens when the access token runs out). It is httpOnly (no
script can read it), SameSite=Lax (not sent on cross-site posts or sub-requests) and
Secure outside development and test. The value is base64url JSON so that neither token's
characters can break the cookie syntax.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

import jwt
from starlette.requests import Request
from starlette.responses import Response

from core.settings import Settings

SESSION_COOKIE = "chidi_session"
# Refresh a little early, so a token never expires between this check and its use.
REFRESH_MARGIN_SECONDS = 30


@dataclass(frozen=True)
class SessionTokens:
    """The two tokens of a signed-in browser."""

    access_token: str
    refresh_token: str


def encode_session(tokens: SessionTokens) -> str:
    """The cookie value for `tokens`."""
    raw = json.dumps({"a": tokens.access_token, "r": tokens.refresh_token}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode("ascii").rstrip("=")


def decode_session(value: str | None) -> SessionTokens | None:
    """The tokens in a cookie value, or None for a missing or mangled cookie."""
    if not value:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    access, refresh = data.get("a"), data.get("r")
    if not (isinstance(access, str) and access and isinstance(refresh, str) and refresh):
        return None
    return SessionTokens(access_token=access, refresh_token=refresh)


def request_session(request: Request) -> SessionTokens | None:
    """The tokens in the request's session cookie, if it has a usable one."""
    return decode_session(request.cookies.get(SESSION_COOKIE))


def unverified_claims(access_token: str) -> dict[str, Any]:
    """The token's claims without checking its signature, or {} if it is no JWT.

    Only for decisions that need no trust: whether to refresh before use, and which sign-in
    a CSRF token is bound to. Authentication always verifies the token properly.
    """
    try:
        claims = jwt.decode(access_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return {}
    return claims if isinstance(claims, dict) else {}


def needs_refresh(access_token: str, now: float) -> bool:
    """Whether the access token has expired, or will within `REFRESH_MARGIN_SECONDS`."""
    expires_at = unverified_claims(access_token).get("exp")
    if not isinstance(expires_at, int | float):
        return False  # not ours to repair: verification will refuse it
    return expires_at <= now + REFRESH_MARGIN_SECONDS


def session_id_of(access_token: str | None) -> str:
    """The sign-in (auth session) a token belongs to, "" when there is none."""
    if not access_token:
        return ""
    session_id = unverified_claims(access_token).get("session_id")
    return session_id if isinstance(session_id, str) else ""


def secure_cookies(settings: Settings) -> bool:
    """Cookies are Secure (HTTPS only) everywhere but on a developer's or CI's machine."""
    return settings.environment not in ("development", "test")


def set_private_cookie(
    response: Response,
    settings: Settings,
    name: str,
    value: str,
    *,
    max_age: int,
    path: str = "/",
) -> None:
    """A cookie only the server reads: httpOnly, SameSite=Lax, Secure outside dev/test."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(settings),
    )


def set_session_cookie(response: Response, settings: Settings, tokens: SessionTokens) -> None:
    """Sign the browser in: the cookie lives as long as the refresh token may."""
    set_private_cookie(
        response,
        settings,
        SESSION_COOKIE,
        encode_session(tokens),
        max_age=settings.refresh_token_ttl_days * 86_400,
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    """Sign the browser out."""
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure_cookies(settings)
    )


def session_cookie_headers(
    settings: Settings, tokens: SessionTokens | None
) -> list[tuple[bytes, bytes]]:
    """Raw `Set-Cookie` headers that store `tokens`, or clear the cookie when None.

    For middleware, which adds headers to a response it did not build.
    """
    scratch = Response()
    if tokens is None:
        clear_session_cookie(scratch, settings)
    else:
        set_session_cookie(scratch, settings, tokens)
    return [(k, v) for k, v in scratch.raw_headers if k == b"set-cookie"]
