"""The owner's inbox, write side: replying by hand, status, assignment, tags and notes.

A person's reply takes the conversation over: it is stored and queued through the outbox
(delivered by the worker like any reply; on Instagram after 24 hours with the HUMAN_AGENT
tag), the customer messages waiting for the bot are marked handled (the person answered
them), and the status becomes `active_human`, so the responder stores new messages and
stays quiet until the owner hands the conversation back (`active_ai`). Opening a
conversation in the inbox marks it read (`mark_read`), as replying does.

Each function locks the conversation row, like the responder's job, so an owner's action
and a bot decision on the same conversation never interleave. Every function takes the
caller's `business_id`; another business's conversation is `None` (404).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import Conflict, ValidationFailed
from store.conversations import connections
from store.conversations.batches import mark_handled, waiting_messages
from store.conversations.outbox import QueuedMessage, queue_message
from store.conversations.sql import run
from store.conversations.status import change_status
from store.events import model as live
from store.events.pending import announce
from store.tables.businesses import Business
from store.tables.conversations import Conversation
from store.tables.enums import ConversationSenderType, ConversationStatus, StatusActor

# What an owner may move a conversation to by hand: take it over, hand it back to the bot,
# resolve it, archive it. Escalation and the bot's own resolution are the bot's to record.
OWNER_STATUSES = frozenset(
    {
        ConversationStatus.ACTIVE_HUMAN,
        ConversationStatus.ACTIVE_AI,
        ConversationStatus.RESOLVED_BY_HUMAN,
        ConversationStatus.ARCHIVED,
    }
)
MAX_TAGS = 20
MAX_NOTES_CHARS = 20_000
_REASONS = {
    ConversationStatus.ACTIVE_HUMAN: "The owner took the conversation over.",
    ConversationStatus.ACTIVE_AI: "The owner handed the conversation back to the bot.",
    ConversationStatus.RESOLVED_BY_HUMAN: "The owner resolved the conversation.",
    ConversationStatus.ARCHIVED: "The owner archived the conversation.",
}


class StatusNotSettable(ValidationFailed):
    """The owner asked for a status only the bot sets."""

    code = "status_not_settable"


class ConnectionDisconnected(Conflict):
    """The conversation's account is disconnected: nothing can be sent on it."""

    code = "connection_disconnected"


class NotesFull(ValidationFailed):
    """Adding the note would take the conversation's notes past their limit."""

    code = "notes_full"


def normalize_tags(tags: list[str]) -> list[str]:
    """Tags trimmed, blank ones dropped, duplicates (ignoring case) dropped, order kept."""
    seen: set[str] = set()
    kept: list[str] = []
    for tag in (t.strip() for t in tags):
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            kept.append(tag)
    return kept


def append_note(existing: str | None, text: str, *, at: datetime) -> str:
    """The notes with `text` added as a new paragraph stamped with when it was written."""
    entry = f"[{at:%Y-%m-%d %H:%M} UTC] {text.strip()}"
    return f"{existing}\n\n{entry}" if existing else entry


