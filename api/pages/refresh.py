"""Transparent refresh of the browser session, before any route sees the request.

When the access token in the session cookie has expired (or is about to), the middleware
trades the refresh token for new tokens, rewrites the request's cookie so the route
authenticates with the new access token, and sends the new cookie back with the response.
A refresh the auth service refuses signs the browser out (the cookie is cleared).

Refresh tokens rotate and a reused one ends the whole session, while a page fires several
requests at once (the page, then its scripts' fetches). So a refresh is single-flight:
the first request takes a short Redis lock and refreshes; the others wait for its result,
which stays shared (encrypted) for `SHARE_SECONDS` under a hash of the old refresh token.
This is what GoTrue's "refresh token reuse interval" does on Supabase's side.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.pages.cookies import (
    SESSION_COOKIE,
    SessionTokens,
    decode_session,
    encode_session,
    needs_refresh,
    session_cookie_headers,
)
from api.pages.gotrue import AuthGateway, AuthRefused, AuthUnavailable, IssuedTokens
from core.crypto import SecretUnreadable, decrypt_secret, encrypt_secret
from core.settings import Settings

log = logging.getLogger("chidi.web")
SHARE_SECONDS = 30
_LOCK_MS = 10_000
_WAIT_STEP_SECONDS = 0.05
_WAIT_STEPS = 200  # 10 s, the lock's lifetime

Refresher = Callable[[str], Awaitable[IssuedTokens]]


def _key(refresh_token: str) -> str:
    return "web:refresh:" + hashlib.sha256(refresh_token.encode()).hexdigest()


def _seal(tokens: IssuedTokens, keys: str) -> str:
    raw = json.dumps({"a": tokens.access_token, "r": tokens.refresh_token})
    return encrypt_secret(raw, keys)


def _open(sealed: bytes | str, keys: str) -> IssuedTokens | None:
    text = sealed.decode() if isinstance(sealed, bytes) else sealed
    try:
        data = json.loads(decrypt_secret(text, keys))
    except (SecretUnreadable, ValueError):
        return None
    return IssuedTokens(access_token=data["a"], refresh_token=data["r"])


async def _wait_for_result(redis: Redis, key: str, keys: str) -> IssuedTokens | None:
    for _ in range(_WAIT_STEPS):
        await asyncio.sleep(_WAIT_STEP_SECONDS)
        sealed = await redis.get(key)
        if sealed is not None:
            return _open(sealed, keys)
        if not await redis.exists(key + ":lock"):
            return None  # the refresh that held the lock failed
    return None


async def refresh_once(
    redis: Redis, refresh: Refresher, refresh_token: str, encryption_keys: str
) -> IssuedTokens:
    """New tokens for `refresh_token`, refreshed at most once however many ask at once.

    Raises `AuthRefused` when the auth service refuses the token (or when the concurrent
    refresh this call waited for failed), `AuthUnavailable` when it cannot be reached.
    Without Redis the refresh simply runs (and concurrent ones may end the session).
    """
    key = _key(refresh_token)
    try:
        sealed = await redis.get(key)
        if sealed is not None and (shared := _open(sealed, encryption_keys)) is not None:
            return shared
        if not await redis.set(key + ":lock", "1", nx=True, px=_LOCK_MS):
            if (shared := await _wait_for_result(redis, key, encryption_keys)) is not None:
                return shared
            raise AuthRefused(400, "refresh_failed", "The session could not be refreshed.")
    except RedisError:
        log.warning("redis unavailable: refreshing without single-flight")
        return await refresh(refresh_token)
    try:
        tokens = await refresh(refresh_token)
        await redis.set(key, _seal(tokens, encryption_keys), ex=SHARE_SECONDS)
        return tokens
    finally:
        try:
            await redis.delete(key + ":lock")
        except RedisError:
            log.warning("redis unavailable: refresh lock left to expire")


def _cookie_header(scope: Scope) -> str:
    return b"; ".join(v for k, v in scope["headers"] if k == b"cookie").decode("latin-1")


def _with_session_cookie(scope: Scope, tokens: SessionTokens | None) -> None:
    """Rewrite the request's cookies: the session cookie replaced, or dropped when None."""
    jar = cookie_parser(_cookie_header(scope))
    pairs = [f"{name}={value}" for name, value in jar.items() if name != SESSION_COOKIE]
    if tokens is not None:
        pairs.append(f"{SESSION_COOKIE}={encode_session(tokens)}")
    headers = [(k, v) for k, v in scope["headers"] if k != b"cookie"]
    if pairs:
        headers.append((b"cookie", "; ".join(pairs).encode("latin-1")))
    scope["headers"] = headers


def _session_in(scope: Scope) -> SessionTokens | None:
    return decode_session(cookie_parser(_cookie_header(scope)).get(SESSION_COOKIE))


class SessionRefreshMiddleware:
    """Refresh an expiring session cookie before routing (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tokens = _session_in(scope)
        if tokens is None or not needs_refresh(tokens.access_token, time.time()):
            await self.app(scope, receive, send)
            return
        try:
            renewed: SessionTokens | None = await self._refresh(scope, tokens)
        except AuthUnavailable:
            # Leave the cookie alone: the request fails as signed out, a later one retries.
            await self.app(scope, receive, send)
            return
        except AuthRefused as refused:
            log.info("session refresh refused", extra={"error_code": refused.code})
            renewed = None
        _with_session_cookie(scope, renewed)
        settings: Settings = scope["app"].state.chidi.settings
        set_cookie = session_cookie_headers(settings, renewed)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *set_cookie]
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    async def _refresh(self, scope: Scope, tokens: SessionTokens) -> SessionTokens:
        app = scope["app"]
        state = app.state.chidi
        client = scope.get("client")
        gateway = AuthGateway(state.settings, app, client[0] if client else "unknown")
        issued = await refresh_once(
            state.redis,
            gateway.refresh,
            tokens.refresh_token,
            state.settings.encryption_key.get_secret_value(),
        )
        return SessionTokens(access_token=issued.access_token, refresh_token=issued.refresh_token)
