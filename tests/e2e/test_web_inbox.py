"""The whole loop in a real browser, the way an owner sees it: sign up, onboard, add a
product, connect WhatsApp, and then a customer (through the simulator) asks about the
product — the auto-reply appears in the inbox live — then complains, and the escalation
arrives as a toast; the owner takes over, replies, notes and resolves.

A real arq worker process answers (local brain); its replies reach the open page over the
event stream (`GET /api/v1/events`) with no reload.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from playwright.async_api import APIResponse, Page, expect

from core.settings import Settings
from tests.e2e.test_web_journey import add_hoodie, onboard
from tests.e2e.web_support import ConsoleWatch, shoot, sign_up
from tests.support.live_server import LiveServer
from tests.support.workers import clear_job_queue, worker

pytestmark = pytest.mark.browser

HEALTH_KEY = "arq:queue:health-check"
WORKER_BOOT_SECONDS = 120.0
# The worker's first decision loads the embedding model; a busy machine takes a while.
REPLY_TIMEOUT_MS = 90_000


@pytest.fixture(scope="module")
def running_worker(settings: Settings, live_server: LiveServer) -> Iterator[None]:
    """The arq worker, in embedded mode: simulated sends go to the live server's fake Graph."""
    clear_job_queue(settings)
    client = redis.Redis.from_url(settings.redis_url)
    try:
        client.delete(HEALTH_KEY)
        with worker({"PUBLIC_URL": live_server.url}):
            deadline = time.monotonic() + WORKER_BOOT_SECONDS
            while not client.exists(HEALTH_KEY):
                assert time.monotonic() < deadline, "the worker did not start"
                time.sleep(0.2)
            yield
    finally:
        client.close()


async def call_api(page: Page, method: str, path: str, body: dict[str, Any]) -> Any:
    """The JSON API with the page's session cookie and CSRF token (as the page scripts do)."""
    token = await page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert token
    origin = re.match(r"https?://[^/]+", page.url)
    assert origin
    response: APIResponse = await page.request.fetch(
        origin.group(0) + path, method=method, data=body, headers={"X-CSRF-Token": token}
    )
    assert response.ok, await response.text()
    return await response.json()


async def connect_whatsapp(page: Page) -> str:
    """A WhatsApp connection (simulated: embedded mode); returns its id."""
    number = str(uuid.uuid4().int)[:15]
    created = await call_api(
        page,
        "POST",
        "/api/v1/social_connections/whatsapp",
        {
            "phone_number_id": number,
            "waba_id": number[::-1],
            "access_token": "EAAG-test-token-123",
            "app_secret": "app-secret-for-tests",
        },
    )
    return str(created["connection"]["id"])


async def as_customer(simulator: Page, text: str) -> None:
    """Send `text` from the simulator page and see it on the customer's side."""
    before = await simulator.locator('.bubble[data-sender="customer"]').count()
    box = simulator.get_by_label("Message as the customer")
    await box.fill(text)
    await box.press("Enter")
    await expect(simulator.locator('.bubble[data-sender="customer"]')).to_have_count(before + 1)


