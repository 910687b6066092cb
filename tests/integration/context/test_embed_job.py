"""`embed_business_context`: re-chunking a changed field, idempotently, through the worker."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest
from arq.connections import RedisSettings
from arq.worker import Function, Worker
from redis.asyncio import Redis
from sqlmodel.ext.asyncio.session import AsyncSession

from core.settings import Settings
from store.context.sync import (
    ContextSync,
    add_context_facts,
    embed_business_context,
    replace_context_facts,
)
from store.context.vectors import ContextStore
from store.tables.businesses import Business
from tests.integration.context.conftest import NewBusiness, on_table
from tests.support.workers import clear_job_queue
from workers import runtime
from workers.jobs.context import EMBED_CONTEXT_JOB, enqueue_embed_business_context
from workers.settings import WorkerSettings

Snapshot = dict[uuid.UUID, tuple[str, str]]

PROFILE: dict[str, Any] = {
    "business_type": "fashion boutique",
    "target_audience_description": "Young professionals in Lagos",
    "policies": {"returns": "7 days with the receipt", "hours": "9am-6pm"},
}


def chunks(pg: psycopg.Connection, business_id: uuid.UUID) -> Snapshot:
    """The business's chunk rows: id -> (source field, text)."""
    rows = pg.execute(
        "SELECT id, source_field, chunk_text FROM business_context_chunks WHERE business_id = %s",
        (business_id,),
    ).fetchall()
    return {row[0]: (row[1], row[2]) for row in rows}


def vectors(pg: psycopg.Connection, table: str, business_id: uuid.UUID) -> Snapshot:
    """The business's vectors: chunk id -> (source field, embedding as text)."""
    rows = pg.execute(
        on_table(
            "SELECT chunk_id, source_field, embedding::text FROM {table} WHERE business_id = %s",
            table,
        ),
        (business_id,),
    ).fetchall()
    return {row[0]: (row[1], row[2]) for row in rows}


def texts_of(snapshot: Snapshot, source: str) -> set[str]:
    return {text for field, text in snapshot.values() if field == source}


def state(pg: psycopg.Connection, table: str, business_id: uuid.UUID) -> tuple[Snapshot, Snapshot]:
    """The business's chunk rows and vectors."""
    return chunks(pg, business_id), vectors(pg, table, business_id)


async def synced(
    session: AsyncSession,
    store: ContextStore,
    business_id: uuid.UUID,
    fields: list[str] | None = None,
) -> ContextSync:
    """`embed_business_context`, committed as the job commits it."""
    result = await embed_business_context(session, store, business_id, fields)
    await session.commit()
    return result


@pytest.fixture
async def shop(
    session: AsyncSession, context_store: ContextStore, committed_business: NewBusiness
) -> Business:
    """A business with PROFILE, embedded."""
    business = await committed_business(**PROFILE)
    await synced(session, context_store, business.id)
    return business


async def set_profile(session: AsyncSession, business_id: uuid.UUID, **fields: Any) -> None:
    business = await session.get(Business, business_id)
    assert business is not None
    for field, value in fields.items():
        setattr(business, field, value)
    session.add(business)
    await session.commit()


async def test_a_changed_field_is_rechunked_and_nothing_else_moves(
    session: AsyncSession,
    context_store: ContextStore,
    committed_business: NewBusiness,
    pg: psycopg.Connection,
) -> None:
    shop = await committed_business(**PROFILE)
    rival = await committed_business(**PROFILE)
    for business in (shop, rival):
        await add_context_facts(session, context_store, business.id, ["Cash or transfer only."])
        await synced(session, context_store, business.id)
    before = chunks(pg, shop.id)
    rival_before = state(pg, context_store.table, rival.id)
    assert set(vectors(pg, context_store.table, shop.id)) == set(before)

    await set_profile(session, shop.id, policies={"returns": "14 days, unworn", "hours": "9am-6pm"})
    result = await synced(session, context_store, shop.id, ["policies"])

    assert (result.kept, result.added, result.removed) == (1, 1, 1)
    assert (result.embedded, result.vectors_removed) == (1, 1)
    after = chunks(pg, shop.id)
    assert texts_of(after, "policies") == {"Returns: 14 days, unworn", "Opening hours: 9am-6pm"}
    removed = set(before) - set(after)
    assert [before[chunk_id][1] for chunk_id in removed] == ["Returns: 7 days with the receipt"]
    # Every other row keeps its id (so its vector): the unchanged policy, the other
    # fields, the fact.
    assert {k: v for k, v in before.items() if k not in removed}.items() <= after.items()
    shop_vectors = vectors(pg, context_store.table, shop.id)
    assert set(shop_vectors) == set(after)
    assert rival_before == state(pg, context_store.table, rival.id)
    hits = await context_store.search(shop.id, "can I return something", k=1)
    assert [hit.text for hit in hits] == ["Returns: 14 days, unworn"]