async def lock_owned(
    session: AsyncSession, business_id: uuid.UUID, conversation_id: uuid.UUID
) -> Conversation | None:
    """The business's conversation, row-locked until the transaction ends; None otherwise."""
    found = await session.exec(
        select(Conversation)
        .where(
            col(Conversation.business_id) == business_id, col(Conversation.id) == conversation_id
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return found.first()


async def reply_by_hand(
    session: AsyncSession,
    conversation: Conversation,
    text: str,
    *,
    user_id: uuid.UUID,
    idempotency_key: str,
    now: datetime,
) -> QueuedMessage:
    """Queue a person's reply on a locked conversation and take the conversation over."""
    connection = await connections.by_id(session, conversation.social_connection_id)
    if connection is None or not connection.is_active:
        raise ConnectionDisconnected(
            "This conversation's account is disconnected; reconnect it to reply."
        )
    queued = await queue_message(
        session,
        conversation,
        text,
        sender=ConversationSenderType.BUSINESS_HUMAN,
        idempotency_key=f"human:{conversation.business_id}:{idempotency_key}",
        platform=connection.platform,
        now=now,
    )
    if not queued.created:
        return queued  # a retried request: already sent once
    await mark_handled(session, conversation, await waiting_messages(session, conversation), now)
    await mark_read(session, conversation)
    await change_status(
        session,
        business_id=conversation.business_id,
        conversation_id=conversation.id,
        to=ConversationStatus.ACTIVE_HUMAN,
        actor=StatusActor.HUMAN,
        reason="The owner replied from the inbox.",
        user_id=user_id,
    )
    return queued


async def mark_read(session: AsyncSession, conversation: Conversation) -> bool:
    """Mark a locked conversation read (the owner saw or answered its customer messages);
    False if nothing was unread.

    Every open dashboard hears of it (`conversation_updated` with `unread_count` 0), so
    the unread badge clears in the owner's other tabs too. Nothing changes and nothing is
    announced when it was already read, so repeating it is free.
    """
    if conversation.unread_count == 0:
        return False
    await run(
        session,
        "UPDATE conversations SET unread_count = 0, updated_at = now() "
        "WHERE id = :id AND business_id = :business_id",
        {"id": conversation.id, "business_id": conversation.business_id},
    )
    # The row was written behind the ORM's back: keep the loaded object truthful without
    # marking it dirty (which would write it again).
    set_committed_value(conversation, "unread_count", 0)
    announce(
        session,
        live.conversation_updated(conversation.business_id, conversation.id, unread_count=0),
    )
    return True


async def set_status(
    session: AsyncSession,
    conversation: Conversation,
    to: ConversationStatus,
    *,
    user_id: uuid.UUID,
) -> bool:
    """Move a locked conversation to a status the owner may set; False if already there."""
    if to not in OWNER_STATUSES:
        allowed = ", ".join(sorted(OWNER_STATUSES))
        raise StatusNotSettable(
            f"Conversations cannot be set to '{to}' by hand; use one of: {allowed}.",
            details=[{"field": "status", "message": f"one of {allowed}"}],
        )
    previous = await change_status(
        session,
        business_id=conversation.business_id,
        conversation_id=conversation.id,
        to=to,
        actor=StatusActor.HUMAN,
        reason=_REASONS[to],
        user_id=user_id,
    )
    return previous is not None


async def is_member(session: AsyncSession, business_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    """Whether `user_id` may be assigned the business's conversations (today: its owner)."""
    found = await session.exec(
        select(Business.id).where(col(Business.id) == business_id, col(Business.user_id) == user_id)
    )
    return found.first() is not None


async def assign(
    session: AsyncSession, conversation: Conversation, user_id: uuid.UUID | None
) -> None:
    """Assign a locked conversation to a member of its business (None: unassign)."""
    if user_id is not None and not await is_member(session, conversation.business_id, user_id):
        raise ValidationFailed(
            "Conversations can only be assigned to a member of this business.",
            details=[{"field": "assigned_to_user_id", "message": "not a member"}],
        )
    await _update(session, conversation, assigned_to_user_id=user_id)


async def set_tags(session: AsyncSession, conversation: Conversation, tags: list[str]) -> None:
    """Replace a locked conversation's tags (normalized)."""
    kept = normalize_tags(tags)
    if len(kept) > MAX_TAGS:
        raise ValidationFailed(
            f"A conversation takes at most {MAX_TAGS} tags.",
            details=[{"field": "tags", "message": f"at most {MAX_TAGS}"}],
        )
    await _update(session, conversation, tags=kept)


async def add_note(
    session: AsyncSession, conversation: Conversation, text: str, *, now: datetime
) -> None:
    """Add a stamped note to a locked conversation's internal notes."""
    notes = append_note(conversation.notes, text, at=now)
    if len(notes) > MAX_NOTES_CHARS:
        raise NotesFull(
            f"The conversation's notes are limited to {MAX_NOTES_CHARS} characters.",
            details=[{"field": "text", "message": "the notes are full"}],
        )
    await _update(session, conversation, notes=notes)


async def _update(session: AsyncSession, conversation: Conversation, **changes: object) -> None:
    for name, value in changes.items():
        setattr(conversation, name, value)
    session.add(conversation)
    await session.flush()
    announce(
        session, live.conversation_updated(conversation.business_id, conversation.id, **changes)
    )
