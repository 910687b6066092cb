"""The PRD's product events reach PostHog (a local fake, through the real SDK) from the
API and from the worker's jobs, with ids and labels only — never message content."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from core.settings import Settings
from tests.fakes.graph_api import FakeGraph
from tests.fakes.posthog_server import PostHogInbox, posthog_app
from tests.support.conversations import (
    SeededConnection,
    customer_message,
    new_customer,
    one,
    post_webhook,
)
from tests.support.job_context import job_context
from tests.support.live_server import LiveServer, free_port, serve_in_thread, start_live_server
from tests.support.workspace import Owner, owner_client
from workers.jobs.inbound import process_inbound_message

SECRET_TEXT = "my phone is 08031234567 and I want a person"


@pytest.fixture(scope="module")
def posthog() -> Iterator[tuple[str, PostHogInbox]]:
    inbox = PostHogInbox()
    port = free_port()
    server = serve_in_thread(posthog_app(inbox), port=port, ready_path="/ready")
    yield f"http://127.0.0.1:{port}", inbox
    server.stop()


@pytest.fixture(scope="module")
def tracked_settings(settings: Settings, posthog: tuple[str, PostHogInbox]) -> Settings:
    return settings.model_copy(
        update={"posthog_api_key": SecretStr("phc_test"), "posthog_host": posthog[0]}
    )


@pytest.fixture
def tracked_server(tracked_settings: Settings, migrated_database: str) -> Iterator[LiveServer]:
    server = start_live_server(tracked_settings)
    yield server
    server.stop()


def _events(inbox: PostHogInbox, name: str, distinct_id: str, count: int) -> list[dict[str, Any]]:
    """The events `name` for `distinct_id`, once `count` of them have arrived (or 10 s)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = [e for e in inbox.named(name) if e["distinct_id"] == distinct_id]
        if len(found) >= count:
            return found
        time.sleep(0.1)
    return [e for e in inbox.named(name) if e["distinct_id"] == distinct_id]


async def test_conversation_started_once_and_human_replied(
    tracked_server: LiveServer,
    tracked_settings: Settings,
    instagram: SeededConnection,
    posthog: tuple[str, PostHogInbox],
    pg: Any,
) -> None:
    customer = new_customer("ig")
    async with httpx.AsyncClient(base_url=tracked_server.url) as client:
        for text in ("hello", SECRET_TEXT):
            payload = customer_message(instagram, customer, text)
            assert (await post_webhook(client, instagram, payload)).status_code == 200
    conversation_id = one(
        pg, "SELECT id FROM conversations WHERE business_id = %s", instagram.business_id
    )
    user_id = one(pg, "SELECT user_id FROM businesses WHERE id = %s", instagram.business_id)
    async with owner_client(tracked_settings, tracked_server, user_id) as owner:
        reply = await owner.post(
            f"/api/v1/conversations/{conversation_id}/messages",
            json={"text_content": "A person here, how can I help?"},
            headers={"Idempotency-Key": "reply-1"},
        )
        assert reply.status_code == 201, reply.text
        repeated = await owner.post(
            f"/api/v1/conversations/{conversation_id}/messages",
            json={"text_content": "A person here, how can I help?"},
            headers={"Idempotency-Key": "reply-1"},
        )
        assert repeated.status_code == 201
    tracked_server.stop()  # the lifespan's shutdown flushes the SDK's queue
    _, inbox = posthog
    business = str(instagram.business_id)
    [started] = _events(inbox, "conversation_started", business, 1)
    assert started["properties"]["conversation_id"] == str(conversation_id)
    assert started["properties"]["platform"] == "instagram"
    [replied] = _events(inbox, "human_replied", business, 1)
    assert replied["properties"]["conversation_id"] == str(conversation_id)
    raw = str(inbox.events)
    assert "08031234567" not in raw
    assert "how can I help" not in raw


async def test_onboarding_started_and_completed(
    tracked_server: LiveServer, tracked_settings: Settings, posthog: tuple[str, PostHogInbox]
) -> None:
    async with owner_client(tracked_settings, tracked_server, uuid.uuid4()) as client:
        owner = Owner(client)
        business = str((await owner.context())["id"])
        turn = await owner.onboarding()
        for _ in range(40):
            if turn.message["stage"] != "questions":
                break
            turn = await owner.onboarding("Metric Cafe" if turn.asking == "name" else "skip")
        assert turn.message["stage"] == "summary"
        done = await owner.onboarding("Yes, looks good!")
        assert done.message["stage"] == "complete"
    tracked_server.stop()
    _, inbox = posthog
    assert len(_events(inbox, "onboarding_started", business, 1)) == 1
    assert len(_events(inbox, "onboarding_completed", business, 1)) == 1


@pytest.fixture
async def job_ctx(
    tracked_settings: Settings, engine: AsyncEngine, fake_graph: FakeGraph
) -> AsyncIterator[dict[str, Any]]:
    """What the worker's startup puts in arq's ctx, with analytics on."""
    settings = tracked_settings.model_copy(update={"meta_graph_base_url": fake_graph.url})
    async with job_context(settings, engine) as ctx:
        yield ctx


async def test_the_responder_job_tracks_its_escalation(
    job_ctx: dict[str, Any],
    tracked_server: LiveServer,
    instagram: SeededConnection,
    posthog: tuple[str, PostHogInbox],
    pg: Any,
) -> None:
    async with httpx.AsyncClient(base_url=tracked_server.url) as client:
        payload = customer_message(instagram, new_customer("ig"), SECRET_TEXT)
        assert (await post_webhook(client, instagram, payload)).status_code == 200
    conversation_id = one(
        pg, "SELECT id FROM conversations WHERE business_id = %s", instagram.business_id
    )
    assert await process_inbound_message(job_ctx, str(conversation_id)) == "escalated"
    job_ctx["analytics"].flush()
    _, inbox = posthog
    [escalated] = _events(inbox, "ai_escalated", str(instagram.business_id), 1)
    assert escalated["properties"] == {"conversation_id": str(conversation_id)} | {
        k: v for k, v in escalated["properties"].items() if k.startswith("$")
    }
    assert "08031234567" not in str(inbox.events)
