"""Group commit of webhook deliveries: shared transactions, statements sent together,
failures kept to their delivery."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import psycopg
import pytest
from redis.asyncio import Redis
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from api.routes.webhook_batches import WebhookWriter
from channels import instagram
from core.settings import Settings
from store.conversations.ingest import ConnectionGone, Ingested, Recording, WebhookSource
from store.conversations.sql import first_rows
from store.db import create_sessionmaker
from store.tables.base import utcnow
from tests.support.conversations import (
    SeededConnection,
    customer_message,
    instagram_echo,
    new_customer,
    new_mid,
    one,
    rows,
    seed_connection,
)


@pytest.fixture
def writer(engine: AsyncEngine, redis: Redis) -> WebhookWriter:
    return WebhookWriter(create_sessionmaker(engine), redis, debounce_seconds=0)


@pytest.fixture
def commits(engine: AsyncEngine) -> list[int]:
    """One entry per transaction committed through `engine`."""
    seen: list[int] = []
    event.listen(engine.sync_engine, "commit", lambda _conn: seen.append(1))
    return seen


def _source(connection: SeededConnection) -> WebhookSource:
    return WebhookSource(connection.id, connection.business_id, connection.platform)


def _recording(connection: SeededConnection, payload: dict[str, Any]) -> Recording:
    parsed = instagram.parse_webhook(payload, received_at=utcnow())
    return Recording(_source(connection), payload, {}, parsed)


class _Broken(Recording):
    """A one-statement delivery whose statement fails in the database."""

    @property
    def statement(self) -> tuple[str, dict[str, Any]] | None:
        return "SELECT 1 / 0", {}


async def test_concurrent_deliveries_share_a_transaction(
    writer: WebhookWriter, pg: psycopg.Connection, settings: Settings, commits: list[int]
) -> None:
    connection = seed_connection(pg, settings)
    recordings = [
        _recording(connection, customer_message(connection, new_customer(), f"hi {i}"))
        for i in range(10)
    ]
    results = await asyncio.gather(*(writer.write(r) for r in recordings))
    assert [r.stored for r in results] == [1] * 10
    assert len({a.conversation_id for r in results for a in r.awaiting}) == 10
    assert (
        one(pg, "SELECT count(*) FROM messages WHERE business_id = %s", connection.business_id)
        == 10
    )
    assert len(commits) < 10  # some deliveries were written together


async def test_a_batch_keeps_the_order_of_its_deliveries(
    writer: WebhookWriter, pg: psycopg.Connection, settings: Settings
) -> None:
    """Messages sent together and an echo written on its own, in one transaction: each
    sees what the deliveries before it wrote, as if they had been written one by one."""
    connection = seed_connection(pg, settings)
    customer = new_customer()
    first, again = (
        _recording(connection, customer_message(connection, customer, text))
        for text in ("is the tote in stock?", "and in black?")
    )
    echo = _recording(connection, instagram_echo(connection, customer, "Yes!", new_mid()))
    after = _recording(connection, customer_message(connection, customer, "thanks"))
    results = await asyncio.gather(*(writer.write(r) for r in (first, again, echo, after)))
    assert [r.stored for r in results] == [1, 1, 1, 1]
    assert [bool(r.started) for r in results] == [True, False, False, False]  # made once
    assert results[2].takeovers == 1
    assert rows(
        pg,
        "SELECT sender_type, text_content FROM messages WHERE business_id = %s "
        "ORDER BY created_at, platform_timestamp",
        connection.business_id,
    ) == [
        ("customer", "is the tote in stock?"),
        ("customer", "and in black?"),
        ("business_human", "Yes!"),
        ("customer", "thanks"),
    ]
    assert (
        one(pg, "SELECT status FROM conversations WHERE business_id = %s", connection.business_id)
        == "active_human"
    )


async def test_a_redelivery_in_the_same_batch_is_stored_once(
    writer: WebhookWriter, pg: psycopg.Connection, settings: Settings
) -> None:
    connection = seed_connection(pg, settings)
    payload = customer_message(connection, new_customer(), "hello", mid=new_mid())
    results = await asyncio.gather(*(writer.write(_recording(connection, payload)) for _ in "ab"))
    assert sorted((r.stored, r.duplicates) for r in results) == [(0, 1), (1, 0)]
    assert sum(len(r.awaiting) for r in results) == 1


async def test_a_failing_delivery_fails_alone(
    writer: WebhookWriter, pg: psycopg.Connection, settings: Settings
) -> None:
    connection = seed_connection(pg, settings)
    gone = seed_connection(pg, settings)
    pg.execute("UPDATE social_connections SET is_active = false WHERE id = %s", (gone.id,))

    def message(owner: SeededConnection, text: str) -> Recording:
        return _recording(owner, customer_message(owner, new_customer(), text))

    broken_payload = customer_message(connection, new_customer(), "broken")
    broken = _Broken(
        _source(connection),
        broken_payload,
        {},
        instagram.parse_webhook(broken_payload, received_at=utcnow()),
    )
    outcomes = await asyncio.gather(
        writer.write(message(connection, "before")),
        writer.write(broken),
        writer.write(message(gone, "to a disconnected account")),
        writer.write(message(connection, "after")),
        return_exceptions=True,
    )
    assert isinstance(outcomes[0], Ingested)
    assert isinstance(outcomes[1], DBAPIError)
    assert isinstance(outcomes[2], ConnectionGone)
    assert isinstance(outcomes[3], Ingested)
    texts = {
        row[0]
        for row in rows(
            pg,
            "SELECT text_content FROM messages WHERE business_id IN (%s, %s)",
            connection.business_id,
            gone.business_id,
        )
    }
    assert texts == {"before", "after"}
    assert not rows(pg, "SELECT 1 FROM webhook_events WHERE connection_id = %s", gone.id)


async def test_statements_sent_together_answer_each_in_order(
    engine: AsyncEngine, pg: psycopg.Connection, settings: Settings
) -> None:
    async with create_sessionmaker(engine)() as session:
        answers = await first_rows(
            session,
            [("SELECT :n * 2", {"n": n}) for n in range(5)] + [("SELECT 1 WHERE false", {})],
        )
        assert answers == [(0,), (2,), (4,), (6,), (8,), None]
        marker = uuid.uuid4().hex
        with pytest.raises(psycopg.errors.DivisionByZero):
            await first_rows(
                session,
                [
                    (
                        "INSERT INTO users (id, email) VALUES (:id, :email)",
                        {"id": uuid.uuid4(), "email": f"{marker}@example.com"},
                    ),
                    ("SELECT 1 / 0", {}),
                ],
            )
        await session.rollback()
    assert not rows(pg, "SELECT 1 FROM users WHERE email = %s", f"{marker}@example.com")
