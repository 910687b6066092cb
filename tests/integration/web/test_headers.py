"""Security headers: the strict CSP on every page, and pages free of inline script/style."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx

from api.pages.headers import CONTENT_SECURITY_POLICY
from tests.integration.web.client import WebBrowser
from tests.support.live_server import LiveServer

SIGNED_OUT_PAGES = ["/login", "/signup", "/forgot-password", "/callback"]
SIGNED_IN_PAGES = ["/", "/products", "/products/new", "/workspace/onboarding", "/products/x/edit"]
_SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
_STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
_EVENT_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def assert_page_is_locked_down(response: httpx.Response) -> None:
    headers = response.headers
    assert headers["content-type"].startswith("text/html")
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"
    html = response.text
    for attributes in _SCRIPT.findall(html):
        # Only files, or inert JSON data: nothing the CSP would have to allow inline.
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
    assert "<style" not in html.lower()
    assert not _STYLE_ATTRIBUTE.search(html)
    assert not _EVENT_ATTRIBUTE.search(html)


def test_the_policy_is_strict() -> None:
    directives = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


async def test_every_page_carries_the_headers_and_no_inline_code(
    new_browser: Callable[[], WebBrowser],
) -> None:
    visitor = new_browser()
    for path in SIGNED_OUT_PAGES:
        response = await visitor.open(path)
        assert response.status_code == 200, path
        assert_page_is_locked_down(response)
    owner = new_browser()
    await owner.sign_up()
    for path in SIGNED_IN_PAGES:
        response = await owner.open(path)
        assert response.status_code in (200, 404), path
        assert_page_is_locked_down(response)


async def test_api_and_static_responses_get_the_basic_headers(live_server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live_server.url) as client:
        api = await client.get("/api/v1/users/me")
        css = await client.get("/static/css/app.css")
        script = await client.get("/static/js/app.js")
    assert api.status_code == 401
    assert api.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in api.headers  # JSON, not a page
    assert css.headers["content-type"].startswith("text/css")
    assert script.headers["content-type"].split(";")[0] in (
        "text/javascript",
        "application/javascript",
    )
    assert script.headers["cache-control"] == "no-cache"
    assert script.headers["x-content-type-options"] == "nosniff"
