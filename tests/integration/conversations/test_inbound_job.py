"""The responder job in-process, with the worker's ctx: what it commits and sends."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from core.settings import Settings
from tests.fakes.graph_api import FakeGraph
from tests.support.conversations import SeededConnection, new_customer, new_mid, one, rows
from tests.support.job_context import job_context
from workers.jobs.inbound import process_inbound_message


@pytest.fixture
async def ctx(
    settings: Settings, engine: AsyncEngine, fake_graph: FakeGraph
) -> AsyncIterator[dict[str, Any]]:
    tuned = settings.model_copy(update={"meta_graph_base_url": fake_graph.url})
    async with job_context(tuned, engine) as built:
        yield built


@pytest.fixture
def commits(engine: AsyncEngine) -> Iterator[list[object]]:
    """The transactions committed through `engine` while the test runs."""
    seen: list[object] = []

    def record(connection: object) -> None:
        seen.append(connection)

    event.listen(engine.sync_engine, "commit", record)
    yield seen
    event.remove(engine.sync_engine, "commit", record)


def waiting_message(pg: psycopg.Connection, connection: SeededConnection, text: str) -> Any:
    """A new customer's conversation with one message waiting; its id."""
    conversation_id = one(
        pg,
        "INSERT INTO conversations (id, business_id, social_connection_id, "
        "customer_platform_id, last_message_at, last_customer_message_at) VALUES "
        "(gen_random_uuid(), %s, %s, %s, now(), now()) RETURNING id",
        connection.business_id,
        connection.id,
        new_customer(),
    )
    pg.execute(
        "INSERT INTO messages (id, conversation_id, business_id, platform_message_id, "
        "sender_type, text_content, platform_timestamp) VALUES "
        "(gen_random_uuid(), %s, %s, %s, 'customer', %s, now())",
        (conversation_id, connection.business_id, new_mid(), text),
    )
    return conversation_id


async def test_the_reply_is_claimed_in_the_decisions_transaction_then_sent(
    ctx: dict[str, Any],
    instagram: SeededConnection,
    fake_graph: FakeGraph,
    pg: psycopg.Connection,
    commits: list[object],
) -> None:
    """Two transactions: the decision (with the reply's claim), then the send's record —
    not a third only to claim the row the decision had just queued."""
    conversation_id = waiting_message(pg, instagram, "hi there")

    assert await process_inbound_message(ctx, str(conversation_id)) == "responded"

    assert len(commits) == 2
    [reply] = fake_graph.controller.sends_to(
        one(pg, "SELECT customer_platform_id FROM conversations WHERE id = %s", conversation_id)
    )
    assert rows(
        pg,
        "SELECT status, attempts, provider_message_id FROM outbox WHERE conversation_id = %s",
        conversation_id,
    ) == [("sent", 1, reply.message_id)]
    assert await process_inbound_message(ctx, str(conversation_id)) == "nothing_waiting"
    assert len(fake_graph.controller.sends_to(reply.recipient)) == 1
