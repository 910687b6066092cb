"""SQL for the business profile: field changes, onboarding progress and completion.

Every write recomputes `profile_completeness_score` from the stored row, so the score can
never disagree with the fields, whoever changed them (onboarding, the assistant, the
profile API). Callers pass values already cleaned by `core.business_profile`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.business_profile import PROFILE_FIELDS, completeness_score
from core.errors import NotFound
from store.tables.base import utcnow
from store.tables.businesses import Business


def profile_of(business: Business) -> dict[str, Any]:
    """The profile fields of a business row, as a dict."""
    return {field: getattr(business, field) for field in PROFILE_FIELDS}


async def lock_business(session: AsyncSession, business_id: uuid.UUID) -> Business:
    """The business row, locked for update until the transaction ends.

    Profile writers read-modify-write JSONB fields (one policy, one handle); the lock
    keeps two concurrent edits from losing one another.
    """
    result = await session.exec(
        select(Business)
        .where(col(Business.id) == business_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    business = result.first()
    if business is None:
        raise NotFound("This business does not exist.")
    return business


async def update_profile(
    session: AsyncSession, business_id: uuid.UUID, changes: Mapping[str, Any]
) -> tuple[Business, list[str]]:
    """Write profile fields; returns the row and the fields whose value actually changed."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    business = await lock_business(session, business_id)
    changed = [field for field, value in changes.items() if getattr(business, field) != value]
    for field in changed:
        setattr(business, field, changes[field])
    business.profile_completeness_score = completeness_score(profile_of(business))
    if changed:
        business.updated_at = utcnow()
    session.add(business)
    await session.flush()
    return business, changed


async def save_onboarding_progress(
    session: AsyncSession,
    business_id: uuid.UUID,
    progress: Mapping[str, Any],
    *,
    completed_at: datetime | None = None,
) -> None:
    """Record where onboarding stands, and when it completed (once: the first time)."""
    values: dict[str, Any] = {"onboarding_progress": dict(progress), "updated_at": utcnow()}
    await session.exec(update(Business).where(col(Business.id) == business_id).values(**values))
    if completed_at is not None:
        await session.exec(
            update(Business)
            .where(col(Business.id) == business_id)
            .where(col(Business.onboarding_completed_at).is_(None))
            .values(onboarding_completed_at=completed_at)
        )


async def reset_onboarding(session: AsyncSession, business_id: uuid.UUID) -> None:
    """Onboarding starts over: no progress, not completed (the profile values stay)."""
    await session.exec(
        update(Business)
        .where(col(Business.id) == business_id)
        .values(onboarding_progress=None, onboarding_completed_at=None, updated_at=utcnow())
    )
