"""The business-context vectors: always searched per business, one table per model."""

from __future__ import annotations

import uuid

import numpy as np
import psycopg
import psycopg.sql
from numpy.typing import NDArray
from pgvector.psycopg import register_vector
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from core.embeddings import LocalEmbeddings
from core.embeddings.openai_provider import openai_embeddings
from core.settings import Settings
from store.context.sync import add_context_facts, embed_business_context
from store.context.vectors import HNSW_EF_SEARCH, ContextStore, vector_table_name
from tests.integration.context.conftest import NewBusiness, on_table

A_FACTS = [
    "We deliver anywhere in Lagos within 2 days for NGN 2,500.",
    "Returns are accepted within 7 days with the receipt.",
    "We are open Monday to Saturday, 9am to 6pm.",
]
B_FACTS = [
    "We deliver anywhere in Lagos within 3 days for NGN 3,000.",
    "Returns are accepted within 14 days with the receipt.",
    "We are open Monday to Saturday, 10am to 7pm.",
]
QUESTIONS = ["do you deliver to lagos", "can i return it", "what time do you open", "2 days"]


def chunk_ids(pg: psycopg.Connection, business_id: uuid.UUID) -> set[uuid.UUID]:
    rows = pg.execute(
        "SELECT id FROM business_context_chunks WHERE business_id = %s", (business_id,)
    ).fetchall()
    return {row[0] for row in rows}


async def test_a_search_never_returns_another_business_chunks(
    session: AsyncSession,
    context_store: ContextStore,
    committed_business: NewBusiness,
    pg: psycopg.Connection,
) -> None:
    a = await committed_business(policies={"payment": "Cash or transfer"})
    b = await committed_business(policies={"payment": "Cash or transfer"})
    await embed_business_context(session, context_store, a.id)
    await embed_business_context(session, context_store, b.id)
    await add_context_facts(session, context_store, a.id, A_FACTS)
    await add_context_facts(session, context_store, b.id, B_FACTS)
    await session.commit()
    own = {a.id: chunk_ids(pg, a.id), b.id: chunk_ids(pg, b.id)}
    assert len(own[a.id]) == len(own[b.id]) == 4  # the payment policy and three facts
    for business, facts, others in ((a, A_FACTS, B_FACTS), (b, B_FACTS, A_FACTS)):
        for question in QUESTIONS:
            hits = await context_store.search(business.id, question, k=10)
            assert {hit.chunk_id for hit in hits} == own[business.id], question
            assert not {hit.text for hit in hits} & set(others)
        top = await context_store.search(business.id, "do you deliver to lagos", k=1)
        assert [hit.text for hit in top] == [facts[0]]


async def test_a_search_can_be_narrowed_to_some_sources(
    session: AsyncSession, context_store: ContextStore, committed_business: NewBusiness
) -> None:
    shop = await committed_business(
        business_type="bakery", policies={"delivery": "Lagos only", "hours": "8am-4pm"}
    )
    await embed_business_context(session, context_store, shop.id)
    await add_context_facts(session, context_store, shop.id, ["We bake fresh every morning."])
    await session.commit()
    hits = await context_store.search(shop.id, "when do you open", sources=["policies"])
    assert sorted(hit.text for hit in hits) == ["Delivery: Lagos only", "Opening hours: 8am-4pm"]
    assert {hit.source_field for hit in await context_store.search(shop.id, "bread")} == {
        "business_type",
        "policies",
        "fact",
    }


def _unit(vector: NDArray[np.float32]) -> NDArray[np.float32]:
    unit: NDArray[np.float32] = vector / np.linalg.norm(vector)
    return unit


