"""Conversation status changes, each with its history row (who, why, from what).

One function so every path — a webhook echo, the responder, the inbox — moves a
conversation the same way and keeps the timestamps the owner's numbers come from.
"""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from store.conversations.sql import run
from store.events import model as live
from store.events.pending import announce
from store.tables.enums import ConversationStatus, StatusActor

# Moving to one of these statuses also stamps the matching timestamp (first time only for
# the human response; every escalation and resolution restamps its own).
_STAMPS = {
    ConversationStatus.ESCALATED_HUMAN_NEEDED: "escalated_at = now()",
    ConversationStatus.ACTIVE_HUMAN: (
        "first_human_response_at = COALESCE(c.first_human_response_at, now())"
    ),
    ConversationStatus.RESOLVED_BY_AI: "resolved_at = now()",
    ConversationStatus.RESOLVED_BY_HUMAN: "resolved_at = now()",
}


async def change_status(
    session: AsyncSession,
    *,
    business_id: uuid.UUID,
    conversation_id: uuid.UUID,
    to: ConversationStatus,
    actor: StatusActor,
    reason: str,
    user_id: uuid.UUID | None = None,
) -> ConversationStatus | None:
    """Move the conversation to `to` and record why; the previous status, or None when it
    was already there (nothing is written then)."""
    stamp = _STAMPS.get(to)
    result = await run(
        session,
        f"""
        UPDATE conversations c SET status = CAST(:to AS conversation_status),
               updated_at = now(){", " + stamp if stamp else ""}
        FROM (SELECT id, status FROM conversations
              WHERE id = :id AND business_id = :business_id FOR UPDATE) previous
        WHERE c.id = previous.id AND previous.status <> CAST(:to AS conversation_status)
        RETURNING previous.status
    """,  # noqa: S608 (fixed fragments; every value is a bound parameter)
        {"to": to.value, "id": conversation_id, "business_id": business_id},
    )
    previous = result.scalar_one_or_none()
    if previous is None:
        return None
    await record_status(
        session,
        business_id=business_id,
        conversation_id=conversation_id,
        from_status=ConversationStatus(previous),
        to=to,
        actor=actor,
        reason=reason,
        user_id=user_id,
    )
    announce(
        session,
        live.conversation_updated(
            business_id,
            conversation_id,
            status=to.value,
            previous_status=previous,
            actor=actor.value,
            reason=reason,
        ),
    )
    return ConversationStatus(previous)


async def record_status(
    session: AsyncSession,
    *,
    business_id: uuid.UUID,
    conversation_id: uuid.UUID,
    from_status: ConversationStatus | None,
    to: ConversationStatus,
    actor: StatusActor,
    reason: str,
    user_id: uuid.UUID | None = None,
) -> None:
    """Append one history row (also used for a conversation's first status)."""
    await run(
        session,
        """
        INSERT INTO conversation_status_history
            (id, conversation_id, business_id, from_status, to_status, changed_by_user_id,
             actor, reason)
        VALUES (:id, :conversation_id, :business_id, CAST(:from_status AS conversation_status),
                CAST(:to AS conversation_status), :user_id, :actor, :reason)
    """,
        {
            "id": uuid.uuid4(),
            "conversation_id": conversation_id,
            "business_id": business_id,
            "from_status": from_status.value if from_status else None,
            "to": to.value,
            "user_id": user_id,
            "actor": actor.value,
            "reason": reason,
        },
    )
