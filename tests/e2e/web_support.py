"""Helpers of the web app's browser tests: signing up, screenshots, console watching."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from playwright.async_api import ConsoleMessage, Error, Page, expect

from tests.support.browser import DESKTOP, PHONE, screenshot
from tests.support.live_server import LiveServer

PASSWORD = "correct-horse-battery"
# Reported through the console by an init script (Playwright's, which the page's CSP does
# not govern), besides the "Refused to ..." lines Chromium itself logs.
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
});
"""


def new_email() -> str:
    """An address no other test uses."""
    return f"owner-{uuid.uuid4().hex[:12]}@example.com"


@dataclass
class ConsoleWatch:
    """What a page said on its console, and the script errors it threw."""

    messages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @classmethod
    async def attach(cls, page: Page) -> ConsoleWatch:
        """Start watching `page` (before it navigates)."""
        watch = cls()
        await page.add_init_script(_REPORT_VIOLATIONS)

        def on_console(message: ConsoleMessage) -> None:
            watch.messages.append(f"{message.type}: {message.text}")

        def on_error(error: Error) -> None:
            watch.errors.append(str(error))

        page.on("console", on_console)
        page.on("pageerror", on_error)
        return watch

    @property
    def csp_violations(self) -> list[str]:
        """Console lines about the Content-Security-Policy."""
        return [
            m
            for m in self.messages
            if "Content Security Policy" in m or "CSP violation" in m or "Refused to" in m
        ]

    def assert_clean(self) -> None:
        """No CSP violation and no uncaught script error happened."""
        assert not self.csp_violations, self.csp_violations
        assert not self.errors, self.errors


async def shoot(page: Page, name: str) -> None:
    """Screenshots at desktop and phone width; nothing may overflow the phone's width."""
    # From the top: sticky bars are placed for the scroll position the capture starts at.
    await page.evaluate("window.scrollTo(0, 0)")
    await screenshot(page, name)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} is {width}px wide on a phone"
    await page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]


async def sign_up(page: Page, server: LiveServer, email: str | None = None) -> str:
    """Create an account through the sign-up page; returns its email."""
    address = email or new_email()
    await page.goto(f"{server.url}/signup")
    await page.get_by_label("Email").fill(address)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_label("Confirm password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign up").click()
    await expect(page).to_have_url(f"{server.url}/workspace/onboarding")
    return address


async def register(page: Page, server: LiveServer) -> str:
    """An account made straight through the auth API (for tests about other pages)."""
    address = new_email()
    created = await page.request.post(
        f"{server.url}/auth/v1/signup", data={"email": address, "password": PASSWORD}
    )
    assert created.ok, await created.text()
    return address
