"""CSRF: a cookie-authenticated change needs the page's token; Bearer callers need none."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import psycopg

from tests.integration.web.client import PASSWORD, WebBrowser, new_email

PRODUCT = {"name": "Linen Shirt", "base_price": "25.00"}


def product_count(pg: psycopg.Connection, name: str) -> int:
    row = pg.execute("SELECT count(*) FROM products WHERE name = %s", (name,)).fetchone()
    assert row is not None
    return int(row[0])


async def test_cookie_reads_need_no_token_but_changes_do(
    browser_http: WebBrowser, pg: psycopg.Connection
) -> None:
    product = {**PRODUCT, "name": f"Shirt {uuid.uuid4().hex[:8]}"}
    await browser_http.sign_up()
    await browser_http.open("/products")
    me = await browser_http.call("GET", "/api/v1/users/me", token="")
    assert me.status_code == 200

    refused = await browser_http.call("POST", "/api/v1/products", json=product, token="")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    forged = await browser_http.call("POST", "/api/v1/products", json=product, token="x" * 43)
    assert forged.status_code == 403
    assert product_count(pg, product["name"]) == 0

    created = await browser_http.call("POST", "/api/v1/products", json=product)
    assert created.status_code == 201, created.text
    product_id = created.json()["id"]
    deleted = await browser_http.call("DELETE", f"/api/v1/products/{product_id}", token="")
    assert deleted.status_code == 403
    assert (await browser_http.call("DELETE", f"/api/v1/products/{product_id}")).status_code == 204


async def test_bearer_callers_need_no_csrf_token(browser_http: WebBrowser) -> None:
    tokens = await browser_http.signed_up()
    browser_http.client.cookies.clear()
    response = await browser_http.client.post(
        "/api/v1/products",
        json=PRODUCT,
        headers={"Authorization": f"Bearer {tokens.access_token}"},
    )
    assert response.status_code == 201, response.text


async def test_another_browsers_token_is_refused(new_browser: Callable[[], WebBrowser]) -> None:
    victim, attacker = new_browser(), new_browser()
    await victim.sign_up()
    await attacker.sign_up()
    await attacker.open("/products")
    stolen = await victim.call("POST", "/api/v1/products", json=PRODUCT, token=attacker.token)
    assert stolen.status_code == 403


async def test_a_token_from_before_signing_in_is_not_valid_after(browser_http: WebBrowser) -> None:
    await browser_http.open("/signup")
    anonymous_token = browser_http.token
    await browser_http.submit(
        "/signup",
        {"email": new_email(), "password": PASSWORD, "confirm_password": PASSWORD},
    )
    stale = await browser_http.call("POST", "/api/v1/products", json=PRODUCT, token=anonymous_token)
    assert stale.status_code == 403
    await browser_http.open("/")
    assert browser_http.token != anonymous_token
    fresh = await browser_http.call("POST", "/api/v1/products", json=PRODUCT)
    assert fresh.status_code == 201


async def test_form_posts_without_the_token_are_refused(browser_http: WebBrowser) -> None:
    await browser_http.sign_up()
    await browser_http.open("/")
    logout = await browser_http.submit("/logout", {}, token="")
    assert logout.status_code == 403
    assert browser_http.session is not None  # still signed in
    assert (await browser_http.call("GET", "/api/v1/users/me")).status_code == 200

    other = WebBrowser(browser_http.client)
    browser_http.client.cookies.clear()
    login = await other.submit(
        "/login", {"email": "someone@example.com", "password": "whatever-it-is"}, token=""
    )
    assert login.status_code == 403
    assert "This form expired" in login.text
    assert browser_http.session is None
