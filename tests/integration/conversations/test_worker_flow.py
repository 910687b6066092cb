"""The whole loop with the arq worker as a real process: webhook → responder → delivery.

The responder graph runs with the local brain in the worker: a question the catalog
answers gets its answer, a refund request the holding message (and the owner is notified
in-app and by email), a burst one answer, a conversation a person took over silence.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import psycopg
import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis as AsyncRedis
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from agents.responder.actions import SORRY_HOLDING_MESSAGE
from core.settings import Settings
from store.catalog.drafts import ItemDraft
from store.monitoring.publish import WORKER_PREFIX, snapshots
from store.tables.businesses import Business
from tests.fakes.graph_api import FakeGraph, RecordedSend
from tests.support.catalog import new_product
from tests.support.catalog_api import Owner, owner
from tests.support.conversations import (
    SeededConnection,
    customer_message,
    eventually,
    instagram_echo,
    new_customer,
    new_mid,
    one,
    post_webhook,
    rows,
)
from tests.support.live_server import LiveServer
from tests.support.workers import clear_job_queue, worker

__all__ = ["owner"]  # fixtures


HEALTH_KEY = "arq:queue:health-check"
# A worker imports LangChain and loads the embedding model before its first decision;
# on a busy 2-core machine that alone can take half a minute.
WORKER_BOOT_SECONDS = 120.0
REPLY_SECONDS = 60.0


def _wait_for_worker(settings: Settings) -> None:
    """Block until the worker has recorded its health in Redis (it is taking jobs)."""
    client = redis.Redis.from_url(settings.redis_url)
    try:
        deadline = time.monotonic() + WORKER_BOOT_SECONDS
        while not client.exists(HEALTH_KEY):
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.2)
    finally:
        client.close()


@pytest.fixture(scope="module", autouse=True)
def running_worker(
    settings: Settings, live_server: LiveServer, fake_graph_server: FakeGraph
) -> Iterator[None]:
    clear_job_queue(settings)
    redis.Redis.from_url(settings.redis_url).delete(HEALTH_KEY)
    with worker(
        {
            "META_GRAPH_BASE_URL": fake_graph_server.url,
            "PUBLIC_URL": live_server.url,
            "META_RETRY_INITIAL_SECONDS": "0.05",
        }
    ):
        _wait_for_worker(settings)
        yield


async def _replies(fake: FakeGraph, customer: str) -> list[RecordedSend]:
    """The sends to `customer`, once there is at least one."""
    sends: list[RecordedSend] = await eventually(
        lambda: fake.controller.sends_to(customer), within=REPLY_SECONDS
    )
    return sends


async def _stock_a_tote(engine: AsyncEngine, business_id: object) -> None:
    """A leather tote in black (4 in stock) and brown (sold out), committed."""
    async with AsyncSession(engine, expire_on_commit=False) as session:
        business = await session.get(Business, business_id)
        assert business is not None
        await new_product(
            session,
            business=business,
            name="Leather Tote",
            base_price="15000.00",
            variants={"Colour": ["Black", "Brown"]},
            items=[
                ItemDraft(options=(("Colour", "Black"),), stock_quantity=4),
                ItemDraft(options=(("Colour", "Brown"),), stock_quantity=0),
            ],
        )
        await session.commit()


async def test_an_escalation_sends_the_holding_message_and_tells_the_owner(
    api: httpx.AsyncClient,
    instagram: SeededConnection,
    fake_graph: FakeGraph,
    pg: psycopg.Connection,
) -> None:
    customer, mid = new_customer(), new_mid()
    await post_webhook(
        api,
        instagram,
        customer_message(instagram, customer, "I want a refund, it was terrible!", mid=mid),
    )
    [reply] = await _replies(fake_graph, customer)
    assert reply.text == SORRY_HOLDING_MESSAGE
    assert reply.body["messaging_type"] == "RESPONSE"

    conversation_id, status, escalated = rows(
        pg,
        "SELECT id, status::text, escalated_at IS NOT NULL FROM conversations "
        "WHERE business_id = %s",
        instagram.business_id,
    )[0]
    assert (status, escalated) == ("escalated_human_needed", True)
    incoming = one(pg, "SELECT id FROM messages WHERE platform_message_id = %s", mid)
    holding = await eventually(
        lambda: rows(
            pg,
            "SELECT id, delivery_status FROM messages WHERE conversation_id = %s "
            "AND sender_type = 'ai_bot' AND platform_message_id = %s",
            conversation_id,
            reply.message_id,
        )
    )
    assert holding[0][1] == "sent"
    log = rows(
        pg,
        "SELECT action_taken::text, incoming_message_id, generated_message_id, "
        "parsed_response_text, final_prompt_sent_to_llm, processing_time_ms "
        "FROM ai_responses_log WHERE conversation_id = %s",
        conversation_id,
    )
    assert len(log) == 1
    action, log_incoming, generated, text, trace, elapsed = log[0]
    assert (action, log_incoming, generated, text) == (
        "escalated",
        incoming,
        holding[0][0],
        SORRY_HOLDING_MESSAGE,
    )
    assert "I want a refund" in trace
    assert elapsed is not None
    assert one(pg, "SELECT handled_at IS NOT NULL FROM messages WHERE id = %s", incoming)
    assert rows(
        pg,
        "SELECT kind, conversation_id FROM notifications WHERE business_id = %s",
        instagram.business_id,
    ) == [("escalation", conversation_id)]
    email = rows(
        pg,
        "SELECT payload->>'subject', payload->>'text' FROM outbox "
        "WHERE kind = 'email' AND recipient = %s",
        instagram.owner_email,
    )
    assert email[0][0] == "A customer needs a reply"
    assert f"/conversations/{conversation_id}" in email[0][1]
    assert rows(
        pg,
        "SELECT to_status::text, actor FROM conversation_status_history WHERE "
        "conversation_id = %s ORDER BY created_at",
        conversation_id,
    ) == [("active_ai", "customer"), ("escalated_human_needed", "ai")]


async def test_a_burst_gets_one_answer_from_the_catalog(
    api: httpx.AsyncClient,
    whatsapp: SeededConnection,
    fake_graph: FakeGraph,
    pg: psycopg.Connection,
    engine: AsyncEngine,
) -> None:
    await _stock_a_tote(engine, whatsapp.business_id)
    customer = new_customer("wa")
    for text in ("hi", "do you have the leather tote?", "in black"):
        await post_webhook(api, whatsapp, customer_message(whatsapp, customer, text))
        await asyncio.sleep(0.2)
    await _replies(fake_graph, customer)
    await asyncio.sleep(2.5)  # every other job of the burst has had its turn by now
    [reply] = fake_graph.controller.sends_to(customer)
    assert "Leather Tote in Black" in reply.text
    assert "4" in reply.text  # in stock
    assert "15,000" in reply.text
    assert (
        one(
            pg, "SELECT count(*) FROM ai_responses_log WHERE business_id = %s", whatsapp.business_id
        )
        == 1
    )
    assert (
        one(
            pg,
            "SELECT count(*) FROM messages WHERE business_id = %s AND "
            "sender_type = 'customer' AND handled_at IS NULL",
            whatsapp.business_id,
        )
        == 0
    )
    assert rows(
        pg,
        "SELECT m.text_content, l.action_taken::text, l.detected_intent, c.status::text "
        "FROM ai_responses_log l JOIN messages m ON m.id = l.incoming_message_id "
        "JOIN conversations c ON c.id = l.conversation_id WHERE l.business_id = %s",
        whatsapp.business_id,
    ) == [("in black", "responded_auto", "availability", "active_ai")]


async def _catalogs_read_from_memory(settings: Settings) -> dict[str, float]:
    """How many decisions each running worker answered from a catalog kept in memory, by
    process, as their last published metrics say (published after jobs, at most once a
    second; a process that stopped drops out when its snapshot expires)."""
    client = AsyncRedis.from_url(settings.redis_url)
    try:
        published = await snapshots(client, WORKER_PREFIX)
    finally:
        await client.aclose()
    return {
        process: sum(
            sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == "chidi_catalog_reads_total" and sample.labels["source"] == "memory"
        )
        for process, text in published.items()
    }


async def test_the_worker_keeps_a_catalog_between_jobs_until_it_changes(
    api: httpx.AsyncClient,
    instagram: SeededConnection,
    fake_graph: FakeGraph,
    pg: psycopg.Connection,
    engine: AsyncEngine,
    settings: Settings,
) -> None:
    """arq gives each job a copy of the worker's ctx: a cache a job kept there would be
    new every time, and the catalog read again for every message."""
    await _stock_a_tote(engine, instagram.business_id)
    from_memory = await _catalogs_read_from_memory(settings)
    question = "do you have the leather tote in black?"
    for customer in (new_customer(), new_customer()):
        await post_webhook(api, instagram, customer_message(instagram, customer, question))
        [reply] = await _replies(fake_graph, customer)
        assert "4" in reply.text

    async def read_from_memory() -> bool:
        now = await _catalogs_read_from_memory(settings)
        return any(count > from_memory.get(process, 0.0) for process, count in now.items())

    await eventually(read_from_memory)

    pg.execute(
        "UPDATE inventory_items SET stock_quantity = 7 WHERE business_id = %s "
        "AND stock_quantity = 4",
        (instagram.business_id,),
    )
    customer = new_customer()
    await post_webhook(api, instagram, customer_message(instagram, customer, question))
    [reply] = await _replies(fake_graph, customer)
    assert "7" in reply.text
    assert "4" not in reply.text


async def test_a_conversation_a_person_took_over_gets_no_bot_reply(
    api: httpx.AsyncClient,
    instagram: SeededConnection,
    fake_graph: FakeGraph,
    pg: psycopg.Connection,
) -> None:
    customer = new_customer()
    await post_webhook(api, instagram, customer_message(instagram, customer, "hello?"))
    await post_webhook(
        api, instagram, instagram_echo(instagram, customer, "Hi, Ada here!", new_mid())
    )
    await eventually(
        lambda: (
            one(
                pg,
                "SELECT count(*) FROM messages WHERE business_id = %s "
                "AND handled_at IS NULL AND sender_type = 'customer'",
                instagram.business_id,
            )
            == 0
        )
    )
    await post_webhook(api, instagram, customer_message(instagram, customer, "great, thanks"))
    await eventually(
        lambda: rows(
            pg,
            "SELECT 1 FROM notifications WHERE business_id = %s AND body LIKE %s",
            instagram.business_id,
            "%great%",
        )
    )
    assert fake_graph.controller.sends_to(customer) == []
    assert (
        one(
            pg,
            "SELECT status::text FROM conversations WHERE business_id = %s",
            instagram.business_id,
        )
        == "active_human"
    )
    assert (
        one(
            pg,
            "SELECT count(*) FROM ai_responses_log WHERE business_id = %s",
            instagram.business_id,
        )
        == 0
    )


async def test_a_message_whose_job_was_lost_is_answered_by_the_sweeper(
    instagram: SeededConnection, fake_graph: FakeGraph, pg: psycopg.Connection
) -> None:
    customer = new_customer()
    conversation_id = one(
        pg,
        "INSERT INTO conversations (id, business_id, social_connection_id, "
        "customer_platform_id, last_message_at, last_customer_message_at) VALUES "
        "(gen_random_uuid(), %s, %s, %s, now(), now()) RETURNING id",
        instagram.business_id,
        instagram.id,
        customer,
    )
    pg.execute(
        "INSERT INTO messages (id, conversation_id, business_id, platform_message_id, "
        "sender_type, text_content, platform_timestamp, created_at) VALUES "
        "(gen_random_uuid(), %s, %s, %s, 'customer', 'anyone there?', now(), "
        "now() - interval '2 minutes')",
        (conversation_id, instagram.business_id, new_mid()),
    )
    # No job was ever enqueued: a fresh worker's startup sweep finds the message.
    with worker({"META_GRAPH_BASE_URL": fake_graph.url}):
        [reply] = await _replies(fake_graph, customer)
    assert rows(
        pg,
        "SELECT parsed_response_text FROM ai_responses_log WHERE conversation_id = %s",
        conversation_id,
    ) == [(reply.text,)]


async def test_the_simulator_drives_the_real_path_end_to_end(
    owner: Owner, live_server: LiveServer, pg: psycopg.Connection
) -> None:
    await owner.create_product(
        {
            "name": "Leather Tote",
            "base_price": "15000.00",
            "inventory_items": [{"sku": "TOTE-1", "stock_quantity": 3}],
        }
    )
    setup = await owner.client.post(
        "/api/v1/social_connections/whatsapp",
        json={
            "phone_number_id": "1065403522",
            "waba_id": "1022901293",
            "access_token": "embedded-access-token",
            "app_secret": "embedded-app-secret",
        },
    )
    connection = setup.json()["connection"]
    assert connection["simulated"] is True
    customer = new_customer("wa")
    sent = await owner.client.post(
        f"/api/v1/simulator/{connection['id']}/messages",
        json={
            "customer_id": customer,
            "customer_name": "Ada Obi",
            "text": "How much is the leather tote?",
        },
    )
    assert (sent.status_code, sent.json()["webhook_status"]) == (202, 200)
    assert sent.json()["platform_message_id"].startswith("wamid.SIM")

    async def delivered() -> list[dict[str, object]]:
        listed = (await owner.client.get(f"/api/v1/simulator/{connection['id']}/outbox")).json()
        return [s for s in listed if s["status"] == "sent"]

    [reply] = await eventually(delivered, within=REPLY_SECONDS)
    assert reply["customer_id"] == customer
    assert "Leather Tote" in reply["text"]
    assert "15,000" in reply["text"]
    async with httpx.AsyncClient() as http:  # recorded by the API's built-in fake Graph
        recorded = (
            await http.get(
                f"{live_server.url}/fake-graph/_fake/sends", params={"recipient": customer}
            )
        ).json()["sends"]
    assert [(s["text"], s["message_id"]) for s in recorded] == [
        (reply["text"], reply["provider_message_ids"][0])
    ]
    assert (
        one(pg, "SELECT customer_name FROM conversations WHERE customer_platform_id = %s", customer)
        == "Ada Obi"
    )
