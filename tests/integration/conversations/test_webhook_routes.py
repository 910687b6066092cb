"""The webhook route cache: a path token's connection read once, not once per delivery."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.routes.webhooks import RouteCache
from core.errors import NotFound
from core.settings import Settings
from store.db import create_sessionmaker
from store.tables.enums import SocialPlatform
from tests.support.conversations import SeededConnection
from tests.support.statements import counted


@pytest.fixture
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements the engine sends while the test runs."""
    with counted(engine) as sent:
        yield sent


async def test_concurrent_deliveries_share_one_lookup(
    engine: AsyncEngine, settings: Settings, instagram: SeededConnection, statements: list[str]
) -> None:
    cache, sessionmaker = RouteCache(), create_sessionmaker(engine)
    routes = await asyncio.gather(
        *(
            cache.route(sessionmaker, settings, SocialPlatform.INSTAGRAM, instagram.path_token)
            for _ in range(20)
        )
    )
    assert {r.source.connection_id for r in routes} == {instagram.id}
    assert routes[0].app_secret == instagram.app_secret
    lookups = [s for s in statements if "social_connections" in s]
    assert len(lookups) == 1


async def test_an_expired_route_is_read_again_once(
    engine: AsyncEngine,
    settings: Settings,
    instagram: SeededConnection,
    statements: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(RouteCache, "ttl_seconds", -1.0)  # entries are stale when stored
    cache, sessionmaker = RouteCache(), create_sessionmaker(engine)
    await cache.route(sessionmaker, settings, SocialPlatform.INSTAGRAM, instagram.path_token)
    await asyncio.gather(
        *(
            cache.route(sessionmaker, settings, SocialPlatform.INSTAGRAM, instagram.path_token)
            for _ in range(10)
        )
    )
    assert len([s for s in statements if "social_connections" in s]) == 2


async def test_an_unknown_token_is_404_for_every_waiting_delivery(
    engine: AsyncEngine, settings: Settings, statements: list[str]
) -> None:
    cache, sessionmaker = RouteCache(), create_sessionmaker(engine)
    outcomes = await asyncio.gather(
        *(
            cache.route(sessionmaker, settings, SocialPlatform.INSTAGRAM, "no-such-token")
            for _ in range(5)
        ),
        return_exceptions=True,
    )
    assert all(isinstance(o, NotFound) for o in outcomes)
    assert len([s for s in statements if "social_connections" in s]) == 1
