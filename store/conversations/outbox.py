"""Outgoing platform messages through the outbox: queue, claim, and record the outcome.

A reply is stored as a message (delivery `pending`) and an outbox row with a unique
idempotency key, in the transaction of the decision that produced it. A sender then
claims the row (`sending`, with a lease), calls the platform, and records what happened.
The claim is committed before the call, so a worker killed mid-send leaves a `sending`
row whose lease runs out; whoever re-claims it knows the earlier attempt's outcome is
unknown (`Claimed.uncertain`). See docs/conversations.md for the delivery guarantees.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
    OutboxStatus,
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


@dataclass(frozen=True)
class Claimed:
    """An outbox row this worker now owns; `uncertain`: an earlier claim ran out mid-send."""

    row: OutboxMessage
    uncertain: bool


async def queue_message(
    session: AsyncSession,
    conversation: Conversation,
    text_body: str,
    *,
    sender: ConversationSenderType,
    idempotency_key: str,
    platform: SocialPlatform,
    now: datetime,
    ai_log_id: uuid.UUID | None = None,
) -> QueuedMessage:
    """Store an outgoing message and its outbox row, once per `idempotency_key`."""
    existing = (
        await session.exec(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == idempotency_key)
        )
    ).first()
    if existing is not None:
        return QueuedMessage(existing.message_id, existing.id, created=False)
    message_id, outbox_id = uuid.uuid4(), uuid.uuid4()
    await run(
        session,
        """
        INSERT INTO messages (id, conversation_id, business_id, sender_type, content_type,
                              text_content, platform_timestamp, delivery_status,
                              ai_processing_log_id)
        VALUES (:id, :conversation_id, :business_id, CAST(:sender AS conversation_sender_type),
                'text', :text, :now, 'pending', :ai_log_id)
    """,
        {
            "id": message_id,
            "conversation_id": conversation.id,
            "business_id": conversation.business_id,
            "sender": sender.value,
            "text": text_body,
            "now": now,
            "ai_log_id": ai_log_id,
        },
    )
    await run(
        session,
        """
        INSERT INTO outbox (id, kind, business_id, conversation_id, message_id, idempotency_key,
                            recipient, payload, status)
        VALUES (:id, :kind, :business_id, :conversation_id, :message_id, :key, :recipient,
                :payload, 'pending')
    """,
        {
            "id": outbox_id,
            "kind": _KIND[platform].value,
            "business_id": conversation.business_id,
            "conversation_id": conversation.id,
            "message_id": message_id,
            "key": idempotency_key,
            "recipient": conversation.customer_platform_id,
            "payload": Jsonb({"text": text_body, "sender": sender.value}),
        },
    )
    await run(
        session,
        """
        UPDATE conversations SET last_message_at = GREATEST(last_message_at, :now),
               last_message_snippet = CASE WHEN last_message_at <= :now THEN :snippet
                                           ELSE last_message_snippet END,
               updated_at = now()
        WHERE id = :id AND business_id = :business_id
    """,
        {
            "now": now,
            "snippet": text_body[:200],
            "id": conversation.id,
            "business_id": conversation.business_id,
        },
    )
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
    return QueuedMessage(message_id, outbox_id, created=True)


async def claim(
    session: AsyncSession, outbox_id: uuid.UUID, *, lease_seconds: int
) -> Claimed | None:
    """Take the row for sending if it is due: pending, failed and due for retry, or sending
    with an expired lease. None when it is sent, dead, not yet due, or held by a live claim.
    """
    result = await run(
        session,
        """
        UPDATE outbox o SET status = 'sending', attempts = o.attempts + 1,
               next_attempt_at = now() + make_interval(secs => :lease), updated_at = now()
        FROM (SELECT id, status FROM outbox WHERE id = :id FOR UPDATE) previous
        WHERE o.id = previous.id AND COALESCE(o.next_attempt_at, '-infinity') <= now()
          AND o.status IN ('pending', 'failed', 'sending')
        RETURNING o.id, previous.status
    """,
        {"id": outbox_id, "lease": lease_seconds},
    )
    row = result.first()
    if row is None:
        return None
    claimed = await session.get(OutboxMessage, outbox_id, populate_existing=True)
    assert claimed is not None
    return Claimed(claimed, uncertain=row[1] == OutboxStatus.SENDING.value)


async def record_progress(
    session: AsyncSession, outbox_id: uuid.UUID, provider_ids: list[str]
) -> None:
    """Remember the parts of a split message already accepted (never resent)."""
    await run(
        session,
        """
        UPDATE outbox SET payload = jsonb_set(payload, '{provider_message_ids}', :ids),
               updated_at = now()
        WHERE id = :id AND status = 'sending'
    """,
        {"ids": Jsonb(provider_ids), "id": outbox_id},
    )


async def record_sent(session: AsyncSession, row: OutboxMessage, provider_ids: list[str]) -> None:
    """The row is delivered; its message takes the platform's id (for receipts and echoes)."""
    await run(
        session,
        """
        UPDATE outbox SET status = 'sent', sent_at = now(), last_error = NULL,
               provider_message_id = :first, updated_at = now(),
               payload = jsonb_set(payload, '{provider_message_ids}', :ids)
        WHERE id = :id
    """,
        {
            "first": provider_ids[0] if provider_ids else None,
            "ids": Jsonb(provider_ids),
            "id": row.id,
        },
    )
    if row.message_id is not None and provider_ids:
        await run(
            session,
            """
            UPDATE messages SET platform_message_id = :platform_id, updated_at = now(),
                   delivery_status = CASE WHEN delivery_status IN ('pending', 'failed')
                                          THEN 'sent' ELSE delivery_status END
            WHERE id = :id
        """,
            {"platform_id": provider_ids[0], "id": row.message_id},
        )


async def record_failure(
    session: AsyncSession, row: OutboxMessage, *, error: str, retry_at: datetime | None
) -> None:
    """A failed attempt: retried at `retry_at`, or (None) given up for good (`dead`)."""
    status = OutboxStatus.FAILED if retry_at is not None else OutboxStatus.DEAD
    await run(
        session,
        """
        UPDATE outbox SET status = :status, last_error = :error, updated_at = now(),
               next_attempt_at = COALESCE(:retry_at, next_attempt_at)
        WHERE id = :id
    """,
        {"status": status.value, "error": error[:1000], "retry_at": retry_at, "id": row.id},
    )
    if status is OutboxStatus.DEAD and row.message_id is not None:
        await run(
            session,
            "UPDATE messages SET delivery_status = 'failed', updated_at = now() WHERE id = :id",
            {"id": row.message_id},
        )


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


def payload_text(row: OutboxMessage) -> str:
    """The text an outbox message row sends."""
    value: Any = row.payload.get("text")
    return value if isinstance(value, str) else ""
