"""Fixtures for the inbox tests: shops (a business, a connection, an owner) on the live API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import psycopg
import pytest

from core.settings import Settings
from tests.fakes.graph_api import fake_graph, fake_graph_server
from tests.integration.inbox.support import Shop, open_shop
from tests.support.live_server import LiveServer

__all__ = ["fake_graph", "fake_graph_server"]


@pytest.fixture
def shop(pg: psycopg.Connection, settings: Settings, live_server: LiveServer) -> Shop:
    """A fresh business with an Instagram connection and a signed-in owner."""
    return open_shop(pg, settings, issuer_url=live_server.url)


@pytest.fixture
def rival(pg: psycopg.Connection, settings: Settings, live_server: LiveServer) -> Shop:
    """Another business, whose conversations the first shop's owner must never reach."""
    return open_shop(pg, settings, issuer_url=live_server.url)


@pytest.fixture
async def owner_api(shop: Shop, live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    """The shop owner's client on the live API."""
    async with shop.client(live_server.url) as client:
        yield client
