"""Rate limits on the auth routes: per client IP, per email, and the limiter itself.

Servers here run with a limit of 3 per minute. Client addresses are varied with
X-Forwarded-For, which uvicorn honours from 127.0.0.1 (a trusted proxy by default).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest
from redis.asyncio import Redis
from supabase_auth.errors import AuthApiError

from api import ratelimit
from tests.integration.auth.conftest import ClientFactory, unique_email
from tests.support.live_server import LiveServer

LIMIT = 3


def _sign_in(server: LiveServer, email: str, ip: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/auth/v1/token?grant_type=password",
        json={"email": email, "password": "wrong-password"},
        headers={"X-Forwarded-For": ip, "X-Supabase-Api-Version": "2024-01-01"},
    )


def _random_ip() -> str:
    raw = uuid.uuid4().bytes
    return f"10.{raw[0]}.{raw[1]}.{raw[2]}"


def test_too_many_attempts_from_one_address_get_429(server_with: Callable[..., LiveServer]) -> None:
    server = server_with(auth_rate_limit_per_minute=LIMIT)
    ip = _random_ip()
    statuses = [_sign_in(server, unique_email("ip"), ip).status_code for _ in range(LIMIT)]
    assert statuses == [400] * LIMIT
    refused = _sign_in(server, unique_email("ip"), ip)
    assert refused.status_code == 429
    assert refused.json() == {
        "code": "over_request_rate_limit",
        "message": "Request rate limit reached",
    }
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert _sign_in(server, unique_email("ip"), _random_ip()).status_code == 400


def test_too_many_attempts_on_one_account_get_429_from_any_address(
    server_with: Callable[..., LiveServer],
) -> None:
    server = server_with(auth_rate_limit_per_minute=LIMIT)
    email = unique_email("target")
    statuses = [_sign_in(server, email, _random_ip()).status_code for _ in range(LIMIT + 1)]
    assert statuses == [400] * LIMIT + [429]


def test_the_official_client_sees_the_limit_as_an_api_error(
    server_with: Callable[..., LiveServer], supabase_for: ClientFactory
) -> None:
    server = server_with(auth_rate_limit_per_minute=LIMIT)
    # A fresh address: earlier tests' requests from 127.0.0.1 share the Redis counters.
    client = supabase_for(server, headers={"X-Forwarded-For": _random_ip()})
    email = unique_email("recover")
    for _ in range(LIMIT):
        client.auth.reset_password_for_email(email)
    with pytest.raises(AuthApiError) as limited:
        client.auth.reset_password_for_email(email)
    assert (limited.value.status, limited.value.code) == (429, "over_request_rate_limit")


async def test_counts_are_per_window_and_identity(redis: Redis) -> None:
    bucket = f"test-{uuid.uuid4().hex}"
    decisions = [await ratelimit.hit(redis, bucket=bucket, identity="a", limit=2) for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False]
    assert decisions[-1].count == 3
    other = await ratelimit.hit(redis, bucket=bucket, identity="b", limit=2)
    assert other.allowed
    keys = [key async for key in redis.scan_iter(f"chidi:ratelimit:{bucket}:*")]
    assert len(keys) == 2
    assert all(b"a" not in key.split(b":")[3] or len(key.split(b":")[3]) == 32 for key in keys)
    assert 0 < await redis.ttl(keys[0]) <= 61


async def test_an_unreachable_redis_lets_requests_through() -> None:
    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    try:
        decision = await ratelimit.hit(dead, bucket="any", identity="x", limit=1)
    finally:
        await dead.aclose()
    assert decision.allowed
