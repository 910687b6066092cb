"""The sign-in pages over HTTP: inline errors, the password reset link, and Google."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import psycopg
import pytest
from pydantic import SecretStr

from core.settings import Settings
from tests.fakes.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    Account,
    FakeOidcProvider,
    running_oidc_provider,
)
from tests.integration.auth.conftest import latest_email
from tests.integration.web.client import PASSWORD, WebBrowser, new_email
from tests.support.live_server import LiveServer, start_live_server


def field_error(html: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
    return found.group(1) if found else ""


def form_error(html: str) -> str:
    found = re.search(r'<div class="form-error"[^>]*>([^<]*)</div>', html)
    return found.group(1) if found else ""


async def test_login_errors_show_beside_the_form(new_browser: Callable[[], WebBrowser]) -> None:
    email = new_email()
    await new_browser().sign_up(email)
    browser = new_browser()
    await browser.open("/login")
    wrong = await browser.submit("/login", {"email": email, "password": "not-the-password"})
    assert wrong.status_code == 400
    assert form_error(wrong.text) == "Invalid credentials. Check your email and password."
    assert f'value="{email}"' in wrong.text  # the email is kept, the password is not
    assert "not-the-password" not in wrong.text
    unknown = await browser.submit("/login", {"email": new_email(), "password": PASSWORD})
    assert form_error(unknown.text).startswith("Invalid credentials")


async def test_signup_errors_show_beside_their_fields(
    new_browser: Callable[[], WebBrowser],
) -> None:
    email = new_email()
    await new_browser().sign_up(email)
    browser = new_browser()
    taken = await browser.sign_up(email)
    assert taken.status_code == 422
    assert field_error(taken.text, "email") == "Email already in use."
    assert 'aria-invalid="true"' in taken.text

    weak = await browser.sign_up(new_email(), password="short")
    assert weak.status_code == 422
    assert field_error(weak.text, "password") == (
        "Password is too weak. Password should be at least 8 characters."
    )

    await browser.open("/signup")
    mismatch = await browser.submit(
        "/signup",
        {"email": new_email(), "password": PASSWORD, "confirm_password": PASSWORD + "x"},
    )
    assert field_error(mismatch.text, "confirm_password") == "The passwords do not match."
    bad_email = await browser.sign_up("not-an-email")
    assert field_error(bad_email.text, "email") == "Enter a valid email address."


async def test_a_password_reset_link_signs_in_and_sets_the_new_password(
    new_browser: Callable[[], WebBrowser], pg: psycopg.Connection, live_server: LiveServer
) -> None:
    email = new_email()
    await new_browser().sign_up(email)
    browser = new_browser()
    await browser.open("/forgot-password")
    sent = await browser.submit("/forgot-password", {"email": email})
    assert "we've sent it a link" in sent.text
    unknown = await browser.submit("/forgot-password", {"email": new_email()})
    assert "we've sent it a link" in unknown.text  # no account enumeration

    link = str(latest_email(pg, email, "recovery")["action_link"])
    followed = await browser.client.get(link)
    assert followed.status_code == 303
    landing = followed.headers["location"]
    assert landing.startswith(f"{live_server.url}/callback#")
    params = {k: v[0] for k, v in parse_qs(urlsplit(landing).fragment).items()}
    assert params["type"] == "recovery"

    # What callback.js does with the fragment:
    await browser.open("/callback")
    stored = await browser.call(
        "POST",
        "/callback/session",
        json={k: params[k] for k in ("access_token", "refresh_token", "type")},
    )
    assert stored.status_code == 200, stored.text
    assert stored.json()["reset_password"] is True
    browser.token = stored.json()["csrf_token"]
    assert browser.session is not None

    short = await browser.submit(
        "/callback/reset-password", {"password": "short", "confirm_password": "short"}
    )
    assert field_error(short.text, "password").startswith("Password is too weak")
    new_password = "a-brand-new-passphrase"
    done = await browser.submit(
        "/callback/reset-password",
        {"password": new_password, "confirm_password": new_password},
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/workspace/onboarding?notice=password-updated"

    fresh = new_browser()
    await fresh.open("/login")
    old = await fresh.submit("/login", {"email": email, "password": PASSWORD})
    assert old.status_code == 400
    new = await fresh.submit("/login", {"email": email, "password": new_password})
    assert new.status_code == 303


async def test_the_callback_refuses_a_session_without_the_csrf_token(
    browser_http: WebBrowser,
) -> None:
    await browser_http.open("/callback")
    response = await browser_http.call(
        "POST", "/callback/session", json={"access_token": "a", "refresh_token": "b"}, token=""
    )
    assert response.status_code == 403
    assert browser_http.session is None


async def test_google_is_hidden_when_not_configured(browser_http: WebBrowser) -> None:
    login = await browser_http.open("/login")
    assert "Continue with Google" not in login.text
    assert (await browser_http.open("/login/google")).status_code == 404


@pytest.fixture
def google_server(settings: Settings) -> Iterator[tuple[LiveServer, FakeOidcProvider]]:
    """CHIDI with Google sign-in configured against the fake provider."""
    with running_oidc_provider() as provider:
        server = start_live_server(
            settings.model_copy(
                update={
                    "google_client_id": CLIENT_ID,
                    "google_client_secret": SecretStr(CLIENT_SECRET),
                    "google_discovery_url": provider.discovery_url,
                }
            )
        )
        try:
            yield server, provider
        finally:
            server.stop()


async def test_continue_with_google_signs_in_through_pkce(
    google_server: tuple[LiveServer, FakeOidcProvider],
) -> None:
    server, provider = google_server
    provider.account = Account(email=new_email(), name="Chioma Eze")
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        browser = WebBrowser(client)
        login = await browser.open("/login")
        assert 'href="/login/google"' in login.text
        url = f"{server.url}/login/google"
        for _ in range(
            6
        ):  # CHIDI -> /auth/v1/authorize -> Google -> /auth/v1/callback -> /callback
            response = await client.get(url)
            assert response.status_code in (302, 303), response.text
            url = response.headers["location"]
            if urlsplit(url).path == "/callback":
                break
        assert "code=" in url
        assert "access_token" not in url  # PKCE: no tokens in the URL
        finished = await client.get(url)
        assert finished.status_code == 303
        assert finished.headers["location"] == "/workspace/onboarding"
        me = await browser.call("GET", "/api/v1/users/me")
        assert me.json()["email"] == provider.account.email
        assert me.json()["full_name"] == "Chioma Eze"
        assert provider.authorize_requests[-1]["code_challenge_method"] == "S256"
