"""The owner's inbox, read side: conversation listings, one conversation, its messages.

Every function takes the caller's `business_id` and filters on it, so another business's
conversation is indistinguishable from a missing one (the API answers 404 for both).
Search is full-text over the customer's name and id and over message text, by word prefix
("refu" finds "refund"), served by the GIN indexes of migration 0005.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, func, literal, literal_column, or_, tuple_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import ValidationFailed
from store.tables.conversations import (
    CUSTOMER_SEARCH_VECTOR,
    MESSAGE_SEARCH_VECTOR,
    AiResponseLog,
    Conversation,
    Message,
)
from store.tables.enums import AiActionTaken, ConversationStatus, SocialPlatform
from store.tables.social import SocialConnection

SortField = Literal["last_message_at", "created_at", "updated_at"]
SortOrder = Literal["asc", "desc"]
MAX_PAGE_SIZE = 100
MAX_SEARCH_WORDS = 8
# Letters and digits: what the 'simple' text-search parser makes words of.
_WORD = re.compile(r"[^\W_]+")


class InvalidCursor(ValidationFailed):
    """A message cursor that names no message of this conversation."""

    code = "invalid_cursor"


def search_tsquery(term: str) -> str | None:
    """A tsquery matching every word of `term` as a word prefix, or None if it has no words.

    Only letters and digits reach the query, so nothing the caller types can be tsquery
    syntax: "Ada's re-fund!" becomes `ada:* & s:* & re:* & fund:*`.
    """
    words = _WORD.findall(term.lower())[:MAX_SEARCH_WORDS]
    return " & ".join(f"{word}:*" for word in words) or None


@dataclass(frozen=True)
class InboxQuery:
    """Filters, order and page of a conversation listing."""

    page: int = 1
    limit: int = 20
    statuses: tuple[ConversationStatus, ...] = ()
    platform: SocialPlatform | None = None
    tag: str | None = None
    search_term: str | None = None
    sort_by: SortField = "last_message_at"
    order: SortOrder = "desc"


@dataclass(frozen=True)
class ConversationRow:
    """A conversation with the platform of its connected account."""

    conversation: Conversation
    platform: SocialPlatform


@dataclass(frozen=True)
class InboxPage:
    """One page of a listing and how many conversations match in all."""

    rows: list[ConversationRow]
    total: int


@dataclass(frozen=True)
class MessagePage:
    """Messages in the order they were sent; `has_more`: more lie beyond, in the direction
    the page was read (older without a cursor or with `before`, newer with `after`)."""

    messages: list[Message]
    has_more: bool
    # The bot's confidence in each of its replies on the page, by message id (from the
    # decision's log row), so the chat view can show how sure it was.
    confidence: dict[uuid.UUID, float]


def _tsquery(query: str) -> ColumnElement[Any]:
    return func.to_tsquery(literal_column("'simple'"), query)


def _filters(business_id: uuid.UUID, query: InboxQuery) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [col(Conversation.business_id) == business_id]
    if query.statuses:
        clauses.append(col(Conversation.status).in_(query.statuses))
    if query.platform is not None:
        clauses.append(col(SocialConnection.platform) == query.platform)
    if query.tag is not None:
        clauses.append(col(Conversation.tags).contains([query.tag]))
    terms = search_tsquery(query.search_term) if query.search_term else None
    if query.search_term and terms is None:
        clauses.append(literal_column("false"))  # only punctuation: nothing can match
    elif terms is not None:
        matching_messages = select(col(Message.conversation_id)).where(
            col(Message.business_id) == business_id,
            literal_column(MESSAGE_SEARCH_VECTOR).op("@@")(_tsquery(terms)),
        )
        clauses.append(
            or_(
                literal_column(CUSTOMER_SEARCH_VECTOR).op("@@")(_tsquery(terms)),
                col(Conversation.id).in_(matching_messages),
            )
        )
    return clauses


async def list_conversations(
    session: AsyncSession, business_id: uuid.UUID, query: InboxQuery
) -> InboxPage:
    """A page of the business's conversations matching `query`, and the total count."""
    joined = (Conversation, SocialConnection.platform)
    clauses = _filters(business_id, query)
    sort = col(getattr(Conversation, query.sort_by))
    ordering = (sort.asc(), col(Conversation.id).asc())
    if query.order == "desc":
        ordering = (sort.desc(), col(Conversation.id).desc())
    statement = (
        select(*joined)
        .join(SocialConnection, col(SocialConnection.id) == col(Conversation.social_connection_id))
        .where(*clauses)
        .order_by(*ordering)
        .offset((query.page - 1) * query.limit)
        .limit(query.limit)
    )
    rows = [ConversationRow(c, SocialPlatform(p)) for c, p in (await session.exec(statement)).all()]
    counted = (
        select(func.count())
        .select_from(Conversation)
        .join(SocialConnection, col(SocialConnection.id) == col(Conversation.social_connection_id))
        .where(*clauses)
    )
    total = (await session.exec(counted)).one()
    return InboxPage(rows=rows, total=int(total))


