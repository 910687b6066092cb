"""Each metric counts when its real code path runs, and /metrics shows it.

The API runs in this process (a uvicorn thread), so what this process records is what the
scrape shows; worker processes reach /metrics through their Redis snapshots.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator

import httpx
import openai
import pytest
from arq.constants import default_queue_name
from langchain_core.messages import HumanMessage
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from agents.responder import respond_to_conversation
from core.chat_model import get_chat_model
from core.settings import Settings
from store.conversations.outbox import queue_message
from store.db import create_sessionmaker, session_scope
from store.tables.base import utcnow
from store.tables.conversations import Conversation
from store.tables.enums import ConversationSenderType, SocialPlatform
from tests.fakes.graph_api import FakeGraph, GraphFailure
from tests.fakes.openai_script import Failure, Reply
from tests.integration.monitoring.conftest import Scraper
from tests.integration.monitoring.seed import escalating_conversation
from tests.support.conversations import (
    SeededConnection,
    customer_message,
    new_customer,
    post_webhook,
)
from tests.support.openai_fixtures import FakeOpenAI
from tests.support.workers import clear_job_queue
from workers.delivery import Delivery, DeliveryDeps, deliver
from workers.runtime import observed, publish_metrics

FAILURES = "chidi_outbound_send_failures_total"


@pytest.fixture
async def redis(settings: Settings) -> AsyncIterator[Redis]:
    client = Redis.from_url(settings.redis_url)
    yield client
    await client.aclose()


async def test_webhook_acks_are_timed_by_platform(
    scrape: Scraper, instagram: SeededConnection
) -> None:
    before = scrape.value("chidi_webhook_ack_seconds_count", platform="instagram")
    async with httpx.AsyncClient(base_url=scrape.server.url) as client:
        for _ in range(2):
            payload = customer_message(instagram, new_customer("ig"), "hello")
            assert (await post_webhook(client, instagram, payload)).status_code == 200
    after = scrape.value("chidi_webhook_ack_seconds_count", platform="instagram")
    assert after - before == 2


async def test_queue_depth_and_oldest_wait_are_sampled_on_scrape(
    scrape: Scraper, settings: Settings, redis: Redis
) -> None:
    clear_job_queue(settings)
    now_ms = int(time.time() * 1000)
    await redis.zadd(
        default_queue_name,
        {"old-job": now_ms - 90_000, "new-job": now_ms, "deferred-job": now_ms + 600_000},
    )
    try:
        assert scrape.value("chidi_queue_depth", queue=default_queue_name) == 2
        assert scrape.value("chidi_queue_oldest_job_age_seconds", queue=default_queue_name) >= 90
    finally:
        clear_job_queue(settings)
    assert scrape.value("chidi_queue_depth", queue=default_queue_name) == 0


async def test_job_failures_and_retries_are_counted(scrape: Scraper) -> None:
    async def flaky_job(ctx: dict[str, object]) -> str:
        if ctx["job_try"] == 1:
            raise ConnectionError("the first try fails")
        return "done"

    job = observed(flaky_job)
    name = flaky_job.__qualname__
    with pytest.raises(ConnectionError):
        await job({"job_try": 1})
    assert await job({"job_try": 2}) == "done"
    assert scrape.value("chidi_job_runs_total", function=name, outcome="error") == 1
    assert scrape.value("chidi_job_runs_total", function=name, outcome="ok") == 1
    assert scrape.value("chidi_job_retries_total", function=name) == 1


async def test_a_worker_snapshot_appears_with_its_worker_label(
    scrape: Scraper, redis: Redis
) -> None:
    async def counted_in_a_worker(ctx: dict[str, object]) -> None:
        return None

    await observed(counted_in_a_worker)({"job_try": 1})
    await publish_metrics(redis, force=True)
    name = counted_in_a_worker.__qualname__
    assert scrape.value("chidi_job_runs_total", worker=True, function=name, outcome="ok") >= 1
    assert scrape.text().count("# TYPE chidi_job_runs_total counter") == 1


async def test_llm_latency_and_errors_are_recorded_for_every_chat_model_call(
    scrape: Scraper, openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    model = openai_settings.openai_model
    calls_before = scrape.value("chidi_llm_request_duration_seconds_count", model=model)
    errors_before = scrape.value("chidi_llm_errors_total", model=model)
    fake_openai.controller.script(Reply(content="hi"), *[Failure(status=400)] * 3)
    chat = get_chat_model(openai_settings)
    assert chat is not None
    await chat.ainvoke([HumanMessage("hello")])
    with pytest.raises(openai.BadRequestError):
        await chat.ainvoke([HumanMessage("hello again")])
    assert scrape.value("chidi_llm_request_duration_seconds_count", model=model) == calls_before + 1
    assert scrape.value("chidi_llm_errors_total", model=model) == errors_before + 1


async def test_outbound_send_failures_count_by_platform_and_kind(
    scrape: Scraper,
    settings: Settings,
    engine: AsyncEngine,
    instagram: SeededConnection,
    fake_graph: FakeGraph,
) -> None:
    before = scrape.value(FAILURES, platform="instagram", error_class="transient")
    fake_graph.controller.script(*[GraphFailure(code=2, status=500)] * 4)
    sessionmaker = create_sessionmaker(engine)
    tuned = settings.model_copy(
        update={"meta_graph_base_url": fake_graph.url, "meta_retry_initial_seconds": 0.01}
    )
    async with session_scope(sessionmaker) as session:
        conversation = Conversation(
            business_id=instagram.business_id,
            social_connection_id=instagram.id,
            customer_platform_id=new_customer("ig"),
            last_message_at=utcnow(),
            last_customer_message_at=utcnow(),
        )
        session.add(conversation)
        await session.flush()
        queued = await queue_message(
            session,
            conversation,
            "Hello",
            sender=ConversationSenderType.AI_BOT,
            idempotency_key=f"test:{uuid.uuid4()}",
            platform=SocialPlatform.INSTAGRAM,
            now=utcnow(),
        )
    async with httpx.AsyncClient() as http:
        deps = DeliveryDeps(sessionmaker=sessionmaker, settings=tuned, http=http)
        assert await deliver(deps, queued.outbox_id) is Delivery.RETRY_LATER
    assert scrape.value(FAILURES, platform="instagram", error_class="transient") == before + 1


async def test_responder_decisions_and_confidence_are_recorded(
    scrape: Scraper, db: AsyncSession, settings: Settings
) -> None:
    escalated_before = scrape.value("chidi_responder_decisions_total", action="escalated")
    confidence_before = scrape.value("chidi_responder_confidence_count", action="escalated")
    conversation_id = await escalating_conversation(db)
    outcome = await respond_to_conversation(db, settings, conversation_id)
    assert outcome.action == "escalated"
    assert scrape.value("chidi_responder_decisions_total", action="escalated") == (
        escalated_before + 1
    )
    assert scrape.value("chidi_responder_confidence_count", action="escalated") == (
        confidence_before + 1
    )
