"""Fixtures for the web app's HTTP tests: browsers (cookie jars) on the live server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack

import httpx
import pytest

from tests.integration.web.client import WebBrowser
from tests.support.live_server import LiveServer


@pytest.fixture
async def new_browser(live_server: LiveServer) -> AsyncIterator[Callable[[], WebBrowser]]:
    """A factory of fresh browsers (each with its own cookies) on the live server."""
    async with AsyncExitStack() as stack:

        def make() -> WebBrowser:
            client = httpx.AsyncClient(base_url=live_server.url, timeout=30)
            stack.push_async_callback(client.aclose)
            return WebBrowser(client)

        yield make


@pytest.fixture
def browser_http(new_browser: Callable[[], WebBrowser]) -> WebBrowser:
    """One fresh browser."""
    return new_browser()
