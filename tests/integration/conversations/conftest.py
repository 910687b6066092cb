"""Fixtures for the conversation tests: the fake Graph API, seeded connections, a client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import psycopg
import pytest

from core.settings import Settings
from tests.fakes.graph_api import fake_graph, fake_graph_server
from tests.support.conversations import SeededConnection, seed_connection
from tests.support.live_server import LiveServer

__all__ = ["fake_graph", "fake_graph_server"]


@pytest.fixture
async def api(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the live API server."""
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as client:
        yield client


@pytest.fixture
def instagram(pg: psycopg.Connection, settings: Settings) -> SeededConnection:
    """A fresh business with an Instagram connection."""
    return seed_connection(pg, settings, platform="instagram")


@pytest.fixture
def whatsapp(pg: psycopg.Connection, settings: Settings) -> SeededConnection:
    """A fresh business with a WhatsApp connection."""
    return seed_connection(pg, settings, platform="whatsapp")
