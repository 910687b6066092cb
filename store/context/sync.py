"""Keeping a business's context chunks and their vectors in step with its profile.

`embed_business_context` re-chunks profile fields: per field, chunks whose text is
unchanged keep their row and vector (no embedding call), stale ones are deleted from both
`business_context_chunks` and the vector table, new ones are written and embedded. It is
idempotent: a second run with nothing changed writes and embeds nothing. It also repairs:
a chunk without a vector (a job that died between the two) is embedded, and a vector
without a chunk (a rolled-back job) is removed.

Free-text facts (`add_context_facts`) are chunks of their own source, "fact"; re-chunking
the profile never touches them.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import NotFound
from store.context.chunking import (
    CONTEXT_SOURCES,
    FACT_SOURCE,
    Chunk,
    chunk_facts,
    chunk_profile,
)
from store.context.vectors import ContextStore, VectorRow
from store.repositories import context_chunks as repo
from store.repositories.business_profile import profile_of
from store.tables.businesses import Business
from store.tables.context import BusinessContextChunk

log = logging.getLogger("chidi.context")


@dataclass
class ContextSync:
    """What one re-chunking did, per count of chunks."""

    kept: int = 0
    added: int = 0
    removed: int = 0
    embedded: int = 0
    vectors_removed: int = 0
    sources: list[str] = field(default_factory=list)


def _plan(
    existing: Sequence[BusinessContextChunk], wanted: Sequence[Chunk]
) -> tuple[list[BusinessContextChunk], list[BusinessContextChunk], list[Chunk]]:
    """Which existing rows to keep, which to delete, and which chunks to insert.

    Rows are matched to wanted chunks by (source, content hash); a duplicate row of the
    same text is deleted.
    """
    wanted_keys = {(c.source_field, c.content_hash) for c in wanted}
    kept: dict[tuple[str | None, str], BusinessContextChunk] = {}
    stale: list[BusinessContextChunk] = []
    for row in existing:
        key = (row.source_field, row.content_hash)
        if key in wanted_keys and key not in kept:
            kept[key] = row
        else:
            stale.append(row)
    new: list[Chunk] = []
    seen: set[tuple[str, str]] = set()
    for chunk in wanted:
        key = (chunk.source_field, chunk.content_hash)
        if key not in kept and key not in seen:
            seen.add(key)
            new.append(chunk)
    return list(kept.values()), stale, new


async def _sync_vectors(
    store: ContextStore,
    business_id: uuid.UUID,
    sources: Sequence[str],
    rows: Sequence[BusinessContextChunk],
    result: ContextSync,
) -> None:
    """Make the vectors of these sources exactly the vectors of `rows`."""
    have = await store.chunk_ids(business_id, sources)
    wanted = {row.id for row in rows}
    orphans = sorted(have - wanted)
    await store.delete(business_id, orphans)
    missing = [
        VectorRow(row.id, row.chunk_text, row.source_field or FACT_SOURCE)
        for row in rows
        if row.id not in have
    ]
    await store.add(business_id, missing)
    result.vectors_removed += len(orphans)
    result.embedded += len(missing)


async def _replace_sources(
    session: AsyncSession,
    store: ContextStore,
    business_id: uuid.UUID,
    sources: Sequence[str],
    wanted: Sequence[Chunk],
    *,
    delete_stale: bool = True,
) -> ContextSync:
    await repo.lock_business_context(session, business_id)
    existing = await repo.chunks_of(session, business_id, sources)
    kept, stale, new = _plan(existing, wanted)
    if not delete_stale:
        kept, stale = kept + stale, []
    await repo.delete_chunks(session, business_id, [row.id for row in stale])
    inserted = await repo.insert_chunks(session, business_id, new)
    result = ContextSync(
        kept=len(kept), added=len(inserted), removed=len(stale), sources=list(sources)
    )
    await _sync_vectors(store, business_id, sources, [*kept, *inserted], result)
    return result


def _profile_sources(fields: Iterable[str] | None) -> list[str]:
    chosen = list(CONTEXT_SOURCES if fields is None else dict.fromkeys(fields))
    unknown = [f for f in chosen if f not in CONTEXT_SOURCES]
    if unknown:
        raise ValueError(f"not context sources: {unknown}")
    return chosen


async def embed_business_context(
    session: AsyncSession,
    store: ContextStore,
    business_id: uuid.UUID,
    fields: Iterable[str] | None = None,
) -> ContextSync:
    """Re-chunk and re-embed profile fields (all of them when `fields` is None).

    Naming "fact" (or passing None) also re-checks the facts' vectors, without changing
    the facts themselves. Flushes only; the caller commits.
    """
    sources = _profile_sources(fields)
    business = await session.get(Business, business_id)
    if business is None:
        raise NotFound("This business does not exist.")
    profile_fields = [s for s in sources if s != FACT_SOURCE]
    result = ContextSync()
    if profile_fields:
        wanted = chunk_profile(profile_of(business), profile_fields)
        result = await _replace_sources(session, store, business_id, profile_fields, wanted)
    if FACT_SOURCE in sources:
        facts = await _replace_sources(
            session, store, business_id, [FACT_SOURCE], [], delete_stale=False
        )
        result.kept += facts.kept
        result.embedded += facts.embedded
        result.vectors_removed += facts.vectors_removed
        result.sources.append(FACT_SOURCE)
    log.info(
        "business context embedded",
        extra={"business_id": str(business_id), **_counts(result)},
    )
    return result


async def add_context_facts(
    session: AsyncSession, store: ContextStore, business_id: uuid.UUID, facts: Iterable[str]
) -> ContextSync:
    """Store and embed free-text facts the owner gave; a fact already stored is kept once."""
    result = await _replace_sources(
        session, store, business_id, [FACT_SOURCE], chunk_facts(facts), delete_stale=False
    )
    log.info("context facts added", extra={"business_id": str(business_id), **_counts(result)})
    return result


async def replace_context_facts(
    session: AsyncSession, store: ContextStore, business_id: uuid.UUID, facts: Iterable[str]
) -> ContextSync:
    """Make the business's facts exactly `facts` (others are removed with their vectors)."""
    return await _replace_sources(session, store, business_id, [FACT_SOURCE], chunk_facts(facts))


def _counts(result: ContextSync) -> dict[str, int]:
    return {
        "kept": result.kept,
        "added": result.added,
        "removed": result.removed,
        "embedded": result.embedded,
        "vectors_removed": result.vectors_removed,
    }
