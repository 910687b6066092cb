"""The business-context vectors: one pgvector table per embedding model, via langchain-postgres.

Every business shares one table per model (`context_vectors_<model>_<dimension>`), so
switching the embedding provider starts a fresh table instead of mixing two models'
vectors in one index. Rows are keyed by the `business_context_chunks` id they embed.

Tenant filtering: `business_id` and `source_field` are real columns (langchain-postgres
`metadata_columns`) under a btree index, never keys of a JSON metadata column. pgvector
0.6 has no iterative index scans: an HNSW scan yields its `ef_search` nearest rows of the
whole table and only then applies the WHERE clause, so a JSON-filtered search returns
almost nothing (measured in FINDINGS.md). With a real column the planner reads only the
business's rows through the btree and sorts them exactly. Every search goes through
`ContextStore.search*`, which requires a business id; there is no unfiltered search.

Which plan: a business with up to `EXACT_SEARCH_UP_TO` chunks (every real one: a profile
and the owner's facts make dozens to hundreds) is ranked exactly, index scans off. Left to
itself the planner takes the HNSW scan once a business holds about 1 % of the table, and
that scan both reads far more pages (31 ms against 3 ms for 2,000 chunks in 200,000,
`bench/bench_context_search.py`) and can come back short. Only above that size does the
planner choose, with the exact query as the fallback when its plan comes back short.

Why the tables are created at run time and not by a migration: their name and vector
width follow the configured embedding provider (384 for the local model, 1536 or a chosen
size for OpenAI), which a migration cannot know. `ensure_ready` creates the table and its
indexes if missing, under an advisory lock so concurrent processes do not race, and is
idempotent; the test harness and fresh databases just get them on first use.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from langchain_postgres import Column, PGEngine, PGVectorStore
from langchain_postgres.v2.indexes import HNSWIndex, HNSWQueryOptions, QueryOptions
from sqlalchemy import column, func, literal, select, table, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.embeddings import ProviderEmbeddings

TABLE_PREFIX: Final = "context_vectors_"
# Postgres truncates identifiers at 63 bytes; index names add up to 13 characters.
_MAX_TABLE_NAME: Final = 50
ID_COLUMN: Final = "chunk_id"
CONTENT_COLUMN: Final = "content"
EMBEDDING_COLUMN: Final = "embedding"
BUSINESS_COLUMN: Final = "business_id"
SOURCE_COLUMN: Final = "source_field"
DEFAULT_K: Final = 5
MAX_K: Final = 50
# HNSW build parameters: pgvector's defaults, which suit tables of up to a few million rows.
HNSW_M: Final = 16
HNSW_EF_CONSTRUCTION: Final = 64
# Candidates an HNSW scan returns before the business filter (pgvector's default is 40).
# More candidates let a business holding a few percent of the table be answered from the
# index; smaller ones fall back to the exact re-query (see `search_by_vector`).
HNSW_EF_SEARCH: Final = 100
# Up to this many chunks, a business's rows are ranked exactly (about 8 ms at the top of
# the range on the 2-core machine); above it the planner's HNSW plan is worth its risk.
EXACT_SEARCH_UP_TO: Final = 5_000
# How long a business's chunk count is trusted. Counts only choose the plan; a stale one
# costs speed, never a right answer (a short HNSW answer is re-run exactly).
SIZE_TTL_SECONDS: Final = 300.0
_MAX_SIZES: Final = 10_000


def vector_table_name(model_id: str, dimension: int) -> str:
    """The table of one embedding model: `context_vectors_<model slug>_<dimension>`.

    Lower-case letters, digits and underscores only; names that would be too long keep a
    readable start and end in a hash of the model id, so two models never share a table.
    """
    slug = re.sub(r"[^a-z0-9]+", "_", model_id.lower()).strip("_")
    name = f"{TABLE_PREFIX}{slug}_{dimension}"
    if len(name) <= _MAX_TABLE_NAME:
        return name
    digest = hashlib.sha256(model_id.encode()).hexdigest()[:8]
    keep = _MAX_TABLE_NAME - len(TABLE_PREFIX) - len(digest) - len(str(dimension)) - 2
    return f"{TABLE_PREFIX}{slug[:keep].rstrip('_')}_{digest}_{dimension}"


@dataclass(frozen=True)
class ContextHit:
    """A retrieved chunk: its id, text, where it came from and its cosine similarity."""

    chunk_id: uuid.UUID
    text: str
    source_field: str
    score: float


@dataclass(frozen=True)
class VectorRow:
    """A chunk to embed and store."""

    chunk_id: uuid.UUID
    text: str
    source_field: str


class _ExactScan(QueryOptions):
    """Session settings that keep the planner off the HNSW index for one query.

    Index scans are switched off for the query's transaction, so the business's rows are
    read through a bitmap scan of the btree (HNSW cannot serve bitmap scans) and ranked
    exactly. Used when the planner's own choice returned fewer rows than asked for.
    """

    def to_parameter(self) -> list[str]:
        return ["enable_indexscan = off"]

    def to_string(self) -> str:
        return "enable_indexscan = off"


def _advisory_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a table name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class ContextStore:
    """Business-context vectors for one embedding model, always searched per business.

    Cheap to construct; the table is created on first use (`ensure_ready`). Writes go
    through the engine's own connections and commit at once: the chunk rows in the
    caller's session are the truth, and `embed_business_context` repairs any difference
    (a vector left behind by a rolled-back job is removed on the next run).
    """

    def __init__(
        self,
        engine: AsyncEngine,
        embeddings: ProviderEmbeddings,
        *,
        exact_up_to: int = EXACT_SEARCH_UP_TO,
    ) -> None:
        self.engine = engine
        self.embeddings = embeddings
        self.table = vector_table_name(embeddings.model_id, embeddings.dimension)
        self.exact_up_to = exact_up_to
        self._pg_engine = PGEngine.from_engine(engine)
        self._planned: PGVectorStore | None = None
        self._exact: PGVectorStore | None = None
        self._lock = asyncio.Lock()
        # business id -> (chunk count capped at exact_up_to + 1, when counted)
        self._sizes: dict[uuid.UUID, tuple[int, float]] = {}

    @property
    def hnsw_index(self) -> str:
        """The name of the table's HNSW (cosine) index."""
        return f"{self.table}_hnsw"

    @property
    def business_index(self) -> str:
        """The name of the table's (business_id, source_field) btree index."""
        return f"{self.table}_business"

    async def ensure_ready(self) -> None:
        """Create the table and its indexes if missing; once per instance, race-free."""
        if self._planned is not None:
            return
        async with self._lock:
            if self._planned is None:
                await self._create_if_missing()
                self._exact = await self._open(_ExactScan())
                self._planned = await self._open(HNSWQueryOptions(ef_search=HNSW_EF_SEARCH))

    async def _create_if_missing(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(
                text("SELECT pg_advisory_lock(:key)"), {"key": _advisory_key(self.table)}
            )
            try:
                exists = await conn.scalar(text("SELECT to_regclass(:name)"), {"name": self.table})
                await conn.commit()
                if exists is None:
                    await self._pg_engine.ainit_vectorstore_table(
                        self.table,
                        self.embeddings.dimension,
                        id_column=Column(ID_COLUMN, "UUID", nullable=False),
                        content_column=CONTENT_COLUMN,
                        embedding_column=EMBEDDING_COLUMN,
                        metadata_columns=[
                            Column(BUSINESS_COLUMN, "UUID", nullable=False),
                            Column(SOURCE_COLUMN, "TEXT", nullable=False),
                        ],
                        store_metadata=False,
                    )
                await conn.execute(
                    text(
                        f'CREATE INDEX IF NOT EXISTS "{self.business_index}" '
                        f'ON "{self.table}" ({BUSINESS_COLUMN}, {SOURCE_COLUMN})'
                    )
                )
                await conn.commit()
                store = await self._open(None)
                if not await store.ais_valid_index(self.hnsw_index):
                    await store.aapply_vector_index(
                        HNSWIndex(m=HNSW_M, ef_construction=HNSW_EF_CONSTRUCTION),
                        name=self.hnsw_index,
                    )
            finally:
                await conn.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": _advisory_key(self.table)}
                )
                await conn.commit()

    async def _open(self, options: QueryOptions | None) -> PGVectorStore:
        return await PGVectorStore.create(
            self._pg_engine,
            self.embeddings,
            self.table,
            id_column=ID_COLUMN,
            content_column=CONTENT_COLUMN,
            embedding_column=EMBEDDING_COLUMN,
            metadata_columns=[BUSINESS_COLUMN, SOURCE_COLUMN],
            metadata_json_column=None,
            index_query_options=options,
        )

    async def _stores(self) -> tuple[PGVectorStore, PGVectorStore]:
        await self.ensure_ready()
        assert self._planned is not None
        assert self._exact is not None
        return self._planned, self._exact

    # --- writes ------------------------------------------------------------------------

    async def add(self, business_id: uuid.UUID, rows: Sequence[VectorRow]) -> None:
        """Embed and store chunks of the business (an existing chunk id is overwritten)."""
        if not rows:
            return
        planned, _ = await self._stores()
        self._sizes.pop(business_id, None)
        await planned.aadd_texts(
            [row.text for row in rows],
            metadatas=[
                {BUSINESS_COLUMN: business_id, SOURCE_COLUMN: row.source_field} for row in rows
            ],
            ids=[row.chunk_id for row in rows],
        )

    async def delete(self, business_id: uuid.UUID, chunk_ids: Sequence[uuid.UUID]) -> None:
        """Remove the business's vectors with these chunk ids."""
        if not chunk_ids:
            return
        planned, _ = await self._stores()
        self._sizes.pop(business_id, None)
        await planned.adelete(ids=list(chunk_ids), filter={BUSINESS_COLUMN: business_id})

    async def chunk_ids(
        self, business_id: uuid.UUID, sources: Sequence[str] | None = None
    ) -> set[uuid.UUID]:
        """The chunk ids the business has vectors for (from these sources, or all)."""
        planned, _ = await self._stores()
        found = await planned.aget(where=self._filter(business_id, sources), include=[])
        return {uuid.UUID(value) for value in found["ids"]}

    # --- search ------------------------------------------------------------------------

    async def search(
        self,
        business_id: uuid.UUID,
        query: str,
        *,
        k: int = DEFAULT_K,
        sources: Sequence[str] | None = None,
    ) -> list[ContextHit]:
        """The business's `k` chunks nearest to `query` (optionally from some sources only)."""
        vector = await self.embeddings.aembed_query(query)
        return await self.search_by_vector(business_id, vector, k=k, sources=sources)

    async def search_by_vector(
        self,
        business_id: uuid.UUID,
        vector: Sequence[float],
        *,
        k: int = DEFAULT_K,
        sources: Sequence[str] | None = None,
    ) -> list[ContextHit]:
        """The business's `k` chunks nearest to `vector`, best first.

        A business of up to `exact_up_to` chunks is ranked exactly. A larger one gets the
        planner's plan; if that returned fewer than `k` rows (an HNSW scan whose
        candidates were mostly other businesses' rows), the query runs again exactly.
        """
        k = max(1, min(k, MAX_K))
        planned, exact = await self._stores()
        where = self._filter(business_id, sources)
        query = list(vector)
        found = []
        if await self._business_size(business_id) > self.exact_up_to:
            found = await planned.asimilarity_search_with_score_by_vector(query, k=k, filter=where)
        if len(found) < k:
            found = await exact.asimilarity_search_with_score_by_vector(query, k=k, filter=where)
        return [
            ContextHit(
                chunk_id=uuid.UUID(str(doc.id)),
                text=doc.page_content,
                source_field=str(doc.metadata[SOURCE_COLUMN]),
                score=1.0 - float(distance),
            )
            for doc, distance in found
            if doc.metadata.get(BUSINESS_COLUMN) == business_id
        ]

    async def _business_size(self, business_id: uuid.UUID) -> int:
        """The business's chunk count, capped just above `exact_up_to`; cached a while.

        Counted through the btree (an index-only scan that stops at the cap), so even the
        largest business costs a fraction of a millisecond.
        """
        now = time.monotonic()
        cached = self._sizes.get(business_id)
        if cached is not None and now - cached[1] < SIZE_TTL_SECONDS:
            return cached[0]
        rows = table(self.table, column(BUSINESS_COLUMN))
        capped = (
            select(literal(1))
            .select_from(rows)
            .where(rows.c[BUSINESS_COLUMN] == business_id)
            .limit(self.exact_up_to + 1)
            .subquery()
        )
        async with self.engine.connect() as conn:
            size = await conn.scalar(select(func.count()).select_from(capped))
        if len(self._sizes) >= _MAX_SIZES:
            self._sizes.clear()
        self._sizes[business_id] = (int(size or 0), now)
        return int(size or 0)

    @staticmethod
    def _filter(business_id: uuid.UUID, sources: Sequence[str] | None) -> dict[str, Any]:
        by_business: dict[str, Any] = {BUSINESS_COLUMN: business_id}
        if sources is None:
            return by_business
        return {"$and": [by_business, {SOURCE_COLUMN: {"$in": list(sources)}}]}
