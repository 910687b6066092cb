"""Fixtures for the workspace tests: owners signed in on the live server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.settings import Settings
from tests.support.live_server import LiveServer
from tests.support.workspace import Owner, signed_in


@pytest.fixture
async def owner(settings: Settings, live_server: LiveServer) -> AsyncIterator[Owner]:
    """A fresh owner (so a fresh, empty business) on the shared live server."""
    async for created in signed_in(settings, live_server):
        yield created


@pytest.fixture
async def rival(settings: Settings, live_server: LiveServer) -> AsyncIterator[Owner]:
    """Another owner: the other tenant."""
    async for created in signed_in(settings, live_server):
        yield created