def _copy_vectors(
    pg: psycopg.Connection, table: str, rows: list[tuple[uuid.UUID, NDArray[np.float32]]]
) -> list[uuid.UUID]:
    """Store (business, vector) rows straight into the vector table; their chunk ids."""
    ids = [uuid.uuid4() for _ in rows]
    with (
        pg.cursor() as cursor,
        cursor.copy(
            on_table(
                "COPY {table} (chunk_id, content, embedding, business_id, source_field) FROM STDIN",
                table,
            )
        ) as copy,
    ):
        copy.set_types(["uuid", "text", "vector", "uuid", "text"])
        for chunk_id, (business_id, vector) in zip(ids, rows, strict=True):
            copy.write_row((chunk_id, "filler", vector, business_id, "fact"))
    return ids


class _CrowdedModel(LocalEmbeddings):
    """The local model under another id, so the crowded table below is a table of its own."""

    @property
    def model_id(self) -> str:
        return "test:crowded-minilm"


async def test_k_rows_of_the_business_even_when_others_crowd_the_index(
    engine: AsyncEngine, settings: Settings
) -> None:
    """pgvector 0.6 filters an HNSW scan's `ef_search` candidates after the scan. For a
    business holding a few percent of the table the planner picks that scan; when the
    nearest rows of the whole table all belong to other businesses, it finds none of
    ours. The store must still answer with this business's true top k, whether it ranks
    the business exactly (its size) or trusts the planner first."""
    model = _CrowdedModel()
    store = ContextStore(engine, model)
    shop, crowd = uuid.uuid4(), [uuid.uuid4() for _ in range(40)]
    query = np.asarray(model.embed_query("do you deliver on sundays"), np.float32)
    noise = np.random.default_rng(3).standard_normal((1575, query.shape[0])).astype(np.float32)
    near = [(crowd[i % 40], _unit(query + noise[i] * 0.05)) for i in range(1500)]
    own = [(shop, _unit(noise[1500 + i])) for i in range(75)]
    literal = str([float(x) for x in query])
    sql = on_table(
        "SELECT chunk_id FROM {table} WHERE business_id = %s "
        "ORDER BY embedding <=> %s::vector LIMIT 5",
        store.table,
    )
    with psycopg.connect(settings.database_url_sync_dsn, autocommit=True) as pg:
        register_vector(pg)
        try:
            # Filled before the HNSW index exists: building it once is far quicker than
            # inserting into it row by row.
            await store.ensure_ready()
            pg.execute(on_table("DROP INDEX {table}", store.hnsw_index))
            _copy_vectors(pg, store.table, near)
            ours = set(_copy_vectors(pg, store.table, own))
            store = ContextStore(engine, model)
            await store.ensure_ready()
            pg.execute(on_table("ANALYZE {table}", store.table))
            pg.execute(f"SET hnsw.ef_search = {HNSW_EF_SEARCH}")
            plan = " ".join(
                row[0] for row in pg.execute(psycopg.sql.SQL("EXPLAIN ") + sql, (shop, literal))
            )
            assert f"Index Scan using {store.hnsw_index}" in plan
            assert len(pg.execute(sql, (shop, literal)).fetchall()) < 5  # the plan alone: short

            exact = await store.search_by_vector(shop, query.tolist(), k=5)
            # Made to trust the planner (as for a business above `exact_up_to`), the
            # store finds its plan short and re-runs it exactly.
            trusting = ContextStore(engine, model, exact_up_to=0)
            planned = await trusting.search_by_vector(shop, query.tolist(), k=5)

            pg.execute("SET enable_indexscan = off")
            truth = [row[0] for row in pg.execute(sql, (shop, literal))]
        finally:
            pg.execute(on_table("DROP TABLE IF EXISTS {table}", store.table))
    assert len(truth) == 5
    assert set(truth) <= ours
    for hits in (exact, planned):
        assert [hit.chunk_id for hit in hits] == truth
        assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


