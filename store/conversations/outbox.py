"""Outgoing platform messages through the outbox: queue them, find the due ones.

A reply is stored as a message (delivery `pending`) and an outbox row with a unique
idempotency key, in the transaction of the decision that produced it; a sender then
claims and delivers the row (`store.conversations.sending`, `workers.delivery`). See
docs/conversations.md for the delivery guarantees.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from psycopg.types.json import Jsonb
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from store.conversations.sql import run
from store.events import model as live
from store.events.pending import announce
from store.tables.conversations import Conversation
from store.tables.enums import (
    ConversationSenderType,
    OutboxKind,
    SocialPlatform,
)
from store.tables.ops import OutboxMessage

_KIND = {
    SocialPlatform.INSTAGRAM: OutboxKind.INSTAGRAM_MESSAGE,
    SocialPlatform.WHATSAPP: OutboxKind.WHATSAPP_MESSAGE,
}
MESSAGE_KINDS = frozenset(_KIND.values())


@dataclass(frozen=True)
class QueuedMessage:
    """The stored outgoing message and its outbox row; `created` is False for a repeat."""

    message_id: uuid.UUID | None
    outbox_id: uuid.UUID
    created: bool


class _HasPayload(Protocol):
    @property
    def payload(self) -> dict[str, Any]: ...


# One statement: the outbox row first (nothing when the key is already queued, or a
# concurrent transaction queued it first), then the message and the conversation's
# summary only if it was inserted. The outbox row's foreign key to the message is checked
# at the end of the statement, when both exist.
_QUEUE = """
    WITH existing AS (
        SELECT id, message_id FROM outbox WHERE idempotency_key = :key
    ), queued AS (
        INSERT INTO outbox (id, kind, business_id, conversation_id, message_id,
                            idempotency_key, recipient, payload, status)
        SELECT :outbox_id,
               COALESCE(CAST(:kind AS text),
                        (SELECT CASE platform WHEN 'instagram' THEN 'instagram_message'
                                              WHEN 'whatsapp' THEN 'whatsapp_message' END
                         FROM social_connections WHERE id = :connection_id)),
               :business_id, :conversation_id, :message_id, :key, :recipient, :payload,
               'pending'
        WHERE NOT EXISTS (SELECT 1 FROM existing)
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING id, message_id
    ), message AS (
        INSERT INTO messages (id, conversation_id, business_id, sender_type, content_type,
                              text_content, platform_timestamp, delivery_status,
                              ai_processing_log_id)
        SELECT queued.message_id, :conversation_id, :business_id,
               CAST(:sender AS conversation_sender_type), 'text', :text, :now, 'pending',
               :ai_log_id
        FROM queued
    ), summary AS (
        UPDATE conversations SET last_message_at = GREATEST(last_message_at, :now),
               last_message_snippet = CASE WHEN last_message_at <= :now THEN :snippet
                                           ELSE last_message_snippet END,
               ai_confidence_score_last = COALESCE(CAST(:ai_confidence AS double precision),
                                                   ai_confidence_score_last),
               updated_at = now()
        WHERE id = :conversation_id AND business_id = :business_id
          AND EXISTS (SELECT 1 FROM queued)
    )
    SELECT id, message_id, true FROM queued
    UNION ALL
    SELECT id, message_id, false FROM existing
"""


async def queue_message(
    session: AsyncSession,
    conversation: Conversation,
    text_body: str,
    *,
    sender: ConversationSenderType,
    idempotency_key: str,
    now: datetime,
    platform: SocialPlatform | None = None,
    ai_log_id: uuid.UUID | None = None,
    ai_confidence: float | None = None,
) -> QueuedMessage:
    """Store an outgoing message and its outbox row, once per `idempotency_key` (one
    statement). Without `platform`, the conversation's connection decides the kind.
    `ai_log_id` and `ai_confidence`: the responder decision that wrote the message (its
    confidence becomes the conversation's last)."""
    message_id = uuid.uuid4()
    params = {
        "outbox_id": uuid.uuid4(),
        "message_id": message_id,
        "kind": _KIND[platform].value if platform is not None else None,
        "connection_id": conversation.social_connection_id,
        "business_id": conversation.business_id,
        "conversation_id": conversation.id,
        "key": idempotency_key,
        "recipient": conversation.customer_platform_id,
        "payload": Jsonb({"text": text_body, "sender": sender.value}),
        "sender": sender.value,
        "text": text_body,
        "snippet": text_body[:200],
        "now": now,
        "ai_log_id": ai_log_id,
        "ai_confidence": ai_confidence,
    }
    found = (await run(session, _QUEUE, params)).first()
    if found is None:  # a concurrent transaction committed the same key meanwhile
        found = (await run(session, _QUEUED, {"key": idempotency_key})).one()
    queued = QueuedMessage(found[1], found[0], created=bool(found[2]))
    if queued.created:
        announce(
            session,
            live.new_message(
                conversation.business_id,
                conversation.id,
                message_id=message_id,
                sender_type=sender.value,
                text_content=text_body,
                platform_timestamp=now,
                delivery_status="pending",
            ),
        )
    return queued


_QUEUED = "SELECT id, message_id, false FROM outbox WHERE idempotency_key = :key"


async def due(
    session: AsyncSession, *, pending_grace_seconds: float, limit: int
) -> list[tuple[uuid.UUID, int]]:
    """(id, attempts) of rows a sweeper should hand to a sender: pending rows nobody took up
    within the grace period, failed rows due for retry, and sending rows with expired leases.
    """
    result = await run(
        session,
        """
        SELECT id, attempts FROM outbox
        WHERE (status = 'pending' AND next_attempt_at <= now() - make_interval(secs => :grace))
           OR (status IN ('failed', 'sending') AND next_attempt_at <= now())
        ORDER BY next_attempt_at LIMIT :limit
    """,
        {"grace": pending_grace_seconds, "limit": limit},
    )
    return [(row[0], row[1]) for row in result.all()]


async def list_for_connection(
    session: AsyncSession, business_id: uuid.UUID, connection_id: uuid.UUID, *, limit: int
) -> list[OutboxMessage]:
    """The business's platform sends to customers of one connection, newest first."""
    found = await session.exec(
        select(OutboxMessage)
        .join(Conversation, col(Conversation.id) == col(OutboxMessage.conversation_id))
        .where(
            OutboxMessage.business_id == business_id,
            Conversation.business_id == business_id,
            Conversation.social_connection_id == connection_id,
            col(OutboxMessage.kind).in_([kind.value for kind in MESSAGE_KINDS]),
        )
        .order_by(col(OutboxMessage.created_at).desc())
        .limit(limit)
    )
    return list(found.all())


def payload_text(row: _HasPayload) -> str:
    """The text an outbox message row sends."""
    value: Any = row.payload.get("text")
    return value if isinstance(value, str) else ""
