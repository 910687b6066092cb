"""The whole loop with the arq worker as a real process: webhook → responder → delivery.

Until the responder graph lands every conversation is escalated (agents/responder), so a
customer's first message is answered with the holding message, recorded by the fake Graph
API, and the owner is notified in-app and by email.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import psycopg
import pytest

from agents.responder import HOLDING_MESSAGE
from core.settings import Settings
from tests.fakes.graph_api import FakeGraph, RecordedSend
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


@pytest.fixture(scope="module", autouse=True)
def running_worker(
    settings: Settings, live_server: LiveServer, fake_graph_server: FakeGraph
) -> Iterator[None]:
    clear_job_queue(settings)
    with worker(
        {
            "META_GRAPH_BASE_URL": fake_graph_server.url,
            "PUBLIC_URL": live_server.url,
            "META_RETRY_INITIAL_SECONDS": "0.05",
        }
    ):
        yield


async def _replies(fake: FakeGraph, customer: str) -> list[RecordedSend]:
    """The sends to `customer`, once there is at least one."""
    sends: list[RecordedSend] = await eventually(lambda: fake.controller.sends_to(customer))
    return sends


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
    assert reply.text == HOLDING_MESSAGE
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
        HOLDING_MESSAGE,
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


async def test_a_burst_gets_one_answer(
    api: httpx.AsyncClient,
    whatsapp: SeededConnection,
    fake_graph: FakeGraph,
    pg: psycopg.Connection,
) -> None:
    customer = new_customer("wa")
    for text in ("hi", "do you have the leather tote?", "in black"):
        await post_webhook(api, whatsapp, customer_message(whatsapp, customer, text))
        await asyncio.sleep(0.2)
    await _replies(fake_graph, customer)
    await asyncio.sleep(2.5)  # every other job of the burst has had its turn by now
    assert len(fake_graph.controller.sends_to(customer)) == 1
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
    assert (
        one(
            pg,
            "SELECT m.text_content FROM ai_responses_log l JOIN messages m ON "
            "m.id = l.incoming_message_id WHERE l.business_id = %s",
            whatsapp.business_id,
        )
        == "in black"
    )


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
    assert reply.text == HOLDING_MESSAGE


async def test_the_simulator_drives_the_real_path_end_to_end(
    owner: Owner, live_server: LiveServer, pg: psycopg.Connection
) -> None:
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
        json={"customer_id": customer, "customer_name": "Ada Obi", "text": "Do you deliver?"},
    )
    assert (sent.status_code, sent.json()["webhook_status"]) == (202, 200)
    assert sent.json()["platform_message_id"].startswith("wamid.SIM")

    async def delivered() -> list[dict[str, object]]:
        listed = (await owner.client.get(f"/api/v1/simulator/{connection['id']}/outbox")).json()
        return [s for s in listed if s["status"] == "sent"]

    [reply] = await eventually(delivered)
    assert (reply["customer_id"], reply["text"]) == (customer, HOLDING_MESSAGE)
    async with httpx.AsyncClient() as http:  # recorded by the API's built-in fake Graph
        recorded = (
            await http.get(
                f"{live_server.url}/fake-graph/_fake/sends", params={"recipient": customer}
            )
        ).json()["sends"]
    assert [(s["text"], s["message_id"]) for s in recorded] == [
        (HOLDING_MESSAGE, reply["provider_message_ids"][0])
    ]
    assert (
        one(pg, "SELECT customer_name FROM conversations WHERE customer_platform_id = %s", customer)
        == "Ada Obi"
    )
