"""Signing in, out and back in a real browser: the inline errors, keyboard use, the
password-reset link (its session arrives in the URL fragment), logout, and the CSP."""

from __future__ import annotations

import re

import psycopg
import pytest
from playwright.async_api import Page, expect

from api.pages.headers import CONTENT_SECURITY_POLICY
from tests.e2e.web_support import (
    PASSWORD,
    ConsoleWatch,
    new_email,
    register,
    shoot,
    sign_up,
)
from tests.integration.auth.conftest import latest_email
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)


async def test_the_auth_forms_show_their_errors_inline(live_server: LiveServer, page: Page) -> None:
    console = await ConsoleWatch.attach(page)
    taken = await register(page, live_server)

    response = await page.goto(f"{live_server.url}/signup")
    assert response is not None
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    await shoot(page, "signup")
    await page.get_by_label("Email").fill(new_email())
    await page.get_by_label("Password", exact=True).fill("short")
    await page.get_by_label("Confirm password").fill("short")
    await page.get_by_role("button", name="Sign up").click()
    password = page.get_by_label("Password", exact=True)
    await expect(password).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#password-error")).to_have_text(
        "Password is too weak. Password should be at least 8 characters."
    )
    await expect(password).to_be_focused()  # the first error gets the focus

    await page.get_by_label("Email").fill(taken)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_label("Confirm password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign up").click()
    await expect(page.locator("#email-error")).to_have_text("Email already in use.")
    await shoot(page, "signup-error")

    await page.get_by_role("link", name="Log in").click()
    await page.get_by_label("Email").fill(taken)
    await page.get_by_label("Password").fill("not-my-password")
    await page.get_by_role("button", name="Log in").click()
    alert = page.get_by_role("alert")
    await expect(alert).to_have_text("Invalid credentials. Check your email and password.")
    await expect(page.get_by_label("Email")).to_have_value(taken)
    await shoot(page, "login-error")
    console.assert_clean()


async def test_logging_in_with_the_keyboard_alone(live_server: LiveServer, page: Page) -> None:
    console = await ConsoleWatch.attach(page)
    email = await register(page, live_server)
    await page.goto(f"{live_server.url}/login")
    await shoot(page, "login")
    order = []
    for _ in range(7):
        await page.keyboard.press("Tab")
        order.append(
            await page.evaluate(
                "(el => el.getAttribute('aria-label') || el.id || el.textContent.trim())"
                "(document.activeElement)"
            )
        )
    assert order[:6] == [
        "Skip to main content",
        "CHIDI home",
        "email",
        "password",
        "Forgot your password?",
        "Log in",
    ], order
    await page.get_by_label("Email").focus()
    await page.keyboard.type(email)
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(f"{live_server.url}/workspace/onboarding")
    console.assert_clean()


async def test_a_password_reset_link_leads_to_a_new_password(
    live_server: LiveServer, page: Page, pg: psycopg.Connection
) -> None:
    console = await ConsoleWatch.attach(page)
    email = await register(page, live_server)
    await page.goto(f"{live_server.url}/login")
    await page.get_by_role("link", name="Forgot your password?").click()
    await shoot(page, "forgot-password")
    await page.get_by_label("Email").fill(email)
    await page.get_by_role("button", name="Send reset link").click()
    await expect(page.get_by_role("status").first).to_contain_text("we've sent it a link")

    await page.goto(latest_email(pg, email, "recovery")["action_link"])
    await expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    await expect(page).to_have_url(f"{live_server.url}/callback")  # the tokens left the URL
    await expect(page.get_by_label("New password", exact=True)).to_be_focused()
    await shoot(page, "reset-password")
    await page.get_by_label("New password", exact=True).fill("a-brand-new-passphrase")
    await page.get_by_label("Confirm new password").fill("a-brand-new-passphrase")
    await page.get_by_role("button", name="Save new password").click()
    await expect(page).to_have_url(re.compile(r"/workspace/onboarding\?notice=password-updated$"))
    await expect(page.locator(".toast")).to_have_text("Your password has been changed.")
    console.assert_clean()


async def test_an_expired_link_says_so(live_server: LiveServer, page: Page) -> None:
    console = await ConsoleWatch.attach(page)
    await page.goto(
        f"{live_server.url}/auth/v1/verify?token=pkce_no&type=recovery&redirect_to="
        f"{live_server.url}/callback"
    )
    await expect(page.get_by_role("heading", name="That didn't work")).to_be_visible()
    await expect(page.get_by_role("link", name="Get a new reset link")).to_be_visible()
    await page.goto(f"{live_server.url}/auth/v1/verify?token=nope&type=recovery")
    await expect(page.get_by_role("alert")).to_contain_text("expired")
    console.assert_clean()


async def test_logging_out_from_the_user_menu(live_server: LiveServer, page: Page) -> None:
    console = await ConsoleWatch.attach(page)
    email = await sign_up(page, live_server)
    menu = page.get_by_text(email).first
    await page.locator("summary.user-menu-button").click()
    await expect(menu).to_be_visible()
    await page.keyboard.press("Escape")
    await expect(page.get_by_role("button", name="Log out")).to_be_hidden()
    await page.locator("summary.user-menu-button").click()
    await page.get_by_role("button", name="Log out").click()
    await expect(page).to_have_url(f"{live_server.url}/login?notice=signed-out")
    await expect(page.locator(".toast")).to_have_text("You have been signed out.")
    await page.goto(f"{live_server.url}/products")
    await expect(page).to_have_url(f"{live_server.url}/login?next=%2Fproducts")
    console.assert_clean()
