"""The auth service as the pages call it: Supabase Auth's (GoTrue's) REST API.

Embedded mode sends the requests to the app's own `/auth/v1` routes through httpx's ASGI
transport: in-process, no socket, yet through exactly the handlers every other client
uses (rate limits per client IP, GoTrue's errors, the same transactions). Supabase mode
sends them to the project over HTTPS. Either way the pages hold no second implementation
of sign-up, sign-in or token rotation; they only keep the tokens in a cookie.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.types import ASGIApp

from core.settings import Settings

log = logging.getLogger("chidi.web")
_API_VERSION = {"X-Supabase-Api-Version": "2024-01-01"}
_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class IssuedTokens:
    """A session as the auth service hands it out."""

    access_token: str
    refresh_token: str


class AuthRefused(Exception):
    """The auth service said no: GoTrue's status, error code, message (and weak reasons)."""

    def __init__(self, status: int, code: str, message: str, reasons: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.reasons = reasons


class AuthUnavailable(Exception):
    """The auth service could not be reached or failed on its side."""


def _refusal(response: httpx.Response) -> AuthRefused:
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    # 2024-01-01 shape first, then the legacy and OAuth-style ones (older Supabase projects).
    code = body.get("code") if isinstance(body.get("code"), str) else None
    code = code or body.get("error_code") or body.get("error") or "unknown"
    message = body.get("message") or body.get("msg") or body.get("error_description") or ""
    weak = body.get("weak_password")
    reasons = tuple(weak.get("reasons") or ()) if isinstance(weak, dict) else ()
    return AuthRefused(response.status_code, str(code), str(message), reasons)


def _tokens(body: dict[str, Any]) -> IssuedTokens:
    return IssuedTokens(access_token=body["access_token"], refresh_token=body["refresh_token"])


class AuthGateway:
    """One browser's calls to the auth service (`client_ip` is the browser's address)."""

    def __init__(self, settings: Settings, app: ASGIApp, client_ip: str) -> None:
        self._settings = settings
        self._app = app
        self._client_ip = client_ip

    def _client(self) -> httpx.AsyncClient:
        headers = dict(_API_VERSION)
        if self._settings.supabase_mode:
            anon = self._settings.supabase_anon_key
            if anon is not None:
                headers["apikey"] = anon.get_secret_value()
            return httpx.AsyncClient(
                base_url=self._settings.auth_url, headers=headers, timeout=_TIMEOUT_SECONDS
            )
        transport = httpx.ASGITransport(
            app=self._app, raise_app_exceptions=False, client=(self._client_ip, 0)
        )
        return httpx.AsyncClient(
            base_url=self._settings.auth_url,
            transport=transport,
            headers=headers,
            timeout=_TIMEOUT_SECONDS,
        )

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        access_token: str | None = None,
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {access_token}"} if access_token else {}
        try:
            async with self._client() as client:
                response = await client.request(
                    method, path, params=params, json=body, headers=headers
                )
        except httpx.HTTPError as exc:
            log.warning("auth service unreachable", extra={"error": type(exc).__name__})
            raise AuthUnavailable(str(exc)) from exc
        if response.status_code >= 500:
            log.warning("auth service failed", extra={"status": response.status_code})
            raise AuthUnavailable(f"auth service answered {response.status_code}")
        if response.status_code >= 400:
            raise _refusal(response)
        if not response.content:
            return {}
        data = response.json()
        return data if isinstance(data, dict) else {}

    async def sign_up(self, email: str, password: str, redirect_to: str) -> IssuedTokens | None:
        """Register; the tokens, or None when a confirmation email was sent instead."""
        body = await self._call(
            "POST",
            "/signup",
            params={"redirect_to": redirect_to},
            body={"email": email, "password": password},
        )
        return _tokens(body) if body.get("access_token") else None

    async def sign_in(self, email: str, password: str) -> IssuedTokens:
        """Sign in with email and password."""
        body = await self._call(
            "POST",
            "/token",
            params={"grant_type": "password"},
            body={"email": email, "password": password},
        )
        return _tokens(body)

    async def refresh(self, refresh_token: str) -> IssuedTokens:
        """Trade the refresh token for new tokens (the old one stops working)."""
        body = await self._call(
            "POST",
            "/token",
            params={"grant_type": "refresh_token"},
            body={"refresh_token": refresh_token},
        )
        return _tokens(body)

    async def exchange_code(self, auth_code: str, code_verifier: str) -> IssuedTokens:
        """Finish a PKCE flow (Google sign-in) with the code and our verifier."""
        body = await self._call(
            "POST",
            "/token",
            params={"grant_type": "pkce"},
            body={"auth_code": auth_code, "code_verifier": code_verifier},
        )
        return _tokens(body)

    async def recover(self, email: str, redirect_to: str) -> None:
        """Email a password-reset link that lands on `redirect_to`."""
        await self._call(
            "POST", "/recover", params={"redirect_to": redirect_to}, body={"email": email}
        )

    async def update_password(self, access_token: str, password: str) -> None:
        """Set a new password for the signed-in user."""
        await self._call("PUT", "/user", body={"password": password}, access_token=access_token)

    async def sign_out(self, access_token: str) -> None:
        """End this browser's sign-in (its refresh token stops working)."""
        try:
            await self._call(
                "POST", "/logout", params={"scope": "local"}, access_token=access_token
            )
        except AuthRefused as refused:
            # Already ended (expired token, session gone): signed out is what we wanted.
            log.info("logout refused", extra={"error_code": refused.code})