@pytest.mark.usefixtures("running_worker")
async def test_a_customer_conversation_live_in_the_inbox(
    live_server: LiveServer, page: Page
) -> None:
    console = await ConsoleWatch.attach(page)
    await sign_up(page, live_server)
    await onboard(page)
    await page.get_by_role("link", name="Go to your dashboard").click()
    await page.get_by_role("link", name="Products", exact=True).click()
    await add_hoodie(page)
    connection_id = await connect_whatsapp(page)

    await page.get_by_role("link", name="Inbox").click()
    await page.wait_for_url("**/conversations")
    await expect(page.locator("[data-inbox]")).to_have_attribute("data-live", "true")
    await expect(page.get_by_text("No conversations here")).to_be_visible()
    await shoot(page, "inbox-empty")

    # The customer writes from the simulator (another tab); the owner's inbox stays open.
    simulator = await page.context.new_page()
    await simulator.goto(f"{live_server.url}/simulator")
    await expect(simulator.get_by_label("Your account")).to_have_value(connection_id)
    await expect(simulator.locator("[data-simulator]")).to_have_attribute("data-live", "true")
    await shoot(simulator, "simulator-empty")

    # A DM about the product: the conversation appears in the list without a reload.
    await as_customer(simulator, "Hi, do you have the Cool Hoodie?")
    item = page.locator(".conversation-item", has_text="Ada Obi")
    await expect(item).to_be_visible()
    await item.get_by_role("link").click()
    await page.wait_for_url("**/conversations/*")
    await expect(page.get_by_role("heading", name="Ada Obi")).to_be_visible()
    await expect(page.locator(".bubble-customer")).to_contain_text("do you have the Cool Hoodie")

    # CHIDI's answer arrives live, with its confidence on hover.
    reply = page.locator(".bubble-bot").first
    await expect(reply).to_contain_text("Cool Hoodie", timeout=REPLY_TIMEOUT_MS)
    await expect(reply).to_have_attribute("title", re.compile(r"CHIDI's confidence: \d+%"))
    await expect(page.locator("[data-chat-meta]")).to_contain_text("CHIDI is answering")
    await shoot(page, "inbox-conversation")
    # The customer sees the same answer on their side.
    await expect(simulator.locator('.bubble[data-sender="ai_bot"]')).to_contain_text("Cool Hoodie")
    await shoot(simulator, "simulator")

    # A complaint: the escalation is a toast, and the conversation is marked in the list.
    await as_customer(simulator, "I want a refund, it was terrible!")
    await expect(page.locator(".toast-warning")).to_be_visible(timeout=REPLY_TIMEOUT_MS)
    await expect(page.locator("[data-chat-meta]")).to_contain_text("Needs you")
    await expect(item).to_have_class(re.compile("conversation-escalated"))
    await expect(page.locator(".bubble-bot")).to_have_count(2)
    # The owner has the conversation open: the complaint was read as it arrived.
    await expect(item.locator("[data-unread]")).to_have_count(0)
    await shoot(page, "inbox-escalated")

    # The owner takes over, replies, leaves a note and resolves.
    await page.get_by_role("button", name="Take over").click()
    await expect(page.locator("[data-chat-meta]")).to_contain_text("You're handling it")
    box = page.get_by_label("Your reply to the customer")
    await box.fill("So sorry, Ada! I'm refunding you today.")
    await box.press("Enter")
    await expect(page.locator(".bubble-human")).to_have_count(1)
    await expect(page.locator(".bubble-human")).to_contain_text("refunding you today")
    await expect(box).to_have_value("")
    await page.locator("[data-notes] summary").click()
    await page.get_by_label("Add a note for your team").fill("Refund sent by transfer")
    await page.get_by_role("button", name="Add note").click()
    await expect(page.locator("[data-notes-text]")).to_contain_text("Refund sent by transfer")
    await page.get_by_role("button", name="Resolve").click()
    await expect(page.locator("[data-chat-meta]")).to_contain_text("Resolved by you")
    await expect(item).not_to_have_class(re.compile("conversation-escalated"))
    await expect(page.get_by_role("button", name="Hand back to CHIDI")).to_be_visible()
    await shoot(page, "inbox-resolved")
    await expect(simulator.locator('.bubble[data-sender="business_human"]')).to_contain_text(
        "refunding you today"
    )

    # After a reload the whole conversation is there, in order.
    await page.reload()
    senders = page.locator(".chat-log .bubble")
    await expect(senders).to_have_count(5)
    kinds = [await b.get_attribute("data-sender") for b in await senders.all()]
    assert kinds == ["customer", "ai_bot", "customer", "ai_bot", "business_human"]

    # The filters: escalated-only is empty now; search finds the conversation by a word.
    await page.goto(f"{live_server.url}/conversations?status=escalated_human_needed")
    await expect(page.get_by_text("No conversations here")).to_be_visible()
    await page.get_by_label("Status").select_option("")
    await page.get_by_label("Search").fill("refu")
    await expect(page.locator(".conversation-item")).to_have_count(1)
    await expect(page).to_have_url(re.compile(r"\?q=refu$"))
    await page.get_by_label("Search").fill("nothingmatches")
    await expect(page.locator(".conversation-item")).to_have_count(0)
    await page.get_by_label("Search").fill("")
    await page.get_by_label("Platform").select_option("instagram")
    await expect(page.locator(".conversation-item")).to_have_count(0)
    await page.get_by_label("Platform").select_option("whatsapp")
    await expect(page.locator(".conversation-item")).to_have_count(1)
    await shoot(page, "inbox-list")

    # The dashboard counts the day's conversations and the auto-answered share.
    await page.goto(f"{live_server.url}/")
    await expect(page.locator('[data-stat="conversations_today"] .stat-value')).to_have_text("1")
    await expect(page.locator('[data-stat="escalations"] .stat-value')).to_have_text("0")
    await expect(page.locator('[data-stat="auto_answered"] .stat-value')).to_have_text("50%")
    await shoot(page, "dashboard-inbox")
    console.assert_clean()


async def test_an_unknown_conversation_is_a_page_404(live_server: LiveServer, page: Page) -> None:
    await sign_up(page, live_server)
    response = await page.goto(f"{live_server.url}/conversations/{uuid.uuid4()}")
    assert response is not None
    assert response.status == 404
    response = await page.goto(f"{live_server.url}/conversations/not-an-id")
    assert response is not None
    assert response.status == 404