async def test_running_twice_changes_nothing(
    session: AsyncSession,
    context_store: ContextStore,
    committed_business: NewBusiness,
    pg: psycopg.Connection,
) -> None:
    business = await committed_business(**PROFILE)
    first = await synced(session, context_store, business.id)
    assert (first.added, first.embedded) == (4, 4)
    snapshot = state(pg, context_store.table, business.id)

    again = await synced(session, context_store, business.id)
    assert (again.kept, again.added, again.removed) == (4, 0, 0)
    assert (again.embedded, again.vectors_removed) == (0, 0)
    assert snapshot == state(pg, context_store.table, business.id)


async def test_a_cleared_field_loses_its_chunks(
    session: AsyncSession, context_store: ContextStore, shop: Business, pg: psycopg.Connection
) -> None:
    await set_profile(session, shop.id, target_audience_description=None)
    result = await synced(session, context_store, shop.id, ["target_audience_description"])
    assert (result.removed, result.vectors_removed, result.added) == (1, 1, 0)
    after = chunks(pg, shop.id)
    assert texts_of(after, "target_audience_description") == set()
    assert set(vectors(pg, context_store.table, shop.id)) == set(after)


async def test_missing_and_orphaned_vectors_are_repaired(
    session: AsyncSession, context_store: ContextStore, shop: Business, pg: psycopg.Connection
) -> None:
    lost = next(iter(chunks(pg, shop.id)))
    pg.execute(on_table("DELETE FROM {table} WHERE chunk_id = %s", context_store.table), (lost,))
    orphan = uuid.uuid4()  # a vector whose chunk row was rolled back
    pg.execute(
        on_table(
            "INSERT INTO {table} (chunk_id, content, embedding, business_id, source_field) "
            "SELECT %s, 'Returns: never', embedding, business_id, 'policies' "
            "FROM {table} WHERE business_id = %s LIMIT 1",
            context_store.table,
        ),
        (orphan, shop.id),
    )

    result = await synced(session, context_store, shop.id)
    assert (result.embedded, result.vectors_removed, result.added) == (1, 1, 0)
    assert set(vectors(pg, context_store.table, shop.id)) == set(chunks(pg, shop.id))


async def test_facts_survive_profile_rechunking_and_can_be_replaced(
    session: AsyncSession, context_store: ContextStore, shop: Business, pg: psycopg.Connection
) -> None:
    await add_context_facts(session, context_store, shop.id, ["We close early on Fridays."])
    added = await add_context_facts(
        session, context_store, shop.id, ["We close early on Fridays.", "Parking at the back."]
    )
    assert (added.kept, added.added) == (1, 1)  # a fact already stored is kept once
    await synced(session, context_store, shop.id)
    assert texts_of(chunks(pg, shop.id), "fact") == {
        "We close early on Fridays.",
        "Parking at the back.",
    }

    replaced = await replace_context_facts(session, context_store, shop.id, ["Open on Sundays."])
    await session.commit()
    assert (replaced.removed, replaced.added) == (2, 1)
    assert texts_of(chunks(pg, shop.id), "fact") == {"Open on Sundays."}
    assert set(vectors(pg, context_store.table, shop.id)) == set(chunks(pg, shop.id))


async def test_the_arq_job_runs_in_the_worker_and_is_idempotent(
    settings: Settings,
    redis: Redis,
    session: AsyncSession,
    context_store: ContextStore,
    committed_business: NewBusiness,
    pg: psycopg.Connection,
) -> None:
    """Enqueued as the API enqueues it, run by an arq worker with CHIDI's start-up (the
    ctx every job gets), registered as in `WorkerSettings`."""
    shop = await committed_business(**PROFILE)
    registered = [
        f
        for f in WorkerSettings.functions
        if isinstance(f, Function) and f.name == EMBED_CONTEXT_JOB
    ]
    assert len(registered) == 1
    clear_job_queue(settings)

    async def run_queue() -> Worker:
        worker = Worker(
            functions=registered,
            redis_settings=RedisSettings.from_dsn(settings.redis_url),
            on_startup=runtime.startup,
            on_shutdown=runtime.shutdown,
            burst=True,
            poll_delay=0.05,
            handle_signals=False,
            max_tries=1,
        )
        try:
            await worker.run_check()
        finally:
            await worker.close()
        return worker

    assert await enqueue_embed_business_context(redis, shop.id)
    assert (await run_queue()).jobs_complete == 1
    first = state(pg, context_store.table, shop.id)
    assert len(first[0]) == 4
    assert set(first[1]) == set(first[0])

    assert await enqueue_embed_business_context(redis, shop.id)  # a duplicate run
    assert await enqueue_embed_business_context(redis, shop.id, ["policies"])
    assert (await run_queue()).jobs_complete == 2
    assert first == state(pg, context_store.table, shop.id)

    await set_profile(session, shop.id, business_type="bridal boutique")
    assert await enqueue_embed_business_context(redis, shop.id, ["business_type"])
    assert (await run_queue()).jobs_complete == 1
    after = chunks(pg, shop.id)
    assert texts_of(after, "business_type") == {"Business type: bridal boutique"}
    assert texts_of(after, "policies") == texts_of(first[0], "policies")
    assert set(vectors(pg, context_store.table, shop.id)) == set(after)
