"""`get_current_user` on GET /api/v1/users/me: which tokens get in, and the 401s.

Every refusal is a 401 in CHIDI's error shape with a `WWW-Authenticate: Bearer` challenge.
Supabase mode is exercised against a local JWKS (the fake OIDC provider publishes one RS256
and one ES256 key), as a Supabase project with asymmetric keys would publish them.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import jwt
import psycopg
import pytest

from core.settings import Settings
from tests.fakes.oidc_provider import EC_KEY_ID, KEY_ID, FakeOidcProvider, running_oidc_provider
from tests.integration.auth.conftest import access_token_for, unique_email
from tests.support.live_server import LiveServer


def _me(server: LiveServer, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return httpx.get(f"{server.url}/api/v1/users/me", headers=headers)


def _assert_refused(response: httpx.Response, code: str, message_part: str) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert message_part in body["error"]["message"]


def _claims(server: LiveServer, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "sub": str(uuid.uuid4()),
        "email": unique_email("claims"),
        "aud": "authenticated",
        "role": "authenticated",
        "iss": f"{server.url}/auth/v1",
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


def test_valid_token_creates_the_profile_once(
    live_server: LiveServer, settings: Settings, pg: psycopg.Connection
) -> None:
    user_id, email = uuid.uuid4(), unique_email("first")
    token = access_token_for(settings, live_server, user_id=user_id, email=email)

    async def call_concurrently() -> list[int]:
        async with httpx.AsyncClient() as client:
            responses = await asyncio.gather(
                *(
                    client.get(
                        f"{live_server.url}/api/v1/users/me",
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    for _ in range(8)
                )
            )
        return [response.status_code for response in responses]

    assert asyncio.run(call_concurrently()) == [200] * 8
    rows = pg.execute("SELECT id, email FROM users WHERE id = %s", (user_id,)).fetchall()
    assert rows == [(user_id, email)]
    assert _me(live_server, token).json()["email"] == email


def test_missing_token(live_server: LiveServer) -> None:
    response = _me(live_server, None)
    _assert_refused(response, "missing_token", "Authorization: Bearer")
    assert response.headers["www-authenticate"] == "Bearer"
    not_bearer = httpx.get(
        f"{live_server.url}/api/v1/users/me", headers={"Authorization": "Basic dXNlcjpwYXNz"}
    )
    _assert_refused(not_bearer, "missing_token", "Authorization: Bearer")


def test_expired_token(live_server: LiveServer, settings: Settings) -> None:
    token = access_token_for(settings, live_server, now=int(time.time()) - 7200, ttl=3600)
    response = _me(live_server, token)
    _assert_refused(response, "token_expired", "expired")
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_wrong_signature(live_server: LiveServer) -> None:
    token = jwt.encode(
        _claims(live_server), "another-secret-that-is-long-enough-0123456789", algorithm="HS256"
    )
    _assert_refused(_me(live_server, token), "invalid_token", "signature")


def test_wrong_audience(live_server: LiveServer, settings: Settings) -> None:
    secret = settings.jwt_secret.get_secret_value()
    for audience in ("anon", None):
        token = jwt.encode(_claims(live_server, aud=audience), secret, algorithm="HS256")
        _assert_refused(_me(live_server, token), "invalid_token", "aud")


def test_wrong_issuer(live_server: LiveServer, settings: Settings) -> None:
    token = jwt.encode(
        _claims(live_server, iss="https://someone-else.example/auth/v1"),
        settings.jwt_secret.get_secret_value(),
        algorithm="HS256",
    )
    _assert_refused(_me(live_server, token), "invalid_token", "issued by another")


def test_alg_none(live_server: LiveServer) -> None:
    token = jwt.encode(_claims(live_server), "", algorithm="none")
    _assert_refused(_me(live_server, token), "invalid_token", "'none' are not accepted")


def test_garbage_and_malformed_tokens(live_server: LiveServer, settings: Settings) -> None:
    for garbage in ("garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.", "x" * 5000):
        _assert_refused(_me(live_server, garbage), "invalid_token", "")
    not_a_uuid = jwt.encode(
        _claims(live_server, sub="user-42"),
        settings.jwt_secret.get_secret_value(),
        algorithm="HS256",
    )
    _assert_refused(_me(live_server, not_a_uuid), "invalid_token", "subject")


def test_asymmetric_tokens_are_refused_when_embedded(live_server: LiveServer) -> None:
    with running_oidc_provider() as provider:
        token = jwt.encode(
            _claims(live_server), provider.signing_key, algorithm="RS256", headers={"kid": KEY_ID}
        )
    _assert_refused(_me(live_server, token), "invalid_token", "'RS256' are not accepted")


@pytest.fixture
def jwks_provider() -> Iterator[FakeOidcProvider]:
    """A JWKS server standing in for a Supabase project's."""
    with running_oidc_provider() as provider:
        yield provider


def test_supabase_mode_accepts_jwks_and_legacy_secret_tokens(
    server_with: Callable[..., LiveServer], jwks_provider: FakeOidcProvider, settings: Settings
) -> None:
    supabase_url = "https://project-ref.supabase.example"
    server = server_with(supabase_url=supabase_url, supabase_jwks_url=f"{jwks_provider.url}/jwks")
    claims = _claims(server, iss=f"{supabase_url}/auth/v1")
    rs256 = jwt.encode(
        claims, jwks_provider.signing_key, algorithm="RS256", headers={"kid": KEY_ID}
    )
    es256 = jwt.encode(
        claims, jwks_provider.ec_signing_key, algorithm="ES256", headers={"kid": EC_KEY_ID}
    )
    hs256 = jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")
    for token in (rs256, es256, hs256):
        response = _me(server, token)
        assert response.status_code == 200, response.text
        assert response.json()["id"] == claims["sub"]
    unknown_kid = jwt.encode(
        claims, jwks_provider.signing_key, algorithm="RS256", headers={"kid": "rotated-away"}
    )
    _assert_refused(_me(server, unknown_kid), "invalid_token", "unknown key")
    key_confusion = jwt.encode(
        claims, jwks_provider.ec_signing_key, algorithm="ES256", headers={"kid": KEY_ID}
    )
    _assert_refused(_me(server, key_confusion), "invalid_token", "")
    # In Supabase mode the clients talk to Supabase Auth; nothing is served at /auth/v1.
    assert httpx.get(f"{server.url}/auth/v1/settings").status_code == 404
