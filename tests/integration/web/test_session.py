"""The session cookie: what signing up sets, transparent refresh, refusal, and logout."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from http.cookies import SimpleCookie

import httpx
import jwt

from api.pages.cookies import (
    SESSION_COOKIE,
    SessionTokens,
    decode_session,
    encode_session,
    unverified_claims,
)
from core.security import TokenSubject, issue_access_token
from core.settings import Settings
from tests.integration.web.client import PASSWORD, WebBrowser, new_email
from tests.support.live_server import LiveServer


def set_cookie_attributes(response: httpx.Response, name: str) -> dict[str, str | bool]:
    for header in response.headers.get_list("set-cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        if name in jar:
            morsel = jar[name]
            return {key: morsel[key] for key in morsel if morsel[key]}
    raise AssertionError(f"no Set-Cookie for {name}")


def expired_copy(settings: Settings, server: LiveServer, tokens: SessionTokens) -> SessionTokens:
    """The same sign-in with an access token that expired a minute ago."""
    claims = unverified_claims(tokens.access_token)
    past = int(time.time()) - 3700
    subject = TokenSubject(
        user_id=claims["sub"],
        email=claims["email"],
        session_id=claims["session_id"],
        auth_method="password",
        authenticated_at=past,
    )
    access, _ = issue_access_token(
        subject,
        secret=settings.jwt_secret.get_secret_value(),
        issuer=f"{server.url}/auth/v1",
        ttl_seconds=3600,
        now=past,
    )
    return SessionTokens(access_token=access, refresh_token=tokens.refresh_token)


async def test_signing_up_sets_an_httponly_samesite_cookie_and_goes_to_onboarding(
    browser_http: WebBrowser,
) -> None:
    response = await browser_http.sign_up()
    assert response.status_code == 303
    assert response.headers["location"] == "/workspace/onboarding"
    attributes = set_cookie_attributes(response, SESSION_COOKIE)
    assert attributes["httponly"] is True
    assert str(attributes["samesite"]).lower() == "lax"
    assert attributes["path"] == "/"
    assert "secure" not in attributes  # test environment; Secure in production
    tokens = browser_http.session
    assert tokens is not None
    jwt.decode(tokens.access_token, options={"verify_signature": False})


async def test_an_expired_access_token_is_refreshed_transparently(
    browser_http: WebBrowser, settings: Settings, live_server: LiveServer
) -> None:
    tokens = await browser_http.signed_up()
    expired = expired_copy(settings, live_server, tokens)
    browser_http.set_session(expired)

    page = await browser_http.open("/products")
    assert page.status_code == 200
    renewed = browser_http.session
    assert renewed is not None
    assert renewed.refresh_token != tokens.refresh_token
    assert unverified_claims(renewed.access_token)["exp"] > time.time() + 60
    # The old refresh token was used up by the rotation.
    async with httpx.AsyncClient(base_url=live_server.url) as raw:
        reuse = await raw.post(
            "/auth/v1/token",
            params={"grant_type": "refresh_token"},
            json={"refresh_token": renewed.refresh_token},
        )
    assert reuse.status_code == 200  # the new one works


async def test_concurrent_requests_share_one_refresh(
    new_browser: Callable[[], WebBrowser], settings: Settings, live_server: LiveServer
) -> None:
    owner = new_browser()
    tokens = await owner.signed_up()
    expired = encode_session(expired_copy(settings, live_server, tokens))

    async def fetch() -> httpx.Response:
        async with httpx.AsyncClient(base_url=live_server.url) as tab:
            tab.cookies.set(SESSION_COOKIE, expired)
            return await tab.get("/api/v1/users/me")

    answers = await asyncio.gather(*(fetch() for _ in range(6)))
    assert [a.status_code for a in answers] == [200] * 6
    cookies = {a.cookies.get(SESSION_COOKIE) for a in answers}
    assert len(cookies) == 1  # one rotation, shared
    # The session survived: the shared new refresh token still works.
    shared = decode_session(cookies.pop())
    assert shared is not None
    owner.set_session(shared)
    assert (await owner.open("/")).status_code in (200, 303)
    assert (await owner.call("GET", "/api/v1/users/me")).status_code == 200


async def test_a_refused_refresh_signs_the_browser_out(
    browser_http: WebBrowser, settings: Settings, live_server: LiveServer
) -> None:
    tokens = await browser_http.signed_up()
    broken = SessionTokens(
        access_token=expired_copy(settings, live_server, tokens).access_token,
        refresh_token="not-a-refresh-token",
    )
    browser_http.set_session(broken)
    page = await browser_http.open("/products")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Fproducts"
    assert browser_http.session is None
    api = await browser_http.call("GET", "/api/v1/users/me")
    assert api.status_code == 401


async def test_logging_out_ends_the_session(
    browser_http: WebBrowser, live_server: LiveServer
) -> None:
    tokens = await browser_http.signed_up()
    await browser_http.open("/")
    response = await browser_http.submit("/logout", {})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?notice=signed-out"
    assert browser_http.session is None
    async with httpx.AsyncClient(base_url=live_server.url) as raw:
        refresh = await raw.post(
            "/auth/v1/token",
            params={"grant_type": "refresh_token"},
            json={"refresh_token": tokens.refresh_token},
        )
    assert refresh.status_code == 400
    signed_out = await browser_http.open("/login?notice=signed-out")
    assert "You have been signed out." in signed_out.text


async def test_logging_in_goes_to_onboarding_then_to_the_dashboard_once_done(
    new_browser: Callable[[], WebBrowser],
) -> None:
    email = new_email()
    first = new_browser()
    await first.sign_up(email)
    second = new_browser()
    await second.open("/login")
    response = await second.submit("/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["location"] == "/workspace/onboarding"
    # An already signed-in browser skips the login page.
    again = await second.open("/login")
    assert again.status_code == 303
    assert again.headers["location"] == "/workspace/onboarding"


async def test_the_next_page_is_honoured_only_on_this_site(
    new_browser: Callable[[], WebBrowser],
) -> None:
    email = new_email()
    await new_browser().sign_up(email)
    for target, expected in (
        ("/products?page=2", "/products?page=2"),
        ("//evil.example.com/x", "/workspace/onboarding"),
        ("https://evil.example.com/", "/workspace/onboarding"),
        ("/\\evil.example.com", "/workspace/onboarding"),
    ):
        browser = new_browser()
        await browser.open("/login")
        response = await browser.submit(
            "/login", {"email": email, "password": PASSWORD, "next": target}
        )
        assert response.headers["location"] == expected, target


async def test_signed_out_pages_send_the_browser_to_the_login_page(
    browser_http: WebBrowser,
) -> None:
    for path, login in (
        ("/", "/login"),
        ("/products", "/login?next=%2Fproducts"),
        ("/products/new", "/login?next=%2Fproducts%2Fnew"),
        ("/workspace/onboarding", "/login?next=%2Fworkspace%2Fonboarding"),
    ):
        response = await browser_http.open(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == login
