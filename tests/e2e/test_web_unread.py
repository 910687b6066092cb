"""Unread badges in a real browser: a conversation with customer messages the owner has not
seen shows a badge in the inbox list; opening it marks it read, and the badge clears live
in the owner's other tabs too. Messages that arrive while it is open are read at once.

No worker runs: the simulated messages are stored and wait for the bot, which is all an
unread badge needs.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import Page, expect

from tests.e2e.test_web_inbox import call_api, connect_whatsapp
from tests.e2e.web_support import ConsoleWatch, shoot, sign_up
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser


async def _customer_writes(page: Page, connection_id: str, customer: str, text: str) -> None:
    await call_api(
        page,
        "POST",
        f"/api/v1/simulator/{connection_id}/messages",
        {"customer_id": customer, "customer_name": "Ada Obi", "text": text},
    )


async def test_opening_a_conversation_clears_its_unread_badge_everywhere(
    live_server: LiveServer, page: Page
) -> None:
    console = await ConsoleWatch.attach(page)
    await sign_up(page, live_server)
    connection_id = await connect_whatsapp(page)
    customer = "234" + str(uuid.uuid4().int)[:10]
    await _customer_writes(page, connection_id, customer, "Hello, are you open today?")
    await _customer_writes(page, connection_id, customer, "I want two hoodies")

    await page.goto(f"{live_server.url}/conversations")
    item = page.locator(".conversation-item", has_text="Ada Obi")
    badge = item.locator("[data-unread]")
    await expect(badge).to_have_text("2")
    await expect(badge).to_have_attribute("aria-label", "2 unread")
    await shoot(page, "inbox-unread")

    # A second tab keeps the list open while the first opens the conversation.
    other = await page.context.new_page()
    await other.goto(f"{live_server.url}/conversations")
    await expect(other.locator("[data-inbox]")).to_have_attribute("data-live", "true")
    other_badge = other.locator(".conversation-item", has_text="Ada Obi").locator("[data-unread]")
    await expect(other_badge).to_have_text("2")

    await item.get_by_role("link").click()
    await page.wait_for_url(re.compile(r"/conversations/[0-9a-f-]{36}$"))
    await expect(page.locator("[data-inbox]")).to_have_attribute("data-live", "true")
    await expect(page.locator(".bubble-customer")).to_have_count(2)
    await expect(other_badge).to_have_count(0)  # cleared live, over the event stream
    await expect(badge).to_have_count(0)

    # While it is open, a new customer message is read as it arrives.
    await _customer_writes(page, connection_id, customer, "Also a cap please")
    await expect(page.locator(".bubble-customer")).to_have_count(3)
    other_item = other.locator(".conversation-item", has_text="Ada Obi")
    await expect(other_item).to_contain_text("Also a cap please")
    await expect(other_badge).to_have_count(0)

    # Back in the list, and after a reload, nothing is unread.
    await page.get_by_role("link", name="Inbox").click()
    await page.wait_for_url("**/conversations")
    await expect(item).to_be_visible()
    await expect(badge).to_have_count(0)
    conversation_id = await item.get_attribute("data-conversation-id")
    detail = await page.request.get(f"{live_server.url}/api/v1/conversations/{conversation_id}")
    assert (await detail.json())["unread_count"] == 0
    await other.reload()
    await expect(other.locator(".conversation-item")).to_have_count(1)
    await expect(other_badge).to_have_count(0)
    console.assert_clean()
