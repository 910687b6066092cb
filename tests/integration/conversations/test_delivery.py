"""Outbox delivery (workers/delivery.py) on real Postgres against the fake Graph API."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import psycopg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from channels.graph import IDEMPOTENCY_HEADER
from channels.text import split_message
from core.settings import Settings
from store.conversations.outbox import queue_message
from store.db import create_sessionmaker, session_scope
from store.repositories.mail import Email, send_email
from store.tables.base import utcnow
from store.tables.conversations import Conversation
from store.tables.enums import ConversationSenderType, SocialPlatform
from tests.fakes.graph_api import Delay, FakeGraph, GraphFailure
from tests.support.conversations import SeededConnection, new_customer, one, rows
from workers.delivery import Delivery, DeliveryDeps, deliver


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


@pytest.fixture
async def deps(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, fake_graph: FakeGraph
) -> AsyncIterator[DeliveryDeps]:
    tuned = settings.model_copy(
        update={
            "meta_graph_base_url": fake_graph.url,
            "meta_retry_initial_seconds": 0.01,
            "meta_http_timeout_seconds": 0.5,
        }
    )
    async with httpx.AsyncClient() as http:
        yield DeliveryDeps(sessionmaker=sessionmaker, settings=tuned, http=http)


async def _queue(
    deps: DeliveryDeps,
    connection: SeededConnection,
    text: str,
    *,
    customer: str | None = None,
    last_wrote: timedelta = timedelta(minutes=1),
    sender: ConversationSenderType = ConversationSenderType.AI_BOT,
) -> uuid.UUID:
    """A conversation with a customer who last wrote `last_wrote` ago, and a queued reply."""
    now = utcnow()
    async with session_scope(deps.sessionmaker) as session:
        conversation = Conversation(
            business_id=connection.business_id,
            social_connection_id=connection.id,
            customer_platform_id=customer
            or new_customer("wa" if connection.platform == "whatsapp" else "ig"),
            last_message_at=now - last_wrote,
            last_customer_message_at=now - last_wrote,
        )
        session.add(conversation)
        await session.flush()
        queued = await queue_message(
            session,
            conversation,
            text,
            sender=sender,
            idempotency_key=f"test:{uuid.uuid4()}",
            platform=SocialPlatform(connection.platform),
            now=now,
        )
    return queued.outbox_id


def _row(pg: psycopg.Connection, outbox_id: uuid.UUID) -> tuple[object, ...]:
    return rows(
        pg,
        "SELECT o.status, o.attempts, o.provider_message_id, o.last_error, "
        "m.delivery_status, m.platform_message_id FROM outbox o "
        "JOIN messages m ON m.id = o.message_id WHERE o.id = %s",
        outbox_id,
    )[0]


def _notices(pg: psycopg.Connection, connection: SeededConnection) -> list[str]:
    return [
        r[0]
        for r in rows(
            pg,
            "SELECT kind FROM notifications WHERE business_id = %s ORDER BY created_at",
            connection.business_id,
        )
    ]


async def test_a_reply_is_sent_once_however_often_its_job_runs(
    deps: DeliveryDeps, instagram: SeededConnection, fake_graph: FakeGraph, pg: psycopg.Connection
) -> None:
    outbox_id = await _queue(deps, instagram, "Yes, the tote is in stock.", customer="igsid-a")
    results = await asyncio.gather(*(deliver(deps, outbox_id) for _ in range(4)))
    assert sorted(results) == [Delivery.NOT_DUE] * 3 + [Delivery.SENT]
    assert await deliver(deps, outbox_id) is Delivery.NOT_DUE
    [sent] = fake_graph.controller.sends_to("igsid-a")
    assert sent.text == "Yes, the tote is in stock."
    assert _row(pg, outbox_id) == ("sent", 1, sent.message_id, None, "sent", sent.message_id)


async def test_a_send_cut_off_mid_flight_is_redriven_without_a_second_delivery(
    deps: DeliveryDeps, whatsapp: SeededConnection, fake_graph: FakeGraph, pg: psycopg.Connection
) -> None:
    customer = new_customer("wa")
    outbox_id = await _queue(deps, whatsapp, "We open at 9am.", customer=customer)
    key = one(pg, "SELECT idempotency_key FROM outbox WHERE id = %s", outbox_id)
    # A worker claimed the row and Meta accepted the message, then the worker died before
    # recording anything: the row is 'sending' with an expired lease.
    pg.execute(
        "UPDATE outbox SET status = 'sending', attempts = 1, "
        "next_attempt_at = now() - interval '1 second' WHERE id = %s",
        (outbox_id,),
    )
    async with httpx.AsyncClient() as http:
        first = await http.post(
            f"{fake_graph.url}/v21.0/{whatsapp.account_id}/messages",
            headers={"Authorization": "Bearer x", IDEMPOTENCY_HEADER: f"{key}:0"},
            json={
                "messaging_product": "whatsapp",
                "to": customer,
                "type": "text",
                "text": {"body": "We open at 9am."},
            },
        )
    assert await deliver(deps, outbox_id) is Delivery.SENT
    [sent] = fake_graph.controller.sends_to(customer)
    assert sent.message_id == first.json()["messages"][0]["id"]
    assert _row(pg, outbox_id)[:3] == ("sent", 2, sent.message_id)


async def test_without_provider_idempotency_an_uncertain_send_is_given_up(
    deps: DeliveryDeps, instagram: SeededConnection, fake_graph: FakeGraph, pg: psycopg.Connection
) -> None:
    strict = DeliveryDeps(
        deps.sessionmaker,
        deps.settings.model_copy(update={"meta_graph_idempotency": False}),
        deps.http,
    )
    outbox_id = await _queue(strict, instagram, "Hello", customer="igsid-b")
    pg.execute(
        "UPDATE outbox SET status = 'sending', attempts = 1, "
        "next_attempt_at = now() - interval '1 second' WHERE id = %s",
        (outbox_id,),
    )
    assert await deliver(strict, outbox_id) is Delivery.GAVE_UP
    assert fake_graph.controller.send_attempts == 0
    status, _, _, error, delivery, _ = _row(pg, outbox_id)
    assert (status, delivery) == ("dead", "failed")
    assert "not sent again" in str(error)
    assert _notices(pg, instagram) == ["delivery_uncertain"]


async def test_a_revoked_token_marks_the_connection_and_tells_the_owner_once(
    deps: DeliveryDeps, instagram: SeededConnection, fake_graph: FakeGraph, pg: psycopg.Connection
) -> None:
    fake_graph.controller.revoked_tokens.add(instagram.access_token)
    first = await _queue(deps, instagram, "Hi")
    second = await _queue(deps, instagram, "Hi again")
    assert await deliver(deps, first) is Delivery.GAVE_UP
    assert await deliver(deps, second) is Delivery.GAVE_UP
    assert fake_graph.controller.send_attempts == 1  # the second never reached Meta
    status, error = rows(
        pg, "SELECT token_status, last_error FROM social_connections WHERE id = %s", instagram.id
    )[0]
    assert status == "revoked"
    assert "code 190/460" in error
    assert [_row(pg, o)[0] for o in (first, second)] == ["dead", "dead"]
    assert _notices(pg, instagram) == ["token_revoked"]
    assert (
        one(
            pg,
            "SELECT count(*) FROM outbox WHERE kind = 'email' AND recipient = %s "
            "AND payload->>'template' = 'owner_token_revoked'",
            instagram.owner_email,
        )
        == 1
    )


async def test_a_closed_whatsapp_window_is_understood_not_retried(
    deps: DeliveryDeps, whatsapp: SeededConnection, fake_graph: FakeGraph, pg: psycopg.Connection
) -> None:
    fake_graph.controller.script(GraphFailure(code=131047, message="Re-engagement message"))
    outbox_id = await _queue(deps, whatsapp, "Still there?")
    assert await deliver(deps, outbox_id) is Delivery.GAVE_UP
    assert fake_graph.controller.send_attempts == 1
    assert _row(pg, outbox_id)[0] == "dead"
    assert _notices(pg, whatsapp) == ["window_closed"]


async def test_outside_the_24_hour_window_whatsapp_is_not_even_called(
    deps: DeliveryDeps, whatsapp: SeededConnection, fake_graph: FakeGraph, pg: psycopg.Connection
) -> None:
    outbox_id = await _queue(deps, whatsapp, "Hello?", last_wrote=timedelta(hours=25))
    assert await deliver(deps, outbox_id) is Delivery.GAVE_UP
    assert fake_graph.controller.send_attempts == 0
    status, _, _, error, _, _ = _row(pg, outbox_id)
    assert status == "dead"
    assert "more than 24 hours ago" in str(error)
    assert _notices(pg, whatsapp) == ["window_closed"]


async def test_instagram_human_replies_use_the_human_agent_tag_after_24_hours(
    deps: DeliveryDeps, instagram: SeededConnection, fake_graph: FakeGraph, pg: psycopg.Connection
) -> None:
    human = await _queue(
        deps,
        instagram,
        "Sorry for the wait!",
        customer="igsid-c",
        last_wrote=timedelta(hours=30),
        sender=ConversationSenderType.BUSINESS_HUMAN,
    )
    bot = await _queue(
        deps, instagram, "Auto reply", customer="igsid-d", last_wrote=timedelta(hours=30)
    )
    assert await deliver(deps, human) is Delivery.SENT
    assert await deliver(deps, bot) is Delivery.GAVE_UP
    [sent] = fake_graph.controller.sends_to("igsid-c")
    assert (sent.body["messaging_type"], sent.body["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    assert fake_graph.controller.sends_to("igsid-d") == []


async def test_rate_limited_sends_back_off_and_succeed(
    deps: DeliveryDeps, whatsapp: SeededConnection, fake_graph: FakeGraph, pg: psycopg.Connection
) -> None:
    fake_graph.controller.script(GraphFailure(code=130429, message="Rate limit hit"))
    outbox_id = await _queue(deps, whatsapp, "On its way")
    assert await deliver(deps, outbox_id) is Delivery.SENT
    assert fake_graph.controller.send_attempts == 2
    assert _row(pg, outbox_id)[0] == "sent"


async def test_lasting_transient_failures_schedule_a_later_retry(
    deps: DeliveryDeps, instagram: SeededConnection, fake_graph: FakeGraph, pg: psycopg.Connection
) -> None:
    fake_graph.controller.script(*[GraphFailure(code=2, status=500)] * 4)
    outbox_id = await _queue(deps, instagram, "Hello")
    assert await deliver(deps, outbox_id) is Delivery.RETRY_LATER
    assert fake_graph.controller.send_attempts == 4
    status, wait = rows(
        pg, "SELECT status, next_attempt_at - now() FROM outbox WHERE id = %s", outbox_id
    )[0]
    assert status == "failed"
    assert timedelta(seconds=10) < wait <= timedelta(seconds=15)
    assert await deliver(deps, outbox_id) is Delivery.NOT_DUE  # not due yet
    pg.execute("UPDATE outbox SET next_attempt_at = now() WHERE id = %s", (outbox_id,))
    assert await deliver(deps, outbox_id) is Delivery.SENT


async def test_an_unanswered_send_is_retried_with_its_key_and_delivered_once(
    deps: DeliveryDeps, instagram: SeededConnection, fake_graph: FakeGraph, pg: psycopg.Connection
) -> None:
    fake_graph.controller.script(Delay(1.5, accept=True))
    outbox_id = await _queue(deps, instagram, "Hello", customer="igsid-e")
    assert await deliver(deps, outbox_id) is Delivery.SENT
    [sent] = fake_graph.controller.sends_to("igsid-e")
    assert _row(pg, outbox_id)[2] == sent.message_id


async def test_long_instagram_replies_go_out_in_sentence_parts(
    deps: DeliveryDeps, instagram: SeededConnection, fake_graph: FakeGraph, pg: psycopg.Connection
) -> None:
    text = " ".join(f"Point {i}: the leather tote is handmade in Lagos." for i in range(60))
    outbox_id = await _queue(deps, instagram, text, customer="igsid-f")
    assert await deliver(deps, outbox_id) is Delivery.SENT
    parts = fake_graph.controller.sends_to("igsid-f")
    assert [p.text for p in parts] == split_message(text, 1000)
    assert len(parts) == 3
    assert all(len(p.text.encode()) <= 1000 and p.text.endswith(".") for p in parts)
    assert " ".join(p.text for p in parts) == text
    ids = one(pg, "SELECT payload->'provider_message_ids' FROM outbox WHERE id = %s", outbox_id)
    assert ids == [p.message_id for p in parts]
    assert _row(pg, outbox_id)[5] == parts[0].message_id


async def test_a_disconnected_account_sends_nothing(
    deps: DeliveryDeps, instagram: SeededConnection, fake_graph: FakeGraph, pg: psycopg.Connection
) -> None:
    outbox_id = await _queue(deps, instagram, "Hello")
    pg.execute("UPDATE social_connections SET is_active = false WHERE id = %s", (instagram.id,))
    assert await deliver(deps, outbox_id) is Delivery.GAVE_UP
    assert fake_graph.controller.send_attempts == 0
    assert _row(pg, outbox_id)[0] == "dead"


async def test_emails_are_delivered_to_the_log(deps: DeliveryDeps, pg: psycopg.Connection) -> None:
    key = f"test-email:{uuid.uuid4()}"
    async with session_scope(deps.sessionmaker) as session:
        await send_email(
            session,
            Email(
                template="owner_escalation", recipient="o@example.com", subject="Hi", text="Body"
            ),
            idempotency_key=key,
            log_link=False,
        )
    outbox_id = one(pg, "SELECT id FROM outbox WHERE idempotency_key = %s", key)
    assert await deliver(deps, outbox_id) is Delivery.SENT
    assert rows(pg, "SELECT status, sent_at IS NOT NULL FROM outbox WHERE id = %s", outbox_id) == [
        ("sent", True)
    ]