def test_the_table_has_an_hnsw_index_and_a_business_btree(
    context_store: ContextStore, pg: psycopg.Connection
) -> None:
    indexes: dict[str, str] = dict(
        pg.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
            (context_store.table,),
        ).fetchall()
    )
    hnsw = indexes[context_store.hnsw_index]
    assert "USING hnsw (embedding vector_cosine_ops)" in hnsw
    assert "m='16'" in hnsw
    assert "ef_construction='64'" in hnsw
    assert indexes[context_store.business_index].endswith("USING btree (business_id, source_field)")
    assert embedding_type(pg, context_store.table) == "vector(384)"


async def test_ensure_ready_is_idempotent_and_safe_to_race(
    context_store: ContextStore, local_embeddings: LocalEmbeddings, pg: psycopg.Connection
) -> None:
    import asyncio

    stores = [ContextStore(context_store.engine, local_embeddings) for _ in range(3)]
    await asyncio.gather(*(store.ensure_ready() for store in stores))
    count = pg.execute(
        "SELECT count(*) FROM pg_indexes WHERE tablename = %s", (context_store.table,)
    ).fetchone()
    assert count == (3,)  # primary key, HNSW, business btree: none doubled


def test_each_model_and_size_has_a_table_of_its_own() -> None:
    local = vector_table_name("local:all-MiniLM-L6-v2", 384)
    assert local == "context_vectors_local_all_minilm_l6_v2_384"
    assert vector_table_name("openai:text-embedding-3-small", 1536) != vector_table_name(
        "openai:text-embedding-3-small@512", 512
    )
    long_a = vector_table_name("openai:" + "a-very-long-model-name" * 3 + "-v1", 1024)
    long_b = vector_table_name("openai:" + "a-very-long-model-name" * 3 + "-v2", 1024)
    assert long_a != long_b
    assert max(len(long_a), len(long_b)) <= 50


async def test_switching_the_embedding_model_never_mixes_vectors(
    session: AsyncSession,
    context_store: ContextStore,
    committed_business: NewBusiness,
    openai_settings: Settings,
    pg: psycopg.Connection,
) -> None:
    shop = await committed_business(business_type="bakery", policies={"hours": "8am-4pm"})
    await embed_business_context(session, context_store, shop.id)
    await session.commit()
    before = vectors_of(pg, context_store.table, shop.id)
    assert len(before) == 2

    short = openai_embeddings(
        openai_settings.model_copy(update={"openai_embedding_dimensions": 64})
    )
    other = ContextStore(context_store.engine, short)
    assert other.table.startswith("context_vectors_openai_text_embedding")
    assert other.table.endswith("_64")
    assert other.table != context_store.table
    result = await embed_business_context(session, other, shop.id)
    await session.commit()
    assert (result.kept, result.added, result.embedded) == (2, 0, 2)  # same chunks, new vectors

    assert vectors_of(pg, context_store.table, shop.id) == before  # the local table untouched
    theirs = vectors_of(pg, other.table, shop.id)
    assert set(theirs) == set(before)  # the same chunks...
    assert {len(vector) for vector in theirs.values()} == {64}  # ...as the other model's vectors
    assert {len(vector) for vector in before.values()} == {384}
    assert {hit.chunk_id for hit in await other.search(shop.id, "opening hours")} == set(before)
    assert embedding_type(pg, other.table) == "vector(64)"


def vectors_of(
    pg: psycopg.Connection, table: str, business_id: uuid.UUID
) -> dict[uuid.UUID, list[float]]:
    """The business's vectors in `table`, by chunk id."""
    register_vector(pg)
    rows = pg.execute(
        on_table("SELECT chunk_id, embedding FROM {table} WHERE business_id = %s", table),
        (business_id,),
    ).fetchall()
    return {row[0]: [float(x) for x in row[1].tolist()] for row in rows}


def embedding_type(pg: psycopg.Connection, table: str) -> str:
    """The SQL type of the table's embedding column, e.g. "vector(384)"."""
    row = pg.execute(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attname = 'embedding'",
        (table,),
    ).fetchone()
    assert row is not None
    return str(row[0])
