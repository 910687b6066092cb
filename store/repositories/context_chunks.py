"""SQL for `business_context_chunks`, always scoped to one business.

Functions flush, never commit: the job or request that owns the session commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from store.context.chunking import Chunk
from store.tables.context import BusinessContextChunk

# Namespace of the transaction-level advisory locks taken on a business's context.
_LOCK_NAMESPACE = 0x43_54_58  # "CTX"


async def lock_business_context(session: AsyncSession, business_id: uuid.UUID) -> None:
    """Serialise re-chunking of one business until the transaction ends.

    Two jobs re-chunking the same field at once would each insert the new chunks; the
    lock makes the second one see the first one's rows instead.
    """
    await session.exec(
        select(func.pg_advisory_xact_lock(_LOCK_NAMESPACE, func.hashtext(str(business_id))))
    )


async def chunks_of(
    session: AsyncSession, business_id: uuid.UUID, sources: Collection[str]
) -> list[BusinessContextChunk]:
    """The business's chunks from these source fields, oldest first."""
    if not sources:
        return []
    rows = await session.exec(
        select(BusinessContextChunk)
        .where(
            col(BusinessContextChunk.business_id) == business_id,
            col(BusinessContextChunk.source_field).in_(list(sources)),
        )
        .order_by(col(BusinessContextChunk.created_at), col(BusinessContextChunk.id))
    )
    return list(rows.all())


async def insert_chunks(
    session: AsyncSession, business_id: uuid.UUID, chunks: Sequence[Chunk]
) -> list[BusinessContextChunk]:
    """Store chunks for the business, in the given order."""
    rows = [
        BusinessContextChunk(
            business_id=business_id,
            chunk_text=chunk.text,
            source_field=chunk.source_field,
            content_hash=chunk.content_hash,
        )
        for chunk in chunks
    ]
    session.add_all(rows)
    await session.flush()
    return rows


async def delete_chunks(
    session: AsyncSession, business_id: uuid.UUID, chunk_ids: Collection[uuid.UUID]
) -> None:
    """Remove chunks of the business by id."""
    if chunk_ids:
        await session.exec(
            delete(BusinessContextChunk)
            .where(
                col(BusinessContextChunk.business_id) == business_id,
                col(BusinessContextChunk.id).in_(list(chunk_ids)),
            )
            .execution_options(synchronize_session=False)
        )


async def count_chunks(session: AsyncSession, business_id: uuid.UUID) -> int:
    """How many chunks the business has, all sources together."""
    found = await session.exec(
        select(func.count())
        .select_from(BusinessContextChunk)
        .where(col(BusinessContextChunk.business_id) == business_id)
    )
    return found.one()
