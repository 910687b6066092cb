"""Group commit of webhook deliveries: shared transactions, failures kept to their delivery."""

from __future__ import annotations

import asyncio
import uuid

import psycopg
import pytest
from redis.asyncio import Redis
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from api.routes.webhook_batches import Record, WebhookWriter
from core.settings import Settings
from store.conversations.ingest import ConnectionGone, Ingested
from store.conversations.sql import run
from store.db import create_sessionmaker
from tests.support.conversations import one, seed_connection


@pytest.fixture
def writer(engine: AsyncEngine, redis: Redis) -> WebhookWriter:
    return WebhookWriter(create_sessionmaker(engine), redis, debounce_seconds=0)


def _notify(business_id: uuid.UUID, title: str, sessions: list[int]) -> Record:
    async def record(session: AsyncSession) -> Ingested:
        sessions.append(id(session))
        await run(
            session,
            "INSERT INTO notifications (id, business_id, kind, title) "
            "VALUES (:id, :business_id, 'test', :title)",
            {"id": uuid.uuid4(), "business_id": business_id, "title": title},
        )
        return Ingested(webhook_event_id=uuid.uuid4())

    return record


async def test_concurrent_deliveries_share_a_transaction(
    writer: WebhookWriter, pg: psycopg.Connection, settings: Settings
) -> None:
    business = seed_connection(pg, settings).business_id
    sessions: list[int] = []
    results = await asyncio.gather(
        *(writer.write(_notify(business, f"n{i}", sessions)) for i in range(10))
    )
    assert len(results) == 10
    assert one(pg, "SELECT count(*) FROM notifications WHERE business_id = %s", business) == 10
    assert len(set(sessions)) < 10  # some deliveries were written together


async def test_a_failing_delivery_fails_alone(
    writer: WebhookWriter, pg: psycopg.Connection, settings: Settings
) -> None:
    business = seed_connection(pg, settings).business_id

    async def broken(session: AsyncSession) -> Ingested:
        await run(session, "SELECT 1 / 0")
        return Ingested(webhook_event_id=uuid.uuid4())

    async def gone(session: AsyncSession) -> Ingested:
        raise ConnectionGone("No webhook is registered at this address.")

    sessions: list[int] = []
    outcomes = await asyncio.gather(
        writer.write(_notify(business, "before", sessions)),
        writer.write(broken),
        writer.write(gone),
        writer.write(_notify(business, "after", sessions)),
        return_exceptions=True,
    )
    assert isinstance(outcomes[0], Ingested)
    assert isinstance(outcomes[1], DBAPIError)
    assert isinstance(outcomes[2], ConnectionGone)
    assert isinstance(outcomes[3], Ingested)
    titles = {
        row[0]
        for row in pg.execute(
            "SELECT title FROM notifications WHERE business_id = %s", (business,)
        ).fetchall()
    }
    assert titles == {"before", "after"}
