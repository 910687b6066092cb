"""SQL for the `businesses` table: an owner's one business."""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from store.tables.businesses import Business


async def get_for_owner(session: AsyncSession, user_id: uuid.UUID) -> Business | None:
    """The business owned by `user_id`, if it has one yet."""
    result = await session.exec(select(Business).where(Business.user_id == user_id))
    return result.first()


async def get_or_create_for_owner(session: AsyncSession, user_id: uuid.UUID) -> Business:
    """The owner's business, created empty on first use (safe under concurrent requests)."""
    existing = await get_for_owner(session, user_id)
    if existing is not None:
        return existing
    await session.exec(
        insert(Business)
        .values(id=uuid.uuid4(), user_id=user_id)
        .on_conflict_do_nothing(index_elements=["user_id"])
    )
    created = await get_for_owner(session, user_id)
    assert created is not None  # inserted above, or by a concurrent request
    return created


async def get_by_id(session: AsyncSession, business_id: uuid.UUID) -> Business | None:
    """A business by id (for jobs, which act for a business rather than an owner)."""
    return await session.get(Business, business_id)
