"""The archiving sweep: resolved conversations idle for 30 days are archived (and a customer
writing again brings one back)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import psycopg
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from core.settings import Settings
from store.db import create_sessionmaker
from store.events.pending import configure_publisher
from store.events.publish import RedisEventPublisher, stream_key
from store.tables.base import utcnow
from tests.integration.inbox.support import Shop, event_stream, seed_conversation
from tests.support.conversations import customer_message, post_webhook, rows
from tests.support.live_server import LiveServer
from workers.jobs.archive import archive_idle_conversations


def _days_ago(days: float) -> Any:
    return utcnow() - timedelta(days=days)


async def test_resolved_conversations_idle_for_30_days_are_archived(
    engine: AsyncEngine,
    redis: Redis,
    settings: Settings,
    shop: Shop,
    rival: Shop,
    pg: psycopg.Connection,
) -> None:
    def conversation(owner: Shop, status: str, *, idle_days: float) -> uuid.UUID:
        return seed_conversation(
            pg, owner, status=status, messages=[("customer", "thanks!", _days_ago(idle_days))]
        )

    idle = conversation(shop, "resolved_by_human", idle_days=40)
    idle_by_bot = conversation(rival, "resolved_by_ai", idle_days=31)
    recent = conversation(shop, "resolved_by_human", idle_days=10)
    open_and_old = conversation(shop, "active_ai", idle_days=40)
    resolved_yesterday = conversation(shop, "resolved_by_human", idle_days=40)
    pg.execute(
        "UPDATE conversations SET resolved_at = %s WHERE id = %s",
        (_days_ago(1), resolved_yesterday),
    )
    sessionmaker = create_sessionmaker(engine)
    configure_publisher(sessionmaker, RedisEventPublisher(redis))

    archived = await archive_idle_conversations(
        {"settings": settings, "sessionmaker": sessionmaker}
    )

    assert archived >= 2  # other tests' leftovers may be archived too
    statuses = dict(
        rows(
            pg,
            "SELECT id, status::text FROM conversations WHERE id = ANY(%s)",
            [idle, idle_by_bot, recent, open_and_old, resolved_yesterday],
        )
    )
    assert statuses == {
        idle: "archived",
        idle_by_bot: "archived",
        recent: "resolved_by_human",
        open_and_old: "active_ai",
        resolved_yesterday: "resolved_by_human",
    }
    assert rows(
        pg,
        "SELECT from_status::text, to_status::text, actor FROM conversation_status_history "
        "WHERE conversation_id = %s",
        idle,
    ) == [("resolved_by_human", "archived", "system")]
    [(_, fields)] = await redis.xrange(stream_key(shop.business_id))
    assert fields[b"e"] == b"conversation_updated"
    assert f'"conversation_id":"{idle}"'.encode() in fields[b"d"]
    assert b'"status":"archived"' in fields[b"d"]
    again = await archive_idle_conversations({"settings": settings, "sessionmaker": sessionmaker})
    assert again == 0


async def test_a_customer_writing_to_an_archived_conversation_reopens_it_live(
    live_server: LiveServer, shop: Shop, pg: psycopg.Connection
) -> None:
    customer = "cust-archived-" + uuid.uuid4().hex[:8]
    conversation = seed_conversation(
        pg,
        shop,
        customer=customer,
        status="archived",
        messages=[("customer", "bye", _days_ago(45))],
    )
    async with event_stream(live_server.url, headers=shop.auth) as stream:
        await stream.wait_for(lambda e: e.event == "ready")
        async with httpx.AsyncClient(base_url=live_server.url) as meta:
            message = customer_message(shop.connection, customer, "Hello again!")
            assert (await post_webhook(meta, shop.connection, message)).status_code == 200
        reopened = await stream.wait_for(lambda e: e.event == "conversation_updated")
        assert reopened.json() == {
            "conversation_id": str(conversation),
            "status": "active_ai",
            "previous_status": "archived",
            "actor": "customer",
            "reason": "The customer wrote again.",
        }
        await stream.wait_for(lambda e: e.event == "new_message")
        assert not stream.of_kind("new_conversation")
