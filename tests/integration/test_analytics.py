"""PostHog through the real SDK: the PRD's events arrive without content, and a PostHog
outage changes nothing for the owner."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from core.analytics import safe_properties
from core.settings import Settings
from tests.fakes.posthog_server import PostHogInbox, posthog_app
from tests.support.live_server import LiveServer, free_port, serve_in_thread, start_live_server

PRODUCT = {
    "name": "Secret Recipe Hoodie",
    "base_price": "40.00",
    "variants": [{"option_name": "Size", "values": ["S", "M"]}],
}


@pytest.fixture
def posthog() -> Iterator[tuple[str, PostHogInbox]]:
    inbox = PostHogInbox()
    port = free_port()
    server = serve_in_thread(posthog_app(inbox), port=port, ready_path="/ready")
    yield f"http://127.0.0.1:{port}", inbox
    server.stop()


def _signed_up_token(server: LiveServer) -> tuple[str, str]:
    email = f"owner-{uuid.uuid4().hex[:10]}@example.com"
    response = httpx.post(
        f"{server.url}/auth/v1/signup", json={"email": email, "password": "correct-horse-battery"}
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"], email


def _owner_flow(server: LiveServer) -> tuple[str, str]:
    token, email = _signed_up_token(server)
    headers = {"Authorization": f"Bearer {token}"}
    me = httpx.get(f"{server.url}/api/v1/users/me", headers=headers)
    assert me.status_code == 200
    # a later call is the same user, not a second sign-up
    assert httpx.get(f"{server.url}/api/v1/users/me", headers=headers).status_code == 200
    created = httpx.post(f"{server.url}/api/v1/products", json=PRODUCT, headers=headers)
    assert created.status_code == 201, created.text
    return me.json()["id"], email


def _wait_for(inbox: PostHogInbox, name: str) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 10
    while not inbox.named(name) and time.monotonic() < deadline:
        time.sleep(0.1)
    return inbox.named(name)


def test_signup_and_product_events_carry_ids_not_content(
    settings: Settings, posthog: tuple[str, PostHogInbox]
) -> None:
    host, inbox = posthog
    server = start_live_server(
        settings.model_copy(update={"posthog_api_key": SecretStr("phc_test"), "posthog_host": host})
    )
    try:
        user_id, email = _owner_flow(server)
    finally:
        server.stop()  # the lifespan's shutdown flushes the SDK's queue
    signed_up = _wait_for(inbox, "user_signed_up")
    assert [event["distinct_id"] for event in signed_up] == [user_id]
    product = _wait_for(inbox, "product_created")
    assert len(product) == 1
    assert product[0]["properties"]["items"] == 2
    raw = str(inbox.events)
    assert email not in raw
    assert "Secret Recipe" not in raw


def test_app_works_when_posthog_is_down(settings: Settings) -> None:
    server = start_live_server(
        settings.model_copy(
            update={
                "posthog_api_key": SecretStr("phc_test"),
                "posthog_host": f"http://127.0.0.1:{free_port()}",
            }
        )
    )
    try:
        _owner_flow(server)
    finally:
        server.stop()


def test_safe_properties_keeps_ids_and_numbers_only() -> None:
    kept = safe_properties(
        {
            "product_id": "3f1c-aa",
            "items": 3,
            "ratio": 0.5,
            "auto": True,
            "name": "Cool Hoodie",
            "email": "a@b.co",
            "phone": "+2348031234567",
            "blob": {"x": 1},
        }
    )
    assert kept == {"product_id": "3f1c-aa", "items": 3, "ratio": 0.5, "auto": True}
