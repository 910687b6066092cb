"""A local OpenID Connect provider speaking Google's wire format, for sign-in tests.

A real HTTP server (Starlette under uvicorn, in a thread, on a loopback port) with
discovery, an /authorize endpoint that "consents" at once and redirects back with a code,
a /token endpoint that checks client credentials, redirect URI and PKCE and returns an
RS256-signed ID token, and the JWKS to verify it. The account that signs in, and any
deliberately wrong ID-token claims, are set per test on the running provider.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.support.live_server import free_port, serve_in_thread

CLIENT_ID = "chidi-test-client.apps.example.com"
CLIENT_SECRET = "fake-google-client-secret"
KEY_ID = "fake-google-key-1"
EC_KEY_ID = "fake-ec-key-1"


@dataclass
class Account:
    """The person who signs in at the provider."""

    sub: str = field(default_factory=lambda: str(secrets.randbelow(10**20)))
    email: str = "ada@example.com"
    email_verified: bool = True
    name: str = "Ada Lovelace"
    picture: str = "https://example.com/ada.png"


@dataclass
class _Grant:
    account: Account
    redirect_uri: str
    nonce: str
    code_challenge: str


@dataclass
class FakeOidcProvider:
    """The running provider: its URL, and knobs the tests turn."""

    url: str
    signing_key: rsa.RSAPrivateKey
    # Also published, so the provider doubles as a Supabase-style JWKS with an ES256 key.
    ec_signing_key: ec.EllipticCurvePrivateKey
    account: Account = field(default_factory=Account)
    # Claims to overwrite in the next ID tokens (to test that bad tokens are refused).
    id_token_overrides: dict[str, Any] = field(default_factory=dict)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    grants: dict[str, _Grant] = field(default_factory=dict)

    @property
    def discovery_url(self) -> str:
        """Where its OpenID configuration is published."""
        return f"{self.url}/.well-known/openid-configuration"

    def id_token(self, grant: _Grant) -> str:
        """An RS256 ID token for `grant`, as Google would issue it."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url,
            "aud": CLIENT_ID,
            "azp": CLIENT_ID,
            "sub": grant.account.sub,
            "email": grant.account.email,
            "email_verified": grant.account.email_verified,
            "name": grant.account.name,
            "picture": grant.account.picture,
            "nonce": grant.nonce,
            "iat": now,
            "exp": now + 3600,
        }
        claims.update(self.id_token_overrides)
        return jwt.encode(claims, self.signing_key, algorithm="RS256", headers={"kid": KEY_ID})


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def _app(provider: FakeOidcProvider) -> Starlette:
    async def configuration(_: Request) -> JSONResponse:
        return JSONResponse(
            {
                "issuer": provider.url,
                "authorization_endpoint": f"{provider.url}/authorize",
                "token_endpoint": f"{provider.url}/token",
                "jwks_uri": f"{provider.url}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
                "code_challenge_methods_supported": ["plain", "S256"],
            }
        )

    async def authorize(request: Request) -> Response:
        params = dict(request.query_params)
        provider.authorize_requests.append(params)
        if params.get("client_id") != CLIENT_ID or params.get("response_type") != "code":
            return _error("invalid_request", "unknown client or response type")
        code = secrets.token_urlsafe(24)
        provider.grants[code] = _Grant(
            account=provider.account,
            redirect_uri=params.get("redirect_uri", ""),
            nonce=params.get("nonce", ""),
            code_challenge=params.get("code_challenge", ""),
        )
        query = urlencode({"code": code, "state": params.get("state", "")})
        return RedirectResponse(f"{params['redirect_uri']}?{query}", status_code=302)

    async def token(request: Request) -> Response:
        form = dict(await request.form())
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return _error("invalid_client", "bad client credentials", 401)
        grant = provider.grants.pop(str(form.get("code", "")), None)
        if grant is None or form.get("grant_type") != "authorization_code":
            return _error("invalid_grant", "unknown or used code")
        if form.get("redirect_uri") != grant.redirect_uri:
            return _error("invalid_grant", "redirect_uri mismatch")
        if _s256(str(form.get("code_verifier", ""))) != grant.code_challenge:
            return _error("invalid_grant", "PKCE verification failed")
        return JSONResponse(
            {
                "access_token": "ya29." + secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 3599,
                "scope": "openid email profile",
                "id_token": provider.id_token(grant),
            }
        )

    async def jwks(_: Request) -> JSONResponse:
        rsa_public = jwt.algorithms.RSAAlgorithm.to_jwk(
            provider.signing_key.public_key(), as_dict=True
        )
        ec_public = jwt.algorithms.ECAlgorithm.to_jwk(
            provider.ec_signing_key.public_key(), as_dict=True
        )
        return JSONResponse(
            {
                "keys": [
                    {**rsa_public, "kid": KEY_ID, "use": "sig", "alg": "RS256"},
                    {**ec_public, "kid": EC_KEY_ID, "use": "sig", "alg": "ES256"},
                ]
            }
        )

    return Starlette(
        routes=[
            Route("/.well-known/openid-configuration", configuration),
            Route("/authorize", authorize),
            Route("/token", token, methods=["POST"]),
            Route("/jwks", jwks),
        ]
    )


@contextmanager
def running_oidc_provider() -> Iterator[FakeOidcProvider]:
    """Start the provider on a free loopback port for the duration of the block."""
    port = free_port()
    provider = FakeOidcProvider(
        url=f"http://127.0.0.1:{port}",
        signing_key=rsa.generate_private_key(65537, 2048),
        ec_signing_key=ec.generate_private_key(ec.SECP256R1()),
    )
    server = serve_in_thread(
        _app(provider), port=port, ready_path="/.well-known/openid-configuration"
    )
    try:
        yield provider
    finally:
        server.stop()
