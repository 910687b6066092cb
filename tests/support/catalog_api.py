"""Owners talking to the live server over real HTTP, for the catalog API tests.

Tokens are minted with the embedded auth's own signer (the server verifies them exactly as
it verifies tokens from /auth/v1/token); one test signs up over HTTP to cover that path.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from core.security import TokenSubject, issue_access_token
from core.settings import Settings
from tests.support.live_server import LiveServer

HOODIE: dict[str, Any] = {
    "name": "Cool Hoodie",
    "description": "Warm, soft cotton hoodie",
    "category": "Apparel",
    "base_price": "40.00",
    "images_urls": ["https://cdn.example.com/hoodie.jpg"],
    "variants": [
        {"option_name": "Size", "values": ["S", "M"]},
        {"option_name": "Color", "values": ["Red", "Blue"]},
    ],
}


def access_token(settings: Settings, server: LiveServer, *, user_id: uuid.UUID, email: str) -> str:
    """A valid access token for a new user of the embedded auth at `server`."""
    return issue_token(settings, server.url, user_id=user_id, email=email)


def issue_token(settings: Settings, issuer_url: str, *, user_id: uuid.UUID, email: str) -> str:
    """A valid access token from the embedded auth of the API at `issuer_url` (any process
    of a deployment whose public URL that is)."""
    now = int(time.time())
    subject = TokenSubject(
        user_id=user_id,
        email=email,
        session_id=uuid.uuid4(),
        auth_method="password",
        authenticated_at=now,
    )
    token, _ = issue_access_token(
        subject,
        secret=settings.jwt_secret.get_secret_value(),
        issuer=f"{issuer_url}/auth/v1",
        ttl_seconds=3600,
        now=now,
    )
    return token


@dataclass
class Owner:
    """A signed-in owner with a client on the live server."""

    client: httpx.AsyncClient

    async def create_product(
        self, body: dict[str, Any] | None = None, **overrides: Any
    ) -> dict[str, Any]:
        """POST a product (the hoodie unless told otherwise); asserts 201."""
        response = await self.client.post(
            "/api/v1/products", json={**(body or HOODIE), **overrides}
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created


async def _owner(settings: Settings, server: LiveServer) -> AsyncIterator[Owner]:
    user_id = uuid.uuid4()
    token = access_token(settings, server, user_id=user_id, email=f"{user_id.hex}@example.com")
    async with httpx.AsyncClient(
        base_url=server.url, timeout=30, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        yield Owner(client)


@pytest.fixture
async def owner(settings: Settings, live_server: LiveServer) -> AsyncIterator[Owner]:
    """A fresh owner (and so a fresh, empty business)."""
    async for created in _owner(settings, live_server):
        yield created


@pytest.fixture
async def rival(settings: Settings, live_server: LiveServer) -> AsyncIterator[Owner]:
    """Another fresh owner: the other tenant."""
    async for created in _owner(settings, live_server):
        yield created
