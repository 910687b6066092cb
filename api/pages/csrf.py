"""CSRF protection for everything a browser sends with its cookies.

A signed double-submit token (OWASP): the browser holds a random nonce in an httpOnly
cookie; pages embed `HMAC(server secret, nonce, sign-in)` in their forms and in a
`<meta name="csrf-token">` that scripts send back as `X-CSRF-Token`. A request is accepted
when the token it carries matches the nonce cookie it carries. Another site can make the
browser send the cookie but can neither read the page's token nor compute one: the key is
the server's. Binding the token to the sign-in (the auth session id) means a nonce planted
by an attacker from their own visit is useless once the victim is signed in.

Checked on every form post of the pages and on every cookie-authenticated API request
whose method is not safe; Bearer-token callers need none (a header another site cannot
set).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from api.pages.cookies import request_session, session_id_of, set_private_cookie
from core.errors import Forbidden
from core.settings import Settings

CSRF_COOKIE = "chidi_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_NONCE_MAX_AGE_SECONDS = 30 * 86_400


class CsrfRefused(Forbidden):
    """403: a cookie-authenticated change without a valid CSRF token."""

    code = "csrf_failed"


def new_nonce() -> str:
    """A fresh browser nonce (256 bits)."""
    return secrets.token_urlsafe(32)


def _key(secret: str) -> bytes:
    # A key of its own, so a CSRF token can never be mistaken for anything the JWT secret signs.
    return hashlib.sha256(b"chidi-csrf-key\x00" + secret.encode()).digest()


def csrf_token(secret: str, nonce: str, binding: str) -> str:
    """The token pages embed for a browser's `nonce` and sign-in `binding`."""
    mac = hmac.new(_key(secret), f"{nonce}\x00{binding}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")


def token_valid(secret: str, nonce: str | None, binding: str, presented: str | None) -> bool:
    """Whether `presented` is the token for this nonce and binding (constant time)."""
    if not nonce or not presented:
        return False
    return hmac.compare_digest(csrf_token(secret, nonce, binding), presented)


def sign_in_binding(request: Request) -> str:
    """The auth session the browser's cookie belongs to ("" when signed out)."""
    tokens = request_session(request)
    return session_id_of(tokens.access_token if tokens else None)


def request_token(request: Request, settings: Settings, nonce: str) -> str:
    """The token to embed in a page for this browser."""
    return csrf_token(settings.jwt_secret.get_secret_value(), nonce, sign_in_binding(request))


def csrf_valid(request: Request, settings: Settings, presented: str | None) -> bool:
    """Whether `presented` matches the browser's nonce cookie and sign-in."""
    nonce = request.cookies.get(CSRF_COOKIE)
    secret = settings.jwt_secret.get_secret_value()
    return token_valid(secret, nonce, sign_in_binding(request), presented)


def require_csrf(request: Request, settings: Settings, presented: str | None) -> None:
    """Refuse the request (403 `csrf_failed`) unless `presented` is valid."""
    if not csrf_valid(request, settings, presented):
        raise CsrfRefused(
            "This request is missing its security token. Reload the page and try again."
        )


def set_nonce_cookie(response: Response, settings: Settings, nonce: str) -> None:
    """Give the browser its nonce (httpOnly: scripts use the page's token instead)."""
    set_private_cookie(response, settings, CSRF_COOKIE, nonce, max_age=_NONCE_MAX_AGE_SECONDS)
