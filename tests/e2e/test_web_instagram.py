"""Connecting Instagram in a real browser: the owner clicks "Connect Instagram", goes
through Meta's dialog (the built-in fake consents at once), and lands back on
/settings/integrations with the accounts connected named in a notice, or — when consent was
declined, the link was tampered with, used twice, or Meta failed — with what went wrong.
Never a JSON page.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.async_api import Page, expect

from api.pages.instagram_outcome import FAILURES
from tests.e2e.web_support import ConsoleWatch, shoot, sign_up
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

CALLBACK = "/api/v1/social_connections/instagram/oauth/callback"


async def _fresh_state(page: Page, server: LiveServer) -> str:
    """A valid state for this owner, as the Connect button would get it."""
    start = await page.request.get(
        f"{server.url}/api/v1/social_connections/instagram/oauth/initiate"
    )
    assert start.ok, await start.text()
    url: str = (await start.json())["authorization_url"]
    return parse_qs(urlsplit(url).query)["state"][0]


async def _callback(page: Page, server: LiveServer, **query: str) -> None:
    """Land on the callback as Meta's redirect would send the browser there."""
    await page.goto(f"{server.url}{CALLBACK}?{urlencode(query)}")


async def test_connecting_instagram_comes_back_to_the_page_with_the_account_named(
    live_server: LiveServer, page: Page
) -> None:
    console = await ConsoleWatch.attach(page)
    await sign_up(page, live_server)
    await page.goto(f"{live_server.url}/settings/integrations")
    await expect(page.get_by_text("No accounts connected yet.")).to_be_visible()

    await page.get_by_role("button", name="Connect Instagram", exact=True).click()
    notice = page.locator("[data-instagram-notice]")
    await expect(notice).to_have_text("Instagram connected: @fake_shop.")
    await expect(notice).to_have_attribute("data-kind", "success")
    await expect(notice).to_have_attribute("role", "status")
    await expect(notice).to_be_focused()
    # The outcome is dropped from the address, so a reload does not repeat it.
    await expect(page).to_have_url(f"{live_server.url}/settings/integrations")
    connection = page.locator(".connection", has_text="Instagram · @fake_shop")
    await expect(connection).to_have_count(1)
    await expect(connection).to_contain_text("/api/v1/webhooks/instagram/")
    await expect(page.locator("body")).not_to_contain_text('"connections"')  # never JSON
    await shoot(page, "settings-instagram-connected")

    await page.get_by_role("button", name="Dismiss this message").click()
    await expect(notice).to_have_count(0)
    await expect(page.get_by_role("button", name="Connect Instagram", exact=True)).to_be_focused()
    await page.reload()
    await expect(page.locator(".connection")).to_have_count(1)
    await expect(notice).to_have_count(0)
    console.assert_clean()


async def test_a_failed_instagram_connection_comes_back_with_the_reason(
    live_server: LiveServer, page: Page
) -> None:
    console = await ConsoleWatch.attach(page)
    await sign_up(page, live_server)
    notice = page.locator("[data-instagram-notice]")

    # The owner declined on Facebook.
    state = await _fresh_state(page, live_server)
    await _callback(
        page, live_server, error="access_denied", error_description="Permissions error", state=state
    )
    await expect(page).to_have_url(f"{live_server.url}/settings/integrations")
    await expect(notice).to_have_text(FAILURES["oauth_denied"])
    await expect(notice).to_have_attribute("data-kind", "error")
    await expect(notice).to_have_attribute("role", "alert")
    await expect(page.get_by_text("No accounts connected yet.")).to_be_visible()
    await expect(page.locator("body")).not_to_contain_text("Permissions error")  # not reflected
    await shoot(page, "settings-instagram-denied")

    # The same link again: its state works once.
    await _callback(page, live_server, code="whatever", state=state)
    await expect(notice).to_have_text(FAILURES["oauth_state_used"])

    # A tampered state.
    await _callback(
        page, live_server, code="whatever", state=(await _fresh_state(page, live_server)) + "x"
    )
    await expect(notice).to_have_text(FAILURES["oauth_state_invalid"])

    # Meta refuses the code (one its dialog never issued).
    await _callback(
        page, live_server, code="not-a-real-code", state=await _fresh_state(page, live_server)
    )
    await expect(notice).to_have_text(FAILURES["provider_error"])
    await expect(page.get_by_text("No accounts connected yet.")).to_be_visible()

    # A hand-made link can only pick one of the page's own sentences.
    await page.goto(
        f"{live_server.url}/settings/integrations?instagram=failed&reason=<b>pwned</b>"
        "&account=not-an-id"
    )
    await expect(notice).to_have_text("Instagram could not be connected. Please try again.")
    await expect(page.locator("b", has_text="pwned")).to_have_count(0)
    console.assert_clean()
