"""A real Chromium (Debian's, installed by `make test`) driven by Playwright.

Playwright never downloads a browser here: we launch /usr/bin/chromium through
`executable_path`, with the flags that keep it off the network it cannot reach. The async
API is used so the browser shares pytest-asyncio's session loop with the other tests (the
sync API would leave a loop running that async tests then cannot use).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One headless Chromium for the whole run."""
    executable = shutil.which("chromium")
    assert executable, "chromium is installed by `make test` (scripts/ensure_browser.sh)"
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, args=_FLAGS)
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A fresh browser context (own cookies) and page per test, desktop-sized."""
    context = await browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    yield await context.new_page()
    await context.close()


async def screenshot(page: Page, name: str) -> Path:
    """Save the page at desktop and phone width under test-output/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-desktop.png"
    await page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]
    await page.screenshot(path=path, full_page=True)
    await page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    await page.screenshot(path=SCREENSHOTS / f"{name}-phone.png", full_page=True)
    return path