async def get_conversation(
    session: AsyncSession, business_id: uuid.UUID, conversation_id: uuid.UUID
) -> ConversationRow | None:
    """One of the business's conversations with its platform; None for any other id."""
    found = (
        await session.exec(
            select(Conversation, SocialConnection.platform)
            .join(
                SocialConnection,
                col(SocialConnection.id) == col(Conversation.social_connection_id),
            )
            .where(
                col(Conversation.business_id) == business_id,
                col(Conversation.id) == conversation_id,
            )
            .execution_options(populate_existing=True)
        )
    ).first()
    if found is None:
        return None
    conversation, platform = found
    return ConversationRow(conversation, SocialPlatform(platform))


# Messages are ordered by when they were sent, then stored (WhatsApp stamps whole seconds).
_ORDER = (col(Message.platform_timestamp), col(Message.created_at), col(Message.id))


def _position(message: Message) -> ColumnElement[Any]:
    return tuple_(
        literal(message.platform_timestamp), literal(message.created_at), literal(message.id)
    )


async def _cursor(
    session: AsyncSession, business_id: uuid.UUID, conversation_id: uuid.UUID, message_id: uuid.UUID
) -> Message:
    found = (
        await session.exec(
            select(Message).where(
                col(Message.business_id) == business_id,
                col(Message.conversation_id) == conversation_id,
                col(Message.id) == message_id,
            )
        )
    ).first()
    if found is None:
        raise InvalidCursor(
            "The cursor names no message of this conversation.",
            details=[{"field": "cursor", "message": f"unknown message id {message_id}"}],
        )
    return found


async def list_messages(
    session: AsyncSession,
    business_id: uuid.UUID,
    conversation_id: uuid.UUID,
    *,
    limit: int,
    before: uuid.UUID | None = None,
    after: uuid.UUID | None = None,
) -> MessagePage:
    """Up to `limit` messages of the conversation, oldest first: the latest ones, those just
    before the `before` message, or those just after the `after` message.

    The caller has checked that the conversation is the business's.
    """
    key = tuple_(*_ORDER)
    statement = select(Message).where(
        col(Message.business_id) == business_id, col(Message.conversation_id) == conversation_id
    )
    newest_first = after is None
    if before is not None:
        cursor = await _cursor(session, business_id, conversation_id, before)
        statement = statement.where(key < _position(cursor))
    if after is not None:
        cursor = await _cursor(session, business_id, conversation_id, after)
        statement = statement.where(key > _position(cursor))
    direction = [part.desc() for part in _ORDER] if newest_first else list(_ORDER)
    found = list((await session.exec(statement.order_by(*direction).limit(limit + 1))).all())
    page = found[:limit]
    if newest_first:
        page.reverse()
    confidence = await _reply_confidence(session, business_id, page)
    return MessagePage(messages=page, has_more=len(found) > limit, confidence=confidence)


async def _reply_confidence(
    session: AsyncSession, business_id: uuid.UUID, messages: list[Message]
) -> dict[uuid.UUID, float]:
    """The logged confidence of the bot's replies among `messages` (one query, by log id)."""
    by_log = {m.ai_processing_log_id: m.id for m in messages if m.ai_processing_log_id}
    if not by_log:
        return {}
    found = await session.exec(
        select(AiResponseLog.id, AiResponseLog.confidence_score).where(
            col(AiResponseLog.business_id) == business_id,
            col(AiResponseLog.id).in_(list(by_log)),
            col(AiResponseLog.confidence_score).is_not(None),
        )
    )
    return {by_log[log_id]: float(score) for log_id, score in found.all() if score is not None}


async def get_message(
    session: AsyncSession, business_id: uuid.UUID, message_id: uuid.UUID
) -> Message | None:
    """One of the business's messages; None for any other id."""
    found = await session.exec(
        select(Message)
        .where(col(Message.business_id) == business_id, col(Message.id) == message_id)
        .execution_options(populate_existing=True)
    )
    return found.first()


@dataclass(frozen=True)
class InboxToday:
    """The inbox's headline numbers for the dashboard."""

    conversations: int  # with a message since the start of the day
    decisions: int  # the bot's decisions since then
    auto_answered: int  # of those, answered without a person
    escalations_waiting: int  # escalated and not yet picked up, whenever that happened


async def inbox_today(
    session: AsyncSession, business_id: uuid.UUID, *, since: datetime
) -> InboxToday:
    """How busy the inbox has been since `since` (the caller's start of the day, UTC)."""
    mine = col(Conversation.business_id) == business_id
    conversations = await session.exec(
        select(func.count()).where(mine, col(Conversation.last_message_at) >= since)
    )
    waiting = await session.exec(
        select(func.count()).where(
            mine, col(Conversation.status) == ConversationStatus.ESCALATED_HUMAN_NEEDED
        )
    )
    answered = col(AiResponseLog.action_taken) == AiActionTaken.RESPONDED_AUTO
    decisions = await session.exec(
        select(func.count(), func.count().filter(answered)).where(
            col(AiResponseLog.business_id) == business_id,
            col(AiResponseLog.created_at) >= since,
        )
    )
    decided, auto = decisions.one()
    return InboxToday(
        conversations=conversations.one(),
        decisions=decided,
        auto_answered=auto,
        escalations_waiting=waiting.one(),
    )
