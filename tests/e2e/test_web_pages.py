"""The owner's other pages in a real browser: the profile beside the assistant chat, the
integrations (connect WhatsApp and Instagram, disconnect) and the account settings.

Screenshots at desktop and phone width (test-output/screenshots); the console is watched
for CSP violations and script errors.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import Page, expect

from tests.e2e.web_support import PASSWORD, ConsoleWatch, shoot, sign_up
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

HOURS = "Monday to Saturday, 8am to 8pm"
NEW_PASSWORD = "a-brand-new-passphrase"


async def test_the_profile_form_and_the_assistant_chat(live_server: LiveServer, page: Page) -> None:
    console = await ConsoleWatch.attach(page)
    await sign_up(page, live_server)
    await page.goto(f"{live_server.url}/workspace/profile")
    chat = page.locator("[data-chat-log]")
    await expect(chat.locator(".bubble-ai")).to_have_count(1)  # the greeting
    await expect(page.locator("[data-suggestions] .chip-button").first).to_be_visible()

    # The form saves through PUT /context; a reload shows what was stored.
    await page.get_by_label("Business name").fill("Mama Put Kitchen")
    await page.get_by_label("Type of business").fill("Restaurant")
    await page.get_by_label("Opening hours").fill(HOURS)
    await page.get_by_label("Instagram").fill("@mamaput")
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.locator(".toast")).to_contain_text("Your profile was saved.")
    await expect(page.locator("[data-completeness]")).not_to_have_text("0% complete")
    await page.reload()
    await expect(page.get_by_label("Business name")).to_have_value("Mama Put Kitchen")
    await expect(page.get_by_label("Opening hours")).to_have_value(HOURS)
    await expect(page.get_by_label("Instagram")).to_have_value("@mamaput")
    await expect(page.get_by_label("Delivery")).to_have_value("")

    # The assistant answers from the profile, streamed; its suggestions become chips.
    box = page.get_by_label("Your message to CHIDI")
    await box.fill("What are my opening hours?")
    await box.press("Enter")
    reply = chat.locator(".bubble-ai").last
    await expect(chat.locator(".bubble-user")).to_have_text("YouWhat are my opening hours?")
    await expect(reply).to_have_attribute("aria-busy", "false")
    await expect(reply).to_contain_text("8am")
    await expect(page.locator("[data-suggestions] .chip-button").first).to_be_visible()
    await shoot(page, "workspace-profile")

    # A chip asks for the owner; the history survives a reload.
    before = await chat.locator(".bubble-ai").count()
    await page.locator("[data-suggestions] .chip-button").first.click()
    await expect(chat.locator(".bubble-ai")).to_have_count(before + 1)
    await expect(chat.locator(".bubble-ai").last).to_have_attribute("aria-busy", "false")
    await page.reload()
    await expect(chat.locator(".bubble-user")).to_have_count(2)
    await expect(chat.locator(".bubble-ai")).to_have_count(2)
    await expect(chat.locator(".bubble-user").first).to_contain_text("opening hours")
    console.assert_clean()


async def test_connecting_and_disconnecting_accounts(live_server: LiveServer, page: Page) -> None:
    console = await ConsoleWatch.attach(page)
    await sign_up(page, live_server)
    await page.get_by_role("link", name="Settings").click()
    await page.wait_for_url("**/settings/integrations")
    await expect(page.get_by_text("No accounts connected yet.")).to_be_visible()
    await expect(page.locator("[data-embedded]")).to_be_visible()

    # A malformed id is caught before anything is sent.
    number = str(uuid.uuid4().int)[:12]
    await page.get_by_label("Phone number ID").fill("12")
    await page.get_by_role("button", name="Connect WhatsApp").click()
    await expect(page.locator("[data-wa-error]")).to_have_text("Check “Phone number ID”.")
    await expect(page.get_by_label("Phone number ID")).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_label("Phone number ID")).to_be_focused()

    await page.get_by_label("Phone number ID").fill(number)
    await page.get_by_label("WhatsApp Business Account ID").fill(number[::-1])
    await page.get_by_label("Access token").fill("EAAG-test-token-123")
    await page.get_by_label("App secret").fill("app-secret-for-tests")
    await page.get_by_label("Verify token").fill("my-own-verify-token")
    await page.get_by_role("button", name="Connect WhatsApp").click()
    await expect(page.locator("[data-created]")).to_be_visible()
    await expect(page.locator("#created-verify-token")).to_have_text("my-own-verify-token")
    webhook_url = await page.locator("#created-webhook-url").text_content()
    assert webhook_url
    assert "/api/v1/webhooks/whatsapp/" in webhook_url
    await expect(page.locator(".connection")).to_have_count(1)
    await expect(page.locator(".connection")).to_contain_text(webhook_url)
    await expect(page.get_by_label("Phone number ID")).to_have_value("")
    await shoot(page, "settings-integrations")

    # The URL and token shown are the ones Meta's subscription handshake needs.
    handshake = await page.request.get(
        webhook_url,
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": "my-own-verify-token",
            "hub.challenge": "4242",
        },
    )
    assert handshake.status == 200
    assert await handshake.text() == "4242"

    # Instagram goes through Meta's dialog (the built-in fake consents at once) and comes
    # back here (tests/e2e/test_web_instagram.py has the details).
    await page.get_by_role("button", name="Connect Instagram").click()
    await expect(page.locator("[data-instagram-notice]")).to_contain_text("Instagram connected")
    await expect(page).to_have_url(f"{live_server.url}/settings/integrations")
    await expect(page.locator(".connection")).to_have_count(2)
    instagram = page.locator(".connection", has_text="Instagram")
    await expect(instagram).to_contain_text("/api/v1/webhooks/instagram/")

    # Meta's dialog cannot bring a verify token back: the owner asks for one when needed.
    await instagram.get_by_role("button", name=re.compile("^New verify token")).click()
    await expect(page.locator("#created-title")).to_contain_text("New verify token for Instagram")
    await expect(page.locator(".toast").last).to_contain_text("old one no longer verifies")
    instagram_token = await page.locator("#created-verify-token").text_content()
    instagram_url = await page.locator("#created-webhook-url").text_content()
    assert instagram_token
    assert instagram_url
    verified = await page.request.get(
        instagram_url,
        params={"hub.mode": "subscribe", "hub.verify_token": instagram_token, "hub.challenge": "9"},
    )
    assert (verified.status, await verified.text()) == (200, "9")

    # Disconnecting asks first; cancelling keeps the account.
    whatsapp = page.locator(".connection", has_text="WhatsApp")
    await whatsapp.get_by_role("button", name=re.compile("^Disconnect")).click()
    dialog = page.get_by_role("dialog", name="Disconnect this account?")
    await expect(dialog).to_be_visible()
    await shoot(page, "settings-disconnect")
    await dialog.get_by_role("button", name="Cancel").click()
    await expect(dialog).to_be_hidden()
    await expect(page.locator(".connection")).to_have_count(2)
    await whatsapp.get_by_role("button", name=re.compile("^Disconnect")).click()
    await dialog.get_by_role("button", name="Disconnect").click()
    await expect(page.locator(".toast").last).to_contain_text("was disconnected")
    await expect(page.locator(".connection")).to_have_count(1)
    await expect(whatsapp).to_have_count(0)
    gone = await page.request.get(
        webhook_url, params={"hub.mode": "subscribe", "hub.verify_token": "my-own-verify-token"}
    )
    assert gone.status == 404
    console.assert_clean()


async def test_the_account_page_changes_name_and_password(
    live_server: LiveServer, page: Page
) -> None:
    console = await ConsoleWatch.attach(page)
    email = await sign_up(page, live_server)
    await page.locator(".user-menu-button").click()
    await page.get_by_role("link", name="Account settings").click()
    await page.wait_for_url("**/settings/account")
    await expect(page.get_by_label("Email")).to_have_value(email)

    await page.get_by_label("Your name").fill("Ngozi Okafor")
    await page.get_by_role("button", name="Save details").click()
    await expect(page.locator(".toast")).to_contain_text("Your details were saved.")
    await page.reload()
    await expect(page.get_by_label("Your name")).to_have_value("Ngozi Okafor")

    # Errors come back beside their field.
    await page.get_by_label("Current password").fill("not-my-password")
    await page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    await page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Change password").click()
    await expect(page.locator("#current_password-error")).to_have_text(
        "That is not your current password."
    )
    await expect(page.get_by_label("Current password")).to_have_attribute("aria-invalid", "true")
    await page.get_by_label("Current password").fill(PASSWORD)
    await page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    await page.get_by_label("Confirm new password").fill(NEW_PASSWORD + "x")
    await page.get_by_role("button", name="Change password").click()
    await expect(page.locator("#confirm_password-error")).to_have_text(
        "The passwords do not match."
    )
    await shoot(page, "settings-account")

    await page.get_by_label("Current password").fill(PASSWORD)
    await page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    await page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Change password").click()
    await page.wait_for_url("**/settings/account?notice=password-updated")
    await expect(page.locator(".toast")).to_contain_text("Your password has been changed.")

    # Still signed in here; the new password is the one that works now.
    await expect(page.get_by_label("Your name")).to_have_value("Ngozi Okafor")
    old = await page.request.post(
        f"{live_server.url}/auth/v1/token?grant_type=password",
        data={"email": email, "password": PASSWORD},
    )
    assert old.status == 400
    new = await page.request.post(
        f"{live_server.url}/auth/v1/token?grant_type=password",
        data={"email": email, "password": NEW_PASSWORD},
    )
    assert new.ok
    console.assert_clean()
