"""The responder's unit of work: a conversation's customer messages still waiting for it.

A burst ("hi" / "do you have the tote?" / "in black") is answered once. Every stored
customer message enqueues a job for its conversation; a job whose message is no longer the
newest one waiting steps aside (the newer message's job, due later, answers them all),
unless the oldest waiting message has waited past the maximum. The job holds the
conversation's row lock while deciding, so two jobs never answer the same messages.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from store.conversations.sql import run
from store.tables.conversations import Conversation, Message
from store.tables.enums import ConversationSenderType


@dataclass(frozen=True)
class Waiting:
    """A waiting message's id and when CHIDI stored it."""

    id: uuid.UUID
    created_at: datetime


def superseded(
    waiting: list[Waiting], trigger_id: uuid.UUID | None, now: datetime, *, max_wait: timedelta
) -> bool:
    """Whether the job for `trigger_id` should leave the batch to a newer message's job.

    Yes when a message stored after the trigger is still waiting (its own job comes later),
    unless the oldest waiting message has already waited `max_wait` (a customer who keeps
    typing still gets an answer). A sweeper's job (no trigger) never steps aside.
    """
    if trigger_id is None or not waiting:
        return False
    if now - min(m.created_at for m in waiting) >= max_wait:
        return False
    trigger = next((m for m in waiting if m.id == trigger_id), None)
    if trigger is None:
        return True  # the trigger was answered already; what waits is newer
    return any(m.created_at > trigger.created_at for m in waiting)


@dataclass(frozen=True)
class Batch:
    """A conversation, row-locked by this transaction, and its waiting messages."""

    conversation: Conversation
    waiting: list[Message]


async def take_up(session: AsyncSession, conversation_id: uuid.UUID) -> Batch | None:
    """Lock the conversation and read its waiting messages (None: no such conversation)."""
    conversation = await lock_conversation(session, conversation_id)
    if conversation is None:
        return None
    return Batch(conversation, await waiting_messages(session, conversation))


async def lock_conversation(
    session: AsyncSession, conversation_id: uuid.UUID
) -> Conversation | None:
    """The conversation, row-locked until the transaction ends (one decision at a time)."""
    found = await session.exec(
        select(Conversation)
        .where(Conversation.id == conversation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return found.first()


async def waiting_messages(session: AsyncSession, conversation: Conversation) -> list[Message]:
    """The conversation's customer messages not yet taken up, in the order they were sent."""
    found = await session.exec(
        select(Message)
        .where(
            Message.conversation_id == conversation.id,
            Message.business_id == conversation.business_id,
            Message.sender_type == ConversationSenderType.CUSTOMER,
            col(Message.handled_at).is_(None),
        )
        .order_by(col(Message.platform_timestamp), col(Message.created_at))
    )
    return list(found.all())


async def mark_handled(
    session: AsyncSession, conversation: Conversation, messages: list[Message], now: datetime
) -> None:
    """Stamp the batch as taken up by one decision."""
    if not messages:
        return
    await run(
        session,
        "UPDATE messages SET handled_at = :now, updated_at = :now "
        "WHERE id = ANY(:ids) AND business_id = :business_id",
        {"now": now, "ids": [m.id for m in messages], "business_id": conversation.business_id},
    )


async def conversations_waiting(
    session: AsyncSession, *, older_than: datetime, limit: int
) -> list[uuid.UUID]:
    """Conversations with a customer message waiting since before `older_than` (their job
    was lost: Redis was down at enqueue time, or a worker died mid-decision)."""
    found = await run(
        session,
        """
        SELECT DISTINCT conversation_id FROM messages
        WHERE handled_at IS NULL AND sender_type = 'customer' AND created_at < :older_than
        LIMIT :limit
    """,
        {"older_than": older_than, "limit": limit},
    )
    return [row[0] for row in found.all()]
