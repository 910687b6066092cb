"""All SQL for the public `users` table (the profile behind every signed-in person)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import Conflict
from store.tables.base import utcnow
from store.tables.users import User


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    """The profile with this id."""
    return await session.get(User, user_id)


async def get_or_create_user(
    session: AsyncSession, *, user_id: uuid.UUID, email: str, defaults: dict[str, str] | None = None
) -> tuple[User, bool]:
    """The profile for an authenticated identity, created on its first call; and whether
    this call created it.

    Race-safe: concurrent first calls both INSERT ... ON CONFLICT DO NOTHING and then read
    the one row. The email follows the identity's (it can change at the auth service).
    """
    created = False
    user = await session.get(User, user_id)
    if user is None:
        now = utcnow()
        inserted = await session.exec(
            pg_insert(User)
            .values(id=user_id, email=email, created_at=now, updated_at=now, **(defaults or {}))
            .on_conflict_do_nothing()
            .returning(col(User.id))
        )
        created = inserted.first() is not None
        result = await session.exec(
            select(User).where(User.id == user_id).execution_options(populate_existing=True)
        )
        user = result.first()
        if user is None:
            raise Conflict(
                "This email address already belongs to another profile.", details={"email": email}
            )
    elif user.email != email:
        try:
            async with session.begin_nested():
                user = await update_user(session, user, {"email": email})
        except IntegrityError as exc:
            raise Conflict(
                "This email address already belongs to another profile.", details={"email": email}
            ) from exc
    return user, created


async def update_user(session: AsyncSession, user: User, changes: dict[str, Any]) -> User:
    """Apply `changes` (column name to new value) to the profile."""
    for name, value in changes.items():
        setattr(user, name, value)
    user.updated_at = utcnow()
    session.add(user)
    await session.flush()
    return user
