"""The browser harness itself: Debian's Chromium opens the running app's API docs."""

from __future__ import annotations

import pytest
from playwright.async_api import Page

from tests.support.browser import screenshot
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser


async def test_api_docs_render_offline_in_a_real_browser(
    live_server: LiveServer, page: Page
) -> None:
    await page.goto(f"{live_server.url}/docs")
    await page.get_by_text("/api/v1/users/me").first.wait_for()
    assert await page.get_by_text("CHIDI API").first.is_visible()
    assert (await screenshot(page, "api-docs")).exists()
