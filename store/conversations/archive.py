"""Archiving resolved conversations nobody has touched for a while (PRD §6.4.12).

A batch is one statement: pick resolved conversations whose last message and resolution
are both older than the cut-off (oldest first, skipping rows another transaction holds),
archive them, and write their history rows (actor `system`). A customer who writes again
reopens an archived conversation like a resolved one (store/conversations/ingest.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from store.conversations.sql import run
from store.events import model as live
from store.events.pending import announce
from store.tables.enums import ConversationStatus, StatusActor

ARCHIVE_REASON = "Resolved and idle; archived automatically."

_ARCHIVE_BATCH = """
WITH due AS (
    SELECT id, business_id, status FROM conversations
    WHERE status IN ('resolved_by_ai', 'resolved_by_human') AND last_message_at < :cutoff
      AND COALESCE(resolved_at, last_message_at) < :cutoff
    ORDER BY last_message_at
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
), archived AS (
    UPDATE conversations c SET status = 'archived', updated_at = now()
    FROM due WHERE c.id = due.id
    RETURNING c.id, c.business_id, due.status AS previous
), history AS (
    INSERT INTO conversation_status_history (id, conversation_id, business_id, from_status,
                                             to_status, actor, reason)
    SELECT gen_random_uuid(), id, business_id, previous, 'archived', :actor, :reason
    FROM archived
)
SELECT id, business_id, previous::text FROM archived
"""


@dataclass(frozen=True)
class Archived:
    """A conversation the sweep archived."""

    conversation_id: uuid.UUID
    business_id: uuid.UUID
    previous: ConversationStatus


async def archive_idle(session: AsyncSession, *, cutoff: datetime, limit: int) -> list[Archived]:
    """Archive up to `limit` resolved conversations idle since before `cutoff`."""
    result = await run(
        session,
        _ARCHIVE_BATCH,
        {
            "cutoff": cutoff,
            "limit": limit,
            "actor": StatusActor.SYSTEM.value,
            "reason": ARCHIVE_REASON,
        },
    )
    archived = [Archived(row[0], row[1], ConversationStatus(row[2])) for row in result.all()]
    for done in archived:
        announce(
            session,
            live.conversation_updated(
                done.business_id,
                done.conversation_id,
                status=ConversationStatus.ARCHIVED.value,
                previous_status=done.previous.value,
                actor=StatusActor.SYSTEM.value,
                reason=ARCHIVE_REASON,
            ),
        )
    return archived
