"""Single-flight refresh on the real Redis: one rotation however many requests ask."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from redis.asyncio import Redis

from api.pages.gotrue import AuthRefused, IssuedTokens
from api.pages.refresh import refresh_once
from core.settings import Settings


async def test_concurrent_refreshes_call_the_auth_service_once(
    redis: Redis, settings: Settings
) -> None:
    calls: list[str] = []

    async def refresh(token: str) -> IssuedTokens:
        calls.append(token)
        await asyncio.sleep(0.2)  # long enough for the others to find the lock taken
        return IssuedTokens(access_token=f"access-{len(calls)}", refresh_token="next")

    token = uuid.uuid4().hex
    keys = settings.encryption_key.get_secret_value()
    results = await asyncio.gather(*(refresh_once(redis, refresh, token, keys) for _ in range(8)))
    assert calls == [token]
    assert set(results) == {IssuedTokens("access-1", "next")}
    # A late request with the same old token still gets the shared answer.
    assert await refresh_once(redis, refresh, token, keys) == IssuedTokens("access-1", "next")
    assert len(calls) == 1
    # What Redis holds is sealed, not the tokens in clear.
    stored = [await redis.get(key) async for key in redis.scan_iter("web:refresh:*")]
    assert stored
    assert all(b"access-1" not in value for value in stored if value)


async def test_a_refused_refresh_fails_every_waiting_request(
    redis: Redis, settings: Settings
) -> None:
    async def refuse(token: str) -> IssuedTokens:
        await asyncio.sleep(0.2)
        raise AuthRefused(400, "refresh_token_not_found", "Invalid Refresh Token")

    keys = settings.encryption_key.get_secret_value()
    token = uuid.uuid4().hex
    outcomes = await asyncio.gather(
        *(refresh_once(redis, refuse, token, keys) for _ in range(4)), return_exceptions=True
    )
    assert all(isinstance(outcome, AuthRefused) for outcome in outcomes)
    with pytest.raises(AuthRefused):
        await refresh_once(redis, refuse, token, keys)  # nothing was cached
