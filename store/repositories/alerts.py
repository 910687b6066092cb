"""The alerts table: one row per incident, at most one firing per fingerprint (a partial
unique index), resolved when its rule no longer finds it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col, select, text
from sqlmodel.ext.asyncio.session import AsyncSession

from store.tables.enums import AlertStatus
from store.tables.ops import Alert


async def firing(session: AsyncSession) -> dict[str, Alert]:
    """The incidents firing now, by fingerprint, locked for this evaluation."""
    rows = await session.exec(
        select(Alert).where(col(Alert.status) == AlertStatus.FIRING).with_for_update()
    )
    return {alert.fingerprint: alert for alert in rows.all()}


async def open_incident(
    session: AsyncSession, *, rule: str, fingerprint: str, details: dict[str, Any], now: datetime
) -> Alert | None:
    """Record a new firing incident; None if one is already firing for the fingerprint
    (a concurrent evaluation recorded it: it announces it, not us)."""
    inserted = await session.exec(
        pg_insert(Alert)
        .values(
            id=uuid.uuid4(),
            rule=rule,
            fingerprint=fingerprint,
            status=AlertStatus.FIRING.value,
            first_fired_at=now,
            last_seen_at=now,
            details=details,
        )
        .on_conflict_do_nothing(
            index_elements=["fingerprint"], index_where=text("status = 'firing'")
        )
        .returning(col(Alert.id))
    )
    alert_id = inserted.scalar_one_or_none()
    return await session.get(Alert, alert_id) if alert_id is not None else None


def still_firing(alert: Alert, details: dict[str, Any], now: datetime) -> None:
    """The incident is still happening: refresh when it was last seen and its numbers."""
    alert.last_seen_at = now
    alert.details = details


def resolve(alert: Alert, now: datetime) -> None:
    """The rule no longer finds the incident."""
    alert.status = AlertStatus.RESOLVED
    alert.resolved_at = now
