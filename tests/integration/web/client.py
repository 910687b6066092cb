"""A browser's side of the web app over real HTTP: cookies, page tokens and form posts.

`WebBrowser` keeps a cookie jar as a browser does, remembers the CSRF token of the last
page it loaded (from `<meta name="csrf-token">`), and posts forms the way a form would
(`application/x-www-form-urlencoded`, with that token).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from api.pages.cookies import SESSION_COOKIE, SessionTokens, decode_session, encode_session

_META = re.compile(r'<meta name="csrf-token" content="([^"]*)">')
PASSWORD = "correct-horse-battery"


def new_email() -> str:
    """An address no other test uses."""
    return f"owner-{uuid.uuid4().hex[:12]}@example.com"


@dataclass
class WebBrowser:
    """One browser (one cookie jar) on the live server."""

    client: httpx.AsyncClient
    token: str = ""
    pages: list[str] = field(default_factory=list)

    async def open(self, path: str) -> httpx.Response:
        """GET a page and remember its CSRF token."""
        response = await self.client.get(path)
        if match := _META.search(response.text):
            self.token = match.group(1)
        self.pages.append(path)
        return response

    async def submit(
        self, path: str, data: dict[str, str], *, token: str | None = None
    ) -> httpx.Response:
        """POST a form with the page's CSRF token (or `token`; "" sends none)."""
        chosen = self.token if token is None else token
        fields = {**data, "csrf_token": chosen} if chosen else dict(data)
        response = await self.client.post(path, data=fields)
        if match := _META.search(response.text):
            self.token = match.group(1)
        return response

    async def call(
        self, method: str, path: str, *, json: Any = None, token: str | None = None
    ) -> httpx.Response:
        """A same-origin API call as the pages' scripts make it (cookie + X-CSRF-Token)."""
        chosen = self.token if token is None else token
        headers = {"X-CSRF-Token": chosen} if chosen else {}
        return await self.client.request(method, path, json=json, headers=headers)

    @property
    def session(self) -> SessionTokens | None:
        """The tokens in the browser's session cookie."""
        return decode_session(self.client.cookies.get(SESSION_COOKIE))

    def set_session(self, tokens: SessionTokens) -> None:
        """Replace the session cookie, as if the server had set it."""
        self.client.cookies.delete(SESSION_COOKIE)
        host = self.client.base_url.host
        self.client.cookies.set(SESSION_COOKIE, encode_session(tokens), domain=host, path="/")

    async def signed_up(self) -> SessionTokens:
        """Sign up a new account and return the session the cookie holds."""
        await self.sign_up()
        tokens = self.session
        assert tokens is not None
        return tokens

    async def sign_up(self, email: str | None = None, password: str = PASSWORD) -> httpx.Response:
        """Create an account through the sign-up form."""
        await self.open("/signup")
        return await self.submit(
            "/signup",
            {
                "email": email or new_email(),
                "password": password,
                "confirm_password": password,
            },
        )
